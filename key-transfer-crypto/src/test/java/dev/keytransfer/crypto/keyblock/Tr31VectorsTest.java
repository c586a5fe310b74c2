package dev.keytransfer.crypto.keyblock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.crypto.internal.Symmetric;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import dev.keytransfer.crypto.testing.Vectors;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * TR-31 / X9.143 key blocks against {@code ../shared/vectors/tr31} (docs/KEYBLOCKS.md; README
 * there): every valid block unwraps to its key and header and re-wraps byte-exactly with its
 * recorded padding, every KBEK/KBAK derivation matches, every negative block is refused with the
 * code its category names, and every header-building case gives its header and total length. Each
 * test collects all disagreements and asserts once.
 */
class Tr31VectorsTest {
  private static final Symmetric SYM = Symmetric.over(new JcaCryptoProvider());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JcaCryptoProvider CRYPTO = new JcaCryptoProvider();
  private final Tr31Codec codec = Tr31Codec.create(CRYPTO);

  /** negative.json category -> the one code the SDK must give (X9.143 6.2-6.5, 7). */
  private static final Map<String, ErrorCode> CATEGORY_CODES =
      Map.ofEntries(
          Map.entry("length_field_mismatch", ErrorCode.KEY_BLOCK_LENGTH_INVALID),
          Map.entry("length_field_not_numeric", ErrorCode.KEY_BLOCK_LENGTH_INVALID),
          Map.entry("length_not_block_multiple", ErrorCode.KEY_BLOCK_LENGTH_INVALID),
          Map.entry("mac_not_hex", ErrorCode.KEY_BLOCK_MAC_MALFORMED),
          Map.entry("mac_too_short", ErrorCode.KEY_BLOCK_MAC_MALFORMED),
          Map.entry("payload_not_hex", ErrorCode.KEY_BLOCK_PAYLOAD_MALFORMED),
          Map.entry("payload_empty", ErrorCode.KEY_BLOCK_PAYLOAD_MALFORMED),
          Map.entry("mac_mismatch", ErrorCode.KEY_BLOCK_MAC_INVALID),
          Map.entry("kbpk_length_invalid_for_version", ErrorCode.KEY_BLOCK_KBPK_INVALID),
          Map.entry("key_length_field_not_whole_bytes", ErrorCode.KEY_BLOCK_KEY_LENGTH_INVALID),
          Map.entry("key_length_field_exceeds_payload", ErrorCode.KEY_BLOCK_KEY_LENGTH_INVALID));

  private static JsonNode vectors(String file) throws Exception {
    return JSON.readTree(Vectors.read("tr31/" + file)).get("vectors");
  }

  // X9.143 6, 7; SHALL unwrap every published block and reproduce it from key, header and padding
  @Test
  void keyblocks_everyValidBlock_unwrapsAndRewrapsByteExactly() throws Exception {
    JsonNode vectors = vectors("keyblocks.json");
    List<String> errors = new ArrayList<>();
    int passed = 0;
    for (JsonNode v : vectors) {
      String id = v.get("id").asText();
      int before = errors.size();
      try (SecretKeyMaterial kbpk = key(v.get("kbpk"));
          SecretKeyMaterial expectedKey = key(v.get("expected_key"))) {
        String block = v.get("key_block").asText();
        try (UnwrappedKey k = codec.unwrap(kbpk, block)) {
          if (!k.key().equalsKey(expectedKey)) {
            errors.add(id + ": unwrapped key differs");
          }
          compareHeader(id, v.get("expected_header"), k.header(), errors);
          compareKcv(id + " key_kcv", v.get("key_kcv"), k.key(), errors);
          compareKcv(id + " kbpk_kcv", v.get("kbpk_kcv"), kbpk, errors);
        }
        Tr31Header header = Tr31Header.parse(v.get("header_string").asText());
        byte[] clear = expectedKey.copyBytes();
        String rewrapped =
            codec.seal(kbpk, header, clear, HexFormat.of().parseHex(v.get("padding_hex").asText()));
        java.util.Arrays.fill(clear, (byte) 0);
        if (!rewrapped.equals(block)) {
          errors.add(id + ": re-wrap gives " + rewrapped);
        }
      } catch (KeyTransferException e) {
        errors.add(id + ": " + e);
      }
      if (errors.size() == before) {
        passed++;
      }
    }
    System.out.println("TR-31 valid: " + passed + "/" + vectors.size());
    assertThat(errors).isEmpty();
    assertThat(vectors.size()).isEqualTo(49);
  }

