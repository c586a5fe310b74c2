package dev.keytransfer.crypto.dukpt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.crypto.dukpt.AesDukpt.KeyType;
import dev.keytransfer.crypto.dukpt.AesDukpt.KeyUsage;
import dev.keytransfer.crypto.dukpt.TdesDukpt.Variant;
import dev.keytransfer.crypto.internal.Symmetric;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import dev.keytransfer.crypto.testing.Vectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * DUKPT against {@code ../shared/vectors/dukpt} (X9.24-1:2009 A.4; X9.24-3:2017 supplement): every
 * value in both files, counted per family, all disagreements reported at once. The operations the
 * TDES file records (ISO 0 PIN block, X9.19 and TDES-CMAC MACs, data encryption) and the AES format
 * 4 PIN blocks are computed here from the derived keys: they check the keys, the SDK does not ship
 * those operations.
 */
class DukptVectorsTest {
  private static final TdesDukpt TDES_DUKPT = TdesDukpt.using(new JcaCryptoProvider());
  private static final AesDukpt AES_DUKPT = AesDukpt.using(new JcaCryptoProvider());
  private static final Symmetric SYM = Symmetric.over(new JcaCryptoProvider());
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Family -> {passed, total}. */
  private final Map<String, int[]> families = new LinkedHashMap<>();

  private final List<String> errors = new ArrayList<>();

  @Test
  void tdesDukpt_everyEntry_matches() throws Exception {
    JsonNode root = JSON.readTree(Vectors.read("dukpt/tdes_dukpt.json"));
    JcaCryptoProvider crypto = new JcaCryptoProvider();
    for (JsonNode v : root.get("ipek_vectors")) {
      TdesKsn ksn = TdesKsn.parse(v.get("ksn").asText());
      try (SecretKeyMaterial bdk = key(v.get("bdk"));
          SecretKeyMaterial ipek = TDES_DUKPT.initialKey(bdk, ksn)) {
        check("tdes ipek", v.get("id").asText(), v.get("ipek").asText(), ipek);
        check(
            "tdes ipek input",
            v.get("id").asText(),
            v.get("ipek_left_input").asText(),
            HexFormat.of().withUpperCase().formatHex(Arrays.copyOf(ksn.initial().bytes(), 8)));
        check(
            "tdes ipek kcv",
            v.get("id").asText(),
            v.get("kcv_legacy").asText(),
            crypto.keyCheckValue(ipek, KeyCheckValue.Method.LEGACY_TDES).hex());
      }
    }
    JsonNode ops = root.get("operation_inputs");
    byte[] clearPinBlock = HexFormat.of().parseHex(ops.get("clear_pin_block_iso0").asText());
    byte[] data = HexFormat.of().parseHex(ops.get("mac_and_data_input_hex").asText());
    JsonNode first = root.get("ipek_vectors").get(0);
    try (SecretKeyMaterial bdk = key(first.get("bdk"));
        SecretKeyMaterial ipek =
            TDES_DUKPT.initialKey(bdk, TdesKsn.parse(first.get("ksn").asText()))) {
      for (JsonNode t : root.get("transactions")) {
        TdesKsn ksn = TdesKsn.parse(t.get("ksn").asText());
        String id = t.get("ksn").asText();
        check(
            "tdes counter",
            id,
            Integer.toString(t.get("counter").asInt()),
            Integer.toString(ksn.counter()));
        check("tdes originator-valid", id, "true", Boolean.toString(ksn.isOriginatorValid()));
        try (SecretKeyMaterial tk = TDES_DUKPT.transactionKey(ipek, ksn);
            SecretKeyMaterial pin = TDES_DUKPT.workingKey(tk, Variant.PIN);
            SecretKeyMaterial macReq = TDES_DUKPT.workingKey(tk, Variant.MAC_REQUEST);
            SecretKeyMaterial macResp = TDES_DUKPT.workingKey(tk, Variant.MAC_RESPONSE);
            SecretKeyMaterial dataReq = TDES_DUKPT.workingKey(tk, Variant.DATA_REQUEST);
            SecretKeyMaterial dataResp = TDES_DUKPT.workingKey(tk, Variant.DATA_RESPONSE);
            SecretKeyMaterial fromBdk = TDES_DUKPT.workingKeyFromBdk(bdk, ksn, Variant.PIN)) {
          check("tdes transaction key", id, t.get("transaction_key").asText(), tk);
          check("tdes pin key", id, t.get("pin_key").asText(), pin);
          check("tdes pin key from BDK", id, t.get("pin_key").asText(), fromBdk);
          check(
              "tdes pin block",
              id,
              t.get("encrypted_pin_block").asText(),
              HexFormat.of()
                  .withUpperCase()
                  .formatHex(SYM.tdesEcb(true, pin.copyBytes(), clearPinBlock)));
          String x919Req = HexFormat.of().withUpperCase().formatHex(x919(macReq.copyBytes(), data));
          String x919Resp =
              HexFormat.of().withUpperCase().formatHex(x919(macResp.copyBytes(), data));
          check(
              "tdes x9.19 mac 4 bytes",
              id + " request",
              t.get("mac_request_x919_4bytes").asText(),
              x919Req.substring(0, 8));
          check(
              "tdes x9.19 mac 4 bytes",
              id + " response",
              t.get("mac_response_x919_4bytes").asText(),
              x919Resp.substring(0, 8));
          if (t.has("mac_request_x919_8bytes")) {
            check(
                "tdes x9.19 mac 8 bytes",
                id + " request",
                t.get("mac_request_x919_8bytes").asText(),
                x919Req);
            check(
                "tdes x9.19 mac 8 bytes",
                id + " response",
                t.get("mac_response_x919_8bytes").asText(),
                x919Resp);
          }
          check(
              "tdes cmac",
              id + " request",
              t.get("cmac_request_tdes").asText(),
              HexFormat.of().withUpperCase().formatHex(SYM.tdesCmac(macReq.copyBytes(), data)));
          check(
              "tdes cmac",
              id + " response",
              t.get("cmac_response_tdes").asText(),
              HexFormat.of().withUpperCase().formatHex(SYM.tdesCmac(macResp.copyBytes(), data)));
          byte[] padded = Arrays.copyOf(data, (data.length + 7) / 8 * 8);
          check(
              "tdes data request",
              id,
              t.get("data_request_ciphertext").asText(),
              HexFormat.of()
                  .withUpperCase()
                  .formatHex(SYM.tdesCbc(true, dataReq.copyBytes(), new byte[8], padded)));
          if (t.has("data_response_ciphertext")) {
            check(
                "tdes data response",
                id,
                t.get("data_response_ciphertext").asText(),
                HexFormat.of()
                    .withUpperCase()
                    .formatHex(SYM.tdesCbc(true, dataResp.copyBytes(), new byte[8], padded)));
          }
        }
      }
    }
    report();
    assertThat(families.get("tdes transaction key")[1]).isEqualTo(34);
  }

