package dev.keytransfer.core;

/** Bytes that are not a well-formed token, frame or certificate of the expected type (R5). */
public class MalformedTokenException extends KeyTransferException {
  public MalformedTokenException(ErrorCode code, String message) {
    super(code, message);
  }

  public MalformedTokenException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
