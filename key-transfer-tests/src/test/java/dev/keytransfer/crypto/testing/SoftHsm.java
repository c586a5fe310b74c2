package dev.keytransfer.crypto.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.crypto.pkcs11.Pkcs11Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A fresh SoftHSM2 token for the PKCS#11 tests, created once per test JVM in a temporary directory.
 *
 * <p>SoftHSM reads its configuration file from {@code SOFTHSM2_CONF} when the module is
 * initialised, and a JVM cannot change its own environment, so the build sets that variable for the
 * test JVM (surefire {@code environmentVariables}: {@code target/softhsm/softhsm2.conf}); this
 * class writes that file, pointing {@code directories.tokendir} at a new temporary directory, and
 * runs {@code softhsm2-util --init-token --free} before the first test opens the module. The
 * directory is deleted when the JVM exits.
 *
 * <p>Where SoftHSM is not installed the calling test is skipped with a message; under CI ({@code
 * CI=true}, where {@code .ci/run} installs the {@code softhsm2} package) it fails instead, so the
 * PKCS#11 run can never be skipped silently there.
 */
public final class SoftHsm {
  /** Debian's SoftHSM2 module. */
  public static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");

  public static final String TOKEN_LABEL = "key-transfer-test";
  private static final String USER_PIN = "1234-test";
  private static final String SO_PIN = "5678-test-so";

  private static Pkcs11Config config;

  private SoftHsm() {}

  /**
   * The configuration of the test token, creating the token on first use; skips the test without
   * SoftHSM.
   */
  public static synchronized Pkcs11Config token() {
    if (config != null) {
      return config;
    }
    boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
    String conf = System.getenv("SOFTHSM2_CONF");
    String missing =
        !Files.isReadable(LIBRARY)
            ? "SoftHSM2 is not installed (" + LIBRARY + "; apt-get install softhsm2)"
            : conf == null
                ? "SOFTHSM2_CONF is not set for the test JVM (the Maven build sets it)"
                : null;
    if (ci) {
      assertTrue(missing == null, missing + ": the PKCS#11 tests must run under CI");
    } else {
      assumeTrue(missing == null, missing + "; skipping the PKCS#11 tests");
    }
    try {
      Path confFile = Path.of(conf).toAbsolutePath();
      Files.createDirectories(confFile.getParent());
      Path tokens = Files.createTempDirectory(confFile.getParent(), "tokens-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(tokens)));
      Files.writeString(
          confFile,
          "# written by the key-transfer tests (SoftHsm.java)\n"
              + "directories.tokendir = "
              + tokens
              + "\n"
              + "objectstore.backend = file\n"
              + "log.level = ERROR\n"
              + "slots.removable = false\n",
          StandardCharsets.UTF_8);
      run(
          List.of(
              "softhsm2-util",
              "--init-token",
              "--free",
              "--label",
              TOKEN_LABEL,
              "--so-pin",
              SO_PIN,
              "--pin",
              USER_PIN),
          confFile);
      config =
          Pkcs11Config.builder()
              .library(LIBRARY)
              .tokenLabel(TOKEN_LABEL)
              .pin(USER_PIN.toCharArray())
              .build();
      return config;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void run(List<String> command, Path confFile) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("SOFTHSM2_CONF", confFile.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("softhsm2-util failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running softhsm2-util", e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort at JVM exit; the directory is under target/
    }
  }
}
