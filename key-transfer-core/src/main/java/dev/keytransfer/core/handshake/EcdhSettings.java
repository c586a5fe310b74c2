package dev.keytransfer.core.handshake;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.NonceMismatchException;
import dev.keytransfer.core.spi.Algorithms;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The host's choices in the ECDH mode (docs/ECDH.md): the key derivation function, its hash (null:
 * the hash of the host's curve), and the memory of the terminals' fresh values, so that a value
 * seen before is refused ({@code SHARED_INFO_REUSED}). One instance per host, shared by its
 * sessions; thread-safe.
 */
public final class EcdhSettings {
  /** The length of each party's fresh value, in bytes. */
  public static final int FRESH_VALUE_LENGTH = 16;

  /** The default memory of fresh values. */
  public static final int DEFAULT_REMEMBERED = 1 << 16;

  private final Algorithms.Kdf kdf;
  private final Algorithms.Hash hash;
  private final Seen seen;

  /**
   * @param kdf the KDF (AWS Payment Cryptography {@code KeyDerivationFunction})
   * @param hash the KDF's hash ({@code KeyDerivationHashAlgorithm}); null: the curve's
   * @param remembered how many of the latest terminal fresh values are remembered (at least 1)
   */
  public EcdhSettings(Algorithms.Kdf kdf, Algorithms.Hash hash, int remembered) {
    this.kdf = Objects.requireNonNull(kdf, "kdf");
    this.hash = hash;
    this.seen = new Seen(remembered);
  }

  public Algorithms.Kdf kdf() {
    return kdf;
  }

  /** The memory of the terminals' fresh values. */
  Seen seen() {
    return seen;
  }

  @Override
  public String toString() {
    return "EcdhSettings[" + kdf + "/" + (hash == null ? "curve hash" : hash) + "]";
  }

  /** NIST SP 800-56C one-step with the curve's hash; the default memory. */
  public static EcdhSettings defaults() {
    return new EcdhSettings(Algorithms.Kdf.NIST_SP800, null, DEFAULT_REMEMBERED);
  }

  /** The hash for a host key on {@code curve}. */
  public Algorithms.Hash hashFor(Algorithms.Curve curve) {
    return hash != null ? hash : curve.hash();
  }

  /**
   * A fresh value as docs/ECDH.md requires: {@link #FRESH_VALUE_LENGTH} bytes, none zero.
   *
   * @throws NonceMismatchException {@code SHARED_INFO_INVALID}
   */
  public static void checkFreshValue(byte[] value, String whose) throws NonceMismatchException {
    if (value.length != FRESH_VALUE_LENGTH) {
      throw new NonceMismatchException(
          ErrorCode.SHARED_INFO_INVALID,
          whose + " fresh value has " + value.length + " bytes, not " + FRESH_VALUE_LENGTH);
    }
    for (byte b : value) {
      if (b == 0) {
        throw new NonceMismatchException(
            ErrorCode.SHARED_INFO_INVALID, whose + " fresh value contains a zero byte");
      }
    }
  }

  /**
   * The latest fresh values seen, oldest forgotten first. Thread-safe. The values come from peers:
   * they are kept under a key that orders them, so that values chosen to share one hash code make a
   * balanced tree in their bucket (the JDK's {@code HashMap} does so for comparable keys) and never
   * a list walked under the lock.
   */
  public static final class Seen {
    private final Map<Value, Boolean> values;

    /** A fresh value, compared by its bytes (unsigned, lexicographic) and equal by content. */
    private record Value(byte[] bytes) implements Comparable<Value> {
      @Override
      public boolean equals(Object o) {
        return o instanceof Value v && java.security.MessageDigest.isEqual(bytes, v.bytes);
      }

      @Override
      public int hashCode() {
        return java.util.Arrays.hashCode(bytes);
      }

      @Override
      public int compareTo(Value o) {
        return java.util.Arrays.compareUnsigned(bytes, o.bytes);
      }

      @Override
      public String toString() {
        return "Value[" + bytes.length + " bytes]";
      }
    }

    public Seen(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be at least 1");
      }
      this.values =
          new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Value, Boolean> eldest) {
              return size() > capacity;
            }
          };
    }

    /**
     * Remembers {@code value}.
     *
     * @throws NonceMismatchException {@code SHARED_INFO_REUSED} if it was seen before
     */
    public synchronized void remember(Bytes value, String whose) throws NonceMismatchException {
      if (values.putIfAbsent(new Value(value.toByteArray()), Boolean.TRUE) != null) {
        throw new NonceMismatchException(
            ErrorCode.SHARED_INFO_REUSED, whose + " fresh value was seen before");
      }
    }
  }
}
