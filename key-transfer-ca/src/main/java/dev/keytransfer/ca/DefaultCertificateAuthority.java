package dev.keytransfer.ca;

import dev.keytransfer.KeyType;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CertificateAuthority;
import dev.keytransfer.crypto.DerLimits;
import dev.keytransfer.crypto.pki.AlgorithmPolicy;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;

/**
 * The reference certification authority of S1, shaped as the sample PKI of TR-34 B.2.1: one
 * self-signed root ("CA" in Annex B) above a CA that issues KDH certificates ("CA KDH") and a CA
 * that issues KRD certificates ("CA KRD"). As in the Annex B samples, a KDH certificate has
 * keyUsage digitalSignature (the KDH signs credential and key tokens) and a KRD certificate has
 * keyUsage keyEncipherment (the KRD decrypts the transported key), so neither is ever accepted for
 * the other role (docs/SECURITY.md C6). For an EC key of the ECDH mode (docs/ECDH.md) a KDH
 * certificate has digitalSignature and keyAgreement (the KDH signs and agrees keys) and a KRD
 * certificate keyAgreement only.
 *
 * <ul>
 *   <li>Root: self-signed, basicConstraints cA=true, keyUsage keyCertSign + cRLSign.
 *   <li>KDH CA and KRD CA: cA=true with pathLenConstraint 0, keyUsage keyCertSign + cRLSign.
 *   <li>Leaves: issued only from a PKCS#10 request whose proof-of-possession signature verifies,
 *       with an RSA key of at least 2048 bits and a SHA-256-or-better request signature, or an EC
 *       key on P-256, P-384 or P-521 and a request signed with ECDSA and the hash of its curve
 *       (SHA-256, SHA-384, SHA-512); basicConstraints cA=false and the role's keyUsage, both
 *       critical; the subject of the request. ({@link DirectoryCertificateAuthority}, which
 *       generates a leaf's key itself, has it certified without a request, under the same key
 *       policy.)
 *   <li>CRLs: one per CA, re-issued at once on revocation and otherwise lazily when older than half
 *       their validity, with increasing cRLNumbers.
 * </ul>
 *
 * <p>The CA keys are software keys generated here with a {@link SecureRandom}: RSA by default, with
 * sha256WithRSAEncryption signatures, or EC ({@link Builder#caKey}), with ECDSA signatures whose
 * hash is that of the CA's curve (SHA-256 for P-256, SHA-384 for P-384, SHA-512 for P-521). This
 * class is meant for tests, examples and small deployments; a production CA keeps its keys in an
 * HSM. Thread-safe (all state changes are synchronized).
 */
public final class DefaultCertificateAuthority implements CertificateAuthority {
  /** Smallest RSA key the CA certifies or generates. */
  public static final int MIN_RSA_BITS = 2048;

  private static final int MAX_REQUEST_BYTES = 16 * 1024;

  /** The ECDSA signature OIDs (RFC 5758 3.2), for the request of an EC key. */
  private static final Map<Algorithms.Signature, ASN1ObjectIdentifier> ECDSA_OIDS =
      Map.of(
          Algorithms.Signature.ECDSA_SHA256, X9ObjectIdentifiers.ecdsa_with_SHA256,
          Algorithms.Signature.ECDSA_SHA384, X9ObjectIdentifiers.ecdsa_with_SHA384,
          Algorithms.Signature.ECDSA_SHA512, X9ObjectIdentifiers.ecdsa_with_SHA512);

  private final Clock clock;
  private final SecureRandom random;
  private final Duration leafValidity;
  private final Duration crlValidity;
  private final Duration crlRefreshAfter; // half of crlValidity: asked for at every session
  private final Supplier<BigInteger> serialNumbers;
  private final Ca root;
  private final Ca kdhCa;
  private final Ca krdCa;

  /** One CA's certificate, key and revocation state. */
  private static final class Ca {
    final X509Certificate certificate;
    final PrivateKey key;
    final Map<BigInteger, Instant> revoked = new LinkedHashMap<>();
    BigInteger crlNumber = BigInteger.ZERO;
    X509CRL crl;

    Ca(X509Certificate certificate, PrivateKey key) {
      this.certificate = certificate;
      this.key = key;
    }
  }

