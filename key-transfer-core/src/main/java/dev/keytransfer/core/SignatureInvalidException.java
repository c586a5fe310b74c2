package dev.keytransfer.core;

/** A token's signature, signer or signed attributes are not acceptable (P4, P5, C11). */
public class SignatureInvalidException extends KeyTransferException {
  public SignatureInvalidException(ErrorCode code, String message) {
    super(code, message);
  }

  public SignatureInvalidException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
