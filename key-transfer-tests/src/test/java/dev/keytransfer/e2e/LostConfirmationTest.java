package dev.keytransfer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.TransportException;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.InstalledKey;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.spi.Transport;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.transport.InMemoryTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Found by attack (docs/SECURITY.md K7): dropping the terminal's KEY_INSTALLED left the host's
 * ledger at DELIVERED while the terminal reported success, and after a retry the terminal held two
 * master keys from that host. Now the host acknowledges the confirmation, the terminal makes a new
 * key current only on that acknowledgement (wiping the one it supersedes), and a key left pending
 * by a lost acknowledgement is resolved from the host's ledger at the next session. Every single
 * frame of a session is dropped in turn (the connection is cut after the loss); after a clean
 * retry, terminal and host agree on the current master key and the terminal holds exactly one.
 */
class LostConfirmationTest {
  private static final BcCryptoProvider crypto = new BcCryptoProvider();
  private static final ExecutorService hosts = Executors.newCachedThreadPool();
  private static final Duration STEP = Duration.ofSeconds(5);
  private static TestPki pki;
  private static TestPki.Leaf kdh;

  @BeforeAll
  static void setUp() {
    pki = TestPki.create("Lost");
    kdh = pki.validLeaf(Role.KDH, "Lost KDH");
  }

  @AfterAll
  static void tearDown() {
    hosts.shutdownNow();
  }

  /** Frames of both directions counted together; frame {@code dropAt} is lost and the line cut. */
  private static final class DroppingLine {
    final InMemoryTransport.Pair pair = InMemoryTransport.pair();
    final AtomicInteger frames = new AtomicInteger();
    final List<MessageType> seen = new ArrayList<>();
    final int dropAt;

    DroppingLine(int dropAt) {
      this.dropAt = dropAt;
    }

    Transport end(InMemoryTransport inner) {
      return new Transport() {
        @Override
        public void send(byte[] frame) throws TransportException {
          synchronized (frames) {
            int n = frames.incrementAndGet();
            seen.add(MessageType.fromWireValue(frame[1] & 0xFF));
            if (n == dropAt) {
              pair.terminalEnd().close();
              pair.hostEnd().close();
              return; // lost on the way
            }
          }
          inner.send(frame);
        }

        @Override
        public byte[] receive(Duration timeout) throws TransportException {
          return inner.receive(timeout);
        }

        @Override
        public int maxFrameLength() {
          return inner.maxFrameLength();
        }

        @Override
        public void close() {
          inner.close();
        }
      };
    }
  }

