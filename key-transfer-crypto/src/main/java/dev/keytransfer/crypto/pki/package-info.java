/**
 * The public-key infrastructure checks of TR-34 B.2.1: the certificate-path validator ({@link
 * dev.keytransfer.crypto.pki.PkixCertificateValidator}) that adds the payment-specific policy of
 * docs/SECURITY.md C1-C9 on top of the platform's RFC 5280 engine, PKCS#10 requests signed inside a
 * {@link dev.keytransfer.core.spi.CryptoProvider} ({@link
 * dev.keytransfer.crypto.pki.CertificationRequests}), and {@link
 * dev.keytransfer.crypto.pki.PkiFiles} for identities kept as PEM files. The certification
 * authority itself is in the key-transfer-ca module.
 */
package dev.keytransfer.crypto.pki;
