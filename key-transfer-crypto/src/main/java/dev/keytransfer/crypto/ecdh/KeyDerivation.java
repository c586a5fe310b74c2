package dev.keytransfer.crypto.ecdh;

import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoRules;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * The hash-based key derivation functions of the ECDH mode (docs/ECDH.md), over the shared secret Z
 * and the shared information:
 *
 * <ul>
 *   <li>{@link Algorithms.Kdf#NIST_SP800}: NIST SP 800-56C rev. 2 section 4.1, the one-step KDF
 *       with option 1, {@code H(x) = hash(x)}: {@code K(i) = H(counter || Z || FixedInfo)};
 *   <li>{@link Algorithms.Kdf#ANSI_X963}: ANSI X9.63 (SEC 1 v2 section 3.6.1): {@code K(i) = H(Z ||
 *       counter || SharedInfo)};
 * </ul>
 *
 * <p>the counter a 32-bit big-endian integer from 1, the output {@code K(1) || K(2) || ...}
 * truncated to the length asked for. Plain {@link MessageDigest} from the platform's providers
 * (nothing else is needed, so it runs on Android too). The copies of Z and of each hash block are
 * wiped after use (docs/SECURITY.md K5). Stateless and thread-safe.
 */
public final class KeyDerivation {
  /**
   * The most hash blocks one derivation produces: a bound far above any key (255 blocks is 8160
   * bytes with SHA-256) that keeps the output small, as SP 800-56C allows an implementation to.
   */
  public static final int MAX_BLOCKS = 255;

  private KeyDerivation() {}

  /**
   * Derives {@code lengthBytes} bytes from {@code z} and {@code sharedInfo} (the FixedInfo of SP
   * 800-56C, the SharedInfo of X9.63; may be empty).
   *
   * @return new key material the caller destroys
   * @throws IllegalArgumentException for a length below 1 or above {@link #MAX_BLOCKS} hash
   *     outputs, or a destroyed {@code z}
   * @throws NullPointerException for a null argument
   */
  public static SecretKeyMaterial derive(
      Algorithms.Kdf kdf,
      Algorithms.Hash hash,
      SecretKeyMaterial z,
      byte[] sharedInfo,
      int lengthBytes) {
    Objects.requireNonNull(kdf, "kdf");
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(z, "z");
    Objects.requireNonNull(sharedInfo, "sharedInfo");
    if (lengthBytes < 1 || lengthBytes > MAX_BLOCKS * hash.length()) {
      throw new IllegalArgumentException(
          "derived key length must be 1 to "
              + MAX_BLOCKS * hash.length()
              + " bytes with "
              + hash.jcaName()
              + ", not "
              + lengthBytes);
    }
    if (z.isDestroyed()) {
      throw new IllegalArgumentException("the shared secret Z is destroyed");
    }
    MessageDigest md = digest(hash);
    byte[] zb = z.copyBytes();
    byte[] block = new byte[hash.length()];
    byte[] counter = new byte[4];
    byte[] out = new byte[lengthBytes];
    boolean done = false;
    try {
      for (int i = 1, offset = 0; offset < lengthBytes; i++) {
        counter[0] = (byte) (i >>> 24);
        counter[1] = (byte) (i >>> 16);
        counter[2] = (byte) (i >>> 8);
        counter[3] = (byte) i;
        if (kdf == Algorithms.Kdf.NIST_SP800) {
          md.update(counter);
          md.update(zb);
        } else {
          md.update(zb);
          md.update(counter);
        }
        md.update(sharedInfo);
        md.digest(block, 0, block.length);
        int n = Math.min(block.length, lengthBytes - offset);
        System.arraycopy(block, 0, out, offset, n);
        offset += n;
      }
      done = true;
      return SecretKeyMaterial.adopt(out);
    } catch (DigestException e) {
      throw new IllegalStateException(hash.jcaName() + " failed", e);
    } finally {
      md.reset();
      CryptoRules.wipe(zb);
      CryptoRules.wipe(block);
      if (!done) {
        CryptoRules.wipe(out);
      }
    }
  }

  private static MessageDigest digest(Algorithms.Hash hash) {
    try {
      return MessageDigest.getInstance(hash.jcaName());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this platform has no " + hash.jcaName(), e);
    }
  }
}
