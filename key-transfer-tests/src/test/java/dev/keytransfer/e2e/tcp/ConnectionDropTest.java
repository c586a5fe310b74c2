package dev.keytransfer.e2e.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.netty.NettyKeyServer;
import dev.keytransfer.transport.tcp.TcpKeyServer;
import dev.keytransfer.transport.tcp.TcpTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A connection that breaks, or goes silent, before each of the six frames of S2-S4 and the
 * confirmation: the terminal never holds a half-installed key, the host's ledger never shows an
 * unconfirmed key as confirmed, a key whose acknowledgement was lost stays pending and is resolved
 * at the retry, and the terminal's retry from scratch (new connection, new nonce) succeeds with
 * exactly one current master key, the one the ledger shows last CONFIRMED. Run against both
 * servers, the blocking {@code TcpKeyServer} and the event-driven {@code NettyKeyServer}: the
 * host's outcome and ledger must be the same.
 */
class ConnectionDropTest {
  private static final Duration STEP = Duration.ofMillis(700);
  private static final BcCryptoProvider crypto = new BcCryptoProvider();
  private static TestPki pki;
  private static TestPki.Leaf kdh;
  private static InMemoryKeyLedger ledger;
  private static TcpKeyServer<DeliveryReceipt> blocking;
  private static NettyKeyServer<DeliveryReceipt> netty;

  /** What either server reports of one session. */
  private record Outcome(boolean succeeded, KeyTransferException failure) {}

  private static final List<Outcome> outcomes = new CopyOnWriteArrayList<>();

  /** The two servers, on one host and one ledger. */
  enum Server {
    BLOCKING,
    NETTY;

    int port() {
      return this == BLOCKING ? blocking.port() : netty.port();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create("Drops");
    kdh = pki.validLeaf(Role.KDH, "Drops KDH");
    ledger = new InMemoryKeyLedger();
    KeyTransferHost host =
        KeyTransferHost.builder()
            .distributionTerminal(
                pki.host(
                    kdh,
                    pki::kdhPathCrls,
                    RandomKeySource.tdesMasterKeys(crypto.secureRandom()),
                    ledger))
            .cryptoProvider(crypto)
            .validationPolicy(pki.hostPolicy())
            .stepTimeout(STEP)
            .build();
    blocking =
        TcpKeyServer.builder()
            .threads(4)
            .build(host::serve, o -> outcomes.add(new Outcome(o.succeeded(), o.failure())));
    blocking.start();
    netty =
        NettyKeyServer.builder()
            .threads(2)
            .stepTimeout(STEP)
            .frameTimeout(STEP)
            .build(host::openSession, o -> outcomes.add(new Outcome(o.succeeded(), o.failure())));
    netty.start();
  }

  @AfterAll
  static void stop() {
    blocking.close();
    netty.close();
  }

  private static KeyTransferTerminal terminal(ReceivingTerminal device) {
    return KeyTransferTerminal.builder()
        .receivingTerminal(device)
        .cryptoProvider(crypto)
        .validationPolicy(pki.terminalPolicy())
        .stepTimeout(STEP)
        .build();
  }

  private static List<LedgerEntry> entriesFor(ReceivingTerminal device) {
    List<LedgerEntry> out = new ArrayList<>();
    for (LedgerEntry e : ledger.entries()) {
      if (e.deviceSubject()
          .equals(device.certificateChain().leaf().getSubjectX500Principal().getName())) {
        out.add(e);
      }
    }
    return out;
  }

