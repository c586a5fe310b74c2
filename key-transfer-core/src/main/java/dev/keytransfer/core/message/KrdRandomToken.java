package dev.keytransfer.core.message;

import dev.keytransfer.core.Nonce;

/** RT-KRD (TR-34 B.12): the KRD's fresh nonce as a bare randomNonce attribute (S4 request). */
public record KrdRandomToken(byte[] encoded, Nonce nonce) implements HandshakeMessage {
  public KrdRandomToken {
    encoded = encoded.clone();
    java.util.Objects.requireNonNull(nonce, "nonce");
  }

  @Override
  public byte[] encoded() {
    return encoded.clone();
  }

  @Override
  public MessageType type() {
    return MessageType.KRD_RANDOM;
  }

  @Override
  public byte[] payload() {
    return encoded.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KrdRandomToken t && java.util.Arrays.equals(t.encoded, encoded);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "RT-KRD[" + nonce + "]";
  }
}
