package dev.keytransfer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.message.WorkingKeys;
import dev.keytransfer.core.message.WorkingKeysInstalled;
import dev.keytransfer.core.spi.DeliverableKey;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.InstalledKey;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.spi.WorkingKeySource;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Working keys after S4, in the same session: the host wraps a PIN key and a data key as TR-31 key
 * blocks under the master key it just delivered; the terminal unwraps, checks, installs and
 * confirms each with its KCV, and one bad key leaves the master key and the others installed and
 * reported on both sides.
 */
class WorkingKeysTest {
  private static final BcCryptoProvider crypto = new BcCryptoProvider();
  private static TestPki pki;
  private static TestPki.Leaf kdh;
  private static final String PIN_HEADER = "B0000P0TE00N0000";
  private static final String DATA_HEADER = "B0000D0TB00E0000";

  @BeforeAll
  static void setUp() {
    pki = TestPki.create("Working keys");
    kdh = pki.validLeaf(Role.KDH, "WK KDH");
  }

  /** A source handing out fixed working keys, remembering them so the test can compare. */
  private static final class Keys implements WorkingKeySource {
    final List<String> headers;
    final List<byte[]> issued = new ArrayList<>();

    Keys(String... headers) {
      this.headers = List.of(headers);
    }

    @Override
    public List<DeliverableKey> workingKeysFor(java.security.cert.X509Certificate krd)
        throws KeyTransferException {
      List<DeliverableKey> out = new ArrayList<>();
      for (String h : headers) {
        KeyBlockHeader header = KeyBlockHeader.parse(h);
        byte[] k = new byte[header.keyUsage().equals("D0") ? 24 : 16];
        crypto.secureRandom().nextBytes(k);
        issued.add(k.clone());
        out.add(new DeliverableKey(header, SecretKeyMaterial.adopt(k)));
      }
      return out;
    }
  }

  private record Session(
      Wire.Outcome outcome, ReceivingTerminal device, InMemoryKeyLedger ledger) {}

