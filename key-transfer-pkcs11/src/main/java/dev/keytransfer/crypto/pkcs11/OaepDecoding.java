package dev.keytransfer.crypto.pkcs11;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;

/**
 * EME-OAEP decoding (RFC 8017 §7.1.2 step 3) of the encoded message that a raw RSA private-key
 * operation ({@code CKM_RSA_X_509} in a PKCS#11 token) returns, in constant time: every check runs
 * over the whole block and the checks are combined with masks, so the first byte, the label hash,
 * the padding string and the position of the 0x01 separator all take the same path whether they are
 * right or wrong. Success or failure is decided once, at the end, and a failure is one {@code null}
 * whatever went wrong (docs/SECURITY.md R1, Manger's attack). Only the length of a
 * <em>correctly</em> decoded message shows in the time taken, and that length is public once
 * decryption succeeds.
 *
 * <p>The encoded block is secret; the caller wipes it. Not API; stateless; thread-safe.
 */
final class OaepDecoding {
  private OaepDecoding() {}

  /**
   * OAEP parameters: the label hash, the MGF1 hash and the label.
   *
   * @param hash JCA name of the label hash ("SHA-1", "SHA-256")
   * @param mgfHash JCA name of the MGF1 hash
   * @param label the label (empty in TR-34)
   */
  public record Params(String hash, String mgfHash, byte[] label) {
    /** TR-34 key transport: SHA-256, MGF1-SHA-256, empty label (B.2.2.3). */
    public static final Params SHA256 = new Params("SHA-256", "SHA-256", new byte[0]);

    public Params {
      Objects.requireNonNull(hash, "hash");
      Objects.requireNonNull(mgfHash, "mgfHash");
      label = label == null ? new byte[0] : label.clone();
    }

    @Override
    public byte[] label() {
      return label.clone();
    }
  }

  /**
   * Decodes {@code em}, the k-byte result of the raw RSA operation (shorter input is left-padded
   * with zeros, as some tokens strip them).
   *
   * @param em the encoded message, secret; not modified
   * @param k the modulus length in bytes
   * @return the message, or {@code null} on any decoding failure (one outcome for every cause)
   */
  public static byte[] decode(byte[] em, int k, Params params) {
    MessageDigest hash = digest(params.hash());
    MessageDigest mgfHash = digest(params.mgfHash());
    int hLen = hash.getDigestLength();
    if (em == null || em.length > k || k < 2 * hLen + 2) {
      return null; // public facts: the modulus size and the token's output length
    }
    byte[] block = new byte[k];
    System.arraycopy(em, 0, block, k - em.length, em.length);
    byte[] lHash = hash.digest(params.label);
    byte[] seed = Arrays.copyOfRange(block, 1, 1 + hLen);
    byte[] db = Arrays.copyOfRange(block, 1 + hLen, k);
    try {
      xor(seed, mgf1(mgfHash, db, hLen));
      xor(db, mgf1(mgfHash, seed, db.length));

      int good = isZero(block[0] & 0xFF);
      int diff = 0;
      for (int i = 0; i < hLen; i++) {
        diff |= (db[i] ^ lHash[i]) & 0xFF;
      }
      good &= isZero(diff);

      // find the first 0x01 after lHash' with only 0x00 before it, touching every byte
      int found = 0;
      int index = 0;
      int badByte = 0;
      for (int i = hLen; i < db.length; i++) {
        int b = db[i] & 0xFF;
        int isOne = isZero(b ^ 1);
        int looking = found ^ 1;
        int hit = looking & isOne;
        index = select(hit, i, index);
        badByte |= looking & (isZero(b) ^ 1) & (isOne ^ 1);
        found |= isOne;
      }
      good &= found & (badByte ^ 1);
      if (good != 1) {
        return null;
      }
      return Arrays.copyOfRange(db, index + 1, db.length);
    } finally {
      Arrays.fill(block, (byte) 0);
      Arrays.fill(seed, (byte) 0);
      Arrays.fill(db, (byte) 0);
    }
  }

  /** MGF1 (RFC 8017 B.2.1). */
  private static byte[] mgf1(MessageDigest h, byte[] seed, int length) {
    byte[] out = new byte[length];
    byte[] counter = new byte[4];
    int done = 0;
    for (int c = 0; done < length; c++) {
      counter[0] = (byte) (c >>> 24);
      counter[1] = (byte) (c >>> 16);
      counter[2] = (byte) (c >>> 8);
      counter[3] = (byte) c;
      h.update(seed);
      h.update(counter);
      byte[] t = h.digest();
      int n = Math.min(t.length, length - done);
      System.arraycopy(t, 0, out, done, n);
      Arrays.fill(t, (byte) 0);
      done += n;
    }
    return out;
  }

  private static void xor(byte[] target, byte[] mask) {
    for (int i = 0; i < target.length; i++) {
      target[i] ^= mask[i];
    }
    Arrays.fill(mask, (byte) 0);
  }

  /** 1 if {@code x} (0..2^31-1) is zero, else 0, without a branch. */
  private static int isZero(int x) {
    return (x - 1) >>> 31;
  }

  /** {@code a} if {@code bit} is 1, {@code b} if it is 0, without a branch. */
  private static int select(int bit, int a, int b) {
    int mask = -bit;
    return (a & mask) | (b & ~mask);
  }

  private static MessageDigest digest(String name) {
    try {
      return MessageDigest.getInstance(name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalArgumentException("unknown OAEP hash " + name, e);
    }
  }
}
