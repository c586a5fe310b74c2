package dev.keytransfer.crypto.keysource;

import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.DeliverableKey;
import dev.keytransfer.core.spi.KeySource;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * <b>For tests only.</b> Gives every device the same key, so a test can predict what a terminal
 * receives (for example a known TR-34 Annex B key, or a canary key for log scans). It breaks
 * docs/SECURITY.md K1 (a fresh key per device) by design; never configure it in a real host. The
 * only way to get one is {@link #insecureForTestsOnly}, so that its use stands out in review and is
 * easy to grep for. Thread-safe; holds a copy of the key until {@link #close()}.
 */
public final class FixedKeySource implements KeySource, AutoCloseable {
  private final KeyBlockHeader header;
  private final SecretKeyMaterial key;

  private FixedKeySource(KeyBlockHeader header, SecretKeyMaterial key) {
    this.header = header;
    this.key = key;
  }

  /**
   * A source that gives every device a copy of {@code key} under {@code header}. Tests only.
   *
   * @param key copied; the caller still owns and destroys its own instance
   * @throws KeyTokenException {@code HEADER_MISMATCH} if the key does not fit the header's
   *     algorithm
   */
  public static FixedKeySource insecureForTestsOnly(KeyBlockHeader header, SecretKeyMaterial key)
      throws KeyTokenException {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(key, "key");
    header.checkKeyLength(key.length());
    return new FixedKeySource(header, key.copy());
  }

  /** A copy of the fixed key (the caller destroys it), whatever the device. */
  @Override
  public DeliverableKey keyFor(X509Certificate krdCertificate) {
    return new DeliverableKey(header, key.copy());
  }

  /** Wipes this source's copy of the key. */
  @Override
  public void close() {
    key.destroy();
  }

  @Override
  public String toString() {
    return "FixedKeySource[TEST ONLY, " + header + ", " + key + "]";
  }
}
