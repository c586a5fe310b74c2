package dev.keytransfer.crypto.dukpt;

import dev.keytransfer.core.KeyStrength;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.crypto.internal.Symmetric;
import java.util.Arrays;
import java.util.Objects;

/**
 * AES DUKPT key derivation, ANSI X9.24-3:2017: the initial key from a base derivation key (BDK) and
 * initial key ID (6.3.1), the intermediate derivation key for any counter (6.3.2-6.3.3; host side:
 * any counter is derived, originator validity is {@link AesKsn#isOriginatorValid()}), working keys
 * of every usage and type (6.3.4, 6.6), and the update key (the key-encryption working key at
 * counter {@code FFFFFFFF}, 6.5). Each derivation encrypts 16 bytes of derivation data under the
 * parent key with AES-ECB (6.2, table 2): {@code 01 || block counter || usage(2) || algorithm(2) ||
 * length in bits(2) || tail(8)}, once per 128 bits of output. BDKs are AES-128, AES-192 or AES-256;
 * the initial key and derivation keys have the BDK's type. Keys are {@link SecretKeyMaterial};
 * every result is a new object the caller destroys, and intermediate arrays are wiped. Stateless
 * and thread-safe.
 */
public final class AesDukpt {
  private static final int USAGE_DERIVATION = 0x8000;
  private static final int USAGE_INITIAL_KEY = 0x8001;

  /**
   * Type of a derived key: the algorithm code and length in derivation data (X9.24-3:2017 table 3).
   */
  public enum KeyType {
    /** Double-length TDES (2TDEA), 16 bytes. */
    TDES_2KEY(0x0000, 16, 'T'),
    /** Triple-length TDES (3TDEA), 24 bytes. */
    TDES_3KEY(0x0001, 24, 'T'),
    AES_128(0x0002, 16, 'A'),
    AES_192(0x0003, 24, 'A'),
    AES_256(0x0004, 32, 'A');

    private final int code;
    private final int length;
    private final char algorithm;

    KeyType(int code, int length, char algorithm) {
      this.code = code;
      this.length = length;
      this.algorithm = algorithm;
    }

    /** Key length in bytes. */
    public int length() {
      return length;
    }

    /** Security strength in bits (SP 800-57): 2TDEA 80, 3TDEA 112, AES its length. */
    public int strength() {
      return KeyStrength.symmetric(algorithm, length);
    }

    /** The AES type of a BDK or initial key of {@code length} bytes. */
    public static KeyType aes(int length) {
      return switch (length) {
        case 16 -> AES_128;
        case 24 -> AES_192;
        case 32 -> AES_256;
        default -> throw new IllegalArgumentException("AES DUKPT keys are 16, 24 or 32 bytes");
      };
    }
  }

  /** Usage of a working key (X9.24-3:2017 table 2). */
  public enum KeyUsage {
    /** Key encryption key; at counter {@code FFFFFFFF} the update key (6.5). */
    KEY_ENCRYPTION(0x0002),
    PIN_ENCRYPTION(0x1000),
    MAC_GENERATION(0x2000),
    MAC_VERIFICATION(0x2001),
    MAC_BOTH(0x2002),
    DATA_ENCRYPTION(0x3000),
    DATA_DECRYPTION(0x3001),
    DATA_BOTH(0x3002);

    private final int code;

    KeyUsage(int code) {
      this.code = code;
    }
  }

  private final Symmetric sym;

  private AesDukpt(CryptoProvider crypto) {
    this.sym = Symmetric.over(crypto);
  }

  /** The derivations, with every block operation through {@code crypto}. */
  public static AesDukpt using(CryptoProvider crypto) {
    return new AesDukpt(crypto);
  }

  /**
   * The initial key (IK) of the device with {@code ksn}'s initial key ID (X9.24-3:2017 6.3.1):
   * usage {@code 8001}, the BDK's own type, tail = initial key ID. The counter is ignored.
   *
   * @throws IllegalArgumentException if the BDK is not 16, 24 or 32 bytes
   */
  public SecretKeyMaterial initialKey(SecretKeyMaterial bdk, AesKsn ksn) {
    Objects.requireNonNull(bdk, "bdk");
    Objects.requireNonNull(ksn, "ksn");
    KeyType type = KeyType.aes(bdk.length());
    byte[] b = bdk.copyBytes();
    try {
      return SecretKeyMaterial.adopt(derive(b, USAGE_INITIAL_KEY, type, ksn.initialKeyId()));
    } finally {
      Arrays.fill(b, (byte) 0);
    }
  }

