package dev.keytransfer.crypto.pki;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Test-only helpers for the PKI generated in code, no pasted keys: key pairs, PKCS#10 requests, a
 * settable clock.
 */
final class PkiTestSupport {
  private PkiTestSupport() {}

  static final SecureRandom RANDOM = new SecureRandom();

  /** An RSA key pair from the JDK provider. */
  static KeyPair rsa(int bits) {
    return dev.keytransfer.crypto.testing.TestPki.rsa(bits);
  }

  /**
   * A DER PKCS#10 request for {@code subjectKeys}, signed with {@code signerKeys} and {@code
   * algorithm}.
   */
  static byte[] csr(KeyPair subjectKeys, KeyPair signerKeys, String subject, String algorithm) {
    try {
      ContentSigner signer = new JcaContentSignerBuilder(algorithm).build(signerKeys.getPrivate());
      return new JcaPKCS10CertificationRequestBuilder(
              new X500Principal(subject), subjectKeys.getPublic())
          .build(signer)
          .getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A well-formed SHA256withRSA request with a valid proof of possession. */
  static byte[] csr(KeyPair keys, String subject) {
    return csr(keys, keys, subject, "SHA256withRSA");
  }

  /** A clock whose time the test sets. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      this.now = instant;
    }

    void advance(Duration d) {
      this.now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
