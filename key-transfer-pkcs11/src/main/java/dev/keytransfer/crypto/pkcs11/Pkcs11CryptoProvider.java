package dev.keytransfer.crypto.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_DECRYPT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_DERIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EC_PARAMS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EC_POINT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_ENCRYPT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EXPONENT_1;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EXPONENT_2;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_ID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_MODULUS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_PRIME_1;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_PRIME_2;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_PUBLIC_EXPONENT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SENSITIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SIGN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_UNWRAP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VALUE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VERIFY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_WRAP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKD_NULL;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA1;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_AES;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_DES3;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_EC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_GENERIC_SECRET;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_RSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_CBC_PAD;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_CMAC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_DES3_CBC_PAD;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_DES3_CMAC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_DES3_ECB;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_ECDH1_DERIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_ECDSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_EC_KEY_PAIR_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_KEY_PAIR_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_OAEP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_X_509;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256_RSA_PKCS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA_1;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PUBLIC_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKZ_DATA_SPECIFIED;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.CryptoRules;
import dev.keytransfer.core.spi.KeyPurpose;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import dev.keytransfer.crypto.pkcs11.Pkcs11Config.OaepMode;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.ProviderException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.KeyPairTemplate;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11KeyPair;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.TokenException;
import org.xipki.pkcs11.wrapper.params.ByteArrayParams;
import org.xipki.pkcs11.wrapper.params.ECDH1_DERIVE_PARAMS;
import org.xipki.pkcs11.wrapper.params.RSA_PKCS_OAEP_PARAMS;

/**
 * The PKCS#11 crypto provider: private keys are generated inside a token and never leave it,
 * through a direct PKCS#11 binding (org.xipki ipkcs11wrapper, JNI), not SunPKCS11 (which has no
 * RSA-OAEP and returns unwrapped keys into the JVM; docs/SECURITY.md "PKCS#11 (HSM) facts"). Tested
 * against SoftHSM2.
 *
 * <p>Where each operation runs (docs/PROVIDERS.md has the full table):
 *
 * <ul>
 *   <li><b>in the token</b>: RSA key generation ({@code CKA_SENSITIVE}, not {@code
 *       CKA_EXTRACTABLE}, no wrap/unwrap role, {@code CKA_ALLOWED_MECHANISMS} limited to what the
 *       {@link KeyPurpose} needs; docs/SECURITY.md K4), SHA256withRSA signing ({@code
 *       CKM_SHA256_RSA_PKCS}) and verification (the public key imported as a session object), the
 *       RSA private-key operation of OAEP key transport, EC key generation on P-256, P-384 and
 *       P-521 ({@code CKM_EC_KEY_PAIR_GEN}: sensitive, not extractable, sign and derive, never
 *       decrypt or unwrap, {@code CKA_ALLOWED_MECHANISMS} {@code CKM_ECDSA} and {@code
 *       CKM_ECDH1_DERIVE}), ECDSA signing and verification ({@code CKM_ECDSA} over the hash), the
 *       ECDH primitive of the ECDH mode (docs/ECDH.md: {@code CKM_ECDH1_DERIVE} with {@code
 *       CKD_NULL}), AES/TDES-CBC with padding ({@code CKM_AES_CBC_PAD}, {@code CKM_DES3_CBC_PAD}),
 *       key check values ({@code CKM_AES_CMAC}, {@code CKM_DES3_CMAC}, {@code CKM_DES3_ECB}) and
 *       random numbers ({@code C_GenerateRandom});
 *   <li><b>in Java</b>: OAEP decoding in {@link OaepMode#RAW} (constant time, {@link
 *       OaepDecoding}), OAEP encryption to a terminal's public key (the JCA; a public-key
 *       operation), SHA-256 of public data; for ECDSA the hash of the signed data and the X9.62 DER
 *       encoding of {@code r || s} (strict DER is required before a signature reaches the token);
 *       for ECDH the validation of the peer's point (on the key's curve, not the point at infinity)
 *       before the token sees it.
 * </ul>
 *
 * <p><b>ECDH: the shared secret leaves the token.</b> {@link #agree} runs {@code CKM_ECDH1_DERIVE}
 * with the private key in the token and {@code CKD_NULL}, which gives Z itself as a generic-secret
 * session object; the SPI returns Z as {@link SecretKeyMaterial} because the key derivation of
 * docs/ECDH.md (NIST SP 800-56C one-step or ANSI X9.63 over Z and the parties' shared information)
 * runs in software, so the object is made extractable and not sensitive, read once and destroyed.
 * SoftHSM2 2.6.1 refuses a KDF in {@code CKM_ECDH1_DERIVE} ({@code CKD_SHA256_KDF}, the PKCS#11
 * form of the X9.63 KDF, is {@code CKR_MECHANISM_PARAM_INVALID}; {@code CKD_NULL} works), so the
 * KDF cannot run in that token; no token-side KDF is attempted on other tokens either. The private
 * key never leaves the token; Z and the derived key-block protection key are in JVM memory for the
 * length of one exchange.
 *
 * <p><b>What is in JVM memory.</b> The SPI hands the content-encryption key back as {@link
 * SecretKeyMaterial}, and the codec parses the decrypted key block, so the unwrapped CEK and the
 * clear key block are in JVM memory for the length of one token decryption, and so is, in {@link
 * OaepMode#RAW}, the OAEP-padded block. Every such buffer is wiped after use; a CEK imported for
 * CBC is a session object ({@code CKA_TOKEN=false}), sensitive, with one role, destroyed right
 * after the operation (and by the token when the session closes).
 *
 * <p>Failures: every OAEP or CBC decryption failure is {@link KeyTokenException#decryptionFailed()}
 * with no cause (R1); empty and misaligned CBC input is refused before the token sees it (R6). Each
 * operation runs in its own session, so a failed operation never leaves state behind. Thread-safe.
 * Close it to log out ({@link #close()}).
 */
