package dev.keytransfer.core;

/**
 * A verified key token whose content cannot be used: uniform decryption failure, header or key
 * block mismatch, key strength policy (P7, K2, R1).
 */
public class KeyTokenException extends KeyTransferException {
  public KeyTokenException(ErrorCode code, String message) {
    super(code, message);
  }

  public KeyTokenException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }

  /** The one message every decryption failure carries, whatever its cause (R1). */
  public static final String DECRYPTION_FAILED = "key token could not be decrypted";

  /**
   * The uniform decryption failure: {@code KEY_TOKEN_INVALID}, one message, no cause, so that no
   * padding or format detail reaches a caller or a peer.
   */
  public static KeyTokenException decryptionFailed() {
    return new KeyTokenException(ErrorCode.KEY_TOKEN_INVALID, DECRYPTION_FAILED);
  }
}
