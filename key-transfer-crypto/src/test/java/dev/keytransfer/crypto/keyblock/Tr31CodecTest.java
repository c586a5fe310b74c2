package dev.keytransfer.crypto.keyblock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Tr31Codec policy: strict wrap, lenient and strict unwrap, tamper and fuzz resistance (X9.143;
 * docs/SECURITY.md R4, R5, K2, K3).
 */
class Tr31CodecTest {
  private static final JcaCryptoProvider CRYPTO = new JcaCryptoProvider();
  private final Tr31Codec codec = Tr31Codec.create(CRYPTO);
  private final Random random =
      new Random(31); // test data only; keys under test come from SecretKeyMaterial

  /**
   * Published Thales TR-31:2018 block (no key length obfuscation), KBPK and key from
   * keyblocks.json.
   */
  private static final String THALES_A =
      "A0072K0TN00N0000F40D5672C6D0EC86F860BA88D44D00F0CA9A8CE8CD2F640287A9A9EB";

  private static final String THALES_KBPK = "EFE0853B256B583D868F251CE99EA1D9";

  @Test
  void wrap_everyVersionAndKeyType_roundTripsUnderStrictImport() throws Exception {
    record Case(KeyBlockVersion v, int kbpk, char alg, int key) {}
    List<Case> cases =
        List.of(
            new Case(KeyBlockVersion.A, 16, 'T', 16), new Case(KeyBlockVersion.B, 16, 'T', 16),
            new Case(KeyBlockVersion.B, 24, 'T', 24), new Case(KeyBlockVersion.C, 24, 'T', 16),
            new Case(KeyBlockVersion.D, 16, 'T', 24), new Case(KeyBlockVersion.D, 16, 'A', 16),
            new Case(KeyBlockVersion.D, 24, 'A', 24), new Case(KeyBlockVersion.D, 32, 'A', 32));
    for (Case c : cases) {
      Tr31Header h =
          Tr31Header.builder(c.v()).keyUsage("P0").algorithm(c.alg()).modeOfUse('E').build();
      try (SecretKeyMaterial kbpk = randomKey(c.kbpk());
          SecretKeyMaterial key = randomKey(c.key())) {
        String block = codec.wrap(kbpk, h, key);
        String again = codec.wrap(kbpk, h, key);
        // X9.143 6.4: obfuscated to 24 (TDES) or 32 (AES) bytes, random padding
        int obfuscated = c.alg() == 'T' ? Math.max(24, c.key()) : 32;
        int bs = c.v().blockSize();
        int payload = (2 + obfuscated + bs - 1) / bs * bs;
        assertThat(block).as(c.toString()).hasSize(16 + 2 * payload + 2 * c.v().macLength());
        assertThat(again).as("random padding").isNotEqualTo(block);
        try (UnwrappedKey back = codec.withStrictImport().unwrap(kbpk, block)) {
          assertThat(back.key().equalsKey(key)).as(c.toString()).isTrue();
          assertThat(back.header()).isEqualTo(h);
          assertThat(back.toString())
              .doesNotContain(HexFormat.of().withUpperCase().formatHex(key.copyBytes()))
              .contains("REDACTED");
        }
      }
    }
  }

  @Test
  void wrap_unalignedHeader_getsRandomPbAndStaysStrict() throws Exception {
    Tr31Header h =
        Tr31Header.builder(KeyBlockVersion.D)
            .keyUsage("B1")
            .algorithm('A')
            .modeOfUse('X')
            .addOptionalBlock(OptionalBlock.IK, "1234567890123456")
            .build();
    assertThat(h.isAligned()).isFalse();
    try (SecretKeyMaterial kbpk = randomKey(32);
        SecretKeyMaterial key = randomKey(16)) {
      String block = codec.wrap(kbpk, h, key);
      try (UnwrappedKey back = codec.withStrictImport().unwrap(kbpk, block)) {
        Tr31Header got = back.header();
        assertThat(got.isAligned()).isTrue();
        assertThat(got.optionalBlocks()).hasSize(2);
        assertThat(got.optionalBlocks().get(1).id()).isEqualTo("PB");
        assertThat(got.encodedLength()).isEqualTo(48);
      }
    }
  }