  // X9.143 7.2-7.4: KBEK/KBAK by variant (A, C) and by CMAC derivation (B, D)
  @Test
  void kbekKbak_everyDerivation_matches() throws Exception {
    JsonNode vectors = vectors("kbek_kbak.json");
    List<String> errors = new ArrayList<>();
    int passed = 0;
    for (JsonNode v : vectors) {
      String id = v.get("id").asText();
      String method = v.get("method").asText();
      byte[] kbpk = HexFormat.of().parseHex(v.get("kbpk").asText());
      byte[] kbek;
      byte[] kbak;
      boolean aes = method.startsWith("cmac-aes");
      if (method.startsWith("variant")) {
        kbek = KeyBlockKeys.variant(kbpk, 0x45);
        kbak = KeyBlockKeys.variant(kbpk, 0x4D);
      } else {
        // ISO 20038 version E derives its CTR encryption key with usage 0002 (informational vector)
        int encryptionUsage =
            method.contains("usage 0002") ? 0x0002 : KeyBlockKeys.USAGE_ENCRYPTION;
        kbek = KeyBlockKeys.derive(SYM, kbpk, aes, encryptionUsage);
        kbak = KeyBlockKeys.derive(SYM, kbpk, aes, KeyBlockKeys.USAGE_MAC);
      }
      int before = errors.size();
      expectHex(id + " kbek", v.get("kbek").asText(), kbek, errors);
      expectHex(id + " kbak", v.get("kbak").asText(), kbak, errors);
      if (v.has("kbak_cmac_subkey_k1")) {
        byte[][] subkeys = cmacSubkeys(kbak, aes);
        expectHex(id + " K1", v.get("kbak_cmac_subkey_k1").asText(), subkeys[0], errors);
        expectHex(id + " K2", v.get("kbak_cmac_subkey_k2").asText(), subkeys[1], errors);
      }
      if (errors.size() == before) {
        passed++;
      }
    }
    System.out.println("TR-31 KBEK/KBAK: " + passed + "/" + vectors.size());
    assertThat(errors).isEmpty();
    assertThat(vectors.size()).isEqualTo(17);
  }

  // R5, X9.143 6-7: SHALL refuse every negative block, each with the code of its failure
  @Test
  void negative_everyBlock_refusedWithItsCode() throws Exception {
    JsonNode vectors = vectors("negative.json");
    List<String> errors = new ArrayList<>();
    Map<ErrorCode, Integer> byCode = new HashMap<>();
    int passed = 0;
    for (JsonNode v : vectors) {
      String id = v.get("id").asText();
      String category = v.get("category").asText();
      ErrorCode expected = CATEGORY_CODES.get(category);
      if (expected == null) {
        errors.add(id + ": unknown category " + category);
        continue;
      }
      try (SecretKeyMaterial kbpk = key(v.get("kbpk"));
          UnwrappedKey k = codec.unwrap(kbpk, v.get("key_block").asText())) {
        errors.add(id + ": accepted (" + category + "), " + k);
      } catch (KeyBlockException e) {
        if (e.code() == expected) {
          passed++;
          byCode.merge(e.code(), 1, Integer::sum);
        } else {
          errors.add(id + ": " + category + " expects " + expected + ", got " + e);
        }
      } catch (RuntimeException e) {
        errors.add(id + ": threw " + e);
      }
    }
    System.out.println("TR-31 negative: " + passed + "/" + vectors.size() + " " + byCode);
    assertThat(errors).isEmpty();
    assertThat(vectors.size()).isEqualTo(63);
  }

