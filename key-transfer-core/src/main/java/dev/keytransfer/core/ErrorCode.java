package dev.keytransfer.core;

/**
 * Stable, machine-readable failure classes. The {@link #wireValue()} is what an error frame carries
 * to the peer and never changes once released; the peer only learns the class, never the detail
 * (docs/SECURITY.md A2).
 */
public enum ErrorCode {
  // --- certificates (docs/SECURITY.md C1-C10) ---
  /** The certificate does not chain to a configured trust anchor (C1). */
  CERTIFICATE_UNTRUSTED(100),
  /** A certificate in the path has expired at the validation time (C2). */
  CERTIFICATE_EXPIRED(101),
  /** A certificate in the path is not yet valid at the validation time (C2). */
  CERTIFICATE_NOT_YET_VALID(102),
  /** A certificate in the path is revoked by its issuer's CRL (C3). */
  CERTIFICATE_REVOKED(103),
  /**
   * The leaf is not a certificate for the role it is presented for (C6): KDH signs, KRD decrypts.
   */
  CERTIFICATE_WRONG_ROLE(104),
  /** A key in the path is weaker than policy: RSA below the minimum size (C8). */
  CERTIFICATE_WEAK_KEY(105),
  /** A certificate in the path is signed with a hash weaker than SHA-256 (C8). */
  CERTIFICATE_WEAK_SIGNATURE(106),
  /** A CA certificate, or the trust anchor itself, was presented as a leaf (C7). */
  CERTIFICATE_CA_AS_LEAF(107),
  /**
   * Any other RFC 5280 path failure: bad signature, name chaining, basic constraints, key usage of
   * a CA, critical extension (C4, C5, C9).
   */
  CERTIFICATE_INVALID(108),
  /** No CRL was available for a certificate in the path (C3, fail closed). */
  CRL_MISSING(110),
  /** The only CRLs available are past their nextUpdate (C3, fail closed). */
  CRL_STALE(111),
  /**
   * A CRL does not verify under its issuer's key, is signed with a weak algorithm, has no
   * nextUpdate, or is valid for longer than the policy allows (C3, C8, fail closed).
   */
  CRL_INVALID(112),
  /**
   * A CRL is older than one the terminal already accepted from the same issuer: a lower CRL number
   * or an earlier thisUpdate (C14, revocation cannot be rolled back).
   */
  CRL_SUPERSEDED(113),
  /** The host's device policy does not allow this terminal (C10). */
  DEVICE_NOT_AUTHORIZED(120),

  // --- tokens (docs/SECURITY.md P1-P7) ---
  /** The bytes are not a well-formed TR-34 token of the expected type (R5). */
  MALFORMED_TOKEN(200),
  /** The token's signature does not verify under the expected signer's key (P4). */
  SIGNATURE_INVALID(201),
  /** The token was not signed by the KDH this terminal is bound to (C11). */
  SIGNER_NOT_BOUND(202),
  /**
   * The token is not fresh (P1-P3): it does not echo the nonce this terminal sent in this session,
   * or its signing time (one-pass key token, authority rebind) is not later than the last one
   * accepted from its signer, or lies outside the accepted window.
   */
  NONCE_MISMATCH(203),
  /**
   * The signed key block header differs from the header inside the key block, or from the key (P7).
   */
  HEADER_MISMATCH(204),
  /** The key block does not name the KDH that signed the token (TR-34 idKDH check). */
  KEY_BLOCK_ID_MISMATCH(205),
  /** Uniform failure of the key transport or content decryption: no detail by design (R1). */
  KEY_TOKEN_INVALID(206),
  /** The key check value the terminal confirmed differs from the one the host issued (K3). */
  KCV_MISMATCH(207),
  /** The wrapping key is weaker than the key it would transport (K2). */
  KEY_STRENGTH_POLICY(208),
  /**
   * ECDH mode (docs/ECDH.md): the peer's key is not an EC key on this key's curve, so no key can be
   * agreed.
   */
  ECDH_CURVE_MISMATCH(209),
  /**
   * ECDH mode: a party's fresh value for the shared information has the wrong length or contains a
   * zero byte.
   */
  SHARED_INFO_INVALID(210),
  /** ECDH mode: a party's fresh value for the shared information was seen before. */
  SHARED_INFO_REUSED(211),

