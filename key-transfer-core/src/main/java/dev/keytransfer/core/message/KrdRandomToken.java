package dev.keytransfer.core.message;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.Nonce;

/** RT-KRD (TR-34 B.12): the KRD's fresh nonce as a bare randomNonce attribute (S4 request). */
public record KrdRandomToken(Bytes bytes, Nonce nonce) implements Tr34Token {
  public KrdRandomToken {
    java.util.Objects.requireNonNull(bytes, "bytes");
    java.util.Objects.requireNonNull(nonce, "nonce");
  }

  @Override
  public MessageType type() {
    return MessageType.KRD_RANDOM;
  }

  @Override
  public String toString() {
    return "RT-KRD[" + nonce + "]";
  }
}
