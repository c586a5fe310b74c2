package dev.keytransfer.core.handshake;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.spi.KeyBlock;
import dev.keytransfer.core.spi.VerifiedKeyToken;

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
}
