package dev.keytransfer.core.message;

import dev.keytransfer.core.KeyCheckValue;

/**
 * The terminal's confirmation that it installed the key, with the key's check value (project
 * envelope, after TR-34 S4). The host compares it with the KCV in its ledger.
 */
public record KeyInstalled(KeyCheckValue kcv) implements HandshakeMessage {
  public KeyInstalled {
    java.util.Objects.requireNonNull(kcv, "kcv");
  }

  @Override
  public MessageType type() {
    return MessageType.KEY_INSTALLED;
  }

  @Override
  public byte[] payload() {
    byte[] v = kcv.bytes();
    byte[] out = new byte[v.length + 1];
    out[0] = (byte) kcv.method().ordinal();
    System.arraycopy(v, 0, out, 1, v.length);
    return out;
  }
}
