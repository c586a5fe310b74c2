package dev.keytransfer.core;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;

/**
 * A certificate's identity as CMS and TR-34 use it (IssuerAndSerialNumber, RFC 5652 10.2.4; TR-34
 * idKDH, signer and recipient identifiers). Serial numbers repeat across issuers in practice, so
 * matching always uses both parts (docs/PROTOCOL.md pitfall 7).
 */
public record IssuerAndSerial(X500Principal issuer, BigInteger serialNumber) {
  public IssuerAndSerial {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(serialNumber, "serialNumber");
  }

  /** The identity of {@code certificate}. */
  public static IssuerAndSerial of(X509Certificate certificate) {
    return new IssuerAndSerial(certificate.getIssuerX500Principal(), certificate.getSerialNumber());
  }

  /** True if this names {@code certificate}. */
  public boolean identifies(X509Certificate certificate) {
    return equals(of(certificate));
  }

  /**
   * Same serial number and the same issuer name under X.500 name matching ({@link
   * X500Principal#equals}, RFC 5280 7.1). Identical DER encodings are matched without
   * canonicalising either name, which a principal parsed from a token would otherwise do on every
   * comparison.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof IssuerAndSerial other
        && serialNumber.equals(other.serialNumber)
        && (issuer == other.issuer
            || Arrays.equals(issuer.getEncoded(), other.issuer.getEncoded())
            || issuer.equals(other.issuer));
  }

  @Override
  public int hashCode() {
    return 31 * issuer.hashCode() + serialNumber.hashCode();
  }

  @Override
  public String toString() {
    return issuer.getName() + " #" + serialNumber.toString(16).toUpperCase(java.util.Locale.ROOT);
  }
}
