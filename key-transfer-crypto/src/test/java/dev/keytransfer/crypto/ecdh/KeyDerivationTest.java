package dev.keytransfer.crypto.ecdh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.Algorithms.Hash;
import dev.keytransfer.core.spi.Algorithms.Kdf;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Known answers and argument checks of the ECDH mode's key derivation (docs/ECDH.md). The known
 * answers come from an independent implementation, OpenSSL 3.0.19's {@code SSKDF} (SP 800-56C rev.
 * 2 one-step, hash option) and {@code X963KDF}; each row gives the exact command that produced it.
 * They cover truncation inside a block (16 of 32 bytes), exactly one block, empty shared
 * information, several blocks ending inside a block (77 = 2 * 32 + 13, 100 = 2 * 48 + 4, 150 = 2 *
 * 64 + 22), and a P-521-sized Z with leading zero bytes.
 */
class KeyDerivationTest {
  private static final HexFormat HEX = HexFormat.of();

  /** A Z of P-256's size, one of P-384's, one of P-521's starting 00 01. */
  private static final String Z256 =
      "e294759f727c7fe236ebcf45fe25ee7102648bc2246ebabe1f925a865cf91cb3";

  private static final String Z384 =
      "4e7095dd63921cac9d6996eaf43a074fbde61bd719048f1433606775a0feffbb"
          + "fba89bef6bc984e0c9d672f32b7cfc1e";
  private static final String Z521 =
      "0001215d256e8956f79d25f53bd60b2cbeac87d7c0019a38ca773401ee48a56a"
          + "8d3b64790af7f6a20f602a8d7492aacf29f330def38091a12405d6c2eb1a2799cf86";

  /** "KDH-nonce-001" || "KRD-nonce-002" as shared information. */
  private static final String INFO = "4b44482d6e6f6e63652d3030314b52442d6e6f6e63652d303032";

