package dev.keytransfer.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.KeyType;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.pki.PkixCertificateValidator;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EC leaves and an EC CA in a directory (docs/ECDH.md S1), read back as the CLI reads them. */
class DirectoryCertificateAuthorityEcTest {
  private static final char[] PASSPHRASE = "ec directory".toCharArray();

  @Test
  void ecCa_issuesEcLeaves_keysReadBack_validatedForTheirRolesOnly(@TempDir Path tmp)
      throws Exception {
    Path dir = tmp.resolve("pki");
    try (DirectoryCertificateAuthority ca =
        DirectoryCertificateAuthority.at(dir)
            .weakKeyEncryptionForTests()
            .caKey(KeyType.EC_P256)
            .create(PASSPHRASE)) {
      assertThat(ca.rootCertificate().getSigAlgName()).isEqualTo("SHA256withECDSA");
      CertificateChain pos = ca.issue("pos1", Role.KRD, KeyType.EC_P384, false);
      CertificateChain host = ca.issue("host1", Role.KDH, KeyType.EC_P521, false);
      CertificateChain rsaPos = ca.issue("pos2", Role.KRD, KeyType.RSA_3072, false);
      assertThat(Algorithms.Curve.of(pos.leaf().getPublicKey())).isEqualTo(Algorithms.Curve.P384);
      assertThat(Algorithms.Curve.of(host.leaf().getPublicKey())).isEqualTo(Algorithms.Curve.P521);
      assertThat(pos.leaf().getSigAlgName()).isEqualTo("SHA256withECDSA"); // the CA's curve
      assertThat(pos.leaf().getKeyUsage()[4]).isTrue();
      assertThat(pos.leaf().getKeyUsage()[0]).isFalse();
      assertThat(host.leaf().getKeyUsage()[0] && host.leaf().getKeyUsage()[4]).isTrue();
      assertThat(rsaPos.leaf().getKeyUsage()[2]).isTrue();

      try (DirectoryCertificateAuthority reopened =
          DirectoryCertificateAuthority.at(dir).weakKeyEncryptionForTests().open(PASSPHRASE)) {
        SoftwareKeyHandle key = reopened.privateKey("pos1");
        assertThat(key.publicKey()).isEqualTo(pos.leaf().getPublicKey());
        assertThat(reopened.files().privateKey("host1", PASSPHRASE).publicKey())
            .isEqualTo(host.leaf().getPublicKey());
        reopened.revoke(rsaPos.leaf()); // the EC CA signs a new CRL
        for (X509CRL crl : reopened.crls()) {
          assertThat(crl.getSigAlgName()).isEqualTo("SHA256withECDSA");
        }
      }

      PkixCertificateValidator v =
          new PkixCertificateValidator(ca.files().validationPolicy().build());
      assertThat(v.validate(ca.chain("pos1"), Role.KRD, java.util.List.of()).leaf())
          .isEqualTo(pos.leaf());
      assertThat(v.validate(ca.chain("host1"), Role.KDH, java.util.List.of()).leaf())
          .isEqualTo(host.leaf());
      assertThatThrownBy(() -> v.validate(ca.chain("pos2"), Role.KRD, java.util.List.of()))
          .extracting(e -> ((KeyTransferException) e).code())
          .isEqualTo(ErrorCode.CERTIFICATE_REVOKED);
    }
  }
}
