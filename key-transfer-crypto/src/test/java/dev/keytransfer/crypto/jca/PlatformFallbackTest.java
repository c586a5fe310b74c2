package dev.keytransfer.crypto.jca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.Algorithms.ContentEncryption;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.core.testing.KeyFilteringCipher;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.MessageDigestSpi;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.SignatureSpi;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Test;

/**
 * A preferred {@link Provider} with the platform as fallback: the preferred one serves what it has,
 * the platform only what it lacks (no such algorithm or padding at lookup), and a failure of a
 * preferred engine after lookup is never retried on the platform. Without fallback nothing but the
 * bound provider is ever asked (the bc provider's behaviour).
 */
class PlatformFallbackTest {
  private static final byte[] TDES =
      HexFormat.of().parseHex("0123456789ABCDEFFEDCBA987654321089ABCDEF01234567");
  private static final byte[] IV = new byte[8];
  private static final byte[] DATA =
      "sixteen byte msg".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** SHA-256 answering all-0x5A (proves the preferred provider served it). */
  public static final class MarkerDigest extends MessageDigestSpi {
    @Override
    protected void engineUpdate(byte input) {}

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {}

    @Override
    protected byte[] engineDigest() {
      byte[] d = new byte[32];
      java.util.Arrays.fill(d, (byte) 0x5A);
      return d;
    }

    @Override
    protected void engineReset() {}
  }

  /** A SHA256withRSA that exists but refuses every key (a failure after lookup). */
  public static final class RefusingSignature extends SignatureSpi {
    @Override
    protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
      throw new InvalidKeyException("refused by the preferred provider");
    }

