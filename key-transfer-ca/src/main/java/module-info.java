/**
 * A reference certification authority ({@link dev.keytransfer.ca.DefaultCertificateAuthority}: root
 * above a KDH CA and a KRD CA) and certificate and CRL builders, on Bouncy Castle PKIX.
 */
module dev.keytransfer.ca {
  requires transitive dev.keytransfer.crypto;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.util;

  exports dev.keytransfer.ca;
}
