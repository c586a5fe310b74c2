package dev.keytransfer.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.CertificateValidationException;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.UnexpectedMessageException;
import dev.keytransfer.core.handshake.FrameSession;
import dev.keytransfer.core.handshake.Handshake;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.KeyConfirmed;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.message.PendingKey;
import dev.keytransfer.core.spi.TokenCodec;
import dev.keytransfer.transport.tcp.TcpTransport;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server over real loopback sockets, with the terminal's own client ({@code TcpTransport}) and
 * raw sockets as misbehaving peers, around a small machine of its own: it answers each PENDING_KEY
 * with KEY_CONFIRMED and completes after a number of rounds, so what is tested is the server:
 * deadlines, caps, the busy refusal, pipelined frames, and one outcome per connection.
 */
class NettyKeyServerTest {
  /** Frames without tokens: every token decoder refuses. */
  static final MessageCodec MESSAGES =
      new MessageCodec(
          (TokenCodec)
              Proxy.newProxyInstance(
                  TokenCodec.class.getClassLoader(),
                  new Class<?>[] {TokenCodec.class},
                  (proxy, method, args) -> {
                    throw new UnsupportedOperationException("no tokens here");
                  }));

  static final KeyCheckValue KCV =
      KeyCheckValue.of(KeyCheckValue.Method.LEGACY_TDES, new byte[] {1, 2, 3});
  private static final KeyCheckValue REFUSED =
      KeyCheckValue.of(KeyCheckValue.Method.LEGACY_TDES, new byte[] {0, 0, 0});

  private final List<NettyKeyServer.SessionOutcome<Integer>> outcomes =
      new CopyOnWriteArrayList<>();
  private final List<Rounds> machines = new CopyOnWriteArrayList<>();
  private NettyKeyServer<Integer> server;
  private int rounds = 2;
  private CountDownLatch gate; // when set, the first machine's first step waits for it

  /**
   * Answers each PENDING_KEY with KEY_CONFIRMED; completes after {@code rounds}; refuses the KCV 00
   * 00 00 as a host refuses a certificate.
   */
  private final class Rounds implements Handshake {
    final int id;
    final int total;
    int seen;
    volatile ErrorCode failed;
    boolean finished;

    Rounds(int id, int total) {
      this.id = id;
      this.total = total;
    }

    @Override
    public void expect(MessageType type) throws KeyTransferException {
      if (type != MessageType.PENDING_KEY) {
        fail(ErrorCode.UNEXPECTED_MESSAGE);
        throw new UnexpectedMessageException(ErrorCode.UNEXPECTED_MESSAGE, "not " + type);
      }
    }

