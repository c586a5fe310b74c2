package dev.keytransfer.crypto.accp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.Algorithms.ContentEncryption;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.Security;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The accp provider against the jca provider (the JDK's engines): every result one of them
 * produces, the other accepts or reproduces exactly. Skipped where ACCP's native library cannot
 * load.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccpInteropTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final String KEY_BYTES =
      "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
  private static final String IV_BYTES = "F0E1D2C3B4A5968778695A4B3C2D1E0F";
  private static final byte[] DATA =
      "TR-34 signed attributes stand-in".getBytes(StandardCharsets.US_ASCII);

  private AccpCryptoProvider accp;
  private JcaCryptoProvider jca;
  private PrivateKeyHandle accpKey;
  private PrivateKeyHandle jcaKey;

  @BeforeAll
  void providers() throws Exception {
    assumeTrue(
        AccpCryptoProvider.unavailableReason().isEmpty(),
        () -> "ACCP cannot run here: " + AccpCryptoProvider.unavailableReason().orElse(""));
    accp = new AccpCryptoProvider();
    jca = new JcaCryptoProvider();
    accpKey = accp.generateRsaKeyPair(2048, "accp key");
    jcaKey = jca.generateRsaKeyPair(2048, "jca key");
  }

  private static PublicKey pub(PrivateKeyHandle h) {
    return ((SoftwareKeyHandle) h).publicKey();
  }

  @Test
  void name_andNeverInstalledGlobally() throws Exception {
    assertThat(accp.name()).isEqualTo("accp");
    assertThat(accp.sha256(new byte[0])).hasSize(32);
    assertThat(Security.getProviders())
        .extracting(java.security.Provider::getName)
        .doesNotContain("AmazonCorrettoCryptoProvider");
  }

  @Test
  void generatedKey_isRsa2048() {
    assertThat(((RSAPublicKey) pub(accpKey)).getModulus().bitLength()).isEqualTo(2048);
  }

  @Test
  void signWithAccp_verifiesWithJca_andTheReverse() throws Exception {
    byte[] byAccp = accp.sign(accpKey, Algorithms.Signature.RSA_PKCS1_SHA256, DATA);
    jca.verify(pub(accpKey), Algorithms.Signature.RSA_PKCS1_SHA256, DATA, byAccp);
    byte[] byJca = jca.sign(jcaKey, Algorithms.Signature.RSA_PKCS1_SHA256, DATA);
    accp.verify(pub(jcaKey), Algorithms.Signature.RSA_PKCS1_SHA256, DATA, byJca);
    // PKCS#1 v1.5 is deterministic: both sign the same bytes alike
    assertThat(jca.sign(accpKey, Algorithms.Signature.RSA_PKCS1_SHA256, DATA)).isEqualTo(byAccp);

    byte[] other = DATA.clone();
    other[0] ^= 1;
    assertThatThrownBy(
            () -> accp.verify(pub(jcaKey), Algorithms.Signature.RSA_PKCS1_SHA256, other, byJca))
        .isInstanceOf(SignatureInvalidException.class);
    assertThatThrownBy(
            () -> accp.verify(pub(accpKey), Algorithms.Signature.RSA_PKCS1_SHA256, DATA, byJca))
        .isInstanceOf(SignatureInvalidException.class);
  }

  @Test
  void oaepEncryptWithAccp_decryptsWithJca_andTheReverse() throws Exception {
    byte[] cek = HEX.parseHex("00112233445566778899AABBCCDDEEFF");
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(cek)) {
      byte[] byAccp = accp.encryptKey(pub(jcaKey), Algorithms.KeyTransport.RSA_OAEP_SHA256, k);
      try (SecretKeyMaterial back =
          jca.decryptKey(jcaKey, Algorithms.KeyTransport.RSA_OAEP_SHA256, byAccp)) {
        assertThat(back.copyBytes()).isEqualTo(cek);
      }
      byte[] byJca = jca.encryptKey(pub(accpKey), Algorithms.KeyTransport.RSA_OAEP_SHA256, k);
      try (SecretKeyMaterial back =
          accp.decryptKey(accpKey, Algorithms.KeyTransport.RSA_OAEP_SHA256, byJca)) {
        assertThat(back.copyBytes()).isEqualTo(cek);
      }
    }
  }

  /**
   * ACCP's OAEP takes the explicit parameters, not a default: what it encrypts decrypts under
   * SHA-256/MGF1-SHA-256 and under nothing else, and a JDK ciphertext made with SHA-1 or with
   * MGF1-SHA-1 does not decrypt through accp (TR-34 B.2.2.3).
   */
  @Test
  void oaep_explicitSha256Parameters_honoured() throws Exception {
    byte[] cek = HEX.parseHex("0123456789ABCDEFFEDCBA9876543210");
    byte[] byAccp;
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(cek)) {
      byAccp = accp.encryptKey(pub(jcaKey), Algorithms.KeyTransport.RSA_OAEP_SHA256, k);
    }
    java.security.PrivateKey jcaPrivate = ((SoftwareKeyHandle) jcaKey).privateKey();
    assertThat(jca.oaepDecrypt(jcaPrivate, JcaCryptoProvider.OAEP_SHA256, byAccp)).isEqualTo(cek);
    assertThat(jca.oaepDecrypt(jcaPrivate, OAEPParameterSpec.DEFAULT, byAccp)).isNull();
    assertThat(jca.oaepDecrypt(jcaPrivate, sha256WithMgf1Sha1(), byAccp)).isNull();

    for (OAEPParameterSpec wrong :
        new OAEPParameterSpec[] {OAEPParameterSpec.DEFAULT, sha256WithMgf1Sha1()}) {
      Cipher jdk = Cipher.getInstance("RSA/ECB/OAEPPadding");
      jdk.init(Cipher.ENCRYPT_MODE, pub(accpKey), wrong);
      byte[] ct = jdk.doFinal(cek);
      assertThatThrownBy(
              () -> accp.decryptKey(accpKey, Algorithms.KeyTransport.RSA_OAEP_SHA256, ct))
          .isInstanceOf(KeyTokenException.class);
    }
  }

  private static OAEPParameterSpec sha256WithMgf1Sha1() {
    return new OAEPParameterSpec(
        "SHA-256", "MGF1", MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT);
  }

  @ParameterizedTest
  @EnumSource(ContentEncryption.class)
  void contentEncryption_sameCiphertextAsJca_decryptsBothWays(ContentEncryption cea)
      throws Exception {
    byte[] key =
        Arrays.copyOf(
            HEX.parseHex(KEY_BYTES),
            switch (cea) {
              case AES_256_CBC -> 32;
              case TDES_CBC -> 24;
              default -> 16;
            });
    byte[] iv = Arrays.copyOf(HEX.parseHex(IV_BYTES), cea == ContentEncryption.TDES_CBC ? 8 : 16);
    byte[] plain =
        "a key block of some forty-odd bytes in length".getBytes(StandardCharsets.US_ASCII);
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(key)) {
      byte[] byAccp = accp.encrypt(cea, k, iv, plain);
      assertThat(byAccp).isEqualTo(jca.encrypt(cea, k, iv, plain));
      assertThat(jca.decrypt(cea, k, iv, byAccp)).isEqualTo(plain);
      assertThat(accp.decrypt(cea, k, iv, byAccp)).isEqualTo(plain);
      byte[] tampered = byAccp.clone();
      tampered[tampered.length - 1] ^= 0x5A; // the padding no longer checks: the uniform failure
      assertThatThrownBy(() -> accp.decrypt(cea, k, iv, tampered))
          .isInstanceOf(KeyTokenException.class)
          .hasFieldOrPropertyWithValue("code", ErrorCode.KEY_TOKEN_INVALID)
          .hasNoCause();
      assertThatThrownBy(() -> jca.decrypt(cea, k, iv, tampered))
          .isInstanceOf(KeyTokenException.class);
    }
  }

  @Test
  void keyCheckValues_equalJcas_andTheKnownTdesValue() throws Exception {
    byte[] tdes = HEX.parseHex("0123456789ABCDEFFEDCBA9876543210");
    byte[] aes = HEX.parseHex("2B7E151628AED2A6ABF7158809CF4F3C");
    try (SecretKeyMaterial t = SecretKeyMaterial.copyOf(tdes);
        SecretKeyMaterial a = SecretKeyMaterial.copyOf(aes)) {
      KeyCheckValue legacy = accp.keyCheckValue(t, KeyCheckValue.Method.LEGACY_TDES);
      assertThat(legacy.hex()).isEqualTo("08D7B4");
      assertThat(legacy).isEqualTo(jca.keyCheckValue(t, KeyCheckValue.Method.LEGACY_TDES));
      assertThat(accp.keyCheckValue(t, KeyCheckValue.Method.CMAC_TDES))
          .isEqualTo(jca.keyCheckValue(t, KeyCheckValue.Method.CMAC_TDES));
      assertThat(accp.keyCheckValue(a, KeyCheckValue.Method.CMAC_AES))
          .isEqualTo(jca.keyCheckValue(a, KeyCheckValue.Method.CMAC_AES));
    }
  }

  @Test
  void sha256_knownAnswer() {
    assertThat(HEX.formatHex(accp.sha256("abc".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
}
