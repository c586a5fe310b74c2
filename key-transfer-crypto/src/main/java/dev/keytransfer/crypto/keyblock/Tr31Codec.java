package dev.keytransfer.crypto.keyblock;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyStrength;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.crypto.internal.Symmetric;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Wraps and unwraps TR-31 / ANSI X9.143 key blocks, versions A, B, C (TDES) and D (AES), under a
 * key block protection key (KBPK) held as {@link SecretKeyMaterial}. A terminal opens a working key
 * sent under its installed master key like this:
 *
 * <pre>{@code
 * Tr31Codec tr31 = Tr31Codec.create(crypto);
 * try (InstalledKey tmk = device.keyStore().current().orElseThrow();
 *      UnwrappedKey pin = tr31.unwrap(tmk.key(), keyBlock)) {
 *   // pin.header().keyUsage() is "P0", pin.key() is the clear PIN key
 * }
 * }</pre>
 *
 * <p><b>Strict on what we emit</b> ({@link #wrap}): the header passes the X9.143 rules (those of
 * {@link Tr31Header.Builder#build()}), it is aligned to the cipher block with a random {@code PB}
 * block (X9.143 6.3.6.11), TDES keys are padded as 24 bytes and AES keys as 32 (X9.143 key length
 * obfuscation, 6.4) with random padding, the key must fit the header algorithm, the KBPK must be at
 * least as strong as the key, and {@code KC}/{@code KP} blocks must match the keys.
 *
 * <p><b>Lenient on what we accept</b> ({@link #unwrap}), as real HSM blocks differ
 * (docs/KEYBLOCKS.md 2.7 and pitfalls 2, 6, 14, 15): blocks without obfuscation (TR-31:2018,
 * Thales), any amount of padding, any printable header field and optional block data, psec's {@code
 * 02} extended length, lower-case hex. {@link #withStrictImport()} refuses all of these. Either way
 * the MAC is checked before any payload field is used: for A and C before decryption (X9.143 7.2);
 * for B and D, whose MAC covers the clear payload and serves as the IV, right after decryption with
 * nothing else read (X9.143 7.3, 7.4). MACs are compared with {@link MessageDigest#isEqual}
 * (docs/SECURITY.md R4), and every MAC failure, tampering or wrong key, gives the same {@code
 * KEY_BLOCK_MAC_INVALID} and message. A {@code KC} or {@code KP} block whose format is understood
 * is checked against the unwrapped key or the KBPK ({@code KCV_MISMATCH}, docs/SECURITY.md K3),
 * with KCVs computed by the {@link CryptoProvider}.
 *
 * <p>Thread-safe. Clear keys, KBEK/KBAK and payload buffers are wiped after use (docs/SECURITY.md
 * K5).
 */
public final class Tr31Codec {
  /** Largest key block: the length field has four digits (X9.143 6.2). */
  public static final int MAX_LENGTH = 9999;

  static final String MAC_INVALID = "key block MAC does not verify";

  private final CryptoProvider crypto;
  private final Symmetric sym;
  private final boolean strictImport;

  private Tr31Codec(CryptoProvider crypto, boolean strictImport) {
    this.crypto = Objects.requireNonNull(crypto, "crypto");
    this.sym = Symmetric.over(crypto);
    this.strictImport = strictImport;
  }

  /**
   * A codec drawing padding from {@code crypto.secureRandom()} and computing KCVs through {@code
   * crypto}: strict on wrap, lenient on unwrap.
   */
  public static Tr31Codec create(CryptoProvider crypto) {
    return new Tr31Codec(crypto, false);
  }

  /**
   * A codec that also unwraps strictly: the header must pass the X9.143 rules, lower-case hex is
   * refused, TDES and AES keys must fit their algorithm and carry X9.143 key length obfuscation.
   */
  public Tr31Codec withStrictImport() {
    return new Tr31Codec(crypto, true);
  }

  /** True if {@link #unwrap} applies the strict X9.143 rules. */
  public boolean strictImport() {
    return strictImport;
  }

  /**
   * Wraps {@code key} under {@code kbpk} with {@code header} (X9.143 6, 7).
   *
   * @return the key block text (header, hex payload, hex MAC)
   * @throws KeyBlockException {@code KEY_BLOCK_KBPK_INVALID} (KBPK length does not fit the
   *     version), {@code KEY_BLOCK_HEADER_INVALID} (strict rules; a {@code PB} block that does not
   *     align), {@code HEADER_MISMATCH} (key length does not fit the header algorithm), {@code
   *     KEY_STRENGTH_POLICY} (KBPK weaker than the key), {@code KCV_MISMATCH} ({@code KC} or {@code
   *     KP} does not match), {@code KEY_BLOCK_LENGTH_INVALID} (over 9999 characters)
   */
  public String wrap(SecretKeyMaterial kbpk, Tr31Header header, SecretKeyMaterial key)
      throws KeyBlockException {
    Objects.requireNonNull(kbpk, "kbpk");
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(key, "key");
    KeyBlockVersion version = header.version();
    checkKbpk(version, kbpk);
    header.checkStrict();
    checkKeyFitsAlgorithm(header.algorithm(), key.length());
    checkStrength(version, kbpk.length(), header.algorithm(), key.length());
    checkCarriedKcvs(header, kbpk, key, true);
    Tr31Header aligned = header.aligned(crypto.secureRandom());
    if (!aligned.isAligned()) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_HEADER_INVALID,
          "the PB block does not align the header to " + version.blockSize() + " characters");
    }
    byte[] padding = new byte[paddingLength(version, header.algorithm(), key.length(), true)];
    crypto.secureRandom().nextBytes(padding);
    byte[] k = key.copyBytes();
    try {
      return seal(kbpk, aligned, k, padding);
    } finally {
      Arrays.fill(k, (byte) 0);
      Arrays.fill(padding, (byte) 0);
    }
  }

  /**
   * Authenticates and decrypts a key block (X9.143 6, 7; docs/KEYBLOCKS.md 2.7). Checks, in order:
   * the text (printable, supported version, length field equal to the length and a multiple of the
   * cipher block), the optional blocks, the MAC and payload fields being hex and present, the KBPK
   * length, header and payload alignment, the MAC, the key length field, then {@code KC}/{@code
   * KP}. (The KBPK comes before alignment as in psec, whose negative vectors pin this order.)
   *
   * @return the header and the clear key; the caller closes it
   * @throws KeyBlockException {@code KEY_BLOCK_MALFORMED}, {@code KEY_BLOCK_UNSUPPORTED}, {@code
   *     KEY_BLOCK_LENGTH_INVALID}, {@code KEY_BLOCK_MAC_MALFORMED}, {@code
   *     KEY_BLOCK_PAYLOAD_MALFORMED}, {@code KEY_BLOCK_KBPK_INVALID}, {@code
   *     KEY_BLOCK_MAC_INVALID}, {@code KEY_BLOCK_KEY_LENGTH_INVALID}, {@code KCV_MISMATCH}; under
   *     strict import also {@code KEY_BLOCK_HEADER_INVALID} and {@code HEADER_MISMATCH}
   */
  public UnwrappedKey unwrap(SecretKeyMaterial kbpk, String keyBlock) throws KeyBlockException {
    Objects.requireNonNull(kbpk, "kbpk");
    Objects.requireNonNull(keyBlock, "keyBlock");
    if (keyBlock.length() > MAX_LENGTH) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_LENGTH_INVALID,
          "key block is longer than " + MAX_LENGTH + " characters");
    }
    KeyBlockVersion version = Tr31Header.checkFixedPart(keyBlock);
    int declared = Integer.parseInt(keyBlock.substring(1, 5));
    if (declared != keyBlock.length()) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_LENGTH_INVALID,
          "key block length field says "
              + declared
              + " but the block has "
              + keyBlock.length()
              + " characters");
    }
    int bs = version.blockSize();
    if (keyBlock.length() % bs != 0) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_LENGTH_INVALID,
          "key block length "
              + keyBlock.length()
              + " is not a multiple of "
              + bs
              + " for version "
              + version);
    }
    Tr31Header.Parsed parsed = Tr31Header.parsePrefix(keyBlock, keyBlock.length());
    Tr31Header header = parsed.header();
    int headerLength = parsed.length();
    int macStart = keyBlock.length() - 2 * version.macLength();
    if (macStart < headerLength) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_MAC_MALFORMED,
          "version "
              + version
              + " needs a MAC of "
              + 2 * version.macLength()
              + " hex characters; "
              + (keyBlock.length() - headerLength)
              + " follow the header");
    }
    if (!Tr31Text.hex(keyBlock, macStart, keyBlock.length(), !strictImport)) {
      throw new KeyBlockException(ErrorCode.KEY_BLOCK_MAC_MALFORMED, "key block MAC is not hex");
    }
    if (macStart == headerLength) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_PAYLOAD_MALFORMED, "key block has no encrypted payload");
    }
    if (!Tr31Text.hex(keyBlock, headerLength, macStart, !strictImport)) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_PAYLOAD_MALFORMED, "key block payload is not hex");
    }
    checkKbpk(version, kbpk);
    if (headerLength % bs != 0) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_MALFORMED,
          "key block header of "
              + headerLength
              + " characters is not a multiple of "
              + bs
              + " (PB block missing)");
    }
    if ((macStart - headerLength) % (2 * bs) != 0) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_PAYLOAD_MALFORMED, "key block payload is not whole cipher blocks");
    }
    if (strictImport) {
      header.checkStrict();
      if (!header.encode(declared).equals(keyBlock.substring(0, headerLength))) {
        throw new KeyBlockException(
            ErrorCode.KEY_BLOCK_HEADER_INVALID,
            "optional block lengths are not in the X9.143 form (upper-case hex, extended form 0004"
                + " only when needed)");
      }
    }

    byte[] headerBytes = keyBlock.substring(0, headerLength).getBytes(StandardCharsets.US_ASCII);
    byte[] ciphertext = Tr31Text.decodeHex(keyBlock, headerLength, macStart);
    byte[] mac = Tr31Text.decodeHex(keyBlock, macStart, keyBlock.length());
    byte[] payload = open(version, kbpk, headerBytes, ciphertext, mac);
    SecretKeyMaterial key = null;
    try {
      int bits = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
      if (bits == 0 || bits % 8 != 0) {
        throw new KeyBlockException(
            ErrorCode.KEY_BLOCK_KEY_LENGTH_INVALID,
            "key length field of " + bits + " bits is not a whole, non-zero number of bytes");
      }
      int keyLength = bits / 8;
      if (keyLength > payload.length - 2) {
        throw new KeyBlockException(
            ErrorCode.KEY_BLOCK_KEY_LENGTH_INVALID,
            "key length field of "
                + bits
                + " bits is longer than the "
                + (payload.length - 2)
                + "-byte payload");
      }
      if (strictImport) {
        checkKeyFitsAlgorithm(header.algorithm(), keyLength);
        if (payload.length - 2 - keyLength
            < paddingLength(version, header.algorithm(), keyLength, true)) {
          throw new KeyBlockException(
              ErrorCode.KEY_BLOCK_PAYLOAD_MALFORMED, "payload lacks X9.143 key length obfuscation");
        }
      }
      key = SecretKeyMaterial.adopt(Arrays.copyOfRange(payload, 2, 2 + keyLength));
      checkCarriedKcvs(header, kbpk, key, strictImport);
      UnwrappedKey result = new UnwrappedKey(header, key);
      key = null;
      return result;
    } finally {
      Arrays.fill(payload, (byte) 0);
      if (key != null) {
        key.destroy();
      }
    }
  }

  /**
   * Wraps with exactly the given padding after the key: the deterministic core of {@link #wrap},
   * without its export policy (tests reproduce published blocks with their recorded padding).
   */
  String seal(SecretKeyMaterial kbpk, Tr31Header header, byte[] key, byte[] padding)
      throws KeyBlockException {
    KeyBlockVersion version = header.version();
    checkKbpk(version, kbpk);
    if (!header.isAligned()) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_HEADER_INVALID,
          "header of "
              + header.encodedLength()
              + " characters is not a multiple of "
              + version.blockSize());
    }
    int payloadLength = 2 + key.length + padding.length;
    if (payloadLength % version.blockSize() != 0) {
      throw new IllegalArgumentException("key and padding do not fill whole cipher blocks");
    }
    int total = header.encodedLength() + 2 * payloadLength + 2 * version.macLength();
    if (total > MAX_LENGTH) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_LENGTH_INVALID,
          "key block would be " + total + " characters; at most " + MAX_LENGTH);
    }
    String headerText = header.encode(total);
    byte[] headerBytes = headerText.getBytes(StandardCharsets.US_ASCII);
    byte[] payload = new byte[payloadLength];
    int bits = key.length * 8;
    payload[0] = (byte) (bits >> 8);
    payload[1] = (byte) bits;
    System.arraycopy(key, 0, payload, 2, key.length);
    System.arraycopy(padding, 0, payload, 2 + key.length, padding.length);
    byte[] k = kbpk.copyBytes();
    byte[] macInput = null;
    try (KeyBlockKeys keys = KeyBlockKeys.of(sym, version, k)) {
      byte[] ciphertext;
      byte[] mac;
      if (!version.derivationBinding()) {
        ciphertext = sym.tdesCbc(true, keys.kbek, Arrays.copyOf(headerBytes, 8), payload);
        macInput = concat(headerBytes, ciphertext);
        mac = Arrays.copyOf(sym.tdesCbcMac(keys.kbak, macInput), version.macLength());
      } else {
        macInput = concat(headerBytes, payload);
        mac = version.aes() ? sym.aesCmac(keys.kbak, macInput) : sym.tdesCmac(keys.kbak, macInput);
        ciphertext =
            version.aes()
                ? sym.aesCbc(true, keys.kbek, mac, payload)
                : sym.tdesCbc(true, keys.kbek, mac, payload);
      }
      return headerText
          + HexFormat.of().withUpperCase().formatHex(ciphertext)
          + HexFormat.of().withUpperCase().formatHex(mac);
    } finally {
      Arrays.fill(k, (byte) 0);
      Arrays.fill(payload, (byte) 0);
      if (macInput != null) {
        Arrays.fill(macInput, (byte) 0);
      }
    }
  }

  /** Authenticates and decrypts; the MAC decides before anything in the payload is read. */
  private byte[] open(
      KeyBlockVersion version, SecretKeyMaterial kbpk, byte[] header, byte[] ciphertext, byte[] mac)
      throws KeyBlockException {
    byte[] k = kbpk.copyBytes();
    byte[] macInput = null;
    try (KeyBlockKeys keys = KeyBlockKeys.of(sym, version, k)) {
      if (!version.derivationBinding()) {
        // X9.143 7.2: CBC-MAC over header || ciphertext, verified before decryption
        macInput = concat(header, ciphertext);
        byte[] expected = Arrays.copyOf(sym.tdesCbcMac(keys.kbak, macInput), version.macLength());
        if (!MessageDigest.isEqual(expected, mac)) {
          throw new KeyBlockException(ErrorCode.KEY_BLOCK_MAC_INVALID, MAC_INVALID);
        }
        return sym.tdesCbc(false, keys.kbek, Arrays.copyOf(header, 8), ciphertext);
      }
      // X9.143 7.3, 7.4: the MAC is the IV and covers header || clear payload
      byte[] payload =
          version.aes()
              ? sym.aesCbc(false, keys.kbek, mac, ciphertext)
              : sym.tdesCbc(false, keys.kbek, mac, ciphertext);
      macInput = concat(header, payload);
      byte[] expected =
          version.aes() ? sym.aesCmac(keys.kbak, macInput) : sym.tdesCmac(keys.kbak, macInput);
      if (!MessageDigest.isEqual(expected, mac)) {
        Arrays.fill(payload, (byte) 0);
        throw new KeyBlockException(ErrorCode.KEY_BLOCK_MAC_INVALID, MAC_INVALID);
      }
      return payload;
    } finally {
      Arrays.fill(k, (byte) 0);
      if (macInput != null) {
        Arrays.fill(macInput, (byte) 0);
      }
    }
  }

  /**
   * Padding after a key: up to 24 bytes (TDES) or 32 (AES) when {@code obfuscate} (X9.143 6.4),
   * then up to the cipher block. Other algorithms are only block-aligned.
   */
  static int paddingLength(
      KeyBlockVersion version, char algorithm, int keyLength, boolean obfuscate) {
    int target = keyLength;
    if (obfuscate && algorithm == 'T') {
      target = Math.max(24, keyLength);
    } else if (obfuscate && algorithm == 'A') {
      target = Math.max(32, keyLength);
    }
    int bs = version.blockSize();
    int payload = (2 + target + bs - 1) / bs * bs;
    return payload - 2 - keyLength;
  }

  /** Total key block length for an aligned header and a key of {@code keyLength} bytes. */
  static int keyBlockLength(Tr31Header aligned, int keyLength, boolean obfuscate) {
    KeyBlockVersion v = aligned.version();
    int payload = 2 + keyLength + paddingLength(v, aligned.algorithm(), keyLength, obfuscate);
    return aligned.encodedLength() + 2 * payload + 2 * v.macLength();
  }

  private static void checkKbpk(KeyBlockVersion version, SecretKeyMaterial kbpk)
      throws KeyBlockException {
    if (!version.acceptsKbpkLength(kbpk.length())) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_KBPK_INVALID,
          "a "
              + kbpk.length()
              + "-byte KBPK does not fit version "
              + version
              + " ("
              + (version.aes() ? "AES: 16, 24 or 32 bytes" : "TDES: 16 or 24 bytes")
              + ")");
    }
  }

  /** TDES keys are 16 or 24 bytes, AES 16, 24 or 32, DES 8; other algorithms any length (P7). */
  private static void checkKeyFitsAlgorithm(char algorithm, int keyLength)
      throws KeyBlockException {
    boolean ok =
        switch (algorithm) {
          case 'T' -> keyLength == 16 || keyLength == 24;
          case 'A' -> keyLength == 16 || keyLength == 24 || keyLength == 32;
          case 'D' -> keyLength == 8;
          default -> keyLength > 0;
        };
    if (!ok) {
      throw new KeyBlockException(
          ErrorCode.HEADER_MISMATCH,
          "a " + keyLength + "-byte key does not fit header algorithm '" + algorithm + "'");
    }
  }

  /** K2: the KBPK is at least as strong as a TDES or AES key it protects. */
  private static void checkStrength(
      KeyBlockVersion version, int kbpkLength, char algorithm, int keyLength)
      throws KeyBlockException {
    if (algorithm != 'T' && algorithm != 'A') {
      return;
    }
    int protecting = KeyStrength.symmetric(version.aes() ? 'A' : 'T', kbpkLength);
    int wrapped = KeyStrength.symmetric(algorithm, keyLength);
    if (protecting < wrapped) {
      throw new KeyBlockException(
          ErrorCode.KEY_STRENGTH_POLICY,
          "a " + protecting + "-bit KBPK must not protect a " + wrapped + "-bit key");
    }
  }

  /**
   * Checks {@code KC} against the key and {@code KP} against the KBPK (X9.143 6.3.6.7, 6.3.6.12).
   * The method follows the algorithm, not the length (docs/KEYBLOCKS.md pitfall 8): {@code 00}
   * legacy TDES, {@code 01} CMAC (AES-CMAC for AES keys and version D KBPKs, TDES-CMAC for TDES).
   * When not {@code strict}, a block whose format or method is not understood is kept unchecked.
   */
  private void checkCarriedKcvs(
      Tr31Header header, SecretKeyMaterial kbpk, SecretKeyMaterial key, boolean strict)
      throws KeyBlockException {
    checkKcv(header.optionalBlock(OptionalBlock.KC), header.algorithm(), key, strict);
    checkKcv(
        header.optionalBlock(OptionalBlock.KP), header.version().aes() ? 'A' : 'T', kbpk, strict);
  }

  private void checkKcv(
      Optional<OptionalBlock> block, char algorithm, SecretKeyMaterial key, boolean strict)
      throws KeyBlockException {
    if (block.isEmpty()) {
      return;
    }
    String id = block.get().id();
    String data = block.get().data();
    KeyCheckValue.Method method = null;
    if (data.length() >= 4 && data.length() % 2 == 0 && Tr31Text.upperHex(data)) {
      boolean legacy = data.startsWith("00");
      boolean cmac = data.startsWith("01");
      boolean tdes = algorithm == 'T' && (key.length() == 16 || key.length() == 24);
      boolean aes =
          algorithm == 'A' && (key.length() == 16 || key.length() == 24 || key.length() == 32);
      if (legacy && tdes) {
        method = KeyCheckValue.Method.LEGACY_TDES;
      } else if (cmac && tdes) {
        method = KeyCheckValue.Method.CMAC_TDES;
      } else if (cmac && aes) {
        method = KeyCheckValue.Method.CMAC_AES;
      }
    }
    if (method == null || (data.length() - 2) / 2 > method.length()) {
      if (strict) {
        throw new KeyBlockException(
            ErrorCode.KEY_BLOCK_HEADER_INVALID,
            id
                + " does not hold a key check value of a method that fits a '"
                + algorithm
                + "' key of "
                + key.length()
                + " bytes");
      }
      return;
    }
    byte[] carried = Tr31Text.decodeHex(data, 2, data.length());
    byte[] computed;
    try {
      computed = Arrays.copyOf(crypto.keyCheckValue(key, method).bytes(), carried.length);
    } catch (KeyTransferException e) {
      // the provider's own code may belong to another exception type: report a crypto failure
      throw new KeyBlockException(
          ErrorCode.CRYPTO_FAILURE,
          "could not compute the key check value for " + id + ": " + e.code());
    }
    if (!MessageDigest.isEqual(computed, carried)) {
      throw new KeyBlockException(
          ErrorCode.KCV_MISMATCH,
          id
              + " key check value does not match the "
              + (id.equals(OptionalBlock.KP) ? "key block protection key" : "wrapped key"));
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Override
  public String toString() {
    return "Tr31Codec["
        + crypto.name()
        + (strictImport ? ", strict import" : ", lenient import")
        + "]";
  }
}
