package dev.keytransfer.core.handshake;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import java.security.PublicKey;
import java.security.cert.X509Certificate;

/** The test PKI of the core machine tests: one root, the two role CAs and a few leaves. */
final class FakePki {
  private FakePki() {}

  static final X509Certificate ROOT = new FakeCertificate("CN=Root", "CN=Root", 1);
  static final X509Certificate KDH_CA = new FakeCertificate("CN=KDH CA", "CN=Root", 2);
  static final X509Certificate KRD_CA = new FakeCertificate("CN=KRD CA", "CN=Root", 3);
  static final CertificateChain KDH_1 =
      CertificateChain.of(new FakeCertificate("CN=KDH 1", "CN=KDH CA", 10), KDH_CA);
  static final CertificateChain KDH_2 =
      CertificateChain.of(new FakeCertificate("CN=KDH 2", "CN=KDH CA", 11), KDH_CA);
  static final CertificateChain KRD_1 =
      CertificateChain.of(new FakeCertificate("CN=KRD 1", "CN=KRD CA", 20), KRD_CA);

  /** A host and a terminal on P-256: the ECDH mode (docs/ECDH.md). */
  static final CertificateChain KDH_EC =
      CertificateChain.of(new FakeCertificate("CN=KDH EC", "CN=KDH CA", 12, true), KDH_CA);

  static final CertificateChain KRD_EC =
      CertificateChain.of(new FakeCertificate("CN=KRD EC", "CN=KRD CA", 21, true), KRD_CA);

  static X509Certificate caFor(Role role) {
    return role == Role.KDH ? KDH_CA : KRD_CA;
  }

  /** A key handle that is only a label: the fake codec never uses the key. */
  static PrivateKeyHandle key(X509Certificate owner) {
    return new PrivateKeyHandle() {
      @Override
      public PublicKey publicKey() {
        return owner.getPublicKey();
      }

      @Override
      public String label() {
        return owner.getSubjectX500Principal().getName();
      }
    };
  }
}