  // --- protocol and transport (docs/SECURITY.md A3) ---
  /** A message that the current state does not accept (the session fails). */
  UNEXPECTED_MESSAGE(300),
  /** The frame envelope is malformed or speaks another protocol version. */
  MALFORMED_FRAME(301),
  /** A frame larger than the configured maximum, refused before any parsing (R5). */
  FRAME_TOO_LARGE(302),
  /** The connection broke, or the peer closed it. */
  TRANSPORT_FAILURE(303),
  /** A step did not complete within its timeout (A3). */
  TIMEOUT(304),
  /**
   * The peer aborted the session with a code this build does not know (or sent no public class).
   */
  PEER_ABORTED(305),
  /**
   * The optional TLS layer of the TCP transport could not be set up: the peer's TLS certificate is
   * not trusted or does not name the host dialled, a client certificate was required and not given,
   * or the peer does not speak TLS 1.3 (docs/SECURITY.md A3).
   */
  TLS_FAILURE(306),

  // --- public refusal codes: the only codes an ABORT frame carries (docs/SECURITY.md A2) ---
  /**
   * The peer refused this side's certificate chain or device authorization (its 1xx code, which it
   * keeps in its log).
   */
  PEER_REFUSED_CERTIFICATE(350),
  /**
   * The peer refused a token, key or confirmation this side sent: signature, binding, freshness,
   * header, KCV, key strength or key block (its 2xx or 6xx code).
   */
  PEER_REFUSED_TOKEN(351),
  /** The peer saw a protocol error: an unexpected or malformed message or frame. */
  PEER_PROTOCOL_ERROR(352),
  /** The peer failed for a reason of its own (storage, crypto, key source, timeout, a bug). */
  PEER_TRY_LATER(353),

  // --- key blocks (TR-31 / ANSI X9.143) and DUKPT key sources ---
  /**
   * The text is not a well-formed key block: too short, not printable ASCII, bad header fields or
   * optional blocks (X9.143 6.2, 6.3; R5).
   */
  KEY_BLOCK_MALFORMED(600),
  /**
   * The key block version ID is not one this SDK reads or writes (A, B, C, D); e.g. E or a
   * proprietary digit (X9.143 6.3.1).
   */
  KEY_BLOCK_UNSUPPORTED(601),
  /**
   * The key block length field is not four digits, differs from the actual length, or is not a
   * multiple of the cipher block (X9.143 6.2).
   */
  KEY_BLOCK_LENGTH_INVALID(602),
  /**
   * The MAC field is missing, shorter than the version requires, or not hexadecimal (X9.143 6.5).
   */
  KEY_BLOCK_MAC_MALFORMED(603),
  /**
   * The encrypted payload is empty, not hexadecimal, or not a whole number of cipher blocks (X9.143
   * 6.4).
   */
  KEY_BLOCK_PAYLOAD_MALFORMED(604),
  /**
   * The key block protection key does not fit the version: TDES 16 or 24 bytes for A, B, C; AES for
   * D (X9.143 5).
   */
  KEY_BLOCK_KBPK_INVALID(605),
  /**
   * The key block MAC does not verify: the block was altered or the protection key is wrong (X9.143
   * 7; R4).
   */
  KEY_BLOCK_MAC_INVALID(606),
  /**
   * The authenticated payload's key length field is zero, not a whole number of bytes, or longer
   * than the payload (X9.143 6.4).
   */
  KEY_BLOCK_KEY_LENGTH_INVALID(607),
  /**
   * A header field or optional block breaks the strict X9.143 rules applied on export (and on
   * strict import).
   */
  KEY_BLOCK_HEADER_INVALID(608),
  /**
   * The key source has no unused DUKPT device identifier left (KSN device field or AES derivation
   * ID exhausted).
   */
  DUKPT_KEY_ID_EXHAUSTED(620),
  /**
   * The key source was asked to give a DUKPT identifier already given to another device (K1:
   * initial keys are unique).
   */
  DUKPT_KEY_ID_REUSED(621),