  // X9.143 6.3.6: header + optional blocks + PB to alignment, and the total length with or without
  // X9.143 key length obfuscation; obfuscated cases are also wrapped through the public API
  @Test
  void headerBuild_everyCase_givesHeaderAndLength() throws Exception {
    JsonNode vectors = vectors("header_build.json");
    Map<String, String> kbpks = new HashMap<>();
    for (JsonNode v : vectors("keyblocks.json")) {
      kbpks.put(v.get("id").asText(), v.get("kbpk").asText());
    }
    List<String> errors = new ArrayList<>();
    int passed = 0;
    for (JsonNode v : vectors) {
      String id = v.get("id").asText();
      JsonNode in = v.get("inputs");
      int before = errors.size();
      try {
        Tr31Header.Builder b =
            Tr31Header.builder(KeyBlockVersion.of(in.get("version_id").asText().charAt(0)))
                .keyUsage(in.get("key_usage").asText())
                .algorithm(in.get("algorithm").asText().charAt(0))
                .modeOfUse(in.get("mode_of_use").asText().charAt(0))
                .keyVersionNumber(in.get("key_version_number").asText())
                .exportability(in.get("exportability").asText().charAt(0));
        for (JsonNode ob : in.get("optional_blocks")) {
          b.addOptionalBlock(ob.get("id").asText(), ob.get("data").asText());
        }
        Tr31Header header = b.build().aligned(() -> '0');
        int keyLength = in.get("key_length_bytes").asInt();
        boolean obfuscate = in.get("key_length_obfuscation").asText().startsWith("X9.143");
        int total = Tr31Codec.keyBlockLength(header, keyLength, obfuscate);
        String text = header.encode(total);
        int expectedTotal = v.get("expected_total_length").asInt();
        if (total != expectedTotal) {
          errors.add(id + ": total length " + total + ", expected " + expectedTotal);
        }
        if (v.hasNonNull("expected_header") && !text.equals(v.get("expected_header").asText())) {
          errors.add(id + ": header " + text);
        }
        if (v.hasNonNull("expected_header_prefix")
            && !text.startsWith(v.get("expected_header_prefix").asText())) {
          errors.add(
              id
                  + ": header "
                  + text
                  + " lacks prefix "
                  + v.get("expected_header_prefix").asText());
        }
        if (obfuscate) {
          String kbpkHex = kbpks.get(id.substring("hdr-".length()));
          String block = wrapRandomKey(header, kbpkHex, keyLength);
          if (block.length() != expectedTotal || !block.startsWith(text)) {
            errors.add(
                id
                    + ": public wrap gives "
                    + block.length()
                    + " characters, header "
                    + block.substring(0, Math.min(block.length(), header.encodedLength())));
          }
        }
      } catch (KeyTransferException e) {
        errors.add(id + ": " + e);
      }
      if (errors.size() == before) {
        passed++;
      }
    }
    System.out.println("TR-31 header build: " + passed + "/" + vectors.size());
    assertThat(errors).isEmpty();
    assertThat(vectors.size()).isEqualTo(15);
  }

