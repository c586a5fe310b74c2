package dev.keytransfer.core.message;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.CertificateChain;
import java.security.cert.X509CRL;
import java.util.List;

/**
 * CT-KDH (TR-34 B.6): a degenerate SignedData carrying the KDH's certificate and the KDH CA's CRL
 * (S3). Unverified until the terminal's validator has checked chain and CRL.
 */
public record KdhCredentialToken(Bytes bytes, CertificateChain chain, List<X509CRL> crls)
    implements Tr34Token {
  public KdhCredentialToken {
    java.util.Objects.requireNonNull(bytes, "bytes");
    java.util.Objects.requireNonNull(chain, "chain");
    crls = List.copyOf(crls);
  }

  @Override
  public MessageType type() {
    return MessageType.KDH_CREDENTIAL;
  }

  @Override
  public String toString() {
    return "CT-KDH[" + chain + ", " + crls.size() + " CRLs]";
  }
}