  @Test
  void wrap_refusals_carryPreciseCodes() throws Exception {
    Tr31Header tdesP0 =
        Tr31Header.builder(KeyBlockVersion.B).keyUsage("P0").algorithm('T').modeOfUse('E').build();
    Tr31Header aesInB =
        Tr31Header.builder(KeyBlockVersion.B).keyUsage("P0").algorithm('A').modeOfUse('E').build();
    Tr31Header aesInD =
        Tr31Header.builder(KeyBlockVersion.D).keyUsage("P0").algorithm('A').modeOfUse('E').build();
    try (SecretKeyMaterial k16 = randomKey(16);
        SecretKeyMaterial k24 = randomKey(24);
        SecretKeyMaterial k32 = randomKey(32);
        SecretKeyMaterial k8 = randomKey(8)) {
      assertCode(() -> codec.wrap(k8, tdesP0, k16), ErrorCode.KEY_BLOCK_KBPK_INVALID);
      assertCode(() -> codec.wrap(k32, tdesP0, k16), ErrorCode.KEY_BLOCK_KBPK_INVALID);
      assertCode(() -> codec.wrap(k16, tdesP0, k8), ErrorCode.HEADER_MISMATCH);
      assertCode(() -> codec.wrap(k16, tdesP0, k32), ErrorCode.HEADER_MISMATCH);
      // K2, pitfall 1: an AES key under a TDES KBPK, a 3-key TDES key under a 2-key KBPK, AES-256
      // under AES-128
      assertCode(() -> codec.wrap(k24, aesInB, k16), ErrorCode.KEY_STRENGTH_POLICY);
      assertCode(() -> codec.wrap(k16, tdesP0, k24), ErrorCode.KEY_STRENGTH_POLICY);
      assertCode(() -> codec.wrap(k16, aesInD, k32), ErrorCode.KEY_STRENGTH_POLICY);
    }
  }

  @Test
  void wrap_kcAndKp_checkedAgainstTheKeys_thenVerifiedOnUnwrap() throws Exception {
    try (SecretKeyMaterial kbpk = randomKey(32);
        SecretKeyMaterial key = randomKey(16)) {
      KeyCheckValue kc = CRYPTO.keyCheckValue(key, KeyCheckValue.Method.LEGACY_TDES);
      KeyCheckValue kp = CRYPTO.keyCheckValue(kbpk, KeyCheckValue.Method.CMAC_AES);
      Tr31Header good =
          Tr31Header.builder(KeyBlockVersion.D)
              .keyUsage("P0")
              .algorithm('T')
              .modeOfUse('E')
              .addOptionalBlock(OptionalBlock.keyCheckValue(kc))
              .addOptionalBlock(OptionalBlock.kbpkCheckValue(kp))
              .build();
      String block = codec.wrap(kbpk, good, key);
      try (UnwrappedKey back = codec.withStrictImport().unwrap(kbpk, block)) {
        assertThat(back.header().optionalBlock("KC").orElseThrow().data())
            .isEqualTo("00" + kc.hex());
      }
      assertThat(good.toBuilder().build()).isEqualTo(good);
      Tr31Header wrongKc =
          Tr31Header.builder(KeyBlockVersion.D)
              .keyUsage("P0")
              .algorithm('T')
              .modeOfUse('E')
              .addOptionalBlock("KC", "00000000")
              .build();
      assertCode(() -> codec.wrap(kbpk, wrongKc, key), ErrorCode.KCV_MISMATCH);
      // a block whose KC lies (made without the export checks) is refused on unwrap, lenient or
      // strict
      String lying =
          codec.seal(
              kbpk,
              wrongKc.aligned(() -> '0'),
              key.copyBytes(),
              new byte[Tr31Codec.paddingLength(KeyBlockVersion.D, 'T', 16, true)]);
      assertCode(() -> codec.unwrap(kbpk, lying), ErrorCode.KCV_MISMATCH);
      // KCV method follows the algorithm: a legacy KCV claimed for an AES key cannot be checked
      Tr31Header legacyForAes =
          Tr31Header.builder(KeyBlockVersion.D)
              .keyUsage("P0")
              .algorithm('A')
              .modeOfUse('E')
              .addOptionalBlock("KC", "00" + kc.hex())
              .build();
      assertCode(() -> codec.wrap(kbpk, legacyForAes, key), ErrorCode.KEY_BLOCK_HEADER_INVALID);
    }
  }

