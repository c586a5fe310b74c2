package dev.keytransfer.crypto.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Inputs that break recursive DER parsers (docs/SECURITY.md, "Input limits"): thousands of nested
 * SEQUENCEs, with definite lengths or BER indefinite ones, bare or in PEM.
 */
public final class HostileDer {
  /** The nesting of the inputs that overflowed the stack of the JDK's and BC's parsers. */
  public static final int LEVELS = 4000;

  private HostileDer() {}

  /** {@code levels} SEQUENCEs one inside the other around a NULL: 15,833 bytes for 4,000. */
  public static byte[] nested(int levels) {
    byte[] cur = {0x05, 0x00};
    for (int i = 0; i < levels; i++) {
      cur = tlv(0x30, cur);
    }
    return cur;
  }

  /** {@link #LEVELS} nested SEQUENCEs. */
  public static byte[] nested() {
    return nested(LEVELS);
  }

  /** The same nesting with BER indefinite lengths, which the JDK's BER reader recurses over. */
  public static byte[] nestedIndefinite(int levels) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < levels; i++) {
      out.write(0x30);
      out.write(0x80);
    }
    out.write(0x05);
    out.write(0x00);
    for (int i = 0; i < levels; i++) {
      out.write(0x00);
      out.write(0x00);
    }
    return out.toByteArray();
  }

  /** One DER element: {@code tag}, a definite length, the parts concatenated. */
  public static byte[] tlv(int tag, byte[]... parts) {
    ByteArrayOutputStream value = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      value.writeBytes(p);
    }
    int n = value.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write(n >> 8);
      out.write(n);
    }
    out.writeBytes(value.toByteArray());
    return out.toByteArray();
  }

  /** PEM text of {@code der} under {@code label}. */
  public static byte[] pem(String label, byte[] der) {
    return ("-----BEGIN "
            + label
            + "-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
            + "\n-----END "
            + label
            + "-----\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * A TR-34 SignedData ContentInfo (id-signedData, version 1, no digest algorithms, id-data content
   * {@code eContent} unless null, the certificates {@code [0]}, no signer) around {@code
   * certificates}: the shape the decoders read up to the certificates.
   */
  public static byte[] signedData(byte[] eContent, byte[] certificates) {
    byte[] eci =
        eContent == null ? tlv(0x30, DATA) : tlv(0x30, DATA, tlv(0xA0, tlv(0x04, eContent)));
    return tlv(
        0x30,
        SIGNED_DATA,
        tlv(
            0xA0,
            tlv(
                0x30,
                tlv(0x02, new byte[] {1}),
                tlv(0x31),
                eci,
                certificates == null ? new byte[0] : tlv(0xA0, certificates),
                tlv(0x31))));
  }

  private static final byte[] SIGNED_DATA = {
    0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x07, 0x02
  };
  private static final byte[] DATA = {
    0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x07, 0x01
  };
}
