package dev.keytransfer.core.store;

import dev.keytransfer.core.IssuerAndSerial;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import javax.security.auth.x500.X500Principal;

/**
 * The pieces of the plaintext inside a sealed file, big-endian as {@link DataOutputStream} writes
 * them: {@code bytes} is a 4-byte length and that many bytes; a flag is one byte, 0 or 1; an
 * instant is its epoch second (8 bytes) and nano (4 bytes); a principal is its DER encoding as
 * {@code bytes}; an {@link IssuerAndSerial} is the issuer's principal and the serial's two's
 * complement as {@code bytes}; a certificate is its DER as {@code bytes}. Reads are bounded, and
 * anything out of place is an {@link IOException}.
 */
final class StateFormat {
  /** Upper bound on one length-prefixed item (a certificate, a name). */
  static final int MAX_ITEM = 64 * 1024;

  /** Upper bound on the number of entries in one list. */
  static final int MAX_COUNT = 100_000;

  private StateFormat() {}

  static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  static byte[] readBytes(DataInputStream in, int max) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > max) {
      throw new IOException("item length " + n + " out of range");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  static int readCount(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_COUNT) {
      throw new IOException("count " + n + " out of range");
    }
    return n;
  }

  static boolean readFlag(DataInputStream in) throws IOException {
    int f = in.readUnsignedByte();
    if (f > 1) {
      throw new IOException("flag " + f);
    }
    return f == 1;
  }

  static void writeInstant(DataOutputStream out, Instant t) throws IOException {
    out.writeLong(t.getEpochSecond());
    out.writeInt(t.getNano());
  }

  static Instant readInstant(DataInputStream in) throws IOException {
    long seconds = in.readLong();
    int nanos = in.readInt();
    try {
      return Instant.ofEpochSecond(seconds, nanos);
    } catch (RuntimeException e) {
      throw new IOException("instant out of range", e);
    }
  }

  static void writePrincipal(DataOutputStream out, X500Principal p) throws IOException {
    writeBytes(out, p.getEncoded());
  }

  static X500Principal readPrincipal(DataInputStream in) throws IOException {
    try {
      return new X500Principal(readBytes(in, MAX_ITEM));
    } catch (IllegalArgumentException e) {
      throw new IOException("bad name", e);
    }
  }

  static void writeBigInteger(DataOutputStream out, BigInteger n) throws IOException {
    writeBytes(out, n.toByteArray());
  }

  static BigInteger readBigInteger(DataInputStream in) throws IOException {
    byte[] b = readBytes(in, 1024);
    if (b.length == 0) {
      throw new IOException("empty integer");
    }
    return new BigInteger(b);
  }

  static void writeIssuerAndSerial(DataOutputStream out, IssuerAndSerial id) throws IOException {
    writePrincipal(out, id.issuer());
    writeBigInteger(out, id.serialNumber());
  }

  static IssuerAndSerial readIssuerAndSerial(DataInputStream in) throws IOException {
    return new IssuerAndSerial(readPrincipal(in), readBigInteger(in));
  }

  static X509Certificate readCertificate(DataInputStream in) throws IOException {
    byte[] der = readBytes(in, MAX_ITEM);
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | ClassCastException e) {
      throw new IOException("bad certificate", e);
    }
  }

  /** Refuses trailing bytes. */
  static void requireEnd(DataInputStream in) throws IOException {
    if (in.read() != -1) {
      throw new IOException("trailing bytes");
    }
  }
}
