package dev.keytransfer.crypto.pki;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.tls.TlsSettings;
import dev.keytransfer.crypto.Pem;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The PEM files of the optional TLS layer (docs/SECURITY.md A3), read through {@link Pem#readFile}
 * (at most 1 MiB, with the reason a file cannot be read) and {@link Pem} (DER limits, "Input
 * limits"):
 *
 * <pre>{@code
 * TlsSettings host = TlsFiles.identity(certFile, keyFile, passphrase)   // kdh: server-only TLS
 *     .trust(TlsFiles.certificates(clientCaFile))                       // + mutual TLS
 *     .build();
 * TlsSettings terminal = TlsSettings.builder().trust(TlsFiles.certificates(caFile)).build();
 * }</pre>
 */
public final class TlsFiles {
  private TlsFiles() {}

  /**
   * The certificates of a PEM (or DER) file: a chain leaf first, or the CA certificates to trust.
   */
  public static List<X509Certificate> certificates(Path file)
      throws IOException, MalformedTokenException {
    try {
      return Pem.certificates(Pem.readFile(file));
    } catch (MalformedTokenException e) {
      throw new MalformedTokenException(e.code(), file + ": " + e.getMessage());
    }
  }

  /**
   * An RSA private key from a PEM file; an encrypted one ("ENCRYPTED PRIVATE KEY", as {@code
   * keytransfer ca} writes them) is decrypted with {@code passphrase}, which the caller wipes.
   *
   * @param passphrase null if the key is known to be plain
   * @throws MalformedTokenException also for a wrong passphrase (the message says so, naming the
   *     file)
   */
  public static PrivateKey privateKey(Path file, char[] passphrase)
      throws IOException, MalformedTokenException {
    byte[] pem = Pem.readFile(file);
    try {
      return (passphrase == null ? Pem.rsaKeyPair(pem) : Pem.rsaKeyPair(pem, passphrase))
          .getPrivate();
    } catch (UnrecoverableKeyException e) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_TOKEN, file + ": wrong passphrase, or the key file is damaged");
    } catch (MalformedTokenException e) {
      throw new MalformedTokenException(e.code(), file + ": " + e.getMessage());
    }
  }

  /** True if the key file is encrypted, so a passphrase is needed. */
  public static boolean isEncrypted(Path keyFile) throws IOException {
    return Pem.isEncryptedPrivateKey(Pem.readFile(keyFile));
  }

  /**
   * A builder holding the identity of {@code certificateFile} (the chain, leaf first) and {@code
   * keyFile}.
   *
   * @throws MalformedTokenException if a file is not readable PEM, or the key is not the leaf's
   */
  public static TlsSettings.Builder identity(Path certificateFile, Path keyFile, char[] passphrase)
      throws IOException, MalformedTokenException {
    List<X509Certificate> chain = certificates(certificateFile);
    PrivateKey key = privateKey(keyFile, passphrase);
    try {
      return TlsSettings.builder().identity(key, chain);
    } catch (IllegalArgumentException e) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_TOKEN, keyFile + " and " + certificateFile + ": " + e.getMessage());
    }
  }
}
