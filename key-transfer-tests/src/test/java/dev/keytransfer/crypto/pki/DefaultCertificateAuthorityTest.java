package dev.keytransfer.crypto.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.ca.CertificateBuilder;
import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.CertificateValidationException;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The reference CA: TR-34 B.2.1 sample PKI shape, PKCS#10 checks, revocation and CRLs. */
class DefaultCertificateAuthorityTest {
  private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");
  private static final String KU = Extension.keyUsage.getId();
  private static final String BC = Extension.basicConstraints.getId();

  private static PkiTestSupport.MutableClock clock;
  private static DefaultCertificateAuthority ca;
  private static KeyPair keys;
  private static KeyPair otherKeys;

  @BeforeAll
  static void setUp() {
    clock = new PkiTestSupport.MutableClock(T0);
    ca = DefaultCertificateAuthority.create("Test", clock);
    keys = PkiTestSupport.rsa(2048);
    otherKeys = PkiTestSupport.rsa(2048);
  }

  private static void assertRefused(ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOf(KeyTransferException.class)
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.CA_REQUEST_REFUSED);
  }

  private static byte[] ski(X509Certificate c) {
    byte[] inner =
        ASN1OctetString.getInstance(c.getExtensionValue(Extension.subjectKeyIdentifier.getId()))
            .getOctets();
    return SubjectKeyIdentifier.getInstance(inner).getKeyIdentifier();
  }

  private static byte[] aki(X509Certificate c) {
    byte[] inner =
        ASN1OctetString.getInstance(c.getExtensionValue(Extension.authorityKeyIdentifier.getId()))
            .getOctets();
    return AuthorityKeyIdentifier.getInstance(inner).getKeyIdentifierOctets();
  }

  // --- the CA hierarchy (TR-34 B.2.1) ---

  @Test
  void create_defaults_rootAboveKdhCaAndKrdCa() throws Exception {
    X509Certificate root = ca.rootCertificate();
    X509Certificate kdhCa = ca.issuingCertificate(Role.KDH);
    X509Certificate krdCa = ca.issuingCertificate(Role.KRD);
    assertThat(root.getSubjectX500Principal())
        .isEqualTo(new X500Principal("CN=Test Root CA,O=key-transfer"));
    assertThat(kdhCa.getSubjectX500Principal())
        .isEqualTo(new X500Principal("CN=Test KDH CA,O=key-transfer"));
    assertThat(krdCa.getSubjectX500Principal())
        .isEqualTo(new X500Principal("CN=Test KRD CA,O=key-transfer"));
    root.verify(root.getPublicKey());
    kdhCa.verify(root.getPublicKey());
    krdCa.verify(root.getPublicKey());
    assertThat(root.getBasicConstraints()).isEqualTo(Integer.MAX_VALUE);
    assertThat(kdhCa.getBasicConstraints()).isZero();
    assertThat(krdCa.getBasicConstraints()).isZero();
    for (X509Certificate c : List.of(root, kdhCa, krdCa)) {
      assertThat(c.getCriticalExtensionOIDs()).contains(KU, BC);
      // keyCertSign (5) and cRLSign (6) only
      assertThat(Arrays.copyOf(c.getKeyUsage(), 9))
          .containsExactly(false, false, false, false, false, true, true, false, false);
      assertThat(c.getSigAlgName()).isEqualToIgnoringCase("SHA256withRSA");
      assertThat(((RSAPublicKey) c.getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
      assertThat(c.getNotBefore().toInstant()).isEqualTo(T0);
      assertThat(c.getNotAfter().toInstant()).isEqualTo(T0.plus(Duration.ofDays(7305)));
      assertThat(aki(c)).isEqualTo(ski(root));
    }
  }

  // --- issue ---

  @Test
  void issue_kdhRequest_leafWithDigitalSignatureOnly() throws Exception {
    CertificateChain chain = ca.issue(PkiTestSupport.csr(keys, "CN=KDH 1,O=Host"), Role.KDH);
    X509Certificate leaf = chain.leaf();
    assertThat(chain.issuers()).containsExactly(ca.issuingCertificate(Role.KDH));
    leaf.verify(ca.issuingCertificate(Role.KDH).getPublicKey());
    assertThat(leaf.getSubjectX500Principal()).isEqualTo(new X500Principal("CN=KDH 1,O=Host"));
    assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
    // TR-34 B.2.1: SHALL carry digitalSignature (KDH signs) and nothing that encrypts
    assertThat(Arrays.copyOf(leaf.getKeyUsage(), 9))
        .containsExactly(true, false, false, false, false, false, false, false, false);
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getCriticalExtensionOIDs()).contains(KU, BC);
    assertThat(aki(leaf)).isEqualTo(ski(ca.issuingCertificate(Role.KDH)));
    assertThat(ski(leaf)).isNotEmpty();
    assertThat(leaf.getNotBefore().toInstant()).isEqualTo(T0);
    assertThat(leaf.getNotAfter().toInstant()).isEqualTo(T0.plus(Duration.ofDays(730)));
    assertThat(leaf.getSerialNumber().signum()).isPositive();
  }

  @Test
  void issue_krdRequest_leafWithKeyEnciphermentOnly() throws Exception {
    CertificateChain chain = ca.issue(PkiTestSupport.csr(keys, "CN=KRD 1,O=Terminal"), Role.KRD);
    X509Certificate leaf = chain.leaf();
    assertThat(chain.issuers()).containsExactly(ca.issuingCertificate(Role.KRD));
    leaf.verify(ca.issuingCertificate(Role.KRD).getPublicKey());
    // TR-34 B.2.1: SHALL carry keyEncipherment (KRD decrypts the transported key) and no signing
    // bits
    assertThat(Arrays.copyOf(leaf.getKeyUsage(), 9))
        .containsExactly(false, false, true, false, false, false, false, false, false);
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getCriticalExtensionOIDs()).contains(KU, BC);
  }

  @Test
  void issue_twoRequests_distinctSerials() throws Exception {
    BigInteger a = ca.issue(PkiTestSupport.csr(keys, "CN=A"), Role.KRD).leaf().getSerialNumber();
    BigInteger b = ca.issue(PkiTestSupport.csr(keys, "CN=B"), Role.KRD).leaf().getSerialNumber();
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void issue_leafValidityBeyondCaValidity_clampedToCaNotAfter() throws Exception {
    DefaultCertificateAuthority shortLived =
        DefaultCertificateAuthority.builder()
            .namePrefix("Short")
            .clock(clock)
            .caValidity(Duration.ofDays(100))
            .leafValidity(Duration.ofDays(730))
            .build();
    X509Certificate leaf =
        shortLived.issue(PkiTestSupport.csr(keys, "CN=KDH short"), Role.KDH).leaf();
    assertThat(leaf.getNotAfter()).isEqualTo(shortLived.issuingCertificate(Role.KDH).getNotAfter());
  }

  @Test
  void issue_badProofOfPossession_refused() {
    byte[] csr = PkiTestSupport.csr(keys, otherKeys, "CN=Not my key", "SHA256withRSA");
    assertRefused(() -> ca.issue(csr, Role.KDH));
  }

  @Test
  void issue_rsa1024Request_refused() {
    KeyPair small = PkiTestSupport.rsa(1024);
    assertRefused(() -> ca.issue(PkiTestSupport.csr(small, "CN=Small"), Role.KRD));
  }

  @Test
  void issue_sha1SignedRequest_refused() {
    assertRefused(
        () -> ca.issue(PkiTestSupport.csr(keys, keys, "CN=SHA-1", "SHA1withRSA"), Role.KDH));
  }

  @Test
  void issue_ecKeyRequest_acceptedWithItsCurvesHashOnly() throws Exception {
    // the ECDH mode (docs/ECDH.md): a P-256 key's request is signed with ecdsa-with-SHA256
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ec = g.generateKeyPair();
    assertThat(
            ca.issue(PkiTestSupport.csr(ec, ec, "CN=EC", "SHA256withECDSA"), Role.KDH)
                .leaf()
                .getPublicKey())
        .isEqualTo(ec.getPublic());
    assertRefused(
        () -> ca.issue(PkiTestSupport.csr(ec, ec, "CN=EC 384", "SHA384withECDSA"), Role.KDH));
  }

  @Test
  void issue_malformedRequests_refused() {
    byte[] good = PkiTestSupport.csr(keys, "CN=Good");
    byte[] truncated = Arrays.copyOf(good, good.length - 10);
    byte[] trailing = Arrays.copyOf(good, good.length + 3);
    byte[] flipped = good.clone();
    flipped[flipped.length - 5] ^= 0x01; // inside the signature
    byte[] random = new byte[300];
    PkiTestSupport.RANDOM.nextBytes(random);
    assertRefused(() -> ca.issue(new byte[0], Role.KDH));
    assertRefused(() -> ca.issue(truncated, Role.KDH));
    assertRefused(() -> ca.issue(trailing, Role.KDH));
    assertRefused(() -> ca.issue(flipped, Role.KDH));
    assertRefused(() -> ca.issue(random, Role.KDH));
    assertRefused(
        () ->
            ca.issue(
                new byte[] {0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
                Role.KDH));
    assertRefused(() -> ca.issue(new byte[64 * 1024], Role.KDH));
  }

  @Test
  void issue_subjectIsCaName_refused() {
    assertRefused(
        () -> ca.issue(PkiTestSupport.csr(keys, "CN=Test KDH CA,O=key-transfer"), Role.KDH));
  }

  @Test
  void issue_thenValidate_acceptedForItsRoleOnly() throws Exception {
    CertificateChain kdh = ca.issue(PkiTestSupport.csr(keys, "CN=KDH round trip"), Role.KDH);
    ValidationPolicy policy =
        ValidationPolicy.builder()
            .trustAnchor(ca.rootCertificate())
            .roleIssuer(Role.KDH, ca.issuingCertificate(Role.KDH))
            .roleIssuer(Role.KRD, ca.issuingCertificate(Role.KRD))
            .clock(Clock.fixed(T0.plusSeconds(1), ZoneOffset.UTC))
            .build();
    PkixCertificateValidator v = new PkixCertificateValidator(policy);
    assertThat(v.validate(kdh, Role.KDH, ca.crls()).certificates()).isEqualTo(kdh.certificates());
    assertThatThrownBy(() -> v.validate(kdh, Role.KRD, ca.crls()))
        .isInstanceOf(CertificateValidationException.class)
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.CERTIFICATE_WRONG_ROLE);
  }

  // --- revoke and CRLs ---

  @Test
  void revoke_leaf_crlListsSerialWithHigherNumber() throws Exception {
    X509Certificate leaf = ca.issue(PkiTestSupport.csr(keys, "CN=KDH to revoke"), Role.KDH).leaf();
    BigInteger before = crlNumber(ca.crl(Role.KDH));
    ca.revoke(leaf);
    X509CRL crl = ca.crl(Role.KDH);
    assertThat(crl.getRevokedCertificate(leaf.getSerialNumber())).isNotNull();
    assertThat(crl.getRevokedCertificate(leaf.getSerialNumber()).getRevocationDate().toInstant())
        .isEqualTo(T0);
    assertThat(crlNumber(crl)).isGreaterThan(before);
    assertThat(ca.crl(Role.KRD).getRevokedCertificate(leaf.getSerialNumber())).isNull();
  }

  @Test
  void revoke_subCa_rootCrlListsItAndValidationFails() throws Exception {
    DefaultCertificateAuthority own = DefaultCertificateAuthority.create("Revoking", clock);
    CertificateChain krd = own.issue(PkiTestSupport.csr(keys, "CN=KRD under revoked CA"), Role.KRD);
    own.revoke(own.issuingCertificate(Role.KRD));
    assertThat(
            own.crls()
                .get(0)
                .getRevokedCertificate(own.issuingCertificate(Role.KRD).getSerialNumber()))
        .isNotNull();
    ValidationPolicy policy =
        ValidationPolicy.builder()
            .trustAnchor(own.rootCertificate())
            .withoutRolePinning()
            .clock(Clock.fixed(T0.plusSeconds(1), ZoneOffset.UTC))
            .build();
    assertThatThrownBy(
            () -> new PkixCertificateValidator(policy).validate(krd, Role.KRD, own.crls()))
        .isInstanceOf(CertificateValidationException.class)
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.CERTIFICATE_REVOKED);
  }

  @Test
  void revoke_certificateFromAnotherCa_refused() {
    X509Certificate foreign =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=Test KDH CA,O=key-transfer"))
            .publicKey(otherKeys.getPublic())
            .selfSigned(otherKeys.getPrivate())
            .validity(T0, T0.plus(Duration.ofDays(1)))
            .build();
    X509Certificate forgedLeaf =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=Forged"))
            .publicKey(keys.getPublic())
            .issuer(foreign, otherKeys.getPrivate())
            .validity(T0, T0.plus(Duration.ofDays(1)))
            .build();
    assertRefused(() -> ca.revoke(foreign));
    assertRefused(() -> ca.revoke(forgedLeaf));
  }

  @Test
  void revoke_rootCertificate_refused() {
    assertRefused(() -> ca.revoke(ca.rootCertificate()));
  }

  @Test
  void crls_rootKdhKrd_signedByTheirCaWithMatchingAki() throws Exception {
    List<X509CRL> crls = ca.crls();
    List<X509Certificate> cas =
        List.of(
            ca.rootCertificate(), ca.issuingCertificate(Role.KDH), ca.issuingCertificate(Role.KRD));
    assertThat(crls).hasSize(3);
    for (int i = 0; i < 3; i++) {
      X509CRL crl = crls.get(i);
      X509Certificate issuer = cas.get(i);
      crl.verify(issuer.getPublicKey());
      assertThat(crl.getIssuerX500Principal()).isEqualTo(issuer.getSubjectX500Principal());
      assertThat(crl.getSigAlgName()).isEqualToIgnoringCase("SHA256withRSA");
      byte[] inner =
          ASN1OctetString.getInstance(
                  crl.getExtensionValue(Extension.authorityKeyIdentifier.getId()))
              .getOctets();
      assertThat(AuthorityKeyIdentifier.getInstance(inner).getKeyIdentifierOctets())
          .isEqualTo(ski(issuer));
      assertThat(crl.getNextUpdate().toInstant())
          .isEqualTo(crl.getThisUpdate().toInstant().plus(Duration.ofDays(7)));
    }
    assertThat(crls.get(1)).isSameAs(ca.crl(Role.KDH));
    assertThat(crls.get(2)).isSameAs(ca.crl(Role.KRD));
  }

  @Test
  void crl_olderThanHalfItsValidity_reissuedWithHigherNumber() throws Exception {
    PkiTestSupport.MutableClock own = new PkiTestSupport.MutableClock(T0);
    DefaultCertificateAuthority lazy = DefaultCertificateAuthority.create("Lazy", own);
    X509CRL first = lazy.crl(Role.KRD);
    own.advance(Duration.ofDays(3));
    assertThat(lazy.crl(Role.KRD)).as("younger than half of 7 days").isSameAs(first);
    own.advance(Duration.ofHours(13));
    X509CRL second = lazy.crl(Role.KRD);
    assertThat(second).isNotSameAs(first);
    assertThat(second.getThisUpdate().toInstant())
        .isEqualTo(T0.plus(Duration.ofDays(3)).plus(Duration.ofHours(13)));
    assertThat(crlNumber(second)).isGreaterThan(crlNumber(first));
  }

  @Test
  void builder_rsaBitsBelow2048_rejected() {
    assertThatThrownBy(() -> DefaultCertificateAuthority.builder().rsaBits(1024))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static BigInteger crlNumber(X509CRL crl) {
    byte[] inner =
        ASN1OctetString.getInstance(crl.getExtensionValue(Extension.cRLNumber.getId())).getOctets();
    return ASN1Integer.getInstance(inner).getValue();
  }
}
