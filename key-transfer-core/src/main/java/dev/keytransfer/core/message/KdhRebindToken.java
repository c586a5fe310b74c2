package dev.keytransfer.core.message;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.IssuerAndSerial;

/**
 * RBT-KDH (TR-34 B.11): the bound KDH hands the terminal over to a new KDH. SignedData signed by
 * the current KDH, with the KRD's nonce as a signed attribute and the KDH CA's CRL carried, whose
 * content (type signedData) is a degenerate SignedData carrying id-data = IssuerAndSerialNumber of
 * the KRD and the new KDH's certificate. Unverified until {@code TokenCodec.verifyKdhRebindToken}.
 */
public record KdhRebindToken(Bytes bytes, IssuerAndSerial claimedSigner) implements Tr34Token {
  public KdhRebindToken {
    java.util.Objects.requireNonNull(bytes, "bytes");
    java.util.Objects.requireNonNull(claimedSigner, "claimedSigner");
  }

  @Override
  public MessageType type() {
    return MessageType.KDH_REBIND;
  }

  @Override
  public String toString() {
    return "RBT-KDH[signer " + claimedSigner + ", " + bytes.length() + " bytes]";
  }
}
