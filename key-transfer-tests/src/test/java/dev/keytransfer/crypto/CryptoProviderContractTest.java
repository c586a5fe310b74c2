package dev.keytransfer.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.handshake.KdhHandshake;
import dev.keytransfer.core.handshake.KrdHandshake;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.Algorithms.ContentEncryption;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.InstalledKey;
import dev.keytransfer.core.spi.KeyPurpose;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.crypto.testing.ProviderHandshake;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.crypto.testing.Vectors;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract every {@link CryptoProvider} keeps, written once and run unchanged by {@code
 * BcCryptoProviderTest}, {@code JcaCryptoProviderTest} and {@code Pkcs11CryptoProviderTest}, which
 * only say how to make their provider. Results are cross-checked against the JDK where the
 * operation is public (signature verification, OAEP encryption, CBC), so that two providers that
 * agreed only with each other would still fail. The last case runs S1-S4 at machine level with keys
 * generated in the provider and certificates issued from CSRs it signed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class CryptoProviderContractTest {
  private static final byte[] DATA =
      "TR-34 signed attributes stand-in".getBytes(StandardCharsets.US_ASCII);

  protected CryptoProvider crypto;
  protected PrivateKeyHandle signingKey;
  protected PrivateKeyHandle transportKey;
  private final List<PrivateKeyHandle> generated = new ArrayList<>();

  /** A new provider for this class's tests. */
  protected abstract CryptoProvider newProvider() throws Exception;

  /** Destroys a key this suite generated (a token object); software providers need nothing. */
  protected void destroy(PrivateKeyHandle key) throws Exception {}

  @BeforeAll
  void setUpProvider() throws Exception {
    crypto = newProvider();
    signingKey = generate(KeyPurpose.SIGNING, "contract KDH");
    transportKey = generate(KeyPurpose.KEY_TRANSPORT, "contract KRD");
  }

  @AfterAll
  void tearDownProvider() throws Exception {
    if (crypto == null) {
      return;
    }
    for (PrivateKeyHandle k : generated) {
      destroy(k);
    }
    if (crypto instanceof AutoCloseable c) {
      c.close();
    }
  }

  protected PrivateKeyHandle generate(KeyPurpose purpose, String label)
      throws KeyTransferException {
    PrivateKeyHandle k = crypto.generateRsaKeyPair(2048, label, purpose);
    generated.add(k);
    return k;
  }

  // ------------------------------------------------------------------ key generation

  @ParameterizedTest
  @EnumSource(KeyPurpose.class)
  void generateRsaKeyPair_eachPurpose_rsa2048WithExponentF4(KeyPurpose purpose) throws Exception {
    PrivateKeyHandle k = purpose == KeyPurpose.SIGNING ? signingKey : transportKey;
    assertThat(k.publicKey()).isInstanceOf(RSAPublicKey.class);
    RSAPublicKey rsa = (RSAPublicKey) k.publicKey();
    assertThat(rsa.getModulus().bitLength()).isEqualTo(2048);
    assertThat(rsa.getPublicExponent()).isEqualTo(BigInteger.valueOf(65537));
    assertThat(k.label()).startsWith("contract");
    assertThat(k.toString()).doesNotContain(rsa.getModulus().toString(16));
  }

  @Test
  void generateRsaKeyPair_twice_differentKeys() throws Exception {
    PrivateKeyHandle other = generate(KeyPurpose.SIGNING, "contract other");
    assertThat(other.publicKey()).isNotEqualTo(signingKey.publicKey());
  }

  @Test
  void generateRsaKeyPair_below2048_refused() {
    assertThatThrownBy(() -> crypto.generateRsaKeyPair(1024, "weak", KeyPurpose.SIGNING))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------ sign / verify

  @ParameterizedTest
  @EnumSource(KeyPurpose.class)
  void sign_eachPurpose_verifiesHereAndInTheJdk(KeyPurpose purpose) throws Exception {
    // a KEY_TRANSPORT key signs once: the proof of possession of its certification request (S1)
    PrivateKeyHandle k = purpose == KeyPurpose.SIGNING ? signingKey : transportKey;
    byte[] sig = crypto.sign(k, Algorithms.Signature.RSA_PKCS1_SHA256, DATA);
    crypto.verify(k.publicKey(), Algorithms.Signature.RSA_PKCS1_SHA256, DATA, sig);
    Signature jdk = Signature.getInstance("SHA256withRSA", "SunRsaSign");
    jdk.initVerify(k.publicKey());
    jdk.update(DATA);
    assertThat(jdk.verify(sig)).isTrue();
  }

  @Test
  void verify_jdkSignature_accepted() throws Exception {
    KeyPair kp = TestPki.rsa(2048);
    Signature jdk = Signature.getInstance("SHA256withRSA", "SunRsaSign");
    jdk.initSign(kp.getPrivate());
    jdk.update(DATA);
    crypto.verify(kp.getPublic(), Algorithms.Signature.RSA_PKCS1_SHA256, DATA, jdk.sign());
  }

  @Test
  void verify_anyBitFlipOrWrongKey_signatureInvalid() throws Exception {
    byte[] sig = crypto.sign(signingKey, Algorithms.Signature.RSA_PKCS1_SHA256, DATA);
    byte[] data = DATA.clone();
    data[3] ^= 0x01;
    byte[] badSig = sig.clone();
    badSig[badSig.length - 1] ^= 0x40;
    assertSignatureInvalid(signingKey.publicKey(), data, sig);
    assertSignatureInvalid(signingKey.publicKey(), DATA, badSig);
    assertSignatureInvalid(transportKey.publicKey(), DATA, sig);
    assertSignatureInvalid(signingKey.publicKey(), DATA, Arrays.copyOf(sig, sig.length - 1));
    assertSignatureInvalid(signingKey.publicKey(), DATA, new byte[0]);
  }

  private void assertSignatureInvalid(PublicKey key, byte[] data, byte[] sig) {
    assertThatThrownBy(() -> crypto.verify(key, Algorithms.Signature.RSA_PKCS1_SHA256, data, sig))
        .isInstanceOf(SignatureInvalidException.class)
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.SIGNATURE_INVALID);
  }

  // ------------------------------------------------------------------ key transport (RSA-OAEP)

  @ParameterizedTest
  @EnumSource(ContentEncryption.class)
  void encryptKey_thenDecryptKey_sameKey(ContentEncryption cea) throws Exception {
    try (SecretKeyMaterial cek = randomKey(cea.keyLength())) {
      byte[] wrapped =
          crypto.encryptKey(transportKey.publicKey(), Algorithms.KeyTransport.RSA_OAEP_SHA256, cek);
      assertThat(wrapped).hasSize(256);
      try (SecretKeyMaterial back =
          crypto.decryptKey(transportKey, Algorithms.KeyTransport.RSA_OAEP_SHA256, wrapped)) {
        assertThat(back.equalsKey(cek)).isTrue();
      }
    }
  }

  @Test
  void decryptKey_jdkOaepSha256_interoperates() throws Exception {
    byte[] cek = HexFormat.of().parseHex("00112233445566778899AABBCCDDEEFF0123456789ABCDEF");
    byte[] wrapped =
        jdkOaep(
            transportKey.publicKey(),
            "SHA-256",
            MGF1ParameterSpec.SHA256,
            PSource.PSpecified.DEFAULT,
            cek);
    try (SecretKeyMaterial back =
            crypto.decryptKey(transportKey, Algorithms.KeyTransport.RSA_OAEP_SHA256, wrapped);
        SecretKeyMaterial expected = SecretKeyMaterial.copyOf(cek)) {
      assertThat(back.equalsKey(expected)).isTrue();
    }
  }

  /**
   * docs/SECURITY.md R1, uniform failure: every failure is the same exception, code, message, and
   * has no cause.
   */
  @Test
  void decryptKey_everyKindOfFailure_indistinguishable() throws Exception {
    byte[] cek = new byte[16];
    crypto.secureRandom().nextBytes(cek);
    PublicKey pub = transportKey.publicKey();
    byte[] good;
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(cek)) {
      good = crypto.encryptKey(pub, Algorithms.KeyTransport.RSA_OAEP_SHA256, k);
    }
    Map<String, byte[]> bad = new LinkedHashMap<>();
    for (int i : new int[] {0, 1, 100, 255}) {
      byte[] flipped = good.clone();
      flipped[i] ^= 0x01;
      bad.put("bit flip at byte " + i, flipped);
    }
    bad.put("empty", new byte[0]);
    bad.put("one byte short", Arrays.copyOf(good, good.length - 1));
    bad.put("one byte long", Arrays.copyOf(good, good.length + 1));
    bad.put("all zeros", new byte[256]);
    byte[] ff = new byte[256];
    Arrays.fill(ff, (byte) 0xFF);
    bad.put("larger than the modulus", ff);
    bad.put(
        "OAEP SHA-1 (policy says SHA-256)",
        jdkOaep(pub, "SHA-1", MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT, cek));
    bad.put(
        "OAEP MGF1-SHA-1",
        jdkOaep(pub, "SHA-256", MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT, cek));
    bad.put(
        "OAEP with a label",
        jdkOaep(
            pub, "SHA-256", MGF1ParameterSpec.SHA256, new PSource.PSpecified(new byte[] {1}), cek));
    Cipher pkcs1 = Cipher.getInstance("RSA/ECB/PKCS1Padding", "SunJCE");
    pkcs1.init(Cipher.ENCRYPT_MODE, pub);
    bad.put("PKCS#1 v1.5 (R2: never accepted)", pkcs1.doFinal(cek));
    bad.put(
        "OAEP of an empty key",
        jdkOaep(pub, "SHA-256", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT, new byte[0]));
    PrivateKeyHandle otherKey = generate(KeyPurpose.KEY_TRANSPORT, "contract other KRD");
    for (Map.Entry<String, byte[]> e : bad.entrySet()) {
      assertUniformFailure(
          e.getKey(),
          () ->
              crypto.decryptKey(
                  transportKey, Algorithms.KeyTransport.RSA_OAEP_SHA256, e.getValue()));
    }
    assertUniformFailure(
        "another terminal's key",
        () -> crypto.decryptKey(otherKey, Algorithms.KeyTransport.RSA_OAEP_SHA256, good));
    assertUniformFailure(
        "a foreign key handle",
        () -> crypto.decryptKey(foreignHandle(), Algorithms.KeyTransport.RSA_OAEP_SHA256, good));
  }

  private PrivateKeyHandle foreignHandle() {
    KeyPair kp = TestPki.rsa(2048);
    return new PrivateKeyHandle() {
      @Override
      public PublicKey publicKey() {
        return kp.getPublic();
      }

      @Override
      public String label() {
        return "foreign";
      }
    };
  }

  // ------------------------------------------------------------------ random

  @Test
  void secureRandom_freshBytesOfEveryLength() {
    byte[] a = new byte[32];
    byte[] b = new byte[32];
    crypto.secureRandom().nextBytes(a);
    crypto.secureRandom().nextBytes(b);
    assertThat(a).isNotEqualTo(b).isNotEqualTo(new byte[32]);
    for (int n : new int[] {1, 8, 16, 24, 1000}) {
      byte[] x = new byte[n];
      crypto.secureRandom().nextBytes(x);
      assertThat(x).hasSize(n);
    }
    assertThat(crypto.secureRandom().nextInt(1000)).isBetween(0, 999);
  }

  // ------------------------------------------------------------------ CBC

  @ParameterizedTest
  @EnumSource(ContentEncryption.class)
  void encrypt_thenDecrypt_andJdkAgrees(ContentEncryption cea) throws Exception {
    byte[] iv = new byte[cea.ivLength()];
    crypto.secureRandom().nextBytes(iv);
    for (int len :
        new int[] {0, 1, cea.blockSize() - 1, cea.blockSize(), 3 * cea.blockSize() + 5}) {
      byte[] plain = new byte[len];
      crypto.secureRandom().nextBytes(plain);
      try (SecretKeyMaterial k = randomKey(cea.keyLength())) {
        byte[] ct = crypto.encrypt(cea, k, iv, plain);
        assertThat(ct.length).isEqualTo((len / cea.blockSize() + 1) * cea.blockSize());
        assertThat(crypto.decrypt(cea, k, iv, ct)).isEqualTo(plain);
        Cipher jdk =
            Cipher.getInstance(
                cea == ContentEncryption.TDES_CBC
                    ? "DESede/CBC/PKCS5Padding"
                    : "AES/CBC/PKCS5Padding",
                "SunJCE");
        byte[] kb = k.copyBytes();
        jdk.init(
            Cipher.DECRYPT_MODE,
            new SecretKeySpec(kb, cea == ContentEncryption.TDES_CBC ? "DESede" : "AES"),
            new IvParameterSpec(iv));
        Arrays.fill(kb, (byte) 0);
        assertThat(jdk.doFinal(ct)).isEqualTo(plain);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ContentEncryption.class)
  void decrypt_emptyMisalignedBadPaddingOrWrongLengths_uniformFailure(ContentEncryption cea)
      throws Exception {
    byte[] iv = new byte[cea.ivLength()];
    try (SecretKeyMaterial k = randomKey(cea.keyLength());
        SecretKeyMaterial shortKey = randomKey(cea.keyLength() - 8)) {
      byte[] ct = crypto.encrypt(cea, k, iv, "key block".getBytes(StandardCharsets.US_ASCII));
      // a block whose plaintext ends in 0x00 never has valid PKCS#7 padding (flipping a ciphertext
      // byte instead gives valid 0x01 padding once in 256 runs)
      Cipher raw =
          Cipher.getInstance(
              cea == ContentEncryption.TDES_CBC ? "DESede/CBC/NoPadding" : "AES/CBC/NoPadding",
              "SunJCE");
      byte[] kb = k.copyBytes();
      raw.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(kb, cea == ContentEncryption.TDES_CBC ? "DESede" : "AES"),
          new IvParameterSpec(iv));
      Arrays.fill(kb, (byte) 0);
      byte[] badPad = raw.doFinal(new byte[cea.blockSize()]);
      assertUniformFailure("empty (R6)", () -> crypto.decrypt(cea, k, iv, new byte[0]));
      assertUniformFailure(
          "misaligned", () -> crypto.decrypt(cea, k, iv, Arrays.copyOf(ct, ct.length - 1)));
      assertUniformFailure("bad padding", () -> crypto.decrypt(cea, k, iv, badPad));
      assertUniformFailure(
          "short IV", () -> crypto.decrypt(cea, k, Arrays.copyOf(iv, iv.length - 1), ct));
      assertUniformFailure("short key", () -> crypto.decrypt(cea, shortKey, iv, ct));
    }
  }

  // ------------------------------------------------------------------ KCV and digest

  /**
   * {@code kcv/kcv.json} (docs/SECURITY.md K3): method prefixes agree; the AES-ECB "contrast"
   * entries must not.
   */
  @Test
  void keyCheckValue_kcvJson_everyEntryAgrees() throws Exception {
    JsonNode vectors = new ObjectMapper().readTree(Vectors.read("kcv/kcv.json")).get("vectors");
    List<String> errors = new ArrayList<>();
    for (JsonNode v : vectors) {
      String method = v.get("method").asText();
      KeyCheckValue.Method m =
          switch (method) {
            case "legacy-tdes" -> KeyCheckValue.Method.LEGACY_TDES;
            case "cmac-tdes" -> KeyCheckValue.Method.CMAC_TDES;
            case "cmac-aes", "aes-ecb-zero-block" -> KeyCheckValue.Method.CMAC_AES;
            default -> throw new IllegalStateException("unknown method " + method);
          };
      String ours;
      try (SecretKeyMaterial k =
          SecretKeyMaterial.copyOf(HexFormat.of().parseHex(v.get("key").asText()))) {
        ours = crypto.keyCheckValue(k, m).hex();
      }
      String expected = v.get("expected").asText();
      int n = Math.min(ours.length(), expected.length());
      boolean same = ours.substring(0, n).equals(expected.substring(0, n));
      if (method.equals("aes-ecb-zero-block") == same) {
        errors.add(
            v.get("id").asText() + ": ours " + ours + ", file " + expected + " (" + method + ")");
      }
    }
    System.out.printf(
        "%s: KCV vectors %d/%d agree%n",
        crypto.name(), vectors.size() - errors.size(), vectors.size());
    assertThat(errors).isEmpty();
    assertThat(vectors.size()).isEqualTo(24);
  }

  @Test
  void keyCheckValue_lengthsFollowTheMethod() throws Exception {
    try (SecretKeyMaterial k =
        SecretKeyMaterial.copyOf(HexFormat.of().parseHex("0123456789ABCDEFFEDCBA9876543210"))) {
      assertThat(crypto.keyCheckValue(k, KeyCheckValue.Method.LEGACY_TDES).hex())
          .isEqualTo("08D7B4");
      assertThat(crypto.keyCheckValue(k, KeyCheckValue.Method.CMAC_AES).bytes()).hasSize(5);
      assertThat(crypto.keyCheckValue(k, KeyCheckValue.Method.CMAC_TDES).bytes()).hasSize(5);
    }
  }

  @Test
  void sha256_knownAnswer() {
    assertThat(
            HexFormat.of()
                .withUpperCase()
                .formatHex(crypto.sha256("abc".getBytes(StandardCharsets.US_ASCII))))
        .isEqualToIgnoringCase("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  }

  // ------------------------------------------------------------------ S1-S4

  /**
   * S1 with keys generated in the provider and CSRs signed there, then S2-S4 through both machines.
   */
  @Test
  void handshake_s1ToS4_keyInstalledAndConfirmed() throws Exception {
    DefaultCertificateAuthority ca =
        DefaultCertificateAuthority.create("Contract " + crypto.name(), Clock.systemUTC());
    ProviderHandshake.Party terminal =
        ProviderHandshake.enroll(ca, crypto, Role.KRD, "Contract KRD " + crypto.name());
    ProviderHandshake.Party host =
        ProviderHandshake.enroll(ca, crypto, Role.KDH, "Contract KDH " + crypto.name());
    generated.add(terminal.key());
    generated.add(host.key());
    assertThat(terminal.chain().leaf().getPublicKey()).isEqualTo(terminal.key().publicKey());
    ProviderHandshake.Outcome o = ProviderHandshake.run(ca, terminal, host);
    assertThat(o.krd().state()).isEqualTo(KrdHandshake.State.COMPLETED);
    assertThat(o.kdh().state()).isEqualTo(KdhHandshake.State.COMPLETED);
    InstalledKey installed = o.keyStore().current().orElseThrow();
    assertThat(o.ledger().entries())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.status()).isEqualTo(DeliveryStatus.CONFIRMED);
              assertThat(e.kcv()).isEqualTo(installed.kcv());
            });
    assertThat(crypto.keyCheckValue(installed.key(), installed.kcv().method()))
        .isEqualTo(installed.kcv());
  }

  // ------------------------------------------------------------------ helpers

  /**
   * The uniform decryption failure: one type, one code, one message, no cause, nothing suppressed.
   */
  protected static void assertUniformFailure(String what, ThrowingCall call) {
    Throwable t = catchThrowable(call::call);
    assertThat(t).as(what).isExactlyInstanceOf(KeyTokenException.class);
    KeyTokenException e = (KeyTokenException) t;
    assertThat(e.code()).as(what).isEqualTo(ErrorCode.KEY_TOKEN_INVALID);
    assertThat(e.getMessage()).as(what).isEqualTo(KeyTokenException.DECRYPTION_FAILED);
    assertThat(e.getCause()).as(what).isNull();
    assertThat(e.getSuppressed()).as(what).isEmpty();
  }

  /** A call that may throw anything. */
  @FunctionalInterface
  protected interface ThrowingCall {
    void call() throws Exception;
  }

  private SecretKeyMaterial randomKey(int length) {
    byte[] b = new byte[length];
    crypto.secureRandom().nextBytes(b);
    return SecretKeyMaterial.adopt(b);
  }

  private static byte[] jdkOaep(
      PublicKey pub, String hash, MGF1ParameterSpec mgf, PSource label, byte[] m) throws Exception {
    Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding", "SunJCE");
    c.init(Cipher.ENCRYPT_MODE, pub, new OAEPParameterSpec(hash, "MGF1", mgf, label));
    return c.doFinal(m);
  }
}
