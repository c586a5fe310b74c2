package dev.keytransfer.examples.cli;

import static dev.keytransfer.examples.cli.KeyMaterialCommandsTest.assertOneLineError;
import static dev.keytransfer.examples.cli.KeyMaterialCommandsTest.cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.examples.cli.KeyMaterialCommandsTest.Run;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the tool says to a wrong command line (exit 2) and to a file it cannot use (exit 1): one
 * line each, naming the option or the file and why, never a stack trace (docs/SECURITY.md, "Input
 * limits"; README, "The keytransfer tool").
 */
class UsageAndInputErrorsTest {
  private static final Function<String, String> ENVIRONMENT = PassphraseOption.environment;
  private static final PassphraseOption.Prompt CONSOLE = PassphraseOption.console;

  @BeforeEach
  void noPassphraseAnywhere() {
    PassphraseOption.environment = n -> null;
    PassphraseOption.console = prompt -> null;
  }

  @AfterEach
  void realEnvironment() {
    PassphraseOption.environment = ENVIRONMENT;
    PassphraseOption.console = CONSOLE;
  }

  private static Run kdhServe(String... options) {
    String[] base = {"kdh", "serve", "--dir", "/no/such/ca", "--name", "host1"};
    String[] all = new String[base.length + options.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(options, 0, all, base.length, options.length);
    return cli(all);
  }

  @Test
  void numbersOutOfRange_usageErrorBeforeAnythingIsRead() {
    // the CA directory does not exist: the options are refused before it is looked at
    assertOneLineError(kdhServe("--port", "99999"), 2, "--port must be 0 to 65535, not 99999");
    assertOneLineError(kdhServe("--port", "-1"), 2, "--port must be 0 to 65535, not -1");
    assertOneLineError(
        kdhServe("--port", "0", "--threads", "0"), 2, "--threads must be 1 to 1024, not 0");
    assertOneLineError(
        kdhServe("--port", "0", "--threads", "5000"), 2, "--threads must be 1 to 1024");
    assertOneLineError(
        kdhServe("--port", "0", "--step-timeout", "0"), 2, "--step-timeout must be 1 to 3600");
    assertOneLineError(
        kdhServe("--port", "0", "--expire-unconfirmed", "-5"),
        2,
        "--expire-unconfirmed must be 1 to 525600, not -5");
    assertOneLineError(
        kdhServe("--port", "0", "--max-keys-per-hour", "0"), 2, "--max-keys-per-hour must be 1");
    assertOneLineError(
        kdhServe("--port", "0", "--node-id", "x".repeat(65)), 2, "--node-id must be 1 to 64");
    assertOneLineError(
        kdhServe("--port", "0", "--session-timeout", "0"), 2, "--session-timeout must be 1");
    assertOneLineError(
        kdhServe("--port", "0", "--max-connections", "0"), 2, "--max-connections must be 1");
    assertOneLineError(
        kdhServe("--port", "0", "--max-connections-per-address", "-1"),
        2,
        "--max-connections-per-address must be 1");
    assertOneLineError(kdhServe("--port", "many"), 2, "--port");
    String[] fetch = {"krd", "fetch", "--dir", "/no/such/ca", "--name", "pos1", "--port"};
    assertOneLineError(cli(concat(fetch, "70000")), 2, "--port must be 1 to 65535, not 70000");
    assertOneLineError(cli(concat(fetch, "0")), 2, "--port must be 1 to 65535, not 0");
    assertOneLineError(
        cli(concat(fetch, "7000", "--timeout", "0")), 2, "--timeout must be 1 to 3600, not 0");
    assertOneLineError(
        cli(concat(fetch, "7000", "--session-timeout", "0")),
        2,
        "--session-timeout must be 1 to 86400, not 0");
    assertOneLineError(
        cli("bench", "--server-threads", "0", "--terminals", "1"),
        2,
        "--server-threads must be 1 to 1024, not 0");
    assertOneLineError(cli("bench", "--terminals", "-3"), 2, "terminal counts 1..5000");
    assertOneLineError(cli("bench", "--rounds", "-1"), 2, "--rounds >= 1");
    assertOneLineError(cli("demo", "--terminals", "-1"), 2, "--terminals must be between 1");
  }

  @Test
  void unknownNames_usageErrors() {
    assertOneLineError(cli("demo", "--transport", "pigeon"), 2, "--transport");
    assertOneLineError(cli("bench", "--transport", "pigeon"), 2, "--transport");
    assertOneLineError(
        cli("bench", "--ledger", "mongo", "--terminals", "1"),
        2,
        "--ledger is memory, h2 or a JDBC URL, not 'mongo'");
    assertOneLineError(
        cli("ca", "issue", "--dir", "/no/such/ca", "--role", "admin", "--name", "x"), 2, "--role");
    assertOneLineError(
        cli("token", "build", "--type", "kt3", "--out", "x.der"), 2, "--type must be one of");
    assertOneLineError(
        cli("token", "build", "--profile", "TR34_1999", "--out", "x.der"), 2, "--profile");
    assertOneLineError(cli("kcv", "--key", "00", "--method", "xor"), 2, "--method");
    assertOneLineError(cli("ledger", "list"), 2, "--dir");
  }

  @Test
  void unreadableFiles_sayWhy(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("missing.der");
    assertOneLineError(cli("token", "inspect", missing.toString()), 1, "no such file: " + missing);
    assertOneLineError(
        cli("token", "inspect", dir.toString()),
        1,
        "cannot read " + dir + ": is a directory, not a file");
    Path big = dir.resolve("big.pem");
    Files.write(big, new byte[(1 << 20) + 1]);
    assertOneLineError(
        cli("token", "inspect", big.toString()),
        1,
        "cannot read " + big + ": larger than the limit of 1048576 bytes");
    // the passphrase file, read before anything is created
    Path ca = dir.resolve("ca");
    assertOneLineError(
        cli("ca", "init", "--dir", ca.toString(), "--passphrase-file", dir.toString()),
        1,
        "--passphrase-file: cannot read " + dir + ": is a directory, not a file");
    assertOneLineError(
        cli("ca", "init", "--dir", ca.toString(), "--passphrase-file", missing.toString()),
        1,
        "--passphrase-file: no such file: " + missing);
    assertThat(ca).doesNotExist();
    // a file where the CA directory should be
    assertOneLineError(
        cli("krd", "fetch", "--dir", big.toString(), "--name", "pos1", "--port", "7000"),
        1,
        big + " is a file, not a certification authority's directory");
    // permission denied, as the JDK reports it for a file the process may not read
    assertThat(Inputs.unreadable(missing, new AccessDeniedException(missing.toString())))
        .isEqualTo("cannot read " + missing + ": permission denied");
  }

  @Test
  void fileWithoutReadPermission_permissionDenied(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("secret.der");
    Files.write(secret, new byte[] {0x30, 0x00});
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
    assumeTrue(!Files.isReadable(secret), "running as root, who reads every file: skipping");
    assertOneLineError(
        cli("token", "inspect", secret.toString()),
        1,
        "cannot read " + secret + ": permission denied");
  }

  @Test
  void deeplyNestedFiles_oneLineErrors(@TempDir Path dir) throws Exception {
    Path bomb = dir.resolve("nested.der");
    Files.write(bomb, nested(4000));
    Run inspect = cli("token", "inspect", bomb.toString());
    assertOneLineError(inspect, 1, "MALFORMED_TOKEN: token is nested deeper than 32 levels");
    Path pem = dir.resolve("nested.pem");
    Files.write(pem, pem("CERTIFICATE", nested(4000)));
    assertOneLineError(
        cli("token", "open", "--token", bomb.toString(), "--kdh-cert", pem.toString()),
        1,
        pem + ": certificate is nested deeper than 32 levels");
    // a CA refuses a nested request and a nested certificate to revoke
    Path ca = dir.resolve("ca");
    PassphraseOption.environment = n -> n.equals("KEYTRANSFER_PASSPHRASE") ? "nested" : null;
    assertThat(cli("ca", "init", "--dir", ca.toString()).exit()).isZero();
    assertOneLineError(
        cli(
            "ca",
            "issue",
            "--dir",
            ca.toString(),
            "--role",
            "krd",
            "--name",
            "pos1",
            "--csr",
            bomb.toString()),
        1,
        "CA_REQUEST_REFUSED: certification request refused: the request is nested deeper");
    assertOneLineError(
        cli("ca", "revoke", "--dir", ca.toString(), "--cert", pem.toString()),
        1,
        "certificate is nested deeper than 32 levels");
  }

  private static byte[] nested(int levels) {
    byte[] cur = {0x05, 0x00};
    for (int i = 0; i < levels; i++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(0x30);
      if (cur.length < 0x80) {
        out.write(cur.length);
      } else if (cur.length < 0x100) {
        out.write(0x81);
        out.write(cur.length);
      } else {
        out.write(0x82);
        out.write(cur.length >> 8);
        out.write(cur.length);
      }
      out.writeBytes(cur);
      cur = out.toByteArray();
    }
    return cur;
  }

  private static byte[] pem(String label, byte[] der) {
    return ("-----BEGIN "
            + label
            + "-----\n"
            + Base64.getMimeEncoder().encodeToString(der)
            + "\n-----END "
            + label
            + "-----\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
