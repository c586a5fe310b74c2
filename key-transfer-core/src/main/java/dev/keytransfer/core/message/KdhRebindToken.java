package dev.keytransfer.core.message;

import dev.keytransfer.core.IssuerAndSerial;

/**
 * RBT-KDH (TR-34 B.11): the bound KDH hands the terminal over to a new KDH. SignedData signed by
 * the current KDH, with the KRD's nonce as a signed attribute and the KDH CA's CRL carried, whose
 * content (type signedData) is a degenerate SignedData carrying id-data = IssuerAndSerialNumber of
 * the KRD and the new KDH's certificate. Unverified until {@code TokenCodec.verifyKdhRebindToken}.
 */
public record KdhRebindToken(byte[] encoded, IssuerAndSerial claimedSigner)
    implements HandshakeMessage {
  public KdhRebindToken {
    encoded = encoded.clone();
    java.util.Objects.requireNonNull(claimedSigner, "claimedSigner");
  }

  @Override
  public byte[] encoded() {
    return encoded.clone();
  }

  @Override
  public MessageType type() {
    return MessageType.KDH_REBIND;
  }

  @Override
  public byte[] payload() {
    return encoded.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KdhRebindToken t && java.util.Arrays.equals(t.encoded, encoded);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "RBT-KDH[signer " + claimedSigner + ", " + encoded.length + " bytes]";
  }
}
