package dev.keytransfer.crypto.internal;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.MalformedTokenException;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * A bounds-checked reader of DER TLVs over a byte range. It keeps exact byte offsets, so that
 * signatures and digests are computed over the bytes as received (docs/PROTOCOL.md pitfall 2), and
 * every failure is a {@link MalformedTokenException} (docs/SECURITY.md R5). Only low tag numbers
 * and definite lengths are read; nothing is copied until asked for.
 */
public final class DerReader {
  public static final int SEQUENCE = 0x30;
  public static final int SET = 0x31;
  public static final int INTEGER = 0x02;
  public static final int OCTET_STRING = 0x04;
  public static final int NULL = 0x05;
  public static final int OID = 0x06;
  public static final int UTC_TIME = 0x17;
  public static final int GENERALIZED_TIME = 0x18;

  /** One element: its tag and where its header and value lie in {@code buf}. */
  public record Tlv(int tag, byte[] buf, int start, int valueStart, int end) {
    public byte[] value() {
      return Arrays.copyOfRange(buf, valueStart, end);
    }

    public byte[] encoded() {
      return Arrays.copyOfRange(buf, start, end);
    }

    public int valueLength() {
      return end - valueStart;
    }

    public DerReader contents() {
      return new DerReader(buf, valueStart, end);
    }

    public boolean isConstructed() {
      return (tag & 0x20) != 0;
    }
  }

  private final byte[] buf;
  private final int end;
  private int pos;

  public DerReader(byte[] buf) {
    this(buf, 0, buf.length);
  }

  public DerReader(byte[] buf, int from, int to) {
    this.buf = buf;
    this.pos = from;
    this.end = to;
  }

  public boolean hasMore() {
    return pos < end;
  }

  public int peekTag() throws MalformedTokenException {
    if (pos >= end) {
      throw malformed("unexpected end of data");
    }
    return buf[pos] & 0xFF;
  }

  public Tlv read() throws MalformedTokenException {
    int start = pos;
    int tag = peekTag();
    if ((tag & 0x1F) == 0x1F) {
      throw malformed("high tag numbers are not used in TR-34 tokens");
    }
    int p = pos + 1;
    if (p >= end) {
      throw malformed("missing length");
    }
    int first = buf[p++] & 0xFF;
    long length;
    if (first < 0x80) {
      length = first;
    } else if (first == 0x80) {
      throw malformed("indefinite length is not DER");
    } else {
      int n = first & 0x7F;
      if (n > 4 || p + n > end) {
        throw malformed("length field too long");
      }
      if ((buf[p] & 0xFF) == 0) {
        throw malformed("length with a leading zero byte is not DER");
      }
      length = 0;
      for (int i = 0; i < n; i++) {
        length = (length << 8) | (buf[p++] & 0xFF);
      }
      if (length < 0x80) {
        throw malformed("long-form length under 128 is not DER");
      }
    }
    if (length > end - p) {
      throw malformed("element runs past the end of its container");
    }
    int valueEnd = p + (int) length;
    pos = valueEnd;
    return new Tlv(tag, buf, start, p, valueEnd);
  }

  public Tlv expect(int tag) throws MalformedTokenException {
    Tlv t = read();
    if (t.tag() != tag) {
      throw malformed(String.format("expected tag %02X, found %02X", tag, t.tag()));
    }
    return t;
  }

  /** Reads an element only if its tag is {@code tag}. */
  public Tlv optional(int tag) throws MalformedTokenException {
    return hasMore() && peekTag() == tag ? read() : null;
  }

  public DerReader sequence() throws MalformedTokenException {
    return expect(SEQUENCE).contents();
  }

  public BigInteger integer() throws MalformedTokenException {
    Tlv t = expect(INTEGER);
    if (t.valueLength() == 0 || t.valueLength() > 64) {
      throw malformed("bad INTEGER length");
    }
    return new BigInteger(t.value());
  }

  public int smallInteger() throws MalformedTokenException {
    BigInteger v = integer();
    if (v.bitLength() > 31) {
      throw malformed("INTEGER out of range");
    }
    return v.intValue();
  }

  public String oid() throws MalformedTokenException {
    return decodeOid(expect(OID));
  }

  public byte[] octetString() throws MalformedTokenException {
    return expect(OCTET_STRING).value();
  }

  public void end() throws MalformedTokenException {
    if (pos != end) {
      throw malformed("unexpected trailing data");
    }
  }

  public static String decodeOid(Tlv t) throws MalformedTokenException {
    byte[] v = t.value();
    if (v.length == 0 || (v[v.length - 1] & 0x80) != 0) {
      throw malformed("bad OBJECT IDENTIFIER");
    }
    StringBuilder sb = new StringBuilder();
    long value = 0;
    boolean first = true;
    for (byte b : v) {
      if (value > (Long.MAX_VALUE >> 7)) {
        throw malformed("OBJECT IDENTIFIER arc too large");
      }
      value = (value << 7) | (b & 0x7F);
      if ((b & 0x80) == 0) {
        if (first) {
          long a = value < 80 ? value / 40 : 2;
          sb.append(a).append('.').append(value - a * 40);
          first = false;
        } else {
          sb.append('.').append(value);
        }
        value = 0;
      }
    }
    return sb.toString();
  }

  public static MalformedTokenException malformed(String message) {
    return new MalformedTokenException(ErrorCode.MALFORMED_TOKEN, message);
  }
}
