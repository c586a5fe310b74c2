package dev.keytransfer.core.spi;

import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.SecretKeyMaterial;
import java.util.Objects;

/**
 * The decrypted TR-34 key block (TR-34 Annex D, B.2.2.2): version 1, the KDH's identity, the clear
 * key and its header. Holds secret material: redacted {@code toString}, no equals, destroy when
 * done.
 */
public final class KeyBlock implements AutoCloseable {
  private final int version;
  private final IssuerAndSerial kdhId;
  private final SecretKeyMaterial key;
  private final KeyBlockHeader header;

  public KeyBlock(
      int version, IssuerAndSerial kdhId, SecretKeyMaterial key, KeyBlockHeader header) {
    this.version = version;
    this.kdhId = Objects.requireNonNull(kdhId, "kdhId");
    this.key = Objects.requireNonNull(key, "key");
    this.header = Objects.requireNonNull(header, "header");
  }

  public int version() {
    return version;
  }

  /** idKDH: the IssuerAndSerialNumber of the KDH certificate. */
  public IssuerAndSerial kdhId() {
    return kdhId;
  }

  /** The clear key; owned by this block and wiped by {@link #close()}. */
  public SecretKeyMaterial key() {
    return key;
  }

  public KeyBlockHeader header() {
    return header;
  }

  @Override
  public void close() {
    key.destroy();
  }

  @Override
  public String toString() {
    return "KeyBlock[" + header + ", kdh " + kdhId + ", " + key + "]";
  }
}
