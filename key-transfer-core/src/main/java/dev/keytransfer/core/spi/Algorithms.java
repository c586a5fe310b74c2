package dev.keytransfer.core.spi;

/** Algorithm choices of TR-34 key tokens; OIDs as dotted strings so core needs no ASN.1 library. */
public final class Algorithms {
  private Algorithms() {}

  /**
   * Signature algorithm of KT-KDH and of certificates: RSA PKCS#1 v1.5 over SHA-256 (TR-34 B.9).
   * Taken from policy, never from the token (docs/SECURITY.md P5).
   */
  public enum Signature {
    RSA_PKCS1_SHA256
  }

  /**
   * Key transport of the content-encryption key: RSAES-OAEP with SHA-256 and MGF1-SHA-256 (TR-34
   * B.2.2.3).
   */
  public enum KeyTransport {
    RSA_OAEP_SHA256
  }

  /**
   * Content encryption of the key block (TR-34 B.2.2.3): chosen so that the ephemeral key is at
   * least as strong as the transported key (docs/SECURITY.md K2).
   */
  public enum ContentEncryption {
    /** des-ede3-cbc, 3-key TDES (112 bits), 8-byte IV. */
    TDES_CBC("1.2.840.113549.3.7", 24, 8, 112),
    /** aes128-CBC, 16-byte IV. */
    AES_128_CBC("2.16.840.1.101.3.4.1.2", 16, 16, 128),
    /** aes256-CBC, 16-byte IV: used when the transported key is stronger than AES-128. */
    AES_256_CBC("2.16.840.1.101.3.4.1.42", 32, 16, 256);

    private final String oid;
    private final int keyLength;
    private final int ivLength;
    private final int strengthBits;

    ContentEncryption(String oid, int keyLength, int ivLength, int strengthBits) {
      this.oid = oid;
      this.keyLength = keyLength;
      this.ivLength = ivLength;
      this.strengthBits = strengthBits;
    }

    public String oid() {
      return oid;
    }

    public int keyLength() {
      return keyLength;
    }

    public int ivLength() {
      return ivLength;
    }

    public int strengthBits() {
      return strengthBits;
    }

    /** Block size in bytes. */
    public int blockSize() {
      return this == TDES_CBC ? 8 : 16;
    }

    /** The algorithm for an OID, or null. */
    public static ContentEncryption fromOid(String oid) {
      for (ContentEncryption c : values()) {
        if (c.oid.equals(oid)) {
          return c;
        }
      }
      return null;
    }

    /**
     * The weakest content encryption at least as strong as a transported key of the given header
     * algorithm and length; TDES keys travel under TDES, AES keys under AES.
     */
    public static ContentEncryption atLeastAsStrongAs(char headerAlgorithm, int keyLengthBytes) {
      if (headerAlgorithm == 'T') {
        return TDES_CBC;
      }
      return keyLengthBytes <= 16 ? AES_128_CBC : AES_256_CBC;
    }
  }

  /**
   * A raw block cipher, for the primitives that key blocks (TR-31 / X9.143), key check values and
   * DUKPT (X9.24) are built from: ECB or CBC over whole blocks, no padding.
   */
  public enum BlockCipher {
    /** Single DES (8-byte key): only the X9.24-1 DUKPT non-reversible step uses it. */
    DES(8, 8),
    /** TDES with a 16-byte (K1 K2 K1) or 24-byte key. */
    TDES(8, 24),
    /** AES with a 16-, 24- or 32-byte key. */
    AES(16, 32);

    private final int blockSize;
    private final int maxKeyLength;

    BlockCipher(int blockSize, int maxKeyLength) {
      this.blockSize = blockSize;
      this.maxKeyLength = maxKeyLength;
    }

    /** Block size in bytes. */
    public int blockSize() {
      return blockSize;
    }

    /** Whether {@code length} is a key length of this cipher. */
    public boolean isKeyLength(int length) {
      return switch (this) {
        case DES -> length == 8;
        case TDES -> length == 16 || length == 24;
        case AES -> length == 16 || length == 24 || length == 32;
      };
    }

    /** The longest key, in bytes. */
    public int maxKeyLength() {
      return maxKeyLength;
    }
  }
}
