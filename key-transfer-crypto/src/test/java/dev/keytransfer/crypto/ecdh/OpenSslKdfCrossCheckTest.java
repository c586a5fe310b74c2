package dev.keytransfer.crypto.ecdh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.Algorithms.Hash;
import dev.keytransfer.core.spi.Algorithms.Kdf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link KeyDerivation} against OpenSSL 3's {@code openssl kdf} ({@code SSKDF} for SP 800-56C rev.
 * 2, {@code X963KDF} for X9.63): random Z, shared information (empty included) and lengths for
 * every hash, the same bytes from both. Skipped, with the reason, where no OpenSSL 3 is on the
 * PATH.
 */
class OpenSslKdfCrossCheckTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final int ROUNDS = 8;
  private static String skipReason;

  @BeforeAll
  static void findOpenSsl() {
    try {
      String version = run(List.of("openssl", "version")).trim();
      // "OpenSSL 3.0.19 27 Jan 2026 (Library: ...)": the kdf command exists from 3.0 on
      String[] words = version.split("\\s+");
      if (words.length < 2 || !words[0].equals("OpenSSL") || words[1].compareTo("3") < 0) {
        skipReason = "openssl on the PATH is not OpenSSL 3 (" + version + ")";
      } else {
        System.out.println("KDF cross-check against " + version);
      }
    } catch (IOException | RuntimeException e) {
      skipReason = "no openssl on the PATH (" + e.getMessage() + ")";
    }
  }

  @ParameterizedTest
  @EnumSource(Hash.class)
  void randomInputs_sameBytesAsOpenSsl(Hash hash) throws IOException {
    assumeTrue(skipReason == null, () -> "skipped: " + skipReason);
    Random rnd = new Random(0x4B44482L * 31 + hash.ordinal()); // reproducible; printed on failure
    for (Kdf kdf : Kdf.values()) {
      for (int round = 0; round < ROUNDS; round++) {
        byte[] z = new byte[1 + rnd.nextInt(80)];
        rnd.nextBytes(z);
        byte[] info = new byte[round == 0 ? 0 : rnd.nextInt(70)];
        rnd.nextBytes(info);
        int length =
            switch (round) {
              case 1 -> hash.length(); // exactly one block
              case 2 -> 3 * hash.length(); // exactly three
              default -> 1 + rnd.nextInt(4 * hash.length() + 7);
            };
        List<String> cmd = new ArrayList<>();
        cmd.addAll(List.of("openssl", "kdf", "-keylen", Integer.toString(length)));
        cmd.addAll(List.of("-kdfopt", "digest:" + openSslDigest(hash)));
        cmd.addAll(List.of("-kdfopt", "hexkey:" + HEX.formatHex(z)));
        if (info.length > 0) {
          cmd.addAll(List.of("-kdfopt", "hexinfo:" + HEX.formatHex(info)));
        }
        cmd.add(kdf == Kdf.NIST_SP800 ? "SSKDF" : "X963KDF");
        byte[] expected = parseHexOutput(run(cmd));
        try (SecretKeyMaterial zm = SecretKeyMaterial.copyOf(z);
            SecretKeyMaterial ours = KeyDerivation.derive(kdf, hash, zm, info, length)) {
          assertThat(expected)
              .as("openssl output length of %s", String.join(" ", cmd))
              .hasSize(length);
          assertThat(HEX.formatHex(ours.copyBytes()))
              .as(String.join(" ", cmd))
              .isEqualTo(HEX.formatHex(expected));
        }
      }
    }
  }

  private static String openSslDigest(Hash hash) {
    return switch (hash) {
      case SHA256 -> "SHA2-256";
      case SHA384 -> "SHA2-384";
      case SHA512 -> "SHA2-512";
    };
  }

  /**
   * {@code openssl kdf} prints the key as upper-case hex bytes separated by colons ("E5:67:...")
   * and a newline; anything but hex digits, colons and white space is an error.
   */
  static byte[] parseHexOutput(String out) {
    String s = out.strip();
    if (!s.matches("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})*")) {
      throw new IllegalStateException("unexpected openssl kdf output: " + out);
    }
    return HEX.parseHex(s.replace(":", ""));
  }

  private static String run(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(
            String.join(" ", cmd) + " failed: " + new String(out, StandardCharsets.UTF_8));
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      p.destroy();
    }
  }
}
