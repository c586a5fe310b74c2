package dev.keytransfer.core.message;

/**
 * A message of the S1-S4 handshake. The TR-34 tokens keep their exact encoded bytes; their decoded
 * fields are informational until the state machine has verified them.
 */
public sealed interface HandshakeMessage
    permits Tr34Token,
        KdhEcdhKeyToken,
        KeyInstalled,
        WorkingKeys,
        WorkingKeysInstalled,
        BindingUpdated,
        KeyConfirmed,
        PendingKey,
        Abort {
  /** The envelope type. */
  MessageType type();

  /** The payload bytes carried in the envelope. */
  byte[] payload();
}