  @Test
  void aesDukpt_everyEntry_matches() throws Exception {
    JsonNode root = JSON.readTree(Vectors.read("dukpt/aes_dukpt.json"));
    // ISO 9564-1 format 4 inputs of the X9.24-3 supplement example (not recorded in the file; the
    // supplement's worked example as transcribed by public tests: PIN 1234, PAN 4111111111111111)
    byte[] pinField = HexFormat.of().parseHex("441234AAAAAAAAAA2F69ADDE2E9E7ACE");
    byte[] panField = HexFormat.of().parseHex("44111111111111111000000000000000");
    for (JsonNode s : root.get("suites")) {
      String suite = s.get("id").asText();
      AesKsn ikid = AesKsn.parse(s.get("initial_key_id").asText());
      try (SecretKeyMaterial bdk = key(s.get("bdk"));
          SecretKeyMaterial ik = AES_DUKPT.initialKey(bdk, ikid)) {
        check("aes initial key", suite, s.get("initial_key").asText(), ik);
        byte[] fromBlocks = new byte[0];
        for (JsonNode block : s.get("ik_derivation_data_blocks")) {
          byte[] b = SYM.aesEcb(true, bdk.copyBytes(), HexFormat.of().parseHex(block.asText()));
          fromBlocks = concat(fromBlocks, b);
        }
        check(
            "aes initial key derivation data",
            suite,
            s.get("initial_key").asText(),
            HexFormat.of().withUpperCase().formatHex(Arrays.copyOf(fromBlocks, ik.length())));
        for (JsonNode t : s.get("transactions")) {
          AesKsn ksn = AesKsn.parse(t.get("ksn").asText());
          String id = suite + " " + t.get("counter").asText();
          boolean valid = !t.has("originator_valid") || t.get("originator_valid").asBoolean();
          check(
              "aes originator-valid",
              id,
              Boolean.toString(valid),
              Boolean.toString(ksn.isOriginatorValid()));
          try (SecretKeyMaterial dk = AES_DUKPT.derivationKey(ik, ksn)) {
            check("aes derivation key", id, t.get("derivation_key").asText(), dk);
          }
          JsonNode wks = t.get("working_keys");
          if (wks != null) {
            for (Map.Entry<String, JsonNode> e : wks.properties()) {
              String name = e.getKey();
              KeyUsage usage = usage(name.substring(0, name.lastIndexOf('_')));
              KeyType type = type(name.substring(name.lastIndexOf('_') + 1));
              try (SecretKeyMaterial wk = AES_DUKPT.workingKey(ik, ksn, usage, type)) {
                check("aes working key", id + " " + name, e.getValue().asText(), wk);
              }
            }
          }
          if (t.has("encrypted_pin_block_iso4_with_PIN_AES128")) {
            try (SecretKeyMaterial pin =
                AES_DUKPT.workingKeyFromBdk(bdk, ksn, KeyUsage.PIN_ENCRYPTION, KeyType.AES_128)) {
              byte[] k = pin.copyBytes();
              byte[] a = SYM.aesEcb(true, k, pinField);
              byte[] b = SYM.aesEcb(true, k, Symmetric.xor(a, panField));
              check(
                  "aes pin block iso 4",
                  id,
                  t.get("encrypted_pin_block_iso4_with_PIN_AES128").asText(),
                  HexFormat.of().withUpperCase().formatHex(b));
            }
          }
        }
        JsonNode u = s.get("update_key");
        AesKsn last = AesKsn.parse(u.get("ksn").asText());
        try (SecretKeyMaterial dk = AES_DUKPT.derivationKey(ik, last)) {
          check(
              "aes update key",
              suite + " derivation key",
              u.get("derivation_key_at_FFFFFFFF").asText(),
              dk);
        }
        for (Iterator<String> it = u.fieldNames(); it.hasNext(); ) {
          String f = it.next();
          if (f.startsWith("update_key_")) {
            try (SecretKeyMaterial uk =
                AES_DUKPT.updateKey(ik, ikid, type(f.substring("update_key_".length())))) {
              check("aes update key", suite + " " + f, u.get(f).asText(), uk);
            }
          }
        }
      }
    }
    // the secondary entries all use the AES-128 suite's BDK and initial key ID unless they name
    // their own
    JsonNode aes128 = root.get("suites").get(0);
    for (JsonNode v : root.get("secondary")) {
      String id = v.get("id").asText();
      try (SecretKeyMaterial bdk = key(v.has("bdk") ? v.get("bdk") : aes128.get("bdk"))) {
        if (v.has("initial_key")) {
          try (SecretKeyMaterial ik =
              AES_DUKPT.initialKey(bdk, AesKsn.parse(v.get("initial_key_id").asText()))) {
            check("aes secondary", id, v.get("initial_key").asText(), ik);
          }
          continue;
        }
        AesKsn ksn = AesKsn.parse(v.get("ksn").asText());
        KeyType type =
            v.has("working_key_type") ? type(v.get("working_key_type").asText()) : KeyType.AES_128;
        for (Map.Entry<String, JsonNode> e : v.get("keys").properties()) {
          String usageName = e.getKey().equals("KEK") ? "KEK" : e.getKey();
          try (SecretKeyMaterial wk =
              AES_DUKPT.workingKeyFromBdk(bdk, ksn, usage(usageName), type)) {
            check("aes secondary", id + " " + e.getKey(), e.getValue().asText(), wk);
          }
        }
      }
    }
    report();
    assertThat(families.get("aes working key")[1]).isEqualTo(72);
  }

