package dev.keytransfer.core.message;

import dev.keytransfer.core.IssuerAndSerial;

/**
 * UBT-CA (TR-34 B.13): the higher-level authority (in Annex B, CA KRD) tells the terminal to drop
 * its binding to a KDH. SignedData signed by the authority over id-data = IssuerAndSerialNumber of
 * the KRD followed by that of the KDH (concatenated), normally without signed attributes and
 * without a nonce. Unverified until {@code TokenCodec.verifyCaUnbindToken}.
 */
public record CaUnbindToken(byte[] encoded, IssuerAndSerial claimedSigner)
    implements HandshakeMessage {
  public CaUnbindToken {
    encoded = encoded.clone();
    java.util.Objects.requireNonNull(claimedSigner, "claimedSigner");
  }

  @Override
  public byte[] encoded() {
    return encoded.clone();
  }

  @Override
  public MessageType type() {
    return MessageType.CA_UNBIND;
  }

  @Override
  public byte[] payload() {
    return encoded.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CaUnbindToken t && java.util.Arrays.equals(t.encoded, encoded);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "UBT-CA[signer " + claimedSigner + ", " + encoded.length + " bytes]";
  }
}
