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
   * Removes and wipes every key received from {@code kdh}, pending or not (a valid unbind, TR-34
   * B.13, B.14).
   *
   * @return how many keys were removed
   */
  int removeKeysFrom(dev.keytransfer.core.IssuerAndSerial kdh) throws KeyTransferException;

  /**
   * Stores a copy of {@code key} as the pending master key from {@code key.kdh()}: kept, but not
   * current until {@link #commitPending}; replaces (and wipes) an earlier pending key from that
   * host. Pending keys do not count in {@link #size()} and are not returned by {@link #current()}.
   *
   * @throws KeyTransferException {@code STORAGE_FAILURE}, leaving the store unchanged
   */
  void installPending(InstalledKey key) throws KeyTransferException;

  /** The pending master key from {@code kdh} (a copy the caller destroys), if any. */
  Optional<InstalledKey> pending(dev.keytransfer.core.IssuerAndSerial kdh);

  /**
   * Atomically makes the pending master key from {@code kdh} its current master key and removes and
   * wipes the master key it supersedes; nothing happens if none is pending.
   */
  void commitPending(dev.keytransfer.core.IssuerAndSerial kdh) throws KeyTransferException;

  /** Removes and wipes the pending master key from {@code kdh}, if any. */
  void discardPending(dev.keytransfer.core.IssuerAndSerial kdh) throws KeyTransferException;
}
