package dev.keytransfer.core;

/** A certificate or CRL failed validation (docs/SECURITY.md C1-C10). */
public class CertificateValidationException extends KeyTransferException {
  public CertificateValidationException(ErrorCode code, String message) {
    super(code, message);
  }

  public CertificateValidationException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
