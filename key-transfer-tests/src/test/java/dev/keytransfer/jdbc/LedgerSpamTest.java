package dev.keytransfer.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.handshake.DeliveryLimit;
import dev.keytransfer.core.handshake.HostOperations;
import dev.keytransfer.core.handshake.KdhHandshake;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer that holds only a victim's public certificate replays it with fresh nonces: past the
 * delivery limit the host refuses before choosing or recording a key, so the ledger cannot be
 * filled, and none of these sessions closes a delivery the victim may hold.
 */
class LedgerSpamTest {
  private static final BcCryptoProvider CRYPTO = new BcCryptoProvider();

  @TempDir Path dir;

  @Test
  void replayedVictimCertificate_isLimited_andClosesNothing() throws Exception {
    TestPki pki = TestPki.create("Spam");
    TestPki.Leaf kdh = pki.validLeaf(Role.KDH, "Spam KDH");
    TestPki.Leaf victim = pki.validLeaf(Role.KRD, "Victim POS");
    Tr34TokenCodec codec = new Tr34TokenCodec(CRYPTO);
    try (JdbcKeyLedger ledger = JdbcKeyLedger.embedded(dir)) {
      DeliveryLimit limit = new DeliveryLimit(5, Duration.ofHours(1));
      int refused = 0;
      for (int i = 0; i < 200; i++) {
        KdhHandshake h =
            pki.hostMachine(
                kdh,
                RandomKeySource.tdesMasterKeys(CRYPTO.secureRandom()),
                ledger,
                CRYPTO,
                new KdhHandshake.Options(null, null, HostOperations.deliverKeys(), limit));
        h.onMessage(codec.encodeKrdCredential(victim.chain())); // public: anyone can send it
        try {
          h.onMessage(codec.encodeRandomToken(Nonce.random(CRYPTO.secureRandom())));
        } catch (KeyTransferException e) {
          assertThat(e.code()).isEqualTo(ErrorCode.DELIVERY_RATE_LIMITED);
          assertThat(e.code().publicCode()).isEqualTo(ErrorCode.PEER_TRY_LATER);
          refused++;
        }
        // the peer cannot decrypt the key token, so it never confirms; it just drops the line
        if (!h.isFinished()) {
          h.fail(ErrorCode.TRANSPORT_FAILURE);
        }
      }
      List<LedgerEntry> entries = ledger.entries();
      Map<DeliveryStatus, Long> byStatus =
          entries.stream()
              .collect(Collectors.groupingBy(LedgerEntry::status, Collectors.counting()));
      assertThat(entries).hasSize(5);
      assertThat(refused).isEqualTo(195);
      // nothing is superseded by a session that proves nothing: the five stay open until the
      // device confirms one (closing those before it) or they expire
      assertThat(byStatus).containsOnly(Map.entry(DeliveryStatus.DELIVERED, 5L));
      // every session is audited, refused ones with their code
      List<AuditRecord> sessions =
          ledger.auditRecords().stream().filter(r -> r.event().equals("SESSION")).toList();
      assertThat(sessions).hasSize(200);
      assertThat(sessions.stream().filter(r -> r.outcome().equals("DELIVERY_RATE_LIMITED")))
          .hasSize(195)
          .allMatch(
              r -> r.errorCode().orElseThrow() == ErrorCode.DELIVERY_RATE_LIMITED.wireValue());
      assertThat(ledger.verify().intact()).isTrue();
    }
    assertThatThrownBy(() -> new DeliveryLimit(0, Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
