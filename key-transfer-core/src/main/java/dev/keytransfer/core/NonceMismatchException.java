package dev.keytransfer.core;

/** A key token that does not echo this session's nonce (P1, P3). */
public class NonceMismatchException extends KeyTransferException {
  public NonceMismatchException(ErrorCode code, String message) {
    super(code, message);
  }

  public NonceMismatchException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
