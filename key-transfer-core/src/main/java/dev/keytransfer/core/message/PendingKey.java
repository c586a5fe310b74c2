package dev.keytransfer.core.message;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.MalformedTokenException;
import java.util.Arrays;
import java.util.Objects;

/**
 * The terminal reports, after CT-KDH and before its nonce, the KCV of a master key from this host
 * that it installed but whose confirmation was never acknowledged (project envelope,
 * docs/PROTOCOL.md; docs/SECURITY.md K7). The host answers with {@link KeyConfirmed} from its
 * ledger.
 */
public record PendingKey(KeyCheckValue kcv) implements HandshakeMessage {
  public PendingKey {
    Objects.requireNonNull(kcv, "kcv");
  }

  @Override
  public MessageType type() {
    return MessageType.PENDING_KEY;
  }

  @Override
  public byte[] payload() {
    byte[] v = kcv.bytes();
    byte[] out = new byte[v.length + 1];
    out[0] = (byte) kcv.method().wireValue();
    System.arraycopy(v, 0, out, 1, v.length);
    return out;
  }

  static PendingKey decode(byte[] p) throws MalformedTokenException {
    return new PendingKey(kcv(p));
  }

  /** KCV method (1 byte, the {@code KeyCheckValue.Method} order) and exactly its KCV bytes. */
  static KeyCheckValue kcv(byte[] p) throws MalformedTokenException {
    KeyCheckValue.Method m = p.length < 1 ? null : KeyCheckValue.Method.fromWireValue(p[0] & 0xFF);
    if (m == null) {
      throw new MalformedTokenException(ErrorCode.MALFORMED_FRAME, "frame names no KCV method");
    }
    if (p.length != 1 + m.length()) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_FRAME, "frame has a KCV of the wrong length");
    }
    return KeyCheckValue.of(m, Arrays.copyOfRange(p, 1, p.length));
  }
}
