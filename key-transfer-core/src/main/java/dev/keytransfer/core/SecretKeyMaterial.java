package dev.keytransfer.core;

import java.security.MessageDigest;
import java.util.Arrays;
import javax.security.auth.Destroyable;

/**
 * Clear symmetric key bytes held in JVM memory: a transported key, or a content-encryption key.
 * Redacts itself in {@link #toString()}, compares in constant time, has no {@code equals} or {@code
 * hashCode}, and is wiped by {@link #destroy()} (docs/SECURITY.md K5, K6).
 *
 * <p>Not thread-safe for concurrent use and destroy. The creator owns the instance and destroys it.
 */
public final class SecretKeyMaterial implements Destroyable, AutoCloseable {
  private final byte[] key;
  private volatile boolean destroyed;

  private SecretKeyMaterial(byte[] key) {
    this.key = key;
  }

  /** Copies {@code key}; the caller still owns and should wipe its own array. */
  public static SecretKeyMaterial copyOf(byte[] key) {
    if (key == null || key.length == 0) {
      throw new IllegalArgumentException("key must not be empty");
    }
    return new SecretKeyMaterial(key.clone());
  }

  /** Takes ownership of {@code key} without copying: the array is wiped on {@link #destroy()}. */
  public static SecretKeyMaterial adopt(byte[] key) {
    if (key == null || key.length == 0) {
      throw new IllegalArgumentException("key must not be empty");
    }
    return new SecretKeyMaterial(key);
  }

  /** Length in bytes (not secret). */
  public int length() {
    return key.length;
  }

  /**
   * A copy of the key bytes, for a cryptographic operation. The caller must wipe it ({@code
   * Arrays.fill(b, (byte) 0)}) when done.
   *
   * @throws IllegalStateException after {@link #destroy()}
   */
  public byte[] copyBytes() {
    checkLive();
    return key.clone();
  }

  /** Constant-time comparison of the key bytes (R4). */
  public boolean equalsKey(SecretKeyMaterial other) {
    checkLive();
    return other != null && MessageDigest.isEqual(key, other.key);
  }

  /** A new, independent copy (the caller owns and destroys it). */
  public SecretKeyMaterial copy() {
    checkLive();
    return new SecretKeyMaterial(key.clone());
  }

  @Override
  public void destroy() {
    Arrays.fill(key, (byte) 0);
    destroyed = true;
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public void close() {
    destroy();
  }

  private void checkLive() {
    if (destroyed) {
      throw new IllegalStateException("key material has been destroyed");
    }
  }

  @Override
  public String toString() {
    return "SecretKeyMaterial[REDACTED, " + key.length + " bytes]";
  }
}
