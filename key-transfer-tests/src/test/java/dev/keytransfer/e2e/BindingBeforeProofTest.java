package dev.keytransfer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Found by attack (docs/SECURITY.md C11): a terminal binds to a host only once that host has proved
 * it holds its key. A fake host with only KDH 2's public certificate and CRLs used to bind a fresh
 * terminal to KDH 2 with CT-KDH alone, after which the real KDH 1 was refused.
 */
class BindingBeforeProofTest {
  private static final BcCryptoProvider crypto = new BcCryptoProvider();
  private static TestPki pki;
  private static TestPki.Leaf kdh1;
  private static TestPki.Leaf kdh2;

  @BeforeAll
  static void setUp() {
    pki = TestPki.create("Proof");
    kdh1 = pki.validLeaf(Role.KDH, "Proof KDH 1");
    kdh2 = pki.validLeaf(Role.KDH, "Proof KDH 2");
  }

  private static KeyTransferHost host(TestPki.Leaf cert, SoftwareKeyHandle key) {
    return KeyTransferHost.builder()
        .distributionTerminal(
            DistributionTerminal.of(
                cert.chain(),
                key,
                pki::kdhPathCrls,
                RandomKeySource.tdesMasterKeys(crypto.secureRandom()),
                DevicePolicy.anyCertifiedDevice(),
                new InMemoryKeyLedger()))
        .cryptoProvider(crypto)
        .validationPolicy(pki.hostPolicy())
        .stepTimeout(Wire.STEP)
        .build();
  }

  private static KeyTransferTerminal terminal(ReceivingTerminal device) {
    return KeyTransferTerminal.builder()
        .receivingTerminal(device)
        .cryptoProvider(crypto)
        .validationPolicy(pki.terminalPolicy())
        .stepTimeout(Wire.STEP)
        .build();
  }

  private static final SoftwareKeyHandle NOT_KDH2S_KEY =
      SoftwareKeyHandle.of(TestPki.rsa(2048), "fake");

  @Test
  void fakeHostDropsAfterCredential_terminalStaysUnbound_realHostServes() throws Exception {
    ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "Proof POS 1"));
    // the fake host sends KDH 2's CT-KDH and hangs up instead of answering the nonce
    Wire.Outcome fake =
        Wire.run(
            terminal(device),
            host(kdh2, NOT_KDH2S_KEY),
            (t, f) -> {
              if (t == MessageType.KDH_KEY) {
                throw new IllegalStateException("dropped");
              }
              return f;
            });
    assertThat(fake.terminalError()).isNotNull();
    assertThat(device.bindingStore().boundKdh()).as("bound after CT-KDH alone").isEmpty();
    Wire.Outcome real = Wire.run(terminal(device), host(kdh1, kdh1.key()), Wire.PASS);
    assertThat(real.terminalError()).isNull();
    assertThat(device.bindingStore().boundKdh().map(IssuerAndSerial::of))
        .contains(IssuerAndSerial.of(kdh1.certificate()));
  }

  @Test
  void fakeHostSignsWithAnotherKey_refused_terminalStaysUnbound() throws Exception {
    ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "Proof POS 2"));
    Wire.Outcome fake = Wire.run(terminal(device), host(kdh2, NOT_KDH2S_KEY), Wire.PASS);
    assertThat(fake.terminalCode()).isEqualTo(ErrorCode.SIGNATURE_INVALID);
    assertThat(device.bindingStore().boundKdh()).isEmpty();
    assertThat(device.keyStore().size()).isZero();
    assertThat(Wire.run(terminal(device), host(kdh1, kdh1.key()), Wire.PASS).terminalError())
        .isNull();
  }
}