  private static Session run(
      WorkingKeySource source, boolean terminalExpects, Wire.Interceptor wire) throws Exception {
    ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "WK POS"));
    InMemoryKeyLedger ledger = new InMemoryKeyLedger();
    KeyTransferHost.Builder hb =
        KeyTransferHost.builder()
            .distributionTerminal(
                pki.host(
                    kdh,
                    pki::kdhPathCrls,
                    RandomKeySource.tdesMasterKeys(crypto.secureRandom()),
                    ledger))
            .cryptoProvider(crypto)
            .validationPolicy(pki.hostPolicy())
            .stepTimeout(Wire.STEP);
    if (source != null) {
      hb.workingKeys(source);
    }
    KeyTransferTerminal terminal =
        KeyTransferTerminal.builder()
            .receivingTerminal(device)
            .cryptoProvider(crypto)
            .validationPolicy(pki.terminalPolicy())
            .stepTimeout(Wire.STEP)
            .expectWorkingKeys(terminalExpects)
            .build();
    return new Session(Wire.run(terminal, hb.build(), wire), device, ledger);
  }

  private static Map<String, DeliveryStatus> statuses(InMemoryKeyLedger ledger) {
    return ledger.entries().stream()
        .collect(Collectors.toMap(e -> e.header().keyUsage(), LedgerEntry::status));
  }

  @Test
  void pinAndDataKeys_deliveredUnderTheNewMasterKey_confirmedByKcv() throws Exception {
    Keys keys = new Keys(PIN_HEADER, DATA_HEADER);
    Session s = run(keys, true, Wire.PASS);
    assertThat(s.outcome().terminalError()).isNull();
    assertThat(s.outcome().hostError()).isNull();
    assertThat(s.device().keyStore().size()).isEqualTo(3);
    List<WorkingKeysInstalled.Result> results = s.outcome().terminalReceipt().workingKeys();
    assertThat(results).hasSize(2).allMatch(WorkingKeysInstalled.Result::isInstalled);
    assertThat(statuses(s.ledger()))
        .containsEntry("K0", DeliveryStatus.CONFIRMED)
        .containsEntry("P0", DeliveryStatus.CONFIRMED)
        .containsEntry("D0", DeliveryStatus.CONFIRMED);
    List<LedgerEntry> sent = s.outcome().hostReceipt().workingKeys();
    assertThat(sent).hasSize(2);
    for (int i = 0; i < 2; i++) {
      assertThat(results.get(i).kcv().get().matches(sent.get(i).kcv())).isTrue();
    }
    // the last installed key is the data key, byte for byte what the host issued
    try (InstalledKey data = s.device().keyStore().current().orElseThrow()) {
      assertThat(data.header().value()).isEqualTo(DATA_HEADER);
      assertThat(data.key().copyBytes()).isEqualTo(keys.issued.get(1));
    }
  }

  @Test
  void oneKeyBlockCorrupted_othersAndMasterStayInstalled_bothSidesReport() throws Exception {
    MessageCodec mc = new MessageCodec(new Tr34TokenCodec(crypto));
    Wire.Interceptor corruptSecond =
        (t, f) -> {
          if (t != MessageType.WORKING_KEYS) {
            return f;
          }
          WorkingKeys wk = (WorkingKeys) mc.decode(f);
          List<String> blocks = new ArrayList<>(wk.keyBlocks());
          String b = blocks.get(1);
          char last = b.charAt(b.length() - 1);
          blocks.set(
              1, b.substring(0, b.length() - 1) + (last == '0' ? '1' : '0')); // one MAC digit
          return mc.encode(new WorkingKeys(blocks));
        };
    Session s = run(new Keys(PIN_HEADER, DATA_HEADER), true, corruptSecond);
    assertThat(s.outcome().terminalError()).isNull();
    assertThat(s.outcome().hostError()).isNull();
    List<WorkingKeysInstalled.Result> results = s.outcome().terminalReceipt().workingKeys();
    assertThat(results.get(0).isInstalled()).isTrue();
    assertThat(results.get(1).failure()).contains(ErrorCode.KEY_BLOCK_MAC_INVALID);
    assertThat(s.device().keyStore().size()).isEqualTo(2); // master and PIN key
    assertThat(statuses(s.ledger()))
        .containsEntry("K0", DeliveryStatus.CONFIRMED)
        .containsEntry("P0", DeliveryStatus.CONFIRMED)
        .containsEntry("D0", DeliveryStatus.REJECTED);
  }

  @Test
  void keyTheHostMustNotSend_recordedRejected_othersDelivered() throws Exception {
    // a BDK never goes to a terminal: the host refuses to wrap it, and says so in its ledger
    Session s = run(new Keys("B0000B0TX00N0000", PIN_HEADER), true, Wire.PASS);
    assertThat(s.outcome().terminalError()).isNull();
    assertThat(s.outcome().terminalReceipt().workingKeys())
        .hasSize(1)
        .allMatch(WorkingKeysInstalled.Result::isInstalled);
    assertThat(statuses(s.ledger()))
        .containsEntry("B0", DeliveryStatus.REJECTED)
        .containsEntry("P0", DeliveryStatus.CONFIRMED);
  }

  @Test
  void terminalExpects_hostHasNone_emptyListCompletes() throws Exception {
    Session s = run(null, true, Wire.PASS);
    assertThat(s.outcome().terminalError()).isNull();
    assertThat(s.outcome().terminalReceipt().workingKeys()).isEmpty();
    assertThat(s.device().keyStore().size()).isEqualTo(1);
  }

  @Test
  void hostHasKeys_terminalDoesNotAsk_onlyTheMasterKey() throws Exception {
    List<MessageType> seen = new ArrayList<>();
    Session s =
        run(
            new Keys(PIN_HEADER),
            false,
            (t, f) -> {
              seen.add(t);
              return f;
            });
    assertThat(s.outcome().terminalError()).isNull();
    assertThat(s.outcome().hostError()).isNull();
    assertThat(seen).doesNotContain(MessageType.WORKING_KEYS);
    assertThat(s.ledger().entries())
        .singleElement()
        .extracting(LedgerEntry::status)
        .isEqualTo(DeliveryStatus.CONFIRMED);
  }

  @Test
  void connectionDropsBeforeResults_workingKeysStayUnconfirmed() throws Exception {
    Session s =
        run(
            new Keys(PIN_HEADER),
            true,
            (t, f) -> {
              if (t == MessageType.WORKING_KEYS_INSTALLED) {
                throw new IllegalStateException("connection dropped");
              }
              return f;
            });
    assertThat(s.outcome().hostCode()).isIn(ErrorCode.TRANSPORT_FAILURE, ErrorCode.TIMEOUT);
    assertThat(statuses(s.ledger()))
        .containsEntry("K0", DeliveryStatus.CONFIRMED)
        .containsEntry("P0", DeliveryStatus.DELIVERED);
  }
}
