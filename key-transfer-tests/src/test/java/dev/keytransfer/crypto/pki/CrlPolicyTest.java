package dev.keytransfer.crypto.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.CertificateValidationException;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.crypto.testing.TestPki;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Found by attack (docs/SECURITY.md C3, C8): a CRL is judged like a certificate. A CRL valid for 20
 * years and a CRL signed with SHA1withRSA used to be accepted.
 */
class CrlPolicyTest {
  private static TestPki pki;
  private static TestPki.Leaf kdh;

  @BeforeAll
  static void setUp() {
    pki = TestPki.create("CrlPolicy");
    kdh = pki.validLeaf(Role.KDH, "CrlPolicy KDH");
  }

  private static List<X509CRL> crls(Duration validity, String kdhCaAlgorithm) {
    Instant now = Instant.now();
    return List.of(
        pki.crl(pki.root, now.minusSeconds(60), now.plus(Duration.ofDays(7)), pki.caKey(pki.root)),
        pki.crl(
            pki.kdhCa,
            now.minusSeconds(60),
            now.minusSeconds(60).plus(validity),
            pki.caKey(pki.kdhCa),
            kdhCaAlgorithm));
  }

  private static ErrorCode refusal(ValidationPolicy policy, List<X509CRL> crls) {
    try {
      new PkixCertificateValidator(policy).validate(kdh.chain(), Role.KDH, crls);
      return null;
    } catch (CertificateValidationException e) {
      return e.code();
    }
  }

  @Test
  void crlValidFor20Years_refused() {
    assertThat(refusal(pki.terminalPolicy(), crls(Duration.ofDays(7305), "SHA256withRSA")))
        .isEqualTo(ErrorCode.CRL_INVALID);
  }

  @Test
  void crlSignedWithSha1_refused() {
    assertThat(refusal(pki.terminalPolicy(), crls(Duration.ofDays(7), "SHA1withRSA")))
        .isEqualTo(ErrorCode.CRL_INVALID);
  }

  @Test
  void crlWithinDefaultValidityAndSha256_accepted() {
    assertThat(refusal(pki.terminalPolicy(), crls(Duration.ofDays(30), "SHA256withRSA"))).isNull();
  }

  @Test
  void maxCrlValidity_isPolicy_defaultAMonth_boundedAbove() {
    assertThat(pki.terminalPolicy().maxCrlValidity()).isEqualTo(Duration.ofDays(31));
    ValidationPolicy longer =
        pki.terminalPolicy().toBuilder().maxCrlValidity(Duration.ofDays(200)).build();
    assertThat(refusal(longer, crls(Duration.ofDays(180), "SHA256withRSA"))).isNull();
    assertThat(refusal(pki.terminalPolicy(), crls(Duration.ofDays(180), "SHA256withRSA")))
        .isEqualTo(ErrorCode.CRL_INVALID);
    assertThatThrownBy(() -> ValidationPolicy.builder().maxCrlValidity(Duration.ofDays(3650)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
