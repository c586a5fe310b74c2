package dev.keytransfer.crypto.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PKCS#10 requests signed through a CryptoProvider key handle (S1; the key stays behind its
 * handle).
 */
class CertificationRequestsTest {
  private static KeyPair keys;

  @BeforeAll
  static void keys() {
    keys = PkiTestSupport.rsa(2048);
  }

  @Test
  void create_providerKey_requestVerifiesWithSha256WithRsa() throws Exception {
    StubProvider provider = new StubProvider(false);
    byte[] der =
        CertificationRequests.create(
            provider, provider.handle(keys), new X500Principal("CN=KRD 7,O=Terminal"));
    PKCS10CertificationRequest csr = new PKCS10CertificationRequest(der);
    assertThat(csr.getSignatureAlgorithm().getAlgorithm())
        .isEqualTo(PKCSObjectIdentifiers.sha256WithRSAEncryption);
    assertThat(
            csr.isSignatureValid(
                new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo())))
        .isTrue();
    assertThat(new X500Principal(csr.getSubject().getEncoded()))
        .isEqualTo(new X500Principal("CN=KRD 7,O=Terminal"));
    assertThat(csr.getSubjectPublicKeyInfo().getEncoded()).isEqualTo(keys.getPublic().getEncoded());
    assertThat(provider.signatures).isEqualTo(1);
  }

  @Test
  void create_thenIssue_caAcceptsRequest() throws Exception {
    StubProvider provider = new StubProvider(false);
    byte[] der =
        CertificationRequests.create(
            provider, provider.handle(keys), new X500Principal("CN=KRD 8"));
    DefaultCertificateAuthority ca =
        DefaultCertificateAuthority.create(
            "Csr", Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC));
    CertificateChain chain = ca.issue(der, Role.KRD);
    assertThat(chain.leaf().getPublicKey()).isEqualTo(keys.getPublic());
  }

  @Test
  void create_ecKeys_signedWithTheCurvesEcdsaWithoutParameters_caAccepts() throws Exception {
    DefaultCertificateAuthority ca =
        DefaultCertificateAuthority.create(
            "Csr EC", Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC));
    String[][] cases = {
      {"secp256r1", "1.2.840.10045.4.3.2"},
      {"secp384r1", "1.2.840.10045.4.3.3"},
      {"secp521r1", "1.2.840.10045.4.3.4"}
    };
    for (String[] c : cases) {
      KeyPair ec = EcPkiTest.ec(c[0]);
      StubProvider provider = new StubProvider(false);
      byte[] der =
          CertificationRequests.create(
              provider, provider.handle(ec), new X500Principal("CN=EC " + c[0]));
      PKCS10CertificationRequest csr = new PKCS10CertificationRequest(der);
      assertThat(csr.getSignatureAlgorithm().getAlgorithm().getId()).isEqualTo(c[1]);
      assertThat(csr.getSignatureAlgorithm().getParameters()).isNull();
      assertThat(
              csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(ec.getPublic())))
          .isTrue();
      assertThat(ca.issue(der, Role.KRD).leaf().getPublicKey()).isEqualTo(ec.getPublic());
    }
  }

  @Test
  void create_providerSignFails_providerExceptionPropagates() {
    StubProvider provider = new StubProvider(true);
    assertThatThrownBy(
            () ->
                CertificationRequests.create(
                    provider, provider.handle(keys), new X500Principal("CN=X")))
        .isInstanceOf(KeyTransferException.class)
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.CRYPTO_FAILURE);
  }

  /** Signs with a JCA key held behind a handle; every other operation is out of scope here. */
  private static final class StubProvider implements CryptoProvider {
    private final boolean failing;
    int signatures;

    StubProvider(boolean failing) {
      this.failing = failing;
    }

    PrivateKeyHandle handle(KeyPair kp) {
      return new Handle(kp);
    }

    private record Handle(KeyPair keyPair) implements PrivateKeyHandle {
      @Override
      public PublicKey publicKey() {
        return keyPair.getPublic();
      }

      @Override
      public String label() {
        return "test-key";
      }

      @Override
      public String toString() {
        return "Handle[test-key]";
      }
    }

    @Override
    public String name() {
      return "stub";
    }

    @Override
    public SecureRandom secureRandom() {
      return PkiTestSupport.RANDOM;
    }

    @Override
    public PrivateKeyHandle generateRsaKeyPair(int modulusBits, String label) {
      throw new UnsupportedOperationException();
    }

    @Override
    public byte[] sign(PrivateKeyHandle key, Algorithms.Signature algorithm, byte[] data)
        throws KeyTransferException {
      if (failing || !(key instanceof Handle)) {
        throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "not this provider's key");
      }
      try {
        Signature s = Signature.getInstance(algorithm.jcaName());
        s.initSign(((Handle) key).keyPair().getPrivate());
        s.update(data);
        signatures++;
        return s.sign();
      } catch (GeneralSecurityException e) {
        throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "signing failed", e);
      }
    }

    @Override
    public void verify(
        PublicKey key, Algorithms.Signature algorithm, byte[] data, byte[] signature) {
      throw new UnsupportedOperationException();
    }

    @Override
    public byte[] encryptKey(
        PublicKey recipient, Algorithms.KeyTransport algorithm, SecretKeyMaterial key) {
      throw new UnsupportedOperationException();
    }

    @Override
    public SecretKeyMaterial decryptKey(
        PrivateKeyHandle key, Algorithms.KeyTransport algorithm, byte[] encryptedKey)
        throws KeyTokenException {
      throw new UnsupportedOperationException();
    }

    @Override
    public byte[] encrypt(
        Algorithms.ContentEncryption algorithm,
        SecretKeyMaterial key,
        byte[] iv,
        byte[] plaintext) {
      throw new UnsupportedOperationException();
    }

    @Override
    public byte[] decrypt(
        Algorithms.ContentEncryption algorithm, SecretKeyMaterial key, byte[] iv, byte[] ciphertext)
        throws KeyTokenException {
      throw new UnsupportedOperationException();
    }

    @Override
    public byte[] cipherBlocks(
        Algorithms.BlockCipher cipher,
        boolean encrypt,
        SecretKeyMaterial key,
        byte[] iv,
        byte[] data) {
      throw new UnsupportedOperationException();
    }

    @Override
    public KeyCheckValue keyCheckValue(SecretKeyMaterial key, KeyCheckValue.Method method) {
      throw new UnsupportedOperationException();
    }

    @Override
    public byte[] sha256(byte[] data) {
      throw new UnsupportedOperationException();
    }
  }
}
