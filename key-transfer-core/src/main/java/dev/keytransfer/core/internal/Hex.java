package dev.keytransfer.core.internal;

import java.util.Locale;

/** Upper-case hexadecimal, for public values only (never for secrets). Not API. */
public final class Hex {
  private static final char[] DIGITS = "0123456789ABCDEF".toCharArray();

  private Hex() {}

  public static String encode(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = DIGITS[(bytes[i] >> 4) & 0xF];
      out[2 * i + 1] = DIGITS[bytes[i] & 0xF];
    }
    return new String(out);
  }

  /** Decodes hex (either case, no separators); throws IllegalArgumentException on bad input. */
  public static byte[] decode(String hex) {
    String s = hex.strip().toUpperCase(Locale.ROOT);
    if (s.length() % 2 != 0) {
      throw new IllegalArgumentException("hex string has an odd number of digits");
    }
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(s.charAt(2 * i), 16);
      int lo = Character.digit(s.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new IllegalArgumentException("not a hex digit at position " + (2 * i));
      }
      out[i] = (byte) ((hi << 4) | lo);
    }
    return out;
  }
}
