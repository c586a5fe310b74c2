package dev.keytransfer.crypto.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.crypto.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.util.Properties;

/**
 * The shared test vectors ({@code ../shared/vectors}, or the {@code keytransfer.vectors} system
 * property). Suites that need them skip with a message when the folder is absent. The TR-34 samples
 * are read in place and never copied into the repository (they are copyrighted).
 */
public final class Vectors {
  private Vectors() {}

  public static Path root() {
    String p = System.getProperty("keytransfer.vectors", "../../shared/vectors");
    return Path.of(p).toAbsolutePath().normalize();
  }

  /** The file, or the calling test is skipped with a message naming what is missing. */
  public static Path require(String relative) {
    Path f = root().resolve(relative);
    assumeTrue(
        Files.isRegularFile(f),
        "test vectors not found at " + f + " (set -Dkeytransfer.vectors=...); skipping");
    return f;
  }

  public static byte[] read(String relative) {
    try {
      return Files.readAllBytes(require(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static X509Certificate certificate(String relative) {
    try {
      return Pem.certificate(read(relative));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Annex B's KDH 1 certificate repeats its basicConstraints and keyUsage extensions, which the JDK
   * refuses ("Duplicate extensions not allowed"). This loads it through Bouncy Castle with BC's
   * {@code ignore_repeated_extensions} set for this thread only: a named test tolerance, not
   * product behaviour.
   */
  public static X509Certificate annexBKdh1() {
    byte[] der = derOf(read("tr34-2019/keys/B.2.1.5_kdh1.crt.pem"));
    Properties.setThreadOverride("org.bouncycastle.x509.ignore_repeated_extensions", true);
    try {
      return new JcaX509CertificateConverter()
          .setProvider(new BouncyCastleProvider())
          .getCertificate(new X509CertificateHolder(der));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      Properties.removeThreadOverride("org.bouncycastle.x509.ignore_repeated_extensions");
    }
  }

  private static byte[] derOf(byte[] pem) {
    String s =
        new String(pem, java.nio.charset.StandardCharsets.US_ASCII)
            .replaceAll("-----[A-Z ]+-----", "")
            .replaceAll("\\s", "");
    return java.util.Base64.getDecoder().decode(s);
  }
}
