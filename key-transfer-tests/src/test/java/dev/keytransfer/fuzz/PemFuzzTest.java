package dev.keytransfer.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.crypto.Pem;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.UnrecoverableKeyException;
import java.security.cert.CRLException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SDK's readers of key, certificate and CRL files ({@link Pem}: what {@code PkiFiles}, the tool
 * and the CA directory read), on any bytes (docs/SECURITY.md R5, docs/FUZZING.md). A refusal is
 * {@code MALFORMED_TOKEN}, or for an encrypted key the {@link UnrecoverableKeyException} its
 * javadoc names for a wrong passphrase. Everything accepted re-encodes to PEM that reads back to
 * the same key, certificate or CRL, and a certificate or CRL re-read from its DER encoding has the
 * same encoding.
 */
class PemFuzzTest {
  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#privateKeys")
  @FuzzTest(maxDuration = "30s")
  void privateKey(byte[] input) throws MalformedTokenException {
    Pem.isEncryptedPrivateKey(input); // answers for any bytes
    KeyPair pair;
    try {
      pair = Pem.rsaKeyPair(input);
    } catch (MalformedTokenException e) {
      Refusals.check(e, Refusals.MALFORMED_TOKEN);
      return;
    }
    KeyPair again = Pem.rsaKeyPair(ascii(Pem.encode(pair.getPrivate())));
    sameKeys(pair, again);
  }

  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#privateKeys")
  @FuzzTest(maxDuration = "30s")
  void encryptedPrivateKey(byte[] input) throws Exception {
    KeyPair pair;
    try {
      pair = Pem.rsaKeyPair(input, FuzzSeeds.PASSPHRASE.clone());
    } catch (MalformedTokenException e) {
      Refusals.check(e, Refusals.MALFORMED_TOKEN);
      return;
    } catch (UnrecoverableKeyException e) {
      return; // the documented answer to a wrong passphrase or a damaged file
    }
    String encrypted =
        Pem.encodeEncrypted(
            pair.getPrivate(),
            FuzzSeeds.PASSPHRASE.clone(),
            1_000,
            FuzzMaterial.get().crypto.secureRandom());
    sameKeys(pair, Pem.rsaKeyPair(ascii(encrypted), FuzzSeeds.PASSPHRASE.clone()));
  }

  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#certificates")
  @FuzzTest(maxDuration = "30s")
  void certificates(byte[] input) throws Exception {
    List<X509Certificate> certs;
    try {
      certs = Pem.certificates(input);
    } catch (MalformedTokenException e) {
      Refusals.check(e, Refusals.MALFORMED_TOKEN);
      return;
    }
    if (certs.isEmpty()) {
      throw new AssertionError("certificates accepted input holding none");
    }
    for (X509Certificate c : certs) {
      byte[] der = encoded(c);
      if (!Arrays.equals(encoded(Pem.certificate(der)), der)
          || !Pem.certificate(ascii(Pem.encode(c))).equals(c)) {
        throw new AssertionError("a certificate does not survive re-encoding");
      }
      c.getSubjectX500Principal();
      c.getIssuerX500Principal();
      c.getBasicConstraints();
      c.getKeyUsage();
    }
  }

  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#crls")
  @FuzzTest(maxDuration = "30s")
  void crl(byte[] input) throws Exception {
    X509CRL crl;
    try {
      crl = Pem.crl(input);
    } catch (MalformedTokenException e) {
      Refusals.check(e, Refusals.MALFORMED_TOKEN);
      return;
    }
    if (crl == null) {
      throw new AssertionError("crl returned null");
    }
    byte[] der = encoded(crl);
    if (!Arrays.equals(encoded(Pem.crl(der)), der)
        || !Pem.crl(ascii(Pem.encode(crl))).equals(crl)) {
      throw new AssertionError("a CRL does not survive re-encoding");
    }
    crl.getIssuerX500Principal();
    crl.getRevokedCertificates();
  }

  private static byte[] ascii(String pem) {
    return pem.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] encoded(X509Certificate c) throws CertificateEncodingException {
    return c.getEncoded();
  }

  private static byte[] encoded(X509CRL c) throws CRLException {
    return c.getEncoded();
  }

  private static void sameKeys(KeyPair a, KeyPair b) {
    if (!Arrays.equals(a.getPrivate().getEncoded(), b.getPrivate().getEncoded())
        || !a.getPublic().equals(b.getPublic())) {
      throw new AssertionError("a private key does not survive re-encoding");
    }
  }
}
