package dev.keytransfer.core.spi;

import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.SecretKeyMaterial;
import java.time.Instant;
import java.util.Objects;

/**
 * A key the terminal accepted, with its header (TR-34: stored with the key), KCV, the KDH that
 * delivered it, and when. Holds secret material: redacted, no equals; destroy when done.
 */
public final class InstalledKey implements AutoCloseable {
  private final KeyBlockHeader header;
  private final SecretKeyMaterial key;
  private final KeyCheckValue kcv;
  private final IssuerAndSerial kdh;
  private final Instant installedAt;

  public InstalledKey(
      KeyBlockHeader header,
      SecretKeyMaterial key,
      KeyCheckValue kcv,
      IssuerAndSerial kdh,
      Instant installedAt) {
    this.header = Objects.requireNonNull(header, "header");
    this.key = Objects.requireNonNull(key, "key");
    this.kcv = Objects.requireNonNull(kcv, "kcv");
    this.kdh = Objects.requireNonNull(kdh, "kdh");
    this.installedAt = Objects.requireNonNull(installedAt, "installedAt");
  }

  public KeyBlockHeader header() {
    return header;
  }

  public SecretKeyMaterial key() {
    return key;
  }

  public KeyCheckValue kcv() {
    return kcv;
  }

  public IssuerAndSerial kdh() {
    return kdh;
  }

  public Instant installedAt() {
    return installedAt;
  }

  @Override
  public void close() {
    key.destroy();
  }

  @Override
  public String toString() {
    return "InstalledKey[" + header + ", kcv " + kcv + ", " + key + "]";
  }
}
