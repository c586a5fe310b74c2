package dev.keytransfer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.handshake.HostOperation;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import java.security.cert.X509CRL;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Found by attack (docs/SECURITY.md C3, C14): after KDH 2 was revoked, KDH 2 presented the older
 * CRL, still before its nextUpdate, and the terminal bound to it and installed its key. The
 * terminal now remembers per issuer the newest CRL it accepted and refuses an older one.
 */
class CrlRollbackTest {
  private static final BcCryptoProvider crypto = new BcCryptoProvider();

  private static Wire.Outcome session(
      TestPki pki,
      ReceivingTerminal device,
      TestPki.Leaf kdh,
      Supplier<List<X509CRL>> crls,
      HostOperation op)
      throws Exception {
    KeyTransferHost host =
        KeyTransferHost.builder()
            .distributionTerminal(
                pki.host(
                    kdh,
                    crls,
                    RandomKeySource.tdesMasterKeys(crypto.secureRandom()),
                    new InMemoryKeyLedger()))
            .cryptoProvider(crypto)
            .validationPolicy(pki.hostPolicy())
            .stepTimeout(Wire.STEP)
            .operations(krd -> op)
            .build();
    KeyTransferTerminal terminal =
        KeyTransferTerminal.builder()
            .receivingTerminal(device)
            .cryptoProvider(crypto)
            .validationPolicy(pki.terminalPolicy())
            .stepTimeout(Wire.STEP)
            .build();
    return Wire.run(terminal, host, Wire.PASS);
  }

  @Test
  void revokedKdh_withTheOlderCrl_refusedAfterTheTerminalSawTheNewer() throws Exception {
    TestPki pki = TestPki.create("Rollback");
    TestPki.Leaf kdh1 = pki.validLeaf(Role.KDH, "Rollback KDH 1");
    TestPki.Leaf kdh2 = pki.validLeaf(Role.KDH, "Rollback KDH 2");
    List<X509CRL> beforeRevocation = pki.kdhPathCrls();
    pki.revoke(kdh2.certificate());
    ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "Rollback POS"));

    // KDH 1 serves the terminal with the current CRLs (which list KDH 2), then unbinds it
    assertThat(
            session(pki, device, kdh1, pki::kdhPathCrls, HostOperation.deliverKey())
                .terminalError())
        .isNull();
    assertThat(
            session(pki, device, kdh1, pki::kdhPathCrls, new HostOperation.Unbind())
                .terminalError())
        .isNull();
    assertThat(device.bindingStore().boundKdh()).isEmpty();

    // the revoked KDH 2 presents the CRLs from before its revocation, still inside nextUpdate
    Wire.Outcome o = session(pki, device, kdh2, () -> beforeRevocation, HostOperation.deliverKey());
    assertThat(o.terminalCode()).isEqualTo(ErrorCode.CRL_SUPERSEDED);
    assertThat(device.keyStore().size()).isZero();
    assertThat(device.bindingStore().boundKdh()).isEmpty();
  }

  @Test
  void sameOrNewerCrl_accepted() throws Exception {
    TestPki pki = TestPki.create("Rollforward");
    TestPki.Leaf kdh1 = pki.validLeaf(Role.KDH, "Rollforward KDH 1");
    ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "Rollforward POS"));
    List<X509CRL> first = pki.kdhPathCrls();
    assertThat(session(pki, device, kdh1, () -> first, HostOperation.deliverKey()).terminalError())
        .isNull();
    assertThat(session(pki, device, kdh1, () -> first, HostOperation.deliverKey()).terminalError())
        .isNull();
    assertThat(
            session(pki, device, kdh1, pki::kdhPathCrls, HostOperation.deliverKey())
                .terminalError())
        .isNull();
    // and once the newer one was seen, the first is refused
    assertThat(session(pki, device, kdh1, () -> first, HostOperation.deliverKey()).terminalCode())
        .isEqualTo(ErrorCode.CRL_SUPERSEDED);
  }
}
