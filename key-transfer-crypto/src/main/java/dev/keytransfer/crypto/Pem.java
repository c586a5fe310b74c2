package dev.keytransfer.crypto;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.crypto.internal.DerWriter;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading and writing PEM (RFC 7468) and DER certificates, CRLs and private keys, with the JDK
 * alone. Every parse failure is a {@link MalformedTokenException}; nothing secret goes into a
 * message, and decoded private-key bytes are wiped.
 */
public final class Pem {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\R(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final String RSA_ENCRYPTION = "1.2.840.113549.1.1.1";

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
   * Encrypted keys are refused.
   */
  public static KeyPair rsaKeyPair(byte[] pem) throws MalformedTokenException {
    String text = new String(pem, StandardCharsets.US_ASCII);
    Matcher m = BLOCK.matcher(text);
    if (!m.find()) {
      throw new MalformedTokenException(ErrorCode.MALFORMED_TOKEN, "not an RSA private key in PEM");
    }
    String label = m.group(1);
    if (!label.equals("PRIVATE KEY") && !label.equals("RSA PRIVATE KEY")) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_TOKEN,
          label.contains("ENCRYPTED")
              ? "an encrypted private key: decrypt it first"
              : "not an RSA private key in PEM (" + label + ")");
    }
    if (m.group(2).contains(":")) { // RFC 1421 headers: Proc-Type: 4,ENCRYPTED
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_TOKEN, "an encrypted private key: decrypt it first");
    }
    byte[] der = null;
    byte[] pkcs8 = null;
    try {
      der = Base64.getMimeDecoder().decode(m.group(2));
      pkcs8 = label.equals("PRIVATE KEY") ? der : pkcs8FromPkcs1(der);
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
    } finally {
      wipe(der);
      if (pkcs8 != der) {
        wipe(pkcs8);
      }
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
