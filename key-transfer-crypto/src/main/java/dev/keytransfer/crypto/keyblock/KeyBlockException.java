package dev.keytransfer.crypto.keyblock;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTokenException;

/**
 * A key block, or a request to build one, that the SDK refuses. The {@link #code()} says precisely
 * why: {@code KEY_BLOCK_*} for structure, length, MAC, payload, protection key and header rules,
 * {@code KCV_MISMATCH} when a KC/KP optional block does not match its key, {@code HEADER_MISMATCH}
 * when a key does not fit the header's algorithm, {@code KEY_STRENGTH_POLICY} when the protection
 * key is weaker than the key (ANSI X9.143:2021; docs/SECURITY.md R5, K2, K3). Messages describe
 * public structure only, never key material; every MAC failure has the same message.
 */
public class KeyBlockException extends KeyTokenException {
  public KeyBlockException(ErrorCode code, String message) {
    super(code, message);
  }
}
