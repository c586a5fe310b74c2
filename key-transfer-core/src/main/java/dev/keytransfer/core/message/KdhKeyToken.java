package dev.keytransfer.core.message;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.IssuerAndSerial;

/**
 * Two-pass KT-KDH (TR-34 B.9): SignedData over an EnvelopedData that carries the key block,
 * encrypted to the KRD and signed by the KDH, echoing the KRD's nonce (S4 answer). Only the encoded
 * bytes and the claimed signer are held here; the terminal's state machine verifies the signature,
 * then the nonce, before anything is decrypted.
 */
public record KdhKeyToken(Bytes bytes, IssuerAndSerial claimedSigner) implements Tr34Token {
  public KdhKeyToken {
    java.util.Objects.requireNonNull(bytes, "bytes");
    java.util.Objects.requireNonNull(claimedSigner, "claimedSigner");
  }

  @Override
  public MessageType type() {
    return MessageType.KDH_KEY;
  }

  @Override
  public String toString() {
    return "KT-KDH[signer " + claimedSigner + ", " + bytes.length() + " bytes]";
  }
}