public final class Pkcs11CryptoProvider implements CryptoProvider, AutoCloseable {
  private static final KeyFactory RSA_KEYS = rsaKeyFactory();

  private final TokenConnection connection;
  private final OaepMode oaepMode;
  private final SecureRandom random;
  private final JcaCryptoProvider software;
  private volatile boolean closed;

  private Pkcs11CryptoProvider(TokenConnection connection, OaepMode oaepMode) {
    this.connection = connection;
    this.oaepMode = oaepMode;
    this.random = new TokenRandom(this);
    this.software = new JcaCryptoProvider("pkcs11-software", null, random);
  }

  /**
   * Loads the module (once per JVM), finds the token and logs in.
   *
   * @throws KeyTransferException {@code CRYPTO_FAILURE} if the library, the token or the login
   *     fails
   */
  public static Pkcs11CryptoProvider open(Pkcs11Config config) throws KeyTransferException {
    Objects.requireNonNull(config, "config");
    return new Pkcs11CryptoProvider(TokenConnection.acquire(config), config.oaepMode());
  }

  @Override
  public String name() {
    return "pkcs11";
  }

  /**
   * A SecureRandom drawing every byte from the token's generator ({@code C_GenerateRandom}, K1).
   */
  @Override
  public SecureRandom secureRandom() {
    return random;
  }

  /** How this provider decrypts RSA-OAEP key transport. */
  public OaepMode oaepMode() {
    return oaepMode;
  }

  // ------------------------------------------------------------------------------- keys

  /**
   * Generates a {@link KeyPurpose#KEY_TRANSPORT} key (it can also sign its own certification
   * request), since the caller did not say what the key is for.
   */
  @Override
  public Pkcs11KeyHandle generateRsaKeyPair(int modulusBits, String label)
      throws KeyTransferException {
    return generateRsaKeyPair(modulusBits, label, KeyPurpose.KEY_TRANSPORT);
  }

  /**
   * Generates an RSA key pair inside the token as token objects. The private key is {@code
   * CKA_PRIVATE}, {@code CKA_SENSITIVE}, not {@code CKA_EXTRACTABLE}, never wrap/unwrap; {@link
   * KeyPurpose#SIGNING}: sign only; {@link KeyPurpose#KEY_TRANSPORT}: decrypt, and sign for the
   * proof of possession of its certification request. The attributes are read back and the key is
   * destroyed if the token did not honour them.
   */
  @Override
  public Pkcs11KeyHandle generateRsaKeyPair(int modulusBits, String label, KeyPurpose purpose)
      throws KeyTransferException {
    if (modulusBits < 2048) {
      throw new IllegalArgumentException("RSA keys below 2048 bits are not generated");
    }
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(purpose, "purpose");
    boolean transport = purpose == KeyPurpose.KEY_TRANSPORT;
    long[] allowed =
        transport
            ? new long[] {
              oaepMode == OaepMode.RAW ? CKM_RSA_X_509 : CKM_RSA_PKCS_OAEP, CKM_SHA256_RSA_PKCS
            }
            : new long[] {CKM_SHA256_RSA_PKCS};
    byte[] id = new byte[16];
    random.nextBytes(id);
    return inSession(
        s -> {
          AttributeVector pub =
              AttributeVector.newRSAPublicKey()
                  .token(true)
                  .private_(false)
                  .label(label)
                  .id(id)
                  .modulusBits(modulusBits)
                  .publicExponent(BigInteger.valueOf(65537))
                  .verify(!transport)
                  .encrypt(transport)
                  .wrap(false)
                  .verifyRecover(false)
                  .derive(false);
          AttributeVector priv =
              AttributeVector.newRSAPrivateKey()
                  .token(true)
                  .private_(true)
                  .label(label)
                  .id(id)
                  .sensitive(true)
                  .extractable(false)
                  .sign(true)
                  .decrypt(transport)
                  .unwrap(false)
                  .signRecover(false)
                  .derive(false)
                  .allowedMechanisms(allowed);
          PKCS11KeyPair pair =
              s.generateKeyPair(
                  new Mechanism(CKM_RSA_PKCS_KEY_PAIR_GEN), new KeyPairTemplate(priv, pub));
          try {
            AttributeVector got =
                s.getAttrValues(
                    pair.getPrivateKey(), CKA_SENSITIVE, CKA_EXTRACTABLE, CKA_UNWRAP, CKA_DECRYPT);
            if (!Boolean.TRUE.equals(got.getBooleanAttrValue(CKA_SENSITIVE))
                || !Boolean.FALSE.equals(got.getBooleanAttrValue(CKA_EXTRACTABLE))
                || !Boolean.FALSE.equals(got.getBooleanAttrValue(CKA_UNWRAP))
                || !Boolean.valueOf(transport).equals(got.getBooleanAttrValue(CKA_DECRYPT))) {
              throw new KeyTransferException(
                  ErrorCode.CRYPTO_FAILURE,
                  "the token did not honour the key attributes (sensitive, not extractable, no"
                      + " unwrap role)");
            }
            return new Pkcs11KeyHandle(
                connection,
                pair.getPrivateKey(),
                pair.getPublicKey(),
                label,
                readPublicKey(s, pair.getPublicKey()),
                purpose);
          } catch (KeyTransferException | TokenException | RuntimeException e) {
            destroyQuietly(s, pair.getPrivateKey());
            destroyQuietly(s, pair.getPublicKey());
            throw e;
          }
        });
  }

