package dev.keytransfer.core;

/** The connection broke, timed out, or carried an oversized or malformed frame (A3). */
public class TransportException extends KeyTransferException {
  public TransportException(ErrorCode code, String message) {
    super(code, message);
  }

  public TransportException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
