package dev.keytransfer.core.message;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.IssuerAndSerial;

/**
 * RBT-CA (TR-34 B.10): the higher-level authority moves the terminal from its bound KDH to a new
 * one. SignedData signed by the authority with a signingTime signed attribute, whose content (type
 * signedData) is a degenerate SignedData carrying id-data = IssuerAndSerialNumber of the KRD
 * followed by that of the old KDH, and the new KDH's certificate. Unverified until {@code
 * TokenCodec.verifyCaRebindToken}.
 */
public record CaRebindToken(Bytes bytes, IssuerAndSerial claimedSigner) implements Tr34Token {
  public CaRebindToken {
    java.util.Objects.requireNonNull(bytes, "bytes");
    java.util.Objects.requireNonNull(claimedSigner, "claimedSigner");
  }

  @Override
  public MessageType type() {
    return MessageType.CA_REBIND;
  }

  @Override
  public String toString() {
    return "RBT-CA[signer " + claimedSigner + ", " + bytes.length() + " bytes]";
  }
}
