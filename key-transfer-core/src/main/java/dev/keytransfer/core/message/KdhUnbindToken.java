package dev.keytransfer.core.message;

import dev.keytransfer.core.IssuerAndSerial;

/**
 * UBT-KDH (TR-34 B.14): the bound KDH tells the terminal to drop the binding and the keys received
 * under it. SignedData signed by the KDH over id-data = IssuerAndSerialNumber of the KRD, with the
 * KRD's nonce (from its RT-KRD) as a signed attribute and the KDH CA's CRL carried. Unverified
 * until {@code TokenCodec.verifyKdhUnbindToken}.
 */
public record KdhUnbindToken(byte[] encoded, IssuerAndSerial claimedSigner)
    implements HandshakeMessage {
  public KdhUnbindToken {
    encoded = encoded.clone();
    java.util.Objects.requireNonNull(claimedSigner, "claimedSigner");
  }

  @Override
  public byte[] encoded() {
    return encoded.clone();
  }

  @Override
  public MessageType type() {
    return MessageType.KDH_UNBIND;
  }

  @Override
  public byte[] payload() {
    return encoded.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KdhUnbindToken t && java.util.Arrays.equals(t.encoded, encoded);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "UBT-KDH[signer " + claimedSigner + ", " + encoded.length + " bytes]";
  }
}
