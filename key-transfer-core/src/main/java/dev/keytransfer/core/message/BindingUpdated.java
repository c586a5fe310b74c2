package dev.keytransfer.core.message;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.MalformedTokenException;

/**
 * The terminal's acknowledgement of a valid unbind or rebind token (project envelope, after TR-34
 * B.10, B.11, B.13, B.14): it is now unbound, or bound to the new KDH.
 */
public record BindingUpdated(boolean rebound) implements HandshakeMessage {
  @Override
  public MessageType type() {
    return MessageType.BINDING_UPDATED;
  }

  @Override
  public byte[] payload() {
    return new byte[] {(byte) (rebound ? 1 : 0)};
  }

  static BindingUpdated decode(byte[] p) throws MalformedTokenException {
    if (p.length != 1 || (p[0] & 0xFE) != 0) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_FRAME, "binding-updated frame must carry one flag byte");
    }
    return new BindingUpdated(p[0] == 1);
  }
}
