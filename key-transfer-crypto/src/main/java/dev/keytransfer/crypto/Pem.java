package dev.keytransfer.crypto;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.crypto.internal.DerReader;
import dev.keytransfer.crypto.internal.DerWriter;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading and writing PEM (RFC 7468) and DER certificates, CRLs and private keys, plain or
 * encrypted under a passphrase (PKCS#8 with PBES2), with the JDK alone. Every parse failure is a
 * {@link MalformedTokenException}, a wrong passphrase an {@link UnrecoverableKeyException}; nothing
 * secret goes into a message, and decoded private-key bytes are wiped.
 */
public final class Pem {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\R(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final String RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
  private static final String ENCRYPTED_PRIVATE_KEY = "ENCRYPTED PRIVATE KEY";

  /**
   * The PBKDF2 iteration count {@link #encodeEncrypted} is meant to be called with: 600,000 for
   * HMAC-SHA256, the OWASP recommendation of 2023, about 0.15 s per key on a current server core.
   */
  public static final int PBKDF2_ITERATIONS = 600_000;

  private Pem() {}

  /** All certificates in PEM or DER bytes. */
  public static List<X509Certificate> certificates(byte[] pemOrDer) throws MalformedTokenException {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      List<X509Certificate> out = new ArrayList<>();
      cf.generateCertificates(new ByteArrayInputStream(pemOrDer))
          .forEach(c -> out.add((X509Certificate) c));
      if (out.isEmpty()) {
        throw new MalformedTokenException(ErrorCode.MALFORMED_TOKEN, "no certificate found");
      }
      return out;
    } catch (java.security.cert.CertificateException | RuntimeException e) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_TOKEN, "not a readable X.509 certificate");
    }
  }

  /** The first certificate in PEM or DER bytes. */
  public static X509Certificate certificate(byte[] pemOrDer) throws MalformedTokenException {
    return certificates(pemOrDer).get(0);
  }

  /** A CRL in PEM or DER bytes. */
  public static X509CRL crl(byte[] pemOrDer) throws MalformedTokenException {
    try {
      return (X509CRL)
          CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(pemOrDer));
    } catch (java.security.cert.CertificateException
        | java.security.cert.CRLException
        | RuntimeException e) {
      throw new MalformedTokenException(ErrorCode.MALFORMED_TOKEN, "not a readable X.509 CRL");
    }
  }

  /**
   * An RSA private key (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY" PEM) with its public half.
   * Encrypted keys are refused: read them with {@link #rsaKeyPair(byte[], char[])}.
   */
  public static KeyPair rsaKeyPair(byte[] pem) throws MalformedTokenException {
    Matcher m = privateKeyBlock(pem);
    String label = m.group(1);
    if (label.equals(ENCRYPTED_PRIVATE_KEY) || m.group(2).contains(":")) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_TOKEN, "an encrypted private key: its passphrase is needed");
    }
    return plainKeyPair(label, m.group(2));
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
    Objects.requireNonNull(passphrase, "passphrase");
    Matcher m = privateKeyBlock(pem);
    String label = m.group(1);
    if (!label.equals(ENCRYPTED_PRIVATE_KEY)) {
      if (m.group(2).contains(":")) {
        throw new MalformedTokenException(
            ErrorCode.MALFORMED_TOKEN,
            "a legacy encrypted PEM key (Proc-Type header): convert it with openssl pkcs8 -topk8"
                + " -v2 aes-256-cbc");
      }
      return plainKeyPair(label, m.group(2));
    }
    byte[] der = null;
    byte[] pkcs8 = null;
    try {
      der = base64(m.group(2));
      pkcs8 = Pkcs8Encryption.decrypt(der, passphrase);
      if (!isPkcs8(pkcs8)) { // a wrong key passes the CBC padding check now and then
        throw Pkcs8Encryption.wrongPassphrase();
      }
      return keyPair(pkcs8);
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

  private static Matcher privateKeyBlock(byte[] pem) throws MalformedTokenException {
    String text = new String(pem, StandardCharsets.US_ASCII);
    Matcher m = BLOCK.matcher(text);
    if (!m.find()) {
      throw new MalformedTokenException(ErrorCode.MALFORMED_TOKEN, "not an RSA private key in PEM");
    }
    String label = m.group(1);
    if (!label.equals("PRIVATE KEY")
        && !label.equals("RSA PRIVATE KEY")
        && !label.equals(ENCRYPTED_PRIVATE_KEY)) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_TOKEN, "not an RSA private key in PEM (" + label + ")");
    }
    return m;
  }

  private static KeyPair plainKeyPair(String label, String body) throws MalformedTokenException {
    byte[] der = null;
    byte[] pkcs8 = null;
    try {
      der = base64(body);
      pkcs8 = label.equals("PRIVATE KEY") ? der : pkcs8FromPkcs1(der);
      return keyPair(pkcs8);
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

  private static KeyPair keyPair(byte[] pkcs8) throws MalformedTokenException {
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

  /** Whether {@code der} is shaped as a PrivateKeyInfo: SEQUENCE { INTEGER, SEQUENCE, ... }. */
  private static boolean isPkcs8(byte[] der) {
    try {
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
