package dev.keytransfer.e2e.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.TransportException;
import dev.keytransfer.core.handshake.FrameSession;
import dev.keytransfer.core.tls.TlsSettings;
import dev.keytransfer.crypto.testing.TlsCerts;
import dev.keytransfer.netty.NettyKeyServer;
import dev.keytransfer.transport.tcp.TcpTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TLS handshake counts against the absolute deadlines (docs/SECURITY.md A3): a TLS client that
 * says nothing, or drips its ClientHello, is dropped by {@code NettyKeyServer} at the deadline; a
 * TLS host that says nothing, or drips its ServerHello, is dropped by the terminal's {@code
 * TcpTransport} at the connect deadline. No byte moves a deadline.
 */
class TlsDeadlinesTest {
  private static final Duration DEADLINE = Duration.ofMillis(800);
  private static TlsCerts tlsCa;
  private static NettyKeyServer<Object> server;
  private static final BlockingQueue<NettyKeyServer.SessionOutcome<Object>> outcomes =
      new LinkedBlockingQueue<>();

  @BeforeAll
  static void start() throws Exception {
    tlsCa = TlsCerts.create("Deadlines");
    server =
        NettyKeyServer.builder()
            .threads(1)
            .ioThreads(1)
            .frameTimeout(DEADLINE)
            .stepTimeout(Duration.ofSeconds(5))
            .sessionTimeout(Duration.ofSeconds(10))
            .tls(TlsCerts.serverSettings(tlsCa.localServer("kdh.local"), null))
            .build(
                () -> {
                  throw new AssertionError("no session may open before the TLS handshake");
                },
                outcomes::add);
    server.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Reads until the host closes the connection; returns how long that took. */
  private static long millisUntilClosed(Socket s) throws IOException {
    long start = System.nanoTime();
    s.setSoTimeout(10_000);
    InputStream in = s.getInputStream();
    try {
      while (in.read() >= 0) {
        // whatever the host says (an alert) until it closes
      }
    } catch (IOException reset) {
      // closed with a reset: as good
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  @Test
  void silentTlsClient_isDroppedAtTheDeadline() throws Exception {
    outcomes.clear();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      long ms = millisUntilClosed(s);
      assertThat(ms).isBetween(DEADLINE.toMillis() - 100, DEADLINE.toMillis() + 1_500);
    }
    NettyKeyServer.SessionOutcome<Object> o = outcomes.poll(5, TimeUnit.SECONDS);
    assertThat(o).isNotNull();
    assertThat(o.failure().code()).isEqualTo(ErrorCode.TIMEOUT);
  }

  @Test
  void drippingTlsClient_isDroppedAtTheDeadline_notLater() throws Exception {
    outcomes.clear();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      OutputStream out = s.getOutputStream();
      // a handshake record announcing 512 bytes, then one byte every 50 ms
      out.write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
      Thread dripper =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < 400; i++) {
                    Thread.sleep(50);
                    out.write(0);
                    out.flush();
                  }
                } catch (IOException | InterruptedException closed) {
                  // the host closed the connection
                }
              });
      dripper.setDaemon(true);
      dripper.start();
      long ms = millisUntilClosed(s);
      dripper.interrupt();
      assertThat(ms).isBetween(DEADLINE.toMillis() - 100, DEADLINE.toMillis() + 1_500);
    }
    NettyKeyServer.SessionOutcome<Object> o = outcomes.poll(5, TimeUnit.SECONDS);
    assertThat(o).isNotNull();
    assertThat(o.failure().code()).isEqualTo(ErrorCode.TIMEOUT);
  }

  /** A fake host that accepts, reads what comes, and answers with {@code drip} (or nothing). */
  private static final class FakeTlsHost implements AutoCloseable {
    final ServerSocket listening = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
    final Thread thread;

    FakeTlsHost(boolean drip) throws IOException {
      thread =
          new Thread(
              () -> {
                try (Socket s = listening.accept()) {
                  InputStream in = s.getInputStream();
                  new Thread(
                          () -> {
                            try {
                              in.transferTo(OutputStream.nullOutputStream());
                            } catch (IOException ignored) {
                              // the terminal gave up
                            }
                          })
                      .start();
                  OutputStream out = s.getOutputStream();
                  if (drip) { // a ServerHello record of 16 KiB, one byte every 50 ms
                    out.write(new byte[] {0x16, 0x03, 0x03, 0x40, 0x00, 0x02});
                  }
                  for (int i = 0; i < 400; i++) {
                    Thread.sleep(50);
                    if (drip) {
                      out.write(0);
                      out.flush();
                    }
                  }
                } catch (IOException | InterruptedException e) {
                  // the terminal closed the connection
                }
              });
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return listening.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      thread.interrupt();
      listening.close();
    }
  }

  private void assertTerminalTimesOut(boolean drip) throws Exception {
    TlsSettings tls = tlsCa.clientSettings(null);
    try (FakeTlsHost host = new FakeTlsHost(drip)) {
      long start = System.nanoTime();
      assertThatThrownBy(
              () ->
                  TcpTransport.connect(
                      "127.0.0.1",
                      host.port(),
                      DEADLINE,
                      TcpTransport.DEFAULT_MAX_FRAME_LENGTH,
                      tls))
          .isInstanceOf(TransportException.class)
          .hasFieldOrPropertyWithValue("code", ErrorCode.TIMEOUT)
          .hasMessageContaining("TLS handshake");
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(ms).isBetween(DEADLINE.toMillis() - 100, DEADLINE.toMillis() + 1_000);
    }
  }

  @Test
  void silentTlsHost_terminalGivesUpAtTheConnectDeadline() throws Exception {
    assertTerminalTimesOut(false);
  }

  @Test
  void drippingTlsHost_terminalGivesUpAtTheConnectDeadline_notLater() throws Exception {
    assertTerminalTimesOut(true);
  }

  @Test
  void serverWithoutIdentity_isRefusedWhenBuilt() {
    TlsSettings clientOnly = tlsCa.clientSettings(null);
    assertThatThrownBy(
            () -> NettyKeyServer.builder().tls(clientOnly).build(() -> (FrameSession<Object>) null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("certificate and its private key");
  }
}
