package dev.keytransfer.crypto;

import dev.keytransfer.core.spi.PrivateKeyHandle;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Objects;

/**
 * A private key held in JVM memory by a software provider (Bouncy Castle or plain JCA). Use a
 * PKCS#11 provider to keep the key inside a token instead. Redacted {@code toString}.
 */
public final class SoftwareKeyHandle implements PrivateKeyHandle {
  private final String label;
  private final PublicKey publicKey;
  private final PrivateKey privateKey;

  private SoftwareKeyHandle(String label, PublicKey publicKey, PrivateKey privateKey) {
    this.label = Objects.requireNonNull(label, "label");
    this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
    this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
  }

  /** Wraps an existing software key pair, e.g. one loaded from a PKCS#8 file. */
  public static SoftwareKeyHandle of(KeyPair pair, String label) {
    return new SoftwareKeyHandle(label, pair.getPublic(), pair.getPrivate());
  }

  @Override
  public PublicKey publicKey() {
    return publicKey;
  }

  @Override
  public String label() {
    return label;
  }

  /** The private key, for software providers only. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  @Override
  public String toString() {
    return "SoftwareKeyHandle["
        + label
        + ", "
        + publicKey.getAlgorithm()
        + ", private key REDACTED]";
  }
}
