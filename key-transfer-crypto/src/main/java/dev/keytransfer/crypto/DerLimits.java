package dev.keytransfer.crypto;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.MalformedTokenException;

/**
 * The pre-parser every DER input passes before a JDK or Bouncy Castle parser sees it
 * (docs/SECURITY.md R5, "Input limits"): a walk over the bytes that checks each element has a
 * definite length that fits inside its container, that constructed elements nest no deeper than
 * {@link #MAX_DEPTH}, and that the whole input is no longer than the caller's limit. Those parsers
 * recurse once per nesting level and some read BER indefinite lengths recursively, so a file of a
 * few thousand nested SEQUENCEs would otherwise end in a {@link StackOverflowError}; and a length
 * field is never trusted beyond the bytes actually present.
 *
 * <p>The content of an OCTET STRING or BIT STRING that is itself well-formed DER (an extension
 * value, a public key, the SignedData inside a rebind token) is walked as well and counts towards
 * the depth, so nesting cannot hide inside an encapsulated value; content that is not DER is left
 * as opaque bytes. The walk itself recurses at most {@link #MAX_DEPTH} levels, is linear in the
 * input, and allocates nothing. Stateless; thread-safe.
 */
public final class DerLimits {
  /**
   * The deepest nesting of elements accepted, the outermost element being level 1. The TR-34 Annex
   * B samples and the PKITS certificates need at most 10 levels, 14 counting encapsulated DER (a
   * rebind token's inner SignedData and its certificates' extension values); 32 leaves room for
   * richer certificates and stays far below where the JDK's and Bouncy Castle's recursive parsers
   * run out of stack (thousands of levels).
   */
  public static final int MAX_DEPTH = 32;

  private static final int BIT_STRING = 0x03;
  private static final int OCTET_STRING = 0x04;
  private static final int CONSTRUCTED = 0x20;

  private DerLimits() {}

  /**
   * Checks that {@code der} is exactly one DER element, at most {@code maxLength} bytes, nested no
   * deeper than {@link #MAX_DEPTH}.
   *
   * @param what what the bytes are, for the message ("certificate", "TR-34 token")
   * @throws MalformedTokenException {@code MALFORMED_TOKEN}, the message naming {@code what} and
   *     the limit or the defect
   */
  public static void check(byte[] der, int maxLength, String what) throws MalformedTokenException {
    walk(der, maxLength, what, true);
  }

  /**
   * As {@link #check}, for one or more DER elements back to back (concatenated DER certificates, or
   * TR-34-2012's EnvelopedData fields without their SEQUENCE).
   */
  public static void checkElements(byte[] der, int maxLength, String what)
      throws MalformedTokenException {
    walk(der, maxLength, what, false);
  }

  private static void walk(byte[] der, int maxLength, String what, boolean single)
      throws MalformedTokenException {
    if (der == null || der.length == 0) {
      throw malformed(what + " is empty");
    }
    if (der.length > maxLength) {
      throw malformed(
          what + " is " + der.length + " bytes, larger than the limit of " + maxLength + " bytes");
    }
    Walk w = new Walk(der);
    if (!w.elements(0, der.length, 1, single)) {
      throw malformed(
          what
              + (w.tooDeep
                  ? " is nested deeper than " + MAX_DEPTH + " levels"
                  : " is not well-formed DER: " + w.problem));
    }
  }

  private static MalformedTokenException malformed(String message) {
    return new MalformedTokenException(ErrorCode.MALFORMED_TOKEN, message);
  }

  /** One walk: the first defect found, and whether it was the depth. */
  private static final class Walk {
    private final byte[] b;
    private String problem;
    private boolean tooDeep;

    Walk(byte[] b) {
      this.b = b;
    }

    /**
     * Whether {@code [from, to)} is a run of well-formed elements at {@code depth} (exactly one
     * when {@code single}); on false, {@link #problem} or {@link #tooDeep} says why.
     */
    boolean elements(int from, int to, int depth, boolean single) {
      int pos = from;
      while (pos < to) {
        if (depth > MAX_DEPTH) {
          tooDeep = true;
          return false;
        }
        int tag = b[pos++] & 0xFF;
        if ((tag & 0x1F) == 0x1F) { // high tag number: base-128 digits, at most four
          int digits = 0;
          do {
            if (pos >= to || ++digits > 4) {
              return fail("a tag number runs past its element");
            }
          } while ((b[pos++] & 0x80) != 0);
        }
        if (pos >= to) {
          return fail("an element has no length");
        }
        int first = b[pos++] & 0xFF;
        long length;
        if (first < 0x80) {
          length = first;
        } else if (first == 0x80) {
          return fail("an indefinite length (BER)");
        } else {
          int n = first & 0x7F;
          if (n > 4 || n > to - pos) {
            return fail("a length field of " + n + " bytes");
          }
          if ((b[pos] & 0xFF) == 0) {
            return fail("a length with a leading zero byte (not DER)");
          }
          length = 0;
          for (int i = 0; i < n; i++) {
            length = (length << 8) | (b[pos++] & 0xFF);
          }
          if (length < 0x80) {
            return fail("a long-form length under 128 (not DER)");
          }
        }
        if (length > to - pos) {
          return fail("an element runs past the end of its container");
        }
        int end = pos + (int) length;
        if ((tag & CONSTRUCTED) != 0) {
          if (!elements(pos, end, depth + 1, false)) {
            return false;
          }
        } else if (tag == OCTET_STRING || (tag == BIT_STRING && end > pos && b[pos] == 0)) {
          int content = tag == OCTET_STRING ? pos : pos + 1;
          if (content < end && !encapsulated(content, end, depth + 1)) {
            return false;
          }
        }
        pos = end;
        if (single && pos < to) {
          return fail((to - pos) + " bytes after the element");
        }
      }
      return true;
    }

    /**
     * False only if {@code [from, to)} is DER nested too deep; content that is not DER is opaque
     * and passes.
     */
    private boolean encapsulated(int from, int to, int depth) {
      if (elements(from, to, depth, false)) {
        return true;
      }
      problem = null;
      return !tooDeep;
    }

    private boolean fail(String why) {
      problem = why;
      return false;
    }
  }
}
