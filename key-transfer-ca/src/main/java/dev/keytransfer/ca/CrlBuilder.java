package dev.keytransfer.ca;

import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.cert.CRLException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Builds a signed X.509 v2 CRL (RFC 5280 5): issuer name taken from the issuing CA certificate,
 * thisUpdate/nextUpdate, the revoked serial numbers with their revocation dates, a cRLNumber and an
 * AuthorityKeyIdentifier matching the CA's SubjectKeyIdentifier. The CRL is what both TR-34 parties
 * check revocation against (docs/SECURITY.md C3).
 *
 * <p>Programming-side builder: missing settings and signing failures throw {@link
 * IllegalStateException}. Signing uses the JDK's default providers. Not thread-safe.
 */
public final class CrlBuilder {
  private final X509Certificate issuer;
  private final PrivateKey issuerKey;
  private Instant thisUpdate;
  private Instant nextUpdate;
  private BigInteger crlNumber = BigInteger.ONE;
  private String signatureAlgorithm;
  private final Map<BigInteger, Instant> revoked = new LinkedHashMap<>();

  private CrlBuilder(X509Certificate issuer, PrivateKey issuerKey) {
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.issuerKey = Objects.requireNonNull(issuerKey, "issuerKey");
  }

  /** A builder for a CRL of {@code issuer}, signed with {@code issuerKey}. */
  public static CrlBuilder issuedBy(X509Certificate issuer, PrivateKey issuerKey) {
    return new CrlBuilder(issuer, issuerKey);
  }

  /** thisUpdate (required), truncated to seconds. */
  public CrlBuilder thisUpdate(Instant thisUpdate) {
    this.thisUpdate =
        Objects.requireNonNull(thisUpdate, "thisUpdate").truncatedTo(ChronoUnit.SECONDS);
    return this;
  }

  /** nextUpdate (required), truncated to seconds. */
  public CrlBuilder nextUpdate(Instant nextUpdate) {
    this.nextUpdate =
        Objects.requireNonNull(nextUpdate, "nextUpdate").truncatedTo(ChronoUnit.SECONDS);
    return this;
  }

  /** The cRLNumber extension value; default 1. */
  public CrlBuilder crlNumber(BigInteger number) {
    Objects.requireNonNull(number, "number");
    if (number.signum() < 0) {
      throw new IllegalArgumentException("CRL number must not be negative");
    }
    this.crlNumber = number;
    return this;
  }

  /** Lists {@code serial} as revoked at {@code revocationDate}. */
  public CrlBuilder revoke(BigInteger serial, Instant revocationDate) {
    revoked.put(
        Objects.requireNonNull(serial, "serial"),
        Objects.requireNonNull(revocationDate, "revocationDate"));
    return this;
  }

  /** Lists every entry of {@code entries} (serial to revocation date) as revoked. */
  public CrlBuilder revokeAll(Map<BigInteger, Instant> entries) {
    entries.forEach(this::revoke);
    return this;
  }

  /**
   * The JCA signature algorithm name; default {@link CertificateBuilder#signatureAlgorithmFor} the
   * issuer key (ECDSA with the curve's hash for an EC CA, {@value
   * CertificateBuilder#DEFAULT_SIGNATURE_ALGORITHM} for an RSA CA).
   */
  public CrlBuilder signatureAlgorithm(String algorithm) {
    this.signatureAlgorithm = Objects.requireNonNull(algorithm, "algorithm");
    return this;
  }

  /**
   * Builds and signs the CRL.
   *
   * @throws IllegalStateException if thisUpdate or nextUpdate is missing or inconsistent, or
   *     signing fails
   */
  public X509CRL build() {
    if (thisUpdate == null || nextUpdate == null) {
      throw new IllegalStateException("thisUpdate and nextUpdate are required");
    }
    if (nextUpdate.isBefore(thisUpdate)) {
      throw new IllegalStateException("nextUpdate is before thisUpdate");
    }
    try {
      X509v2CRLBuilder b = new JcaX509v2CRLBuilder(issuer, Date.from(thisUpdate));
      b.setNextUpdate(Date.from(nextUpdate));
      for (Map.Entry<BigInteger, Instant> e : revoked.entrySet()) {
        b.addCRLEntry(
            e.getKey(),
            Date.from(e.getValue().truncatedTo(ChronoUnit.SECONDS)),
            CRLReason.unspecified);
      }
      b.addExtension(Extension.cRLNumber, false, new CRLNumber(crlNumber));
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          CertificateBuilder.authorityKeyIdentifier(issuer, CertificateBuilder.extensionUtils()));
      return new JcaX509CRLConverter()
          .getCRL(
              b.build(
                  new JcaContentSignerBuilder(
                          signatureAlgorithm != null
                              ? signatureAlgorithm
                              : CertificateBuilder.signatureAlgorithmFor(issuerKey))
                      .build(issuerKey)));
    } catch (CertIOException | OperatorCreationException | CRLException e) {
      throw new IllegalStateException(
          "cannot build CRL for "
              + issuer.getSubjectX500Principal().getName()
              + ": "
              + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot build CRL for " + issuer.getSubjectX500Principal().getName() + ": " + e, e);
    }
  }
}
