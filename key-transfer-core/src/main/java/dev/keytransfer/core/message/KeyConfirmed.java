package dev.keytransfer.core.message;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.MalformedTokenException;
import java.util.Arrays;
import java.util.Objects;

/**
 * The host's answer about a master key the terminal holds as pending (project envelope,
 * docs/PROTOCOL.md; docs/SECURITY.md K7): {@code current} true means the host's ledger shows the
 * key with this KCV as CONFIRMED, and the terminal makes it its current master key from this host
 * (wiping the one it supersedes); false means the host does not confirm it, and the terminal
 * discards it. Sent after {@link KeyInstalled} and after {@link PendingKey}.
 */
public record KeyConfirmed(boolean current, KeyCheckValue kcv) implements HandshakeMessage {
  public KeyConfirmed {
    Objects.requireNonNull(kcv, "kcv");
  }

  @Override
  public MessageType type() {
    return MessageType.KEY_CONFIRMED;
  }

  @Override
  public byte[] payload() {
    byte[] v = kcv.bytes();
    byte[] out = new byte[v.length + 2];
    out[0] = (byte) (current ? 1 : 0);
    out[1] = (byte) kcv.method().wireValue();
    System.arraycopy(v, 0, out, 2, v.length);
    return out;
  }

  static KeyConfirmed decode(byte[] p) throws MalformedTokenException {
    if (p.length < 2 || (p[0] & 0xFE) != 0) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_FRAME, "key-confirmed frame must start with a flag byte");
    }
    return new KeyConfirmed(p[0] == 1, PendingKey.kcv(Arrays.copyOfRange(p, 1, p.length)));
  }
}
