package dev.keytransfer.e2e.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.tls.TlsSettings;
import dev.keytransfer.crypto.testing.TlsCerts;
import dev.keytransfer.netty.NettyKeyServer;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code openssl s_client} against {@code NettyKeyServer} over TLS: TLS 1.3 is negotiated and the
 * host's certificate verifies with the host name checked; TLS 1.2 is refused; with mutual TLS a
 * client without a certificate is refused and one with a certificate gets through the TLS handshake
 * to the frames (its empty frame is then {@code MALFORMED_FRAME}). Skipped without {@code openssl}
 * on the PATH.
 */
class TlsOpenSslTest {
  /** An empty frame: the host answers it by closing at once, so s_client ends without waiting. */
  private static final byte[] EMPTY_FRAME = {0, 0, 0, 0};

  @TempDir static Path dir;
  private static String openssl;
  private static TlsCerts tlsCa;
  private static Path caFile;
  private static Path[] clientFiles;
  private static NettyKeyServer<Object> serverOnly;
  private static NettyKeyServer<Object> mutual;
  private static final BlockingQueue<NettyKeyServer.SessionOutcome<Object>> outcomes =
      new LinkedBlockingQueue<>();

  @BeforeAll
  static void start() throws Exception {
    openssl = onPath("openssl");
    Assumptions.assumeTrue(openssl != null, "openssl is not on the PATH: s_client checks skipped");
    tlsCa = TlsCerts.create("OpenSSL");
    caFile = tlsCa.writeCa(dir.resolve("tls-ca.crt.pem"));
    clientFiles = TlsCerts.write(tlsCa.client("s_client"), dir, "client");
    TlsCerts.Identity local = tlsCa.localServer("kdh.local");
    serverOnly = server(TlsCerts.serverSettings(local, null));
    mutual = server(TlsCerts.serverSettings(local, tlsCa.ca));
  }

  private static NettyKeyServer<Object> server(TlsSettings tls) throws Exception {
    return NettyKeyServer.builder()
        .threads(1)
        .ioThreads(1)
        .stepTimeout(Duration.ofSeconds(5))
        .tls(tls)
        .build(
            () -> {
              throw new AssertionError("an empty frame opens no session");
            },
            outcomes::add)
        .start();
  }

  @AfterAll
  static void stop() {
    if (serverOnly != null) {
      serverOnly.close();
      mutual.close();
    }
  }

  private static String onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(d, tool);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  private record Run(int exit, String output) {}

  /** Runs s_client with a 20 s timeout, feeding it {@code stdin}; stdout and stderr together. */
  private static Run sClient(int port, byte[] stdin, String... options) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(openssl, "s_client"));
    cmd.addAll(List.of("-connect", "127.0.0.1:" + port, "-CAfile", caFile.toString()));
    cmd.addAll(List.of("-verify_return_error", "-verify_hostname", "localhost", "-ign_eof"));
    cmd.addAll(List.of(options));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().write(stdin);
    p.getOutputStream().close();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("openssl s_client did not end within 20 s: " + cmd);
    }
    return new Run(
        p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private static NettyKeyServer.SessionOutcome<Object> nextOutcome() throws Exception {
    NettyKeyServer.SessionOutcome<Object> o = outcomes.poll(10, TimeUnit.SECONDS);
    assertThat(o).as("host outcome").isNotNull();
    return o;
  }

  @Test
  void tls13_isNegotiated_andTheCertificateVerifiesForTheHostName() throws Exception {
    outcomes.clear();
    Run r = sClient(serverOnly.port(), EMPTY_FRAME, "-tls1_3");
    assertThat(r.output())
        .as(r.output())
        .contains("Protocol  : TLSv1.3")
        .contains("Verify return code: 0 (ok)")
        .contains("Verified peername: localhost");
    assertThat(nextOutcome().failure().code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
  }

  @Test
  void aCertificateForAnotherName_failsTheHostNameCheck() throws Exception {
    outcomes.clear();
    Run r = sClient(serverOnly.port(), EMPTY_FRAME, "-tls1_3", "-verify_hostname", "kdh.example");
    assertThat(r.exit()).as(r.output()).isNotZero();
    assertThat(r.output()).contains("hostname mismatch");
    assertThat(nextOutcome().failure().code()).isEqualTo(ErrorCode.TLS_FAILURE);
  }

  @Test
  void tls12_isRefused() throws Exception {
    outcomes.clear();
    Run r = sClient(serverOnly.port(), EMPTY_FRAME, "-tls1_2");
    assertThat(r.exit()).as(r.output()).isNotZero();
    // s_client names the protocol it tried in its summary; the alert and no cipher say it failed
    assertThat(r.output())
        .as(r.output())
        .containsIgnoringCase("alert protocol version")
        .contains("Cipher is (NONE)");
    assertThat(nextOutcome().failure().code()).isEqualTo(ErrorCode.TLS_FAILURE);
  }

  @Test
  void mutualTls_withoutClientCertificate_isRefused() throws Exception {
    outcomes.clear();
    Run r = sClient(mutual.port(), EMPTY_FRAME, "-tls1_3");
    // the JDK's server answers a missing client certificate with a bad_certificate alert (42)
    assertThat(r.output())
        .as(r.output())
        .containsPattern("alert (bad certificate|certificate required)");
    assertThat(nextOutcome().failure().code()).isEqualTo(ErrorCode.TLS_FAILURE);
  }

  @Test
  void mutualTls_withClientCertificate_getsThroughToTheFrames() throws Exception {
    outcomes.clear();
    Run r =
        sClient(
            mutual.port(),
            EMPTY_FRAME,
            "-tls1_3",
            "-cert",
            clientFiles[0].toString(),
            "-key",
            clientFiles[1].toString());
    assertThat(r.output())
        .as(r.output())
        .contains("Protocol  : TLSv1.3")
        .contains("Verify return code: 0 (ok)")
        .doesNotContain("SSL alert number");
    // past TLS: the empty frame reached the frame decoder
    assertThat(nextOutcome().failure().code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
  }
}
