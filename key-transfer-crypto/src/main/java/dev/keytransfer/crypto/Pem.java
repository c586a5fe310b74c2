package dev.keytransfer.crypto;

import dev.keytransfer.KeyType;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.crypto.internal.DerReader;
import dev.keytransfer.crypto.internal.DerWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.KeyAgreement;

/**
 * Reading and writing PEM (RFC 7468) and DER certificates, CRLs and private keys, plain or
 * encrypted under a passphrase (PKCS#8 with PBES2), with the JDK alone. Inputs are limited to
 * {@link #MAX_INPUT_LENGTH} bytes and every DER structure passes {@link DerLimits} before the JDK
 * parses it. Every parse failure is a {@link MalformedTokenException}, a wrong passphrase an {@link
 * UnrecoverableKeyException}; nothing secret goes into a message, and decoded private-key bytes are
 * wiped.
 */
public final class Pem {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\R(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final String RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
  private static final String ENCRYPTED_PRIVATE_KEY = "ENCRYPTED PRIVATE KEY";
  private static final String EC_PRIVATE_KEY = "EC PRIVATE KEY";
  private static final String EC_PUBLIC_KEY = "1.2.840.10045.2.1";

  /**
   * The PBKDF2 iteration count {@link #encodeEncrypted} is meant to be called with: 600,000 for
   * HMAC-SHA256, the OWASP recommendation of 2023, about 0.15 s per key on a current server core.
   */
  public static final int PBKDF2_ITERATIONS = 600_000;

  private Pem() {}

  /**
   * Largest PEM or DER input read, from a file or as bytes: 1 MiB. A certificate bundle, a key or a
   * CRL of this SDK's PKI is a few KiB; 1 MiB still holds a CRL of some 25,000 revoked certificates
   * (docs/SECURITY.md, "Input limits").
   */
  public static final int MAX_INPUT_LENGTH = 1 << 20;

  private static final List<String> CERTIFICATE_LABELS =
      List.of("CERTIFICATE", "X509 CERTIFICATE", "PKCS7");
  private static final List<String> CRL_LABELS = List.of("X509 CRL", "CRL");

  /**
   * All certificates in PEM or DER bytes: DER certificates back to back, a DER PKCS#7 bundle, or
   * text with {@code CERTIFICATE} (or {@code PKCS7}) blocks. Each DER structure passes {@link
   * DerLimits} before the JDK parses it.
   *
   * @throws MalformedTokenException {@code MALFORMED_TOKEN} if there is no readable certificate,
   *     the input is larger than {@link #MAX_INPUT_LENGTH} or its DER breaks the limits
   */
  public static List<X509Certificate> certificates(byte[] pemOrDer) throws MalformedTokenException {
    List<byte[]> ders = derStructures(pemOrDer, "certificate", CERTIFICATE_LABELS);
    List<X509Certificate> out = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (byte[] der : ders) {
        cf.generateCertificates(new ByteArrayInputStream(der))
            .forEach(c -> out.add((X509Certificate) c));
      }
    } catch (java.security.cert.CertificateException | RuntimeException e) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_TOKEN, "not a readable X.509 certificate");
    }
    if (out.isEmpty()) {
      throw new MalformedTokenException(ErrorCode.MALFORMED_TOKEN, "no certificate found");
    }
    return out;
  }

  /** The first certificate in PEM or DER bytes, as {@link #certificates}. */
  public static X509Certificate certificate(byte[] pemOrDer) throws MalformedTokenException {
    return certificates(pemOrDer).get(0);
  }

  /**
   * A CRL in PEM ({@code X509 CRL}, the first block) or DER bytes; its DER passes {@link DerLimits}
   * before the JDK parses it.
   *
   * @throws MalformedTokenException {@code MALFORMED_TOKEN} if it is no readable CRL, larger than
   *     {@link #MAX_INPUT_LENGTH} or its DER breaks the limits
   */
  public static X509CRL crl(byte[] pemOrDer) throws MalformedTokenException {
    byte[] der = derStructures(pemOrDer, "CRL", CRL_LABELS).get(0);
    try {
      return (X509CRL)
          CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
    } catch (java.security.cert.CertificateException
        | java.security.cert.CRLException
        | RuntimeException e) {
      throw new MalformedTokenException(ErrorCode.MALFORMED_TOKEN, "not a readable X.509 CRL");
    }
  }

  /**
   * The bytes of a PEM or DER file, with a reason that says why it cannot be read: {@link
   * NoSuchFileException} "no such file", {@link AccessDeniedException} "permission denied", or an
   * {@link IOException} for a directory or a file larger than {@link #MAX_INPUT_LENGTH} (of which
   * no more than that is read).
   */
  public static byte[] readFile(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    if (Files.isDirectory(file)) {
      throw new FileSystemException(file.toString(), null, "is a directory, not a file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_INPUT_LENGTH + 1);
      if (bytes.length > MAX_INPUT_LENGTH) {
        throw new FileSystemException(
            file.toString(), null, "larger than the limit of " + MAX_INPUT_LENGTH + " bytes");
      }
      return bytes;
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "no such file");
    } catch (AccessDeniedException e) {
      throw new AccessDeniedException(file.toString(), null, "permission denied");
    }
  }

  /**
   * The DER structures in {@code pemOrDer}, each checked by {@link DerLimits}: the input itself
   * when it is DER (one or more elements), else the blocks under one of {@code labels}.
   */
  private static List<byte[]> derStructures(byte[] pemOrDer, String what, List<String> labels)
      throws MalformedTokenException {
    Objects.requireNonNull(pemOrDer, what);
    if (pemOrDer.length > MAX_INPUT_LENGTH) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_TOKEN,
          what + " input is larger than the limit of " + MAX_INPUT_LENGTH + " bytes");
    }
    if (pemOrDer.length > 0 && (pemOrDer[0] & 0xFF) == DerReader.SEQUENCE) {
      DerLimits.checkElements(pemOrDer, MAX_INPUT_LENGTH, what);
      return List.of(pemOrDer);
    }
    List<byte[]> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(new String(pemOrDer, StandardCharsets.US_ASCII));
    while (m.find()) {
      if (labels.contains(m.group(1))) {
        byte[] der;
        try {
          der = Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
          throw new MalformedTokenException(
              ErrorCode.MALFORMED_TOKEN, "a PEM " + m.group(1) + " block is not base64");
        }
        DerLimits.check(der, MAX_INPUT_LENGTH, what);
        out.add(der);
      }
    }
    if (out.isEmpty()) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_TOKEN,
          "not a readable X.509 " + what + " (neither DER nor a PEM " + labels.get(0) + " block)");
    }
    return out;
  }

  /**
   * An RSA private key (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY" PEM) with its public half.
   * Encrypted keys are refused: read them with {@link #rsaKeyPair(byte[], char[])}.
   */
  public static KeyPair rsaKeyPair(byte[] pem) throws MalformedTokenException {
    return plainKeyPair(pem, false);
  }

  /**
   * An RSA or EC private key with its public half: as {@link #rsaKeyPair(byte[])}, and also an EC
   * key on P-256, P-384 or P-521 (docs/ECDH.md) in PKCS#8 "PRIVATE KEY" or SEC 1 "EC PRIVATE KEY"
   * PEM, as {@code openssl genpkey} and {@code openssl ecparam -genkey} write them.
   */
  public static KeyPair keyPair(byte[] pem) throws MalformedTokenException {
    return plainKeyPair(pem, true);
  }

  /**
   * An RSA or EC private key with its public half, from an encrypted or a plain PEM: as {@link
   * #rsaKeyPair(byte[], char[])}, and also an EC key as {@link #keyPair(byte[])} reads it.
   */
  public static KeyPair keyPair(byte[] pem, char[] passphrase)
      throws MalformedTokenException, UnrecoverableKeyException {
    return anyKeyPair(pem, passphrase, true);
  }

  private static KeyPair plainKeyPair(byte[] pem, boolean ec) throws MalformedTokenException {
    Matcher m = privateKeyBlock(pem, ec);
    String label = m.group(1);
    if (label.equals(ENCRYPTED_PRIVATE_KEY) || m.group(2).contains(":")) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_TOKEN, "an encrypted private key: its passphrase is needed");
    }
    return plainKeyPair(label, m.group(2), ec);
  }

  /**
   * An RSA private key with its public half, from an "ENCRYPTED PRIVATE KEY" PEM (PKCS#8, PBES2
   * with PBKDF2-HMAC-SHA256 and AES-256-CBC, as {@link #encodeEncrypted} and {@code openssl pkcs8
   * -topk8 -v2 aes-256-cbc} write it) decrypted with {@code passphrase}, or from a plain one, which
   * needs no passphrase. The passphrase is not kept; the caller wipes its array.
   *
   * @throws MalformedTokenException if {@code pem} is no RSA private key, or is encrypted in
   *     another way (the message names the scheme)
   * @throws UnrecoverableKeyException if it does not decrypt: a wrong passphrase, or a damaged file
   *     (the two cannot be told apart)
   */
  public static KeyPair rsaKeyPair(byte[] pem, char[] passphrase)
      throws MalformedTokenException, UnrecoverableKeyException {
    return anyKeyPair(pem, passphrase, false);
  }

  private static KeyPair anyKeyPair(byte[] pem, char[] passphrase, boolean ec)
      throws MalformedTokenException, UnrecoverableKeyException {
    Objects.requireNonNull(passphrase, "passphrase");
    Matcher m = privateKeyBlock(pem, ec);
    String label = m.group(1);
    if (!label.equals(ENCRYPTED_PRIVATE_KEY)) {
      if (m.group(2).contains(":")) {
        throw new MalformedTokenException(
            ErrorCode.MALFORMED_TOKEN,
            "a legacy encrypted PEM key (Proc-Type header): convert it with openssl pkcs8 -topk8"
                + " -v2 aes-256-cbc");
      }
      return plainKeyPair(label, m.group(2), ec);
    }
    byte[] der = null;
    byte[] pkcs8 = null;
    try {
      der = base64(m.group(2));
      DerLimits.check(der, MAX_INPUT_LENGTH, "encrypted private key");
      pkcs8 = Pkcs8Encryption.decrypt(der, passphrase);
      if (!isPkcs8(pkcs8)) { // a wrong key passes the CBC padding check now and then
        throw Pkcs8Encryption.wrongPassphrase();
      }
      return keyPair(pkcs8, ec);
    } finally {
      wipe(der);
      wipe(pkcs8);
    }
  }

  /**
   * Whether {@code pem} holds an encrypted private key (PKCS#8 "ENCRYPTED PRIVATE KEY", or a legacy
   * PEM with a Proc-Type header): whether reading it needs a passphrase.
   */
  public static boolean isEncryptedPrivateKey(byte[] pem) {
    if (pem.length > MAX_INPUT_LENGTH) {
      return false; // refused as too large when read
    }
    Matcher m = BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
    return m.find()
        && (m.group(1).equals(ENCRYPTED_PRIVATE_KEY)
            || (m.group(1).endsWith("PRIVATE KEY") && m.group(2).contains(":")));
  }

  /**
   * PEM text of a private key encrypted under {@code passphrase}: PKCS#8 "ENCRYPTED PRIVATE KEY"
   * (RFC 5958), PBES2 (RFC 8018) with PBKDF2-HMAC-SHA256 over a random 16-byte salt and AES-256-CBC
   * under a random IV, readable by {@code openssl pkey -passin}. The passphrase is used as UTF-8
   * and not kept; the caller wipes its array.
   *
   * @param iterations the PBKDF2 iteration count: {@value #PBKDF2_ITERATIONS} for keys that matter;
   *     at least 1,000 (RFC 8018 4.2), at most 10,000,000
   * @throws IllegalArgumentException if the passphrase is empty or the count out of range
   */
  public static String encodeEncrypted(
      PrivateKey key, char[] passphrase, int iterations, SecureRandom random) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(random, "random");
    byte[] pkcs8 = key.getEncoded();
    if (pkcs8 == null) {
      throw new IllegalArgumentException("the key has no PKCS#8 encoding (kept in a token?)");
    }
    try {
      return encode(
          ENCRYPTED_PRIVATE_KEY, Pkcs8Encryption.encrypt(pkcs8, passphrase, iterations, random));
    } finally {
      wipe(pkcs8);
    }
  }

  private static Matcher privateKeyBlock(byte[] pem, boolean ec) throws MalformedTokenException {
    if (pem.length > MAX_INPUT_LENGTH) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_TOKEN,
          "private key input is larger than the limit of " + MAX_INPUT_LENGTH + " bytes");
    }
    String text = new String(pem, StandardCharsets.US_ASCII);
    Matcher m = BLOCK.matcher(text);
    String what = ec ? "an RSA or EC private key" : "an RSA private key";
    if (!m.find()) {
      throw new MalformedTokenException(ErrorCode.MALFORMED_TOKEN, "not " + what + " in PEM");
    }
    String label = m.group(1);
    if (!label.equals("PRIVATE KEY")
        && !label.equals("RSA PRIVATE KEY")
        && !(ec && label.equals(EC_PRIVATE_KEY))
        && !label.equals(ENCRYPTED_PRIVATE_KEY)) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_TOKEN, "not " + what + " in PEM (" + label + ")");
    }
    return m;
  }

  private static KeyPair plainKeyPair(String label, String body, boolean ec)
      throws MalformedTokenException {
    byte[] der = null;
    byte[] pkcs8 = null;
    try {
      der = base64(body);
      DerLimits.check(der, MAX_INPUT_LENGTH, "private key");
      pkcs8 =
          label.equals("PRIVATE KEY")
              ? der
              : label.equals(EC_PRIVATE_KEY) ? pkcs8FromSec1(der) : pkcs8FromPkcs1(der);
      return keyPair(pkcs8, ec);
    } finally {
      wipe(der);
      if (pkcs8 != der) {
        wipe(pkcs8);
      }
    }
  }

  private static byte[] base64(String body) throws MalformedTokenException {
    try {
      return Base64.getMimeDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_TOKEN, "not a readable RSA private key");
    }
  }

  private static KeyPair keyPair(byte[] pkcs8, boolean ec) throws MalformedTokenException {
    if (ec && EC_PUBLIC_KEY.equals(keyAlgorithm(pkcs8))) {
      return ecKeyPair(pkcs8);
    }
    try {
      KeyFactory rsa = KeyFactory.getInstance("RSA");
      PrivateKey k = rsa.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      if (!(k instanceof RSAPrivateCrtKey crt)) {
        throw new MalformedTokenException(ErrorCode.MALFORMED_TOKEN, "not an RSA private key");
      }
      PublicKey pub =
          rsa.generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
      return new KeyPair(pub, k);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_TOKEN, "not a readable RSA private key");
    }
  }

  /** The algorithm OID of a PrivateKeyInfo, or null when it cannot be read. */
  private static String keyAlgorithm(byte[] pkcs8) {
    try {
      DerReader info = new DerReader(pkcs8).sequence();
      info.integer();
      return info.sequence().oid();
    } catch (MalformedTokenException | RuntimeException e) {
      return null;
    }
  }

  /**
   * An EC key pair from a PrivateKeyInfo on P-256, P-384 or P-521. The public point is computed
   * from the private scalar, never taken from the optional copy in the file: its x coordinate is
   * ECDH of the key with the curve's generator, y the square root of x^3 + ax + b (p = 3 mod 4 on
   * all three curves) whose pair signs and verifies.
   */
  private static KeyPair ecKeyPair(byte[] pkcs8) throws MalformedTokenException {
    try {
      PrivateKey k = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      if (!(k instanceof ECPrivateKey ec) || KeyType.curveOf(ec) == null) {
        throw new MalformedTokenException(
            ErrorCode.MALFORMED_TOKEN, "not an EC private key on P-256, P-384 or P-521");
      }
      ECParameterSpec params = ec.getParams();
      KeyFactory factory = KeyFactory.getInstance("EC");
      KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
      agreement.init(k);
      agreement.doPhase(
          factory.generatePublic(new ECPublicKeySpec(params.getGenerator(), params)), true);
      byte[] xBytes = agreement.generateSecret();
      BigInteger x = new BigInteger(1, xBytes);
      wipe(xBytes);
      BigInteger p = ((ECFieldFp) params.getCurve().getField()).getP();
      BigInteger rhs =
          x.pow(3).add(params.getCurve().getA().multiply(x)).add(params.getCurve().getB()).mod(p);
      BigInteger y = rhs.modPow(p.add(BigInteger.ONE).shiftRight(2), p);
      if (!y.multiply(y).mod(p).equals(rhs)) {
        throw new MalformedTokenException(
            ErrorCode.MALFORMED_TOKEN, "not a readable EC private key");
      }
      for (BigInteger candidate : new BigInteger[] {y, p.subtract(y)}) {
        PublicKey pub =
            factory.generatePublic(new ECPublicKeySpec(new ECPoint(x, candidate), params));
        if (pairs(k, pub)) {
          return new KeyPair(pub, k);
        }
      }
      throw new MalformedTokenException(ErrorCode.MALFORMED_TOKEN, "not a readable EC private key");
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new MalformedTokenException(ErrorCode.MALFORMED_TOKEN, "not a readable EC private key");
    }
  }

  /** Whether a signature of {@code key} verifies under {@code pub}. */
  private static boolean pairs(PrivateKey key, PublicKey pub) throws GeneralSecurityException {
    byte[] probe = "key-transfer key pair check".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key);
    signer.update(probe);
    byte[] sig = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(pub);
    verifier.update(probe);
    return verifier.verify(sig);
  }

  /**
   * PrivateKeyInfo (RFC 5208) around a SEC 1 ECPrivateKey (RFC 5915): version 0, id-ecPublicKey
   * with the named curve of the key's [0] parameters, which must be there.
   */
  private static byte[] pkcs8FromSec1(byte[] sec1) throws MalformedTokenException {
    DerReader key = new DerReader(sec1).sequence();
    key.integer();
    key.expect(DerReader.OCTET_STRING);
    DerReader.Tlv params = key.optional(0xA0);
    if (params == null) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_TOKEN, "an EC PRIVATE KEY without its curve");
    }
    String curve = params.contents().oid();
    return DerWriter.sequence(
        DerWriter.integer(0),
        DerWriter.algorithm(EC_PUBLIC_KEY, DerWriter.oid(curve)),
        DerWriter.octetString(sec1));
  }

  /**
   * Whether {@code der} is shaped as a PrivateKeyInfo, SEQUENCE { INTEGER, SEQUENCE, ... }, within
   * {@link DerLimits}: a decryption's output is checked before the JDK parses it.
   */
  private static boolean isPkcs8(byte[] der) {
    try {
      DerLimits.check(der, MAX_INPUT_LENGTH, "private key");
      DerReader top = new DerReader(der);
      DerReader info = top.sequence();
      top.end();
      info.integer();
      info.sequence();
      info.expect(DerReader.OCTET_STRING);
      return true;
    } catch (MalformedTokenException e) {
      return false;
    }
  }

  /** PEM text of a certificate, a CRL, a private key (PKCS#8) or a public key (SPKI). */
  public static String encode(Object certificateCrlOrKey) {
    try {
      if (certificateCrlOrKey instanceof X509Certificate c) {
        return encode("CERTIFICATE", c.getEncoded());
      }
      if (certificateCrlOrKey instanceof X509CRL c) {
        return encode("X509 CRL", c.getEncoded());
      }
      if (certificateCrlOrKey instanceof PrivateKey k) {
        byte[] der = k.getEncoded();
        try {
          return encode("PRIVATE KEY", der);
        } finally {
          wipe(der);
        }
      }
      if (certificateCrlOrKey instanceof PublicKey k) {
        return encode("PUBLIC KEY", k.getEncoded());
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("could not encode " + certificateCrlOrKey, e);
    }
    throw new IllegalArgumentException(
        "no PEM form for "
            + (certificateCrlOrKey == null ? "null" : certificateCrlOrKey.getClass()));
  }

  /** PEM text of DER bytes under {@code label} (for example "CERTIFICATE REQUEST"). */
  public static String encode(String label, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }

  /** PrivateKeyInfo (RFC 5208) around a PKCS#1 RSAPrivateKey: version 0, rsaEncryption, NULL. */
  private static byte[] pkcs8FromPkcs1(byte[] pkcs1) {
    return DerWriter.sequence(
        DerWriter.integer(0),
        DerWriter.algorithm(RSA_ENCRYPTION, DerWriter.nul()),
        DerWriter.octetString(pkcs1));
  }

  private static void wipe(byte[] b) {
    if (b != null) {
      Arrays.fill(b, (byte) 0);
    }
  }
}
