package dev.keytransfer.crypto.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_ALWAYS_SENSITIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_DECRYPT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_NEVER_EXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SENSITIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SIGN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_TOKEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_UNWRAP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_X_509;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.KeyPurpose;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.crypto.CryptoProviderContractTest;
import dev.keytransfer.crypto.testing.SoftHsm;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.Mechanism;

/**
 * The provider contract against a real PKCS#11 token (SoftHSM2, a fresh token per test JVM), plus
 * what only a token can show: the key attributes of docs/SECURITY.md K4, the purpose split, the
 * allowed-mechanism list, and that destroying a key and closing a session leave no object (K5).
 */
@Tag("hsm")
class Pkcs11CryptoProviderTest extends CryptoProviderContractTest {
  @Override
  protected CryptoProvider newProvider() throws KeyTransferException {
    return Pkcs11CryptoProvider.open(SoftHsm.token());
  }

  @Override
  protected void destroy(PrivateKeyHandle key) throws KeyTransferException {
    p11().destroyKey(key);
  }

  private Pkcs11CryptoProvider p11() {
    return (Pkcs11CryptoProvider) crypto;
  }

  private AttributeVector attributes(PrivateKeyHandle key, long... types)
      throws KeyTransferException {
    return p11().inSession(s -> s.getAttrValues(((Pkcs11KeyHandle) key).privateObject(), types));
  }

  private int objectCount() throws KeyTransferException {
    return p11().inSession(s -> s.findAllObjectsSingle(new AttributeVector()).length);
  }

  /** K4: sensitive, never extractable, no wrap/unwrap role; only the transport key decrypts. */
  @Test
  void generatedKeys_sensitiveNeverExtractableNoUnwrap() throws Exception {
    Map<PrivateKeyHandle, Boolean> decrypts = Map.of(signingKey, false, transportKey, true);
    for (Map.Entry<PrivateKeyHandle, Boolean> e : decrypts.entrySet()) {
      AttributeVector a =
          attributes(
              e.getKey(),
              CKA_TOKEN,
              CKA_SENSITIVE,
              CKA_ALWAYS_SENSITIVE,
              CKA_EXTRACTABLE,
              CKA_NEVER_EXTRACTABLE,
              CKA_UNWRAP,
              CKA_DECRYPT,
              CKA_SIGN);
      assertThat(a.getBooleanAttrValue(CKA_TOKEN)).isTrue();
      assertThat(a.getBooleanAttrValue(CKA_SENSITIVE)).isTrue();
      assertThat(a.getBooleanAttrValue(CKA_ALWAYS_SENSITIVE)).isTrue();
      assertThat(a.getBooleanAttrValue(CKA_EXTRACTABLE)).isFalse();
      assertThat(a.getBooleanAttrValue(CKA_NEVER_EXTRACTABLE)).isTrue();
      assertThat(a.getBooleanAttrValue(CKA_UNWRAP)).isFalse();
      assertThat(a.getBooleanAttrValue(CKA_SIGN)).isTrue();
      assertThat(a.getBooleanAttrValue(CKA_DECRYPT)).isEqualTo(e.getValue());
    }
  }

  @Test
  void signingKey_cannotDecrypt_inTheProviderOrTheToken() throws Exception {
    byte[] block = new byte[256];
    block[1] = 1;
    assertUniformFailure(
        "signing key used for key transport",
        () -> crypto.decryptKey(signingKey, Algorithms.KeyTransport.RSA_OAEP_SHA256, block));
    Pkcs11KeyHandle h = (Pkcs11KeyHandle) signingKey;
    assertThatThrownBy(
            () ->
                p11()
                    .inSession(
                        s ->
                            s.decryptSingle(
                                new Mechanism(CKM_RSA_X_509), h.privateObject(), block)))
        .isInstanceOf(KeyTransferException.class)
        .hasMessageContaining("CKR_KEY_FUNCTION_NOT_PERMITTED");
  }

