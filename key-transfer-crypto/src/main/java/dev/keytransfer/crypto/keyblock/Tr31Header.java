package dev.keytransfer.crypto.keyblock;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.MalformedTokenException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The header of a TR-31 / ANSI X9.143 key block (X9.143:2021 6.2-6.3; TR-31:2018 A.5): version ID,
 * key usage, algorithm, mode of use, key version number, exportability, X9.143 key context, and the
 * optional blocks in order (a {@code PB} padding block included). The four-digit length field is
 * not part of this value: it is a property of a whole block and is written by {@link #encode(int)}.
 * Immutable; public values only.
 *
 * <p>Headers built with {@link #builder} pass the strict X9.143 rules (see {@link
 * Builder#build()}); headers parsed from received blocks are taken leniently, as real HSM output
 * differs from the standard (docs/KEYBLOCKS.md 2.2, pitfall 14): any printable field value and any
 * printable optional block data are kept as they are.
 */
public final class Tr31Header {
  /** Length of the fixed part (X9.143 6.2 table 1). */
  public static final int FIXED_LENGTH = 16;

  private static final String ALGORITHMS = "ADEHRST";
  private static final String MODES = "BCDEGNSTVXY";
  private static final String EXPORTABILITY = "ENS";
  private static final String KEY_CONTEXTS = "012";
  private static final String PB_CHARACTERS =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final Pattern KEY_VERSION = Pattern.compile("[0-9A-Za-z]{2}");
  private static final Pattern TIMESTAMP = Pattern.compile("\\d{14}(\\.\\d{1,6})?Z");
  private static final Pattern KCV = Pattern.compile("00([0-9A-F]{2}){1,3}|01([0-9A-F]{2}){1,5}");

  private final KeyBlockVersion version;
  private final String keyUsage;
  private final char algorithm;
  private final char modeOfUse;
  private final String keyVersionNumber;
  private final char exportability;
  private final char keyContext;
  private final char reserved;
  private final List<OptionalBlock> optionalBlocks;

  private Tr31Header(
      KeyBlockVersion version,
      String keyUsage,
      char algorithm,
      char modeOfUse,
      String keyVersionNumber,
      char exportability,
      char keyContext,
      char reserved,
      List<OptionalBlock> optionalBlocks) {
    this.version = version;
    this.keyUsage = keyUsage;
    this.algorithm = algorithm;
    this.modeOfUse = modeOfUse;
    this.keyVersionNumber = keyVersionNumber;
    this.exportability = exportability;
    this.keyContext = keyContext;
    this.reserved = reserved;
    this.optionalBlocks = List.copyOf(optionalBlocks);
  }

  /**
   * A builder for a header of the given version; exportability defaults to {@code N}, key version
   * to {@code 00}.
   */
  public static Builder builder(KeyBlockVersion version) {
    return new Builder(version);
  }

  /** A builder holding this header's fields and optional blocks. */
  public Builder toBuilder() {
    Builder b =
        new Builder(version)
            .keyUsage(keyUsage)
            .algorithm(algorithm)
            .modeOfUse(modeOfUse)
            .keyVersionNumber(keyVersionNumber)
            .exportability(exportability)
            .keyContext(keyContext);
    b.reserved = reserved;
    optionalBlocks.forEach(b::addOptionalBlock);
    return b;
  }

  /**
   * Parses a header on its own (for example the header TR-34 carries next to a key): the text must
   * end exactly after the last optional block. The length field must be four digits but may hold
   * any value (TR-34 writes {@code 0000} or {@code 0256}). Lenient, as {@link Tr31Codec#unwrap}.
   *
   * @throws KeyBlockException {@code KEY_BLOCK_MALFORMED} (also for a text longer than a key block
   *     may be, {@link Tr31Codec#MAX_LENGTH}), {@code KEY_BLOCK_UNSUPPORTED} or {@code
   *     KEY_BLOCK_LENGTH_INVALID}
   */
  public static Tr31Header parse(String header) throws KeyBlockException {
    Objects.requireNonNull(header, "header");
    if (header.length() > Tr31Codec.MAX_LENGTH) { // before any scan, as Tr31Codec.unwrap
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_MALFORMED,
          "key block header is longer than " + Tr31Codec.MAX_LENGTH + " characters");
    }
    checkFixedPart(header);
    Parsed p = parsePrefix(header, header.length());
    if (p.length() != header.length()) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_MALFORMED,
          "key block header has "
              + (header.length() - p.length())
              + " characters after its last optional block");
    }
    return p.header();
  }

  /** The header that core's TR-34 model carries, parsed as by {@link #parse(String)}. */
  public static Tr31Header of(KeyBlockHeader header) throws KeyBlockException {
    return parse(header.value());
  }

  /**
   * This header as core's TR-34 header value, with the length field {@code 0000} (TR-34 does not
   * use it; {@code RandomKeySource} writes the same).
   *
   * @throws KeyBlockException {@code KEY_BLOCK_HEADER_INVALID} if core refuses it (e.g. longer than
   *     {@link KeyBlockHeader#MAX_LENGTH})
   */
  public KeyBlockHeader toKeyBlockHeader() throws KeyBlockException {
    try {
      return KeyBlockHeader.parse(encode(0));
    } catch (MalformedTokenException e) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_HEADER_INVALID,
          "header does not fit a TR-34 key block header: " + e.getMessage());
    }
  }

  public KeyBlockVersion version() {
    return version;
  }

  /**
   * Key usage, e.g. {@code P0} PIN encryption, {@code B1} DUKPT initial key (X9.143 6.3.2 table 2).
   */
  public String keyUsage() {
    return keyUsage;
  }

  /**
   * Algorithm of the wrapped key: {@code T} TDES, {@code A} AES, {@code D} DES, {@code H} HMAC,
   * {@code R}, {@code E}, {@code S}.
   */
  public char algorithm() {
    return algorithm;
  }

  /** Mode of use, e.g. {@code E} encrypt only, {@code X} derive keys (X9.143 6.3.3 table 4). */
  public char modeOfUse() {
    return modeOfUse;
  }

  /** Key version number, {@code 00} when unused (X9.143 6.3.4). */
  public String keyVersionNumber() {
    return keyVersionNumber;
  }

  /** Exportability: {@code E} trusted, {@code N} none, {@code S} sensitive (X9.143 6.3.5). */
  public char exportability() {
    return exportability;
  }

  /** X9.143 key context (position 14): {@code 0} none, {@code 1} storage, {@code 2} exchange. */
  public char keyContext() {
    return keyContext;
  }

  /** The optional blocks in header order, {@code PB} included. */
  public List<OptionalBlock> optionalBlocks() {
    return optionalBlocks;
  }

  /** The first optional block with this ID. */
  public Optional<OptionalBlock> optionalBlock(String id) {
    return optionalBlocks.stream().filter(b -> b.id().equals(id)).findFirst();
  }

  /** Characters the header takes: the fixed part plus every optional block. */
  public int encodedLength() {
    int n = FIXED_LENGTH;
    for (OptionalBlock b : optionalBlocks) {
      n += b.encodedLength();
    }
    return n;
  }

  /** True if the header length is a multiple of the version's cipher block (X9.143 6.3.6). */
  public boolean isAligned() {
    return encodedLength() % version.blockSize() == 0;
  }

  /**
   * The header text with {@code keyBlockLength} in the length field.
   *
   * @throws IllegalArgumentException if the length is not 0 to 9999 or there are more than 99
   *     optional blocks
   */
  public String encode(int keyBlockLength) {
    if (keyBlockLength < 0 || keyBlockLength > 9999) {
      throw new IllegalArgumentException("key block length must be 0 to 9999");
    }
    if (optionalBlocks.size() > 99) {
      throw new IllegalArgumentException("at most 99 optional blocks");
    }
    StringBuilder s = new StringBuilder(encodedLength());
    s.append(version.id())
        .append(Tr31Text.decimal(keyBlockLength, 4))
        .append(keyUsage)
        .append(algorithm)
        .append(modeOfUse)
        .append(keyVersionNumber)
        .append(exportability)
        .append(Tr31Text.decimal(optionalBlocks.size(), 2))
        .append(keyContext)
        .append(reserved);
    optionalBlocks.forEach(b -> s.append(b.encode()));
    return s.toString();
  }

  /**
   * This header aligned to its cipher block (X9.143 6.3.6.11): unchanged if aligned or if it
   * already has a {@code PB} block, else with the shortest {@code PB} block that aligns it, filled
   * with random letters and digits.
   */
  public Tr31Header aligned(SecureRandom random) {
    Objects.requireNonNull(random, "random");
    return aligned(() -> PB_CHARACTERS.charAt(random.nextInt(PB_CHARACTERS.length())));
  }

  /**
   * As {@link #aligned(SecureRandom)} with a given fill (tests compare headers with a fixed fill).
   */
  Tr31Header aligned(Supplier<Character> fill) {
    if (isAligned() || optionalBlock(OptionalBlock.PB).isPresent()) {
      return this;
    }
    int bs = version.blockSize();
    int pb = 4;
    while ((encodedLength() + pb) % bs != 0) {
      pb++;
    }
    StringBuilder data = new StringBuilder();
    for (int i = 4; i < pb; i++) {
      data.append(fill.get().charValue());
    }
    List<OptionalBlock> blocks = new ArrayList<>(optionalBlocks);
    blocks.add(OptionalBlock.of(OptionalBlock.PB, data.toString()));
    return new Tr31Header(
        version,
        keyUsage,
        algorithm,
        modeOfUse,
        keyVersionNumber,
        exportability,
        keyContext,
        reserved,
        blocks);
  }

  /**
   * The strict X9.143 rules, applied to every header we emit and to received headers under strict
   * import: known field values, upper-case alphanumeric block IDs, no repeated block, {@code PB}
   * last, and the formats of {@code KS} (16 or 20 hex; TDES keys only), {@code IK} (16 hex; AES
   * keys only), {@code KC}/{@code KP} ({@code 00} + up to 3 bytes, {@code 01} + up to 5 bytes,
   * hex), {@code TS}/{@code TC} ({@code YYYYMMDDhhmmss[.f]Z}), {@code HM} (2 hex), {@code BI}
   * ({@code 00} + 5 bytes or {@code 01} + 4 bytes, hex) and {@code CT} (format {@code 00}, {@code
   * 01} or {@code 02}).
   *
   * @throws KeyBlockException {@code KEY_BLOCK_HEADER_INVALID} naming the first rule broken
   */
  void checkStrict() throws KeyBlockException {
    require(
        keyUsage.length() == 2 && Tr31Text.upperAlphanumeric(keyUsage),
        "key usage must be two letters or digits");
    require(
        ALGORITHMS.indexOf(algorithm) >= 0,
        "algorithm '" + algorithm + "' is not an X9.143 algorithm");
    require(MODES.indexOf(modeOfUse) >= 0, "mode of use '" + modeOfUse + "' is not an X9.143 mode");
    require(
        KEY_VERSION.matcher(keyVersionNumber).matches(),
        "key version number must be two letters or digits");
    require(
        EXPORTABILITY.indexOf(exportability) >= 0,
        "exportability '" + exportability + "' is not E, N or S");
    require(
        KEY_CONTEXTS.indexOf(keyContext) >= 0, "key context '" + keyContext + "' is not 0, 1 or 2");
    require(reserved == '0', "reserved header position must be 0");
    require(optionalBlocks.size() <= 99, "at most 99 optional blocks");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < optionalBlocks.size(); i++) {
      OptionalBlock b = optionalBlocks.get(i);
      require(
          Tr31Text.upperAlphanumeric(b.id()),
          "optional block ID '" + b.id() + "' must be letters or digits");
      require(seen.add(b.id()), "optional block " + b.id() + " appears twice");
      require(
          !b.id().equals(OptionalBlock.PB) || i == optionalBlocks.size() - 1,
          "optional block PB must be last");
      checkBlockFormat(b);
    }
  }

  private void checkBlockFormat(OptionalBlock b) throws KeyBlockException {
    String d = b.data();
    switch (b.id()) {
      case "KS" -> {
        require(
            (d.length() == 20 || d.length() == 16) && Tr31Text.upperHex(d),
            "KS must be 20 (or legacy 16) hex characters");
        require(
            algorithm == 'T',
            "KS carries a TDES DUKPT key serial number; AES initial keys carry IK");
      }
      case "IK" -> {
        require(d.length() == 16 && Tr31Text.upperHex(d), "IK must be 16 hex characters");
        require(
            algorithm == 'A', "IK carries an AES DUKPT initial key ID; TDES initial keys carry KS");
      }
      case "KC", "KP" ->
          require(
              KCV.matcher(d).matches(),
              b.id() + " must be 00 + up to 3 KCV bytes or 01 + up to 5, in hex");
      case "TS", "TC" ->
          require(
              TIMESTAMP.matcher(d).matches(),
              b.id() + " must be an ISO 8601 UTC time YYYYMMDDhhmmss[.f]Z");
      case "HM" ->
          require(
              d.length() == 2 && Tr31Text.upperHex(d), "HM must be one hash algorithm byte in hex");
      case "BI" ->
          require(
              Tr31Text.upperHex(d)
                  && ((d.startsWith("00") && d.length() == 12)
                      || (d.startsWith("01") && d.length() == 10)),
              "BI must be 00 + 5-byte KSI or 01 + 4-byte BDK ID, in hex");
      case "CT" ->
          require(
              d.startsWith("00") || d.startsWith("01") || d.startsWith("02"),
              "CT must start with certificate format 00, 01 or 02");
      default -> {
        // other blocks (DA, KV, LB, PB, WP, proprietary): any printable data
      }
    }
  }

  private static void require(boolean ok, String message) throws KeyBlockException {
    if (!ok) {
      throw new KeyBlockException(ErrorCode.KEY_BLOCK_HEADER_INVALID, message);
    }
  }

  // --- parsing, shared with Tr31Codec ---

  /**
   * A header parsed from the start of a text: the header, the characters it takes, its length
   * field.
   */
  record Parsed(Tr31Header header, int length, int lengthField) {}

  /**
   * Checks what must hold before the length field can be trusted: 16 printable characters and a
   * supported version. The caller has checked the whole text is printable if it needs that.
   */
  static KeyBlockVersion checkFixedPart(String text) throws KeyBlockException {
    if (text.length() < FIXED_LENGTH) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_MALFORMED, "key block is shorter than its 16-character header");
    }
    if (!Tr31Text.printable(text, 0, text.length())) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_MALFORMED, "key block must be printable ASCII");
    }
    KeyBlockVersion v = KeyBlockVersion.of(text.charAt(0));
    if (v == null) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_UNSUPPORTED,
          "key block version ID '" + text.charAt(0) + "' is not supported (A, B, C or D)");
    }
    if (!Tr31Text.digits(text, 1, 5)) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_LENGTH_INVALID, "key block length field must be four digits");
    }
    return v;
  }

  /**
   * Parses the fixed part (already checked by {@link #checkFixedPart}) and the optional blocks,
   * which must end by {@code limit}. Lenient: any printable field value and block data; the
   * extended length form accepts {@code 04} (X9.143) and psec's {@code 02}, both followed by four
   * hex digits.
   */
  static Parsed parsePrefix(String text, int limit) throws KeyBlockException {
    KeyBlockVersion version = KeyBlockVersion.of(text.charAt(0));
    if (!Tr31Text.digits(text, 12, 14)) {
      throw new KeyBlockException(
          ErrorCode.KEY_BLOCK_MALFORMED, "number of optional blocks must be two digits");
    }
    int count = Integer.parseInt(text.substring(12, 14));
    List<OptionalBlock> blocks = new ArrayList<>(count);
    int pos = FIXED_LENGTH;
    for (int i = 0; i < count; i++) {
      if (pos + 4 > limit) {
        throw malformed(
            "optional block " + (i + 1) + " of " + count + " runs past the end of the block");
      }
      String id = text.substring(pos, pos + 2);
      if (!Tr31Text.hex(text, pos + 2, pos + 4, true)) {
        throw malformed("optional block " + id + " length is not hex");
      }
      int length = Tr31Text.hexValue(text, pos + 2, pos + 4);
      int dataStart = pos + 4;
      if (length == 0) {
        if (pos + 10 > limit) {
          throw malformed("extended optional block " + id + " runs past the end of the block");
        }
        String lengthOfLength = text.substring(pos + 4, pos + 6);
        if (!lengthOfLength.equals("04") && !lengthOfLength.equals("02")) {
          throw malformed(
              "extended optional block " + id + " must give its length in four hex digits (0004)");
        }
        if (!Tr31Text.hex(text, pos + 6, pos + 10, true)) {
          throw malformed("extended optional block " + id + " length is not hex");
        }
        length = Tr31Text.hexValue(text, pos + 6, pos + 10);
        dataStart = pos + 10;
        if (length < 10) {
          throw malformed(
              "extended optional block " + id + " is shorter than its own length fields");
        }
      } else if (length < 4) {
        throw malformed("optional block " + id + " is shorter than its ID and length");
      }
      if (pos + length > limit) {
        throw malformed("optional block " + id + " runs past the end of the block");
      }
      blocks.add(new OptionalBlock(id, text.substring(dataStart, pos + length)));
      pos += length;
    }
    Tr31Header h =
        new Tr31Header(
            version,
            text.substring(5, 7),
            text.charAt(7),
            text.charAt(8),
            text.substring(9, 11),
            text.charAt(11),
            text.charAt(14),
            text.charAt(15),
            blocks);
    return new Parsed(h, pos, Integer.parseInt(text.substring(1, 5)));
  }

  private static KeyBlockException malformed(String message) {
    return new KeyBlockException(ErrorCode.KEY_BLOCK_MALFORMED, message);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tr31Header h
        && h.version == version
        && h.keyUsage.equals(keyUsage)
        && h.algorithm == algorithm
        && h.modeOfUse == modeOfUse
        && h.keyVersionNumber.equals(keyVersionNumber)
        && h.exportability == exportability
        && h.keyContext == keyContext
        && h.reserved == reserved
        && h.optionalBlocks.equals(optionalBlocks);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        version,
        keyUsage,
        algorithm,
        modeOfUse,
        keyVersionNumber,
        exportability,
        keyContext,
        reserved,
        optionalBlocks);
  }

  /** The header text with a {@code 0000} length field (public values only). */
  @Override
  public String toString() {
    return "Tr31Header[" + encode(0) + "]";
  }

  /** Builds a header that passes the strict X9.143 rules. Not thread-safe. */
  public static final class Builder {
    private final KeyBlockVersion version;
    private String keyUsage;
    private Character algorithm;
    private Character modeOfUse;
    private String keyVersionNumber = "00";
    private char exportability = 'N';
    private char keyContext = '0';
    private char reserved = '0';
    private final List<OptionalBlock> optionalBlocks = new ArrayList<>();

    private Builder(KeyBlockVersion version) {
      this.version = Objects.requireNonNull(version, "version");
    }

    public Builder keyUsage(String keyUsage) {
      this.keyUsage = Objects.requireNonNull(keyUsage, "keyUsage");
      return this;
    }

    public Builder algorithm(char algorithm) {
      this.algorithm = algorithm;
      return this;
    }

    public Builder modeOfUse(char modeOfUse) {
      this.modeOfUse = modeOfUse;
      return this;
    }

    public Builder keyVersionNumber(String keyVersionNumber) {
      this.keyVersionNumber = Objects.requireNonNull(keyVersionNumber, "keyVersionNumber");
      return this;
    }

    public Builder exportability(char exportability) {
      this.exportability = exportability;
      return this;
    }

    public Builder keyContext(char keyContext) {
      this.keyContext = keyContext;
      return this;
    }

    /**
     * Appends an optional block (a {@code PB} block is added on wrap when the header needs one).
     */
    public Builder addOptionalBlock(OptionalBlock block) {
      optionalBlocks.add(Objects.requireNonNull(block, "block"));
      return this;
    }

    public Builder addOptionalBlock(String id, String data) {
      return addOptionalBlock(OptionalBlock.of(id, data));
    }

    /**
     * The header.
     *
     * @throws KeyBlockException {@code KEY_BLOCK_HEADER_INVALID} if usage, algorithm or mode is
     *     missing or any strict X9.143 rule is broken
     */
    public Tr31Header build() throws KeyBlockException {
      require(
          keyUsage != null && algorithm != null && modeOfUse != null,
          "key usage, algorithm and mode of use are required");
      Tr31Header h =
          new Tr31Header(
              version,
              keyUsage,
              algorithm,
              modeOfUse,
              keyVersionNumber,
              exportability,
              keyContext,
              reserved,
              optionalBlocks);
      h.checkStrict();
      return h;
    }
  }
}
