package dev.keytransfer.core;

/** A message the current state does not accept; the session is failed. */
public class UnexpectedMessageException extends KeyTransferException {
  public UnexpectedMessageException(ErrorCode code, String message) {
    super(code, message);
  }

  public UnexpectedMessageException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
