package dev.keytransfer.core.message;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.IssuerAndSerial;

/**
 * The host's S4 answer in the ECDH mode (docs/ECDH.md, "KT-KDH-ECDH"): the master key as a TR-31
 * version D key block under a key both parties derive, the host's fresh value and the KDF choice,
 * signed with ECDSA by the KDH over the answer and the terminal's fresh value. Only the encoded
 * bytes and the claimed signer are held here; the terminal's state machine verifies the signature
 * before anything is derived or unwrapped.
 */
public record KdhEcdhKeyToken(Bytes bytes, IssuerAndSerial claimedSigner)
    implements HandshakeMessage {
  public KdhEcdhKeyToken {
    java.util.Objects.requireNonNull(bytes, "bytes");
    java.util.Objects.requireNonNull(claimedSigner, "claimedSigner");
  }

  @Override
  public MessageType type() {
    return MessageType.KDH_ECDH_KEY;
  }

  @Override
  public byte[] payload() {
    return bytes.toByteArray();
  }

  @Override
  public String toString() {
    return "KT-KDH-ECDH[signer " + claimedSigner + ", " + bytes.length() + " bytes]";
  }
}
