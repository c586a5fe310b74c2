package dev.keytransfer.crypto.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.Enrollment;
import dev.keytransfer.KeyType;
import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.KeyPurpose;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * S1 of the ECDH mode (docs/ECDH.md) through {@link Enrollment}: an EC key generated in the JCA
 * provider and certified from a request it signs with ECDSA. Runs only where {@link
 * JcaCryptoProvider} generates EC keys and signs with the algorithm it is given.
 */
class EcEnrollmentTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  private static JcaCryptoProvider ecCapableProvider() {
    JcaCryptoProvider crypto = new JcaCryptoProvider();
    try {
      PrivateKeyHandle probe =
          crypto.generateEcKeyPair(Algorithms.Curve.P256, "probe", KeyPurpose.KEY_AGREEMENT);
      crypto.sign(probe, Algorithms.Signature.ECDSA_SHA256, new byte[] {1});
    } catch (KeyTransferException e) {
      assumeTrue(false, "JcaCryptoProvider does not generate EC keys or sign with ECDSA yet");
    }
    return crypto;
  }

  @Test
  void enroll_ecTerminalAndHost_certifiedForTheirRoles() throws Exception {
    JcaCryptoProvider crypto = ecCapableProvider();
    DefaultCertificateAuthority ca =
        DefaultCertificateAuthority.builder()
            .namePrefix("Enrol EC")
            .clock(Clock.fixed(T0, ZoneOffset.UTC))
            .caKey(KeyType.EC_P384)
            .build();
    ReceivingTerminal terminal = Enrollment.enrollTerminal(ca, crypto, "EC POS 1", KeyType.EC_P256);
    CertificateChain krd = terminal.certificateChain();
    assertThat(Algorithms.Curve.of(krd.leaf().getPublicKey())).isEqualTo(Algorithms.Curve.P256);
    assertThat(krd.leaf().getKeyUsage()[4]).isTrue();
    assertThat(krd.leaf().getKeyUsage()[0]).isFalse();

    PrivateKeyHandle hostKey = KeyType.EC_P521.generate(crypto, "EC Host 1", Role.KDH);
    CertificateChain kdh = Enrollment.certify(ca, crypto, hostKey, "EC Host 1", Role.KDH);
    assertThat(kdh.leaf().getKeyUsage()[0] && kdh.leaf().getKeyUsage()[4]).isTrue();

    PkixCertificateValidator v =
        new PkixCertificateValidator(
            dev.keytransfer.core.ValidationPolicy.builder()
                .trustAnchor(ca.rootCertificate())
                .roleIssuer(Role.KDH, ca.issuingCertificate(Role.KDH))
                .roleIssuer(Role.KRD, ca.issuingCertificate(Role.KRD))
                .clock(Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC))
                .build());
    assertThat(v.validate(krd, Role.KRD, ca.crls()).leaf()).isEqualTo(krd.leaf());
    assertThat(v.validate(kdh, Role.KDH, ca.crls()).leaf()).isEqualTo(kdh.leaf());
  }
}
