/**
 * The public-key infrastructure of TR-34 B.2.1 and its checks: a reference certification authority
 * ({@link dev.keytransfer.crypto.pki.DefaultCertificateAuthority}: root above a KDH CA and a KRD
 * CA), PKCS#10 requests signed inside a {@link dev.keytransfer.core.spi.CryptoProvider} ({@link
 * dev.keytransfer.crypto.pki.CertificationRequests}), certificate and CRL builders, and the
 * certificate-path validator ({@link dev.keytransfer.crypto.pki.PkixCertificateValidator}) that
 * adds the payment-specific policy of docs/SECURITY.md C1-C9 on top of Java's RFC 5280 engine.
 */
package dev.keytransfer.crypto.pki;