  @Test
  void builder_strictRules_refuseWithHeaderInvalid() {
    List<Tr31Header.Builder> bad =
        List.of(
            Tr31Header.builder(KeyBlockVersion.D).algorithm('A').modeOfUse('E'), // no usage
            Tr31Header.builder(KeyBlockVersion.D)
                .keyUsage("P0")
                .algorithm('Q')
                .modeOfUse('E'), // algorithm
            Tr31Header.builder(KeyBlockVersion.D)
                .keyUsage("P0")
                .algorithm('A')
                .modeOfUse('E')
                .exportability('X'),
            Tr31Header.builder(KeyBlockVersion.D)
                .keyUsage("B1")
                .algorithm('A')
                .modeOfUse('X')
                .addOptionalBlock("KS", "FFFF9876543210E00000"), // KS is TDES only
            Tr31Header.builder(KeyBlockVersion.B)
                .keyUsage("B1")
                .algorithm('T')
                .modeOfUse('X')
                .addOptionalBlock("IK", "1234567890123456"), // IK is AES only
            Tr31Header.builder(KeyBlockVersion.B)
                .keyUsage("B1")
                .algorithm('T')
                .modeOfUse('X')
                .addOptionalBlock("KS", "FFFF9876543210E0000"), // odd KS
            Tr31Header.builder(KeyBlockVersion.B)
                .keyUsage("P0")
                .algorithm('T')
                .modeOfUse('E')
                .addOptionalBlock("TS", "2018-06-18T20:42:39.22"),
            Tr31Header.builder(KeyBlockVersion.B)
                .keyUsage("P0")
                .algorithm('T')
                .modeOfUse('E')
                .addOptionalBlock("PB", "0000")
                .addOptionalBlock("TS", "20200818221218Z"), // PB not last
            Tr31Header.builder(KeyBlockVersion.B)
                .keyUsage("P0")
                .algorithm('T')
                .modeOfUse('E')
                .addOptionalBlock("TS", "20200818221218Z")
                .addOptionalBlock("TS", "20200818221219Z")); // repeated
    for (Tr31Header.Builder b : bad) {
      assertCode(b::build, ErrorCode.KEY_BLOCK_HEADER_INVALID);
    }
  }

  @Test
  void optionalBlocks_extendedLength_roundTrip_andPsecFormAcceptedOnlyLeniently() throws Exception {
    String cert = "00" + "A".repeat(300);
    Tr31Header h =
        Tr31Header.builder(KeyBlockVersion.D)
            .keyUsage("S0")
            .algorithm('R')
            .modeOfUse('S')
            .addOptionalBlock("CT", cert)
            .build();
    String text = h.aligned(() -> '0').encode(0);
    assertThat(text).startsWith("D0000S0RS00N0200CT0004013800AAAA");
    assertThat(Tr31Header.parse(text).optionalBlock("CT").orElseThrow().data()).isEqualTo(cert);
    // psec writes 02 where X9.143 writes 04; the data are the same
    assertThat(Tr31Header.parse(text.replace("CT00040138", "CT00020138")))
        .isEqualTo(Tr31Header.parse(text));
    try (SecretKeyMaterial kbpk = randomKey(16);
        SecretKeyMaterial key = randomKey(16)) {
      String block = codec.wrap(kbpk, h, key);
      assertThat(block).contains("CT00040138");
      String psecForm = block.replace("CT00040138", "CT00020138");
      // lenient parsing reads the psec form, then the MAC (over the X9.143 text) fails; strict
      // stops at the form
      assertCode(() -> codec.unwrap(kbpk, psecForm), ErrorCode.KEY_BLOCK_MAC_INVALID);
      assertCode(
          () -> codec.withStrictImport().unwrap(kbpk, psecForm),
          ErrorCode.KEY_BLOCK_HEADER_INVALID);
      try (UnwrappedKey back = codec.withStrictImport().unwrap(kbpk, block)) {
        assertThat(back.header().optionalBlock("CT").orElseThrow().data()).isEqualTo(cert);
      }
    }
  }

  @Test
  void unwrap_tdes2018BlockWithoutObfuscation_lenientAccepts_strictRefuses() throws Exception {
    try (SecretKeyMaterial kbpk = SecretKeyMaterial.adopt(HexFormat.of().parseHex(THALES_KBPK))) {
      try (UnwrappedKey k = codec.unwrap(kbpk, THALES_A)) {
        assertThat(k.header().keyUsage()).isEqualTo("K0");
      }
      assertCode(
          () -> codec.withStrictImport().unwrap(kbpk, THALES_A),
          ErrorCode.KEY_BLOCK_PAYLOAD_MALFORMED);
      String lower =
          THALES_A.substring(0, 16) + THALES_A.substring(16).toLowerCase(java.util.Locale.ROOT);
      try (UnwrappedKey k = codec.unwrap(kbpk, lower)) {
        assertThat(k.key().length()).isEqualTo(16);
      }
      assertCode(
          () -> codec.withStrictImport().unwrap(kbpk, lower), ErrorCode.KEY_BLOCK_MAC_MALFORMED);
    }
  }