  static Stream<Arguments> knownAnswers() {
    return Stream.of(
        // openssl kdf -keylen 16 -kdfopt digest:SHA2-256 -kdfopt hexkey:Z256 -kdfopt hexinfo:INFO
        // SSKDF
        Arguments.of(Kdf.NIST_SP800, Hash.SHA256, Z256, INFO, "9553c06c1436f7fb7a072ac17f7ff0d8"),
        // openssl kdf -keylen 32 -kdfopt digest:SHA2-256 -kdfopt hexkey:Z256 -kdfopt hexinfo:INFO
        // SSKDF
        Arguments.of(
            Kdf.NIST_SP800,
            Hash.SHA256,
            Z256,
            INFO,
            "9553c06c1436f7fb7a072ac17f7ff0d887c9a93bffab4c2e7cb0faa71951e562"),
        // openssl kdf -keylen 32 -kdfopt digest:SHA2-256 -kdfopt hexkey:Z256 SSKDF
        Arguments.of(
            Kdf.NIST_SP800,
            Hash.SHA256,
            Z256,
            "",
            "2da7096b26bf8124ae273466951ba7236c6c9dbd2a1b1ef9fe64ebd72e9cf3b0"),
        // openssl kdf -keylen 77 -kdfopt digest:SHA2-256 -kdfopt hexkey:Z256 -kdfopt hexinfo:INFO
        // SSKDF
        Arguments.of(
            Kdf.NIST_SP800,
            Hash.SHA256,
            Z256,
            INFO,
            "9553c06c1436f7fb7a072ac17f7ff0d887c9a93bffab4c2e7cb0faa71951e562"
                + "93d599ee3cd9dc25851349e38837944b23c62bbf484a24281b505e7c8914f8c5"
                + "f68c2198f7d9ba4580a89157ca"),
        // openssl kdf -keylen 32 -kdfopt digest:SHA2-384 -kdfopt hexkey:Z384 -kdfopt hexinfo:INFO
        // SSKDF
        Arguments.of(
            Kdf.NIST_SP800,
            Hash.SHA384,
            Z384,
            INFO,
            "e236cffd2f2862c77474d120a116c99751c00ff397ab4b0b3743ca3e8bf24d67"),
        // openssl kdf -keylen 100 -kdfopt digest:SHA2-384 -kdfopt hexkey:Z384 -kdfopt hexinfo:INFO
        // SSKDF
        Arguments.of(
            Kdf.NIST_SP800,
            Hash.SHA384,
            Z384,
            INFO,
            "e236cffd2f2862c77474d120a116c99751c00ff397ab4b0b3743ca3e8bf24d67"
                + "ea7ce555d3f223aead2eeceeb7f81b1a12fc190f0185e1254751567e0c1dbbbd"
                + "97adee9fb17e4c04f5248fb37a312aeb81216b94392a444a0852f86a98da1f78"
                + "1455932b"),
        // openssl kdf -keylen 32 -kdfopt digest:SHA2-512 -kdfopt hexkey:Z521 -kdfopt hexinfo:INFO
        // SSKDF
        Arguments.of(
            Kdf.NIST_SP800,
            Hash.SHA512,
            Z521,
            INFO,
            "e9f2df477daa655210763b753c5a697e7dbd562a0457db96a8218a570e982096"),
        // openssl kdf -keylen 150 -kdfopt digest:SHA2-512 -kdfopt hexkey:Z521 -kdfopt hexinfo:INFO
        // SSKDF
        Arguments.of(
            Kdf.NIST_SP800,
            Hash.SHA512,
            Z521,
            INFO,
            "e9f2df477daa655210763b753c5a697e7dbd562a0457db96a8218a570e982096"
                + "bba165c052a6938caa2058e9b606a2134fbf47df3b135376e0854bf19158759b"
                + "056750d8f5370af33b15a8f2f8651e8e5abd27e72c0a7b775e1a7b533640e315"
                + "1c2aeaeb3ea7eb414e280460e5bb33ebf0eec2f5b91c1c70fc08dacc0bf6169d"
                + "a555c460f96a21f58d216b9c2397b6af207896c28f71"),
        // openssl kdf -keylen 16 -kdfopt digest:SHA2-256 -kdfopt hexkey:Z256 -kdfopt hexinfo:INFO
        // X963KDF
        Arguments.of(Kdf.ANSI_X963, Hash.SHA256, Z256, INFO, "d7b7ae6b904a8d9bc27b027bdf0b7f0e"),
        // openssl kdf -keylen 32 -kdfopt digest:SHA2-256 -kdfopt hexkey:Z256 -kdfopt hexinfo:INFO
        // X963KDF
        Arguments.of(
            Kdf.ANSI_X963,
            Hash.SHA256,
            Z256,
            INFO,
            "d7b7ae6b904a8d9bc27b027bdf0b7f0e086d38bc9edb9dc18711fd94ede10997"),
        // openssl kdf -keylen 32 -kdfopt digest:SHA2-256 -kdfopt hexkey:Z256 X963KDF
        Arguments.of(
            Kdf.ANSI_X963,
            Hash.SHA256,
            Z256,
            "",
            "b33712a364a194d700232d8169e0955647608de76e6592018d75ff644d44dd8c"),
        // openssl kdf -keylen 77 -kdfopt digest:SHA2-256 -kdfopt hexkey:Z256 -kdfopt hexinfo:INFO
        // X963KDF
        Arguments.of(
            Kdf.ANSI_X963,
            Hash.SHA256,
            Z256,
            INFO,
            "d7b7ae6b904a8d9bc27b027bdf0b7f0e086d38bc9edb9dc18711fd94ede10997"
                + "7a09388e0390fea730995e9d956a9c76a0df88a0a7e854d2e8ff2d867c41d0c8"
                + "c847e22ea41feb660fba82339e"),
        // openssl kdf -keylen 32 -kdfopt digest:SHA2-384 -kdfopt hexkey:Z384 -kdfopt hexinfo:INFO
        // X963KDF
        Arguments.of(
            Kdf.ANSI_X963,
            Hash.SHA384,
            Z384,
            INFO,
            "3d2595039e83427e74bd3bd7845522819330814fca753ce1faa38c53c0e8a85e"),
        // openssl kdf -keylen 100 -kdfopt digest:SHA2-384 -kdfopt hexkey:Z384 -kdfopt hexinfo:INFO
        // X963KDF
        Arguments.of(
            Kdf.ANSI_X963,
            Hash.SHA384,
            Z384,
            INFO,
            "3d2595039e83427e74bd3bd7845522819330814fca753ce1faa38c53c0e8a85e"
                + "e115561755217e4ca098bdf1b85e38513a7dd31feb56e6446d85871cd623f906"
                + "457cbaa70f5b67e938df35b1053159e754e917b2063cbe77897a49853b311bfa"
                + "07a3ba1a"),
        // openssl kdf -keylen 32 -kdfopt digest:SHA2-512 -kdfopt hexkey:Z521 -kdfopt hexinfo:INFO
        // X963KDF
        Arguments.of(
            Kdf.ANSI_X963,
            Hash.SHA512,
            Z521,
            INFO,
            "f1d29714b33ccc4a99a3d1994e9996ee23564d9979b34e8241785cee69313fa5"),
        // openssl kdf -keylen 150 -kdfopt digest:SHA2-512 -kdfopt hexkey:Z521 -kdfopt hexinfo:INFO
        // X963KDF
        Arguments.of(
            Kdf.ANSI_X963,
            Hash.SHA512,
            Z521,
            INFO,
            "f1d29714b33ccc4a99a3d1994e9996ee23564d9979b34e8241785cee69313fa5"
                + "f296938a76fb07f32b82f7803b21b2ca773b39bb5b55f66329d37dd9ddc278a8"
                + "e51d515c4d32990a24c417beb55b36f22b19b325d904137e79e3e9d3652e4744"
                + "0decafd06f93d6302845d434f0baad006f9f864f3f3edd64fc309bb23825e725"
                + "2073ec0455bb56c5cf3fe257cf66ecc26340bf9a7f07"));
  }

