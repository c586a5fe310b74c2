package dev.keytransfer.crypto.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VALUE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_AES;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_GENERIC_SECRET;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_CBC_PAD;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_CMAC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_KEY_WRAP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256_RSA_PKCS_PSS;

import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.crypto.pkcs11.Pkcs11Config.OaepMode;
import dev.keytransfer.crypto.testing.WycheproofEngine;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.params.ByteArrayParams;
import org.xipki.pkcs11.wrapper.params.RSA_PKCS_PSS_PARAMS;

/**
 * The Wycheproof engine of the PKCS#11 provider: every family runs in the token with the mechanism
 * the provider uses or would use, keys imported as session objects for the one call (RSA-OAEP keys
 * as token objects, destroyed on close). OAEP goes through the provider's own routine in the mode
 * given ({@link OaepMode#RAW}: {@code CKM_RSA_X_509} + constant-time Java decoding; {@link
 * OaepMode#TOKEN}: {@code CKM_RSA_PKCS_OAEP} with parameters). ECDSA and ECDH go through the
 * provider's {@link Pkcs11CryptoProvider#verify} and {@link Pkcs11CryptoProvider#agree}, the SPKI
 * parsed in Java (SunEC); the ECDH private scalar is imported as a derive-only token key.
 */
final class Pkcs11WycheproofEngine implements WycheproofEngine {
  private final Pkcs11CryptoProvider p11;
  private final OaepMode oaepMode;
  private final Map<BigInteger, Pkcs11KeyHandle> imported = new HashMap<>();
  private final List<Pkcs11KeyHandle> toDestroy = new ArrayList<>();

  Pkcs11WycheproofEngine(Pkcs11CryptoProvider p11, OaepMode oaepMode) {
    this.p11 = p11;
    this.oaepMode = oaepMode;
  }

  @Override
  public CryptoProvider provider() {
    return p11;
  }

  @Override
  public Map<String, String> routes() {
    return Map.of(
        "oaep",
            oaepMode == OaepMode.RAW
                ? "token CKM_RSA_X_509 + Java constant-time OAEP decoding"
                : "token CKM_RSA_PKCS_OAEP with CK_RSA_PKCS_OAEP_PARAMS",
        "pss", "token CKM_SHA256_RSA_PKCS_PSS",
        "ecdsa",
            "CryptoProvider.verify ECDSA: token CKM_ECDSA (hash in Java, strict DER->r|s and"
                + " point check in Java)",
        "ecdh",
            "CryptoProvider.agree: token CKM_ECDH1_DERIVE CKD_NULL, scalar imported as a derive"
                + " key (SPKI parsed by SunEC, point checked in Java)",
        "cmac", "token CKM_AES_CMAC",
        "cbc", "SPI (AES-128/256) + token CKM_AES_CBC_PAD (AES-192)",
        "kw", "token C_UnwrapKey CKM_AES_KEY_WRAP");
  }

  @Override
  public synchronized PrivateKeyHandle keyTransportKey(RSAPrivateCrtKey key) throws Exception {
    Pkcs11KeyHandle h = imported.get(key.getModulus());
    if (h == null) {
      h = p11.importRsaPrivateKey(key, "wycheproof");
      imported.put(key.getModulus(), h);
      toDestroy.add(h);
    }
    return h;
  }

  @Override
  public byte[] oaepDecrypt(
      RSAPrivateCrtKey key, String hash, String mgfHash, byte[] label, byte[] ciphertext)
      throws Exception {
    Pkcs11KeyHandle h = (Pkcs11KeyHandle) keyTransportKey(key);
    return p11.oaepDecrypt(h, new OaepDecoding.Params(hash, mgfHash, label), oaepMode, ciphertext);
  }

  @Override
  public boolean verifyPss(PublicKey key, byte[] message, byte[] signature, int saltLength)
      throws Exception {
    return p11.verifyInToken(
        key,
        new Mechanism(
            CKM_SHA256_RSA_PKCS_PSS,
            new RSA_PKCS_PSS_PARAMS(CKM_SHA256, CKG_MGF1_SHA256, saltLength)),
        message,
        signature);
  }

  /** Through {@link Pkcs11CryptoProvider#verify}; the SPKI parsed by SunEC. */
  @Override
  public boolean verifyEcdsa(
      Algorithms.Signature algorithm, byte[] spki, byte[] message, byte[] derSignature)
      throws Exception {
    PublicKey key =
        KeyFactory.getInstance("EC", "SunEC").generatePublic(new X509EncodedKeySpec(spki));
    try {
      p11.verify(key, algorithm, message, derSignature);
      return true;
    } catch (SignatureInvalidException e) {
      return false;
    }
  }

