package dev.keytransfer.core.message;

import dev.keytransfer.core.Bytes;

/**
 * A TR-34 token as received or built (docs/PROTOCOL.md): its exact encoded bytes, which are the
 * envelope's payload, and the fields decoded from them, informational until the state machine has
 * verified the token. Value equality over all components.
 */
public sealed interface Tr34Token extends HandshakeMessage
    permits KrdCredentialToken,
        KdhCredentialToken,
        KrdRandomToken,
        KdhKeyToken,
        KdhOnePassKeyToken,
        KdhUnbindToken,
        CaUnbindToken,
        KdhRebindToken,
        CaRebindToken {
  /** The token's encoding, exactly as received or built. */
  Bytes bytes();

  /** A fresh copy of the encoding. */
  default byte[] encoded() {
    return bytes().toByteArray();
  }

  @Override
  default byte[] payload() {
    return encoded();
  }
}