  /**
   * Generates an EC key pair on {@code curve} inside the token as token objects ({@code
   * CKM_EC_KEY_PAIR_GEN}, docs/ECDH.md). The private key is {@code CKA_PRIVATE}, {@code
   * CKA_SENSITIVE}, not {@code CKA_EXTRACTABLE}, never decrypt, wrap or unwrap, {@code
   * CKA_ALLOWED_MECHANISMS} {@code CKM_ECDSA} and {@code CKM_ECDH1_DERIVE}; for both purposes it
   * has {@code CKA_DERIVE} and {@code CKA_SIGN}: {@link KeyPurpose#SIGNING_AND_KEY_AGREEMENT} signs
   * the host's answers, and {@link KeyPurpose#KEY_AGREEMENT} signs its own certification request
   * once as proof of possession, as the RSA {@link KeyPurpose#KEY_TRANSPORT} key does. The public
   * object verifies only for {@link KeyPurpose#SIGNING_AND_KEY_AGREEMENT}. The attributes are read
   * back and the key is destroyed if the token did not honour them.
   *
   * @throws KeyTransferException {@code CRYPTO_FAILURE} if the token fails or refuses
   */
  @Override
  public Pkcs11KeyHandle generateEcKeyPair(Algorithms.Curve curve, String label, KeyPurpose purpose)
      throws KeyTransferException {
    Objects.requireNonNull(curve, "curve");
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(purpose, "purpose");
    if (purpose != KeyPurpose.KEY_AGREEMENT && purpose != KeyPurpose.SIGNING_AND_KEY_AGREEMENT) {
      throw new IllegalArgumentException("EC keys are generated for key agreement, not " + purpose);
    }
    boolean signs = purpose == KeyPurpose.SIGNING_AND_KEY_AGREEMENT;
    byte[] id = new byte[16];
    random.nextBytes(id);
    return inSession(
        s -> {
          AttributeVector pub =
              AttributeVector.newECPublicKey()
                  .token(true)
                  .private_(false)
                  .label(label)
                  .id(id)
                  .ecParams(EcKeys.ecParams(curve))
                  .verify(signs)
                  .encrypt(false)
                  .wrap(false)
                  .verifyRecover(false)
                  .derive(false);
          AttributeVector priv =
              AttributeVector.newECPrivateKey()
                  .token(true)
                  .private_(true)
                  .label(label)
                  .id(id)
                  .sensitive(true)
                  .extractable(false)
                  .sign(true)
                  .derive(true)
                  .decrypt(false)
                  .unwrap(false)
                  .signRecover(false)
                  .allowedMechanisms(new long[] {CKM_ECDSA, CKM_ECDH1_DERIVE});
          PKCS11KeyPair pair =
              s.generateKeyPair(new Mechanism(CKM_EC_KEY_PAIR_GEN), new KeyPairTemplate(priv, pub));
          try {
            AttributeVector got =
                s.getAttrValues(
                    pair.getPrivateKey(),
                    CKA_SENSITIVE,
                    CKA_EXTRACTABLE,
                    CKA_UNWRAP,
                    CKA_DECRYPT,
                    CKA_DERIVE,
                    CKA_SIGN);
            if (!Boolean.TRUE.equals(got.getBooleanAttrValue(CKA_SENSITIVE))
                || !Boolean.FALSE.equals(got.getBooleanAttrValue(CKA_EXTRACTABLE))
                || !Boolean.FALSE.equals(got.getBooleanAttrValue(CKA_UNWRAP))
                || !Boolean.FALSE.equals(got.getBooleanAttrValue(CKA_DECRYPT))
                || !Boolean.TRUE.equals(got.getBooleanAttrValue(CKA_DERIVE))
                || !Boolean.TRUE.equals(got.getBooleanAttrValue(CKA_SIGN))) {
              throw new KeyTransferException(
                  ErrorCode.CRYPTO_FAILURE,
                  "the token did not honour the key attributes (sensitive, not extractable, derive,"
                      + " no decrypt or unwrap role)");
            }
            return new Pkcs11KeyHandle(
                connection,
                pair.getPrivateKey(),
                pair.getPublicKey(),
                label,
                readEcPublicKey(s, pair.getPublicKey(), curve),
                purpose);
          } catch (KeyTransferException | TokenException | RuntimeException e) {
            destroyQuietly(s, pair.getPrivateKey());
            destroyQuietly(s, pair.getPublicKey());
            throw e;
          }
        });
  }

  /**
   * The key pair labelled {@code label} that is already in the token (e.g. generated in an earlier
   * run). An RSA key's purpose is read from {@code CKA_DECRYPT}; an EC key's public point and curve
   * from its public object (same {@code CKA_ID}), which must be there, and its purpose from that
   * object's {@code CKA_VERIFY} (set only for {@link KeyPurpose#SIGNING_AND_KEY_AGREEMENT}, see
   * {@link #generateEcKeyPair}).
   *
   * @throws KeyTransferException {@code CRYPTO_FAILURE} if there is no such RSA or EC private key,
   *     or more than one, or an EC key without its public object
   */
  public Pkcs11KeyHandle keyHandle(String label) throws KeyTransferException {
    Objects.requireNonNull(label, "label");
    return inSession(
        s -> {
          long[] rsa = s.findAllObjectsSingle(AttributeVector.newPrivateKey(CKK_RSA).label(label));
          long[] ec = s.findAllObjectsSingle(AttributeVector.newPrivateKey(CKK_EC).label(label));
          if (rsa.length + ec.length != 1) {
            throw new KeyTransferException(
                ErrorCode.CRYPTO_FAILURE,
                rsa.length + ec.length == 0
                    ? "no RSA or EC private key labelled " + label
                    : "more than one private key labelled " + label);
          }
          if (ec.length == 1) {
            return ecKeyHandle(s, ec[0], label);
          }
          AttributeVector a =
              s.getAttrValues(rsa[0], CKA_ID, CKA_DECRYPT, CKA_MODULUS, CKA_PUBLIC_EXPONENT);
          long[] pubs =
              s.findAllObjectsSingle(
                  new AttributeVector().class_(CKO_PUBLIC_KEY).keyType(CKK_RSA).id(a.id()));
          KeyPurpose purpose =
              Boolean.TRUE.equals(a.getBooleanAttrValue(CKA_DECRYPT))
                  ? KeyPurpose.KEY_TRANSPORT
                  : KeyPurpose.SIGNING;
          return new Pkcs11KeyHandle(
              connection,
              rsa[0],
              pubs.length == 1 ? pubs[0] : -1,
              label,
              rsaPublicKey(a.modulus(), a.publicExponent()),
              purpose);
        });
  }