  /**
   * Through {@link Pkcs11CryptoProvider#agree}: the vector's private scalar imported into the token
   * as a derive-only token object for this one case (destroyed afterwards), its public key computed
   * with Bouncy Castle for the handle; the peer SPKI parsed by SunEC.
   */
  @Override
  public byte[] ecdh(Algorithms.Curve curve, BigInteger privateScalar, byte[] peerSpki)
      throws Exception {
    PublicKey peer =
        KeyFactory.getInstance("EC", "SunEC").generatePublic(new X509EncodedKeySpec(peerSpki));
    ECParameterSpec params = curve.parameters();
    KeyFactory ec = KeyFactory.getInstance("EC");
    ECPrivateKey priv =
        (ECPrivateKey) ec.generatePrivate(new ECPrivateKeySpec(privateScalar, params));
    ECNamedCurveParameterSpec bc = ECNamedCurveTable.getParameterSpec(curve.jcaName());
    org.bouncycastle.math.ec.ECPoint q = bc.getG().multiply(privateScalar).normalize();
    ECPublicKey pub =
        (ECPublicKey)
            ec.generatePublic(
                new ECPublicKeySpec(
                    new ECPoint(
                        q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()),
                    params));
    Pkcs11KeyHandle h = p11.importEcPrivateKey(priv, pub, "wycheproof-ecdh");
    try (SecretKeyMaterial z = p11.agree(h, peer)) {
      return z.copyBytes();
    } finally {
      p11.destroyKey(h);
    }
  }

  @Override
  public byte[] cmac(byte[] key, byte[] message) throws Exception {
    return p11.withSecretKey(
        CKK_AES,
        key,
        new AttributeVector().sign(true),
        (s, obj) -> {
          // multi-part: single-part C_Sign of empty input is CKR_ARGUMENTS_BAD on SoftHSM
          s.signInit(new Mechanism(CKM_AES_CMAC), obj);
          if (message.length > 0) {
            s.signUpdate(message);
          }
          return s.signFinal();
        });
  }

  @Override
  public byte[] cbcEncrypt(byte[] key, byte[] iv, byte[] plaintext) throws Exception {
    return p11.withSecretKey(
        CKK_AES,
        key,
        new AttributeVector().encrypt(true),
        (s, obj) -> {
          s.encryptInit(new Mechanism(CKM_AES_CBC_PAD, new ByteArrayParams(iv)), obj);
          byte[] head = plaintext.length == 0 ? new byte[0] : s.encryptUpdate(plaintext);
          byte[] tail = s.encryptFinal();
          byte[] out = java.util.Arrays.copyOf(head, head.length + tail.length);
          System.arraycopy(tail, 0, out, head.length, tail.length);
          return out;
        });
  }

  @Override
  public byte[] cbcDecrypt(byte[] key, byte[] iv, byte[] ciphertext) throws Exception {
    if (ciphertext.length == 0 || ciphertext.length % 16 != 0 || iv.length != 16) {
      return null; // as CryptoRules.checkCbcInput does for the SPI (R6)
    }
    return p11.withSecretKey(
        CKK_AES,
        key,
        new AttributeVector().decrypt(true),
        (s, obj) ->
            s.decryptSingle(
                new Mechanism(CKM_AES_CBC_PAD, new ByteArrayParams(iv)), obj, ciphertext));
  }

  @Override
  public byte[] aesKeyUnwrap(byte[] kek, byte[] wrapped) throws Exception {
    return p11.withSecretKey(
        CKK_AES,
        kek,
        new AttributeVector().unwrap(true),
        (s, obj) -> {
          long k =
              s.unwrapKey(
                  new Mechanism(CKM_AES_KEY_WRAP),
                  obj,
                  wrapped,
                  AttributeVector.newSecretKey(CKK_GENERIC_SECRET)
                      .token(false)
                      .sensitive(false)
                      .extractable(true));
          return s.getAttrValues(k, CKA_VALUE).getByteArrayAttrValue(CKA_VALUE);
        });
  }

  @Override
  public void close() throws Exception {
    for (Pkcs11KeyHandle h : toDestroy) {
      p11.destroyKey(h);
    }
    p11.close();
  }
}
