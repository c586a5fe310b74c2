package dev.keytransfer.crypto.keyblock;

import dev.keytransfer.core.SecretKeyMaterial;
import java.util.Objects;

/**
 * What {@link Tr31Codec#unwrap} recovers from an authenticated key block: its header and the clear
 * key (ANSI X9.143:2021 6.4). Holds secret material: redacted {@code toString}, no {@code equals};
 * {@link #close()} wipes the key. Not thread-safe for concurrent use and close.
 */
public final class UnwrappedKey implements AutoCloseable {
  private final Tr31Header header;
  private final SecretKeyMaterial key;

  UnwrappedKey(Tr31Header header, SecretKeyMaterial key) {
    this.header = Objects.requireNonNull(header, "header");
    this.key = Objects.requireNonNull(key, "key");
  }

  /** The authenticated header: usage, algorithm, mode of use, exportability, optional blocks. */
  public Tr31Header header() {
    return header;
  }

  /**
   * The clear key, owned by this object and wiped by {@link #close()}; copy it to keep it longer.
   */
  public SecretKeyMaterial key() {
    return key;
  }

  @Override
  public void close() {
    key.destroy();
  }

  @Override
  public String toString() {
    return "UnwrappedKey["
        + header.version()
        + " "
        + header.keyUsage()
        + header.algorithm()
        + header.modeOfUse()
        + ", "
        + key
        + "]";
  }
}