  // --- local ---
  /** The terminal's key store or the host's ledger could not record the outcome. */
  STORAGE_FAILURE(400),
  /**
   * The certification authority refused a request (weak key, bad proof of possession, unknown
   * certificate).
   */
  CA_REQUEST_REFUSED(401),
  /**
   * A cryptographic operation failed for a reason unrelated to the input (provider
   * misconfiguration).
   */
  CRYPTO_FAILURE(402),
  /**
   * The host refused to issue another key to this device: it already got the most the host's
   * delivery limit allows in the current window (docs/SECURITY.md A5). Public class: {@code
   * PEER_TRY_LATER}.
   */
  DELIVERY_RATE_LIMITED(403),
  /**
   * The host had no room for a new session: its handshake queue was full, so the terminal was
   * refused at once instead of waiting (docs/SECURITY.md A3). Public class: {@code PEER_TRY_LATER}.
   */
  HOST_BUSY(404),
  /** Something that cannot happen did. */
  INTERNAL_ERROR(500);

  private final int wireValue;

  ErrorCode(int wireValue) {
    this.wireValue = wireValue;
  }

  /** The stable numeric value carried in error frames. */
  public int wireValue() {
    return wireValue;
  }

  /** The code for a wire value; unknown values map to {@link #PEER_ABORTED}. */
  public static ErrorCode fromWireValue(int value) {
    for (ErrorCode c : values()) {
      if (c.wireValue == value) {
        return c;
      }
    }
    return PEER_ABORTED;
  }

  /**
   * The public class of this code: what an ABORT frame carries instead of the exact code, so a peer
   * that is not yet authenticated learns no more than the class (docs/SECURITY.md A2). A public
   * code, and {@link #PEER_ABORTED}, map to themselves.
   */
  public ErrorCode publicCode() {
    if (isPublic()) {
      return this;
    }
    if (this == MALFORMED_TOKEN || (wireValue >= 300 && wireValue < 303)) {
      return PEER_PROTOCOL_ERROR;
    }
    if (wireValue >= 100 && wireValue < 200) {
      return PEER_REFUSED_CERTIFICATE;
    }
    if ((wireValue >= 200 && wireValue < 300) || (wireValue >= 600 && wireValue < 620)) {
      return PEER_REFUSED_TOKEN;
    }
    return PEER_TRY_LATER;
  }

  /** True for the codes an ABORT frame may carry: the public classes and {@link #PEER_ABORTED}. */
  public boolean isPublic() {
    return this == PEER_ABORTED || (wireValue >= 350 && wireValue < 360);
  }

  /** True for the certificate and CRL classes. */
  public boolean isCertificateFailure() {
    return wireValue >= 100 && wireValue < 200;
  }

  /**
   * The one exception type that carries this code (docs/ERRORS.md): every {@link
   * KeyTransferException} with this code is an instance of it, and {@link
   * KeyTransferException#of(ErrorCode, String)} makes one.
   */
  public Class<? extends KeyTransferException> exceptionType() {
    if (isCertificateFailure()) {
      return CertificateValidationException.class;
    }
    if (wireValue >= 600 && wireValue < 620) {
      return KeyTokenException.class; // key blocks: KeyBlockException in the crypto module
    }
    return switch (this) {
      case MALFORMED_TOKEN, MALFORMED_FRAME -> MalformedTokenException.class;
      case SIGNATURE_INVALID, SIGNER_NOT_BOUND -> SignatureInvalidException.class;
      case NONCE_MISMATCH, SHARED_INFO_INVALID, SHARED_INFO_REUSED -> NonceMismatchException.class;
      case HEADER_MISMATCH,
          KEY_BLOCK_ID_MISMATCH,
          KEY_TOKEN_INVALID,
          KEY_STRENGTH_POLICY,
          ECDH_CURVE_MISMATCH ->
          KeyTokenException.class;
      case UNEXPECTED_MESSAGE -> UnexpectedMessageException.class;
      case FRAME_TOO_LARGE, TRANSPORT_FAILURE, TIMEOUT, TLS_FAILURE -> TransportException.class;
      case INTERNAL_ERROR -> InternalErrorException.class;
      default -> KeyTransferException.class;
    };
  }
}
