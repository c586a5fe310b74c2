package dev.keytransfer.crypto.accp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Where ACCP's native library cannot load, construction fails with one line naming the platform and
 * the cause. Runs on every platform: the second case makes ACCP skip its bundled library in a JVM
 * of its own, as on an OS or architecture it has no library for.
 */
class AccpUnavailableTest {
  @Test
  void unavailable_oneLine_cryptoFailure_causeKept() {
    UnsatisfiedLinkError cause =
        new UnsatisfiedLinkError(
            "/tmp/libamazonCorrettoCryptoProvider.so: cannot open shared object file\n"
                + "  (wrong ELF)");
    KeyTransferException e = AccpCryptoProvider.unavailable(cause);
    assertThat(e.code()).isEqualTo(ErrorCode.CRYPTO_FAILURE);
    assertThat(e.getMessage())
        .doesNotContain("\n")
        .startsWith("the Amazon Corretto Crypto Provider cannot run in this JVM (")
        .contains("Linux x86_64 and aarch64 only): ")
        .contains("UnsatisfiedLinkError: /tmp/libamazonCorrettoCryptoProvider.so: cannot open");
    assertThat(e.getCause()).isSameAs(cause);
  }

  @Test
  void nativeLibraryMissing_constructionFailsWithOneLine() throws Exception {
    Process p =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dcom.amazon.corretto.crypto.provider.useExternalLib=true",
                    "-cp",
                    System.getProperty("java.class.path"),
                    Probe.class.getName()))
            .redirectErrorStream(true)
            .start();
    String out = read(p);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(out.strip())
        .startsWith("CRYPTO_FAILURE the Amazon Corretto Crypto Provider cannot run in this JVM (")
        .doesNotContain("\n");
    assertThat(p.exitValue()).isEqualTo(3);
  }

  private static String read(Process p) throws IOException {
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  /** Constructs the provider and prints the failure's code and message, in the child JVM. */
  public static final class Probe {
    public static void main(String[] args) {
      try {
        new AccpCryptoProvider();
        System.out.println("constructed");
        System.exit(0);
      } catch (KeyTransferException e) {
        System.out.println(e.code() + " " + e.getMessage());
        System.exit(3);
      }
    }
  }
}
