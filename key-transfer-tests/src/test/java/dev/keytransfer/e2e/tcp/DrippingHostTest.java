package dev.keytransfer.e2e.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import dev.keytransfer.transport.tcp.TcpTransport;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A fake key host that drips its frames, a few bytes at a time, to hold a terminal: the terminal
 * gives up at its deadlines, which the drip does not move. The fake host has only what any host
 * hands out, the KDH's certificate chain and CRLs, so its CT-KDH passes; it cannot build a key
 * token, so it drips the start of one forever.
 */
class DrippingHostTest {
  private static final BcCryptoProvider crypto = new BcCryptoProvider();
  private static TestPki pki;
  private static byte[] genuineCredential;

  @BeforeAll
  static void pki() throws Exception {
    pki = TestPki.create("Drip");
    TestPki.Leaf kdh = pki.validLeaf(Role.KDH, "Drip KDH");
    Tr34TokenCodec codec = new Tr34TokenCodec(crypto);
    genuineCredential =
        new MessageCodec(codec).encode(codec.encodeKdhCredential(kdh.chain(), pki.kdhPathCrls()));
  }

  /** A host that reads CT-KRD, then drips {@code credential} (if any), then a frame forever. */
  private static final class FakeHost implements AutoCloseable {
    final ServerSocket listener;
    final AtomicInteger framesRead = new AtomicInteger();
    final Thread thread;

    FakeHost(byte[] credential, Duration credentialOver) throws IOException {
      listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
      thread =
          new Thread(
              () -> {
                try (Socket s = listener.accept()) {
                  DataInputStream in = new DataInputStream(s.getInputStream());
                  OutputStream out = s.getOutputStream();
                  readFrame(in); // CT-KRD
                  if (credential != null) {
                    byte[] framed =
                        ByteBuffer.allocate(4 + credential.length)
                            .putInt(credential.length)
                            .put(credential)
                            .array();
                    int chunks = 20;
                    for (int i = 0; i < chunks; i++) {
                      int from = framed.length * i / chunks;
                      int to = framed.length * (i + 1) / chunks;
                      out.write(framed, from, to - from);
                      out.flush();
                      Thread.sleep(credentialOver.toMillis() / chunks);
                    }
                    readFrame(in); // RT-KRD
                  }
                  new DataOutputStream(out).writeInt(60_000); // a key token, one byte a time
                  while (true) {
                    out.write(MessageCodec.PROTOCOL_VERSION);
                    out.flush();
                    Thread.sleep(100);
                  }
                } catch (IOException | InterruptedException e) {
                  // the terminal gave up and closed the connection, or the test is over
                }
              },
              "dripping-host");
      thread.setDaemon(true);
      thread.start();
    }

    private void readFrame(DataInputStream in) throws IOException {
      byte[] frame = new byte[in.readInt()];
      in.readFully(frame);
      framesRead.incrementAndGet();
    }

    @Override
    public void close() throws Exception {
      listener.close();
      thread.interrupt();
      thread.join(5000);
    }
  }

  private static ReceivingTerminal device(String cn) {
    return pki.terminal(pki.validLeaf(Role.KRD, cn));
  }

  private static long failsWithTimeoutAfterMillis(KeyTransferTerminal terminal, int port) {
    long start = System.nanoTime();
    assertThatThrownBy(
            () -> {
              try (TcpTransport t =
                  TcpTransport.connect(
                      "127.0.0.1",
                      port,
                      Duration.ofSeconds(5),
                      TcpTransport.DEFAULT_MAX_FRAME_LENGTH)) {
                terminal.receiveKey(t);
              }
            })
        .isInstanceOf(KeyTransferException.class)
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.TIMEOUT);
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  @Test
  void drippedFrame_theTerminalGivesUpAtTheStepDeadline_notPerByte() throws Exception {
    try (FakeHost host = new FakeHost(null, Duration.ZERO)) {
      KeyTransferTerminal terminal =
          KeyTransferTerminal.builder()
              .receivingTerminal(device("Drip POS 1"))
              .cryptoProvider(crypto)
              .validationPolicy(pki.terminalPolicy())
              .stepTimeout(Duration.ofSeconds(1)) // the default session deadline is 2 minutes
              .build();
      long millis = failsWithTimeoutAfterMillis(terminal, host.listener.getLocalPort());
      System.out.println("dripping host, 1 s step: the terminal gave up after " + millis + " ms");
      assertThat(millis).isBetween(1_000L, 2_500L);
    }
  }

  @Test
  void genuineCredentialThenADrippedKeyToken_theTerminalGivesUpAtTheSessionDeadline()
      throws Exception {
    // CT-KDH takes 2 s to arrive, inside the 4 s step; the key token would hold the terminal to 6 s
    try (FakeHost host = new FakeHost(genuineCredential, Duration.ofSeconds(2))) {
      KeyTransferTerminal terminal =
          KeyTransferTerminal.builder()
              .receivingTerminal(device("Drip POS 2"))
              .cryptoProvider(crypto)
              .validationPolicy(pki.terminalPolicy())
              .stepTimeout(Duration.ofSeconds(4))
              .sessionTimeout(Duration.ofSeconds(3))
              .build();
      long millis = failsWithTimeoutAfterMillis(terminal, host.listener.getLocalPort());
      System.out.println(
          "dripping host, 4 s step, 3 s session: the terminal gave up after " + millis + " ms");
      assertThat(host.framesRead.get())
          .as("the terminal took CT-KDH and sent its nonce (" + MessageType.KRD_RANDOM + ")")
          .isEqualTo(2);
      assertThat(millis).isBetween(3_000L, 4_500L);
    }
  }
}
