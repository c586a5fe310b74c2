package dev.keytransfer.examples.cli;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.tls.TlsSettings;
import dev.keytransfer.crypto.Pem;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The TLS options of {@code kdh serve} and {@code krd fetch} (docs/SECURITY.md A3): options that
 * need each other are a usage error (exit 2) when one is missing; the files are read as {@link
 * Inputs} reads every file (exit 1 with the reason, naming the option), an encrypted key with the
 * passphrase the tool uses for every key.
 */
final class TlsOptions {
  private TlsOptions() {}

  /**
   * The host's TLS: null without {@code --tls-cert}; a client certificate is required when {@code
   * clientCa} is given.
   */
  static TlsSettings server(
      CommandSpec spec, Path cert, Path key, Path clientCa, PassphraseOption passphrase) {
    if (cert == null && key == null) {
      if (clientCa != null) {
        throw new ParameterException(
            spec.commandLine(), "--tls-client-ca needs --tls-cert and --tls-key");
      }
      return null;
    }
    requireBoth(spec, cert, key);
    TlsSettings.Builder b = identity(cert, key, passphrase);
    if (clientCa != null) {
      b.trust(certificates(clientCa, "--tls-client-ca"));
    }
    return b.build();
  }

  /**
   * The terminal's TLS: null without {@code --tls-ca}; with {@code --tls-cert} and {@code
   * --tls-key} it presents a client certificate.
   */
  static TlsSettings client(
      CommandSpec spec, Path ca, Path cert, Path key, PassphraseOption passphrase) {
    if (ca == null) {
      if (cert != null || key != null) {
        throw new ParameterException(
            spec.commandLine(),
            "--tls-cert and --tls-key need --tls-ca (the CA of the host's TLS certificate)");
      }
      return null;
    }
    TlsSettings.Builder b = TlsSettings.builder();
    if (cert != null || key != null) {
      requireBoth(spec, cert, key);
      b = identity(cert, key, passphrase);
    }
    return b.trust(certificates(ca, "--tls-ca")).build();
  }

  private static void requireBoth(CommandSpec spec, Path cert, Path key) {
    if (cert == null || key == null) {
      throw new ParameterException(
          spec.commandLine(), "--tls-cert and --tls-key go together: give both");
    }
  }

  private static TlsSettings.Builder identity(Path cert, Path key, PassphraseOption passphrase) {
    List<X509Certificate> chain = certificates(cert, "--tls-cert");
    PrivateKey k = privateKey(key, passphrase);
    try {
      return TlsSettings.builder().identity(k, chain);
    } catch (IllegalArgumentException e) {
      throw new CliException("--tls-key: " + key + ": " + e.getMessage() + " (" + cert + ")");
    }
  }

  private static List<X509Certificate> certificates(Path f, String option) {
    try {
      return Pem.certificates(Inputs.read(f, option));
    } catch (KeyTransferException e) {
      throw new CliException(option + ": " + f + ": " + e.getMessage());
    }
  }

  /** The TLS key, decrypted with the passphrase if it is encrypted; buffers wiped after. */
  private static PrivateKey privateKey(Path f, PassphraseOption passphrase) {
    byte[] pem = Inputs.read(f, "--tls-key");
    char[] p = null;
    try {
      if (!Pem.isEncryptedPrivateKey(pem)) {
        return Pem.rsaKeyPair(pem).getPrivate();
      }
      p = passphrase.read(f.toString(), false);
      return Pem.rsaKeyPair(pem, p).getPrivate();
    } catch (KeyTransferException | UnrecoverableKeyException e) {
      throw new CliException("--tls-key: " + f + ": " + e.getMessage());
    } finally {
      PassphraseOption.wipe(p);
      Arrays.fill(pem, (byte) 0);
    }
  }

  /** How the serving line describes the TLS of the host. */
  static String describe(TlsSettings tls) {
    if (tls == null) {
      return "";
    }
    return tls.requiresClientCertificate()
        ? " over TLS 1.3, client certificates required"
        : " over TLS 1.3";
  }
}
