package dev.keytransfer.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CA's one parser of outside input (S1): {@link DefaultCertificateAuthority#issue} of a DER
 * PKCS#10 request, on any bytes (docs/SECURITY.md R5, docs/FUZZING.md); the input's length picks
 * the role (even: KRD, odd: KDH), so both roles' paths are reached. A refusal is {@code
 * CA_REQUEST_REFUSED}; an issued leaf is signed by the role's CA and certifies the key the request
 * carried.
 */
class CertificationRequestFuzzTest {
  private static volatile DefaultCertificateAuthority ca;

  private static DefaultCertificateAuthority ca() {
    if (ca == null) {
      synchronized (CertificationRequestFuzzTest.class) {
        if (ca == null) {
          ca = DefaultCertificateAuthority.create("Fuzz CSR", Clock.systemUTC());
        }
      }
    }
    return ca;
  }

  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#certificationRequests")
  @FuzzTest(maxDuration = "30s")
  void issue(byte[] request) throws Exception {
    Role role = request.length % 2 == 0 ? Role.KRD : Role.KDH;
    CertificateChain chain;
    try {
      chain = ca().issue(request.clone(), role);
    } catch (KeyTransferException e) {
      Refusals.check(e, Refusals.CA_REQUEST);
      return;
    }
    X509Certificate leaf = chain.leaf();
    leaf.verify(ca().issuingCertificate(role).getPublicKey());
    // the request as Bouncy Castle reads it (a reference outside the SDK's code path)
    PublicKey requested =
        KeyFactory.getInstance("RSA")
            .generatePublic(
                new X509EncodedKeySpec(
                    new PKCS10CertificationRequest(request)
                        .getSubjectPublicKeyInfo()
                        .getEncoded()));
    if (!requested.equals(leaf.getPublicKey())) {
      throw new AssertionError("the issued certificate certifies a key the request did not carry");
    }
  }
}
