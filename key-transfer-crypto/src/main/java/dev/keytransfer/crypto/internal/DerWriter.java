package dev.keytransfer.crypto.internal;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Writes DER elements byte by byte, so that each TR-34 output profile gets exactly the layout it
 * names (docs/PROTOCOL.md pitfalls 1-3): a content without its SEQUENCE, OAEP parameters without
 * their tags, signed attributes in transmission order. Everything else is plain DER: definite
 * minimal lengths, minimal INTEGERs, and {@link #derSet} sorts its elements as X.690 11.6 requires.
 */
public final class DerWriter {
  private DerWriter() {}

  /**
   * One element: tag, minimal definite length, contents. Written into one array of its exact size:
   * a token nests a dozen levels deep around the certificates and CRLs it carries, and each level
   * copies what it wraps once, no more.
   */
  public static byte[] tlv(int tag, byte[]... contents) {
    int length = totalLength(contents);
    int h = headerLength(length);
    byte[] out = new byte[h + length];
    writeHeader(out, tag, length);
    copyInto(out, h, contents);
    return out;
  }

  public static byte[] concat(byte[]... parts) {
    byte[] out = new byte[totalLength(parts)];
    copyInto(out, 0, parts);
    return out;
  }

  private static int totalLength(byte[][] parts) {
    int n = 0;
    for (byte[] p : parts) {
      n = Math.addExact(n, p.length);
    }
    return n;
  }

  private static void copyInto(byte[] out, int at, byte[][] parts) {
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
  }

  public static byte[] sequence(byte[]... elements) {
    return tlv(DerReader.SEQUENCE, elements);
  }

  /** A SET OF in DER order: elements sorted as unsigned octet strings, shorter ones zero-padded. */
  public static byte[] derSet(byte[]... elements) {
    byte[][] sorted = elements.clone();
    Arrays.sort(sorted, DER_ORDER);
    return tlv(DerReader.SET, sorted);
  }

  /** [n] IMPLICIT SET OF in DER order (the certificates [0] and crls [1] of a SignedData). */
  public static byte[] implicitDerSet(int n, byte[]... elements) {
    byte[][] sorted = elements.clone();
    Arrays.sort(sorted, DER_ORDER);
    return tlv(0xA0 | n, sorted);
  }

  /**
   * The header octets of {@code [n] EXPLICIT} around an element of tag {@code innerTag} whose
   * contents are {@code length} bytes long: written in front of those contents they give {@code
   * contextConstructed(n, tlv(innerTag, contents))} without copying the contents twice.
   */
  public static byte[] explicitHeader(int n, int innerTag, int length) {
    int inner = headerLength(length);
    int outerLength = Math.addExact(inner, length);
    int outer = headerLength(outerLength);
    byte[] out = new byte[outer + inner];
    writeHeader(out, 0xA0 | n, outerLength);
    byte[] innerHeader = new byte[inner];
    writeHeader(innerHeader, innerTag, length);
    System.arraycopy(innerHeader, 0, out, outer, inner);
    return out;
  }

  /** The combined length of {@code parts}. */
  public static int length(byte[]... parts) {
    return totalLength(parts);
  }

  /** The tag and length octets of an element whose contents are {@code length} bytes long. */
  public static byte[] header(int tag, int length) {
    byte[] out = new byte[headerLength(length)];
    writeHeader(out, tag, length);
    return out;
  }

  private static int headerLength(int length) {
    return length < 0x80 ? 2 : 2 + lengthBytes(length);
  }

  private static int lengthBytes(int length) {
    return length > 0xFFFFFF ? 4 : length > 0xFFFF ? 3 : length > 0xFF ? 2 : 1;
  }

  private static void writeHeader(byte[] out, int tag, int length) {
    out[0] = (byte) tag;
    if (length < 0x80) {
      out[1] = (byte) length;
      return;
    }
    int bytes = lengthBytes(length);
    out[1] = (byte) (0x80 | bytes);
    for (int i = 0; i < bytes; i++) {
      out[2 + i] = (byte) (length >>> (8 * (bytes - 1 - i)));
    }
  }

  /** A SET whose elements stay in the order given (the Annex B / AWS signed attributes). */
  public static byte[] setAsGiven(byte[]... elements) {
    return tlv(DerReader.SET, elements);
  }

  public static byte[] integer(long v) {
    return integer(BigInteger.valueOf(v));
  }

  public static byte[] integer(BigInteger v) {
    return tlv(DerReader.INTEGER, v.toByteArray());
  }

  public static byte[] octetString(byte[] v) {
    return tlv(DerReader.OCTET_STRING, v);
  }

  public static byte[] nul() {
    return new byte[] {DerReader.NULL, 0};
  }

  /** [n] EXPLICIT around one element, or [n] IMPLICIT constructed over the contents given. */
  public static byte[] contextConstructed(int n, byte[]... contents) {
    return tlv(0xA0 | n, contents);
  }

  /** [n] IMPLICIT primitive, e.g. the encryptedContent [0] IMPLICIT OCTET STRING. */
  public static byte[] contextPrimitive(int n, byte[] value) {
    return tlv(0x80 | n, value);
  }

  public static byte[] oid(String dotted) {
    byte[] known = ENCODED_OIDS.get(dotted);
    if (known == null) {
      known = encodeOid(dotted);
      if (ENCODED_OIDS.size() < 256) { // the codec's constants; a bound all the same
        ENCODED_OIDS.put(dotted, known);
      }
    }
    return known.clone();
  }

  /** Encodings of the OIDs written so far: the same few constants in every token. */
  private static final java.util.concurrent.ConcurrentHashMap<String, byte[]> ENCODED_OIDS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static byte[] encodeOid(String dotted) {
    String[] arcs = dotted.split("\\.");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    base128(
        out, new BigInteger(arcs[0]).multiply(BigInteger.valueOf(40)).add(new BigInteger(arcs[1])));
    for (int i = 2; i < arcs.length; i++) {
      base128(out, new BigInteger(arcs[i]));
    }
    return tlv(DerReader.OID, out.toByteArray());
  }

  private static void base128(ByteArrayOutputStream out, BigInteger v) {
    int groups = Math.max(1, (v.bitLength() + 6) / 7);
    for (int g = groups - 1; g >= 0; g--) {
      int b = v.shiftRight(7 * g).intValue() & 0x7F;
      out.write(g == 0 ? b : b | 0x80);
    }
  }

  /** AlgorithmIdentifier; {@code params} null leaves the parameters absent. */
  public static byte[] algorithm(String oid, byte[] params) {
    return params == null ? sequence(oid(oid)) : sequence(oid(oid), params);
  }

  /** Attribute ::= SEQUENCE { attrType OID, attrValues SET OF value } with one value. */
  public static byte[] attribute(String oid, byte[] value) {
    return sequence(oid(oid), derSet(value));
  }

  /** RFC 5652 signing time: UTCTime for 1950-2049, GeneralizedTime otherwise, whole seconds. */
  public static byte[] time(Instant t) {
    ZonedDateTime z = t.atZone(ZoneOffset.UTC);
    boolean utc = z.getYear() >= 1950 && z.getYear() < 2050;
    String s = z.format(DateTimeFormatter.ofPattern(utc ? "yyMMddHHmmss" : "yyyyMMddHHmmss")) + "Z";
    return tlv(
        utc ? DerReader.UTC_TIME : DerReader.GENERALIZED_TIME,
        s.getBytes(StandardCharsets.US_ASCII));
  }

  private static final Comparator<byte[]> DER_ORDER =
      (a, b) -> {
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
          int x = i < a.length ? a[i] & 0xFF : 0;
          int y = i < b.length ? b[i] & 0xFF : 0;
          if (x != y) {
            return Integer.compare(x, y);
          }
        }
        return 0;
      };
}
