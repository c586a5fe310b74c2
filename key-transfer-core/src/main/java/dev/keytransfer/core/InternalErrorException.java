package dev.keytransfer.core;

/**
 * A bug in the SDK or in code it calls (a runtime exception inside a state machine, a session
 * handler or a codec), reported as {@code INTERNAL_ERROR} with the original as its cause. Only this
 * type carries that code, so a bug is never mistaken for a refusal, and a refusal never becomes an
 * internal error by accident (docs/ERRORS.md).
 */
public class InternalErrorException extends KeyTransferException {
  public InternalErrorException(String message, Throwable cause) {
    super(ErrorCode.INTERNAL_ERROR, message, cause);
  }

  public InternalErrorException(String message) {
    super(ErrorCode.INTERNAL_ERROR, message);
  }
}
