package dev.keytransfer.core.message;

import dev.keytransfer.core.CertificateChain;

/**
 * CT-KRD (TR-34 B.7): a degenerate SignedData carrying the KRD's certificate (S2). Unverified until
 * the host's validator has checked the chain.
 */
public record KrdCredentialToken(byte[] encoded, CertificateChain chain)
    implements HandshakeMessage {
  public KrdCredentialToken {
    encoded = encoded.clone();
    java.util.Objects.requireNonNull(chain, "chain");
  }

  @Override
  public byte[] encoded() {
    return encoded.clone();
  }

  @Override
  public MessageType type() {
    return MessageType.KRD_CREDENTIAL;
  }

  @Override
  public byte[] payload() {
    return encoded.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KrdCredentialToken t && java.util.Arrays.equals(t.encoded, encoded);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "CT-KRD[" + chain + "]";
  }
}
