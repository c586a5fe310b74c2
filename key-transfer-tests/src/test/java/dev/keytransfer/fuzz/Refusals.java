package dev.keytransfer.fuzz;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a fuzz target accepts as a clean refusal (docs/SECURITY.md R5, docs/FUZZING.md): a {@link
 * KeyTransferException} whose code is one the entry point documents, whose type is the one that
 * code belongs to (docs/ERRORS.md), and that is not {@code INTERNAL_ERROR} ("something that cannot
 * happen did"). Anything else, and every exception that is no {@code KeyTransferException} or any
 * {@link Error}, is a finding: the fuzz target lets it escape and Jazzer reports it.
 */
final class Refusals {
  private Refusals() {}

  /** MALFORMED_TOKEN only: what every TokenCodec decoder and the PEM readers may throw. */
  static final Set<ErrorCode> MALFORMED_TOKEN = EnumSet.of(ErrorCode.MALFORMED_TOKEN);

  /** The frame envelope: a bad envelope or a bad token inside it. */
  static final Set<ErrorCode> FRAME =
      EnumSet.of(ErrorCode.MALFORMED_FRAME, ErrorCode.MALFORMED_TOKEN);

  /** The verify methods of TokenCodec. */
  static final Set<ErrorCode> VERIFY =
      EnumSet.of(
          ErrorCode.MALFORMED_TOKEN, ErrorCode.SIGNATURE_INVALID, ErrorCode.SIGNER_NOT_BOUND);

  /** TokenCodec.decryptKeyToken: one uniform code for every failure (R1). */
  static final Set<ErrorCode> DECRYPT = EnumSet.of(ErrorCode.KEY_TOKEN_INVALID);

  /** Tr31Codec.unwrap, lenient and strict, as its javadoc lists them. */
  static final Set<ErrorCode> TR31_UNWRAP =
      EnumSet.of(
          ErrorCode.KEY_BLOCK_MALFORMED,
          ErrorCode.KEY_BLOCK_UNSUPPORTED,
          ErrorCode.KEY_BLOCK_LENGTH_INVALID,
          ErrorCode.KEY_BLOCK_MAC_MALFORMED,
          ErrorCode.KEY_BLOCK_PAYLOAD_MALFORMED,
          ErrorCode.KEY_BLOCK_KBPK_INVALID,
          ErrorCode.KEY_BLOCK_MAC_INVALID,
          ErrorCode.KEY_BLOCK_KEY_LENGTH_INVALID,
          ErrorCode.KEY_BLOCK_HEADER_INVALID,
          ErrorCode.KCV_MISMATCH,
          ErrorCode.HEADER_MISMATCH);

  /** TokenCodec.openEcdhKeyToken: the curve, the content, or the key block's own code. */
  static final Set<ErrorCode> ECDH_OPEN =
      union(
          TR31_UNWRAP,
          ErrorCode.ECDH_CURVE_MISMATCH,
          ErrorCode.MALFORMED_TOKEN,
          ErrorCode.KEY_STRENGTH_POLICY);

  private static Set<ErrorCode> union(Set<ErrorCode> base, ErrorCode... more) {
    Set<ErrorCode> s = EnumSet.copyOf(base);
    s.addAll(java.util.List.of(more));
    return java.util.Collections.unmodifiableSet(s);
  }

  /** Tr31Codec.wrap of a header and key that unwrap accepted (strict rules may refuse it). */
  static final Set<ErrorCode> TR31_WRAP =
      EnumSet.of(
          ErrorCode.KEY_BLOCK_KBPK_INVALID,
          ErrorCode.KEY_BLOCK_HEADER_INVALID,
          ErrorCode.HEADER_MISMATCH,
          ErrorCode.KEY_STRENGTH_POLICY,
          ErrorCode.KCV_MISMATCH,
          ErrorCode.KEY_BLOCK_LENGTH_INVALID);

  /** Tr31Header.parse. */
  static final Set<ErrorCode> TR31_HEADER =
      EnumSet.of(
          ErrorCode.KEY_BLOCK_MALFORMED,
          ErrorCode.KEY_BLOCK_UNSUPPORTED,
          ErrorCode.KEY_BLOCK_LENGTH_INVALID);

  /** DefaultCertificateAuthority.issue of a PKCS#10 request. */
  static final Set<ErrorCode> CA_REQUEST = EnumSet.of(ErrorCode.CA_REQUEST_REFUSED);

  /**
   * Returns normally if {@code e} is a clean refusal with one of {@code allowed}; throws an {@link
   * AssertionError} (a finding) that carries {@code e} otherwise.
   */
  static void check(KeyTransferException e, Set<ErrorCode> allowed) {
    ErrorCode code = e.code();
    if (code == null || code == ErrorCode.INTERNAL_ERROR) {
      throw new AssertionError("internal error instead of a refusal: " + e, e);
    }
    if (!code.exceptionType().isInstance(e)) {
      throw new AssertionError(
          "code " + code + " carried by the wrong type " + e.getClass().getName(), e);
    }
    if (!allowed.contains(code)) {
      throw new AssertionError("undocumented code " + code + " (expected " + allowed + ")", e);
    }
  }
}
