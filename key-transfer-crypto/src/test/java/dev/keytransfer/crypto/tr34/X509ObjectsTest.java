package dev.keytransfer.crypto.tr34;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Parsed certificates and CRLs are reused only for the very same encoding. */
class X509ObjectsTest {
  private static final X500Name CA = new X500Name("CN=X509Objects Test CA");
  private static byte[] certificate;
  private static byte[] otherCertificate;
  private static byte[] crl;
  private static byte[] longCrl;

  @BeforeAll
  static void issue() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ca = g.generateKeyPair();
    ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate());
    Date from = new Date();
    Date to = new Date(from.getTime() + 86_400_000L);
    certificate = certificate(ca, signer, BigInteger.TWO, from, to);
    otherCertificate = certificate(ca, signer, BigInteger.TEN, from, to);
    X509CRL c =
        new JcaX509CRLConverter()
            .getCRL(new X509v2CRLBuilder(CA, from).setNextUpdate(to).build(signer));
    crl = c.getEncoded();
    X509v2CRLBuilder many = new X509v2CRLBuilder(CA, from).setNextUpdate(to);
    for (int i = 0; i < 400; i++) {
      many.addCRLEntry(BigInteger.valueOf(1_000_000L + i), from, 1);
    }
    longCrl = new JcaX509CRLConverter().getCRL(many.build(signer)).getEncoded();
  }

  private static byte[] certificate(
      KeyPair ca, ContentSigner signer, BigInteger serial, Date from, Date to) throws Exception {
    X509Certificate c =
        new JcaX509CertificateConverter()
            .getCertificate(
                new JcaX509v3CertificateBuilder(CA, serial, from, to, CA, ca.getPublic())
                    .build(signer));
    return c.getEncoded();
  }

  @Test
  void theSameEncodingAgain_isTheSameObject() throws Exception {
    X509Certificate a = X509Objects.certificate(certificate.clone());
    X509Certificate b = X509Objects.certificate(certificate.clone());
    assertThat(b).isSameAs(a);
    assertThat(a.getEncoded()).isEqualTo(certificate);
    X509CRL c = X509Objects.crl(crl.clone());
    assertThat(X509Objects.crl(crl.clone())).isSameAs(c);
    assertThat(c.getEncoded()).isEqualTo(crl);
  }

  @Test
  void anotherEncoding_isParsedItself() throws Exception {
    X509Certificate a = X509Objects.certificate(certificate.clone());
    X509Certificate other = X509Objects.certificate(otherCertificate.clone());
    assertThat(other.getSerialNumber()).isEqualTo(BigInteger.TEN);
    assertThat(X509Objects.certificate(certificate.clone()).getSerialNumber())
        .isEqualTo(a.getSerialNumber())
        .isEqualTo(BigInteger.TWO);
  }

  @Test
  void aChangeBeforeTheSignature_isNotServedFromTheSlotOfTheOriginal() throws Exception {
    X509Certificate original = X509Objects.certificate(certificate.clone());
    byte[] changed = certificate.clone();
    changed[changed.length / 2] ^= 0x01; // same length, same last bytes: the same slot
    try {
      X509Certificate parsed = X509Objects.certificate(changed);
      assertThat(parsed).isNotSameAs(original);
      assertThat(parsed.getEncoded()).isEqualTo(changed);
    } catch (CertificateException unreadable) {
      // the flipped bit made it unreadable: equally not the original
    }
    assertThat(X509Objects.certificate(certificate.clone())).isNotNull();
  }

  @Test
  void anEncodingOverTheLimit_isParsedButNotKept() throws Exception {
    assertThat(longCrl.length).isGreaterThan(X509Objects.MAX_KEPT);
    X509CRL parsed = X509Objects.crl(longCrl.clone());
    assertThat(parsed.getRevokedCertificates()).hasSize(400);
    assertThat(parsed.getEncoded()).isEqualTo(longCrl);
    assertThat(X509Objects.isKept(longCrl)).isFalse();
    X509Objects.crl(crl.clone());
    assertThat(X509Objects.isKept(crl)).isTrue();
  }

  @Test
  void unreadableBytes_failEveryTimeAndAreNotKept() {
    byte[] garbage = {0x30, 0x03, 0x02, 0x01, 0x01};
    assertThatThrownBy(() -> X509Objects.certificate(garbage.clone()))
        .isInstanceOf(CertificateException.class);
    assertThatThrownBy(() -> X509Objects.certificate(garbage.clone()))
        .isInstanceOf(CertificateException.class);
    assertThatThrownBy(() -> X509Objects.crl(garbage.clone()))
        .isInstanceOfAny(CRLException.class, CertificateException.class);
  }
}