  private DefaultCertificateAuthority(Builder b) {
    this.clock = b.clock;
    this.random = b.random != null ? b.random : new SecureRandom();
    this.leafValidity = b.leafValidity;
    this.crlValidity = b.crlValidity;
    this.crlRefreshAfter = b.crlValidity.dividedBy(2);
    this.serialNumbers = b.serialNumbers;
    if (b.restore != null) {
      State st = b.restore;
      this.root = restored(st.root(), st.rootKey(), st.crls());
      this.kdhCa = restored(st.kdhCa(), st.kdhCaKey(), st.crls());
      this.krdCa = restored(st.krdCa(), st.krdCaKey(), st.crls());
      return;
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant caNotAfter = now.plus(b.caValidity);
    KeyPair rootKeys = b.caKey.generate(random);
    X509Certificate rootCert =
        CertificateBuilder.create()
            .subject(name(b.namePrefix + " Root CA"))
            .publicKey(rootKeys.getPublic())
            .selfSigned(rootKeys.getPrivate())
            .validity(now, caNotAfter)
            .ca(true)
            .keyUsage(
                CertificateBuilder.KeyUsage.KEY_CERT_SIGN, CertificateBuilder.KeyUsage.CRL_SIGN)
            .serial(nextSerial())
            .build();
    this.root = new Ca(rootCert, rootKeys.getPrivate());
    this.kdhCa = subCa(b.namePrefix + " KDH CA", b.caKey, now, caNotAfter);
    this.krdCa = subCa(b.namePrefix + " KRD CA", b.caKey, now, caNotAfter);
  }

  /**
   * A new CA with names {@code CN=<prefix> Root CA, O=key-transfer}, {@code CN=<prefix> KDH CA,
   * O=key-transfer} and {@code CN=<prefix> KRD CA, O=key-transfer}, default sizes and validities.
   */
  public static DefaultCertificateAuthority create(String namePrefix, Clock clock) {
    return builder().namePrefix(namePrefix).clock(clock).build();
  }

  /**
   * A builder with the defaults: RSA-2048, leaves 2 years, CAs 20 years, CRLs 7 days, system UTC
   * clock.
   */
  public static Builder builder() {
    return new Builder();
  }

  private Ca subCa(String cn, KeyType keyType, Instant now, Instant notAfter) {
    KeyPair keys = keyType.generate(random);
    X509Certificate cert =
        CertificateBuilder.create()
            .subject(name(cn))
            .publicKey(keys.getPublic())
            .issuer(root.certificate, root.key)
            .validity(now, notAfter)
            .ca(true)
            .pathLength(0)
            .keyUsage(
                CertificateBuilder.KeyUsage.KEY_CERT_SIGN, CertificateBuilder.KeyUsage.CRL_SIGN)
            .serial(nextSerial())
            .build();
    return new Ca(cert, keys.getPrivate());
  }

  /** The serial number of the next certificate: from the builder's source, else random. */
  private BigInteger nextSerial() {
    if (serialNumbers == null) {
      return CertificateBuilder.randomSerial(random);
    }
    BigInteger serial = serialNumbers.get();
    if (serial == null || serial.signum() <= 0 || serial.bitLength() > 159) {
      throw new IllegalStateException("the serial number source gave " + serial);
    }
    return serial;
  }

  private static X500Principal name(String cn) {
    // X500Principal parses RFC 2253; escape what could break the CN value
    return new X500Principal("CN=" + escapeRdnValue(cn) + ",O=key-transfer");
  }

  private static String escapeRdnValue(String v) {
    StringBuilder sb = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (",+\"\\<>;=#".indexOf(c) >= 0) {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }

  @Override
  public X509Certificate rootCertificate() {
    return root.certificate;
  }

  @Override
  public X509Certificate issuingCertificate(Role role) {
    return caFor(role).certificate;
  }

  private Ca caFor(Role role) {
    return Objects.requireNonNull(role, "role") == Role.KDH ? kdhCa : krdCa;
  }

  /**
   * {@inheritDoc}
   *
   * <p>TR-34 B.2.1: a KDH leaf gets keyUsage digitalSignature only, a KRD leaf keyEncipherment only
   * (critical), with basicConstraints cA=false (critical). For an EC key (docs/ECDH.md) a KDH leaf
   * gets digitalSignature and keyAgreement, a KRD leaf keyAgreement only (docs/SECURITY.md C6).
   * Validity runs from now for the leaf validity, but never past the issuing CA's notAfter.
   */
  @Override
  public CertificateChain issue(byte[] certificationRequest, Role role)
      throws KeyTransferException {
    Objects.requireNonNull(certificationRequest, "certificationRequest");
    Objects.requireNonNull(role, "role");
    PKCS10CertificationRequest csr = parse(certificationRequest);
    PublicKey key = checkRequest(csr);
    X500Principal subject;
    try {
      subject = new X500Principal(csr.getSubject().getEncoded());
    } catch (java.io.IOException | RuntimeException e) {
      throw refused("the request's subject name cannot be read", e);
    }
    return issue(key, subject, role);
  }

  /**
   * Issues a leaf for a key whose holder is known without a request: {@link
   * DirectoryCertificateAuthority} generated it itself. The key is held to the request policy (RSA
   * of at least {@value #MIN_RSA_BITS} bits, or EC on P-256, P-384, P-521); the subject must not be
   * empty nor the name of a CA of this PKI.
   */
  CertificateChain issue(PublicKey key, X500Principal subject, Role role)
      throws KeyTransferException {
    checkKey(key);
    Ca ca = caFor(role);
    if (subject.getEncoded().length <= 2) { // an empty RDNSequence
      throw refused("the request has an empty subject name", null);
    }
    for (Ca c : List.of(root, kdhCa, krdCa)) {
      if (c.certificate.getSubjectX500Principal().equals(subject)) {
        throw refused("the request's subject is the name of a CA of this PKI", null);
      }
    }
    synchronized (this) {
      Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
      Instant caNotAfter = ca.certificate.getNotAfter().toInstant();
      if (!now.isBefore(caNotAfter)) {
        throw refused("the " + role + " CA certificate has expired", null);
      }
      Instant notAfter = now.plus(leafValidity);
      if (notAfter.isAfter(caNotAfter)) {
        notAfter = caNotAfter;
      }
      X509Certificate leaf =
          CertificateBuilder.create()
              .subject(subject)
              .publicKey(key)
              .issuer(ca.certificate, ca.key)
              .validity(now, notAfter)
              .ca(false)
              .keyUsage(leafKeyUsage(key, role))
              .serial(nextSerial())
              .build();
      return CertificateChain.of(leaf, ca.certificate);
    }
  }

  /** The keyUsage of a leaf for {@code key} in {@code role} (docs/SECURITY.md C6). */
  private static CertificateBuilder.KeyUsage[] leafKeyUsage(PublicKey key, Role role) {
    if (key instanceof ECPublicKey) { // docs/ECDH.md
      return role == Role.KDH
          ? new CertificateBuilder.KeyUsage[] {
            CertificateBuilder.KeyUsage.DIGITAL_SIGNATURE, CertificateBuilder.KeyUsage.KEY_AGREEMENT
          }
          : new CertificateBuilder.KeyUsage[] {CertificateBuilder.KeyUsage.KEY_AGREEMENT};
    }
    return new CertificateBuilder.KeyUsage[] {
      role == Role.KDH
          ? CertificateBuilder.KeyUsage.DIGITAL_SIGNATURE // TR-34 B.2.1: the KDH signs
          : CertificateBuilder.KeyUsage.KEY_ENCIPHERMENT // TR-34 B.2.1: the KRD decrypts the CEK
    };
  }

  /** The request key policy: RSA of at least {@value #MIN_RSA_BITS} bits, or EC on a NIST curve. */
  private static void checkKey(PublicKey key) throws KeyTransferException {
    Objects.requireNonNull(key, "key");
    if (key instanceof RSAPublicKey rsa) {
      String weakKey = AlgorithmPolicy.keyWeakness(rsa, MIN_RSA_BITS);
      if (weakKey != null) {
        throw refused(weakKey, null);
      }
      if (!rsa.getPublicExponent().testBit(0)
          || rsa.getPublicExponent().compareTo(BigInteger.valueOf(3)) < 0) {
        throw refused("the request's RSA public exponent is invalid", null);
      }
      return;
    }
    if (key instanceof ECPublicKey) {
      String weakKey = AlgorithmPolicy.keyWeakness(key, MIN_RSA_BITS);
      if (weakKey != null || Algorithms.Curve.of(key) == null) {
        throw refused(
            weakKey != null ? weakKey : "the EC key is not on P-256, P-384 or P-521", null);
      }
      return;
    }
    throw refused("the key is not an RSA or EC key", null);
  }

  private static PKCS10CertificationRequest parse(byte[] der) throws KeyTransferException {
    if (der.length == 0 || der.length > MAX_REQUEST_BYTES) {
      throw refused("the request is empty or larger than " + MAX_REQUEST_BYTES + " bytes", null);
    }
    try { // Bouncy Castle's parser recurses per nesting level: DerLimits first (R5)
      DerLimits.check(der, MAX_REQUEST_BYTES, "the request");
    } catch (MalformedTokenException e) {
      throw refused(e.getMessage(), null);
    }
    try {
      return new PKCS10CertificationRequest(der);
    } catch (java.io.IOException | RuntimeException e) {
      throw refused("the request is not a DER PKCS#10 certification request", e);
    }
  }

  /** Key policy, signature policy and proof of possession; returns the request's public key. */
  private static PublicKey checkRequest(PKCS10CertificationRequest csr)
      throws KeyTransferException {
    AlgorithmIdentifier keyAlgorithm = csr.getSubjectPublicKeyInfo().getAlgorithm();
    boolean ec = X9ObjectIdentifiers.id_ecPublicKey.equals(keyAlgorithm.getAlgorithm());
    if (!ec && !PKCSObjectIdentifiers.rsaEncryption.equals(keyAlgorithm.getAlgorithm())) {
      throw refused("the request's key is not an RSA or EC key", null);
    }
    PublicKey key;
    try {
      key =
          KeyFactory.getInstance(ec ? "EC" : "RSA")
              .generatePublic(new X509EncodedKeySpec(csr.getSubjectPublicKeyInfo().getEncoded()));
    } catch (GeneralSecurityException | java.io.IOException | RuntimeException e) {
      throw refused("the request's " + (ec ? "EC" : "RSA") + " key cannot be read", e);
    }
    checkKey(key);
    if (ec) {
      // docs/ECDH.md: ECDSA with the hash of the key's curve, and no parameters (RFC 5758 3.2)
      Algorithms.Curve curve = Algorithms.Curve.of(key);
      ASN1ObjectIdentifier expected = ECDSA_OIDS.get(curve.signature());
      AlgorithmIdentifier sig = csr.getSignatureAlgorithm();
      if (!expected.equals(sig.getAlgorithm()) || sig.getParameters() != null) {
        throw refused(
            "the request of a "
                + curve
                + " key must be signed with "
                + curve.signature().jcaName()
                + ", not "
                + sig.getAlgorithm().getId(),
            null);
      }
    } else {
      String weakSig = signatureWeakness(csr.getSignatureAlgorithm());
      if (weakSig != null) {
        throw refused("the request's signature is too weak: " + weakSig, null);
      }
    }
    boolean pop;
    try {
      pop =
          csr.isSignatureValid(
              new JcaContentVerifierProviderBuilder().build(key)); // not by OID: EC has none
    } catch (OperatorCreationException | PKCSException | RuntimeException e) {
      throw refused("the request's proof-of-possession signature cannot be verified", e);
    }
    if (!pop) {
      throw refused("the request's proof-of-possession signature does not verify", null);
    }
    return key;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The issuer is found by issuer name and signature: a KDH or KRD CA for a leaf, the root for a
   * sub-CA certificate. The root certificate itself cannot be revoked.
   *
   * @throws KeyTransferException {@code CA_REQUEST_REFUSED} if no CA of this PKI issued {@code
   *     certificate}
   */
  @Override
  public synchronized void revoke(X509Certificate certificate) throws KeyTransferException {
    Objects.requireNonNull(certificate, "certificate");
    if (certificate.equals(root.certificate)) {
      throw refused("the root certificate cannot be revoked", null);
    }
    Ca issuer = null;
    for (Ca c : List.of(kdhCa, krdCa, root)) {
      if (issuedBy(certificate, c.certificate)) {
        issuer = c;
        break;
      }
    }
    if (issuer == null) {
      throw refused(
          "the certificate "
              + certificate.getSubjectX500Principal().getName()
              + " was not issued by this certification authority",
          null);
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    issuer.revoked.putIfAbsent(certificate.getSerialNumber(), now);
    reissueCrl(issuer, now);
  }

  private static boolean issuedBy(X509Certificate cert, X509Certificate ca) {
    if (!cert.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
      return false;
    }
    try {
      cert.verify(ca.getPublicKey());
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public synchronized X509CRL crl(Role role) {
    return currentCrl(caFor(role));
  }

  @Override
  public synchronized List<X509CRL> crls() {
    return List.of(currentCrl(root), currentCrl(kdhCa), currentCrl(krdCa));
  }

  /**
   * The CRL of {@code ca}, re-issued when absent, older than half its validity, or from the future.
   */
  private X509CRL currentCrl(Ca ca) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    if (ca.crl == null) {
      return reissueCrl(ca, now);
    }
    Instant thisUpdate = ca.crl.getThisUpdate().toInstant();
    if (now.isBefore(thisUpdate) || !now.isBefore(thisUpdate.plus(crlRefreshAfter))) {
      return reissueCrl(ca, now);
    }
    return ca.crl;
  }

  private X509CRL reissueCrl(Ca ca, Instant now) {
    ca.crlNumber = ca.crlNumber.add(BigInteger.ONE);
    ca.crl =
        CrlBuilder.issuedBy(ca.certificate, ca.key)
            .thisUpdate(now)
            .nextUpdate(now.plus(crlValidity))
            .crlNumber(ca.crlNumber)
            .revokeAll(ca.revoked)
            .build();
    return ca.crl;
  }

  /**
   * Everything needed to persist this CA and bring it back: the three certificates, their private
   * keys, and the current CRLs (which carry the revocations and CRL numbers). Holds private keys:
   * store it where CA keys belong. {@code toString} names the CAs only.
   */
  public record State(
      X509Certificate root,
      PrivateKey rootKey,
      X509Certificate kdhCa,
      PrivateKey kdhCaKey,
      X509Certificate krdCa,
      PrivateKey krdCaKey,
      List<X509CRL> crls) {
    public State {
      Objects.requireNonNull(root, "root");
      Objects.requireNonNull(rootKey, "rootKey");
      Objects.requireNonNull(kdhCa, "kdhCa");
      Objects.requireNonNull(kdhCaKey, "kdhCaKey");
      Objects.requireNonNull(krdCa, "krdCa");
      Objects.requireNonNull(krdCaKey, "krdCaKey");
      crls = List.copyOf(crls);
    }

    @Override
    public String toString() {
      return "DefaultCertificateAuthority.State["
          + root.getSubjectX500Principal().getName()
          + ", keys REDACTED]";
    }
  }

  /** This CA's state, to persist it (see {@link Builder#restore}). */
  public synchronized State exportState() {
    return new State(
        root.certificate,
        root.key,
        kdhCa.certificate,
        kdhCa.key,
        krdCa.certificate,
        krdCa.key,
        crls());
  }

  /**
   * A CA from persisted state: its revocations and CRL number come from its latest CRL in {@code
   * crls}.
   */
  private static Ca restored(X509Certificate cert, PrivateKey key, List<X509CRL> crls) {
    Ca ca = new Ca(cert, key);
    for (X509CRL crl : crls) {
      if (!crl.getIssuerX500Principal().equals(cert.getSubjectX500Principal())) {
        continue;
      }
      try {
        crl.verify(cert.getPublicKey());
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new IllegalArgumentException(
            "a CRL of " + cert.getSubjectX500Principal().getName() + " does not verify", e);
      }
      BigInteger number = crlNumber(crl);
      if (ca.crl == null || number.compareTo(ca.crlNumber) > 0) {
        ca.crl = crl;
        ca.crlNumber = number;
      }
      if (crl.getRevokedCertificates() != null) {
        crl.getRevokedCertificates()
            .forEach(
                e ->
                    ca.revoked.putIfAbsent(e.getSerialNumber(), e.getRevocationDate().toInstant()));
      }
    }
    return ca;
  }

  private static BigInteger crlNumber(X509CRL crl) {
    byte[] ext = crl.getExtensionValue(org.bouncycastle.asn1.x509.Extension.cRLNumber.getId());
    if (ext == null) {
      return BigInteger.ZERO;
    }
    return org.bouncycastle.asn1.ASN1Integer.getInstance(
            org.bouncycastle.asn1.ASN1OctetString.getInstance(ext).getOctets())
        .getValue();
  }

  /** Test access: the private key of the CA issuing {@code role} certificates. */
  PrivateKey issuingKey(Role role) {
    return caFor(role).key;
  }

  /** Test access: the root's private key. */
  PrivateKey rootKey() {
    return root.key;
  }

  private static KeyTransferException refused(String why, Throwable cause) {
    return cause == null
        ? new KeyTransferException(
            ErrorCode.CA_REQUEST_REFUSED, "certification request refused: " + why)
        : new KeyTransferException(
            ErrorCode.CA_REQUEST_REFUSED, "certification request refused: " + why, cause);
  }

  @Override
  public String toString() {
    return "DefaultCertificateAuthority["
        + root.certificate.getSubjectX500Principal().getName()
        + "]";
  }

  /** Builder for {@link DefaultCertificateAuthority}. Not thread-safe. */
  public static final class Builder {
    private String namePrefix = "key-transfer";
    private Clock clock = Clock.systemUTC();
    private SecureRandom random;
    private KeyType caKey = KeyType.RSA_2048;
    private Duration leafValidity = Duration.ofDays(730);
    private Duration caValidity = Duration.ofDays(7305);
    private Duration crlValidity = Duration.ofDays(7);
    private Supplier<BigInteger> serialNumbers;
    private State restore;

    private Builder() {}

    /** The prefix of the three CA common names; default {@code key-transfer}. */
    public Builder namePrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (prefix.isBlank()) {
        throw new IllegalArgumentException("name prefix must not be blank");
      }
      this.namePrefix = prefix;
      return this;
    }

    /** The clock that dates certificates and CRLs; default system UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The random source for key generation and serial numbers; default a new {@link SecureRandom}.
     */
    public Builder secureRandom(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * RSA modulus size of the three CA keys; at least {@value #MIN_RSA_BITS}, default 2048. Same as
     * {@link #caKey}{@code (KeyType.rsa(bits))}.
     */
    public Builder rsaBits(int bits) {
      if (bits < MIN_RSA_BITS || bits > 16384) {
        throw new IllegalArgumentException("RSA size must be 2048..16384 bits");
      }
      this.caKey = KeyType.rsa(bits);
      return this;
    }

    /**
     * The type of the three CA keys; default RSA-2048. An EC CA (docs/ECDH.md) signs certificates
     * and CRLs with ECDSA and the hash of its curve.
     */
    public Builder caKey(KeyType type) {
      this.caKey = Objects.requireNonNull(type, "type");
      return this;
    }

    /** Validity of issued leaves (clamped to the issuing CA's notAfter); default 2 years. */
    public Builder leafValidity(Duration validity) {
      this.leafValidity = positive(validity, "leafValidity");
      return this;
    }

    /** Validity of the root and sub-CA certificates; default 20 years. */
    public Builder caValidity(Duration validity) {
      this.caValidity = positive(validity, "caValidity");
      return this;
    }

    /** Time between a CRL's thisUpdate and nextUpdate; default 7 days. */
    public Builder crlValidity(Duration validity) {
      this.crlValidity = positive(validity, "crlValidity");
      if (validity.getSeconds() < 2) {
        throw new IllegalArgumentException("crlValidity must be at least 2 seconds");
      }
      return this;
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive");
      }
      return d;
    }

    /**
     * Where serial numbers come from: called once for every certificate this CA signs, its own CA
     * certificates included, while the CA holds its lock. It must never give a number twice (RFC
     * 5280 4.1.2.2), must give positive numbers of at most 20 octets, and should persist what it
     * gave before it returns (as {@link DirectoryCertificateAuthority} does). An exception it
     * throws propagates to the caller and no certificate is made. Default: random positive 128-bit
     * numbers.
     */
    public Builder serialNumbers(Supplier<BigInteger> source) {
      this.serialNumbers = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * Brings back a persisted CA instead of generating a new one (name prefix, CA key type and CA
     * validity are then ignored).
     */
    public Builder restore(State state) {
      this.restore = Objects.requireNonNull(state, "state");
      return this;
    }

    /** Generates the three CA keys and certificates, or restores them. */
    public DefaultCertificateAuthority build() {
      return new DefaultCertificateAuthority(this);
    }
  }

  /** The policy's verdict on a request's signature algorithm, with its DER parameters. */
  private static String signatureWeakness(AlgorithmIdentifier algorithm) {
    byte[] params = null;
    if (algorithm.getParameters() != null) {
      try {
        params = algorithm.getParameters().toASN1Primitive().getEncoded();
      } catch (java.io.IOException e) {
        return "unreadable signature parameters";
      }
    }
    return AlgorithmPolicy.signatureWeakness(algorithm.getAlgorithm().getId(), params);
  }
}
