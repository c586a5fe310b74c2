package dev.keytransfer.crypto.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.CertificateValidationException;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.crypto.testing.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Found by attack (docs/SECURITY.md C6): a policy pins both role CAs, or says in a name that stands
 * out that it does not. A policy with only a trust anchor used to accept a KDH certificate issued
 * by the KRD CA.
 */
class RolePinningPolicyTest {
  private static TestPki pki;
  private static CertificateChain kdhFromKrdCa;

  @BeforeAll
  static void setUp() {
    pki = TestPki.create("Pinning");
    kdhFromKrdCa = pki.leaf(Role.KDH, "Pinning misissued KDH").issuedBy(pki.krdCa).build().chain();
  }

  @Test
  void anchorOnly_refusesToBuild() {
    assertThatThrownBy(() -> ValidationPolicy.builder().trustAnchor(pki.root).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("withoutRolePinning");
  }

  @Test
  void onlyOneRolePinned_refusesToBuild() {
    assertThatThrownBy(
            () ->
                ValidationPolicy.builder()
                    .trustAnchor(pki.root)
                    .roleIssuer(Role.KDH, pki.kdhCa)
                    .build())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void bothPinned_kdhFromKrdCa_refusedWrongRole() {
    PkixCertificateValidator v = new PkixCertificateValidator(pki.terminalPolicy());
    assertThatThrownBy(() -> v.validate(kdhFromKrdCa, Role.KDH, pki.crls()))
        .isInstanceOf(CertificateValidationException.class)
        .extracting(e -> ((CertificateValidationException) e).code())
        .isEqualTo(ErrorCode.CERTIFICATE_WRONG_ROLE);
  }

  @Test
  void withoutRolePinning_isExplicit_andKeyUsageAloneDecides() throws Exception {
    ValidationPolicy weak =
        ValidationPolicy.builder().trustAnchor(pki.root).withoutRolePinning().build();
    assertThat(weak.rolePinning()).isFalse();
    assertThat(pki.terminalPolicy().rolePinning()).isTrue();
    assertThat(
            new PkixCertificateValidator(weak).validate(kdhFromKrdCa, Role.KDH, pki.crls()).leaf())
        .isEqualTo(kdhFromKrdCa.leaf());
    assertThat(weak.toBuilder().build().rolePinning()).isFalse();
  }
}
