package dev.keytransfer.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.crypto.Pem;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.pki.CertificationRequests;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keytransfer tool, run in-process with its real commands, files and sockets. The passphrase of
 * the CA directories comes from the environment (replaced for the test) unless a test says
 * otherwise; there is no console.
 */
class KeyTransferCliTest {
  private static final String PASSPHRASE = "passphrase of the test CA directories";
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
    assertThat(r.exit()).isEqualTo(exit);
    assertThat(r.err().strip())
        .contains(contains)
        .doesNotContain("\n")
        .doesNotContain("\tat ")
        .startsWith("error: ");
  }

  @Test
  void demo_inMemory_allTerminalsReceiveTheirKey() {
    Run r = cli("demo", "--terminals", "3", "--transport", "memory");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains("POS 0003  header=A0000K0TB00E0000  kcv=")
        .endsWith("3/3 terminals received their key\n");
  }

  @Test
  void demo_overTcp_allTerminalsReceiveTheirKey() {
    Run r = cli("demo", "--terminals", "2");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("listening on 127.0.0.1:")
        .endsWith("2/2 terminals received their key\n");
  }

  @Test
  void badArguments_oneLineErrorAndExitTwo() {
    assertOneLineError(cli("demo", "--terminals", "many"), 2, "--terminals");
    assertOneLineError(cli("demo", "--terminals", "0"), 2, "between 1 and 10000");
    assertOneLineError(cli("fly"), 2, "fly");
    assertOneLineError(cli(), 2, "command is required");
    assertOneLineError(cli("token", "open", "--token", "x"), 2, "Missing required option");
    assertThat(cli("ca", "issue", "--help").out()).contains("--role", "--csr");
  }

  @Test
  void badFiles_oneLineErrorAndExitOne(@TempDir Path dir) throws Exception {
    assertOneLineError(
        cli("token", "inspect", dir.resolve("missing.der").toString()), 1, "no such file");
    Files.writeString(dir.resolve("junk.der"), "not a token");
    assertOneLineError(
        cli("token", "inspect", dir.resolve("junk.der").toString()), 1, "neither DER, PEM nor hex");
    Files.write(dir.resolve("bad.der"), new byte[] {0x30, 0x03, 0x02, 0x01});
    assertOneLineError(
        cli("token", "inspect", dir.resolve("bad.der").toString()), 1, "MALFORMED_TOKEN");
    assertOneLineError(
        cli("krd", "fetch", "--dir", dir.toString(), "--name", "x", "--port", "1"),
        1,
        "no certification authority");
  }

  @Test
  void ca_keysAreOwnerOnly_namesAreNotReplaced_hostMustBeAKdh(@TempDir Path dir) throws Exception {
    Path pki = dir.resolve("pki");
    assertThat(cli("ca", "init", "--dir", pki.toString()).exit()).isZero();
    assertThat(
            cli("ca", "issue", "--dir", pki.toString(), "--role", "krd", "--name", "pos1").exit())
        .isZero();
    if (java.nio.file.Files.getFileStore(pki).supportsFileAttributeView("posix")) {
      assertThat(
              java.nio.file.attribute.PosixFilePermissions.toString(
                  java.nio.file.Files.getPosixFilePermissions(pki)))
          .isEqualTo("rwx------");
      for (String key : new String[] {"root", "kdh-ca", "krd-ca", "pos1"}) {
        assertThat(
                java.nio.file.attribute.PosixFilePermissions.toString(
                    java.nio.file.Files.getPosixFilePermissions(pki.resolve(key + ".key.pem"))))
            .as(key)
            .isEqualTo("rw-------");
      }
    }
    try (var files = java.nio.file.Files.list(pki)) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
    byte[] key = java.nio.file.Files.readAllBytes(pki.resolve("pos1.key.pem"));
    assertThat(new String(key, java.nio.charset.StandardCharsets.US_ASCII))
        .startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    assertThat(Pem.rsaKeyPair(key, PASSPHRASE.toCharArray()).getPublic())
        .isEqualTo(Inputs.certificate(pki.resolve("pos1.crt.pem")).getPublicKey());
    // a CA's own files are not a leaf name
    assertOneLineError(
        cli("ca", "issue", "--dir", pki.toString(), "--role", "kdh", "--name", "root", "--force"),
        1,
        "is the name of one of the CAs' own files");
    // issuing the same name again would replace the key, even switch a terminal to a host
    assertOneLineError(
        cli("ca", "issue", "--dir", pki.toString(), "--role", "kdh", "--name", "pos1"),
        1,
        "already exists (use --force");
    assertThat(java.nio.file.Files.readAllBytes(pki.resolve("pos1.key.pem"))).isEqualTo(key);
    // a host refuses to serve with a certificate that is no KDH's
    assertOneLineError(
        cli("kdh", "serve", "--dir", pki.toString(), "--name", "pos1", "--port", "0"),
        1,
        "is not a usable KDH certificate");
    assertThat(
            cli(
                    "ca",
                    "issue",
                    "--dir",
                    pki.toString(),
                    "--role",
                    "kdh",
                    "--name",
                    "pos1",
                    "--force")
                .exit())
        .isZero();
    assertThat(java.nio.file.Files.readAllBytes(pki.resolve("pos1.key.pem"))).isNotEqualTo(key);
  }

  @Test
  void byHand_caHostTerminalRevocation(@TempDir Path dir) throws Exception {
    String pki = dir.resolve("pki").toString();
    assertThat(cli("ca", "init", "--dir", pki).exit()).isZero();
    for (String f :
        new String[] {
          "root.crt.pem",
          "kdh-ca.crt.pem",
          "krd-ca.crt.pem",
          "kdh-ca.crl.pem",
          "krd-ca.crl.pem",
          "root.key.pem"
        }) {
      assertThat(dir.resolve("pki").resolve(f)).isRegularFile();
    }
    assertOneLineError(cli("ca", "init", "--dir", pki), 1, "already exists");
    assertThat(cli("ca", "issue", "--dir", pki, "--role", "kdh", "--name", "host1").exit())
        .isZero();
    assertThat(cli("ca", "issue", "--dir", pki, "--role", "krd", "--name", "pos1").exit()).isZero();
    assertThat(dir.resolve("pki/pos1.key.pem")).isRegularFile();

    // a CSR whose key never leaves its holder: no key file is written
    BcCryptoProvider crypto = new BcCryptoProvider();
    var key = crypto.generateRsaKeyPair(2048, "pos2");
    byte[] csr = CertificationRequests.create(crypto, key, new X500Principal("CN=pos2"));
    Files.writeString(
        dir.resolve("pos2.csr"),
        "-----BEGIN CERTIFICATE REQUEST-----\n"
            + Base64.getMimeEncoder().encodeToString(csr)
            + "\n-----END CERTIFICATE REQUEST-----\n");
    assertThat(
            cli(
                    "ca",
                    "issue",
                    "--dir",
                    pki,
                    "--role",
                    "krd",
                    "--name",
                    "pos2",
                    "--csr",
                    dir.resolve("pos2.csr").toString())
                .exit())
        .isZero();
    assertThat(dir.resolve("pki/pos2.crt.pem")).isRegularFile();
    assertThat(dir.resolve("pki/pos2.key.pem")).doesNotExist();

    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    KdhCommand.Serve.stop = new CountDownLatch(1);
    ExecutorService bg = Executors.newSingleThreadExecutor();
    final int p = port;
    Future<Run> serving =
        bg.submit(
            () ->
                cli("kdh", "serve", "--dir", pki, "--name", "host1", "--port", String.valueOf(p)));
    try {
      Run fetch = null;
      for (int i = 0; i < 50; i++) { // wait for the server to listen
        fetch = cli("krd", "fetch", "--dir", pki, "--name", "pos1", "--port", String.valueOf(port));
        if (!fetch.err().contains("cannot connect")) {
          break;
        }
        Thread.sleep(100);
      }
      assertThat(fetch.exit()).as(fetch.err()).isZero();
      assertThat(fetch.out())
          .contains("header=A0000K0TB00E0000")
          .containsPattern("kcv=[0-9A-F]{6}");
      // the terminal's state is kept between runs: the second run starts bound, with its key
      Path state = dir.resolve("pki/pos1.terminal");
      assertThat(fetch.out()).contains("terminal state: " + state + " (not bound, 0 keys)");
      Run again =
          cli("krd", "fetch", "--dir", pki, "--name", "pos1", "--port", String.valueOf(port));
      assertThat(again.exit()).as(again.err()).isZero();
      assertThat(again.out())
          .contains("terminal state: " + state + " (bound to CN=host1", ", 1 key)")
          .contains("header=A0000K0TB00E0000");
      assertThat(state.resolve("keys.sealed")).isRegularFile();
      if (Files.getFileStore(state).supportsFileAttributeView("posix")) {
        assertThat(
                java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(state)))
            .isEqualTo("rwx------");
      }

      assertThat(
              cli(
                      "ca",
                      "revoke",
                      "--dir",
                      pki,
                      "--cert",
                      dir.resolve("pki/pos1.crt.pem").toString())
                  .exit())
          .isZero();
      assertOneLineError(
          cli("krd", "fetch", "--dir", pki, "--name", "pos1", "--port", String.valueOf(port)),
          1,
          "PEER_REFUSED_CERTIFICATE"); // the exact reason stays with the host (see below)
      assertOneLineError(
          cli("krd", "fetch", "--dir", pki, "--name", "host1", "--port", String.valueOf(port)),
          1,
          "PEER_REFUSED_CERTIFICATE");
    } finally {
      KdhCommand.Serve.stop.countDown();
    }
    Run served = serving.get();
    bg.shutdown();
    assertThat(served.exit()).isZero();
    assertThat(served.out()).contains(" OK CN=pos1,OU=KRD", " FAILED CERTIFICATE_REVOKED");
  }

  @Test
  void passphrase_fileThenEnvironmentThenConsole_elseRefused(@TempDir Path dir) throws Exception {
    String pki = dir.resolve("pki").toString();
    Path file = dir.resolve("pass.txt");
    Files.writeString(file, "from the file\nnot this line\n");
    PassphraseOption.environment = n -> null;
    // nothing given and no console: refused, naming both ways to give it
    assertOneLineError(
        cli("ca", "init", "--dir", pki),
        1,
        "give --passphrase-file FILE or set KEYTRANSFER_PASSPHRASE");
    assertThat(dir.resolve("pki")).doesNotExist();
    assertThat(cli("ca", "init", "--dir", pki, "--passphrase-file", file.toString()).exit())
        .isZero();
    assertThat(
            Pem.rsaKeyPair(
                Files.readAllBytes(Path.of(pki, "root.key.pem")), chars("from the file")))
        .isNotNull();
    // the environment, when there is no file
    PassphraseOption.environment = n -> n.equals("KEYTRANSFER_PASSPHRASE") ? "from the file" : null;
    assertThat(cli("ca", "issue", "--dir", pki, "--role", "krd", "--name", "pos1").exit()).isZero();
    // the console, when there is neither
    PassphraseOption.environment = n -> null;
    List<String> prompts = new ArrayList<>();
    PassphraseOption.console =
        prompt -> {
          prompts.add(prompt);
          return chars("from the file");
        };
    assertThat(cli("ca", "issue", "--dir", pki, "--role", "kdh", "--name", "host1").exit())
        .isZero();
    assertThat(prompts).containsExactly("Passphrase for the keys in " + pki + ": ");
    // a new CA asks twice and refuses two different answers
    Iterator<String> answers = List.of("one", "two").iterator();
    PassphraseOption.console = prompt -> chars(answers.next());
    assertOneLineError(
        cli("ca", "init", "--dir", dir.resolve("other").toString()),
        1,
        "the two passphrases differ");

    // the file comes before the environment; a wrong passphrase is a one-line error everywhere
    PassphraseOption.environment = n -> n.equals("KEYTRANSFER_PASSPHRASE") ? "from the file" : null;
    PassphraseOption.console = prompt -> null;
    Files.writeString(dir.resolve("wrong.txt"), "not the passphrase\n");
    String wrong = dir.resolve("wrong.txt").toString();
    String[][] commands = {
      {"ca", "issue", "--dir", pki, "--role", "krd", "--name", "pos2"},
      {"ca", "issue", "--dir", pki, "--role", "krd", "--name", "pos1", "--force"},
      {"ca", "revoke", "--dir", pki, "--cert", pki + "/pos1.crt.pem"},
      {"ca", "crl", "--dir", pki},
      {"kdh", "serve", "--dir", pki, "--name", "host1", "--port", "0"},
      {"krd", "fetch", "--dir", pki, "--name", "pos1", "--port", "1"},
      {
        "token",
        "build",
        "--kdh-key",
        pki + "/host1.key.pem",
        "--kdh-cert",
        pki + "/host1.crt.pem",
        "--krd-cert",
        pki + "/pos1.crt.pem",
        "--key",
        "0123456789ABCDEFFEDCBA9876543210",
        "--header",
        "A0000K0TB00E0000",
        "--nonce",
        "167EB0E72781E4940112233445566778",
        "--out",
        dir.resolve("kt.der").toString()
      }
    };
    for (String[] command : commands) {
      List<String> args = new ArrayList<>(List.of(command));
      args.addAll(List.of("--passphrase-file", wrong));
      Run r = cli(args.toArray(new String[0]));
      assertOneLineError(r, 1, "wrong passphrase");
      assertThat(r.err() + r.out()).doesNotContain("not the passphrase", "from the file");
    }
    assertThat(dir.resolve("pki/pos2.crt.pem")).doesNotExist();
    assertThat(dir.resolve("kt.der")).doesNotExist();
    assertOneLineError(
        cli("ca", "crl", "--dir", pki, "--passphrase-file", dir.resolve("none").toString()),
        1,
        "--passphrase-file: no such file");
    Files.writeString(dir.resolve("empty.txt"), "\nsecond\n");
    assertOneLineError(
        cli("ca", "crl", "--dir", pki, "--passphrase-file", dir.resolve("empty.txt").toString()),
        1,
        "is empty");
    // and the right one from the file, whatever the environment says
    PassphraseOption.environment = n -> "not the passphrase";
    assertThat(cli("ca", "crl", "--dir", pki, "--passphrase-file", file.toString()).exit())
        .isZero();
    for (String command : List.of("init", "issue", "revoke", "crl")) {
      assertThat(cli("ca", command, "--help").out()).as(command).contains("--passphrase-file");
    }
    assertThat(cli("kdh", "serve", "--help").out()).contains("--passphrase-file");
    assertThat(cli("krd", "fetch", "--help").out()).contains("--passphrase-file");
    assertThat(cli("token", "open", "--help").out()).contains("--passphrase-file");
  }

  private static char[] chars(String s) {
    return s.toCharArray();
  }

  @Test
  void token_buildInspectOpen(@TempDir Path dir) throws Exception {
    String pki = dir.resolve("pki").toString();
    cli("ca", "init", "--dir", pki);
    cli("ca", "issue", "--dir", pki, "--role", "kdh", "--name", "host1");
    cli("ca", "issue", "--dir", pki, "--role", "krd", "--name", "pos1");
    String key = "0123456789ABCDEFFEDCBA9876543210";
    String nonce = "167EB0E72781E4940112233445566778";
    String token = dir.resolve("kt.der").toString();
    Run build =
        cli(
            "token",
            "build",
            "--kdh-key",
            pki + "/host1.key.pem",
            "--kdh-cert",
            pki + "/host1.crt.pem",
            "--krd-cert",
            pki + "/pos1.crt.pem",
            "--key",
            key,
            "--header",
            "A0000K0TB00E0000",
            "--nonce",
            nonce,
            "--crl",
            pki + "/root.crl.pem",
            "--crl",
            pki + "/kdh-ca.crl.pem",
            "--out",
            token);
    assertThat(build.exit()).as(build.err()).isZero();
    assertThat(build.out()).contains("kcv=08D7B4");

    Run inspect = cli("token", "inspect", token);
    assertThat(inspect.out())
        .contains("KT-KDH two-pass", "randomNonce = " + nonce, "A0000K0TB00E0000", "des-ede3-cbc")
        .doesNotContain(key);

    Files.writeString(
        dir.resolve("trust.pem"),
        Files.readString(Path.of(pki, "root.crt.pem"))
            + Files.readString(Path.of(pki, "kdh-ca.crt.pem")));
    Run open =
        cli(
            "token",
            "open",
            "--token",
            token,
            "--krd-key",
            pki + "/pos1.key.pem",
            "--kdh-cert",
            pki + "/host1.crt.pem",
            "--nonce",
            nonce,
            "--ca-cert",
            dir.resolve("trust.pem").toString());
    assertThat(open.exit()).as(open.err()).isZero();
    assertThat(open.out())
        .contains("kdh chain: valid", "header=A0000K0TB00E0000", "kcv=08D7B4")
        .doesNotContain(key);
    Run reveal =
        cli(
            "token",
            "open",
            "--token",
            token,
            "--krd-key",
            pki + "/pos1.key.pem",
            "--kdh-cert",
            pki + "/host1.crt.pem",
            "--reveal-key");
    assertThat(reveal.out()).contains("key=" + key);
    assertOneLineError(
        cli(
            "token",
            "open",
            "--token",
            token,
            "--krd-key",
            pki + "/pos1.key.pem",
            "--kdh-cert",
            pki + "/host1.crt.pem",
            "--nonce",
            "0011223344556677"),
        1,
        "NONCE_MISMATCH");
    assertOneLineError(
        cli(
            "token",
            "open",
            "--token",
            token,
            "--krd-key",
            pki + "/host1.key.pem",
            "--kdh-cert",
            pki + "/host1.crt.pem"),
        1,
        "KEY_TOKEN_INVALID");
    assertOneLineError(
        cli(
            "token",
            "open",
            "--token",
            token,
            "--krd-key",
            pki + "/pos1.key.pem",
            "--kdh-cert",
            pki + "/pos1.crt.pem"),
        1,
        "SIGNER_NOT_BOUND");
  }

  @Test
  void token_openCloverSample_withItsNonce() {
    Path dir =
        Path.of(
            System.getProperty("keytransfer.vectors", "../../shared/vectors"),
            "tr34-2019/supplementary/clover-generated");
    assumeTrue(Files.isDirectory(dir), "clover vectors not found at " + dir + "; skipping");
    Run r =
        cli(
            "token",
            "open",
            "--token",
            dir.resolve("clover_kt_kdh_2pass.der").toString(),
            "--krd-key",
            dir.resolve("clover_krd1.key.pem").toString(),
            "--kdh-cert",
            dir.resolve("clover_kdh1.crt.pem").toString(),
            "--nonce",
            "6E3BBE46AA7AD4A36F212D5E3444FBDD",
            "--reveal-key");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("header=D0000K1AD00N0000", "key=9BB0093732BE863471B4F3697BEBFE14");
  }

  @Test
  void token_everyType_buildInspectOpen(@TempDir Path dir) throws Exception {
    String pki = dir.resolve("pki").toString();
    cli("ca", "init", "--dir", pki);
    cli("ca", "issue", "--dir", pki, "--role", "kdh", "--name", "host1");
    cli("ca", "issue", "--dir", pki, "--role", "kdh", "--name", "host2");
    cli("ca", "issue", "--dir", pki, "--role", "krd", "--name", "pos1");
    String kdhKey = pki + "/host1.key.pem";
    String kdhCert = pki + "/host1.crt.pem";
    String krdCert = pki + "/pos1.crt.pem";
    String nonce = "7DEA1C00894E246A";
    String[][] builds = {
      {
        "kt1",
        "--kdh-key",
        kdhKey,
        "--kdh-cert",
        kdhCert,
        "--krd-cert",
        krdCert,
        "--key",
        "0123456789ABCDEFFEDCBA9876543210",
        "--header",
        "A0000K0TB00E0000",
        "--signing-time",
        "2020-02-10T19:13:53Z"
      },
      {
        "ubt-kdh",
        "--kdh-key",
        kdhKey,
        "--kdh-cert",
        kdhCert,
        "--krd-cert",
        krdCert,
        "--nonce",
        nonce,
        "--crl",
        pki + "/kdh-ca.crl.pem"
      },
      {
        "ubt-ca",
        "--authority-key",
        pki + "/krd-ca.key.pem",
        "--authority-cert",
        pki + "/krd-ca.crt.pem",
        "--krd-cert",
        krdCert,
        "--kdh-cert",
        kdhCert
      },
      {
        "rbt-kdh",
        "--kdh-key",
        kdhKey,
        "--kdh-cert",
        kdhCert,
        "--krd-cert",
        krdCert,
        "--nonce",
        nonce,
        "--new-kdh-cert",
        pki + "/host2.crt.pem",
        "--crl",
        pki + "/kdh-ca.crl.pem"
      },
      {
        "rbt-ca",
        "--authority-key",
        pki + "/krd-ca.key.pem",
        "--authority-cert",
        pki + "/krd-ca.crt.pem",
        "--krd-cert",
        krdCert,
        "--kdh-cert",
        kdhCert,
        "--new-kdh-cert",
        pki + "/host2.crt.pem",
        "--signing-time",
        "2012-01-31T13:22:14Z"
      }
    };
    String[] inspected = {
      "KT-KDH one-pass key token (TR-34 B.8)",
      "UBT-KDH unbind token (TR-34 B.14)",
      "UBT-CA unbind token (TR-34 B.13)",
      "RBT-KDH rebind token (TR-34 B.11)",
      "RBT-CA rebind token (TR-34 B.10)"
    };
    for (String profile : new String[] {"TR34_2019", "TR34_2012"}) {
      for (int i = 0; i < builds.length; i++) {
        String[] b = builds[i];
        String out = dir.resolve(b[0] + "-" + profile + ".der").toString();
        java.util.List<String> args =
            new java.util.ArrayList<>(
                java.util.List.of(
                    "token", "build", "--type", b[0], "--profile", profile, "--out", out));
        args.addAll(java.util.Arrays.asList(b).subList(1, b.length));
        Run build = cli(args.toArray(new String[0]));
        assertThat(build.exit()).as(b[0] + " " + build.err()).isZero();
        assertThat(build.out()).contains(profile);
        assertThat(cli("token", "inspect", out).out()).as(b[0]).contains("type: " + inspected[i]);

        String authority = pki + "/krd-ca.crt.pem";
        Run open =
            switch (b[0]) {
              case "kt1" ->
                  cli(
                      "token",
                      "open",
                      "--token",
                      out,
                      "--krd-key",
                      pki + "/pos1.key.pem",
                      "--kdh-cert",
                      kdhCert,
                      "--krd-cert",
                      krdCert);
              case "ubt-kdh", "rbt-kdh" ->
                  cli(
                      "token",
                      "open",
                      "--token",
                      out,
                      "--kdh-cert",
                      kdhCert,
                      "--nonce",
                      nonce,
                      "--krd-cert",
                      krdCert);
              default ->
                  cli(
                      "token",
                      "open",
                      "--token",
                      out,
                      "--kdh-cert",
                      kdhCert,
                      "--authority-cert",
                      authority,
                      "--krd-cert",
                      krdCert);
            };
        assertThat(open.exit()).as(b[0] + " " + open.err()).isZero();
        switch (b[0]) {
          case "kt1" ->
              assertThat(open.out())
                  .contains(
                      "type=KT-KDH one-pass key token",
                      "signingTime=2020-02-10T19:13:53Z",
                      "kcv=08D7B4");
          case "ubt-kdh" ->
              assertThat(open.out()).contains("type=UBT-KDH unbind token", "krd=", "kdh=");
          case "ubt-ca" ->
              assertThat(open.out())
                  .contains("type=UBT-CA unbind token", "signer=CN=key-transfer Root CA");
          case "rbt-kdh" ->
              assertThat(open.out()).contains("type=RBT-KDH rebind token", "new kdh=CN=host2");
          default ->
              assertThat(open.out())
                  .contains(
                      "type=RBT-CA rebind token",
                      "signingTime=2012-01-31T13:22:14Z",
                      "new kdh=CN=host2");
        }
      }
    }
    // the terminal's checks, each a one-line error
    String ubt = dir.resolve("ubt-kdh-TR34_2019.der").toString();
    assertOneLineError(
        cli("token", "open", "--token", ubt, "--kdh-cert", kdhCert, "--nonce", "0011223344556677"),
        1,
        "NONCE_MISMATCH");
    assertOneLineError(
        cli("token", "open", "--token", ubt, "--kdh-cert", pki + "/host2.crt.pem"),
        1,
        "SIGNER_NOT_BOUND");
    assertOneLineError(
        cli("token", "open", "--token", ubt, "--kdh-cert", kdhCert, "--krd-cert", kdhCert),
        1,
        "addressed to");
    String ubtCa = dir.resolve("ubt-ca-TR34_2019.der").toString();
    assertOneLineError(
        cli("token", "open", "--token", ubtCa, "--kdh-cert", kdhCert), 2, "'--authority-cert'");
    assertOneLineError(
        cli(
            "token",
            "open",
            "--token",
            ubtCa,
            "--kdh-cert",
            pki + "/host2.crt.pem",
            "--authority-cert",
            pki + "/krd-ca.crt.pem"),
        1,
        "not --kdh-cert");
    assertOneLineError(
        cli(
            "token",
            "open",
            "--token",
            dir.resolve("kt1-TR34_2019.der").toString(),
            "--kdh-cert",
            kdhCert),
        2,
        "'--krd-key'");
    // per-type usage errors
    assertOneLineError(
        cli("token", "build", "--type", "ubt-ca", "--out", dir.resolve("x.der").toString()),
        2,
        "Missing required options for --type ubt-ca: '--authority-key', '--authority-cert',"
            + " '--krd-cert', '--kdh-cert'");
    assertOneLineError(
        cli("token", "build", "--type", "kt3", "--out", dir.resolve("x.der").toString()),
        2,
        "--type must be one of");
    assertOneLineError(
        cli("token", "build", "--out", dir.resolve("x.der").toString()), 2, "for --type kt2");
  }

  @Test
  void token_tr34_2012Profile_hasTheAwsLayout(@TempDir Path dir) throws Exception {
    String pki = dir.resolve("pki").toString();
    cli("ca", "init", "--dir", pki);
    cli("ca", "issue", "--dir", pki, "--role", "kdh", "--name", "host1");
    cli("ca", "issue", "--dir", pki, "--role", "krd", "--name", "pos1");
    String token = dir.resolve("aws.der").toString();
    Run build =
        cli(
            "token",
            "build",
            "--profile",
            "TR34_2012",
            "--kdh-key",
            pki + "/host1.key.pem",
            "--kdh-cert",
            pki + "/host1.crt.pem",
            "--krd-cert",
            pki + "/pos1.crt.pem",
            "--key",
            "0123456789ABCDEFFEDCBA9876543210",
            "--header",
            "D9999K0TB00E0000",
            "--nonce",
            "7DEA1C00894E246A",
            "--crl",
            pki + "/kdh-ca.crl.pem",
            "--out",
            token);
    assertThat(build.exit()).as(build.err()).isZero();
    assertThat(cli("token", "inspect", token).out())
        .contains(
            "SignedData version: 1",
            "envelope: EnvelopedData fields without their SEQUENCE (TR-34-2012 / AWS layout)",
            "parameters untagged",
            "inside the algorithm SEQUENCE")
        .doesNotContain("CRL:");
    Run open =
        cli(
            "token",
            "open",
            "--token",
            token,
            "--krd-key",
            pki + "/pos1.key.pem",
            "--kdh-cert",
            pki + "/host1.crt.pem",
            "--nonce",
            "7DEA1C00894E246A",
            "--reveal-key");
    assertThat(open.out())
        .contains("header=D9999K0TB00E0000", "key=0123456789ABCDEFFEDCBA9876543210");
  }

  @Test
  void token_inspectAnnexBUnbindAndRebindSamples() {
    Path dir =
        Path.of(
            System.getProperty("keytransfer.vectors", "../../shared/vectors"), "tr34-2019/tokens");
    assumeTrue(Files.isDirectory(dir), "TR-34 vectors not found at " + dir + "; skipping");
    assertThat(cli("token", "inspect", dir.resolve("B.10_rbt_ca_unbind.der").toString()).out())
        .contains(
            "type: RBT-CA rebind token (TR-34 B.10)",
            "without its SEQUENCE",
            "new KDH certificate: CN=TR34 Sample KDH 2",
            "read through tolerance: [REBIND_CONTENT_WITHOUT_SEQUENCE]");
    assertThat(cli("token", "inspect", dir.resolve("B.11_rbt_kdh.der").toString()).out())
        .contains("type: RBT-KDH rebind token (TR-34 B.11)", "randomNonce = 7DEA1C00894E246A");
    assertThat(cli("token", "inspect", dir.resolve("B.13_ubt_ca_unbind.der").toString()).out())
        .contains(
            "type: UBT-CA unbind token (TR-34 B.13)", "no signed attributes", "content: KRD ");
    assertThat(cli("token", "inspect", dir.resolve("B.14_ubt_kdh.der").toString()).out())
        .contains("type: UBT-KDH unbind token (TR-34 B.14)", "revoked serial 3400000008");
    assertOneLineError(
        cli("token", "inspect", dir.resolve("B.6_ct_kdh.der").toString()), 1, "MALFORMED_TOKEN");
  }
}