  /**
   * The intermediate derivation key at {@code ksn}'s counter (X9.24-3:2017 6.3.2): from the initial
   * key, for each set counter bit from the top, usage {@code 8000}, the initial key's type, tail =
   * derivation ID || the counter bits set so far.
   */
  public SecretKeyMaterial derivationKey(SecretKeyMaterial initialKey, AesKsn ksn) {
    byte[] k = derivationKeyBytes(initialKey, ksn);
    return SecretKeyMaterial.adopt(k);
  }

  /**
   * A working key at {@code ksn}'s counter (X9.24-3:2017 6.3.4): from the derivation key at that
   * counter, with the given usage and type, tail = derivation ID || counter.
   *
   * @throws IllegalArgumentException if {@code type} is stronger than the initial key (6.1)
   */
  public SecretKeyMaterial workingKey(
      SecretKeyMaterial initialKey, AesKsn ksn, KeyUsage usage, KeyType type) {
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(type, "type");
    KeyType ikType = KeyType.aes(Objects.requireNonNull(initialKey, "initialKey").length());
    if (type.strength() > ikType.strength()) {
      throw new IllegalArgumentException(
          "a " + type + " working key is stronger than its " + ikType + " initial key");
    }
    byte[] dk = derivationKeyBytes(initialKey, ksn);
    try {
      return SecretKeyMaterial.adopt(derive(dk, usage.code, type, tail(ksn, ksn.counter())));
    } finally {
      Arrays.fill(dk, (byte) 0);
    }
  }

  /**
   * The update key of the device with {@code ksn}'s initial key ID (X9.24-3:2017 6.5): the
   * key-encryption working key at counter {@code FFFFFFFF}.
   */
  public SecretKeyMaterial updateKey(SecretKeyMaterial initialKey, AesKsn ksn, KeyType type) {
    return workingKey(initialKey, ksn.withCounter(0xFFFFFFFFL), KeyUsage.KEY_ENCRYPTION, type);
  }

  /** Host side in one call: the working key for {@code ksn} straight from the BDK. */
  public SecretKeyMaterial workingKeyFromBdk(
      SecretKeyMaterial bdk, AesKsn ksn, KeyUsage usage, KeyType type) {
    try (SecretKeyMaterial ik = initialKey(bdk, ksn)) {
      return workingKey(ik, ksn, usage, type);
    }
  }

  private byte[] derivationKeyBytes(SecretKeyMaterial initialKey, AesKsn ksn) {
    Objects.requireNonNull(initialKey, "initialKey");
    Objects.requireNonNull(ksn, "ksn");
    KeyType type = KeyType.aes(initialKey.length());
    long counter = ksn.counter();
    byte[] key = initialKey.copyBytes();
    long working = 0;
    for (long bit = 1L << 31; bit != 0; bit >>>= 1) {
      if ((counter & bit) != 0) {
        working |= bit;
        byte[] next = derive(key, USAGE_DERIVATION, type, tail(ksn, working));
        Arrays.fill(key, (byte) 0);
        key = next;
      }
    }
    return key;
  }

  /** Derivation ID || counter. */
  private static byte[] tail(AesKsn ksn, long counter) {
    byte[] t = Arrays.copyOfRange(ksn.withCounter(counter).bytes(), 4, 12);
    return t;
  }

  /** X9.24-3:2017 6.2: AES-ECB of the derivation data under {@code key}, block counter 1, 2, ... */
  private byte[] derive(byte[] key, int usage, KeyType type, byte[] tail) {
    int bits = type.length * 8;
    int blocks = (type.length + 15) / 16;
    byte[] data = new byte[16];
    data[0] = 0x01;
    data[2] = (byte) (usage >>> 8);
    data[3] = (byte) usage;
    data[4] = (byte) (type.code >>> 8);
    data[5] = (byte) type.code;
    data[6] = (byte) (bits >>> 8);
    data[7] = (byte) bits;
    System.arraycopy(tail, 0, data, 8, 8);
    byte[] out = new byte[blocks * 16];
    for (int i = 1; i <= blocks; i++) {
      data[1] = (byte) i;
      byte[] block = sym.aesEcb(true, key, data);
      System.arraycopy(block, 0, out, (i - 1) * 16, 16);
      Arrays.fill(block, (byte) 0);
    }
    byte[] result = Arrays.copyOf(out, type.length);
    Arrays.fill(out, (byte) 0);
    return result;
  }
}
