package dev.keytransfer.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable sequence of bytes with value equality, for public data such as encoded tokens: the
 * array is copied in and every read gets a fresh copy, so a value that holds one needs no defensive
 * copies, {@code equals} or {@code hashCode} of its own (as Tink's {@code util.Bytes}). Never for
 * secrets: those are {@link SecretKeyMaterial}, which is wiped and compared in constant time.
 */
public final class Bytes {
  private final byte[] data;

  private Bytes(byte[] data) {
    this.data = data;
  }

  /** The bytes of {@code data}, copied. */
  public static Bytes copyOf(byte[] data) {
    return new Bytes(Objects.requireNonNull(data, "data").clone());
  }

  /** A fresh copy of the bytes. */
  public byte[] toByteArray() {
    return data.clone();
  }

  /** Copies the bytes into {@code destination} from {@code offset} (a frame around a token). */
  public void copyTo(byte[] destination, int offset) {
    System.arraycopy(data, 0, destination, offset, data.length);
  }

  /** The number of bytes. */
  public int length() {
    return data.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes b && Arrays.equals(b.data, data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data);
  }

  /** The length only: the content may be long, and is not this value's to print. */
  @Override
  public String toString() {
    return "Bytes[" + data.length + "]";
  }
}
