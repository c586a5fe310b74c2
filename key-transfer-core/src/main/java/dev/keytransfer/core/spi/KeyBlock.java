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
  private final Algorithms.ContentEncryption contentEncryption;

  /** A block whose content encryption is unknown: a terminal refuses to install it (K2). */
  public KeyBlock(
      int version, IssuerAndSerial kdhId, SecretKeyMaterial key, KeyBlockHeader header) {
    this(version, kdhId, key, header, null);
  }

  /**
   * @param contentEncryption the algorithm the block was encrypted with in the token, which the
   *     terminal compares with the key's strength (docs/SECURITY.md K2)
   */
  public KeyBlock(
      int version,
      IssuerAndSerial kdhId,
      SecretKeyMaterial key,
      KeyBlockHeader header,
      Algorithms.ContentEncryption contentEncryption) {
    this.version = version;
    this.kdhId = Objects.requireNonNull(kdhId, "kdhId");
    this.key = Objects.requireNonNull(key, "key");
    this.header = Objects.requireNonNull(header, "header");
    this.contentEncryption = contentEncryption;
  }

  /** The content encryption the block travelled under, if the codec reported it. */
  public java.util.Optional<Algorithms.ContentEncryption> contentEncryption() {
    return java.util.Optional.ofNullable(contentEncryption);
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