  @Test
  void keys_refuseMechanismsOutsideTheirPurpose() {
    for (PrivateKeyHandle k : new PrivateKeyHandle[] {signingKey, transportKey}) {
      long obj = ((Pkcs11KeyHandle) k).privateObject();
      assertThatThrownBy(
              () ->
                  p11()
                      .inSession(s -> s.signSingle(new Mechanism(CKM_RSA_PKCS), obj, new byte[32])))
          .as(k.label())
          .isInstanceOf(KeyTransferException.class)
          .hasMessageContaining("CKR_MECHANISM_INVALID");
    }
  }

  /** K5: a destroyed key leaves no object; operations leave no session object behind. */
  @Test
  void destroyKey_andEveryOperation_leaveNoObjectBehind() throws Exception {
    int before = objectCount();
    PrivateKeyHandle k = crypto.generateRsaKeyPair(2048, "short-lived", KeyPurpose.KEY_TRANSPORT);
    assertThat(objectCount()).isEqualTo(before + 2);
    try (SecretKeyMaterial cek = SecretKeyMaterial.copyOf(new byte[24])) {
      byte[] wrapped =
          crypto.encryptKey(k.publicKey(), Algorithms.KeyTransport.RSA_OAEP_SHA256, cek);
      crypto.decryptKey(k, Algorithms.KeyTransport.RSA_OAEP_SHA256, wrapped).destroy();
      byte[] ct =
          crypto.encrypt(Algorithms.ContentEncryption.TDES_CBC, cek, new byte[8], new byte[5]);
      crypto.decrypt(Algorithms.ContentEncryption.TDES_CBC, cek, new byte[8], ct);
      crypto.keyCheckValue(cek, KeyCheckValue.Method.CMAC_TDES);
      byte[] sig = crypto.sign(k, Algorithms.Signature.RSA_PKCS1_SHA256, ct);
      crypto.verify(k.publicKey(), Algorithms.Signature.RSA_PKCS1_SHA256, ct, sig);
    }
    assertThat(objectCount()).isEqualTo(before + 2);
    p11().destroyKey(k);
    assertThat(objectCount()).isEqualTo(before);
  }

  @Test
  void keyHandle_findsAKeyByLabel() throws Exception {
    PrivateKeyHandle k = generate(KeyPurpose.SIGNING, "find me");
    Pkcs11KeyHandle found = p11().keyHandle("find me");
    assertThat(found.publicKey()).isEqualTo(k.publicKey());
    assertThat(found.purpose()).isEqualTo(KeyPurpose.SIGNING);
    byte[] sig = crypto.sign(found, Algorithms.Signature.RSA_PKCS1_SHA256, new byte[] {1});
    crypto.verify(k.publicKey(), Algorithms.Signature.RSA_PKCS1_SHA256, new byte[] {1}, sig);
    assertThatThrownBy(() -> p11().keyHandle("no such key"))
        .isInstanceOf(KeyTransferException.class)
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.CRYPTO_FAILURE);
  }

  @Test
  void secondProvider_samePinSharesTheLogin_wrongPinRefused() throws Exception {
    try (Pkcs11CryptoProvider second = Pkcs11CryptoProvider.open(SoftHsm.token())) {
      byte[] sig = second.sign(signingKey, Algorithms.Signature.RSA_PKCS1_SHA256, new byte[] {2});
      crypto.verify(
          signingKey.publicKey(), Algorithms.Signature.RSA_PKCS1_SHA256, new byte[] {2}, sig);
    }
    // closing the second provider kept the first one's login
    crypto.sign(signingKey, Algorithms.Signature.RSA_PKCS1_SHA256, new byte[] {3});
    Pkcs11Config wrong = SoftHsm.token().toBuilder().pin("not-the-pin".toCharArray()).build();
    assertThatThrownBy(() -> Pkcs11CryptoProvider.open(wrong))
        .isInstanceOf(KeyTransferException.class)
        .hasMessageContaining("PIN");
  }

  @Test
  void open_unknownToken_cryptoFailure() {
    Pkcs11Config none = SoftHsm.token().toBuilder().tokenLabel("no-such-token").build();
    assertThatThrownBy(() -> Pkcs11CryptoProvider.open(none))
        .isInstanceOf(KeyTransferException.class)
        .hasMessageContaining("no-such-token");
  }

  @Test
  void toString_redactsThePin() {
    assertThat(SoftHsm.token().toString()).contains("REDACTED").doesNotContain("1234-test");
  }
}
