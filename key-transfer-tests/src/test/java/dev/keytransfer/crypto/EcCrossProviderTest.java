package dev.keytransfer.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.Algorithms.Curve;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.KeyPurpose;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.crypto.accp.AccpCryptoProvider;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.KeyAgreement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The ECDH mode's EC operations (docs/ECDH.md) across the software providers jca, bc and accp (accp
 * where its native library loads), on every curve, since the Wycheproof vectors cover P-256 only:
 * keys generated in each provider, ECDSA signed in one and verified in all with every hash, ECDH
 * agreeing on one Z from either side and with the JDK's own engine, and the refusals of {@code
 * agree} and of {@code sign}/{@code verify} on keys of the wrong kind or curve.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EcCrossProviderTest {
  private static final byte[] DATA =
      "ECDH mode answer stand-in".getBytes(StandardCharsets.US_ASCII);

  private final Map<String, CryptoProvider> providers = new LinkedHashMap<>();

  /** Per provider, a key on each curve generated in it. */
  private final Map<String, Map<Curve, PrivateKeyHandle>> keys = new LinkedHashMap<>();

  @BeforeAll
  void generateKeys() throws Exception {
    providers.put("jca", new JcaCryptoProvider());
    providers.put("bc", new BcCryptoProvider());
    if (AccpCryptoProvider.unavailableReason().isEmpty()) {
      providers.put("accp", new AccpCryptoProvider());
    } else {
      System.out.println(
          "EC cross-provider: accp left out, " + AccpCryptoProvider.unavailableReason().get());
    }
    for (Map.Entry<String, CryptoProvider> p : providers.entrySet()) {
      Map<Curve, PrivateKeyHandle> m = new EnumMap<>(Curve.class);
      for (Curve c : Curve.values()) {
        m.put(
            c,
            p.getValue()
                .generateEcKeyPair(c, p.getKey() + " " + c, KeyPurpose.SIGNING_AND_KEY_AGREEMENT));
      }
      keys.put(p.getKey(), m);
    }
  }

  @ParameterizedTest
  @EnumSource(Curve.class)
  void generatedKeys_areOnTheirCurve_withTheirLabel(Curve curve) throws Exception {
    for (Map.Entry<String, CryptoProvider> p : providers.entrySet()) {
      PrivateKeyHandle k = keys.get(p.getKey()).get(curve);
      assertThat(Curve.of(k.publicKey())).as(p.getKey()).isEqualTo(curve);
      assertThat(k.label()).isEqualTo(p.getKey() + " " + curve);
      PrivateKeyHandle agreement =
          p.getValue().generateEcKeyPair(curve, "krd", KeyPurpose.KEY_AGREEMENT);
      assertThat(Curve.of(agreement.publicKey())).isEqualTo(curve);
      assertThat(agreement.publicKey()).isNotEqualTo(k.publicKey());
    }
  }

  /** Every ECDSA hash on every curve: signed in each provider, verified in each. */
  @ParameterizedTest
  @EnumSource(Curve.class)
  void ecdsa_signedInOne_verifiesInEvery_forEveryHash(Curve curve) throws Exception {
    List<String> lines = new ArrayList<>();
    for (Algorithms.Signature alg : ecdsa()) {
      for (Map.Entry<String, CryptoProvider> signer : providers.entrySet()) {
        PrivateKeyHandle k = keys.get(signer.getKey()).get(curve);
        byte[] sig = signer.getValue().sign(k, alg, DATA);
        byte[] tampered = DATA.clone();
        tampered[0] ^= 1;
        for (Map.Entry<String, CryptoProvider> verifier : providers.entrySet()) {
          verifier.getValue().verify(k.publicKey(), alg, DATA, sig);
          assertSignatureInvalid(verifier.getValue(), k.publicKey(), alg, tampered, sig);
          // another hash over the same data never verifies
          Algorithms.Signature other = alg == ecdsa().get(0) ? ecdsa().get(1) : ecdsa().get(0);
          assertSignatureInvalid(verifier.getValue(), k.publicKey(), other, DATA, sig);
        }
        // and the JDK's own engine agrees
        java.security.Signature jdk = java.security.Signature.getInstance(alg.jcaName(), "SunEC");
        jdk.initVerify(k.publicKey());
        jdk.update(DATA);
        assertThat(jdk.verify(sig)).as(signer.getKey() + " " + alg).isTrue();
        lines.add(
            curve
                + " "
                + alg
                + " signed by "
                + signer.getKey()
                + ": verified by "
                + providers.keySet());
      }
    }
    lines.forEach(System.out::println);
  }

  /** Z is the same from either side, for every pair of providers, and as the JDK computes it. */
  @ParameterizedTest
  @EnumSource(Curve.class)
  void agree_isSymmetricAcrossProviders_andMatchesTheJdk(Curve curve) throws Exception {
    for (String a : providers.keySet()) {
      for (String b : providers.keySet()) {
        PrivateKeyHandle ka = keys.get(a).get(curve);
        PrivateKeyHandle kb = keys.get(b).get(curve);
        try (SecretKeyMaterial zab = providers.get(a).agree(ka, kb.publicKey());
            SecretKeyMaterial zba = providers.get(b).agree(kb, ka.publicKey())) {
          assertThat(zab.length()).isEqualTo(curve.fieldLength());
          assertThat(zab.equalsKey(zba)).as(a + " with " + b + " on " + curve).isTrue();
          KeyAgreement jdk = KeyAgreement.getInstance("ECDH", "SunEC");
          jdk.init(((SoftwareKeyHandle) ka).privateKey());
          jdk.doPhase(kb.publicKey(), true);
          byte[] expected = jdk.generateSecret();
          assertThat(zab.copyBytes()).isEqualTo(expected);
        }
      }
    }
    System.out.println(curve + " ECDH: one Z for every pair of " + providers.keySet());
  }

  @Test
  void agree_withAPeerOnAnotherCurve_orNotEc_isCurveMismatch() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    PublicKey rsaKey = rsa.generateKeyPair().getPublic();
    for (Map.Entry<String, CryptoProvider> p : providers.entrySet()) {
      for (Curve mine : Curve.values()) {
        for (Curve theirs : Curve.values()) {
          if (mine == theirs) {
            continue;
          }
          assertCurveMismatch(
              p.getValue(),
              keys.get(p.getKey()).get(mine),
              keys.get(p.getKey()).get(theirs).publicKey());
        }
        assertCurveMismatch(p.getValue(), keys.get(p.getKey()).get(mine), rsaKey);
        assertCurveMismatch(
            p.getValue(), keys.get(p.getKey()).get(mine), otherCurveKey("secp256k1"));
        assertThatThrownBy(() -> p.getValue().agree(keys.get(p.getKey()).get(mine), null))
            .isInstanceOf(KeyTokenException.class)
            .hasFieldOrPropertyWithValue("code", ErrorCode.ECDH_CURVE_MISMATCH);
      }
    }
  }

  /**
   * Points that are not valid public keys on the right curve (SP 800-56A rev. 3 5.6.2.3.3) are
   * refused before any engine sees them: off the curve, the point at infinity, a coordinate not
   * reduced mod p (on the curve mod p, so only the range check finds it).
   */
  @ParameterizedTest
  @EnumSource(Curve.class)
  void agree_withAnInvalidPoint_isCryptoFailure(Curve curve) throws Exception {
    ECParameterSpec params = curve.parameters();
    BigInteger p = ((ECFieldFp) params.getCurve().getField()).getP();
    for (Map.Entry<String, CryptoProvider> prov : providers.entrySet()) {
      PrivateKeyHandle mine = keys.get(prov.getKey()).get(curve);
      ECPoint good = ((ECPublicKey) keys.get(prov.getKey()).get(curve).publicKey()).getW();
      ECPoint offCurve =
          new ECPoint(good.getAffineX(), good.getAffineY().add(BigInteger.ONE).mod(p));
      ECPoint unreduced = new ECPoint(good.getAffineX().add(p), good.getAffineY());
      ECPoint negativeY = new ECPoint(good.getAffineX(), good.getAffineY().subtract(p));
      for (ECPoint bad : List.of(offCurve, unreduced, negativeY, ECPoint.POINT_INFINITY)) {
        assertThatThrownBy(() -> prov.getValue().agree(mine, new RawEcKey(bad, params)))
            .as(prov.getKey() + " " + curve + " " + bad)
            .isExactlyInstanceOf(KeyTransferException.class)
            .hasFieldOrPropertyWithValue("code", ErrorCode.CRYPTO_FAILURE)
            .hasMessageContaining("not a valid point");
      }
      // the same check passes the real point in the same wrapper
      try (SecretKeyMaterial z = prov.getValue().agree(mine, new RawEcKey(good, params))) {
        assertThat(z.length()).isEqualTo(curve.fieldLength());
      }
    }
  }

  @Test
  void keyOfTheWrongKind_signIsCryptoFailure_verifyIsSignatureInvalid() throws Exception {
    for (Map.Entry<String, CryptoProvider> p : providers.entrySet()) {
      CryptoProvider c = p.getValue();
      PrivateKeyHandle ec = keys.get(p.getKey()).get(Curve.P256);
      PrivateKeyHandle rsa = c.generateRsaKeyPair(2048, "rsa", KeyPurpose.SIGNING);
      assertCryptoFailure(() -> c.sign(ec, Algorithms.Signature.RSA_PKCS1_SHA256, DATA));
      assertCryptoFailure(() -> c.sign(rsa, Algorithms.Signature.ECDSA_SHA256, DATA));
      assertCryptoFailure(() -> c.agree(rsa, ec.publicKey()));
      byte[] ecSig = c.sign(ec, Algorithms.Signature.ECDSA_SHA256, DATA);
      byte[] rsaSig = c.sign(rsa, Algorithms.Signature.RSA_PKCS1_SHA256, DATA);
      for (Algorithms.Signature alg : Algorithms.Signature.values()) {
        PublicKey wrong = alg.isEcdsa() ? rsa.publicKey() : ec.publicKey();
        assertSignatureInvalid(c, wrong, alg, DATA, alg.isEcdsa() ? ecSig : rsaSig);
        assertSignatureInvalid(c, wrong, alg, DATA, alg.isEcdsa() ? rsaSig : ecSig);
      }
      // the verifiers this thread keeps still verify after those failures
      assertThatCode(
              () -> {
                c.verify(ec.publicKey(), Algorithms.Signature.ECDSA_SHA256, DATA, ecSig);
                c.verify(rsa.publicKey(), Algorithms.Signature.RSA_PKCS1_SHA256, DATA, rsaSig);
              })
          .as(p.getKey())
          .doesNotThrowAnyException();
    }
  }

  /**
   * docs/SECURITY.md R3: an ECDSA signature that is not strict DER, or whose r or s is out of [1,
   * n-1], is refused by every provider, even where the mathematics would verify.
   */
  @ParameterizedTest
  @EnumSource(Curve.class)
  void ecdsa_nonDerOrOutOfRange_refusedByEveryProvider(Curve curve) throws Exception {
    for (Map.Entry<String, CryptoProvider> p : providers.entrySet()) {
      PrivateKeyHandle k = keys.get(p.getKey()).get(curve);
      Algorithms.Signature alg = curve.signature();
      byte[] sig = p.getValue().sign(k, alg, DATA);
      BigInteger[] rs = decode(sig);
      BigInteger n = curve.parameters().getOrder();
      assertThat(encode(rs[0].toByteArray(), rs[1].toByteArray())).isEqualTo(sig);
      List<byte[]> bad = new ArrayList<>();
      bad.add(encode(pad(rs[0].toByteArray()), rs[1].toByteArray())); // leading 00 not needed
      bad.add(encode(rs[0].toByteArray(), pad(rs[1].toByteArray())));
      bad.add(concat(sig, new byte[] {0})); // trailing byte
      bad.add(encode(rs[0].add(n).toByteArray(), rs[1].toByteArray())); // r + n: same r mod n
      bad.add(encode(rs[0].toByteArray(), rs[1].add(n).toByteArray()));
      bad.add(encode(new byte[] {0}, rs[1].toByteArray())); // r = 0
      bad.add(encode(rs[0].toByteArray(), n.toByteArray())); // s = n
      bad.add(encode(rs[0].negate().toByteArray(), rs[1].toByteArray()));
      bad.add(new byte[0]);
      for (CryptoProvider verifier : providers.values()) {
        verifier.verify(k.publicKey(), alg, DATA, sig);
        for (byte[] b : bad) {
          assertSignatureInvalid(verifier, k.publicKey(), alg, DATA, b);
        }
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private static List<Algorithms.Signature> ecdsa() {
    return List.of(
        Algorithms.Signature.ECDSA_SHA256,
        Algorithms.Signature.ECDSA_SHA384,
        Algorithms.Signature.ECDSA_SHA512);
  }

  private static void assertSignatureInvalid(
      CryptoProvider c, PublicKey key, Algorithms.Signature alg, byte[] data, byte[] sig) {
    assertThatThrownBy(() -> c.verify(key, alg, data, sig))
        .as(c.name() + " " + alg)
        .isInstanceOf(SignatureInvalidException.class)
        .hasFieldOrPropertyWithValue("code", ErrorCode.SIGNATURE_INVALID);
  }

  private static void assertCryptoFailure(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    assertThatThrownBy(call)
        .isExactlyInstanceOf(KeyTransferException.class)
        .hasFieldOrPropertyWithValue("code", ErrorCode.CRYPTO_FAILURE);
  }

  private static void assertCurveMismatch(CryptoProvider c, PrivateKeyHandle mine, PublicKey peer) {
    assertThatThrownBy(() -> c.agree(mine, peer))
        .as(c.name() + " " + mine.label() + " with " + peer.getAlgorithm())
        .isInstanceOf(KeyTokenException.class)
        .hasFieldOrPropertyWithValue("code", ErrorCode.ECDH_CURVE_MISMATCH);
  }

  /** A public key on a curve the ECDH mode does not use (Bouncy Castle has secp256k1). */
  private static PublicKey otherCurveKey(String name) throws Exception {
    KeyPairGenerator g =
        KeyPairGenerator.getInstance(
            "EC", new org.bouncycastle.jce.provider.BouncyCastleProvider());
    g.initialize(new java.security.spec.ECGenParameterSpec(name));
    PublicKey k = g.generateKeyPair().getPublic();
    assertThat(Curve.of(k)).isNull();
    return k;
  }

  /** r and s of a DER ECDSA-Sig-Value as the provider wrote it (short or 81 long-form lengths). */
  private static BigInteger[] decode(byte[] der) {
    int pos = der[1] == (byte) 0x81 ? 3 : 2;
    BigInteger[] rs = new BigInteger[2];
    for (int i = 0; i < 2; i++) {
      assertThat(der[pos]).isEqualTo((byte) 0x02);
      int len = der[pos + 1] & 0xFF;
      rs[i] = new BigInteger(java.util.Arrays.copyOfRange(der, pos + 2, pos + 2 + len));
      pos += 2 + len;
    }
    return rs;
  }

  private static byte[] encode(byte[] r, byte[] s) {
    return tlv(0x30, concat(tlv(0x02, r), tlv(0x02, s)));
  }

  private static byte[] tlv(int tag, byte[] value) {
    byte[] header =
        value.length < 0x80
            ? new byte[] {(byte) tag, (byte) value.length}
            : new byte[] {(byte) tag, (byte) 0x81, (byte) value.length};
    return concat(header, value);
  }

  private static byte[] pad(byte[] v) {
    return concat(new byte[] {0}, v);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * An EC public key holding any point, which no key factory would build: the provider's own checks
   * must refuse the bad ones.
   */
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
      return "X.509";
    }

    @Override
    public byte[] getEncoded() {
      // the valid point's SPKI, so an engine that converts keys through their encoding can
      try {
        return KeyFactory.getInstance("EC")
            .generatePublic(new ECPublicKeySpec(w, params))
            .getEncoded();
      } catch (Exception e) {
        return null;
      }
    }
  }
}
