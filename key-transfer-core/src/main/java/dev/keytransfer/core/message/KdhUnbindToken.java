package dev.keytransfer.core.message;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.IssuerAndSerial;

/**
 * UBT-KDH (TR-34 B.14): the bound KDH tells the terminal to drop the binding and the keys received
 * under it. SignedData signed by the KDH over id-data = IssuerAndSerialNumber of the KRD, with the
 * KRD's nonce (from its RT-KRD) as a signed attribute and the KDH CA's CRL carried. Unverified
 * until {@code TokenCodec.verifyKdhUnbindToken}.
 */
public record KdhUnbindToken(Bytes bytes, IssuerAndSerial claimedSigner) implements Tr34Token {
  public KdhUnbindToken {
    java.util.Objects.requireNonNull(bytes, "bytes");
    java.util.Objects.requireNonNull(claimedSigner, "claimedSigner");
  }

  @Override
  public MessageType type() {
    return MessageType.KDH_UNBIND;
  }

  @Override
  public String toString() {
    return "UBT-KDH[signer " + claimedSigner + ", " + bytes.length() + " bytes]";
  }
}
