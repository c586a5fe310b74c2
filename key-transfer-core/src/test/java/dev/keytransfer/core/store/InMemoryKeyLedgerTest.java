package dev.keytransfer.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.LedgerEntry;
import java.math.BigInteger;
import java.time.Instant;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

class InMemoryKeyLedgerTest {
  private static LedgerEntry entry(String session) throws Exception {
    return new LedgerEntry(
        session,
        new IssuerAndSerial(new X500Principal("CN=CA"), BigInteger.TEN),
        "CN=POS",
        KeyBlockHeader.parse("A0000K0TB00E0000"),
        KeyCheckValue.of(KeyCheckValue.Method.LEGACY_TDES, new byte[3]),
        DeliveryStatus.DELIVERED,
        Instant.EPOCH,
        Instant.EPOCH);
  }

  @Test
  void delivered_thenConfirmed_isFinal() throws Exception {
    InMemoryKeyLedger ledger = new InMemoryKeyLedger();
    ledger.recordDelivered(entry("s1"));
    ledger.updateStatus("s1", DeliveryStatus.CONFIRMED);
    assertThat(ledger.find("s1").orElseThrow().status()).isEqualTo(DeliveryStatus.CONFIRMED);
    assertThatThrownBy(() -> ledger.updateStatus("s1", DeliveryStatus.REJECTED))
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.STORAGE_FAILURE);
  }

  @Test
  void recordDelivered_sameSessionTwice_refused() throws Exception {
    InMemoryKeyLedger ledger = new InMemoryKeyLedger();
    ledger.recordDelivered(entry("s1"));
    assertThatThrownBy(() -> ledger.recordDelivered(entry("s1")))
        .isInstanceOf(KeyTransferException.class);
    assertThatThrownBy(() -> ledger.updateStatus("nope", DeliveryStatus.CONFIRMED))
        .isInstanceOf(KeyTransferException.class);
  }

  @Test
  void randomKeySource_tdesKeysHaveOddParityAndDiffer() throws Exception {
    RandomKeySource s = RandomKeySource.tdesMasterKeys(new java.security.SecureRandom());
    try (var a = s.keyFor(null);
        var b = s.keyFor(null)) {
      assertThat(a.key().length()).isEqualTo(24);
      for (byte x : a.key().copyBytes()) {
        assertThat(Integer.bitCount(x & 0xFF) % 2).isEqualTo(1);
      }
      assertThat(a.key().equalsKey(b.key())).isFalse();
    }
  }
}
