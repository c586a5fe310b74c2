package dev.keytransfer.core.message;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.CertificateChain;

/**
 * CT-KRD (TR-34 B.7): a degenerate SignedData carrying the KRD's certificate (S2). Unverified until
 * the host's validator has checked the chain.
 */
public record KrdCredentialToken(Bytes bytes, CertificateChain chain) implements Tr34Token {
  public KrdCredentialToken {
    java.util.Objects.requireNonNull(bytes, "bytes");
    java.util.Objects.requireNonNull(chain, "chain");
  }

  @Override
  public MessageType type() {
    return MessageType.KRD_CREDENTIAL;
  }

  @Override
  public String toString() {
    return "CT-KRD[" + chain + "]";
  }
}
