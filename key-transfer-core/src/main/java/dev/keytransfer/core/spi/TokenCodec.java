package dev.keytransfer.core.spi;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.message.CaRebindToken;
import dev.keytransfer.core.message.CaUnbindToken;
import dev.keytransfer.core.message.KdhCredentialToken;
import dev.keytransfer.core.message.KdhEcdhKeyToken;
import dev.keytransfer.core.message.KdhKeyToken;
import dev.keytransfer.core.message.KdhOnePassKeyToken;
import dev.keytransfer.core.message.KdhRebindToken;
import dev.keytransfer.core.message.KdhUnbindToken;
import dev.keytransfer.core.message.KrdCredentialToken;
import dev.keytransfer.core.message.KrdRandomToken;
import dev.keytransfer.core.message.Tr34Token;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * Builds and opens TR-34 tokens (TR-34 Annex B) with a chosen crypto provider and output profile.
 * Decoders accept any byte array and fail only with {@link MalformedTokenException} (R5).
 * Implementations are thread-safe.
 *
 * <p>Every signed token is opened in two steps: {@code decode…} parses the structure and names the
 * claimed signer without verifying anything; {@code verify…} checks the signature with the
 * certificate the caller chose for that signer and returns the token's content as a verified
 * record. The verify methods check what a codec can check on its own: the signer identifier names
 * the given certificate (issuer and serial, {@code SIGNER_NOT_BOUND} otherwise), exactly one
 * signer, SHA-256 with an RSA PKCS#1 v1.5 signature whatever the token declares (P5), the signature
 * over the signed attributes exactly as received (docs/PROTOCOL.md pitfall 2) or over the content
 * when a token has none (UBT-CA, B.13), the contentType and messageDigest attributes, and the
 * token's structure including the presence of its freshness attribute. What depends on the session
 * and on the terminal's state is the caller's: which certificate to verify with (the bound KDH, or
 * the configured higher-level authority), nonce equality and single use (P1, P3), monotonic signing
 * time (P2), that the token is addressed to this terminal and names its bound KDH (C11), and the
 * validation of every certificate and CRL the token carries (C1-C9). Each verified record's javadoc
 * lists these checks.
 */
public interface TokenCodec {
  /** CT-KRD (B.7): the KRD's chain in a degenerate SignedData. */
  KrdCredentialToken encodeKrdCredential(CertificateChain chain) throws KeyTransferException;

  KrdCredentialToken decodeKrdCredential(byte[] token) throws MalformedTokenException;

  /** CT-KDH (B.6): the KDH's chain and CRLs in a degenerate SignedData. */
  KdhCredentialToken encodeKdhCredential(CertificateChain chain, List<X509CRL> crls)
      throws KeyTransferException;

  KdhCredentialToken decodeKdhCredential(byte[] token) throws MalformedTokenException;

  /** RT-KRD (B.12): a bare randomNonce attribute. */
  KrdRandomToken encodeRandomToken(Nonce nonce) throws KeyTransferException;

  KrdRandomToken decodeRandomToken(byte[] token) throws MalformedTokenException;

  /**
   * KT-KDH: encrypts the key block to the KRD and signs it with the KDH key, with the request's
   * freshness as a signed attribute: a {@link KdhKeyToken} carrying the terminal's nonce for a
   * {@link KeyTokenRequest.TwoPass} request (B.9), a {@link KdhOnePassKeyToken} carrying a
   * signingTime for a {@link KeyTokenRequest.OnePass} one (B.8).
   */
  Tr34Token buildKeyToken(KeyTokenRequest request) throws KeyTransferException;

  /** Parses a key token far enough to name its claimed signer; verifies nothing. */
  KdhKeyToken decodeKeyToken(byte[] token) throws MalformedTokenException;

  /**
   * Verifies a key token's signature with {@code kdhCertificate}'s key, over the signed attributes
   * exactly as received, and checks messageDigest against the content (P4, docs/PROTOCOL.md pitfall
   * 2). The signer must be {@code kdhCertificate} (issuer and serial).
   *
   * @throws SignatureInvalidException {@code SIGNER_NOT_BOUND} or {@code SIGNATURE_INVALID}
   */
  VerifiedKeyToken verifyKeyToken(KdhKeyToken token, X509Certificate kdhCertificate)
      throws SignatureInvalidException, MalformedTokenException;

