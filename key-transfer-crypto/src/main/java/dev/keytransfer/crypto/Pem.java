package dev.keytransfer.crypto;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.MalformedTokenException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/**
 * Reading and writing PEM (RFC 7468) and DER certificates, CRLs and private keys. Every parse
 * failure is a {@link MalformedTokenException}; nothing secret goes into a message.
 */
public final class Pem {
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
   */
  public static KeyPair rsaKeyPair(byte[] pem) throws MalformedTokenException {
    try (PEMParser p =
        new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
      Object o = p.readObject();
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair kp) {
        return conv.getKeyPair(kp);
      }
      if (o instanceof PrivateKeyInfo info) {
        PrivateKey k = conv.getPrivateKey(info);
        if (k instanceof RSAPrivateCrtKey rsa) {
          var pub =
              java.security.KeyFactory.getInstance("RSA")
                  .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
          return new KeyPair(pub, k);
        }
      }
      throw new MalformedTokenException(ErrorCode.MALFORMED_TOKEN, "not an RSA private key in PEM");
    } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_TOKEN, "not a readable RSA private key");
    }
  }

  /** PEM text of a certificate, CRL or private key (PKCS#8). */
  public static String encode(Object certificateCrlOrKey) {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      if (certificateCrlOrKey instanceof PrivateKey k) {
        w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null));
      } else {
        w.writeObject(certificateCrlOrKey);
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not write PEM", e);
    }
    return sw.toString();
  }
}