  private final InMemoryKeyLedger ledger = new InMemoryKeyLedger();
  private final ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "Lost POS"));

  /** One session; frame {@code dropAt} (1-based, 0 = none) is lost. Returns the frame types. */
  private List<MessageType> session(int dropAt) throws Exception {
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
    KeyTransferTerminal terminal =
        KeyTransferTerminal.builder()
            .receivingTerminal(device)
            .cryptoProvider(crypto)
            .validationPolicy(pki.terminalPolicy())
            .stepTimeout(STEP)
            .build();
    DroppingLine line = new DroppingLine(dropAt);
    Transport hostEnd = line.end(line.pair.hostEnd());
    Transport terminalEnd = line.end(line.pair.terminalEnd());
    Future<?> served =
        hosts.submit(
            () -> {
              try {
                host.serve(hostEnd);
              } catch (KeyTransferException e) {
                // a cut line
              }
              return null;
            });
    try {
      terminal.session(terminalEnd);
      assertThat(dropAt).as("a session with a lost frame cannot succeed on the terminal").isZero();
    } catch (KeyTransferException e) {
      assertThat(dropAt).as("clean session failed: %s", e.getMessage()).isNotZero();
    }
    served.get(30, TimeUnit.SECONDS);
    hostEnd.close();
    terminalEnd.close();
    synchronized (line.frames) {
      return List.copyOf(line.seen);
    }
  }

  /** The host's current master key for the terminal: its latest CONFIRMED delivery. */
  private Optional<KeyCheckValue> hostsCurrent() {
    IssuerAndSerial krd = IssuerAndSerial.of(device.certificateChain().leaf());
    LedgerEntry latest = null;
    for (LedgerEntry e : ledger.entries()) {
      if (e.device().equals(krd)
          && !e.sessionId().contains("/")
          && e.status() == DeliveryStatus.CONFIRMED) {
        latest = e;
      }
    }
    return Optional.ofNullable(latest).map(LedgerEntry::kcv);
  }

  private void assertAgreement() {
    assertThat(device.keyStore().size()).as("keys on the terminal").isEqualTo(1);
    try (InstalledKey current = device.keyStore().current().orElseThrow()) {
      assertThat(hostsCurrent()).as("host's current master key").contains(current.kcv());
    }
  }

  /** The session sent exactly the first {@code lost} frames of {@code protocol}, the last lost. */
  private static void assertSentUpTo(List<MessageType> sent, int lost, MessageType... protocol) {
    assertThat(sent).isEqualTo(List.of(protocol).subList(0, lost));
  }

  static IntStream firstSessionFrames() {
    return IntStream.rangeClosed(1, 6); // CT-KRD CT-KDH RT-KRD KT-KDH KEY_INSTALLED KEY_CONFIRMED
  }

  @ParameterizedTest(name = "frame {0} of a key delivery lost")
  @MethodSource("firstSessionFrames")
  void anySingleLostFrame_thenRetry_oneCurrentMasterKeyBothAgree(int lost) throws Exception {
    session(0); // the terminal holds key A
    assertAgreement();
    List<MessageType> frames = session(lost); // key B: how far it got depends on the loss
    assertSentUpTo(
        frames,
        lost,
        MessageType.KRD_CREDENTIAL,
        MessageType.KDH_CREDENTIAL,
        MessageType.KRD_RANDOM,
        MessageType.KDH_KEY,
        MessageType.KEY_INSTALLED,
        MessageType.KEY_CONFIRMED);
    assertThat(device.keyStore().size()).as("never two current master keys").isEqualTo(1);
    session(0); // the retry resolves whatever was left pending, and delivers key C
    assertAgreement();
  }

  static IntStream resolvingSessionFrames() {
    // CT-KRD CT-KDH PENDING_KEY KEY_CONFIRMED RT-KRD KT-KDH KEY_INSTALLED KEY_CONFIRMED
    return IntStream.rangeClosed(1, 8);
  }

  @ParameterizedTest(name = "frame {0} of a session that resolves a pending key lost")
  @MethodSource("resolvingSessionFrames")
  void lostAcknowledgement_resolvedNextSession_evenWhenThatSessionLosesAFrame(int lost)
      throws Exception {
    session(0); // key A current
    session(6); // key B installed, confirmed in the ledger, acknowledgement lost: B pending
    try (InstalledKey current = device.keyStore().current().orElseThrow()) {
      assertThat(hostsCurrent()).as("host already has B").isNotEqualTo(Optional.of(current.kcv()));
    }
    List<MessageType> frames = session(lost);
    assertSentUpTo(
        frames,
        lost,
        MessageType.KRD_CREDENTIAL,
        MessageType.KDH_CREDENTIAL,
        MessageType.PENDING_KEY,
        MessageType.KEY_CONFIRMED,
        MessageType.KRD_RANDOM,
        MessageType.KDH_KEY,
        MessageType.KEY_INSTALLED,
        MessageType.KEY_CONFIRMED);
    assertThat(device.keyStore().size()).as("never two current master keys").isEqualTo(1);
    session(0);
    assertAgreement();
  }

  @org.junit.jupiter.api.Test
  void lostKeyInstalled_hostLedgerConfirmedAtTheNextSession() throws Exception {
    session(0);
    session(5); // KEY_INSTALLED lost: the ledger shows B DELIVERED, the terminal holds B pending
    LedgerEntry b = ledger.entries().get(ledger.entries().size() - 1);
    assertThat(b.status()).isEqualTo(DeliveryStatus.DELIVERED);
    session(0);
    assertThat(ledger.find(b.sessionId()).orElseThrow().status())
        .isEqualTo(DeliveryStatus.CONFIRMED);
    assertThat(ledger.entries()).noneMatch(e -> e.status() == DeliveryStatus.DELIVERED);
    assertAgreement();
  }
}
