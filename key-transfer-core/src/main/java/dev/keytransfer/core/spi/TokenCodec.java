package dev.keytransfer.core.spi;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.message.KdhCredentialToken;
import dev.keytransfer.core.message.KdhKeyToken;
import dev.keytransfer.core.message.KrdCredentialToken;
import dev.keytransfer.core.message.KrdRandomToken;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Builds and opens TR-34 tokens (TR-34 Annex B) with a chosen crypto provider and output profile.
 * Decoders accept any byte array and fail only with {@link MalformedTokenException} (R5).
 * Implementations are thread-safe.
 */
public interface TokenCodec {
  /** CT-KRD (B.7): the KRD's chain in a degenerate SignedData. */
  KrdCredentialToken encodeKrdCredential(CertificateChain chain) throws KeyTransferException;

  KrdCredentialToken decodeKrdCredential(byte[] token) throws MalformedTokenException;

  /** CT-KDH (B.6): the KDH's chain and CRLs in a degenerate SignedData. */
  KdhCredentialToken encodeKdhCredential(CertificateChain chain, List<X509CRL> crls) throws KeyTransferException;

  KdhCredentialToken decodeKdhCredential(byte[] token) throws MalformedTokenException;

  /** RT-KRD (B.12): a bare randomNonce attribute. */
  KrdRandomToken encodeRandomToken(Nonce nonce) throws KeyTransferException;

  KrdRandomToken decodeRandomToken(byte[] token) throws MalformedTokenException;

  /** Two-pass KT-KDH (B.9): encrypts the key block to the KRD and signs it with the KDH key. */
  KdhKeyToken buildKeyToken(KeyTokenRequest request) throws KeyTransferException;

  /** Parses a key token far enough to name its claimed signer; verifies nothing. */
  KdhKeyToken decodeKeyToken(byte[] token) throws MalformedTokenException;

  /**
   * Verifies a key token's signature with {@code kdhCertificate}'s key, over the signed attributes
   * exactly as received, and checks messageDigest against the content (P4, PROTOCOL.md pitfall 2).
   * The signer must be {@code kdhCertificate} (issuer and serial).
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
  KeyBlock decryptKeyToken(VerifiedKeyToken token, PrivateKeyHandle krdKey, X509Certificate krdCertificate)
      throws KeyTokenException;
}
