package dev.keytransfer.core.spi;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.IssuerAndSerial;
import java.util.Objects;

/**
 * A KT-KDH-ECDH whose ECDSA signature verified under the KDH's certificate (docs/ECDH.md): its
 * fields can now be trusted as the host's. Only a verified token is ever derived from or unwrapped
 * (docs/SECURITY.md P6).
 *
 * <p>What the codec checked: the token's structure and version, that the signer is the certificate
 * it was verified with, ECDSA with the hash of that certificate's curve (P5, never the token's
 * choice), the signature over the content as received, and that both fresh values have the length
 * docs/ECDH.md gives. What the caller checks: the certificate is the bound KDH (C11); {@link
 * #krdRandom()} equals this session's nonce, single use (P1, P3); {@link #krdId()} is this
 * terminal; neither fresh value contains a zero byte and the host's was not seen before; after
 * unwrapping, the header fits the key and the curve ({@code KeyBlockChecks}).
 *
 * @param bytes the token as received
 * @param kdhId the signer, equal to the certificate it was verified with
 * @param krdId the terminal the answer is for
 * @param kdf the key derivation function the host used
 * @param hash the KDF's hash
 * @param krdRandom the terminal's fresh value, echoed
 * @param kdhRandom the host's fresh value
 * @param keyBlock the TR-31 version D key block, printable
 */
public record VerifiedEcdhKeyToken(
    Bytes bytes,
    IssuerAndSerial kdhId,
    IssuerAndSerial krdId,
    Algorithms.Kdf kdf,
    Algorithms.Hash hash,
    Bytes krdRandom,
    Bytes kdhRandom,
    String keyBlock) {
  public VerifiedEcdhKeyToken {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(kdhId, "kdhId");
    Objects.requireNonNull(krdId, "krdId");
    Objects.requireNonNull(kdf, "kdf");
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(krdRandom, "krdRandom");
    Objects.requireNonNull(kdhRandom, "kdhRandom");
    Objects.requireNonNull(keyBlock, "keyBlock");
  }

  @Override
  public String toString() {
    return "VerifiedEcdhKeyToken[signer " + kdhId + ", " + kdf + "/" + hash + "]";
  }
}
