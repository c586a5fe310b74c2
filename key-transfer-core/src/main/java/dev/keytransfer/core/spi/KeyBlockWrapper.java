package dev.keytransfer.core.spi;

import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;

/**
 * Wraps and unwraps symmetric keys as TR-31 / X9.143 key blocks under a key block protection key
 * (here: the terminal master key delivered by TR-34). Thread-safe.
 */
public interface KeyBlockWrapper {
  /** The printable key block for {@code key} with {@code header}, protected by {@code kbpk}. */
  String wrap(SecretKeyMaterial kbpk, KeyBlockHeader header, SecretKeyMaterial key)
      throws KeyTransferException;

  /**
   * Verifies and opens a key block; the result's key is the caller's to destroy.
   *
   * @throws KeyTransferException with the key block's precise code (MAC, format, length)
   */
  DeliverableKey unwrap(SecretKeyMaterial kbpk, String keyBlock) throws KeyTransferException;
}