  private Pkcs11KeyHandle ecKeyHandle(Session s, long priv, String label)
      throws TokenException, KeyTransferException {
    AttributeVector a = s.getAttrValues(priv, CKA_ID, CKA_EC_PARAMS);
    Algorithms.Curve curve = null;
    for (Algorithms.Curve c : Algorithms.Curve.values()) {
      if (Arrays.equals(EcKeys.ecParams(c), a.ecParams())) {
        curve = c;
      }
    }
    long[] pubs =
        s.findAllObjectsSingle(
            new AttributeVector().class_(CKO_PUBLIC_KEY).keyType(CKK_EC).id(a.id()));
    if (curve == null || pubs.length != 1) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE,
          curve == null
              ? "the EC key labelled " + label + " is not on a supported curve"
              : "the EC key labelled " + label + " has no single public key object");
    }
    KeyPurpose purpose =
        Boolean.TRUE.equals(s.getAttrValues(pubs[0], CKA_VERIFY).getBooleanAttrValue(CKA_VERIFY))
            ? KeyPurpose.SIGNING_AND_KEY_AGREEMENT
            : KeyPurpose.KEY_AGREEMENT;
    return new Pkcs11KeyHandle(
        connection, priv, pubs[0], label, readEcPublicKey(s, pubs[0], curve), purpose);
  }

  /**
   * Destroys the key's private and public objects in the token (docs/SECURITY.md K5). The handle is
   * useless afterwards.
   *
   * @throws KeyTransferException {@code CRYPTO_FAILURE} if the handle is not this token's or the
   *     token refuses
   */
  public void destroyKey(PrivateKeyHandle key) throws KeyTransferException {
    Pkcs11KeyHandle h = own(key);
    inSession(
        s -> {
          s.destroyObject(h.privateObject());
          if (h.publicObject() >= 0) {
            s.destroyObject(h.publicObject());
          }
          return null;
        });
  }

  /**
   * Imports a software RSA private key into the token (sensitive, not extractable, decrypt only,
   * raw RSA and OAEP allowed). For known-answer test vectors only: a key that was ever in clear is
   * not a key this SDK should deploy.
   */
  Pkcs11KeyHandle importRsaPrivateKey(RSAPrivateCrtKey key, String label)
      throws KeyTransferException {
    byte[] id = new byte[16];
    random.nextBytes(id);
    return inSession(
        s -> {
          long obj =
              s.createObject(
                  AttributeVector.newRSAPrivateKey()
                      .token(true)
                      .private_(true)
                      .label(label)
                      .id(id)
                      .sensitive(true)
                      .extractable(false)
                      .decrypt(true)
                      .sign(false)
                      .unwrap(false)
                      .derive(false)
                      .allowedMechanisms(new long[] {CKM_RSA_X_509, CKM_RSA_PKCS_OAEP})
                      .modulus(key.getModulus())
                      .publicExponent(key.getPublicExponent())
                      .privateExponent(key.getPrivateExponent())
                      .attr(CKA_PRIME_1, key.getPrimeP())
                      .attr(CKA_PRIME_2, key.getPrimeQ())
                      .attr(CKA_EXPONENT_1, key.getPrimeExponentP())
                      .attr(CKA_EXPONENT_2, key.getPrimeExponentQ())
                      .coefficient(key.getCrtCoefficient()));
          return new Pkcs11KeyHandle(
              connection,
              obj,
              -1,
              label,
              rsaPublicKey(key.getModulus(), key.getPublicExponent()),
              KeyPurpose.KEY_TRANSPORT);
        });
  }

  /**
   * Imports a software EC private key into the token as a {@link KeyPurpose#KEY_AGREEMENT} key
   * (sensitive, not extractable, derive only, {@code CKM_ECDH1_DERIVE} allowed). For known-answer
   * test vectors only, like {@link #importRsaPrivateKey}; {@code publicKey} is the matching public
   * key, which the handle carries and the token does not get.
   *
   * @throws KeyTransferException {@code CRYPTO_FAILURE} for a key off the supported curves or a
   *     token failure
   */
  Pkcs11KeyHandle importEcPrivateKey(ECPrivateKey key, ECPublicKey publicKey, String label)
      throws KeyTransferException {
    Algorithms.Curve curve = Algorithms.Curve.of(publicKey);
    if (curve == null
        || !curve.isValidPoint(publicKey.getW())
        || key.getS().signum() <= 0
        || key.getS().compareTo(curve.parameters().getOrder()) >= 0) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE, "not an EC key pair on a supported curve");
    }
    byte[] id = new byte[16];
    random.nextBytes(id);
    byte[] scalar = EcKeys.unsigned(key.getS(), curve.fieldLength());
    try {
      return inSession(
          s -> {
            long obj =
                s.createObject(
                    AttributeVector.newECPrivateKey()
                        .token(true)
                        .private_(true)
                        .label(label)
                        .id(id)
                        .sensitive(true)
                        .extractable(false)
                        .derive(true)
                        .sign(false)
                        .decrypt(false)
                        .unwrap(false)
                        .allowedMechanisms(new long[] {CKM_ECDH1_DERIVE})
                        .ecParams(EcKeys.ecParams(curve))
                        .value(scalar));
            return new Pkcs11KeyHandle(
                connection, obj, -1, label, publicKey, KeyPurpose.KEY_AGREEMENT);
          });
    } finally {
      CryptoRules.wipe(scalar);
    }
  }

  // ------------------------------------------------------------------------------- signatures

  /**
   * Signs inside the token with the algorithm asked for: SHA256withRSA with an RSA key ({@code
   * CKM_SHA256_RSA_PKCS}, the token hashes the data); ECDSA with an EC key as {@code CKM_ECDSA}
   * over the hash of the algorithm, computed in Java (public data; {@code CKM_ECDSA} is the ECDSA
   * mechanism every token has), the token's {@code r || s} DER encoded as X9.62 {@code
   * ECDSA-Sig-Value}. The hash is the algorithm's whatever the curve; policy pairs them
   * (docs/ECDH.md).
   *
   * @throws KeyTransferException {@code CRYPTO_FAILURE} for a handle of another token, a key that
   *     does not fit the algorithm (an RSA key for ECDSA, an EC key for RSA) or a token failure
   */
  @Override
  public byte[] sign(PrivateKeyHandle key, Algorithms.Signature algorithm, byte[] data)
      throws KeyTransferException {
    Pkcs11KeyHandle h = own(key);
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(data, "data");
    if (algorithm.isEcdsa() != (h.curve() != null)) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE, algorithm + " does not fit the key " + h.label());
    }
    if (algorithm.isEcdsa()) {
      byte[] hash = hash(algorithm, data);
      byte[] rs = inSession(s -> s.signSingle(new Mechanism(CKM_ECDSA), h.privateObject(), hash));
      if (rs == null || rs.length != 2 * h.curve().fieldLength()) {
        throw new KeyTransferException(
            ErrorCode.CRYPTO_FAILURE, "the token returned a malformed ECDSA signature");
      }
      return EcKeys.toDer(rs);
    }
    return inSession(
        s -> {
          // multi-part: single-part C_Sign of empty data is CKR_ARGUMENTS_BAD on SoftHSM
          s.signInit(new Mechanism(CKM_SHA256_RSA_PKCS), h.privateObject());
          if (data.length > 0) {
            s.signUpdate(data);
          }
          return s.signFinal();
        });
  }

  /**
   * Verifies inside the token: the public key is imported as a session object ({@code
   * CKA_TOKEN=false}, verify only) and {@code C_Verify} decides, with {@code CKM_SHA256_RSA_PKCS}
   * for RSA or {@code CKM_ECDSA} over the algorithm's hash for ECDSA. An ECDSA signature must be
   * strict DER with {@code 1 <= r, s < n}, and the EC key a valid point of one of {@link
   * Algorithms.Curve}, before the token sees them. Any failure, including a key that does not fit
   * the algorithm, is {@code SIGNATURE_INVALID}.
   */
  @Override
  public void verify(PublicKey key, Algorithms.Signature algorithm, byte[] data, byte[] signature)
      throws SignatureInvalidException {
    boolean ok;
    try {
      if (algorithm == null || data == null || signature == null) {
        ok = false;
      } else if (algorithm.isEcdsa()) {
        ok = verifyEcdsaInToken(key, algorithm, data, signature);
      } else {
        ok = verifyInToken(key, new Mechanism(CKM_SHA256_RSA_PKCS), data, signature);
      }
    } catch (KeyTransferException | RuntimeException e) {
      ok = false;
    }
    if (!ok) {
      throw new SignatureInvalidException(ErrorCode.SIGNATURE_INVALID, "signature does not verify");
    }
  }

  private boolean verifyEcdsaInToken(
      PublicKey key, Algorithms.Signature algorithm, byte[] data, byte[] signature)
      throws KeyTransferException {
    Algorithms.Curve curve = Algorithms.Curve.of(key);
    if (curve == null || !curve.isValidPoint(((ECPublicKey) key).getW())) {
      return false;
    }
    byte[] rs = EcKeys.fromDer(signature, curve);
    if (rs == null) {
      return false;
    }
    byte[] hash = hash(algorithm, data);
    byte[] point = EcKeys.uncompressed(((ECPublicKey) key).getW(), curve);
    return inSession(
        s -> {
          // CKA_EC_POINT as the bare X9.62 point: SoftHSM 2.6.1 reads that form (and the DER
          // OCTET STRING of PKCS#11 2.40 wrongly for imported public keys)
          long obj =
              s.createObject(
                  AttributeVector.newECPublicKey()
                      .token(false)
                      .verify(true)
                      .encrypt(false)
                      .wrap(false)
                      .derive(false)
                      .ecParams(EcKeys.ecParams(curve))
                      .ecPoint(point));
          try {
            s.verifySingle(new Mechanism(CKM_ECDSA), obj, hash, rs);
            return true;
          } catch (TokenException e) {
            return false;
          } finally {
            destroyQuietly(s, obj);
          }
        });
  }

  private byte[] hash(Algorithms.Signature algorithm, byte[] data) throws KeyTransferException {
    String name =
        switch (algorithm) {
          case ECDSA_SHA256, RSA_PKCS1_SHA256 -> Algorithms.Hash.SHA256.jcaName();
          case ECDSA_SHA384 -> Algorithms.Hash.SHA384.jcaName();
          case ECDSA_SHA512 -> Algorithms.Hash.SHA512.jcaName();
        };
    try {
      return MessageDigest.getInstance(name).digest(data);
    } catch (GeneralSecurityException e) {
      throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "no " + name + " in this JDK", e);
    }
  }

  /** {@code C_Verify} with {@code mechanism} under an RSA public key imported for this one call. */
  boolean verifyInToken(PublicKey key, Mechanism mechanism, byte[] data, byte[] signature)
      throws KeyTransferException {
    if (!(key instanceof RSAPublicKey rsa) || data == null || signature == null) {
      return false;
    }
    return inSession(
        s -> {
          long obj =
              s.createObject(
                  AttributeVector.newRSAPublicKey()
                      .token(false)
                      .verify(true)
                      .encrypt(false)
                      .wrap(false)
                      .modulus(rsa.getModulus())
                      .publicExponent(rsa.getPublicExponent()));
          try {
            // multi-part: single-part C_Verify of empty data is CKR_ARGUMENTS_BAD on SoftHSM
            s.verifyInit(mechanism, obj);
            if (data.length > 0) {
              s.verifyUpdate(data);
            }
            s.verifyFinal(signature);
            return true;
          } catch (TokenException e) {
            return false;
          } finally {
            destroyQuietly(s, obj);
          }
        });
  }

  // ------------------------------------------------------------------------------- key agreement

  /**
   * The ECDH primitive with the private key in the token: {@code CKM_ECDH1_DERIVE}, {@code
   * CKD_NULL}, no shared data, the peer's uncompressed point as the public data; the derived
   * generic secret is Z, which is read out once (extractable, not sensitive, a session object
   * destroyed with its session) for the software KDF of docs/ECDH.md (see the class comment). The
   * peer key must be an EC key on the handle's curve ({@code ECDH_CURVE_MISMATCH} otherwise) and a
   * valid point on it, checked in Java before the token sees it ({@code CRYPTO_FAILURE}). Z is
   * exactly {@link Algorithms.Curve#fieldLength()} bytes.
   *
   * @throws KeyTransferException {@code ECDH_CURVE_MISMATCH} (a {@link KeyTokenException}) for a
   *     peer key of another curve or kind; {@code CRYPTO_FAILURE} for a handle of another token, an
   *     RSA key or a key without the key-agreement purpose, an invalid point or a token failure
   */
  @Override
  public SecretKeyMaterial agree(PrivateKeyHandle key, PublicKey peer) throws KeyTransferException {
    Pkcs11KeyHandle h = own(key);
    Algorithms.Curve curve = h.curve();
    if (curve == null
        || (h.purpose() != KeyPurpose.KEY_AGREEMENT
            && h.purpose() != KeyPurpose.SIGNING_AND_KEY_AGREEMENT)) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE, "key " + h.label() + " is not a key-agreement key");
    }
    if (Algorithms.Curve.of(peer) != curve) {
      throw new KeyTokenException(
          ErrorCode.ECDH_CURVE_MISMATCH, "the peer key is not an EC key on " + curve);
    }
    ECPoint w = ((ECPublicKey) peer).getW();
    if (!curve.isValidPoint(w)) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE, "the peer key is not a valid point on " + curve);
    }
    byte[] point = EcKeys.uncompressed(w, curve);
    int n = curve.fieldLength();
    byte[] z =
        inSession(
            s -> {
              long secret =
                  s.deriveKey(
                      new Mechanism(
                          CKM_ECDH1_DERIVE, new ECDH1_DERIVE_PARAMS(CKD_NULL, null, point)),
                      h.privateObject(),
                      AttributeVector.newSecretKey(CKK_GENERIC_SECRET)
                          .token(false)
                          .private_(true)
                          .sensitive(false)
                          .extractable(true)
                          .encrypt(false)
                          .decrypt(false)
                          .sign(false)
                          .verify(false)
                          .wrap(false)
                          .unwrap(false)
                          .derive(false));
              try {
                return s.getAttrValues(secret, CKA_VALUE).getByteArrayAttrValue(CKA_VALUE);
              } finally {
                destroyQuietly(s, secret);
              }
            });
    if (z == null || z.length != n) {
      CryptoRules.wipe(z);
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE,
          "the token's ECDH secret is " + (z == null ? "missing" : z.length + " bytes, not " + n));
    }
    return SecretKeyMaterial.adopt(z);
  }

  // ------------------------------------------------------------------------------- key transport

  /**
   * RSA-OAEP (SHA-256, MGF1-SHA-256) to a terminal's public key, in Java (the JCA) with randomness
   * from the token: a public-key operation on a CEK that the codec made in JVM memory.
   */
  @Override
  public byte[] encryptKey(
      PublicKey recipient, Algorithms.KeyTransport algorithm, SecretKeyMaterial key)
      throws KeyTransferException {
    byte[] k = key.copyBytes();
    try {
      Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
      c.init(Cipher.ENCRYPT_MODE, recipient, JcaCryptoProvider.OAEP_SHA256, random);
      return c.doFinal(k);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE, "key transport encryption failed", e);
    } finally {
      CryptoRules.wipe(k);
    }
  }

  /**
   * Decrypts the CEK with the terminal's private key in the token, by this provider's {@link
   * OaepMode}. The CEK comes back into JVM memory as {@link SecretKeyMaterial}.
   */
  @Override
  public SecretKeyMaterial decryptKey(
      PrivateKeyHandle key, Algorithms.KeyTransport algorithm, byte[] encryptedKey)
      throws KeyTokenException {
    if (!(key instanceof Pkcs11KeyHandle h)
        || !connection.sameToken(h.connection())
        || h.purpose() != KeyPurpose.KEY_TRANSPORT
        || encryptedKey == null
        || closed) {
      throw KeyTokenException.decryptionFailed();
    }
    byte[] cek = oaepDecrypt(h, OaepDecoding.Params.SHA256, oaepMode, encryptedKey);
    if (cek == null || cek.length == 0) {
      throw KeyTokenException.decryptionFailed();
    }
    return SecretKeyMaterial.adopt(cek);
  }

  /**
   * RSA-OAEP decryption with a key in the token: {@link OaepMode#RAW} runs {@code CKM_RSA_X_509}
   * and decodes in constant time; {@link OaepMode#TOKEN} runs {@code CKM_RSA_PKCS_OAEP} with the
   * given parameters. Returns null on every failure, whatever its cause (one outcome, R1).
   */
  byte[] oaepDecrypt(
      Pkcs11KeyHandle key, OaepDecoding.Params params, OaepMode mode, byte[] ciphertext) {
    int k = key.modulusBytes();
    if (ciphertext.length != k) {
      return null; // RFC 8017 7.1.2 step 1.b; the length is public
    }
    try {
      if (mode == OaepMode.TOKEN) {
        Mechanism oaep =
            new Mechanism(
                CKM_RSA_PKCS_OAEP,
                new RSA_PKCS_OAEP_PARAMS(
                    hashMechanism(params.hash()),
                    mgf(params.mgfHash()),
                    CKZ_DATA_SPECIFIED,
                    params.label().length == 0 ? null : params.label()));
        return inSession(s -> s.decryptSingle(oaep, key.privateObject(), ciphertext));
      }
      byte[] em =
          inSession(
              s -> s.decryptSingle(new Mechanism(CKM_RSA_X_509), key.privateObject(), ciphertext));
      try {
        return OaepDecoding.decode(em, k, params);
      } finally {
        CryptoRules.wipe(em);
      }
    } catch (KeyTransferException | RuntimeException e) {
      return null;
    }
  }

  // ------------------------------------------------------------------------------- content
  // encryption

  @Override
  public byte[] encrypt(
      Algorithms.ContentEncryption algorithm, SecretKeyMaterial key, byte[] iv, byte[] plaintext)
      throws KeyTransferException {
    if (iv.length != algorithm.ivLength() || key.length() != algorithm.keyLength()) {
      throw new IllegalArgumentException("key or IV length does not fit " + algorithm);
    }
    return cbc(true, algorithm, key, iv, plaintext);
  }

  @Override
  public byte[] decrypt(
      Algorithms.ContentEncryption algorithm, SecretKeyMaterial key, byte[] iv, byte[] ciphertext)
      throws KeyTokenException {
    CryptoRules.checkCbcInput(algorithm, key, iv, ciphertext);
    try {
      return cbc(false, algorithm, key, iv, ciphertext);
    } catch (KeyTransferException | RuntimeException e) {
      throw KeyTokenException.decryptionFailed();
    }
  }

  private byte[] cbc(
      boolean encrypt,
      Algorithms.ContentEncryption algorithm,
      SecretKeyMaterial key,
      byte[] iv,
      byte[] data)
      throws KeyTransferException {
    boolean tdes = algorithm == Algorithms.ContentEncryption.TDES_CBC;
    Mechanism m =
        new Mechanism(tdes ? CKM_DES3_CBC_PAD : CKM_AES_CBC_PAD, new ByteArrayParams(iv.clone()));
    AttributeVector role = new AttributeVector().encrypt(encrypt).decrypt(!encrypt);
    byte[] k = key.copyBytes();
    try {
      return withSecretKey(
          tdes ? CKK_DES3 : CKK_AES,
          k,
          role,
          (s, obj) -> {
            if (!encrypt) {
              return s.decryptSingle(m, obj, data);
            }
            // multi-part, because single-part C_Encrypt of empty input is CKR_ARGUMENTS_BAD on
            // SoftHSM
            s.encryptInit(m, obj);
            byte[] head = data.length == 0 ? new byte[0] : s.encryptUpdate(data);
            byte[] tail = s.encryptFinal();
            byte[] out =
                Arrays.copyOf(
                    head == null ? new byte[0] : head,
                    (head == null ? 0 : head.length) + tail.length);
            System.arraycopy(tail, 0, out, out.length - tail.length, tail.length);
            return out;
          });
    } finally {
      CryptoRules.wipe(k);
    }
  }

  // ------------------------------------------------------------------------------- KCV

  /**
   * Key check values inside the token: CMAC ({@code CKM_AES_CMAC}, {@code CKM_DES3_CMAC}) or
   * TDES-ECB of zeros.
   */
  @Override
  public KeyCheckValue keyCheckValue(SecretKeyMaterial key, KeyCheckValue.Method method)
      throws KeyTransferException {
    byte[] k = key.copyBytes();
    byte[] tdes = null;
    try {
      byte[] full =
          switch (method) {
            case LEGACY_TDES -> {
              tdes = CryptoRules.tdesKey24(k);
              yield withSecretKey(
                  CKK_DES3,
                  tdes,
                  new AttributeVector().encrypt(true),
                  (s, obj) -> s.encryptSingle(new Mechanism(CKM_DES3_ECB), obj, new byte[8]));
            }
            case CMAC_AES ->
                withSecretKey(
                    CKK_AES,
                    k,
                    new AttributeVector().sign(true),
                    (s, obj) -> s.signSingle(new Mechanism(CKM_AES_CMAC), obj, new byte[16]));
            case CMAC_TDES -> {
              tdes = CryptoRules.tdesKey24(k);
              yield withSecretKey(
                  CKK_DES3,
                  tdes,
                  new AttributeVector().sign(true),
                  (s, obj) -> s.signSingle(new Mechanism(CKM_DES3_CMAC), obj, new byte[8]));
            }
          };
      return KeyCheckValue.of(method, Arrays.copyOf(full, method.length()));
    } finally {
      CryptoRules.wipe(k);
      CryptoRules.wipe(tdes);
    }
  }

  /**
   * Raw block operations, in Java (the platform's JCA engines): the key blocks and DUKPT keys they
   * serve are already in JVM memory.
   */
  @Override
  public byte[] cipherBlocks(
      Algorithms.BlockCipher cipher, boolean encrypt, SecretKeyMaterial key, byte[] iv, byte[] data)
      throws KeyTransferException {
    return software.cipherBlocks(cipher, encrypt, key, iv, data);
  }

  /** SHA-256 of public data, in Java. */
  @Override
  public byte[] sha256(byte[] data) {
    return software.sha256(data);
  }

  // ------------------------------------------------------------------------------- sessions

  /** Work to do in one session. */
  @FunctionalInterface
  interface SessionCall<T> {
    T call(Session session) throws TokenException, KeyTransferException;
  }

  /** Work to do with a secret key object that exists only for that work. */
  @FunctionalInterface
  interface SecretKeyCall<T> {
    T call(Session session, long keyObject) throws TokenException, KeyTransferException;
  }

  /**
   * Runs {@code call} in a fresh session that is closed afterwards (a failed operation may leave
   * its session's operation active; closing also destroys every session object).
   *
   * @throws KeyTransferException {@code CRYPTO_FAILURE} with the PKCS#11 error name on a token
   *     failure
   */
  <T> T inSession(SessionCall<T> call) throws KeyTransferException {
    if (closed) {
      throw new IllegalStateException("the PKCS#11 provider is closed");
    }
    Session s = null;
    try {
      s = connection.openSession();
      return call.call(s);
    } catch (TokenException e) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE, "PKCS#11 operation failed: " + errorName(e));
    } finally {
      TokenConnection.closeQuietly(s);
    }
  }

  /**
   * Imports {@code value} as a session secret key ({@code CKA_TOKEN=false}, sensitive, not
   * extractable, with only the roles in {@code roles}), runs {@code call}, and destroys the object.
   * The caller wipes {@code value}.
   */
  <T> T withSecretKey(long keyType, byte[] value, AttributeVector roles, SecretKeyCall<T> call)
      throws KeyTransferException {
    return inSession(
        s -> {
          AttributeVector t =
              AttributeVector.newSecretKey(keyType)
                  .token(false)
                  .private_(true)
                  .sensitive(true)
                  .extractable(false)
                  .value(value);
          for (long type :
              new long[] {
                CKA_ENCRYPT, CKA_DECRYPT, CKA_SIGN, CKA_VERIFY, CKA_WRAP, CKA_UNWRAP, CKA_DERIVE
              }) {
            t.attr(type, Boolean.TRUE.equals(roles.getBooleanAttrValue(type)));
          }
          long obj = s.createObject(t);
          try {
            return call.call(s, obj);
          } finally {
            destroyQuietly(s, obj);
          }
        });
  }

  private Pkcs11KeyHandle own(PrivateKeyHandle key) throws KeyTransferException {
    if (key instanceof Pkcs11KeyHandle h && connection.sameToken(h.connection())) {
      return h;
    }
    throw new KeyTransferException(
        ErrorCode.CRYPTO_FAILURE,
        "key handle "
            + (key == null ? null : key.label())
            + " does not belong to this PKCS#11 token");
  }

  private static RSAPublicKey readPublicKey(Session s, long publicObject)
      throws TokenException, KeyTransferException {
    AttributeVector a = s.getAttrValues(publicObject, CKA_MODULUS, CKA_PUBLIC_EXPONENT);
    return rsaPublicKey(a.modulus(), a.publicExponent());
  }

  private static ECPublicKey readEcPublicKey(Session s, long publicObject, Algorithms.Curve curve)
      throws TokenException, KeyTransferException {
    byte[] attr = s.getAttrValues(publicObject, CKA_EC_POINT).getByteArrayAttrValue(CKA_EC_POINT);
    ECPoint w = attr == null ? null : EcKeys.point(attr, curve);
    if (!curve.isValidPoint(w)) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE, "the token returned an unusable EC public key");
    }
    return EcKeys.publicKey(w, curve);
  }

  private static RSAPublicKey rsaPublicKey(BigInteger modulus, BigInteger exponent)
      throws KeyTransferException {
    try {
      return (RSAPublicKey) RSA_KEYS.generatePublic(new RSAPublicKeySpec(modulus, exponent));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE, "the token returned an unusable RSA public key", e);
    }
  }

  private static void destroyQuietly(Session s, long obj) {
    try {
      s.destroyObject(obj);
    } catch (TokenException e) {
      // the object goes with its session anyway (session objects), or was already destroyed
    }
  }

  private static long hashMechanism(String hash) {
    return switch (hash) {
      case "SHA-1" -> CKM_SHA_1;
      case "SHA-256" -> CKM_SHA256;
      default -> throw new IllegalArgumentException("unsupported OAEP hash " + hash);
    };
  }

  private static long mgf(String hash) {
    return switch (hash) {
      case "SHA-1" -> CKG_MGF1_SHA1;
      case "SHA-256" -> CKG_MGF1_SHA256;
      default -> throw new IllegalArgumentException("unsupported MGF1 hash " + hash);
    };
  }

  private static String errorName(TokenException e) {
    return e instanceof PKCS11Exception p ? p.getErrorName() : e.getClass().getSimpleName();
  }

  private static KeyFactory rsaKeyFactory() {
    try {
      return KeyFactory.getInstance("RSA");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no RSA KeyFactory", e);
    }
  }

  /**
   * Logs out (when this is the last provider on the token) and makes this provider unusable.
   * Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    connection.release();
  }

  @Override
  public String toString() {
    return "Pkcs11CryptoProvider[" + connection + ", oaep=" + oaepMode + "]";
  }

  /** Random bytes from {@code C_GenerateRandom}, one session per request. */
  private static final class TokenRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;

    TokenRandom(Pkcs11CryptoProvider provider) {
      super(new Spi(provider), null);
    }

    @Override
    public String getAlgorithm() {
      return "PKCS11-C_GenerateRandom";
    }

    private static final class Spi extends SecureRandomSpi {
      private static final long serialVersionUID = 1L;
      private final transient Pkcs11CryptoProvider provider;

      Spi(Pkcs11CryptoProvider provider) {
        this.provider = provider;
      }

      @Override
      protected void engineSetSeed(byte[] seed) {
        // the token seeds itself; extra seed material is not mixed in
      }

      @Override
      protected void engineNextBytes(byte[] bytes) {
        if (bytes.length == 0) {
          return;
        }
        try {
          byte[] r = provider.inSession(s -> s.generateRandom(bytes.length));
          System.arraycopy(r, 0, bytes, 0, bytes.length);
          CryptoRules.wipe(r);
        } catch (KeyTransferException e) {
          throw new ProviderException("the token's random generator failed", e);
        }
      }

      @Override
      protected byte[] engineGenerateSeed(int numBytes) {
        byte[] b = new byte[numBytes];
        engineNextBytes(b);
        return b;
      }
    }
  }
}
