package dev.keytransfer.core.message;

import dev.keytransfer.core.ErrorCode;

/**
 * Either side ends the session. Carries only the failure class, never the detail (docs/SECURITY.md
 * A2).
 */
public record Abort(ErrorCode code) implements HandshakeMessage {
  public Abort {
    java.util.Objects.requireNonNull(code, "code");
  }

  @Override
  public MessageType type() {
    return MessageType.ABORT;
  }

  @Override
  public byte[] payload() {
    int v = code.wireValue();
    return new byte[] {(byte) (v >> 8), (byte) v};
  }
}