  private static KeyUsage usage(String name) {
    return switch (name) {
      case "PIN" -> KeyUsage.PIN_ENCRYPTION;
      case "MAC_GEN" -> KeyUsage.MAC_GENERATION;
      case "MAC_VER" -> KeyUsage.MAC_VERIFICATION;
      case "MAC_BOTH" -> KeyUsage.MAC_BOTH;
      case "DATA_ENC" -> KeyUsage.DATA_ENCRYPTION;
      case "DATA_DEC" -> KeyUsage.DATA_DECRYPTION;
      case "DATA_BOTH" -> KeyUsage.DATA_BOTH;
      case "KEK" -> KeyUsage.KEY_ENCRYPTION;
      default -> throw new IllegalArgumentException("unknown usage " + name);
    };
  }

  private static KeyType type(String name) {
    return switch (name) {
      case "2TDEA" -> KeyType.TDES_2KEY;
      case "3TDEA" -> KeyType.TDES_3KEY;
      case "AES128" -> KeyType.AES_128;
      case "AES192" -> KeyType.AES_192;
      case "AES256" -> KeyType.AES_256;
      default -> throw new IllegalArgumentException("unknown key type " + name);
    };
  }

  /**
   * ANSI X9.19 retail MAC: single-DES CBC under K1 with zero padding, the last block through TDES
   * (K1, K2, K1).
   */
  private static byte[] x919(byte[] key, byte[] data) {
    byte[] padded = Arrays.copyOf(data, (data.length + 7) / 8 * 8);
    byte[] k1 = Arrays.copyOf(key, 8);
    byte[] h = new byte[8];
    for (int at = 0; at < padded.length; at += 8) {
      byte[] x = Symmetric.xor(h, Arrays.copyOfRange(padded, at, at + 8));
      h = at + 8 < padded.length ? SYM.desEncryptBlock(k1, x) : SYM.tdesEcb(true, key, x);
    }
    return h;
  }

  private void check(String family, String id, String expected, SecretKeyMaterial actual) {
    check(family, id, expected, HexFormat.of().withUpperCase().formatHex(actual.copyBytes()));
  }

  private void check(String family, String id, String expected, String actual) {
    int[] counts = families.computeIfAbsent(family, f -> new int[2]);
    counts[1]++;
    if (expected.equalsIgnoreCase(actual)) {
      counts[0]++;
    } else {
      errors.add(family + " " + id + ": got " + actual + ", expected " + expected);
    }
  }

  private void report() {
    families.forEach(
        (family, c) -> System.out.println("DUKPT " + family + ": " + c[0] + "/" + c[1]));
    assertThat(errors).isEmpty();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static SecretKeyMaterial key(JsonNode hex) {
    return SecretKeyMaterial.adopt(HexFormat.of().parseHex(hex.asText()));
  }
}
