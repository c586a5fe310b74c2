package dev.keytransfer.core.spi;

import dev.keytransfer.core.KeyTransferException;
import java.util.Optional;

/**
 * Where the terminal keeps keys it accepted (the device's secure key store). {@link #install} is
 * atomic: either the key is stored whole or nothing changed. Thread-safe.
 */
public interface TerminalKeyStore {
  /**
   * Stores a copy of {@code key}; the caller keeps ownership of the argument.
   *
   * @throws KeyTransferException {@code STORAGE_FAILURE}, leaving the store unchanged
   */
  void install(InstalledKey key) throws KeyTransferException;

  /** The most recently installed key (a copy the caller destroys), if any. */
  Optional<InstalledKey> current();

  /** How many keys are installed. */
  int size();

  /**
   * Removes and wipes every key received from {@code kdh} (a valid unbind, TR-34 B.13, B.14).
   *
   * @return how many keys were removed
   */
  int removeKeysFrom(dev.keytransfer.core.IssuerAndSerial kdh) throws KeyTransferException;
}
