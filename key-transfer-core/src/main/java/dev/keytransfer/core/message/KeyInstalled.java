package dev.keytransfer.core.message;

import dev.keytransfer.core.KeyCheckValue;

/**
 * The terminal's confirmation that it installed the key, with the key's check value (project
 * envelope, after TR-34 S4). The host compares it with the KCV in its ledger. A terminal that waits
 * for working keys says so; the host then answers with {@link WorkingKeys}.
 */
public record KeyInstalled(KeyCheckValue kcv, boolean wantsWorkingKeys)
    implements HandshakeMessage {
  public KeyInstalled {
    java.util.Objects.requireNonNull(kcv, "kcv");
  }

  /** A confirmation that ends the session (no working keys asked for). */
  public KeyInstalled(KeyCheckValue kcv) {
    this(kcv, false);
  }

  @Override
  public MessageType type() {
    return MessageType.KEY_INSTALLED;
  }

  @Override
  public byte[] payload() {
    byte[] v = kcv.bytes();
    byte[] out = new byte[v.length + (wantsWorkingKeys ? 2 : 1)];
    out[0] = (byte) kcv.method().wireValue();
    System.arraycopy(v, 0, out, 1, v.length);
    if (wantsWorkingKeys) {
      out[out.length - 1] = 1; // flags: bit 0 = the terminal waits for working keys
    }
    return out;
  }
}
