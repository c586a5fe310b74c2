package dev.keytransfer.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.handshake.FrameSession;
import dev.keytransfer.core.handshake.Handshake;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.message.PendingKey;
import dev.keytransfer.core.message.WorkingKeys;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every connection ends with exactly one outcome and within its deadlines, however the session
 * fails: a session that cannot be opened, an {@link Error} in the machine, a peer that stops
 * reading once the host has its last frames queued (docs/SECURITY.md A3).
 */
class HostConnectionFailureTest {
  private static final MessageCodec MESSAGES = NettyKeyServerTest.MESSAGES;
  private static final KeyCheckValue KCV = NettyKeyServerTest.KCV;

  private final List<NettyKeyServer.SessionOutcome<Integer>> outcomes =
      new CopyOnWriteArrayList<>();
  private NettyKeyServer<Integer> server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private NettyKeyServer.Builder builder() {
    return NettyKeyServer.builder()
        .threads(1)
        .stepTimeout(Duration.ofMillis(800))
        .frameTimeout(Duration.ofMillis(800))
        .sessionTimeout(Duration.ofMillis(1500))
        .closeGrace(Duration.ZERO);
  }

  private void start(Supplier<FrameSession<Integer>> sessions) throws KeyTransferException {
    server = builder().build(sessions, outcomes::add);
    server.start();
  }

  private static void sendFrame(DataOutputStream out, byte[] frame) throws Exception {
    out.writeInt(frame.length);
    out.write(frame);
    out.flush();
  }

  /** A machine driven by a lambda for its reply; finishes after {@code total} frames. */
  private static final class Scripted implements Handshake {
    final int total;
    final java.util.function.IntFunction<HandshakeMessage> reply;
    int seen;
    ErrorCode failed;

    Scripted(int total, java.util.function.IntFunction<HandshakeMessage> reply) {
      this.total = total;
      this.reply = reply;
    }

    @Override
    public void expect(MessageType type) {}

    @Override
    public Optional<HandshakeMessage> onMessage(HandshakeMessage message) {
      seen++;
      return Optional.of(reply.apply(seen));
    }

    @Override
    public boolean isFinished() {
      return seen >= total || failed != null;
    }

    @Override
    public void fail(ErrorCode code) {
      if (!isFinished()) {
        failed = code;
      }
    }
  }

  /** Waits until {@code condition} holds, at most {@code seconds}. */
  private static boolean eventually(java.util.function.BooleanSupplier condition, int seconds)
      throws InterruptedException {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(20);
    }
    return condition.getAsBoolean();
  }

  @Test
  void aSessionThatCannotBeOpened_isTriedOnce_andReportedOnce() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    start(
        () -> {
          attempts.incrementAndGet(); // as when a token's random generator fails
          throw new java.security.ProviderException("the token's random generator failed");
        });
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
      sendFrame(new DataOutputStream(s.getOutputStream()), MESSAGES.encode(new PendingKey(KCV)));
      assertThat(eventually(() -> !outcomes.isEmpty(), 5)).isTrue();
      assertThat(s.getInputStream().read()).as("closed by the host").isEqualTo(-1);
    }
    Thread.sleep(300);
    assertThat(attempts.get()).isEqualTo(1);
    assertThat(outcomes).hasSize(1);
    assertThat(outcomes.get(0).failure().code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
    assertThat(eventually(() -> server.openConnections() == 0, 5)).isTrue();
  }

  @Test
  void anErrorInTheMachine_failsTheSessionOnce_andClosesTheConnection() throws Exception {
    Scripted machine =
        new Scripted(
            2,
            n -> {
              throw new StackOverflowError("simulated");
            });
    start(() -> new FrameSession<>(MESSAGES, machine, () -> 1));
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
      sendFrame(new DataOutputStream(s.getOutputStream()), MESSAGES.encode(new PendingKey(KCV)));
      assertThat(eventually(() -> !outcomes.isEmpty(), 5)).isTrue();
      assertThat(s.getInputStream().read()).as("closed by the host").isEqualTo(-1);
    }
    Thread.sleep(300);
    assertThat(outcomes).hasSize(1);
    assertThat(outcomes.get(0).failure().code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
    assertThat(machine.failed).isEqualTo(ErrorCode.INTERNAL_ERROR);
    assertThat(eventually(() -> server.openConnections() == 0, 5)).isTrue();
  }

  @Test
  void aPeerThatStopsReading_cannotHoldAFinishedSession() throws Exception {
    String block = String.join("", Collections.nCopies(9999, "A"));
    int rounds = 120; // 120 x 60 KB = 7 MB: more than Linux's 4 MB maximum send buffer
    server =
        builder()
            .sessionTimeout(Duration.ofSeconds(3))
            .build(
                () ->
                    new FrameSession<>(
                        MESSAGES,
                        new Scripted(rounds, n -> new WorkingKeys(Collections.nCopies(6, block))),
                        () -> rounds),
                outcomes::add);
    server.start();
    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(1024); // a small window, and never read
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      for (int i = 0; i < rounds; i++) {
        sendFrame(out, MESSAGES.encode(new PendingKey(KCV)));
        Thread.sleep(5);
      }
      // closed at the session deadline (3 s from accept) at the latest, with one outcome
      assertThat(eventually(() -> server.openConnections() == 0, 6)).isTrue();
      assertThat(outcomes).hasSize(1);
      assertThat(outcomes.get(0).succeeded()).isFalse();
    }
  }
}
