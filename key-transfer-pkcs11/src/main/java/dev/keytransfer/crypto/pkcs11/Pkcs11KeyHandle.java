package dev.keytransfer.crypto.pkcs11;

import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.KeyPurpose;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Objects;

/**
 * A private key that lives in a PKCS#11 token: the object handles of the private and public key
 * objects, the public key (RSA, or EC on one of {@link Algorithms.Curve}), and what the key is for.
 * The private key is {@code CKA_SENSITIVE}, not {@code CKA_EXTRACTABLE}, and has no wrap/unwrap
 * role (docs/SECURITY.md K4); the handle holds no key bytes. Valid for the {@link
 * Pkcs11CryptoProvider} that made or found it (and any other provider logged in to the same token)
 * until {@link Pkcs11CryptoProvider#destroyKey} or the provider's close. Immutable; redacted {@code
 * toString}.
 */
public final class Pkcs11KeyHandle implements PrivateKeyHandle {
  private final TokenConnection connection;
  private final long privateObject;
  private final long publicObject;
  private final String label;
  private final PublicKey publicKey;
  private final Algorithms.Curve curve;
  private final KeyPurpose purpose;

  Pkcs11KeyHandle(
      TokenConnection connection,
      long privateObject,
      long publicObject,
      String label,
      PublicKey publicKey,
      KeyPurpose purpose) {
    this.connection = Objects.requireNonNull(connection, "connection");
    this.privateObject = privateObject;
    this.publicObject = publicObject;
    this.label = Objects.requireNonNull(label, "label");
    this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
    if (!(publicKey instanceof RSAPublicKey)) {
      this.curve = Algorithms.Curve.of(publicKey);
      if (curve == null) {
        throw new IllegalArgumentException("neither an RSA key nor an EC key on a supported curve");
      }
    } else {
      this.curve = null;
    }
    this.purpose = Objects.requireNonNull(purpose, "purpose");
  }

  @Override
  public PublicKey publicKey() {
    return publicKey;
  }

  /** The curve of an EC key, or null for an RSA key. */
  public Algorithms.Curve curve() {
    return curve;
  }

  @Override
  public String label() {
    return label;
  }

  /**
   * What the token lets this key do: sign only, decrypt (and sign its own certification request),
   * derive (and sign its own certification request), or sign and derive.
   */
  public KeyPurpose purpose() {
    return purpose;
  }

  /** The modulus length in bytes (the length of every RSA block for this key); -1 for EC. */
  int modulusBytes() {
    return publicKey instanceof RSAPublicKey rsa ? (rsa.getModulus().bitLength() + 7) / 8 : -1;
  }

  TokenConnection connection() {
    return connection;
  }

  long privateObject() {
    return privateObject;
  }

  /** The public key object, or -1 if the token holds none. */
  long publicObject() {
    return publicObject;
  }

  @Override
  public String toString() {
    return "Pkcs11KeyHandle["
        + label
        + (curve == null
            ? ", RSA-" + ((RSAPublicKey) publicKey).getModulus().bitLength()
            : ", EC-" + curve)
        + ", "
        + purpose
        + ", slot "
        + connection.slotId()
        + ", private key in token]";
  }
}