  /**
   * Decrypts a verified key token with the KRD's private key and parses the key block. Every
   * decryption or key block failure gives {@code KEY_TOKEN_INVALID} with one message (R1).
   *
   * @param krdCertificate the recipient certificate, matched against the recipient identifier
   */
  KeyBlock decryptKeyToken(
      VerifiedKeyToken token, PrivateKeyHandle krdKey, X509Certificate krdCertificate)
      throws KeyTokenException;

  // ------------------------------------------------------------------ ECDH mode (docs/ECDH.md)

  /**
   * KT-KDH-ECDH: agrees a key with the terminal's certificate key, derives the key-block protection
   * key from it and both fresh values, wraps the key as a TR-31 version D key block under it and
   * signs the answer with ECDSA (docs/ECDH.md). The default refuses: a codec without the ECDH mode.
   *
   * @throws KeyTransferException {@code ECDH_CURVE_MISMATCH} when the two certificates' keys are
   *     not on one curve
   */
  default KdhEcdhKeyToken buildEcdhKeyToken(EcdhKeyRequest request) throws KeyTransferException {
    throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "this codec has no ECDH mode");
  }

  /** Parses a KT-KDH-ECDH far enough to name its claimed signer; verifies nothing. */
  default KdhEcdhKeyToken decodeEcdhKeyToken(byte[] token) throws MalformedTokenException {
    throw new MalformedTokenException(ErrorCode.MALFORMED_TOKEN, "this codec has no ECDH mode");
  }

  /**
   * Verifies a KT-KDH-ECDH's ECDSA signature with {@code kdhCertificate}'s key, with the hash of
   * its curve whatever the token says (see {@link VerifiedEcdhKeyToken} for what is checked here
   * and what the caller checks).
   *
   * @throws SignatureInvalidException {@code SIGNER_NOT_BOUND} or {@code SIGNATURE_INVALID}
   */
  default VerifiedEcdhKeyToken verifyEcdhKeyToken(
      KdhEcdhKeyToken token, X509Certificate kdhCertificate)
      throws SignatureInvalidException, MalformedTokenException {
    throw new MalformedTokenException(ErrorCode.MALFORMED_TOKEN, "this codec has no ECDH mode");
  }

  /**
   * Derives the key-block protection key of a verified KT-KDH-ECDH with the terminal's key and the
   * KDH certificate's key, and unwraps its TR-31 key block: the block's MAC and header checked, the
   * key returned with idKDH set to the token's signer. The derived key is wiped before this
   * returns.
   *
   * @throws KeyTransferException {@code ECDH_CURVE_MISMATCH}, or the key block's own code
   */
  default KeyBlock openEcdhKeyToken(
      VerifiedEcdhKeyToken token,
      PrivateKeyHandle krdKey,
      X509Certificate krdCertificate,
      X509Certificate kdhCertificate)
      throws KeyTransferException {
    throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "this codec has no ECDH mode");
  }

  // ------------------------------------------------------------------ one-pass key token (B.8)

  /** Parses a one-pass key token far enough to name its claimed signer; verifies nothing. */
  KdhOnePassKeyToken decodeOnePassKeyToken(byte[] token) throws MalformedTokenException;

  /**
   * Verifies a one-pass key token as {@link #verifyKeyToken} does, requires its signingTime
   * attribute ({@link VerifiedKeyToken#signingTime()} is then present) and refuses a token that
   * carries a randomNonce (a two-pass token, bound to one session, is never taken as one-pass). The
   * caller checks that the time is strictly later than the last one it accepted from this KDH (P2),
   * then decrypts with {@link #decryptKeyToken}.
   *
   * @throws SignatureInvalidException {@code SIGNER_NOT_BOUND} or {@code SIGNATURE_INVALID}
   * @throws MalformedTokenException no signingTime, or a malformed token
   */
  VerifiedKeyToken verifyOnePassKeyToken(KdhOnePassKeyToken token, X509Certificate kdhCertificate)
      throws SignatureInvalidException, MalformedTokenException;

  // ------------------------------------------------------------------ unbind (B.14, B.13)

  /**
   * UBT-KDH (B.14): signed by the KDH over id-data = IASN(KRD), with the terminal's nonce (from its
   * RT-KRD) as a signed attribute and {@code crls} (the KDH CA's CRL) carried.
   */
  KdhUnbindToken buildKdhUnbindToken(
      X509Certificate kdhCertificate,
      PrivateKeyHandle kdhSigningKey,
      IssuerAndSerial krdId,
      Nonce nonce,
      List<X509CRL> crls)
      throws KeyTransferException;

  /** Parses a UBT-KDH far enough to name its claimed signer; verifies nothing. */
  KdhUnbindToken decodeKdhUnbindToken(byte[] token) throws MalformedTokenException;

  /**
   * Verifies a UBT-KDH with {@code kdhCertificate} (see {@link VerifiedUnbind} for what is checked
   * here and what the caller checks); the nonce is required.
   *
   * @throws SignatureInvalidException {@code SIGNER_NOT_BOUND} or {@code SIGNATURE_INVALID}
   */
  VerifiedUnbind verifyKdhUnbindToken(KdhUnbindToken token, X509Certificate kdhCertificate)
      throws SignatureInvalidException, MalformedTokenException;

  /**
   * UBT-CA (B.13): signed by the higher-level authority over id-data = IASN(KRD) || IASN(KDH),
   * concatenated, with no signed attributes (the signature covers the content).
   */
  CaUnbindToken buildCaUnbindToken(
      X509Certificate authorityCertificate,
      PrivateKeyHandle authoritySigningKey,
      IssuerAndSerial krdId,
      IssuerAndSerial kdhId)
      throws KeyTransferException;

  /** Parses a UBT-CA far enough to name its claimed signer; verifies nothing. */
  CaUnbindToken decodeCaUnbindToken(byte[] token) throws MalformedTokenException;

  /**
   * Verifies a UBT-CA with {@code authorityCertificate}: over the content when it has no signed
   * attributes (B.13), over the attributes as received when it has some (see {@link
   * VerifiedUnbind}).
   *
   * @throws SignatureInvalidException {@code SIGNER_NOT_BOUND} or {@code SIGNATURE_INVALID}
   */
  VerifiedUnbind verifyCaUnbindToken(CaUnbindToken token, X509Certificate authorityCertificate)
      throws SignatureInvalidException, MalformedTokenException;

  // ------------------------------------------------------------------ rebind (B.11, B.10)

  /**
   * RBT-KDH (B.11): signed by the current KDH with the terminal's nonce as a signed attribute and
   * {@code crls} carried; the content is a degenerate SignedData carrying id-data = IASN(KRD) and
   * {@code newKdh}'s certificates.
   */
  KdhRebindToken buildKdhRebindToken(
      X509Certificate kdhCertificate,
      PrivateKeyHandle kdhSigningKey,
      IssuerAndSerial krdId,
      Nonce nonce,
      CertificateChain newKdh,
      List<X509CRL> crls)
      throws KeyTransferException;

  /** Parses an RBT-KDH far enough to name its claimed signer; verifies nothing. */
  KdhRebindToken decodeKdhRebindToken(byte[] token) throws MalformedTokenException;

  /**
   * Verifies an RBT-KDH with {@code kdhCertificate} (see {@link VerifiedRebind}); the nonce is
   * required.
   *
   * @throws SignatureInvalidException {@code SIGNER_NOT_BOUND} or {@code SIGNATURE_INVALID}
   */
  VerifiedRebind verifyKdhRebindToken(KdhRebindToken token, X509Certificate kdhCertificate)
      throws SignatureInvalidException, MalformedTokenException;

  /**
   * RBT-CA (B.10): signed by the higher-level authority with a signingTime signed attribute (and
   * {@code crls}, usually none, carried); the content is a degenerate SignedData carrying id-data =
   * IASN(KRD) || IASN(old KDH) and {@code newKdh}'s certificates.
   */
  CaRebindToken buildCaRebindToken(
      X509Certificate authorityCertificate,
      PrivateKeyHandle authoritySigningKey,
      IssuerAndSerial krdId,
      IssuerAndSerial oldKdhId,
      CertificateChain newKdh,
      Instant signingTime,
      List<X509CRL> crls)
      throws KeyTransferException;

  /** Parses an RBT-CA far enough to name its claimed signer; verifies nothing. */
  CaRebindToken decodeCaRebindToken(byte[] token) throws MalformedTokenException;

  /**
   * Verifies an RBT-CA with {@code authorityCertificate} (see {@link VerifiedRebind}); the
   * signingTime is required.
   *
   * @throws SignatureInvalidException {@code SIGNER_NOT_BOUND} or {@code SIGNATURE_INVALID}
   */
  VerifiedRebind verifyCaRebindToken(CaRebindToken token, X509Certificate authorityCertificate)
      throws SignatureInvalidException, MalformedTokenException;
}
