package dev.keytransfer.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Length-prefixed framing over real loopback sockets, with a raw socket as the misbehaving peer.
 */
class TcpTransportTest {
  private ServerSocket listener;

  @BeforeEach
  void listen() throws Exception {
    listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
  }

  @AfterEach
  void stop() throws Exception {
    listener.close();
  }

  private TcpTransport client() throws Exception {
    return TcpTransport.connect("127.0.0.1", listener.getLocalPort(), Duration.ofSeconds(2), 1024);
  }

  @Test
  void frames_roundTripBothWays() throws Exception {
    CompletableFuture<Socket> accepted =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return listener.accept();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    try (TcpTransport c = client();
        TcpTransport s = TcpTransport.wrap(accepted.get(), 1024)) {
      c.send(new byte[] {1, 2, 3});
      assertThat(s.receive(Duration.ofSeconds(2))).containsExactly(1, 2, 3);
      s.send(new byte[1024]);
      assertThat(c.receive(Duration.ofSeconds(2))).hasSize(1024);
    }
  }

  @Test
  void receive_peerAnnouncesHugeFrame_refusedBeforeReading() throws Exception {
    try (TcpTransport c = client();
        Socket raw = listener.accept()) {
      new DataOutputStream(raw.getOutputStream()).writeInt(512 * 1024 * 1024);
      assertThatThrownBy(() -> c.receive(Duration.ofSeconds(2)))
          .extracting(e -> ((KeyTransferException) e).code())
          .isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    }
  }

  @Test
  void receive_negativeLength_malformedFrame() throws Exception {
    try (TcpTransport c = client();
        Socket raw = listener.accept()) {
      new DataOutputStream(raw.getOutputStream()).writeInt(-5);
      assertThatThrownBy(() -> c.receive(Duration.ofSeconds(2)))
          .extracting(e -> ((KeyTransferException) e).code())
          .isEqualTo(ErrorCode.MALFORMED_FRAME);
    }
  }

  @Test
  void send_overMaximum_refused() throws Exception {
    try (TcpTransport c = client();
        Socket raw = listener.accept()) {
      assertThatThrownBy(() -> c.send(new byte[1025]))
          .extracting(e -> ((KeyTransferException) e).code())
          .isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    }
  }

  @Test
  void receive_silentPeer_timesOut() throws Exception {
    try (TcpTransport c = client();
        Socket raw = listener.accept()) {
      assertThatThrownBy(() -> c.receive(Duration.ofMillis(200)))
          .extracting(e -> ((KeyTransferException) e).code())
          .isEqualTo(ErrorCode.TIMEOUT);
    }
  }

  @Test
  void receive_peerDripsOneByteAtATime_timesOutAtTheDeadlineNotPerRead() throws Exception {
    try (TcpTransport c = client();
        Socket raw = listener.accept()) {
      // 100 bytes announced, then one every 50 ms: each read would be well inside a per-read
      // timeout of 400 ms, and the frame would take 5 s
      Thread dripper =
          new Thread(
              () -> {
                try {
                  DataOutputStream o = new DataOutputStream(raw.getOutputStream());
                  o.writeInt(100);
                  for (int i = 0; i < 100; i++) {
                    o.write(i);
                    o.flush();
                    Thread.sleep(50);
                  }
                } catch (Exception stopped) {
                  // the client gave up and closed the connection
                }
              });
      dripper.setDaemon(true);
      dripper.start();
      long start = System.nanoTime();
      assertThatThrownBy(() -> c.receive(Duration.ofMillis(400)))
          .extracting(e -> ((KeyTransferException) e).code())
          .isEqualTo(ErrorCode.TIMEOUT);
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(elapsedMillis).isBetween(390L, 2_500L);
      dripper.interrupt();
    }
  }

  @Test
  void receive_peerClosesMidFrame_transportFailure() throws Exception {
    try (TcpTransport c = client()) {
      try (Socket raw = listener.accept()) {
        DataOutputStream o = new DataOutputStream(raw.getOutputStream());
        o.writeInt(100);
        o.write(new byte[10]);
      }
      assertThatThrownBy(() -> c.receive(Duration.ofSeconds(2)))
          .extracting(e -> ((KeyTransferException) e).code())
          .isEqualTo(ErrorCode.TRANSPORT_FAILURE);
    }
  }

  @Test
  void connect_nobodyListening_transportFailure() throws Exception {
    int port = listener.getLocalPort();
    listener.close();
    assertThatThrownBy(() -> TcpTransport.connect("127.0.0.1", port, Duration.ofSeconds(2), 1024))
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.TRANSPORT_FAILURE);
  }
}
