package dev.keytransfer.crypto.keyblock;

import java.util.Locale;

/** Character-class helpers for key block text (X9.143 formats PA, AN, H). Package-private. */
final class Tr31Text {
  private Tr31Text() {}

  /** Printable ASCII, 0x20 to 0x7E (format PA). */
  static boolean printable(CharSequence s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  static boolean digits(CharSequence s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** Hex digits; lower case only when {@code lowerCaseAllowed}. */
  static boolean hex(CharSequence s, int from, int to, boolean lowerCaseAllowed) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= '0' && c <= '9')
              || (c >= 'A' && c <= 'F')
              || (lowerCaseAllowed && c >= 'a' && c <= 'f');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Upper-case hex digits of the whole string, with an even count (format H). */
  static boolean upperHex(String s) {
    return s.length() % 2 == 0 && hex(s, 0, s.length(), false);
  }

  /** Upper-case letters and digits (format AN as X9.143 uses it for IDs and usages). */
  static boolean upperAlphanumeric(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
        return false;
      }
    }
    return true;
  }

  /** Value of hex digits already checked with {@link #hex}. */
  static int hexValue(CharSequence s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      v = (v << 4) | Character.digit(s.charAt(i), 16);
    }
    return v;
  }

  /** Decodes hex digits already checked with {@link #hex}. */
  static byte[] decodeHex(CharSequence s, int from, int to) {
    byte[] out = new byte[(to - from) / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] =
          (byte)
              ((Character.digit(s.charAt(from + 2 * i), 16) << 4)
                  | Character.digit(s.charAt(from + 2 * i + 1), 16));
    }
    return out;
  }

  /** {@code value} as {@code width} upper-case hex digits. */
  static String hex(int value, int width) {
    String h = Integer.toHexString(value).toUpperCase(Locale.ROOT);
    return "0".repeat(Math.max(0, width - h.length())) + h;
  }

  /** {@code value} as {@code width} decimal digits. */
  static String decimal(int value, int width) {
    String d = Integer.toString(value);
    return "0".repeat(Math.max(0, width - d.length())) + d;
  }
}
