package dev.keytransfer.crypto.jca;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.Algorithms.BlockCipher;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * CMAC (NIST SP 800-38B) computed over the JDK's block ciphers, as the JCA provider does it: the
 * RFC 4493 / SP 800-38B AES-128 examples, the SP 800-38B three-key TDES examples, and agreement
 * with Bouncy Castle's CMAC on random keys and messages of every length from 0 to 80 bytes.
 */
class CmacTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final JcaCryptoProvider JDK = new JcaCryptoProvider();

  @ParameterizedTest
  @CsvSource({
    "2b7e151628aed2a6abf7158809cf4f3c, '', bb1d6929e95937287fa37d129b756746",
    "2b7e151628aed2a6abf7158809cf4f3c, 6bc1bee22e409f96e93d7e117393172a,"
        + " 070a16b46b4d4144f79bdd9dd04a287c",
    "2b7e151628aed2a6abf7158809cf4f3c,"
        + " 6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411,"
        + " dfa66747de9ae63030ca32611497c827",
    "2b7e151628aed2a6abf7158809cf4f3c,"
        + " 6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411"
        + "e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710,"
        + " 51f0bebf7e3b9d92fc49741779363cfe",
  })
  void aes128KnownAnswers(String key, String message, String tag) throws Exception {
    assertThat(cmac(BlockCipher.AES, key, message)).isEqualTo(tag);
  }

  @ParameterizedTest
  @CsvSource({
    "'', b7a688e122ffaf95",
    "6bc1bee22e409f96, 8e8f293136283797",
    "6bc1bee22e409f96e93d7e117393172aae2d8a57, 743ddbe0ce2dc2ed",
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51, 33e6b1092400eae5",
  })
  void threeKeyTdesKnownAnswers(String message, String tag) throws Exception {
    String key = "8aa83bf8cbda10620bc1bf19fbb6cd58bc313d4a371ca8b5";
    assertThat(cmac(BlockCipher.TDES, key, message)).isEqualTo(tag);
  }

  @Test
  void agreesWithBouncyCastleOnEveryLength() throws Exception {
    SecureRandom random = new SecureRandom();
    BouncyCastleProvider bc = new BouncyCastleProvider();
    int[][] keys = {{16, 0}, {24, 0}, {32, 0}, {16, 1}, {24, 1}}; // length, TDES?
    for (int[] k : keys) {
      boolean tdes = k[1] == 1;
      byte[] key = new byte[k[0]];
      random.nextBytes(key);
      Mac reference = Mac.getInstance(tdes ? "DESedeCMAC" : "AESCMAC", bc);
      reference.init(new SecretKeySpec(key, tdes ? "DESede" : "AES"));
      for (int length = 0; length <= 80; length++) {
        byte[] message = new byte[length];
        random.nextBytes(message);
        String ours =
            cmac(
                tdes ? BlockCipher.TDES : BlockCipher.AES,
                HEX.formatHex(key),
                HEX.formatHex(message));
        assertThat(ours)
            .as("%s key %d bytes, message %d bytes", tdes ? "TDES" : "AES", k[0], length)
            .isEqualTo(HEX.formatHex(reference.doFinal(message)));
      }
    }
  }

  /**
   * The provider keeps one raw block engine per transformation and thread, re-keyed after each use:
   * uses with other keys, modes and directions in between never change a result.
   */
  @Test
  void keptBlockEngines_interleavedKeysModesAndDirections_sameResults() throws Exception {
    SecureRandom random = new SecureRandom();
    byte[] a = new byte[16];
    byte[] b = new byte[32];
    byte[] iv = new byte[16];
    byte[] data = new byte[48];
    random.nextBytes(a);
    random.nextBytes(b);
    random.nextBytes(iv);
    random.nextBytes(data);
    try (SecretKeyMaterial ka = SecretKeyMaterial.copyOf(a);
        SecretKeyMaterial kb = SecretKeyMaterial.copyOf(b)) {
      byte[] ecb = JDK.cipherBlocks(BlockCipher.AES, true, ka, null, data);
      byte[] cbc = JDK.cipherBlocks(BlockCipher.AES, true, kb, iv, data);
      byte[] tag = JDK.cmac(BlockCipher.AES, ka, data);
      for (int round = 0; round < 3; round++) {
        assertThat(JDK.cmac(BlockCipher.AES, kb, data)).isNotEqualTo(tag);
        assertThat(JDK.cipherBlocks(BlockCipher.AES, false, kb, iv, cbc)).isEqualTo(data);
        assertThat(JDK.cipherBlocks(BlockCipher.AES, true, ka, null, data)).isEqualTo(ecb);
        assertThat(JDK.cipherBlocks(BlockCipher.AES, false, ka, null, ecb)).isEqualTo(data);
        assertThat(JDK.cmac(BlockCipher.AES, ka, data)).isEqualTo(tag);
        assertThat(JDK.cipherBlocks(BlockCipher.AES, true, kb, iv, data)).isEqualTo(cbc);
      }
      javax.crypto.Cipher reference = javax.crypto.Cipher.getInstance("AES/ECB/NoPadding");
      reference.init(javax.crypto.Cipher.ENCRYPT_MODE, new SecretKeySpec(a, "AES"));
      assertThat(ecb).isEqualTo(reference.doFinal(data));
    }
  }

  private static String cmac(BlockCipher cipher, String key, String message) throws Exception {
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(HEX.parseHex(key))) {
      return HEX.formatHex(JDK.cmac(cipher, k, HEX.parseHex(message)));
    }
  }
}
