package dev.keytransfer.core.message;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.IssuerAndSerial;

/**
 * UBT-CA (TR-34 B.13): the higher-level authority (in Annex B, CA KRD) tells the terminal to drop
 * its binding to a KDH. SignedData signed by the authority over id-data = IssuerAndSerialNumber of
 * the KRD followed by that of the KDH (concatenated), normally without signed attributes and
 * without a nonce. Unverified until {@code TokenCodec.verifyCaUnbindToken}.
 */
public record CaUnbindToken(Bytes bytes, IssuerAndSerial claimedSigner) implements Tr34Token {
  public CaUnbindToken {
    java.util.Objects.requireNonNull(bytes, "bytes");
    java.util.Objects.requireNonNull(claimedSigner, "claimedSigner");
  }

  @Override
  public MessageType type() {
    return MessageType.CA_UNBIND;
  }

  @Override
  public String toString() {
    return "UBT-CA[signer " + claimedSigner + ", " + bytes.length() + " bytes]";
  }
}
