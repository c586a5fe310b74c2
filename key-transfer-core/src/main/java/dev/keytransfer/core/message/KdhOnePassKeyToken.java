package dev.keytransfer.core.message;

import dev.keytransfer.core.IssuerAndSerial;

/**
 * One-pass KT-KDH (TR-34 B.8): the same SignedData over an EnvelopedData as the two-pass token
 * ({@link KdhKeyToken}), but with a signingTime signed attribute where the two-pass token echoes
 * the KRD's nonce: there is no RT-KRD, so the terminal must enforce freshness by time
 * (docs/SECURITY.md P2: strictly later than the last accepted one). Only the encoded bytes and the
 * claimed signer are held here; {@code TokenCodec.verifyOnePassKeyToken} verifies it before
 * anything is decrypted.
 */
public record KdhOnePassKeyToken(byte[] encoded, IssuerAndSerial claimedSigner)
    implements HandshakeMessage {
  public KdhOnePassKeyToken {
    encoded = encoded.clone();
    java.util.Objects.requireNonNull(claimedSigner, "claimedSigner");
  }

  @Override
  public byte[] encoded() {
    return encoded.clone();
  }

  @Override
  public MessageType type() {
    return MessageType.KDH_KEY_ONE_PASS;
  }

  @Override
  public byte[] payload() {
    return encoded.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KdhOnePassKeyToken t && java.util.Arrays.equals(t.encoded, encoded);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "KT-KDH one-pass[signer " + claimedSigner + ", " + encoded.length + " bytes]";
  }
}
