package dev.keytransfer.core;

import dev.keytransfer.core.internal.Hex;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The KRD's random number (TR-34 B.12, attribute pkcs-9-at-randomNonce), 8 to 16 bytes. Not a
 * secret, but compared in constant time (docs/SECURITY.md R4).
 */
public final class Nonce {
  /** Shortest nonce accepted (TR-34 samples B.11/B.14 and AWS use 8 bytes). */
  public static final int MIN_LENGTH = 8;

  /** Longest nonce accepted (TR-34 B.12 uses 16 bytes). */
  public static final int MAX_LENGTH = 16;

  private final byte[] value;

  private Nonce(byte[] value) {
    this.value = value;
  }

  /**
   * A nonce of the given bytes.
   *
   * @throws MalformedTokenException if the length is outside 8..16 bytes
   */
  public static Nonce of(byte[] value) throws MalformedTokenException {
    if (value == null || value.length < MIN_LENGTH || value.length > MAX_LENGTH) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_TOKEN,
          "nonce must be "
              + MIN_LENGTH
              + " to "
              + MAX_LENGTH
              + " bytes, got "
              + (value == null ? "none" : value.length));
    }
    return new Nonce(value.clone());
  }

  /**
   * A fresh 16-byte nonce from the given CSPRNG with no zero byte, as the ECDH mode's shared
   * information requires (docs/ECDH.md): each byte drawn uniformly from 1..255.
   */
  public static Nonce randomWithoutZeroBytes(SecureRandom random) {
    byte[] b = new byte[MAX_LENGTH];
    fillWithoutZeroBytes(random, b);
    return new Nonce(b);
  }

  /**
   * Fills {@code out} with bytes drawn uniformly from 1..255 (rejection sampling): one draw of the
   * whole buffer, then a single-byte redraw for each zero byte until it is not zero.
   */
  public static void fillWithoutZeroBytes(SecureRandom random, byte[] out) {
    random.nextBytes(out);
    byte[] one = null;
    for (int i = 0; i < out.length; i++) {
      while (out[i] == 0) {
        if (one == null) {
          one = new byte[1];
        }
        random.nextBytes(one);
        out[i] = one[0];
      }
    }
  }

  /** A fresh 16-byte nonce from the given CSPRNG. */
  public static Nonce random(SecureRandom random) {
    byte[] b = new byte[MAX_LENGTH];
    random.nextBytes(b);
    return new Nonce(b);
  }

  public byte[] bytes() {
    return value.clone();
  }

  public int length() {
    return value.length;
  }

  /** Constant-time comparison (R4). */
  public boolean matches(Nonce other) {
    return other != null && MessageDigest.isEqual(value, other.value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Nonce n && matches(n);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "Nonce[" + Hex.encode(value) + "]";
  }
}