  // docs/KEYBLOCKS.md 2.7 step 7: x9143-2021-8.2 authenticates but its KS and TS break the strict
  // formats
  @Test
  void x9143Example82_lenientAccepts_strictRefusesHeader() throws Exception {
    JsonNode v = null;
    for (JsonNode x : vectors("keyblocks.json")) {
      if (x.get("id").asText().equals("x9143-2021-8.2")) {
        v = x;
      }
    }
    assertThat(v).isNotNull();
    String block = v.get("key_block").asText();
    try (SecretKeyMaterial kbpk = key(v.get("kbpk"))) {
      try (UnwrappedKey k = codec.unwrap(kbpk, block)) {
        assertThat(k.header().optionalBlock("KS").orElseThrow().data()).isEqualTo("VM9A");
      }
      KeyBlockException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              KeyBlockException.class, () -> codec.withStrictImport().unwrap(kbpk, block));
      assertThat(e.code()).isEqualTo(ErrorCode.KEY_BLOCK_HEADER_INVALID);
    }
  }

  private String wrapRandomKey(Tr31Header header, String kbpkHex, int keyLength)
      throws KeyTransferException {
    SecureRandom random = new SecureRandom();
    byte[] kbpkBytes;
    if (kbpkHex != null) {
      kbpkBytes = HexFormat.of().parseHex(kbpkHex);
    } else {
      kbpkBytes = new byte[header.version().aes() ? 32 : 24];
      random.nextBytes(kbpkBytes);
    }
    byte[] keyBytes = new byte[keyLength];
    random.nextBytes(keyBytes);
    try (SecretKeyMaterial kbpk = SecretKeyMaterial.adopt(kbpkBytes);
        SecretKeyMaterial key = SecretKeyMaterial.adopt(keyBytes)) {
      String block = codec.wrap(kbpk, header, key);
      try (UnwrappedKey back = codec.withStrictImport().unwrap(kbpk, block)) {
        assertThat(back.key().equalsKey(key)).isTrue();
      }
      return block;
    }
  }

  private static void compareHeader(String id, JsonNode e, Tr31Header h, List<String> errors) {
    List<String> diffs = new ArrayList<>();
    if (h.version().id() != e.get("version_id").asText().charAt(0)) {
      diffs.add("version");
    }
    if (!h.keyUsage().equals(e.get("key_usage").asText())) {
      diffs.add("usage");
    }
    if (h.algorithm() != e.get("algorithm").asText().charAt(0)) {
      diffs.add("algorithm");
    }
    if (h.modeOfUse() != e.get("mode_of_use").asText().charAt(0)) {
      diffs.add("mode");
    }
    if (!h.keyVersionNumber().equals(e.get("key_version_number").asText())) {
      diffs.add("key version");
    }
    if (h.exportability() != e.get("exportability").asText().charAt(0)) {
      diffs.add("exportability");
    }
    if (h.optionalBlocks().size() != e.get("num_optional_blocks").asInt()) {
      diffs.add("block count");
    }
    if (!(h.keyContext() + "0").equals(e.get("reserved").asText())) {
      diffs.add("reserved");
    }
    if (h.encodedLength() != e.get("header_length_chars").asInt()) {
      diffs.add("header length " + h.encodedLength());
    }
    JsonNode blocks = e.get("optional_blocks");
    for (int i = 0; i < blocks.size() && i < h.optionalBlocks().size(); i++) {
      OptionalBlock b = h.optionalBlocks().get(i);
      if (!b.id().equals(blocks.get(i).get("id").asText())
          || !b.data().equals(blocks.get(i).get("data").asText())) {
        diffs.add("optional block " + i + " " + b.id());
      }
    }
    if (!diffs.isEmpty()) {
      errors.add(id + ": header differs in " + diffs);
    }
  }

  /**
   * The KCVs the vectors record for the key or KBPK, computed through the provider (no second
   * implementation).
   */
  private static void compareKcv(
      String what, JsonNode kcv, SecretKeyMaterial key, List<String> errors) {
    if (kcv == null || kcv.isNull()) {
      return;
    }
    KeyCheckValue.Method method =
        kcv.get("method").asText().equals("cmac-aes")
            ? KeyCheckValue.Method.CMAC_AES
            : KeyCheckValue.Method.LEGACY_TDES;
    String expected = kcv.get("value").asText();
    try {
      String ours = CRYPTO.keyCheckValue(key, method).hex();
      int n = Math.min(ours.length(), expected.length());
      if (!ours.substring(0, n).equals(expected.substring(0, n))) {
        errors.add(what + ": " + ours + " vs " + expected);
      }
    } catch (KeyTransferException e) {
      errors.add(what + ": " + e);
    }
  }

  private static void expectHex(String what, String expected, byte[] actual, List<String> errors) {
    if (!HexFormat.of().withUpperCase().formatHex(actual).equals(expected)) {
      errors.add(
          what + ": " + HexFormat.of().withUpperCase().formatHex(actual) + " vs " + expected);
    }
  }

  /**
   * NIST SP 800-38B subkeys K1, K2 of a CMAC key: doublings of E(K, 0) with Rb 1B (64-bit) or 87
   * (128-bit).
   */
  private static byte[][] cmacSubkeys(byte[] key, boolean aes) {
    byte[] l = aes ? SYM.aesEcb(true, key, new byte[16]) : SYM.tdesEcb(true, key, new byte[8]);
    int rb = aes ? 0x87 : 0x1B;
    byte[] k1 = dbl(l, rb);
    return new byte[][] {k1, dbl(k1, rb)};
  }

  private static byte[] dbl(byte[] in, int rb) {
    byte[] out = new byte[in.length];
    for (int i = 0; i < in.length; i++) {
      int next = i + 1 < in.length ? (in[i + 1] & 0xFF) >>> 7 : 0;
      out[i] = (byte) ((in[i] << 1) | next);
    }
    if ((in[0] & 0x80) != 0) {
      out[in.length - 1] ^= (byte) rb;
    }
    return out;
  }

  private static SecretKeyMaterial key(JsonNode hex) {
    return SecretKeyMaterial.adopt(HexFormat.of().parseHex(hex.asText()));
  }
}
