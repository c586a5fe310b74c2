package dev.keytransfer.core.spi;

import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.SecretKeyMaterial;
import java.util.Objects;

/** A key chosen by a {@link KeySource} for one device, with its header. Destroy when done. */
public final class DeliverableKey implements AutoCloseable {
  private final KeyBlockHeader header;
  private final SecretKeyMaterial key;

  public DeliverableKey(KeyBlockHeader header, SecretKeyMaterial key) {
    this.header = Objects.requireNonNull(header, "header");
    this.key = Objects.requireNonNull(key, "key");
  }

  public KeyBlockHeader header() {
    return header;
  }

  public SecretKeyMaterial key() {
    return key;
  }

  @Override
  public void close() {
    key.destroy();
  }

  @Override
  public String toString() {
    return "DeliverableKey[" + header + ", " + key + "]";
  }
}
