package dev.keytransfer.core.spi;

/** Algorithm choices of TR-34 key tokens; OIDs as dotted strings so core needs no ASN.1 library. */
public final class Algorithms {
  private Algorithms() {}

  /**
   * Signature algorithm of KT-KDH and of certificates: RSA PKCS#1 v1.5 over SHA-256 (TR-34 B.9); in
   * the ECDH mode (docs/ECDH.md) ECDSA with the hash of the signer's curve, the signature DER
   * encoded as X9.62 {@code ECDSA-Sig-Value}. Taken from policy, never from the token
   * (docs/SECURITY.md P5).
   */
  public enum Signature {
    RSA_PKCS1_SHA256("SHA256withRSA"),
    ECDSA_SHA256("SHA256withECDSA"),
    ECDSA_SHA384("SHA384withECDSA"),
    ECDSA_SHA512("SHA512withECDSA");

    private final String jcaName;

    Signature(String jcaName) {
      this.jcaName = jcaName;
    }

    /** The JCA standard algorithm name. */
    public String jcaName() {
      return jcaName;
    }

    /** Whether this is an ECDSA signature. */
    public boolean isEcdsa() {
      return this != RSA_PKCS1_SHA256;
    }
  }

  /** A hash function of the SHA-2 family, for ECDSA and the key derivation functions. */
  public enum Hash {
    SHA256("SHA-256", 32),
    SHA384("SHA-384", 48),
    SHA512("SHA-512", 64);

    private final String jcaName;
    private final int length;

    Hash(String jcaName, int length) {
      this.jcaName = jcaName;
      this.length = length;
    }

    /** The JCA standard name ({@code SHA-256}, ...). */
    public String jcaName() {
      return jcaName;
    }

    /** Output length in bytes. */
    public int length() {
      return length;
    }

    /** Security strength in bits against collisions (half the output). */
    public int strengthBits() {
      return length * 4;
    }
  }

  /**
   * The NIST prime curves of the ECDH mode (docs/ECDH.md), with the strength that decides which
   * keys they may protect (docs/SECURITY.md K2; NIST SP 800-57 part 1 table 2).
   */
  public enum Curve {
    P256("secp256r1", "1.2.840.10045.3.1.7", 32, 128, Signature.ECDSA_SHA256, Hash.SHA256),
    P384("secp384r1", "1.3.132.0.34", 48, 192, Signature.ECDSA_SHA384, Hash.SHA384),
    P521("secp521r1", "1.3.132.0.35", 66, 256, Signature.ECDSA_SHA512, Hash.SHA512);

    private final String jcaName;
    private final String oid;
    private final int fieldLength;
    private final int strengthBits;
    private final Signature signature;
    private final Hash hash;

    Curve(
        String jcaName,
        String oid,
        int fieldLength,
        int strengthBits,
        Signature signature,
        Hash hash) {
      this.jcaName = jcaName;
      this.oid = oid;
      this.fieldLength = fieldLength;
      this.strengthBits = strengthBits;
      this.signature = signature;
      this.hash = hash;
    }

    /** The name {@code ECGenParameterSpec} takes ({@code secp256r1}, ...). */
    public String jcaName() {
      return jcaName;
    }

    /** The namedCurve OID. */
    public String oid() {
      return oid;
    }

    /** Bytes of a field element: the length of the shared secret Z. */
    public int fieldLength() {
      return fieldLength;
    }

    /** Security strength in bits (128, 192, 256). */
    public int strengthBits() {
      return strengthBits;
    }

    /** The ECDSA signature of this curve's keys. */
    public Signature signature() {
      return signature;
    }

    /** The hash of matching strength. */
    public Hash hash() {
      return hash;
    }

    /** The platform's domain parameters of this curve, or null where it has none. */
    public java.security.spec.ECParameterSpec parameters() {
      return CurveParameters.spec(this);
    }

    /**
     * Whether {@code w} is a point of this curve's group fit for ECDH (NIST SP 800-56A rev. 3
     * 5.6.2.3.3): not the point at infinity, both coordinates in [0, p-1], on the curve; these
     * curves have cofactor 1, so {@code n * w = O} follows. False where the platform has no
     * parameters for the curve.
     */
    public boolean isValidPoint(java.security.spec.ECPoint w) {
      java.security.spec.ECParameterSpec spec = parameters();
      if (w == null
          || spec == null
          || spec.getCofactor() != 1
          || java.security.spec.ECPoint.POINT_INFINITY.equals(w)
          || !(spec.getCurve().getField() instanceof java.security.spec.ECFieldFp field)) {
        return false;
      }
      java.math.BigInteger p = field.getP();
      java.math.BigInteger x = w.getAffineX();
      java.math.BigInteger y = w.getAffineY();
      if (x == null
          || y == null
          || x.signum() < 0
          || y.signum() < 0
          || x.compareTo(p) >= 0
          || y.compareTo(p) >= 0) {
        return false;
      }
      java.security.spec.EllipticCurve c = spec.getCurve();
      java.math.BigInteger left = y.multiply(y).mod(p);
      java.math.BigInteger right = x.multiply(x).add(c.getA()).multiply(x).add(c.getB()).mod(p);
      return left.equals(right);
    }

    /** The curve with this field length (32, 48, 66), or null. */
    public static Curve forFieldLength(int bytes) {
      for (Curve c : values()) {
        if (c.fieldLength == bytes) {
          return c;
        }
      }
      return null;
    }

    /**
     * The curve of an EC public key, or null for any other key or curve. Matched on the domain
     * parameters (order, generator, field), never on a name the key might carry.
     */
    public static Curve of(java.security.PublicKey key) {
      if (!(key instanceof java.security.interfaces.ECPublicKey ec)) {
        return null;
      }
      java.security.spec.ECParameterSpec p = ec.getParams();
      for (Curve c : values()) {
        if (CurveParameters.matches(c, p)) {
          return c;
        }
      }
      return null;
    }
  }

  /**
   * The key derivation function of the ECDH mode (docs/ECDH.md), named as AWS Payment
   * Cryptography's {@code KeyDerivationFunction} names them.
   */
  public enum Kdf {
    /**
     * NIST SP 800-56C rev. 2 one-step KDF, hash option: {@code H(counter || Z || FixedInfo)}, the
     * 32-bit counter from 1 (AWS {@code NIST_SP800}; OpenSSL {@code SSKDF}).
     */
    NIST_SP800,
    /**
     * ANSI X9.63 KDF (SEC 1 3.6.1): {@code H(Z || counter || SharedInfo)}, the 32-bit counter from
     * 1 (AWS {@code ANSI_X963}; OpenSSL {@code X963KDF}).
     */
    ANSI_X963
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
