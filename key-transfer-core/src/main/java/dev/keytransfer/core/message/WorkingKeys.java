package dev.keytransfer.core.message;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.MalformedTokenException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The host's working keys after S4 (project envelope): TR-31 / X9.143 key blocks wrapped under the
 * master key the terminal just installed. Possibly empty. The key blocks are ciphertext; the
 * message's {@code toString} shows only their count.
 */
public record WorkingKeys(List<String> keyBlocks) implements HandshakeMessage {
  /** At most this many working keys in one session. */
  public static final int MAX_KEYS = 16;

  /** A key block is at most this long (the 4-digit length field of X9.143). */
  public static final int MAX_BLOCK_LENGTH = 9999;

  public WorkingKeys {
    keyBlocks = List.copyOf(keyBlocks);
    if (keyBlocks.size() > MAX_KEYS) {
      throw new IllegalArgumentException("at most " + MAX_KEYS + " working keys");
    }
    for (String b : keyBlocks) {
      if (b.length() > MAX_BLOCK_LENGTH || !StandardCharsets.US_ASCII.newEncoder().canEncode(b)) {
        throw new IllegalArgumentException(
            "a key block is printable ASCII of at most " + MAX_BLOCK_LENGTH + " characters");
      }
    }
  }

  @Override
  public MessageType type() {
    return MessageType.WORKING_KEYS;
  }

  @Override
  public byte[] payload() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(keyBlocks.size());
    for (String b : keyBlocks) {
      byte[] a = b.getBytes(StandardCharsets.US_ASCII);
      out.write(a.length >> 8);
      out.write(a.length);
      out.writeBytes(a);
    }
    return out.toByteArray();
  }

  static WorkingKeys decode(byte[] p) throws MalformedTokenException {
    if (p.length < 1 || (p[0] & 0xFF) > MAX_KEYS) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_FRAME, "working keys frame has a bad count");
    }
    List<String> blocks = new ArrayList<>();
    int pos = 1;
    for (int i = 0; i < (p[0] & 0xFF); i++) {
      if (pos + 2 > p.length) {
        throw new MalformedTokenException(
            ErrorCode.MALFORMED_FRAME, "working keys frame is truncated");
      }
      int len = ((p[pos] & 0xFF) << 8) | (p[pos + 1] & 0xFF);
      pos += 2;
      if (len > MAX_BLOCK_LENGTH || pos + len > p.length) {
        throw new MalformedTokenException(
            ErrorCode.MALFORMED_FRAME, "working keys frame is truncated");
      }
      for (int j = pos; j < pos + len; j++) {
        if (p[j] < 0x20 || p[j] > 0x7E) {
          throw new MalformedTokenException(
              ErrorCode.MALFORMED_FRAME, "a key block must be printable ASCII");
        }
      }
      blocks.add(new String(p, pos, len, StandardCharsets.US_ASCII));
      pos += len;
    }
    if (pos != p.length) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_FRAME, "working keys frame has trailing bytes");
    }
    return new WorkingKeys(blocks);
  }

  @Override
  public String toString() {
    return "WorkingKeys[" + keyBlocks.size() + " key blocks]";
  }
}