    @Override
    protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
      throw new InvalidKeyException("refused by the preferred provider");
    }

    @Override
    protected void engineUpdate(byte b) {}

    @Override
    protected void engineUpdate(byte[] b, int off, int len) {}

    @Override
    protected byte[] engineSign() {
      return new byte[0];
    }

    @Override
    protected boolean engineVerify(byte[] sigBytes) {
      return true;
    }

    @Override
    @Deprecated
    protected void engineSetParameter(String param, Object value) {}

    @Override
    @Deprecated
    protected Object engineGetParameter(String param) {
      return null;
    }
  }

  /** Has SHA-256 and SHA256withRSA only. */
  private static final class Partial extends Provider {
    Partial() {
      super("Partial", "1", "SHA-256 and a refusing SHA256withRSA only");
      put("MessageDigest.SHA-256", MarkerDigest.class.getName());
      put("Signature.SHA256withRSA", RefusingSignature.class.getName());
    }
  }

  @Test
  void withFallback_preferredServesWhatItHas_platformTheRest() throws Exception {
    JcaCryptoProvider p =
        new JcaCryptoProvider("partial", new Partial(), true, JcaCryptoProvider.defaultRandom());
    assertThat(p.sha256(DATA)).containsOnly(0x5A);
    JcaCryptoProvider platform = new JcaCryptoProvider();
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(TDES)) {
      assertThat(p.encrypt(ContentEncryption.TDES_CBC, k, IV, DATA))
          .isEqualTo(platform.encrypt(ContentEncryption.TDES_CBC, k, IV, DATA));
    }
    // RSA key generation is not in Partial: the platform's
    PrivateKeyHandle key = p.generateRsaKeyPair(2048, "fallback");
    assertThat(key.label()).isEqualTo("fallback");
  }

  /** {@link Partial}, counting the cipher services it is asked for. */
  private static final class CountingPartial extends Provider {
    final java.util.concurrent.atomic.AtomicInteger cipherLookups =
        new java.util.concurrent.atomic.AtomicInteger();

    CountingPartial() {
      super("CountingPartial", "1", "SHA-256 only, counting cipher lookups");
      put("MessageDigest.SHA-256", MarkerDigest.class.getName());
    }

    @Override
    public synchronized Service getService(String type, String algorithm) {
      if (type.equals("Cipher")) {
        cipherLookups.incrementAndGet();
      }
      return super.getService(type, algorithm);
    }
  }

  @Test
  void withFallback_aCipherThePreferredLacks_isAskedOfItOnce() throws Exception {
    CountingPartial preferred = new CountingPartial();
    JcaCryptoProvider p =
        new JcaCryptoProvider("partial", preferred, true, JcaCryptoProvider.defaultRandom());
    JcaCryptoProvider platform = new JcaCryptoProvider();
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(TDES)) {
      byte[] first = p.encrypt(ContentEncryption.TDES_CBC, k, IV, DATA);
      int asked = preferred.cipherLookups.get();
      assertThat(asked).isPositive();
      byte[] second = p.encrypt(ContentEncryption.TDES_CBC, k, IV, DATA);
      assertThat(second)
          .isEqualTo(first)
          .isEqualTo(platform.encrypt(ContentEncryption.TDES_CBC, k, IV, DATA));
      assertThat(p.decrypt(ContentEncryption.TDES_CBC, k, IV, second)).isEqualTo(DATA);
      assertThat(preferred.cipherLookups.get()).isEqualTo(asked);
    }
  }

  /** SunJCE's AES/CBC/PKCS5Padding refusing every key but a 16-byte one (an HSM's limit, say). */
  public static final class Aes128OnlyCipher extends KeyFilteringCipher {
    public Aes128OnlyCipher() throws GeneralSecurityException {
      super(Cipher.getInstance("AES/CBC/PKCS5Padding", "SunJCE"), 16);
    }

    @Override
    protected Key resolve(Key key) throws InvalidKeyException {
      byte[] k = key.getEncoded();
      if (k == null || k.length != 16) {
        throw new InvalidKeyException("AES-128 only");
      }
      return key;
    }
  }

  @Test
  void withFallback_thePlatformProviderOfOneKeyLength_isNotPinnedForAnother() throws Exception {
    Provider aes128Only =
        new Provider("Aes128Only", "1", "AES-128 only") {
          {
            put("Cipher.AES/CBC/PKCS5Padding", Aes128OnlyCipher.class.getName());
          }
        };
    Security.insertProviderAt(aes128Only, 1);
    try {
      JcaCryptoProvider p =
          new JcaCryptoProvider("partial", new Partial(), true, JcaCryptoProvider.defaultRandom());
      JcaCryptoProvider sun =
          new JcaCryptoProvider(
              "sun", Security.getProvider("SunJCE"), JcaCryptoProvider.defaultRandom());
      byte[] iv = new byte[16];
      for (int round = 0; round < 2; round++) { // the second round goes by the memo
        for (int length : new int[] {16, 32}) {
          ContentEncryption a =
              length == 16 ? ContentEncryption.AES_128_CBC : ContentEncryption.AES_256_CBC;
          try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(Arrays.copyOf(TDES, length))) {
            byte[] c = p.encrypt(a, k, iv, DATA);
            assertThat(c).isEqualTo(sun.encrypt(a, k, iv, DATA));
            assertThat(p.decrypt(a, k, iv, c)).isEqualTo(DATA);
          }
        }
      }
    } finally {
      Security.removeProvider("Aes128Only");
    }
  }

  @Test
  void withFallback_aPreferredEngineThatFailsAfterLookup_isNotRetriedOnThePlatform()
      throws Exception {
    JcaCryptoProvider p =
        new JcaCryptoProvider("partial", new Partial(), true, JcaCryptoProvider.defaultRandom());
    PrivateKeyHandle key = new JcaCryptoProvider().generateRsaKeyPair(2048, "k");
    assertThatThrownBy(() -> p.sign(key, Algorithms.Signature.RSA_PKCS1_SHA256, DATA))
        .isInstanceOf(KeyTransferException.class)
        .hasFieldOrPropertyWithValue("code", ErrorCode.CRYPTO_FAILURE)
        .hasRootCauseMessage("refused by the preferred provider");
  }

  @Test
  void withoutFallback_onlyTheBoundProviderIsAsked() {
    JcaCryptoProvider p =
        new JcaCryptoProvider("partial", new Partial(), JcaCryptoProvider.defaultRandom());
    assertThatThrownBy(
            () -> {
              try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(TDES)) {
                p.encrypt(ContentEncryption.TDES_CBC, k, IV, DATA);
              }
            })
        .isInstanceOf(KeyTransferException.class)
        .hasFieldOrPropertyWithValue("code", ErrorCode.CRYPTO_FAILURE)
        .hasCauseInstanceOf(NoSuchAlgorithmException.class);
    assertThatThrownBy(() -> p.generateRsaKeyPair(2048, "none"))
        .isInstanceOf(KeyTransferException.class)
        .hasCauseInstanceOf(NoSuchAlgorithmException.class);
  }
}
