package dev.keytransfer.core.message;

import dev.keytransfer.core.IssuerAndSerial;

/**
 * Two-pass KT-KDH (TR-34 B.9): SignedData over an EnvelopedData that carries the key block,
 * encrypted to the KRD and signed by the KDH, echoing the KRD's nonce (S4 answer). Only the encoded
 * bytes and the claimed signer are held here; the terminal's state machine verifies the signature,
 * then the nonce, before anything is decrypted.
 */
public record KdhKeyToken(byte[] encoded, IssuerAndSerial claimedSigner)
    implements HandshakeMessage {
  public KdhKeyToken {
    encoded = encoded.clone();
    java.util.Objects.requireNonNull(claimedSigner, "claimedSigner");
  }

  @Override
  public byte[] encoded() {
    return encoded.clone();
  }

  @Override
  public MessageType type() {
    return MessageType.KDH_KEY;
  }

  @Override
  public byte[] payload() {
    return encoded.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KdhKeyToken t && java.util.Arrays.equals(t.encoded, encoded);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "KT-KDH[signer " + claimedSigner + ", " + encoded.length + " bytes]";
  }
}
