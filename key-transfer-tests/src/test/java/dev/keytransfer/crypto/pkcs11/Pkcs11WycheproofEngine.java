package dev.keytransfer.crypto.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VALUE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKD_NULL;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_AES;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_GENERIC_SECRET;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_CBC_PAD;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_CMAC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_KEY_WRAP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_ECDH1_DERIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_ECDSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256_RSA_PKCS_PSS;

import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.crypto.pkcs11.Pkcs11Config.OaepMode;
import dev.keytransfer.crypto.testing.JcaWycheproofEngine;
import dev.keytransfer.crypto.testing.WycheproofEngine;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.TokenException;
import org.xipki.pkcs11.wrapper.params.ByteArrayParams;
import org.xipki.pkcs11.wrapper.params.ECDH1_DERIVE_PARAMS;
import org.xipki.pkcs11.wrapper.params.RSA_PKCS_PSS_PARAMS;

/**
 * The Wycheproof engine of the PKCS#11 provider: every family runs in the token with the mechanism
 * the provider uses or would use, keys imported as session objects for the one call (RSA-OAEP keys
 * as token objects, destroyed on close). OAEP goes through the provider's own routine in the mode
 * given ({@link OaepMode#RAW}: {@code CKM_RSA_X_509} + constant-time Java decoding; {@link
 * OaepMode#TOKEN}: {@code CKM_RSA_PKCS_OAEP} with parameters). ECDSA and ECDH keys are parsed in
 * Java (SunEC), which also decides DER strictness of the signature before {@code CKM_ECDSA}.
 */
final class Pkcs11WycheproofEngine implements WycheproofEngine {
  /** DER of the P-256 OID, CKA_EC_PARAMS. */
  private static final byte[] P256_OID = {
    0x06, 0x08, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x03, 0x01, 0x07
  };

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
        "ecdsa", "token CKM_ECDSA (SHA-256 and strict DER->r|s in Java)",
        "ecdh", "token CKM_ECDH1_DERIVE (SPKI parsed by SunEC)",
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

  @Override
  public boolean verifyEcdsa(byte[] spki, byte[] message, byte[] derSignature) throws Exception {
    byte[] point = p256Point(spki);
    byte[] rs = strictDerToRaw(derSignature);
    if (rs == null) {
      return false;
    }
    byte[] hash = MessageDigest.getInstance("SHA-256").digest(message);
    return p11.inSession(
        s -> {
          // CKA_EC_POINT as the bare X9.62 point: SoftHSM 2.6.1 misreads the DER OCTET STRING form
          // that
          // PKCS#11 2.40 specifies (every valid signature then fails); the bare form is what it
          // accepts
          long obj =
              s.createObject(
                  AttributeVector.newECPublicKey()
                      .token(false)
                      .verify(true)
                      .ecParams(P256_OID)
                      .ecPoint(point));
          try {
            s.verifySingle(new Mechanism(CKM_ECDSA), obj, hash, rs);
            return true;
          } catch (TokenException e) {
            return false;
          }
        });
  }

  @Override
  public byte[] ecdh(BigInteger privateScalar, byte[] peerSpki) throws Exception {
    byte[] point = p256Point(peerSpki);
    byte[] scalar = unsigned(privateScalar, 32);
    return p11.inSession(
        s -> {
          long priv =
              s.createObject(
                  AttributeVector.newECPrivateKey()
                      .token(false)
                      .sensitive(true)
                      .derive(true)
                      .ecParams(P256_OID)
                      .value(scalar));
          long secret =
              s.deriveKey(
                  new Mechanism(CKM_ECDH1_DERIVE, new ECDH1_DERIVE_PARAMS(CKD_NULL, null, point)),
                  priv,
                  AttributeVector.newSecretKey(CKK_GENERIC_SECRET)
                      .token(false)
                      .sensitive(false)
                      .extractable(true));
          return s.getAttrValues(secret, CKA_VALUE).getByteArrayAttrValue(CKA_VALUE);
        });
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

  /** The uncompressed point of a P-256 public key; other curves are refused. */
  private static byte[] p256Point(byte[] spki) throws Exception {
    ECPublicKey k =
        (ECPublicKey)
            KeyFactory.getInstance("EC", "SunEC").generatePublic(new X509EncodedKeySpec(spki));
    ECParameterSpec want = JcaWycheproofEngine.p256();
    ECParameterSpec got = k.getParams();
    if (!got.getCurve().equals(want.getCurve())
        || !got.getGenerator().equals(want.getGenerator())
        || !got.getOrder().equals(want.getOrder())
        || got.getCofactor() != want.getCofactor()) {
      throw new IllegalArgumentException("not a P-256 key");
    }
    ECPoint w = k.getW();
    byte[] out = new byte[65];
    out[0] = 0x04;
    System.arraycopy(unsigned(w.getAffineX(), 32), 0, out, 1, 32);
    System.arraycopy(unsigned(w.getAffineY(), 32), 0, out, 33, 32);
    return out;
  }

  /**
   * ECDSA-Sig-Value in strict DER (re-encoding must give the same bytes) to r|s, 32 bytes each;
   * null if not.
   */
  private static byte[] strictDerToRaw(byte[] der) {
    try {
      ASN1Primitive p = ASN1Primitive.fromByteArray(der);
      if (!(p instanceof ASN1Sequence seq)
          || seq.size() != 2
          || !java.util.Arrays.equals(p.getEncoded(ASN1Encoding.DER), der)) {
        return null;
      }
      BigInteger r = ASN1Integer.getInstance(seq.getObjectAt(0)).getValue();
      BigInteger s = ASN1Integer.getInstance(seq.getObjectAt(1)).getValue();
      if (r.signum() <= 0 || s.signum() <= 0 || r.bitLength() > 256 || s.bitLength() > 256) {
        return null;
      }
      byte[] out = new byte[64];
      System.arraycopy(unsigned(r, 32), 0, out, 0, 32);
      System.arraycopy(unsigned(s, 32), 0, out, 32, 32);
      return out;
    } catch (Exception e) {
      return null;
    }
  }

  private static byte[] unsigned(BigInteger v, int length) {
    byte[] b = v.toByteArray();
    if (b.length == length) {
      return b;
    }
    byte[] out = new byte[length];
    if (b.length > length) {
      System.arraycopy(b, b.length - length, out, 0, length); // a leading sign byte
    } else {
      System.arraycopy(b, 0, out, length - b.length, b.length);
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    for (Pkcs11KeyHandle h : toDestroy) {
      p11.destroyKey(h);
    }
    p11.close();
  }
}
