package dev.keytransfer.core;

import java.util.Objects;

/**
 * Root of the SDK's one exception hierarchy. Every failure a caller can meet at run time (bad
 * input, wrong certificate, broken connection) is a {@code KeyTransferException} with a stable
 * {@link ErrorCode}, and its type agrees with its code: it is an instance of {@link
 * ErrorCode#exceptionType()} (docs/ERRORS.md). Messages never contain secret material.
 */
public class KeyTransferException extends Exception {
  private final ErrorCode code;

  /**
   * An exception with {@code code}.
   *
   * @throws IllegalArgumentException if this type does not carry {@code code} (a bug in the caller:
   *     use {@link #of(ErrorCode, String)} or the code's own type)
   */
  public KeyTransferException(ErrorCode code, String message) {
    super(message);
    this.code = checked(code);
  }

  /** As {@link #KeyTransferException(ErrorCode, String)}, with a cause. */
  public KeyTransferException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = checked(code);
  }

  /** An exception of the type that carries {@code code}. */
  public static KeyTransferException of(ErrorCode code, String message) {
    return of(code, message, null);
  }

  /** An exception of the type that carries {@code code}, with a cause (may be null). */
  public static KeyTransferException of(ErrorCode code, String message, Throwable cause) {
    Class<? extends KeyTransferException> type = code.exceptionType();
    if (type == CertificateValidationException.class) {
      return new CertificateValidationException(code, message, cause);
    } else if (type == MalformedTokenException.class) {
      return new MalformedTokenException(code, message, cause);
    } else if (type == SignatureInvalidException.class) {
      return new SignatureInvalidException(code, message, cause);
    } else if (type == NonceMismatchException.class) {
      return new NonceMismatchException(code, message, cause);
    } else if (type == KeyTokenException.class) {
      return new KeyTokenException(code, message, cause);
    } else if (type == UnexpectedMessageException.class) {
      return new UnexpectedMessageException(code, message, cause);
    } else if (type == TransportException.class) {
      return new TransportException(code, message, cause);
    } else if (type == InternalErrorException.class) {
      return new InternalErrorException(message, cause);
    }
    return new KeyTransferException(code, message, cause);
  }

  private ErrorCode checked(ErrorCode code) {
    Objects.requireNonNull(code, "code");
    if (!code.exceptionType().isInstance(this)) {
      throw new IllegalArgumentException(
          getClass().getSimpleName()
              + " cannot carry "
              + code
              + ": that code is a "
              + code.exceptionType().getSimpleName());
    }
    return code;
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
