package dev.keytransfer.ca;

import dev.keytransfer.KeyType;
import dev.keytransfer.core.spi.Algorithms;
import java.math.BigInteger;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Builds X.509 v3 certificates: the sample PKI of TR-34 B.2.1 (a root above a KDH CA and a KRD CA,
 * each issuing leaves of one role) and, in tests, its invalid variants (expired, wrong key usage,
 * weak key, SHA-1 signature, CA as leaf).
 *
 * <p>Every certificate carries a critical basicConstraints extension (end entity unless {@link
 * #ca(boolean)} is set), a critical keyUsage extension when {@link #keyUsage} was given, a
 * SubjectKeyIdentifier (RFC 5280 4.2.1.2 method 1) and an AuthorityKeyIdentifier copied from the
 * issuer's SubjectKeyIdentifier. Times are truncated to whole seconds, the precision of the
 * encoding. Signing uses the JDK's default providers, so the issuer key may be any JCA key; an EC
 * issuer key signs with ECDSA and the hash of its curve ({@link #signatureAlgorithmFor}).
 *
 * <pre>{@code
 * X509Certificate root = CertificateBuilder.create()
 *     .subject(new X500Principal("CN=Root CA, O=key-transfer"))
 *     .publicKey(rootKeys.getPublic())
 *     .selfSigned(rootKeys.getPrivate())
 *     .validity(now, now.plus(Duration.ofDays(7305)))
 *     .ca(true)
 *     .keyUsage(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)
 *     .build();
 * }</pre>
 *
 * <p>This is a programming-side builder: missing or inconsistent settings and provider failures
 * throw {@link IllegalStateException}. Not thread-safe; use one builder per certificate.
 */
public final class CertificateBuilder {
  /**
   * Default signature algorithm of an RSA signing key (TR-34 B.2.1 sample PKI:
   * sha256WithRSAEncryption); an EC signing key signs with {@link #signatureAlgorithmFor}.
   */
  public static final String DEFAULT_SIGNATURE_ALGORITHM = "SHA256withRSA";

  /**
   * The signature algorithm a CA key signs certificates and CRLs with by default: ECDSA with the
   * hash of the key's curve for an EC key (SHA256withECDSA on P-256, SHA384withECDSA on P-384,
   * SHA512withECDSA on P-521; docs/ECDH.md), {@value #DEFAULT_SIGNATURE_ALGORITHM} for any other.
   *
   * @throws IllegalArgumentException for an EC key on another curve
   */
  public static String signatureAlgorithmFor(PrivateKey signingKey) {
    Objects.requireNonNull(signingKey, "signingKey");
    if (signingKey instanceof java.security.interfaces.ECKey) {
      Algorithms.Curve curve = KeyType.curveOf(signingKey);
      if (curve == null) {
        throw new IllegalArgumentException("EC signing key on a curve other than P-256/384/521");
      }
      return curve.signature().jcaName();
    }
    return DEFAULT_SIGNATURE_ALGORITHM;
  }

  /** The keyUsage bits of RFC 5280 4.2.1.3. */
  public enum KeyUsage {
    DIGITAL_SIGNATURE(org.bouncycastle.asn1.x509.KeyUsage.digitalSignature),
    NON_REPUDIATION(org.bouncycastle.asn1.x509.KeyUsage.nonRepudiation),
    KEY_ENCIPHERMENT(org.bouncycastle.asn1.x509.KeyUsage.keyEncipherment),
    DATA_ENCIPHERMENT(org.bouncycastle.asn1.x509.KeyUsage.dataEncipherment),
    KEY_AGREEMENT(org.bouncycastle.asn1.x509.KeyUsage.keyAgreement),
    KEY_CERT_SIGN(org.bouncycastle.asn1.x509.KeyUsage.keyCertSign),
    CRL_SIGN(org.bouncycastle.asn1.x509.KeyUsage.cRLSign),
    ENCIPHER_ONLY(org.bouncycastle.asn1.x509.KeyUsage.encipherOnly),
    DECIPHER_ONLY(org.bouncycastle.asn1.x509.KeyUsage.decipherOnly);

    private final int mask;

    KeyUsage(int mask) {
      this.mask = mask;
    }
  }

  private X500Principal subject;
  private PublicKey publicKey;
  private X509Certificate issuerCertificate;
  private PrivateKey signingKey;
  private boolean selfSigned;
  private BigInteger serial;
  private Instant notBefore;
  private Instant notAfter;
  private boolean ca;
  private Integer pathLength;
  private final Set<KeyUsage> keyUsage = EnumSet.noneOf(KeyUsage.class);
  private String signatureAlgorithm;
  private SecureRandom random;
  private final Map<String, Map.Entry<Boolean, byte[]>> extraExtensions = new LinkedHashMap<>();

  private CertificateBuilder() {}

  /** A new builder. */
  public static CertificateBuilder create() {
    return new CertificateBuilder();
  }

  /** The subject name (required). */
  public CertificateBuilder subject(X500Principal subject) {
    this.subject = Objects.requireNonNull(subject, "subject");
    return this;
  }

  /** The subject's public key (required). */
  public CertificateBuilder publicKey(PublicKey publicKey) {
    this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
    return this;
  }

  /**
   * Signs with {@code issuerKey}, the private key of {@code issuerCertificate}; the issuer name and
   * the AuthorityKeyIdentifier come from that certificate.
   */
  public CertificateBuilder issuer(X509Certificate issuerCertificate, PrivateKey issuerKey) {
    this.issuerCertificate = Objects.requireNonNull(issuerCertificate, "issuerCertificate");
    this.signingKey = Objects.requireNonNull(issuerKey, "issuerKey");
    this.selfSigned = false;
    return this;
  }

  /** Makes the certificate self-signed with {@code key}: issuer = subject. */
  public CertificateBuilder selfSigned(PrivateKey key) {
    this.signingKey = Objects.requireNonNull(key, "key");
    this.issuerCertificate = null;
    this.selfSigned = true;
    return this;
  }

  /** The serial number, positive; default a random positive 128-bit number. */
  public CertificateBuilder serial(BigInteger serial) {
    Objects.requireNonNull(serial, "serial");
    if (serial.signum() <= 0) {
      throw new IllegalArgumentException("serial must be positive");
    }
    this.serial = serial;
    return this;
  }

  /** The validity period (required); both ends are truncated to seconds. */
  public CertificateBuilder validity(Instant notBefore, Instant notAfter) {
    this.notBefore = Objects.requireNonNull(notBefore, "notBefore").truncatedTo(ChronoUnit.SECONDS);
    this.notAfter = Objects.requireNonNull(notAfter, "notAfter").truncatedTo(ChronoUnit.SECONDS);
    return this;
  }

  /**
   * basicConstraints cA; default false (end entity). The extension is always present and critical.
   */
  public CertificateBuilder ca(boolean ca) {
    this.ca = ca;
    return this;
  }

  /** basicConstraints pathLenConstraint, for CA certificates only; default none. */
  public CertificateBuilder pathLength(int pathLength) {
    if (pathLength < 0) {
      throw new IllegalArgumentException("pathLength must be >= 0");
    }
    this.pathLength = pathLength;
    return this;
  }

  /**
   * The keyUsage bits (critical extension); replaces earlier bits. Without a call, no keyUsage
   * extension.
   */
  public CertificateBuilder keyUsage(KeyUsage... bits) {
    keyUsage.clear();
    for (KeyUsage b : bits) {
      keyUsage.add(Objects.requireNonNull(b, "bit"));
    }
    return this;
  }

  /**
   * The JCA signature algorithm name; default {@link #signatureAlgorithmFor} the signing key (RSA:
   * {@value #DEFAULT_SIGNATURE_ALGORITHM}).
   */
  public CertificateBuilder signatureAlgorithm(String algorithm) {
    this.signatureAlgorithm = Objects.requireNonNull(algorithm, "algorithm");
    return this;
  }

  /**
   * Adds any other extension, given as its OID and the DER encoding of its value (the content of
   * extnValue). Must not be basicConstraints, keyUsage, subjectKeyIdentifier or
   * authorityKeyIdentifier, which this builder sets itself.
   */
  public CertificateBuilder extension(String oid, boolean critical, byte[] derValue) {
    Objects.requireNonNull(oid, "oid");
    Objects.requireNonNull(derValue, "derValue");
    ASN1ObjectIdentifier id = new ASN1ObjectIdentifier(oid);
    if (id.equals(Extension.basicConstraints)
        || id.equals(Extension.keyUsage)
        || id.equals(Extension.subjectKeyIdentifier)
        || id.equals(Extension.authorityKeyIdentifier)) {
      throw new IllegalArgumentException("extension " + oid + " is set by the builder itself");
    }
    extraExtensions.put(oid, Map.entry(critical, derValue.clone()));
    return this;
  }

  /** The random source for the default serial number; default a new {@link SecureRandom}. */
  public CertificateBuilder secureRandom(SecureRandom random) {
    this.random = Objects.requireNonNull(random, "random");
    return this;
  }

  /**
   * Builds and signs the certificate.
   *
   * @throws IllegalStateException if a required setting is missing or inconsistent, or signing
   *     fails
   */
  public X509Certificate build() {
    if (subject == null || publicKey == null || signingKey == null) {
      throw new IllegalStateException(
          "subject, publicKey and an issuer (or selfSigned) are required");
    }
    if (notBefore == null || notAfter == null) {
      throw new IllegalStateException("validity is required");
    }
    if (notAfter.isBefore(notBefore)) {
      throw new IllegalStateException("notAfter is before notBefore");
    }
    if (pathLength != null && !ca) {
      throw new IllegalStateException("pathLength is only allowed on a CA certificate");
    }
    BigInteger sn =
        serial != null ? serial : randomSerial(random != null ? random : new SecureRandom());
    try {
      JcaX509ExtensionUtils ext = extensionUtils();
      X509v3CertificateBuilder b;
      AuthorityKeyIdentifier aki;
      SubjectKeyIdentifier ski = ext.createSubjectKeyIdentifier(publicKey);
      if (selfSigned) {
        b =
            new JcaX509v3CertificateBuilder(
                subject, sn, Date.from(notBefore), Date.from(notAfter), subject, publicKey);
        aki = new AuthorityKeyIdentifier(ski.getKeyIdentifier());
      } else {
        b =
            new JcaX509v3CertificateBuilder(
                issuerCertificate.getSubjectX500Principal(),
                sn,
                Date.from(notBefore),
                Date.from(notAfter),
                subject,
                publicKey);
        aki = authorityKeyIdentifier(issuerCertificate, ext);
      }
      BasicConstraints bc =
          !ca
              ? new BasicConstraints(false)
              : pathLength == null ? new BasicConstraints(true) : new BasicConstraints(pathLength);
      b.addExtension(Extension.basicConstraints, true, bc);
      if (!keyUsage.isEmpty()) {
        int mask = 0;
        for (KeyUsage u : keyUsage) {
          mask |= u.mask;
        }
        b.addExtension(Extension.keyUsage, true, new org.bouncycastle.asn1.x509.KeyUsage(mask));
      }
      b.addExtension(Extension.subjectKeyIdentifier, false, ski);
      b.addExtension(Extension.authorityKeyIdentifier, false, aki);
      for (Map.Entry<String, Map.Entry<Boolean, byte[]>> e : extraExtensions.entrySet()) {
        b.addExtension(
            new ASN1ObjectIdentifier(e.getKey()), e.getValue().getKey(), e.getValue().getValue());
      }
      ContentSigner signer =
          new JcaContentSignerBuilder(
                  signatureAlgorithm != null
                      ? signatureAlgorithm
                      : signatureAlgorithmFor(signingKey))
              .build(signingKey);
      X509CertificateHolder holder = b.build(signer);
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (CertIOException | OperatorCreationException | CertificateException e) {
      throw new IllegalStateException(
          "cannot build certificate for " + subject.getName() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot build certificate for " + subject.getName() + ": " + e, e);
    }
  }

  /**
   * A random positive serial number of at most 128 bits (RFC 5280 4.1.2.2 allows up to 20 octets).
   */
  static BigInteger randomSerial(SecureRandom random) {
    BigInteger sn;
    do {
      sn = new BigInteger(128, random);
    } while (sn.signum() == 0);
    return sn;
  }

  /**
   * The AuthorityKeyIdentifier for certificates or CRLs signed by {@code issuer}: its
   * SubjectKeyIdentifier when present, else computed from its public key.
   */
  static AuthorityKeyIdentifier authorityKeyIdentifier(
      X509Certificate issuer, JcaX509ExtensionUtils ext) {
    byte[] skiExt = issuer.getExtensionValue(Extension.subjectKeyIdentifier.getId());
    if (skiExt != null) {
      try {
        byte[] inner = ASN1OctetString.getInstance(skiExt).getOctets();
        return new AuthorityKeyIdentifier(
            SubjectKeyIdentifier.getInstance(inner).getKeyIdentifier());
      } catch (IllegalArgumentException e) {
        // malformed SKI in the issuer: fall back to the key hash below
      }
    }
    return ext.createAuthorityKeyIdentifier(issuer.getPublicKey());
  }

  /** BC's extension helper (SHA-1 key identifiers, RFC 5280 4.2.1.2 method 1). */
  static JcaX509ExtensionUtils extensionUtils() {
    try {
      return new JcaX509ExtensionUtils();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 digest for key identifiers is unavailable", e);
    }
  }
}