    @Override
    public Optional<HandshakeMessage> onMessage(HandshakeMessage message)
        throws KeyTransferException {
      CountDownLatch g = gate;
      if (g != null && id == 0 && seen == 0) {
        try {
          g.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      PendingKey p = (PendingKey) message;
      if (p.kcv().matches(REFUSED)) {
        fail(ErrorCode.CERTIFICATE_UNTRUSTED);
        throw new CertificateValidationException(ErrorCode.CERTIFICATE_UNTRUSTED, "refused");
      }
      seen++;
      finished = seen == total;
      return Optional.of(new KeyConfirmed(true, p.kcv()));
    }

    @Override
    public boolean isFinished() {
      return finished || failed != null;
    }

    @Override
    public void fail(ErrorCode code) {
      if (!isFinished()) {
        failed = code;
      }
    }
  }

  private NettyKeyServer.Builder builder() {
    return NettyKeyServer.builder()
        .stepTimeout(Duration.ofSeconds(5))
        .frameTimeout(Duration.ofSeconds(5))
        .sessionTimeout(Duration.ofSeconds(10));
  }

  private void start(NettyKeyServer.Builder b) throws KeyTransferException {
    AtomicInteger ids = new AtomicInteger();
    server =
        b.build(
            () -> {
              Rounds m = new Rounds(ids.getAndIncrement(), rounds);
              machines.add(m);
              return new FrameSession<>(MESSAGES, m, () -> m.seen);
            },
            outcomes::add);
    server.start();
  }

  @AfterEach
  void stop() {
    if (gate != null) {
      gate.countDown();
    }
    if (server != null) {
      server.close();
    }
  }

  private TcpTransport connect() throws KeyTransferException {
    return TcpTransport.connect(
        "127.0.0.1", server.port(), Duration.ofSeconds(2), TcpTransport.DEFAULT_MAX_FRAME_LENGTH);
  }

  private static byte[] pending(KeyCheckValue kcv) {
    return MESSAGES.encode(new PendingKey(kcv));
  }

  private static HandshakeMessage decode(byte[] frame) throws KeyTransferException {
    return MESSAGES.decode(frame);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private NettyKeyServer.SessionOutcome<Integer> onlyOutcome() throws InterruptedException {
    await(() -> !outcomes.isEmpty(), "the outcome");
    Thread.sleep(50); // a second outcome would be a bug: give it the chance to show
    assertThat(outcomes).hasSize(1);
    return outcomes.get(0);
  }

  private static Socket raw(String localAddress, int port) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    s.setSoTimeout(3000);
    return s;
  }

  /**
   * True if the server closed a connection from {@code localAddress} at once, unread: the connect
   * itself may already see the reset.
   */
  private boolean refusedAtOnce(String localAddress) throws IOException {
    Socket s;
    try {
      s = raw(localAddress, server.port());
    } catch (SocketException reset) {
      return true;
    }
    try (s) {
      return closedUnread(s);
    }
  }

  /** True if the server closed {@code s} (end of stream or reset) without sending anything. */
  private static boolean closedUnread(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    try {
      return in.read() == -1;
    } catch (SocketException reset) {
      return true;
    }
  }

  @Test
  void aSession_overRealSockets_completesWithOneOutcome() throws Exception {
    start(builder());
    try (TcpTransport t = connect()) {
      for (int i = 0; i < rounds; i++) {
        t.send(pending(KCV));
        assertThat(decode(t.receive(Duration.ofSeconds(5)))).isInstanceOf(KeyConfirmed.class);
      }
    }
    NettyKeyServer.SessionOutcome<Integer> o = onlyOutcome();
    assertThat(o.succeeded()).isTrue();
    assertThat(o.result()).isEqualTo(2);
    assertThat(server.completedSessions()).isEqualTo(1);
    assertThat(server.failedSessions()).isZero();
  }

  @Test
  void pipelinedFrames_areAnsweredInOrder() throws Exception {
    start(builder());
    try (TcpTransport t = connect()) {
      t.send(pending(KCV));
      t.send(pending(KCV)); // before the first answer
      assertThat(decode(t.receive(Duration.ofSeconds(5)))).isInstanceOf(KeyConfirmed.class);
      assertThat(decode(t.receive(Duration.ofSeconds(5)))).isInstanceOf(KeyConfirmed.class);
    }
    assertThat(onlyOutcome().succeeded()).isTrue();
  }

  @Test
  void silentPeer_timesOutAtTheStepDeadline_noSessionOpened() throws Exception {
    start(builder().stepTimeout(Duration.ofMillis(300)));
    try (TcpTransport t = connect()) {
      assertThatThrownBy(() -> t.receive(Duration.ofSeconds(5)))
          .extracting(e -> ((KeyTransferException) e).code())
          .isEqualTo(ErrorCode.TRANSPORT_FAILURE); // the host closed the connection
    }
    NettyKeyServer.SessionOutcome<Integer> o = onlyOutcome();
    assertThat(o.failure().code()).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(machines).as("no machine for a peer that never sent a frame").isEmpty();
  }

  @Test
  void drippingPeer_timesOutAtTheFrameDeadline_however_oftenBytesArrive() throws Exception {
    start(builder().frameTimeout(Duration.ofMillis(400)));
    try (Socket s = raw("127.0.0.1", server.port())) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeInt(1000);
      long start = System.nanoTime();
      try {
        for (int i = 0; i < 100; i++) { // a byte every 50 ms: the frame would take 50 s
          out.write(i);
          out.flush();
          Thread.sleep(50);
        }
      } catch (IOException closedByTheHost) {
        // expected once the deadline has passed
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }
    assertThat(onlyOutcome().failure().code()).isEqualTo(ErrorCode.TIMEOUT);
  }

  @Test
  void sessionDeadline_countsFromAccept_andTheMachineIsFailed() throws Exception {
    rounds = 3;
    start(builder().sessionTimeout(Duration.ofMillis(600)));
    try (TcpTransport t = connect()) {
      t.send(pending(KCV));
      t.receive(Duration.ofSeconds(5));
      Thread.sleep(800); // every step is well within its deadline; the session is not
      assertThatThrownBy(
              () -> {
                t.send(pending(KCV));
                t.receive(Duration.ofSeconds(5));
              })
          .extracting(e -> ((KeyTransferException) e).code())
          .isEqualTo(ErrorCode.TRANSPORT_FAILURE);
    }
    assertThat(onlyOutcome().failure().code()).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(machines).singleElement().extracting(m -> m.failed).isEqualTo(ErrorCode.TIMEOUT);
  }

  @Test
  void machineRefuses_peerIsToldThePublicClassOnly() throws Exception {
    start(builder());
    try (TcpTransport t = connect()) {
      t.send(pending(REFUSED));
      HandshakeMessage answer = decode(t.receive(Duration.ofSeconds(5)));
      assertThat(answer)
          .isEqualTo(new dev.keytransfer.core.message.Abort(ErrorCode.PEER_REFUSED_CERTIFICATE));
    }
    assertThat(onlyOutcome().failure().code()).isEqualTo(ErrorCode.CERTIFICATE_UNTRUSTED);
  }

  @Test
  void unexpectedMessage_refusedBeforeParsing() throws Exception {
    start(builder());
    try (TcpTransport t = connect()) {
      t.send(MESSAGES.encode(new KeyConfirmed(true, KCV))); // a type the machine does not take
      assertThat(decode(t.receive(Duration.ofSeconds(5))))
          .isEqualTo(new dev.keytransfer.core.message.Abort(ErrorCode.PEER_PROTOCOL_ERROR));
    }
    assertThat(onlyOutcome().failure().code()).isEqualTo(ErrorCode.UNEXPECTED_MESSAGE);
  }

  @Test
  void zeroLength_malformedFrame_closedAtOnce() throws Exception {
    start(builder());
    try (Socket s = raw("127.0.0.1", server.port())) {
      new DataOutputStream(s.getOutputStream()).writeInt(0);
      assertThat(closedUnread(s)).isTrue();
    }
    assertThat(onlyOutcome().failure().code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
  }

  @Test
  void oversizedLength_frameTooLarge_closedAtOnceWithoutTheBody() throws Exception {
    start(builder());
    try (Socket s = raw("127.0.0.1", server.port())) {
      new DataOutputStream(s.getOutputStream()).writeInt(Integer.MAX_VALUE);
      assertThat(closedUnread(s)).isTrue();
    }
    assertThat(onlyOutcome().failure().code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
  }

  @Test
  void connectionCaps_totalAndPerAddress_excessClosedAtOnceAndCounted() throws Exception {
    start(builder().maxConnections(3).maxConnectionsPerAddress(2));
    try (Socket a1 = raw("127.0.0.2", server.port());
        Socket a2 = raw("127.0.0.2", server.port())) {
      await(() -> server.openConnections() == 2, "two connections");
      assertThat(refusedAtOnce("127.0.0.2")).as("third from one address").isTrue();
      try (Socket b1 = raw("127.0.0.3", server.port())) {
        await(() -> server.openConnections() == 3, "three connections");
        assertThat(refusedAtOnce("127.0.0.4")).as("fourth in all").isTrue();
      }
      assertThat(server.refusedConnections()).isEqualTo(2);
    }
    await(() -> server.openConnections() == 0, "all closed");
    // the caps count open connections: once closed, an address may connect again
    try (TcpTransport t = connect()) {
      t.send(pending(KCV));
      assertThat(decode(t.receive(Duration.ofSeconds(5)))).isInstanceOf(KeyConfirmed.class);
    }
  }

  @Test
  void poolFull_aNewTerminalIsRefusedAtOnce_withTryLater_andTheOthersComplete() throws Exception {
    rounds = 1;
    gate = new CountDownLatch(1);
    start(builder().threads(1).queueCapacity(1));
    try (TcpTransport busy = connect();
        TcpTransport queued = connect();
        TcpTransport refused = connect()) {
      busy.send(pending(KCV)); // its machine holds the only thread until the gate opens
      await(() -> machines.size() == 1, "the first session on the pool");
      queued.send(pending(KCV)); // admitted: no task was waiting
      await(() -> server.pool().queued() == 1, "the second session queued");
      long start = System.nanoTime();
      refused.send(pending(KCV));
      assertThat(decode(refused.receive(Duration.ofSeconds(5))))
          .isEqualTo(new dev.keytransfer.core.message.Abort(ErrorCode.PEER_TRY_LATER));
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("at once, not after the queue")
          .isLessThan(Duration.ofSeconds(3));
      assertThat(server.busyRefusals()).isEqualTo(1);
      gate.countDown();
      assertThat(decode(busy.receive(Duration.ofSeconds(5)))).isInstanceOf(KeyConfirmed.class);
      assertThat(decode(queued.receive(Duration.ofSeconds(5)))).isInstanceOf(KeyConfirmed.class);
    }
    await(() -> outcomes.size() == 3, "three outcomes");
    assertThat(outcomes)
        .extracting(o -> o.succeeded() ? "OK" : o.failure().code().name())
        .containsExactlyInAnyOrder("OK", "OK", "HOST_BUSY");
    assertThat(machines).as("no machine for the refused terminal").hasSize(2);
  }

  @Test
  void close_failsTheSessionsUnderWay_eachWithOneOutcome() throws Exception {
    rounds = 3;
    start(builder().closeGrace(Duration.ofMillis(100)));
    try (TcpTransport t = connect()) {
      t.send(pending(KCV));
      t.receive(Duration.ofSeconds(5));
      server.close();
      assertThat(onlyOutcome().failure().code()).isEqualTo(ErrorCode.TRANSPORT_FAILURE);
      assertThat(machines)
          .singleElement()
          .extracting(m -> m.failed)
          .isEqualTo(ErrorCode.TRANSPORT_FAILURE);
    }
  }
}
