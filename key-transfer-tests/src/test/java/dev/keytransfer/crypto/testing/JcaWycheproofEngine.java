package dev.keytransfer.crypto.testing;

import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Wycheproof engine of a software provider: JCA engines of named {@link Provider} instances,
 * the same classes the provider itself asks (a private Bouncy Castle instance for bc, and for jca's
 * CMAC; SunJCE, SunRsaSign and SunEC for jca). OAEP goes through the providers' own OAEP routine
 * ({@link JcaCryptoProvider#oaepDecrypt}), ECDSA and ECDH through the SPI ({@link
 * CryptoProvider#verify}, {@link CryptoProvider#agree}) with keys parsed by the EC provider
 * instance; AES-192-CBC refuses empty and misaligned input first, as the providers' CBC does.
 */
public final class JcaWycheproofEngine implements WycheproofEngine {
  /** Which provider instance and transformation runs each family. */
  public record Engines(
      Provider pss, Provider ec, Provider cbc, Provider keyWrap, String keyWrapTransformation) {}

  private final JcaCryptoProvider provider;
  private final Engines e;
  private final Map<String, String> routes;

  public JcaWycheproofEngine(JcaCryptoProvider provider, Engines engines) {
    this.provider = provider;
    this.e = engines;
    this.routes =
        Map.of(
            "oaep", "the provider's OAEP routine (" + provider + ")",
            "pss", name(e.pss()) + " RSASSA-PSS",
            "ecdsa", "CryptoProvider.verify ECDSA (SPKI parsed by " + name(e.ec()) + ")",
            "ecdh", "CryptoProvider.agree (keys parsed by " + name(e.ec()) + ")",
            "cmac", "the provider's CMAC (SP 800-38B over its AES)",
            "cbc", "SPI (AES-128/256) + " + name(e.cbc()) + " AES/CBC/PKCS5Padding (AES-192)",
            "kw", name(e.keyWrap()) + " " + e.keyWrapTransformation());
  }

  @Override
  public CryptoProvider provider() {
    return provider;
  }

  @Override
  public Map<String, String> routes() {
    return routes;
  }

  @Override
  public PrivateKeyHandle keyTransportKey(RSAPrivateCrtKey key) throws Exception {
    PublicKey pub =
        KeyFactory.getInstance("RSA")
            .generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
    return SoftwareKeyHandle.of(new KeyPair(pub, key), "wycheproof");
  }

  @Override
  public byte[] oaepDecrypt(
      RSAPrivateCrtKey key, String hash, String mgfHash, byte[] label, byte[] ciphertext) {
    OAEPParameterSpec spec =
        new OAEPParameterSpec(
            hash, "MGF1", new MGF1ParameterSpec(mgfHash), new PSource.PSpecified(label));
    return provider.oaepDecrypt(key, spec, ciphertext);
  }

  @Override
  public boolean verifyPss(PublicKey key, byte[] message, byte[] signature, int saltLength)
      throws Exception {
    Signature s = Signature.getInstance("RSASSA-PSS", e.pss());
    s.setParameter(
        new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, saltLength, 1));
    s.initVerify(key);
    s.update(message);
    return s.verify(signature);
  }

  /**
   * Through the SPI: {@link CryptoProvider#verify} with the curve's ECDSA, its strict DER check
   * too.
   */
  @Override
  public boolean verifyEcdsa(
      Algorithms.Signature algorithm, byte[] spki, byte[] message, byte[] derSignature)
      throws Exception {
    PublicKey key =
        KeyFactory.getInstance("EC", e.ec()).generatePublic(new X509EncodedKeySpec(spki));
    try {
      provider.verify(key, algorithm, message, derSignature);
      return true;
    } catch (SignatureInvalidException ex) {
      return false;
    }
  }

  /**
   * Through the SPI: {@link CryptoProvider#agree} with a {@link SoftwareKeyHandle} of the private
   * scalar (its public half computed here, d * G), so the provider's curve match and point
   * validation run before its engine; any refusal is an exception.
   */
  @Override
  public byte[] ecdh(Algorithms.Curve curve, BigInteger privateScalar, byte[] peerSpki)
      throws Exception {
    KeyFactory kf = KeyFactory.getInstance("EC", e.ec());
    PublicKey peer = kf.generatePublic(new X509EncodedKeySpec(peerSpki));
    SoftwareKeyHandle mine = softwareEcKey(kf, curve, privateScalar);
    try (SecretKeyMaterial z = provider.agree(mine, peer)) {
      return z.copyBytes();
    }
  }

  /**
   * A software EC key pair on {@code curve} from a private scalar, the public point computed with
   * Bouncy Castle's curve arithmetic, both halves made by {@code kf}.
   */
  public static SoftwareKeyHandle softwareEcKey(
      KeyFactory kf, Algorithms.Curve curve, BigInteger privateScalar) throws Exception {
    ECParameterSpec params = curve.parameters();
    org.bouncycastle.math.ec.ECPoint q =
        org.bouncycastle.asn1.x9.ECNamedCurveTable.getByName(curve.jcaName())
            .getG()
            .multiply(privateScalar.mod(params.getOrder()))
            .normalize();
    PublicKey pub =
        kf.generatePublic(
            new ECPublicKeySpec(
                new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()),
                params));
    PrivateKey priv = kf.generatePrivate(new ECPrivateKeySpec(privateScalar, params));
    return SoftwareKeyHandle.of(new KeyPair(pub, priv), "wycheproof-ecdh");
  }

  /** The named curve's parameters. */
  public static ECParameterSpec p256() throws Exception {
    AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
    p.init(new ECGenParameterSpec("secp256r1"));
    return p.getParameterSpec(ECParameterSpec.class);
  }

  @Override
  public byte[] cmac(byte[] key, byte[] message) throws Exception {
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(key)) {
      return provider.cmac(Algorithms.BlockCipher.AES, k, message);
    }
  }

  @Override
  public byte[] cbcEncrypt(byte[] key, byte[] iv, byte[] plaintext) throws Exception {
    Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding", e.cbc());
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
    return c.doFinal(plaintext);
  }

  @Override
  public byte[] cbcDecrypt(byte[] key, byte[] iv, byte[] ciphertext) throws Exception {
    if (ciphertext.length == 0 || ciphertext.length % 16 != 0 || iv.length != 16) {
      return null; // as CryptoRules.checkCbcInput does for the SPI (R6)
    }
    Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding", e.cbc());
    c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
    return c.doFinal(ciphertext);
  }

  @Override
  public byte[] aesKeyUnwrap(byte[] kek, byte[] wrapped) throws Exception {
    Cipher c = Cipher.getInstance(e.keyWrapTransformation(), e.keyWrap());
    c.init(Cipher.UNWRAP_MODE, new SecretKeySpec(kek, "AES"));
    return c.unwrap(wrapped, "AES", Cipher.SECRET_KEY).getEncoded();
  }

  private static String name(Provider p) {
    return p == null ? "platform" : p.getName();
  }
}