  /** Z256, Z384, Z521 and INFO in the commands above stand for the constants of this class. */
  @ParameterizedTest(name = "{0} {1} Z={2}.. info={3} -> {4}")
  @MethodSource("knownAnswers")
  void knownAnswer_fromOpenSsl(Kdf kdf, Hash hash, String z, String info, String expected) {
    byte[] zb = HEX.parseHex(z);
    try (SecretKeyMaterial zm = SecretKeyMaterial.copyOf(zb);
        SecretKeyMaterial k =
            KeyDerivation.derive(kdf, hash, zm, HEX.parseHex(info), expected.length() / 2)) {
      assertThat(HEX.formatHex(k.copyBytes())).isEqualTo(expected);
      // Z is read, never changed
      assertThat(zm.copyBytes()).isEqualTo(zb);
    }
  }

  @ParameterizedTest
  @EnumSource(Kdf.class)
  void theTwoFunctions_differ_andShorterOutputIsAPrefix(Kdf kdf) {
    try (SecretKeyMaterial z = SecretKeyMaterial.copyOf(HEX.parseHex(Z256));
        SecretKeyMaterial one = KeyDerivation.derive(kdf, Hash.SHA256, z, new byte[0], 1);
        SecretKeyMaterial many = KeyDerivation.derive(kdf, Hash.SHA256, z, new byte[0], 97);
        SecretKeyMaterial other =
            KeyDerivation.derive(
                kdf == Kdf.NIST_SP800 ? Kdf.ANSI_X963 : Kdf.NIST_SP800,
                Hash.SHA256,
                z,
                new byte[0],
                97)) {
      assertThat(one.length()).isEqualTo(1);
      assertThat(many.length()).isEqualTo(97);
      assertThat(many.copyBytes()[0]).isEqualTo(one.copyBytes()[0]);
      assertThat(other.equalsKey(many)).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(Hash.class)
  void lengthBounds_oneToMaxBlocksHashOutputs(Hash hash) {
    int max = KeyDerivation.MAX_BLOCKS * hash.length();
    try (SecretKeyMaterial z = SecretKeyMaterial.copyOf(new byte[] {1, 2, 3})) {
      for (Kdf kdf : Kdf.values()) {
        try (SecretKeyMaterial k = KeyDerivation.derive(kdf, hash, z, new byte[0], max)) {
          assertThat(k.length()).isEqualTo(max);
        }
        for (int bad : new int[] {0, -1, max + 1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
          assertThatThrownBy(() -> KeyDerivation.derive(kdf, hash, z, new byte[0], bad))
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("length");
        }
      }
    }
  }

  @Test
  void nullArguments_andADestroyedZ_areRefused() {
    SecretKeyMaterial z = SecretKeyMaterial.copyOf(HEX.parseHex(Z256));
    byte[] info = new byte[0];
    assertThatThrownBy(() -> KeyDerivation.derive(null, Hash.SHA256, z, info, 16))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> KeyDerivation.derive(Kdf.NIST_SP800, null, z, info, 16))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> KeyDerivation.derive(Kdf.NIST_SP800, Hash.SHA256, null, info, 16))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> KeyDerivation.derive(Kdf.NIST_SP800, Hash.SHA256, z, null, 16))
        .isInstanceOf(NullPointerException.class);
    z.destroy();
    assertThatThrownBy(() -> KeyDerivation.derive(Kdf.NIST_SP800, Hash.SHA256, z, info, 16))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("destroyed");
  }

  @Test
  void sharedInformation_isBoundIntoTheKey() {
    try (SecretKeyMaterial z = SecretKeyMaterial.copyOf(HEX.parseHex(Z256));
        SecretKeyMaterial a =
            KeyDerivation.derive(Kdf.NIST_SP800, Hash.SHA256, z, HEX.parseHex(INFO), 32);
        SecretKeyMaterial b =
            KeyDerivation.derive(Kdf.NIST_SP800, Hash.SHA256, z, HEX.parseHex(INFO + "00"), 32)) {
      assertThat(a.equalsKey(b)).isFalse();
    }
  }
}