  @Test
  void unwrap_unsupportedVersions_refused() throws Exception {
    try (SecretKeyMaterial kbpk = randomKey(16)) {
      for (String v : List.of("E", "0", "1", "a")) {
        assertCode(
            () -> codec.unwrap(kbpk, v + THALES_A.substring(1)), ErrorCode.KEY_BLOCK_UNSUPPORTED);
      }
      assertCode(() -> codec.unwrap(kbpk, "A0072K0TN00N000"), ErrorCode.KEY_BLOCK_MALFORMED);
      assertCode(
          () -> codec.unwrap(kbpk, THALES_A.replace('K', '\u00e9')), ErrorCode.KEY_BLOCK_MALFORMED);
      assertCode(
          () -> codec.unwrap(kbpk, "A" + "0".repeat(10_000)), ErrorCode.KEY_BLOCK_LENGTH_INVALID);
    }
  }

  // P4, R4: any single change to a block is refused, and a wrong KBPK looks exactly like tampering
  @Test
  void unwrap_everySingleCharacterChange_refused_andMacFailuresAreUniform() throws Exception {
    Set<String> macMessages = new HashSet<>();
    for (KeyBlockVersion v : KeyBlockVersion.values()) {
      Tr31Header h =
          Tr31Header.builder(v)
              .keyUsage("D0")
              .algorithm(v.aes() ? 'A' : 'T')
              .modeOfUse('B')
              .addOptionalBlock("TS", "20250101000000Z")
              .build();
      try (SecretKeyMaterial kbpk = randomKey(v.aes() ? 32 : 24);
          SecretKeyMaterial key = randomKey(16);
          SecretKeyMaterial other = randomKey(v.aes() ? 32 : 24)) {
        String block = codec.wrap(kbpk, h, key);
        for (int i = 0; i < block.length(); i++) {
          char c = block.charAt(i);
          char changed = c == '0' ? '1' : (c == 'F' ? 'E' : (char) (c == '~' ? '}' : c + 1));
          String tampered = block.substring(0, i) + changed + block.substring(i + 1);
          try (UnwrappedKey k = codec.unwrap(kbpk, tampered)) {
            throw new AssertionError(v + ": change at " + i + " accepted: " + k);
          } catch (KeyBlockException e) {
            if (e.code() == ErrorCode.KEY_BLOCK_MAC_INVALID) {
              macMessages.add(e.getMessage());
            }
          }
        }
        try (UnwrappedKey k = codec.unwrap(other, block)) {
          throw new AssertionError("wrong KBPK accepted: " + k);
        } catch (KeyBlockException e) {
          assertThat(e.code()).isEqualTo(ErrorCode.KEY_BLOCK_MAC_INVALID);
          macMessages.add(e.getMessage());
        }
      }
    }
    assertThat(macMessages).containsExactly(Tr31Codec.MAC_INVALID);
  }

  // R5: arbitrary input gives only the SDK's checked exception, never a runtime exception
  @Test
  void unwrap_randomAndMutatedInput_onlyKeyBlockExceptions() throws Exception {
    Random r = new Random(5);
    List<String> seeds =
        new ArrayList<>(
            List.of(
                THALES_A,
                "D0192C0AVA1N0300KS08VM9ATS1A2018-06-18T20:42:39.22PB0E00000000005FDAFA00A1E84F599C2EB51A1F7A767D5E42314F0E84A3FC1A7B84C1DE81114659E6306AD544208F68F15602BD3E12DA0C7F9FC551F1C8E6385FAFC1F7B499F5"));
    EnumSet<ErrorCode> seen = EnumSet.noneOf(ErrorCode.class);
    try (SecretKeyMaterial kbpk16 = randomKey(16);
        SecretKeyMaterial kbpk32 = randomKey(32)) {
      for (int n = 0; n < 20_000; n++) {
        String s = mutate(seeds.get(r.nextInt(seeds.size())), r);
        for (SecretKeyMaterial kbpk : List.of(kbpk16, kbpk32)) {
          try (UnwrappedKey k = codec.unwrap(kbpk, s)) {
            // a mutation that still authenticates under a random KBPK would be a 2^-32 event at
            // most
            throw new AssertionError("accepted " + s + " as " + k);
          } catch (KeyBlockException e) {
            seen.add(e.code());
          } catch (RuntimeException e) {
            throw new AssertionError("input " + s + " threw " + e, e);
          }
        }
      }
    }
    assertThat(seen)
        .contains(
            ErrorCode.KEY_BLOCK_MALFORMED,
            ErrorCode.KEY_BLOCK_LENGTH_INVALID,
            ErrorCode.KEY_BLOCK_MAC_INVALID);
  }

