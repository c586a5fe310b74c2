package dev.keytransfer.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.handshake.KdhHandshake;
import dev.keytransfer.core.handshake.KrdHandshake;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DELIVERED is not forever: the terminal's confirmation is lost, the host restarts on its H2
 * ledger, and the terminal's next session reports the KCV it holds. The host confirms it from the
 * ledger, or, once the delivery has expired, tells the terminal to discard it.
 */
class ReconciliationTest {
  private static final BcCryptoProvider CRYPTO = new BcCryptoProvider();
  @TempDir Path dir;
  private TestPki pki;
  private TestPki.Leaf kdh;
  private ReceivingTerminal device;

  @BeforeEach
  void pki() {
    pki = TestPki.create("Reconcile");
    kdh = pki.validLeaf(Role.KDH, "Reconcile KDH");
    device = pki.terminal(pki.validLeaf(Role.KRD, "Reconcile POS"));
  }

  /** Runs one session; with {@code dropConfirmation} the terminal's KEY_INSTALLED never arrives. */
  private void session(JdbcKeyLedger ledger, boolean dropConfirmation) throws Exception {
    KrdHandshake t = pki.terminalMachine(device, CRYPTO);
    KdhHandshake h = host(ledger);
    TestPki.exchange(t, h, m -> dropConfirmation && m.type() == MessageType.KEY_INSTALLED);
    assertThat(t.state())
        .isEqualTo(dropConfirmation ? KrdHandshake.State.FAILED : KrdHandshake.State.COMPLETED);
  }

  /** A host session on {@code ledger}: fresh TDES master keys, the default options. */
  private KdhHandshake host(JdbcKeyLedger ledger) {
    return pki.hostMachine(
        kdh,
        RandomKeySource.tdesMasterKeys(CRYPTO.secureRandom()),
        ledger,
        CRYPTO,
        KdhHandshake.Options.defaults());
  }

  private KeyCheckValue pendingKcv() throws Exception {
    try (var k = device.keyStore().pending(IssuerAndSerial.of(kdh.certificate())).orElseThrow()) {
      return k.kcv();
    }
  }

  @Test
  void lostConfirmation_hostRestarts_nextSessionConfirmsFromTheLedger() throws Exception {
    KeyCheckValue held;
    try (JdbcKeyLedger ledger = JdbcKeyLedger.embedded(dir)) {
      session(ledger, true);
      held = pendingKcv();
      assertThat(ledger.entries())
          .singleElement()
          .extracting(LedgerEntry::status)
          .isEqualTo(DeliveryStatus.DELIVERED);
    }
    try (JdbcKeyLedger ledger = JdbcKeyLedger.embedded(dir)) { // restarted host
      session(ledger, false);
      List<LedgerEntry> entries = ledger.entries();
      assertThat(entries).hasSize(2).allMatch(e -> e.status() == DeliveryStatus.CONFIRMED);
      assertThat(entries.get(0).kcv().matches(held)).isTrue();
      assertThat(ledger.verify().intact()).isTrue();
    }
  }

  @Test
  void lostConfirmation_expired_terminalDiscardsIt() throws Exception {
    KeyCheckValue held;
    try (JdbcKeyLedger ledger = JdbcKeyLedger.embedded(dir)) {
      session(ledger, true);
      held = pendingKcv();
      assertThat(ledger.expireUnconfirmed(Instant.now().plusSeconds(1))).isEqualTo(1);
      session(ledger, false);
      List<LedgerEntry> entries = ledger.entries();
      assertThat(entries)
          .extracting(LedgerEntry::status)
          .containsExactly(DeliveryStatus.EXPIRED, DeliveryStatus.CONFIRMED);
      assertThat(device.keyStore().pending(IssuerAndSerial.of(kdh.certificate()))).isEmpty();
      try (var current = device.keyStore().current().orElseThrow()) {
        assertThat(current.kcv().matches(held)).isFalse();
        assertThat(current.kcv().matches(entries.get(1).kcv())).isTrue();
      }
      assertThat(ledger.auditRecords()).extracting(AuditRecord::event).contains("EXPIRED");
      assertThat(ledger.verify().intact()).isTrue();
    }
  }

  /**
   * The host confirmed, the acknowledgement was lost, and a peer holding only the certificate
   * opened another delivery since: the terminal's report of the confirmed key still makes it
   * current (an open delivery after it does not hide it).
   */
  @Test
  void lostAcknowledgement_thenAReplayedSession_theConfirmedKeyStaysCurrent() throws Exception {
    try (JdbcKeyLedger ledger = JdbcKeyLedger.embedded(dir)) {
      KrdHandshake t = pki.terminalMachine(device, CRYPTO);
      KdhHandshake h = host(ledger);
      TestPki.exchange(t, h, m -> m.type() == MessageType.KEY_CONFIRMED);
      KeyCheckValue held = pendingKcv();
      assertThat(ledger.entries())
          .singleElement()
          .extracting(LedgerEntry::status)
          .isEqualTo(DeliveryStatus.CONFIRMED);

      // the replay: CT-KRD with the terminal's certificate and a fresh nonce, then silence
      Tr34TokenCodec codec = new Tr34TokenCodec(CRYPTO);
      KdhHandshake replay = host(ledger);
      replay.onMessage(codec.encodeKrdCredential(device.certificateChain()));
      replay.onMessage(
          codec.encodeRandomToken(dev.keytransfer.core.Nonce.random(CRYPTO.secureRandom())));
      replay.fail(ErrorCode.TRANSPORT_FAILURE);
      assertThat(ledger.entries())
          .extracting(LedgerEntry::status)
          .containsExactly(DeliveryStatus.CONFIRMED, DeliveryStatus.DELIVERED);

      session(ledger, false); // PENDING_KEY: confirmed; then a new key, which closes the replay's
      assertThat(ledger.entries())
          .extracting(LedgerEntry::status)
          .containsExactly(
              DeliveryStatus.CONFIRMED, DeliveryStatus.REJECTED, DeliveryStatus.CONFIRMED);
      assertThat(
              ledger.attemptsSince(
                  IssuerAndSerial.of(device.certificateChain().leaf()), Instant.EPOCH))
          .isEqualTo(3);
      assertThat(held).isNotNull();
      assertThat(ledger.verify().intact()).isTrue();
    }
  }

  @Test
  void wrongPendingReports_areLimitedLikeDeliveries() throws Exception {
    try (JdbcKeyLedger ledger = JdbcKeyLedger.embedded(dir)) {
      Tr34TokenCodec codec = new Tr34TokenCodec(CRYPTO);
      int refused = 0;
      for (int i = 0; i < 30; i++) {
        KdhHandshake h = host(ledger);
        h.onMessage(codec.encodeKrdCredential(device.certificateChain()));
        try {
          h.onMessage(
              new dev.keytransfer.core.message.PendingKey(
                  KeyCheckValue.of(KeyCheckValue.Method.LEGACY_TDES, new byte[] {0, 0, (byte) i})));
        } catch (dev.keytransfer.core.KeyTransferException e) {
          assertThat(e.code()).isEqualTo(ErrorCode.DELIVERY_RATE_LIMITED);
          refused++;
        }
        if (!h.isFinished()) {
          h.fail(ErrorCode.TRANSPORT_FAILURE);
        }
      }
      assertThat(refused).isEqualTo(20); // the default limit: 10 per device per hour
      assertThat(ledger.auditRecords().stream().filter(r -> r.event().equals("REFUSED_REPORT")))
          .hasSize(10);
    }
  }
}
