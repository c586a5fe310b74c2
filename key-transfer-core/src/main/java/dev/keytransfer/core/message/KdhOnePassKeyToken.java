package dev.keytransfer.core.message;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.IssuerAndSerial;

/**
 * One-pass KT-KDH (TR-34 B.8): the same SignedData over an EnvelopedData as the two-pass token
 * ({@link KdhKeyToken}), but with a signingTime signed attribute where the two-pass token echoes
 * the KRD's nonce: there is no RT-KRD, so the terminal must enforce freshness by time
 * (docs/SECURITY.md P2: strictly later than the last accepted one). Only the encoded bytes and the
 * claimed signer are held here; {@code TokenCodec.verifyOnePassKeyToken} verifies it before
 * anything is decrypted.
 */
public record KdhOnePassKeyToken(Bytes bytes, IssuerAndSerial claimedSigner) implements Tr34Token {
  public KdhOnePassKeyToken {
    java.util.Objects.requireNonNull(bytes, "bytes");
    java.util.Objects.requireNonNull(claimedSigner, "claimedSigner");
  }

  @Override
  public MessageType type() {
    return MessageType.KDH_KEY_ONE_PASS;
  }

  @Override
  public String toString() {
    return "KT-KDH one-pass[signer " + claimedSigner + ", " + bytes.length() + " bytes]";
  }
}
