package dev.keytransfer.core;

import dev.keytransfer.core.internal.Hex;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A key check value (docs/KEYBLOCKS.md; docs/SECURITY.md K3): TDES keys use the legacy method
 * (TDES-ECB of a zero block, 3 bytes), AES keys the CMAC method (AES-CMAC of a zero block, 5
 * bytes). Compared in constant time.
 */
public final class KeyCheckValue {
  /** How the value was computed. */
  public enum Method {
    /** Encrypt 8 zero bytes under the TDES key, keep the leftmost 3 bytes. */
    LEGACY_TDES(3, 0),
    /** CMAC of 16 zero bytes under the AES key, keep the leftmost 5 bytes (X9.143 KC/KP). */
    CMAC_AES(5, 1),
    /** CMAC of 8 zero bytes under the TDES key, keep the leftmost 5 bytes (X9.143 KC/KP). */
    CMAC_TDES(5, 2);

    private final int length;
    private final int wireValue;

    Method(int length, int wireValue) {
      this.length = length;
      this.wireValue = wireValue;
    }

    /**
     * The byte that names this method in the KEY_INSTALLED, KEY_CONFIRMED, PENDING_KEY and
     * WORKING_KEYS_INSTALLED frames (docs/PROTOCOL.md); fixed, whatever the declaration order.
     */
    public int wireValue() {
      return wireValue;
    }

    /** The method a frame names, or null for a value no method has. */
    public static Method fromWireValue(int value) {
      for (Method m : values()) {
        if (m.wireValue == value) {
          return m;
        }
      }
      return null;
    }

    /** Number of bytes kept. */
    public int length() {
      return length;
    }
  }

  private final Method method;
  private final byte[] value;

  private KeyCheckValue(Method method, byte[] value) {
    this.method = method;
    this.value = value;
  }

  /** A KCV; {@code value} must have exactly the method's length. */
  public static KeyCheckValue of(Method method, byte[] value) {
    if (method == null || value == null || value.length != method.length()) {
      throw new IllegalArgumentException("KCV length does not fit its method");
    }
    return new KeyCheckValue(method, value.clone());
  }

  public Method method() {
    return method;
  }

  public byte[] bytes() {
    return value.clone();
  }

  public String hex() {
    return Hex.encode(value);
  }

  /** Constant-time comparison of method and value (R4). */
  public boolean matches(KeyCheckValue other) {
    return other != null && other.method == method && MessageDigest.isEqual(value, other.value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyCheckValue k && matches(k);
  }

  @Override
  public int hashCode() {
    return method.hashCode() * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return hex();
  }
}