  /** Waits until the server has finished {@code n} sessions in total. */
  private static void awaitSessions(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (outcomes.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(outcomes.size()).isGreaterThanOrEqualTo(n);
  }

  @ParameterizedTest(name = "{3}: {1} before frame {0} ({2})")
  @CsvSource({
    "1, DROP, CT-KRD, BLOCKING", "2, DROP, CT-KDH, BLOCKING", "3, DROP, RT-KRD, BLOCKING",
        "4, DROP, KT-KDH, BLOCKING", "5, DROP, KEY_INSTALLED, BLOCKING",
        "6, DROP, KEY_CONFIRMED, BLOCKING",
    "1, STALL, CT-KRD, BLOCKING", "2, STALL, CT-KDH, BLOCKING", "3, STALL, RT-KRD, BLOCKING",
        "4, STALL, KT-KDH, BLOCKING", "5, STALL, KEY_INSTALLED, BLOCKING",
        "6, STALL, KEY_CONFIRMED, BLOCKING",
    "1, DROP, CT-KRD, NETTY", "2, DROP, CT-KDH, NETTY", "3, DROP, RT-KRD, NETTY",
        "4, DROP, KT-KDH, NETTY", "5, DROP, KEY_INSTALLED, NETTY", "6, DROP, KEY_CONFIRMED, NETTY",
    "1, STALL, CT-KRD, NETTY", "2, STALL, CT-KDH, NETTY", "3, STALL, RT-KRD, NETTY",
        "4, STALL, KT-KDH, NETTY", "5, STALL, KEY_INSTALLED, NETTY",
        "6, STALL, KEY_CONFIRMED, NETTY"
  })
  void brokenConnection_atEveryStep_nothingHalfDone_retrySucceeds(
      int cutAt, FrameProxy.Mode mode, String frame, Server server) throws Exception {
    ReceivingTerminal device =
        pki.terminal(pki.validLeaf(Role.KRD, "Drop " + cutAt + " " + mode + " " + server));
    int before = outcomes.size();
    KeyReceipt receipt = null;
    KeyTransferException error = null;
    List<byte[]> firstFrames;
    try (FrameProxy proxy = new FrameProxy(server.port(), cutAt, mode)) {
      try (TcpTransport t =
          TcpTransport.connect(
              "127.0.0.1", proxy.port(), STEP, TcpTransport.DEFAULT_MAX_FRAME_LENGTH)) {
        receipt = terminal(device).receiveKey(t);
      } catch (KeyTransferException e) {
        error = e;
      }
      awaitSessions(before + 1);
      firstFrames = new ArrayList<>(proxy.forwarded);
    }
    Outcome hostSide = outcomes.get(outcomes.size() - 1);
    if (cutAt < 6) {
      assertThat(hostSide.succeeded()).as("host session").isFalse();
      assertThat(hostSide.failure().code()).isIn(ErrorCode.TRANSPORT_FAILURE, ErrorCode.TIMEOUT);
    } else {
      assertThat(hostSide.succeeded()).as("host sent its acknowledgement").isTrue();
    }

    // the terminal did not get the acknowledgement: no current key; from frame 5 on, it is pending
    assertThat(error).isNotNull();
    assertThat(receipt).isNull();
    assertThat(error.code()).isIn(ErrorCode.TRANSPORT_FAILURE, ErrorCode.TIMEOUT);
    assertThat(device.keyStore().size()).isZero();
    assertThat(
            device
                .keyStore()
                .pending(dev.keytransfer.core.IssuerAndSerial.of(kdh.certificate()))
                .isPresent())
        .as("pending key")
        .isEqualTo(cutAt >= 5);
    List<LedgerEntry> entries = entriesFor(device);
    if (cutAt < 4) {
      assertThat(entries).as("not delivered").isEmpty();
    } else {
      assertThat(entries)
          .singleElement()
          .extracting(LedgerEntry::status)
          .isEqualTo(cutAt < 6 ? DeliveryStatus.DELIVERED : DeliveryStatus.CONFIRMED);
    }

    // retry from scratch on a direct connection: a new session with a new nonce, confirmed
    List<byte[]> nonces = new ArrayList<>();
    try (FrameProxy recorder =
            new FrameProxy(server.port(), Integer.MAX_VALUE, FrameProxy.Mode.DROP);
        TcpTransport t =
            TcpTransport.connect(
                "127.0.0.1", recorder.port(), STEP, TcpTransport.DEFAULT_MAX_FRAME_LENGTH)) {
      KeyReceipt retry = terminal(device).receiveKey(t);
      assertThat(retry).isNotNull();
      awaitSessions(before + 2);
      recorder.forwarded.stream()
          .filter(f -> f[1] == (byte) MessageType.KRD_RANDOM.wireValue())
          .forEach(nonces::add);
    }
    firstFrames.stream()
        .filter(f -> f[1] == (byte) MessageType.KRD_RANDOM.wireValue())
        .forEach(nonces::add);
    if (nonces.size() == 2) {
      assertThat(Arrays.equals(nonces.get(0), nonces.get(1)))
          .as("retry uses a new nonce")
          .isFalse();
    }
    List<LedgerEntry> after = entriesFor(device);
    // a pending key is confirmed at the retry, then superseded by the retry's own key
    assertThat(after.stream().filter(e -> e.status() == DeliveryStatus.CONFIRMED))
        .hasSize(cutAt >= 5 ? 2 : 1);
    assertThat(device.keyStore().size()).as("one current master key").isEqualTo(1);
    assertThat(after.get(after.size() - 1).status()).isEqualTo(DeliveryStatus.CONFIRMED);
    assertThat(
            device
                .keyStore()
                .current()
                .orElseThrow()
                .kcv()
                .matches(after.get(after.size() - 1).kcv()))
        .isTrue();
  }
}
