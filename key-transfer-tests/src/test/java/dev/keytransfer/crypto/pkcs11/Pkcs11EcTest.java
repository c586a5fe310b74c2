package dev.keytransfer.crypto.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_ALWAYS_SENSITIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_DECRYPT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_DERIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EC_PARAMS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_KEY_TYPE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_NEVER_EXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_PRIVATE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SENSITIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SIGN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_TOKEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_UNWRAP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VERIFY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_WRAP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKD_SHA256_KDF;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_EC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_GENERIC_SECRET;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_ECDH1_DERIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_ECDSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_EC_KEY_PAIR_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_X_509;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.Algorithms.Curve;
import dev.keytransfer.core.spi.KeyPurpose;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.crypto.testing.SoftHsm;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.crypto.KeyAgreement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.KeyPairTemplate;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.params.ECDH1_DERIVE_PARAMS;

/**
 * The EC keys of the ECDH mode (docs/ECDH.md) in a real token (SoftHSM2): key generation per curve
 * with the attributes read back, ECDSA against the JDK both ways, ECDH against the JDK, and the
 * refusals (another curve, a point off the curve, the wrong algorithm, decryption with a
 * key-agreement key).
 */
@Tag("hsm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Pkcs11EcTest {
  private static final byte[] DATA = "ECDH mode answer".getBytes(StandardCharsets.US_ASCII);

  private Pkcs11CryptoProvider p11;
  private final Map<Curve, Pkcs11KeyHandle> terminalKeys = new EnumMap<>(Curve.class);
  private final Map<Curve, Pkcs11KeyHandle> hostKeys = new EnumMap<>(Curve.class);
  private final List<PrivateKeyHandle> toDestroy = new ArrayList<>();

  @BeforeAll
  void open() throws Exception {
    p11 = Pkcs11CryptoProvider.open(SoftHsm.token());
    for (Curve c : Curve.values()) {
      terminalKeys.put(c, keep(p11.generateEcKeyPair(c, "krd-" + c, KeyPurpose.KEY_AGREEMENT)));
      hostKeys.put(
          c, keep(p11.generateEcKeyPair(c, "kdh-" + c, KeyPurpose.SIGNING_AND_KEY_AGREEMENT)));
    }
  }

  @AfterAll
  void close() throws Exception {
    if (p11 != null) {
      for (PrivateKeyHandle k : toDestroy) {
        p11.destroyKey(k);
      }
      p11.close();
    }
  }

  private Pkcs11KeyHandle keep(Pkcs11KeyHandle k) {
    toDestroy.add(k);
    return k;
  }

  private AttributeVector attributes(long object, long... types) throws KeyTransferException {
    return p11.inSession(s -> s.getAttrValues(object, types));
  }

  private int objectCount() throws KeyTransferException {
    return p11.inSession(s -> s.findAllObjectsSingle(new AttributeVector()).length);
  }

  private static KeyPair jdkKeyPair(Curve c) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(c.jcaName()));
    return g.generateKeyPair();
  }

  private static ErrorCode code(Throwable t) {
    return ((KeyTransferException) t).code();
  }

  // ------------------------------------------------------------------ key generation

  @ParameterizedTest
  @EnumSource(Curve.class)
  void generatedKeys_attributesReadBackFromTheToken(Curve c) throws Exception {
    for (Pkcs11KeyHandle k : List.of(terminalKeys.get(c), hostKeys.get(c))) {
      assertThat(k.curve()).isEqualTo(c);
      assertThat(Curve.of(k.publicKey())).isEqualTo(c);
      AttributeVector a =
          attributes(
              k.privateObject(),
              CKA_KEY_TYPE,
              CKA_TOKEN,
              CKA_PRIVATE,
              CKA_SENSITIVE,
              CKA_ALWAYS_SENSITIVE,
              CKA_EXTRACTABLE,
              CKA_NEVER_EXTRACTABLE,
              CKA_DERIVE,
              CKA_SIGN,
              CKA_DECRYPT,
              CKA_UNWRAP,
              CKA_EC_PARAMS);
      assertThat(a.keyType()).as(k.label()).isEqualTo(CKK_EC);
      assertThat(a.getBooleanAttrValue(CKA_TOKEN)).as(k.label()).isTrue();
      assertThat(a.getBooleanAttrValue(CKA_PRIVATE)).as(k.label()).isTrue();
      assertThat(a.getBooleanAttrValue(CKA_SENSITIVE)).as(k.label()).isTrue();
      assertThat(a.getBooleanAttrValue(CKA_ALWAYS_SENSITIVE)).as(k.label()).isTrue();
      assertThat(a.getBooleanAttrValue(CKA_EXTRACTABLE)).as(k.label()).isFalse();
      assertThat(a.getBooleanAttrValue(CKA_NEVER_EXTRACTABLE)).as(k.label()).isTrue();
      assertThat(a.getBooleanAttrValue(CKA_DERIVE)).as(k.label()).isTrue();
      // both sign: the host its answers, the terminal its certification request (proof of
      // possession), as the RSA key-transport key does
      assertThat(a.getBooleanAttrValue(CKA_SIGN)).as(k.label()).isTrue();
      assertThat(a.getBooleanAttrValue(CKA_DECRYPT)).as(k.label()).isFalse();
      assertThat(a.getBooleanAttrValue(CKA_UNWRAP)).as(k.label()).isFalse();
      assertThat(a.ecParams()).as(k.label()).isEqualTo(EcKeys.ecParams(c));
      AttributeVector pub = attributes(k.publicObject(), CKA_VERIFY, CKA_WRAP, CKA_EC_PARAMS);
      assertThat(pub.getBooleanAttrValue(CKA_VERIFY))
          .as(k.label())
          .isEqualTo(k.purpose() == KeyPurpose.SIGNING_AND_KEY_AGREEMENT);
      assertThat(pub.getBooleanAttrValue(CKA_WRAP)).as(k.label()).isFalse();
    }
    assertThat(terminalKeys.get(c).purpose()).isEqualTo(KeyPurpose.KEY_AGREEMENT);
    assertThat(hostKeys.get(c).purpose()).isEqualTo(KeyPurpose.SIGNING_AND_KEY_AGREEMENT);
  }

  /**
   * CKA_ALLOWED_MECHANISMS, by what the token does: ipkcs11wrapper 1.0.9 hands the attribute back
   * as one {@code Long}, not the array, so the list cannot be compared here, and SoftHSM2 2.6.1 has
   * no EC mechanism beyond {@code CKM_ECDSA} and {@code CKM_ECDH1_DERIVE} to be refused ({@code
   * CKM_ECDSA_SHA256} is {@code CKR_MECHANISM_INVALID} for any key). So: the token enforces the
   * list on EC keys (a key allowed only {@code CKM_ECDH1_DERIVE} cannot {@code CKM_ECDSA} in spite
   * of {@code CKA_SIGN}), and the provider's keys can do both mechanisms of theirs.
   */
  @ParameterizedTest
  @EnumSource(Curve.class)
  void allowedMechanisms_enforcedOnEcKeys_bothOfTheProvidersAllowed(Curve c) throws Exception {
    byte[] digest = new byte[32];
    assertThatThrownBy(
            () ->
                p11.inSession(
                    s -> {
                      var pair =
                          s.generateKeyPair(
                              new Mechanism(CKM_EC_KEY_PAIR_GEN),
                              new KeyPairTemplate(
                                  AttributeVector.newECPrivateKey()
                                      .token(false)
                                      .sign(true)
                                      .derive(true)
                                      .allowedMechanisms(new long[] {CKM_ECDH1_DERIVE}),
                                  AttributeVector.newECPublicKey()
                                      .token(false)
                                      .ecParams(EcKeys.ecParams(c))));
                      return s.signSingle(new Mechanism(CKM_ECDSA), pair.getPrivateKey(), digest);
                    }))
        .isInstanceOf(KeyTransferException.class)
        .hasMessageContaining("CKR_MECHANISM_INVALID");
    for (Pkcs11KeyHandle k : List.of(terminalKeys.get(c), hostKeys.get(c))) {
      byte[] rs =
          p11.inSession(s -> s.signSingle(new Mechanism(CKM_ECDSA), k.privateObject(), digest));
      assertThat(rs).hasSize(2 * c.fieldLength());
      try (SecretKeyMaterial z = p11.agree(k, jdkKeyPair(c).getPublic())) {
        assertThat(z.length()).isEqualTo(c.fieldLength());
      }
    }
  }

  @Test
  void generateEcKeyPair_refusesNonAgreementPurposes() {
    for (KeyPurpose p : new KeyPurpose[] {KeyPurpose.SIGNING, KeyPurpose.KEY_TRANSPORT}) {
      assertThatThrownBy(() -> p11.generateEcKeyPair(Curve.P256, "no", p))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  /** K5 as for RSA: a destroyed key leaves no object, and ECDH and ECDSA leave none behind. */
  @Test
  void destroyKey_andEcOperations_leaveNoObjectBehind() throws Exception {
    int before = objectCount();
    Pkcs11KeyHandle k = p11.generateEcKeyPair(Curve.P384, "short-lived", KeyPurpose.KEY_AGREEMENT);
    assertThat(objectCount()).isEqualTo(before + 2);
    p11.agree(k, jdkKeyPair(Curve.P384).getPublic()).destroy();
    byte[] sig = p11.sign(k, Algorithms.Signature.ECDSA_SHA384, DATA);
    p11.verify(k.publicKey(), Algorithms.Signature.ECDSA_SHA384, DATA, sig);
    assertThat(objectCount()).isEqualTo(before + 2);
    p11.destroyKey(k);
    assertThat(objectCount()).isEqualTo(before);
  }

  // ------------------------------------------------------------------ ECDSA

  @ParameterizedTest
  @EnumSource(Curve.class)
  void ecdsa_tokenSigns_jdkVerifies_andBack(Curve c) throws Exception {
    Pkcs11KeyHandle k = hostKeys.get(c);
    Algorithms.Signature alg = c.signature();
    byte[] sig = p11.sign(k, alg, DATA);
    Signature jdk = Signature.getInstance(alg.jcaName());
    jdk.initVerify(k.publicKey());
    jdk.update(DATA);
    assertThat(jdk.verify(sig)).as("JDK verifies the token's DER signature").isTrue();
    p11.verify(k.publicKey(), alg, DATA, sig);

    KeyPair soft = jdkKeyPair(c);
    jdk.initSign(soft.getPrivate());
    jdk.update(DATA);
    byte[] jdkSig = jdk.sign();
    p11.verify(soft.getPublic(), alg, DATA, jdkSig);

    byte[] other = DATA.clone();
    other[0] ^= 1;
    assertThatThrownBy(() -> p11.verify(soft.getPublic(), alg, other, jdkSig))
        .isInstanceOf(SignatureInvalidException.class)
        .extracting(Pkcs11EcTest::code)
        .isEqualTo(ErrorCode.SIGNATURE_INVALID);
    // BER (a long-form length where DER has the short form) is refused before the token
    byte[] ber = berOf(jdkSig);
    if (ber != null) {
      assertThatThrownBy(() -> p11.verify(soft.getPublic(), alg, DATA, ber))
          .isInstanceOf(SignatureInvalidException.class);
    }
    // the empty message signs and verifies too
    p11.verify(k.publicKey(), alg, new byte[0], p11.sign(k, alg, new byte[0]));
  }

  /** The algorithm's hash is used whatever the curve: every ECDSA hash on every curve. */
  @ParameterizedTest
  @EnumSource(Curve.class)
  void ecdsa_honoursTheHashOfTheAlgorithm(Curve c) throws Exception {
    Pkcs11KeyHandle k = terminalKeys.get(c);
    for (Algorithms.Signature alg :
        new Algorithms.Signature[] {
          Algorithms.Signature.ECDSA_SHA256,
          Algorithms.Signature.ECDSA_SHA384,
          Algorithms.Signature.ECDSA_SHA512
        }) {
      byte[] sig = p11.sign(k, alg, DATA);
      Signature jdk = Signature.getInstance(alg.jcaName());
      jdk.initVerify(k.publicKey());
      jdk.update(DATA);
      assertThat(jdk.verify(sig)).as(c + " " + alg).isTrue();
      for (Algorithms.Signature wrong : Algorithms.Signature.values()) {
        if (wrong != alg) {
          assertThatThrownBy(() -> p11.verify(k.publicKey(), wrong, DATA, sig))
              .as(c + " signed with " + alg + ", verified as " + wrong)
              .isInstanceOf(SignatureInvalidException.class);
        }
      }
    }
  }

  @Test
  void keyAndAlgorithmMismatch_cryptoFailureOnSign_signatureInvalidOnVerify() throws Exception {
    try (var rsaOwner = Pkcs11CryptoProvider.open(SoftHsm.token())) {
      Pkcs11KeyHandle rsa = rsaOwner.generateRsaKeyPair(2048, "rsa-mismatch", KeyPurpose.SIGNING);
      try {
        assertThatThrownBy(() -> p11.sign(rsa, Algorithms.Signature.ECDSA_SHA256, DATA))
            .isInstanceOf(KeyTransferException.class)
            .extracting(Pkcs11EcTest::code)
            .isEqualTo(ErrorCode.CRYPTO_FAILURE);
        byte[] rsaSig = p11.sign(rsa, Algorithms.Signature.RSA_PKCS1_SHA256, DATA);
        assertThatThrownBy(
                () -> p11.verify(rsa.publicKey(), Algorithms.Signature.ECDSA_SHA256, DATA, rsaSig))
            .isInstanceOf(SignatureInvalidException.class);
        assertThatThrownBy(() -> p11.agree(rsa, jdkKeyPair(Curve.P256).getPublic()))
            .isInstanceOf(KeyTransferException.class)
            .extracting(Pkcs11EcTest::code)
            .isEqualTo(ErrorCode.CRYPTO_FAILURE);
      } finally {
        p11.destroyKey(rsa);
      }
    }
    Pkcs11KeyHandle ec = hostKeys.get(Curve.P256);
    assertThatThrownBy(() -> p11.sign(ec, Algorithms.Signature.RSA_PKCS1_SHA256, DATA))
        .isInstanceOf(KeyTransferException.class)
        .extracting(Pkcs11EcTest::code)
        .isEqualTo(ErrorCode.CRYPTO_FAILURE);
    byte[] ecSig = p11.sign(ec, Algorithms.Signature.ECDSA_SHA256, DATA);
    assertThatThrownBy(
            () -> p11.verify(ec.publicKey(), Algorithms.Signature.RSA_PKCS1_SHA256, DATA, ecSig))
        .isInstanceOf(SignatureInvalidException.class);
    // a signature of the right form under a key of another curve
    assertThatThrownBy(
            () ->
                p11.verify(
                    hostKeys.get(Curve.P384).publicKey(),
                    Algorithms.Signature.ECDSA_SHA256,
                    DATA,
                    ecSig))
        .isInstanceOf(SignatureInvalidException.class);
  }

  // ------------------------------------------------------------------ ECDH

  @ParameterizedTest
  @EnumSource(Curve.class)
  void agree_inTheToken_equalsJdkEcdh(Curve c) throws Exception {
    for (Pkcs11KeyHandle k : List.of(terminalKeys.get(c), hostKeys.get(c))) {
      KeyPair peer = jdkKeyPair(c);
      byte[] z;
      try (SecretKeyMaterial s = p11.agree(k, peer.getPublic())) {
        z = s.copyBytes();
      }
      assertThat(z).hasSize(c.fieldLength());
      KeyAgreement ka = KeyAgreement.getInstance("ECDH");
      ka.init(peer.getPrivate());
      ka.doPhase(k.publicKey(), true);
      assertThat(z).as(k.label()).isEqualTo(ka.generateSecret());
    }
    // both token keys: the host's and the terminal's view of the same Z
    try (SecretKeyMaterial a = p11.agree(terminalKeys.get(c), hostKeys.get(c).publicKey());
        SecretKeyMaterial b = p11.agree(hostKeys.get(c), terminalKeys.get(c).publicKey())) {
      assertThat(a.equalsKey(b)).isTrue();
    }
  }

  @Test
  void agree_peerOfAnotherCurveOrKind_curveMismatch() throws Exception {
    for (Curve c : Curve.values()) {
      for (Curve other : Curve.values()) {
        if (other != c) {
          PublicKey peer = jdkKeyPair(other).getPublic();
          assertThatThrownBy(() -> p11.agree(terminalKeys.get(c), peer))
              .as(c + " with a " + other + " peer")
              .isInstanceOf(KeyTokenException.class)
              .extracting(Pkcs11EcTest::code)
              .isEqualTo(ErrorCode.ECDH_CURVE_MISMATCH);
        }
      }
    }
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    PublicKey rsaPeer = rsa.generateKeyPair().getPublic();
    assertThatThrownBy(() -> p11.agree(terminalKeys.get(Curve.P256), rsaPeer))
        .isInstanceOf(KeyTokenException.class)
        .extracting(Pkcs11EcTest::code)
        .isEqualTo(ErrorCode.ECDH_CURVE_MISMATCH);
    assertThatThrownBy(() -> p11.agree(terminalKeys.get(Curve.P256), null))
        .isInstanceOf(KeyTokenException.class)
        .extracting(Pkcs11EcTest::code)
        .isEqualTo(ErrorCode.ECDH_CURVE_MISMATCH);
  }

  @ParameterizedTest
  @EnumSource(Curve.class)
  void agree_invalidPoint_cryptoFailure(Curve c) throws Exception {
    ECParameterSpec spec = c.parameters();
    BigInteger p = ((ECFieldFp) spec.getCurve().getField()).getP();
    ECPoint good = ((ECPublicKey) jdkKeyPair(c).getPublic()).getW();
    List<ECPoint> bad =
        List.of(
            new ECPoint(good.getAffineX(), good.getAffineY().add(BigInteger.ONE).mod(p)),
            new ECPoint(BigInteger.ZERO, BigInteger.ZERO),
            new ECPoint(good.getAffineX().add(p), good.getAffineY()),
            new ECPoint(good.getAffineX(), good.getAffineY().negate()),
            ECPoint.POINT_INFINITY);
    int before = objectCount();
    for (ECPoint w : bad) {
      assertThatThrownBy(() -> p11.agree(terminalKeys.get(c), new RawEcKey(w, spec)))
          .as(c + " point " + w)
          .isInstanceOf(KeyTransferException.class)
          .extracting(Pkcs11EcTest::code)
          .isEqualTo(ErrorCode.CRYPTO_FAILURE);
      assertThatThrownBy(
              () -> p11.verify(new RawEcKey(w, spec), c.signature(), DATA, new byte[] {0x30, 0}))
          .isInstanceOf(SignatureInvalidException.class);
    }
    assertThat(objectCount()).isEqualTo(before);
  }

  // ------------------------------------------------------------------ roles

  @Test
  void keyAgreementKeys_cannotDecrypt_inTheProviderOrTheToken() throws Exception {
    byte[] block = new byte[256];
    block[1] = 1;
    for (Pkcs11KeyHandle k : List.of(terminalKeys.get(Curve.P256), hostKeys.get(Curve.P256))) {
      assertThatThrownBy(() -> p11.decryptKey(k, Algorithms.KeyTransport.RSA_OAEP_SHA256, block))
          .as(k.label())
          .isInstanceOf(KeyTokenException.class)
          .extracting(Pkcs11EcTest::code)
          .isEqualTo(ErrorCode.KEY_TOKEN_INVALID);
      // the token refuses a decryption with the key whatever the mechanism (CKA_DECRYPT false,
      // and no RSA mechanism is allowed for it)
      assertThatThrownBy(
              () ->
                  p11.inSession(
                      s -> s.decryptSingle(new Mechanism(CKM_RSA_X_509), k.privateObject(), block)))
          .as(k.label())
          .isInstanceOf(KeyTransferException.class)
          .hasMessageContaining("CKR_");
    }
  }

  /**
   * What the class comment says of SoftHSM2: {@code CKM_ECDH1_DERIVE} takes {@code CKD_NULL} only,
   * so Z has to leave the token for the KDF of docs/ECDH.md.
   */
  @Test
  void softHsm_ecdhDerive_takesOnlyCkdNull() throws Exception {
    Pkcs11KeyHandle k = terminalKeys.get(Curve.P256);
    byte[] point =
        EcKeys.uncompressed(((ECPublicKey) jdkKeyPair(Curve.P256).getPublic()).getW(), Curve.P256);
    assertThatThrownBy(
            () ->
                p11.inSession(
                    s ->
                        s.deriveKey(
                            new Mechanism(
                                CKM_ECDH1_DERIVE,
                                new ECDH1_DERIVE_PARAMS(CKD_SHA256_KDF, null, point)),
                            k.privateObject(),
                            AttributeVector.newSecretKey(CKK_GENERIC_SECRET)
                                .token(false)
                                .valueLen(32))))
        .isInstanceOf(KeyTransferException.class)
        .hasMessageContaining("CKR_")
        .satisfies(
            e ->
                System.out.println(
                    "SoftHSM2, CKM_ECDH1_DERIVE with CKD_SHA256_KDF: " + e.getMessage()));
  }

  @Test
  void keyHandle_findsEcKeysByLabel_withCurveAndPurpose() throws Exception {
    for (Curve c : Curve.values()) {
      for (Pkcs11KeyHandle k : List.of(terminalKeys.get(c), hostKeys.get(c))) {
        Pkcs11KeyHandle found = p11.keyHandle(k.label());
        assertThat(found.publicKey()).as(k.label()).isEqualTo(k.publicKey());
        assertThat(found.curve()).as(k.label()).isEqualTo(c);
        assertThat(found.purpose()).as(k.label()).isEqualTo(k.purpose());
        byte[] sig = p11.sign(found, c.signature(), DATA);
        p11.verify(k.publicKey(), c.signature(), DATA, sig);
      }
    }
  }

  @Test
  void toString_namesTheCurve_noKeyMaterial() {
    assertThat(hostKeys.get(Curve.P521).toString())
        .contains("EC-P521")
        .contains("SIGNING_AND_KEY_AGREEMENT")
        .contains("private key in token");
  }

  /** A DER signature with its SEQUENCE length in long form (BER), or null if it is too long. */
  private static byte[] berOf(byte[] der) {
    if ((der[1] & 0x80) != 0) {
      return null;
    }
    byte[] out = new byte[der.length + 1];
    out[0] = 0x30;
    out[1] = (byte) 0x81;
    out[2] = der[1];
    System.arraycopy(der, 2, out, 3, der.length - 2);
    return out;
  }

  /** An EC public key with any point, unchecked, as a hostile peer could present one. */
  private record RawEcKey(ECPoint w, ECParameterSpec params) implements ECPublicKey {
    @Override
    public ECPoint getW() {
      return w;
    }

    @Override
    public ECParameterSpec getParams() {
      return params;
    }

    @Override
    public String getAlgorithm() {
      return "EC";
    }

    @Override
    public String getFormat() {
      return null;
    }

    @Override
    public byte[] getEncoded() {
      return null;
    }
  }
}
