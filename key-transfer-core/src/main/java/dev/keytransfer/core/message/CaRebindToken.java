package dev.keytransfer.core.message;

import dev.keytransfer.core.IssuerAndSerial;

/**
 * RBT-CA (TR-34 B.10): the higher-level authority moves the terminal from its bound KDH to a new
 * one. SignedData signed by the authority with a signingTime signed attribute, whose content (type
 * signedData) is a degenerate SignedData carrying id-data = IssuerAndSerialNumber of the KRD
 * followed by that of the old KDH, and the new KDH's certificate. Unverified until {@code
 * TokenCodec.verifyCaRebindToken}.
 */
public record CaRebindToken(byte[] encoded, IssuerAndSerial claimedSigner)
    implements HandshakeMessage {
  public CaRebindToken {
    encoded = encoded.clone();
    java.util.Objects.requireNonNull(claimedSigner, "claimedSigner");
  }

  @Override
  public byte[] encoded() {
    return encoded.clone();
  }

  @Override
  public MessageType type() {
    return MessageType.CA_REBIND;
  }

  @Override
  public byte[] payload() {
    return encoded.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CaRebindToken t && java.util.Arrays.equals(t.encoded, encoded);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "RBT-CA[signer " + claimedSigner + ", " + encoded.length + " bytes]";
  }
}
