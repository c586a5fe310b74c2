package dev.keytransfer.core.handshake;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyStrength;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.KeyBlock;
import dev.keytransfer.core.spi.VerifiedKeyToken;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;

/**
 * The checks on a decrypted TR-34 key block (TR-34 B.9 steps 5-6; docs/SECURITY.md P7): idKDH names
 * the KDH that signed the token, the signed header equals the header inside the key block, and the
 * key fits what the header declares.
 */
public final class KeyBlockChecks {
  private KeyBlockChecks() {}

  /**
   * @param kdhId the identity of the certificate the token's signature was verified with
   * @throws KeyTokenException {@code KEY_BLOCK_ID_MISMATCH} or {@code HEADER_MISMATCH}
   */
  public static void check(KeyBlock block, VerifiedKeyToken verified, IssuerAndSerial kdhId)
      throws KeyTokenException {
    if (!block.kdhId().equals(kdhId)) {
      throw new KeyTokenException(
          ErrorCode.KEY_BLOCK_ID_MISMATCH, "key block names another KDH than the signer");
    }
    if (!block.header().equals(verified.header())) {
      throw new KeyTokenException(
          ErrorCode.HEADER_MISMATCH, "signed header differs from the key block header");
    }
    block.header().checkInstallable(block.key().length());
  }

  /**
   * K2 on receipt: the content key the block travelled under and the terminal's own RSA key are
   * each at least as strong as the key; a block whose content encryption is unknown is refused.
   *
   * @throws KeyTokenException {@code KEY_STRENGTH_POLICY}
   */
  public static void checkWrappingStrength(KeyBlock block, X509Certificate krd)
      throws KeyTokenException {
    checkWrappingStrength(krd, block.header(), block.key().length());
    Algorithms.ContentEncryption cea =
        block
            .contentEncryption()
            .orElseThrow(
                () ->
                    new KeyTokenException(
                        ErrorCode.KEY_STRENGTH_POLICY,
                        "the codec did not report the content encryption of the key block"));
    int transported = KeyStrength.symmetric(block.header().algorithm(), block.key().length());
    if (cea.strengthBits() < transported) {
      throw new KeyTokenException(
          ErrorCode.KEY_STRENGTH_POLICY,
          "key block encrypted under "
              + cea
              + " ("
              + cea.strengthBits()
              + " bits), weaker than the "
              + transported
              + "-bit key it carries");
    }
  }

  /** K2: the KRD's RSA key must be at least as strong as the key it receives. */
  static void checkWrappingStrength(X509Certificate krd, KeyBlockHeader header, int keyLength)
      throws KeyTokenException {
    if (!(krd.getPublicKey() instanceof RSAPublicKey rsa)) {
      throw new KeyTokenException(ErrorCode.KEY_STRENGTH_POLICY, "terminal key is not RSA");
    }
    int wrapping = KeyStrength.rsa(rsa.getModulus().bitLength());
    int transported = KeyStrength.symmetric(header.algorithm(), keyLength);
    if (wrapping < transported) {
      throw new KeyTokenException(
          ErrorCode.KEY_STRENGTH_POLICY,
          "terminal RSA-"
              + rsa.getModulus().bitLength()
              + " key ("
              + wrapping
              + " bits) is weaker than the "
              + transported
              + "-bit key it would receive");
    }
  }

  /**
   * The header the ECDH mode sends a key under: version D (AES key-block protection key,
   * docs/ECDH.md), the rest as the key source gave it.
   */
  static KeyBlockHeader forEcdh(KeyBlockHeader header) throws KeyTokenException {
    if (header.versionId() == 'D') {
      return header;
    }
    try {
      return KeyBlockHeader.parse("D" + header.value().substring(1));
    } catch (dev.keytransfer.core.MalformedTokenException e) {
      throw new KeyTokenException(ErrorCode.HEADER_MISMATCH, "header cannot be version D", e);
    }
  }

  /**
   * K2 in the ECDH mode (docs/ECDH.md): the curve is at least as strong as the key it protects, so
   * AES-128 and TDES from P-256, AES-192 from P-384, AES-256 only on P-521 (as IBM CCA enforces).
   *
   * @throws KeyTokenException {@code KEY_STRENGTH_POLICY}
   */
  public static void checkCurveStrength(
      Algorithms.Curve curve, KeyBlockHeader header, int keyLength) throws KeyTokenException {
    int transported = KeyStrength.symmetric(header.algorithm(), keyLength);
    if (curve.strengthBits() < transported) {
      throw new KeyTokenException(
          ErrorCode.KEY_STRENGTH_POLICY,
          "terminal key on "
              + curve
              + " ("
              + curve.strengthBits()
              + " bits) is weaker than the "
              + transported
              + "-bit key it would receive");
    }
  }

  /**
   * The ECDH mode's checks on an unwrapped key block: the key fits its header (P7), the header is
   * version D and installable, and the curve is strong enough for the key (K2).
   *
   * @throws KeyTokenException {@code HEADER_MISMATCH} or {@code KEY_STRENGTH_POLICY}
   */
  public static void checkEcdh(KeyBlock block, Algorithms.Curve curve) throws KeyTokenException {
    if (block.header().versionId() != 'D') {
      throw new KeyTokenException(
          ErrorCode.HEADER_MISMATCH, "the ECDH mode sends version D key blocks only");
    }
    block.header().checkInstallable(block.key().length());
    checkCurveStrength(curve, block.header(), block.key().length());
  }
}
