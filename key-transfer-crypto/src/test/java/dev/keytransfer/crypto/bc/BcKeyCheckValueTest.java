package dev.keytransfer.crypto.bc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.internal.Hex;
import dev.keytransfer.crypto.testing.Vectors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Key check values against {@code ../shared/vectors/kcv/kcv.json} (SECURITY.md K3): legacy TDES,
 * AES-CMAC and TDES-CMAC entries must match on the common prefix (the file records 3-, 5- and
 * 8-byte values); the AES-ECB "contrast" entries must not match (an AES KCV is CMAC, not ECB).
 */
class BcKeyCheckValueTest {
  @Test
  void kcvJson_everyEntry_agrees() throws Exception {
    JsonNode vectors = new ObjectMapper().readTree(Vectors.read("kcv/kcv.json")).get("vectors");
    BcCryptoProvider bc = new BcCryptoProvider();
    List<String> errors = new ArrayList<>();
    int checked = 0;
    for (JsonNode v : vectors) {
      String id = v.get("id").asText();
      byte[] key = Hex.decode(v.get("key").asText());
      String expected = v.get("expected").asText();
      String method = v.get("method").asText();
      KeyCheckValue.Method m = switch (method) {
        case "legacy-tdes" -> KeyCheckValue.Method.LEGACY_TDES;
        case "cmac-tdes" -> KeyCheckValue.Method.CMAC_TDES;
        case "cmac-aes", "aes-ecb-zero-block" -> KeyCheckValue.Method.CMAC_AES;
        default -> throw new IllegalStateException("unknown method " + method + " in " + id);
      };
      String ours;
      try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(key)) {
        ours = bc.keyCheckValue(k, m).hex();
      }
      int n = Math.min(ours.length(), expected.length());
      boolean same = ours.substring(0, n).equals(expected.substring(0, n));
      if (method.equals("aes-ecb-zero-block") ? same : !same) {
        errors.add(id + ": ours " + ours + ", file " + expected + " (" + method + ")");
      }
      checked++;
    }
    System.out.println("KCV vectors: " + (checked - errors.size()) + "/" + checked + " agree");
    assertThat(errors).isEmpty();
    assertThat(checked).isEqualTo(vectors.size()).isEqualTo(24);
  }

  @Test
  void kcv_lengthsFollowTheMethod() throws Exception {
    BcCryptoProvider bc = new BcCryptoProvider();
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(Hex.decode("0123456789ABCDEFFEDCBA9876543210"))) {
      assertThat(bc.keyCheckValue(k, KeyCheckValue.Method.LEGACY_TDES).hex()).isEqualTo("08D7B4");
      assertThat(bc.keyCheckValue(k, KeyCheckValue.Method.CMAC_AES).bytes()).hasSize(5);
    }
  }
}
