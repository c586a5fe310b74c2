package dev.keytransfer.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.crypto.Pem;
import dev.keytransfer.crypto.testing.TlsCerts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kdh serve} and {@code krd fetch} over TLS 1.3, run in-process: mutual TLS delivers a key;
 * a terminal without its client certificate, or without TLS, gets none; the TLS options that need
 * each other are usage errors, unreadable TLS files one-line errors naming the option.
 */
class TlsCliTest {
  private static final String PASSPHRASE = "passphrase of the test CA directory and TLS key";
  private static final Function<String, String> ENVIRONMENT = PassphraseOption.environment;
  private static final PassphraseOption.Prompt CONSOLE = PassphraseOption.console;

  private record Run(int exit, String out, String err) {}

  @BeforeEach
  void passphraseInTheEnvironment() {
    PassphraseOption.environment = n -> n.equals("KEYTRANSFER_PASSPHRASE") ? PASSPHRASE : null;
    PassphraseOption.console = prompt -> null;
  }

  @AfterEach
  void realEnvironment() {
    PassphraseOption.environment = ENVIRONMENT;
    PassphraseOption.console = CONSOLE;
  }

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KeyTransferCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  private static void assertOneLineError(Run r, int exit, String contains) {
    assertThat(r.exit()).as(r.err()).isEqualTo(exit);
    assertThat(r.err().strip()).contains(contains).doesNotContain("\n").startsWith("error: ");
  }

  private static String[] fetch(String pki, int port, String... tls) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "krd",
                "fetch",
                "--dir",
                pki,
                "--name",
                "pos1",
                "--port",
                String.valueOf(port),
                "--timeout",
                "5"));
    a.addAll(List.of(tls));
    return a.toArray(new String[0]);
  }

  @Test
  void mutualTls_kdhServeAndKrdFetch_deliverAKey(@TempDir Path dir) throws Exception {
    String pki = dir.resolve("pki").toString();
    assertThat(cli("ca", "init", "--dir", pki).exit()).isZero();
    assertThat(cli("ca", "issue", "--dir", pki, "--role", "kdh", "--name", "host1").exit())
        .isZero();
    assertThat(cli("ca", "issue", "--dir", pki, "--role", "krd", "--name", "pos1").exit()).isZero();

    TlsCerts tls = TlsCerts.create("CLI");
    Path ca = tls.writeCa(dir.resolve("tls-ca.pem"));
    TlsCerts.Identity server = tls.localServer("host1 TLS");
    Path serverCert = dir.resolve("server.crt.pem");
    Path serverKey = dir.resolve("server.key.pem"); // encrypted: the passphrase is asked for
    Files.writeString(serverCert, Pem.encode(server.certificate()));
    Files.writeString(
        serverKey,
        Pem.encodeEncrypted(server.key(), PASSPHRASE.toCharArray(), 1_000, new SecureRandom()));
    Path[] client = TlsCerts.write(tls.client("pos1 TLS"), dir, "client");

    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    KdhCommand.Serve.stop = new CountDownLatch(1);
    ExecutorService bg = Executors.newSingleThreadExecutor();
    Future<Run> serving =
        bg.submit(
            () ->
                cli(
                    "kdh",
                    "serve",
                    "--dir",
                    pki,
                    "--name",
                    "host1",
                    "--port",
                    String.valueOf(port),
                    "--step-timeout",
                    "5",
                    "--tls-cert",
                    serverCert.toString(),
                    "--tls-key",
                    serverKey.toString(),
                    "--tls-client-ca",
                    ca.toString()));
    try {
      String[] mutual = {
        "--tls-ca",
        ca.toString(),
        "--tls-cert",
        client[0].toString(),
        "--tls-key",
        client[1].toString()
      };
      Run fetched = null;
      for (int i = 0; i < 50; i++) { // wait for the server to listen
        fetched = cli(fetch(pki, port, mutual));
        if (!fetched.err().contains("cannot connect")) {
          break;
        }
        Thread.sleep(100);
      }
      assertThat(fetched.exit()).as(fetched.err()).isZero();
      assertThat(fetched.out())
          .contains("header=A0000K0TB00E0000")
          .containsPattern("kcv=[0-9A-F]{6}");

      // no client certificate: refused by TLS, before any TR-34 frame
      assertOneLineError(cli(fetch(pki, port, "--tls-ca", ca.toString())), 1, "TLS_FAILURE");
      // no TLS at all: the host reads no frame from it
      Run plain = cli(fetch(pki, port));
      assertThat(plain.exit()).as(plain.err()).isEqualTo(1);
      assertThat(plain.out()).doesNotContain("kcv=");
      // a host certificate from a CA the terminal does not trust
      Path otherCa = TlsCerts.create("Other").writeCa(dir.resolve("other-ca.pem"));
      assertOneLineError(cli(fetch(pki, port, "--tls-ca", otherCa.toString())), 1, "TLS_FAILURE");
    } finally {
      KdhCommand.Serve.stop.countDown();
    }
    Run served = serving.get();
    bg.shutdown();
    assertThat(served.exit()).as(served.err()).isZero();
    assertThat(served.out())
        .contains("over TLS 1.3, client certificates required (Ctrl-C to stop)")
        .contains(" OK CN=pos1,OU=KRD");
  }

  @Test
  void tlsOptions_thatNeedEachOther_areUsageErrors_unreadableFiles_oneLineErrors(
      @TempDir Path dir) {
    String d = dir.toString();
    String missing = dir.resolve("missing.pem").toString();
    assertOneLineError(
        cli("kdh", "serve", "--dir", d, "--name", "h", "--port", "0", "--tls-key", missing),
        2,
        "--tls-cert and --tls-key go together");
    assertOneLineError(
        cli("kdh", "serve", "--dir", d, "--name", "h", "--port", "0", "--tls-client-ca", missing),
        2,
        "--tls-client-ca needs --tls-cert and --tls-key");
    assertOneLineError(
        cli("krd", "fetch", "--dir", d, "--name", "p", "--port", "1", "--tls-cert", missing),
        2,
        "need --tls-ca");
    assertOneLineError(
        cli(
            "krd",
            "fetch",
            "--dir",
            d,
            "--name",
            "p",
            "--port",
            "1",
            "--tls-ca",
            missing,
            "--tls-key",
            missing),
        2,
        "--tls-cert and --tls-key go together");
    assertOneLineError(
        cli("krd", "fetch", "--dir", d, "--name", "p", "--port", "1", "--tls-ca", missing),
        1,
        "--tls-ca: no such file: " + missing);
    assertOneLineError(
        cli(
            "kdh",
            "serve",
            "--dir",
            d,
            "--name",
            "h",
            "--port",
            "0",
            "--tls-cert",
            missing,
            "--tls-key",
            missing),
        1,
        "--tls-cert: no such file: " + missing);
    assertThat(cli("kdh", "serve", "--help").out())
        .contains("--tls-cert", "--tls-key", "--tls-client-ca", "TLS 1.3");
    assertThat(cli("krd", "fetch", "--help").out())
        .contains("--tls-ca", "--tls-cert", "--tls-key", "subjectAltName");
  }
}
