package dev.keytransfer.core.handshake;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * A certificate that is only a subject, an issuer, a serial and an RSA-2048 public key: enough for
 * the machines, which identify certificates by issuer and serial (TR-34 IssuerAndSerialNumber) and
 * leave validation to the {@code CertificateValidator}. Nothing here is signed or parsed.
 */
final class FakeCertificate extends X509Certificate {
  private static final PublicKey KEY = rsa2048().getPublic();
  private static final PublicKey EC_KEY = ecP256().getPublic();

  private final X500Principal subject;
  private final X500Principal issuer;
  private final BigInteger serial;

  private final PublicKey key;

  FakeCertificate(String subject, String issuer, long serial) {
    this(subject, issuer, serial, false);
  }

  /** With {@code ec}, the certificate carries a P-256 key (the ECDH mode, docs/ECDH.md). */
  FakeCertificate(String subject, String issuer, long serial, boolean ec) {
    this.subject = new X500Principal(subject);
    this.issuer = new X500Principal(issuer);
    this.serial = BigInteger.valueOf(serial);
    this.key = ec ? EC_KEY : KEY;
  }

  private static KeyPair ecP256() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair rsa2048() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public X500Principal getSubjectX500Principal() {
    return subject;
  }

  @Override
  public X500Principal getIssuerX500Principal() {
    return issuer;
  }

  @Override
  public BigInteger getSerialNumber() {
    return serial;
  }

  @Override
  public PublicKey getPublicKey() {
    return key;
  }

  @Override
  public byte[] getEncoded() {
    return (issuer.getName() + "/" + serial + "/" + subject.getName())
        .getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "FakeCertificate[" + subject.getName() + "]";
  }

  // ------------------------------------------------------------- not used by the machines

  @Override
  public void checkValidity() {}

  @Override
  public void checkValidity(Date date) {}

  @Override
  public int getVersion() {
    return 3;
  }

  @Override
  public Principal getIssuerDN() {
    return issuer;
  }

  @Override
  public Principal getSubjectDN() {
    return subject;
  }

  @Override
  public Date getNotBefore() {
    return new Date(0);
  }

  @Override
  public Date getNotAfter() {
    return new Date(Long.MAX_VALUE);
  }

  @Override
  public byte[] getTBSCertificate() {
    return getEncoded();
  }

  @Override
  public byte[] getSignature() {
    return new byte[0];
  }

  @Override
  public String getSigAlgName() {
    return "none";
  }

  @Override
  public String getSigAlgOID() {
    return "0.0";
  }

  @Override
  public byte[] getSigAlgParams() {
    return null;
  }

  @Override
  public boolean[] getIssuerUniqueID() {
    return null;
  }

  @Override
  public boolean[] getSubjectUniqueID() {
    return null;
  }

  @Override
  public boolean[] getKeyUsage() {
    return null;
  }

  @Override
  public int getBasicConstraints() {
    return -1;
  }

  @Override
  public void verify(PublicKey key) {
    throw new UnsupportedOperationException("a fake certificate is not signed");
  }

  @Override
  public void verify(PublicKey key, String sigProvider) {
    throw new UnsupportedOperationException("a fake certificate is not signed");
  }

  @Override
  public boolean hasUnsupportedCriticalExtension() {
    return false;
  }

  @Override
  public Set<String> getCriticalExtensionOIDs() {
    return Set.of();
  }

  @Override
  public Set<String> getNonCriticalExtensionOIDs() {
    return Set.of();
  }

  @Override
  public byte[] getExtensionValue(String oid) {
    return null;
  }
}
