package dev.keytransfer.core.message;

import dev.keytransfer.core.CertificateChain;
import java.security.cert.X509CRL;
import java.util.List;

/**
 * CT-KDH (TR-34 B.6): a degenerate SignedData carrying the KDH's certificate and the KDH CA's CRL
 * (S3). Unverified until the terminal's validator has checked chain and CRL.
 */
public record KdhCredentialToken(byte[] encoded, CertificateChain chain, List<X509CRL> crls)
    implements HandshakeMessage {
  public KdhCredentialToken {
    encoded = encoded.clone();
    java.util.Objects.requireNonNull(chain, "chain");
    crls = List.copyOf(crls);
  }

  @Override
  public byte[] encoded() {
    return encoded.clone();
  }

  @Override
  public MessageType type() {
    return MessageType.KDH_CREDENTIAL;
  }

  @Override
  public byte[] payload() {
    return encoded.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KdhCredentialToken t && java.util.Arrays.equals(t.encoded, encoded);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "CT-KDH[" + chain + ", " + crls.size() + " CRLs]";
  }
}
