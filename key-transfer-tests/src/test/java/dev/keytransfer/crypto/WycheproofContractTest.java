package dev.keytransfer.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.Algorithms.ContentEncryption;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.crypto.testing.Wycheproof;
import dev.keytransfer.crypto.testing.Wycheproof.Outcome;
import dev.keytransfer.crypto.testing.Wycheproof.Report;
import dev.keytransfer.crypto.testing.WycheproofEngine;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Wycheproof vectors the SDK's algorithms need (docs/SECURITY.md R1, R3, R6), run through one
 * provider per subclass: RSA-OAEP (three files), RSA PKCS#1 v1.5 and PSS signatures, ECDSA and ECDH
 * on P-256, P-384 and P-521 (through {@code CryptoProvider.verify} and {@code agree} for the
 * software providers, the ECDH mode of docs/ECDH.md), AES-CMAC, AES-CBC-PKCS5 and AES key wrap.
 * Each family prints "passed/total" and every disagreement; a disagreement fails the test unless
 * the subclass lists it in {@link #knownDeviations()} with its explanation, and a listed deviation
 * that no longer occurs fails too, so the list stays exact.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class WycheproofContractTest {
  private static final Map<String, List<String>> SUMMARY = new TreeMap<>();

  protected WycheproofEngine engine;

  protected abstract WycheproofEngine newEngine() throws Exception;

  /**
   * Disagreements this engine is known to have, "family#tcId" to the reason (families: oaep-sha256,
   * oaep-sha256-mgf1sha1, oaep-sha1, oaep-spi, pkcs1, pss, ecdsa, ecdh, cmac, cbc, kw); empty by
   * default.
   */
  protected Map<String, String> knownDeviations() {
    return Map.of();
  }

  @BeforeAll
  void openEngine() throws Exception {
    engine = newEngine();
  }

  @AfterAll
  void closeEngine() throws Exception {
    if (engine != null) {
      engine.close();
      System.out.println("Wycheproof, provider " + engine.provider().name() + ":");
      SUMMARY
          .getOrDefault(engine.provider().name(), List.of())
          .forEach(l -> System.out.println("  " + l));
    }
  }

  private void check(Report r) {
    String name = engine.provider().name();
    SUMMARY.computeIfAbsent(name, k -> new ArrayList<>()).add(r.line());
    System.out.println("[" + name + "] " + r.line());
    Map<String, String> expected =
        knownDeviations().entrySet().stream()
            .filter(e -> e.getKey().startsWith(r.key() + "#"))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    r.disagreements()
        .forEach(
            (k, v) ->
                System.out.println(
                    "    "
                        + k
                        + ": "
                        + v
                        + (expected.containsKey(k) ? "  -- known: " + expected.get(k) : "")));
    assertThat(r.disagreements().keySet())
        .as(r.family() + " on " + name + ": disagreements vs known deviations")
        .containsExactlyInAnyOrderElementsOf(expected.keySet());
  }

  private String route(String family) {
    return engine.routes().getOrDefault(family, "");
  }

  // ------------------------------------------------------------------ RSA-OAEP

  private final Map<String, RSAPrivateCrtKey> rsaKeys = new HashMap<>();

  private RSAPrivateCrtKey rsaKey(JsonNode group) throws Exception {
    String der = group.get("privateKeyPkcs8").asText();
    RSAPrivateCrtKey k = rsaKeys.get(der);
    if (k == null) {
      k =
          (RSAPrivateCrtKey)
              KeyFactory.getInstance("RSA")
                  .generatePrivate(
                      new PKCS8EncodedKeySpec(Wycheproof.hex(group, "privateKeyPkcs8")));
      rsaKeys.put(der, k);
    }
    return k;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "rsa_oaep_2048_sha256_mgf1sha256_test.json",
        "rsa_oaep_2048_sha256_mgf1sha1_test.json",
        "rsa_oaep_2048_sha1_mgf1sha1_test.json"
      })
  void rsaOaep_everyCase_decidedRight(String file) {
    String key =
        switch (file) {
          case "rsa_oaep_2048_sha256_mgf1sha256_test.json" -> "oaep-sha256";
          case "rsa_oaep_2048_sha256_mgf1sha1_test.json" -> "oaep-sha256-mgf1sha1";
          default -> "oaep-sha1";
        };
    Report r =
        Wycheproof.run(
            key,
            "RSA-OAEP " + file.replace("rsa_oaep_2048_", "").replace("_test.json", ""),
            route("oaep"),
            file,
            "msg",
            Wycheproof::all,
            (g, t) -> {
              byte[] m =
                  engine.oaepDecrypt(
                      rsaKey(g),
                      g.get("sha").asText(),
                      g.get("mgfSha").asText(),
                      Wycheproof.hex(t, "label"),
                      Wycheproof.hex(t, "ct"));
              return m == null ? Outcome.refused("null") : Outcome.accepted(m);
            });
    check(r);
  }

  /**
   * The SHA-256 file through the SPI's {@code decryptKey} (the TR-34 key transport itself): the
   * cases the SPI can express (empty label; a valid case with a non-empty key). Every refusal must
   * be the one uniform {@link KeyTokenException} (R1): same type, code, message, no cause.
   */
  @Test
  void rsaOaep_throughTheSpi_uniformFailures() {
    String file = "rsa_oaep_2048_sha256_mgf1sha256_test.json";
    Set<String> failureShapes = new LinkedHashSet<>();
    Report r =
        Wycheproof.run(
            "oaep-spi",
            "RSA-OAEP sha256_mgf1sha256 via SPI",
            "CryptoProvider.decryptKey",
            file,
            "msg",
            (g, t) ->
                t.get("label").asText().isEmpty()
                    && !(t.get("result").asText().equals("valid")
                        && t.get("msg").asText().isEmpty()),
            (g, t) -> {
              PrivateKeyHandle h = engine.keyTransportKey(rsaKey(g));
              try (SecretKeyMaterial k =
                  engine
                      .provider()
                      .decryptKey(
                          h, Algorithms.KeyTransport.RSA_OAEP_SHA256, Wycheproof.hex(t, "ct"))) {
                return Outcome.accepted(k.copyBytes());
              } catch (KeyTokenException e) {
                failureShapes.add(
                    e.getClass().getName()
                        + "|"
                        + e.code()
                        + "|"
                        + e.getMessage()
                        + "|"
                        + e.getCause()
                        + "|"
                        + e.getSuppressed().length);
                return Outcome.refused(e.getMessage());
              }
            });
    check(r);
    assertThat(failureShapes).as("every OAEP failure looks the same").hasSize(1);
  }

  // ------------------------------------------------------------------ signatures

  @Test
  void rsaPkcs1Signature_throughTheSpi() {
    String file = "rsa_signature_2048_sha256_test.json";
    Report r =
        Wycheproof.run(
            "pkcs1",
            "RSA PKCS#1 v1.5 SHA-256 signature",
            "CryptoProvider.verify",
            file,
            null,
            Wycheproof::all,
            (g, t) -> {
              try {
                engine
                    .provider()
                    .verify(
                        publicKey("RSA", g),
                        Algorithms.Signature.RSA_PKCS1_SHA256,
                        Wycheproof.hex(t, "msg"),
                        Wycheproof.hex(t, "sig"));
                return Outcome.accepted(null);
              } catch (dev.keytransfer.core.SignatureInvalidException e) {
                return Outcome.refused("SIGNATURE_INVALID");
              }
            });
    check(r);
  }

  @Test
  void rsaPss_engine() {
    String file = "rsa_pss_2048_sha256_mgf1_32_test.json";
    Report r =
        Wycheproof.run(
            "pss",
            "RSA-PSS SHA-256 MGF1 salt 32",
            route("pss"),
            file,
            null,
            Wycheproof::all,
            (g, t) ->
                Outcome.of(
                    engine.verifyPss(
                        publicKey("RSA", g),
                        Wycheproof.hex(t, "msg"),
                        Wycheproof.hex(t, "sig"),
                        g.get("sLen").asInt())));
    check(r);
  }

  /**
   * ECDSA on each curve with its hash (docs/ECDH.md). The P-256 file is in the shared vectors; the
   * P-384 and P-521 files are read from the same folder when present (the suite skips with a
   * message otherwise). Families: ecdsa (P-256), ecdsa-p384, ecdsa-p521.
   */
  @ParameterizedTest
  @CsvSource({
    "ecdsa, ecdsa_secp256r1_sha256_test.json, P256",
    "ecdsa-p384, ecdsa_secp384r1_sha384_test.json, P384",
    "ecdsa-p521, ecdsa_secp521r1_sha512_test.json, P521"
  })
  void ecdsa_engine(String key, String file, Algorithms.Curve curve) {
    Algorithms.Signature algorithm = curve.signature();
    Report r =
        Wycheproof.run(
            key,
            "ECDSA " + curve + " " + curve.hash() + " (DER)",
            route("ecdsa"),
            file,
            null,
            Wycheproof::all,
            (g, t) ->
                Outcome.of(
                    engine.verifyEcdsa(
                        algorithm,
                        Wycheproof.hex(g, "publicKeyDer"),
                        Wycheproof.hex(t, "msg"),
                        Wycheproof.hex(t, "sig"))));
    check(r);
  }

  /** ECDH on each curve; as for ECDSA, P-384 and P-521 when their files are present. */
  @ParameterizedTest
  @CsvSource({
    "ecdh, ecdh_secp256r1_test.json, P256",
    "ecdh-p384, ecdh_secp384r1_test.json, P384",
    "ecdh-p521, ecdh_secp521r1_test.json, P521"
  })
  void ecdh_engine(String key, String file, Algorithms.Curve curve) {
    Report r =
        Wycheproof.run(
            key,
            "ECDH " + curve,
            route("ecdh"),
            file,
            "shared",
            Wycheproof::all,
            (g, t) -> {
              byte[] s =
                  engine.ecdh(
                      curve,
                      new BigInteger(Wycheproof.hex(t, "private")),
                      Wycheproof.hex(t, "public"));
              return s == null ? Outcome.refused("null") : Outcome.accepted(s);
            });
    check(r);
  }

  // ------------------------------------------------------------------ AES

  @Test
  void aesCmac_engine() {
    String file = "aes_cmac_test.json";
    Report r =
        Wycheproof.run(
            "cmac",
            "AES-CMAC",
            route("cmac"),
            file,
            null,
            Wycheproof::all,
            (g, t) -> {
              byte[] full = engine.cmac(Wycheproof.hex(t, "key"), Wycheproof.hex(t, "msg"));
              byte[] tag = Arrays.copyOf(full, g.get("tagSize").asInt() / 8);
              return Outcome.of(MessageDigest.isEqual(tag, Wycheproof.hex(t, "tag")));
            });
    check(r);
  }

  /**
   * AES-128 and AES-256 through the SPI's {@code decrypt} and {@code encrypt} (TR-34 content
   * encryption); AES-192, which the SPI does not offer, through the engine.
   */
  @Test
  void aesCbcPkcs5_spiAndEngine() {
    String file = "aes_cbc_pkcs5_test.json";
    Report r =
        Wycheproof.run(
            "cbc",
            "AES-CBC-PKCS5",
            route("cbc"),
            file,
            "msg",
            Wycheproof::all,
            (g, t) -> {
              byte[] key = Wycheproof.hex(t, "key");
              byte[] iv = Wycheproof.hex(t, "iv");
              byte[] ct = Wycheproof.hex(t, "ct");
              ContentEncryption cea =
                  key.length == 16
                      ? ContentEncryption.AES_128_CBC
                      : key.length == 32 ? ContentEncryption.AES_256_CBC : null;
              byte[] plain;
              byte[] again;
              if (cea != null) {
                try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(key)) {
                  plain = engine.provider().decrypt(cea, k, iv, ct);
                  again = engine.provider().encrypt(cea, k, iv, plain);
                }
              } else {
                plain = engine.cbcDecrypt(key, iv, ct);
                again = engine.cbcEncrypt(key, iv, plain);
              }
              // a valid case must also encrypt back to exactly its ciphertext
              return MessageDigest.isEqual(again, ct)
                  ? Outcome.accepted(plain)
                  : Outcome.refused("re-encryption differs");
            });
    check(r);
  }

  @Test
  void aesKeyWrap_engine() {
    String file = "aes_wrap_test.json";
    Report r =
        Wycheproof.run(
            "kw",
            "AES key wrap (RFC 3394)",
            route("kw"),
            file,
            "msg",
            Wycheproof::all,
            (g, t) -> {
              byte[] k = engine.aesKeyUnwrap(Wycheproof.hex(t, "key"), Wycheproof.hex(t, "ct"));
              return k == null ? Outcome.refused("null") : Outcome.accepted(k);
            });
    check(r);
  }

  private static PublicKey publicKey(String algorithm, JsonNode group) throws Exception {
    return KeyFactory.getInstance(algorithm)
        .generatePublic(new X509EncodedKeySpec(Wycheproof.hex(group, "publicKeyDer")));
  }
}
