package dev.keytransfer.core;

import java.util.Objects;

/**
 * Root of the SDK's one exception hierarchy. Every failure a caller can meet at run time (bad
 * input, wrong certificate, broken connection) is a {@code KeyTransferException} with a stable
 * {@link ErrorCode}. Messages never contain secret material.
 */
public class KeyTransferException extends Exception {
  private final ErrorCode code;

  public KeyTransferException(ErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  public KeyTransferException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** The failure class. */
  public ErrorCode code() {
    return code;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + code + "]: " + getMessage();
  }
}
