package dev.keytransfer.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.InstalledKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.security.auth.x500.X500Principal;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Certificates, keys and assertions for the file store tests (generated, nothing pasted). */
final class StoreFixtures {
  private static final KeyPair EC = ecKeyPair();

  private StoreFixtures() {}

  /** A fresh AES-256 device key. */
  static SecretKey deviceKey() {
    try {
      KeyGenerator g = KeyGenerator.getInstance("AES");
      g.init(256);
      return g.generateKey();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair ecKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(256);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A self-signed X.509 v3 certificate (ECDSA P-256 with SHA-256), DER written here: the stores
   * keep and parse real certificates.
   */
  static X509Certificate certificate(String cn, long serial) {
    try {
      byte[] name = new X500Principal("CN=" + cn).getEncoded();
      byte[] alg = tlv(0x30, bytes(0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02));
      byte[] tbs =
          tlv(
              0x30,
              tlv(0xA0, tlv(0x02, new byte[] {2})),
              tlv(0x02, BigInteger.valueOf(serial).toByteArray()),
              alg,
              name,
              tlv(
                  0x30,
                  tlv(0x17, "250101000000Z".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                  tlv(0x17, "450101000000Z".getBytes(java.nio.charset.StandardCharsets.US_ASCII))),
              name,
              EC.getPublic().getEncoded());
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(EC.getPrivate());
      s.update(tbs);
      byte[] sig = s.sign();
      byte[] bits = new byte[sig.length + 1];
      System.arraycopy(sig, 0, bits, 1, sig.length);
      byte[] der = tlv(0x30, tbs, alg, tlv(0x03, bits));
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  private static byte[] tlv(int tag, byte[]... parts) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      content.writeBytes(p);
    }
    int n = content.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n & 0xFF);
    }
    out.writeBytes(content.toByteArray());
    return out.toByteArray();
  }

  static IssuerAndSerial kdh(int serial) {
    return new IssuerAndSerial(new X500Principal("CN=KDH CA,O=Test"), BigInteger.valueOf(serial));
  }

  /** A TDES master key with a recognisable fill byte, from {@code kdh}. */
  static InstalledKey key(IssuerAndSerial kdh, int fill) throws KeyTransferException {
    byte[] b = new byte[24];
    java.util.Arrays.fill(b, (byte) fill);
    return new InstalledKey(
        KeyBlockHeader.parse("A0000K0TB00E0000"),
        SecretKeyMaterial.adopt(b),
        KeyCheckValue.of(KeyCheckValue.Method.LEGACY_TDES, new byte[] {(byte) fill, 1, 2}),
        kdh,
        Instant.ofEpochSecond(1_700_000_000L + fill, 123_456_789));
  }

  /** Asserts {@code call} fails with STORAGE_FAILURE whose message contains {@code text}. */
  static void assertStorageFailure(ThrowingCallable call, String text) {
    Assertions.assertThatThrownBy(call)
        .isInstanceOf(KeyTransferException.class)
        .satisfies(
            e -> assertThat(((KeyTransferException) e).code()).isEqualTo(ErrorCode.STORAGE_FAILURE))
        .hasMessageContaining(text);
  }

  static boolean posix(Path dir) {
    return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  static String mode(Path p) throws java.io.IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  /** True if {@code needle} occurs in {@code hay}. */
  static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