  @Test
  void unwrappedKey_close_wipesKey() throws Exception {
    Tr31Header h =
        Tr31Header.builder(KeyBlockVersion.B).keyUsage("P0").algorithm('T').modeOfUse('E').build();
    try (SecretKeyMaterial kbpk = randomKey(16);
        SecretKeyMaterial key = randomKey(16)) {
      UnwrappedKey k = codec.unwrap(kbpk, codec.wrap(kbpk, h, key));
      k.close();
      assertThat(k.key().isDestroyed()).isTrue();
      assertThatThrownBy(() -> k.key().copyBytes()).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void header_parseAndCoreHeader_roundTrip() throws Exception {
    Tr31Header h = Tr31Header.parse("A0256K0TB00E0000");
    assertThat(h.version()).isEqualTo(KeyBlockVersion.A);
    assertThat(h.toKeyBlockHeader().value()).isEqualTo("A0000K0TB00E0000");
    assertThat(Tr31Header.of(h.toKeyBlockHeader())).isEqualTo(h);
    assertCode(() -> Tr31Header.parse("A0000K0TB00E0100KS18FFFF"), ErrorCode.KEY_BLOCK_MALFORMED);
    assertCode(() -> Tr31Header.parse("A0000K0TB00E0000XX"), ErrorCode.KEY_BLOCK_MALFORMED);
    assertCode(() -> Tr31Header.parse("A00x0K0TB00E0000"), ErrorCode.KEY_BLOCK_LENGTH_INVALID);
  }

  @Test
  void errorCodes_wireValuesUnique() {
    Set<Integer> values = new HashSet<>();
    for (ErrorCode c : ErrorCode.values()) {
      assertThat(values.add(c.wireValue())).as(c.name()).isTrue();
      assertThat(ErrorCode.fromWireValue(c.wireValue())).isEqualTo(c);
    }
  }

  private static String mutate(String s, Random r) {
    StringBuilder b = new StringBuilder(s);
    int edits = 1 + r.nextInt(3);
    for (int i = 0; i < edits && b.length() > 0; i++) {
      int at = r.nextInt(b.length());
      switch (r.nextInt(5)) {
        case 0 -> b.setCharAt(at, (char) (0x20 + r.nextInt(0x5F)));
        case 1 -> b.deleteCharAt(at);
        case 2 -> b.insert(at, (char) (0x20 + r.nextInt(0x5F)));
        case 3 -> b.setLength(at);
        default -> b.setCharAt(at, "0123456789ABCDEF".charAt(r.nextInt(16)));
      }
    }
    // keep the length field honest half of the time so that deeper checks are reached
    if (r.nextBoolean() && b.length() >= 16 && b.length() <= 9999) {
      String len = String.format("%04d", b.length());
      b.replace(1, 5, len);
    }
    return b.toString();
  }

  private SecretKeyMaterial randomKey(int length) {
    byte[] k = new byte[length];
    random.nextBytes(k);
    return SecretKeyMaterial.adopt(k);
  }

  private interface Call {
    Object run() throws KeyTransferException;
  }

  /**
   * Asserts a KeyBlockException with {@code code}; {@code null} means "any outcome but a runtime
   * exception".
   */
  private static void assertCode(Call call, ErrorCode code) {
    try {
      Object result = call.run();
      if (result instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception ignored) {
          // closing a test result
        }
      }
      if (code != null) {
        throw new AssertionError("expected " + code + ", got a result");
      }
    } catch (KeyBlockException e) {
      if (code != null) {
        assertThat(e.code()).as(e.toString()).isEqualTo(code);
      }
    } catch (KeyTransferException e) {
      throw new AssertionError("not a KeyBlockException: " + e, e);
    }
  }
}
