package dev.keytransfer.crypto.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.ca.CertificateBuilder;
import dev.keytransfer.ca.CertificateBuilder.KeyUsage;
import dev.keytransfer.ca.CrlBuilder;
import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.CertificateValidationException;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.KeyPair;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/SECURITY.md C1-C9 for {@link PkixCertificateValidator}, with a PKI generated in code (TR-34
 * B.2.1 shape).
 */
class PkixCertificateValidatorTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  private static PkiTestSupport.MutableClock caClock;
  private static DefaultCertificateAuthority ca;
  private static KeyPair leafKeys;
  private static KeyPair otherKeys;
  private static CertificateChain kdh;
  private static CertificateChain krd;

  @BeforeAll
  static void pki() throws KeyTransferException {
    caClock = new PkiTestSupport.MutableClock(T0);
    ca = DefaultCertificateAuthority.create("Test", caClock);
    leafKeys = PkiTestSupport.rsa(2048);
    otherKeys = PkiTestSupport.rsa(2048);
    kdh = ca.issue(PkiTestSupport.csr(leafKeys, "CN=KDH 1,O=Host"), Role.KDH);
    krd = ca.issue(PkiTestSupport.csr(leafKeys, "CN=KRD 1,O=Terminal"), Role.KRD);
  }

  private static ValidationPolicy.Builder policyAt(Instant at) {
    return ValidationPolicy.builder()
        .trustAnchor(ca.rootCertificate())
        .withoutRolePinning() // the mechanisms one by one; pinning has its own tests
        .clock(Clock.fixed(at, ZoneOffset.UTC));
  }

  private static PkixCertificateValidator validatorAt(Instant at) {
    return new PkixCertificateValidator(policyAt(at).build());
  }

  /** The CA's CRLs as issued at {@code at} (the CA re-issues lazily on its own clock). */
  private static List<X509CRL> crlsAt(Instant at) {
    Instant saved = caClock.instant();
    caClock.set(at);
    try {
      return ca.crls();
    } finally {
      caClock.set(saved);
    }
  }

  private static X509CRL rootCrl(List<X509CRL> crls) {
    return crls.get(0);
  }

  private static void assertRejected(ThrowingCallable call, ErrorCode code) {
    assertThatThrownBy(call)
        .isInstanceOf(CertificateValidationException.class)
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(code);
  }

  private static CertificateBuilder leafUnder(Role role) {
    return CertificateBuilder.create()
        .issuer(ca.issuingCertificate(role), issuingKey(ca, role))
        .validity(T0, T0.plus(Duration.ofDays(365)));
  }

  // --- accepted paths ---

  @Test
  void validate_validKdh_returnsLeafAndIssuerWithoutAnchor() throws Exception {
    CertificateChain result = validatorAt(T0.plusSeconds(60)).validate(kdh, Role.KDH, ca.crls());
    assertThat(result.certificates()).containsExactly(kdh.leaf(), ca.issuingCertificate(Role.KDH));
  }

  @Test
  void validate_validKrd_returnsLeafAndIssuerWithoutAnchor() throws Exception {
    CertificateChain result = validatorAt(T0.plusSeconds(60)).validate(krd, Role.KRD, ca.crls());
    assertThat(result.certificates()).containsExactly(krd.leaf(), ca.issuingCertificate(Role.KRD));
  }

  @Test
  void validate_leafOnlyWithLocalIntermediateAndCrls_completesPath() throws Exception {
    ValidationPolicy policy =
        policyAt(T0.plusSeconds(60))
            .intermediate(ca.issuingCertificate(Role.KDH))
            .crls(ca.crls())
            .build();
    CertificateChain result =
        new PkixCertificateValidator(policy)
            .validate(CertificateChain.of(kdh.leaf()), Role.KDH, List.of());
    assertThat(result.certificates()).containsExactly(kdh.leaf(), ca.issuingCertificate(Role.KDH));
  }

  @Test
  void validate_presentedChainEndingWithRoot_returnsPathWithoutAnchor() throws Exception {
    CertificateChain withRoot =
        CertificateChain.of(kdh.leaf(), ca.issuingCertificate(Role.KDH), ca.rootCertificate());
    CertificateChain result =
        validatorAt(T0.plusSeconds(60)).validate(withRoot, Role.KDH, ca.crls());
    assertThat(result.certificates()).containsExactly(kdh.leaf(), ca.issuingCertificate(Role.KDH));
  }

  @Test
  void validate_pinnedRoleIssuersAndRightCa_accepted() throws Exception {
    ValidationPolicy policy =
        policyAt(T0.plusSeconds(60))
            .roleIssuer(Role.KDH, ca.issuingCertificate(Role.KDH))
            .roleIssuer(Role.KRD, ca.issuingCertificate(Role.KRD))
            .build();
    assertThat(new PkixCertificateValidator(policy).validate(kdh, Role.KDH, ca.crls()).leaf())
        .isEqualTo(kdh.leaf());
    assertThat(new PkixCertificateValidator(policy).validate(krd, Role.KRD, ca.crls()).leaf())
        .isEqualTo(krd.leaf());
  }

  // --- C1: trust ---

  @Test
  void validate_leafOfAnotherPki_rejectedUntrusted() throws Exception {
    DefaultCertificateAuthority other = DefaultCertificateAuthority.create("Other", caClock);
    CertificateChain foreign =
        other.issue(PkiTestSupport.csr(leafKeys, "CN=KDH 1,O=Host"), Role.KDH);
    assertRejected(
        () -> validatorAt(T0.plusSeconds(60)).validate(foreign, Role.KDH, other.crls()),
        ErrorCode.CERTIFICATE_UNTRUSTED);
  }

  @Test
  void validate_rootImpostorWithSameName_rejectedUntrusted() {
    X509Certificate fakeRoot =
        CertificateBuilder.create()
            .subject(ca.rootCertificate().getSubjectX500Principal())
            .publicKey(otherKeys.getPublic())
            .selfSigned(otherKeys.getPrivate())
            .validity(T0, T0.plus(Duration.ofDays(3650)))
            .ca(true)
            .keyUsage(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)
            .build();
    X509Certificate leaf =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=Impostor KDH"))
            .publicKey(leafKeys.getPublic())
            .issuer(fakeRoot, otherKeys.getPrivate())
            .validity(T0, T0.plus(Duration.ofDays(365)))
            .keyUsage(KeyUsage.DIGITAL_SIGNATURE)
            .build();
    assertRejected(
        () ->
            validatorAt(T0.plusSeconds(60))
                .validate(CertificateChain.of(leaf, fakeRoot), Role.KDH, ca.crls()),
        ErrorCode.CERTIFICATE_UNTRUSTED);
  }

  @Test
  void validate_pathLongerThanPolicyMaximum_rejectedUntrusted() {
    PkixCertificateValidator v =
        new PkixCertificateValidator(policyAt(T0.plusSeconds(60)).maxChainLength(1).build());
    assertRejected(() -> v.validate(kdh, Role.KDH, ca.crls()), ErrorCode.CERTIFICATE_UNTRUSTED);
  }

  // --- C2: dates ---

  @Test
  void validate_expiredLeaf_rejectedExpired() {
    Instant afterLeafExpiry = kdh.leaf().getNotAfter().toInstant().plus(Duration.ofDays(1));
    List<X509CRL> crls = crlsAt(afterLeafExpiry);
    assertRejected(
        () -> validatorAt(afterLeafExpiry).validate(kdh, Role.KDH, crls),
        ErrorCode.CERTIFICATE_EXPIRED);
  }

  @Test
  void validate_leafNotYetValid_rejectedNotYetValid() throws Exception {
    Instant issued = T0.plus(Duration.ofDays(30));
    caClock.set(issued);
    CertificateChain later;
    try {
      later = ca.issue(PkiTestSupport.csr(leafKeys, "CN=KDH later,O=Host"), Role.KDH);
    } finally {
      caClock.set(T0);
    }
    Instant before = T0.plus(Duration.ofDays(10));
    List<X509CRL> crls = crlsAt(before);
    assertRejected(
        () -> validatorAt(before).validate(later, Role.KDH, crls),
        ErrorCode.CERTIFICATE_NOT_YET_VALID);
  }

  @Test
  void validate_expiredTrustAnchor_rejectedExpired() {
    Instant start = T0.minus(Duration.ofDays(100));
    X509Certificate oldRoot =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=Old Root"))
            .publicKey(otherKeys.getPublic())
            .selfSigned(otherKeys.getPrivate())
            .validity(start, T0.minus(Duration.ofDays(1)))
            .ca(true)
            .keyUsage(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)
            .build();
    X509Certificate leaf =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=KDH under old root"))
            .publicKey(leafKeys.getPublic())
            .issuer(oldRoot, otherKeys.getPrivate())
            .validity(start, T0.plus(Duration.ofDays(100)))
            .keyUsage(KeyUsage.DIGITAL_SIGNATURE)
            .build();
    X509CRL crl =
        CrlBuilder.issuedBy(oldRoot, otherKeys.getPrivate())
            .thisUpdate(T0)
            .nextUpdate(T0.plus(Duration.ofDays(7)))
            .build();
    ValidationPolicy policy =
        ValidationPolicy.builder()
            .trustAnchor(oldRoot)
            .withoutRolePinning()
            .clock(Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC))
            .build();
    assertRejected(
        () ->
            new PkixCertificateValidator(policy)
                .validate(CertificateChain.of(leaf), Role.KDH, List.of(crl)),
        ErrorCode.CERTIFICATE_EXPIRED);
  }

  // --- C3: revocation, failing closed ---

  @Test
  void validate_revokedLeaf_rejectedRevoked() throws Exception {
    CertificateChain doomed =
        ca.issue(PkiTestSupport.csr(leafKeys, "CN=KDH doomed,O=Host"), Role.KDH);
    ca.revoke(doomed.leaf());
    assertRejected(
        () -> validatorAt(T0.plusSeconds(60)).validate(doomed, Role.KDH, ca.crls()),
        ErrorCode.CERTIFICATE_REVOKED);
  }

  @Test
  void validate_revokedSubCa_rejectedRevoked() {
    X509CRL rootCrlRevokingKdhCa =
        CrlBuilder.issuedBy(ca.rootCertificate(), ca.exportState().rootKey())
            .thisUpdate(T0)
            .nextUpdate(T0.plus(Duration.ofDays(7)))
            .crlNumber(BigInteger.valueOf(1000))
            .revoke(ca.issuingCertificate(Role.KDH).getSerialNumber(), T0)
            .build();
    List<X509CRL> crls = List.of(rootCrlRevokingKdhCa, ca.crl(Role.KDH));
    assertThatThrownBy(() -> validatorAt(T0.plusSeconds(60)).validate(kdh, Role.KDH, crls))
        .isInstanceOf(CertificateValidationException.class)
        .hasMessageContaining("KDH CA")
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.CERTIFICATE_REVOKED);
  }

  @Test
  void validate_noCrlFromIssuingCa_rejectedCrlMissing() {
    List<X509CRL> onlyRoot = List.of(rootCrl(ca.crls()));
    assertRejected(
        () -> validatorAt(T0.plusSeconds(60)).validate(kdh, Role.KDH, onlyRoot),
        ErrorCode.CRL_MISSING);
  }

  @Test
  void validate_noCrlAtAll_rejectedCrlMissing() {
    assertRejected(
        () -> validatorAt(T0.plusSeconds(60)).validate(krd, Role.KRD, List.of()),
        ErrorCode.CRL_MISSING);
  }

  @Test
  void validate_crlsPastNextUpdate_rejectedCrlStale() {
    List<X509CRL> crls = crlsAt(T0);
    Instant later = T0.plus(Duration.ofDays(8)); // default CRL validity is 7 days
    assertRejected(() -> validatorAt(later).validate(kdh, Role.KDH, crls), ErrorCode.CRL_STALE);
  }

  @Test
  void validate_issuingCaCrlSignedByAnotherKey_rejectedCrlInvalid() {
    X509CRL forged =
        CrlBuilder.issuedBy(ca.issuingCertificate(Role.KDH), otherKeys.getPrivate())
            .thisUpdate(T0)
            .nextUpdate(T0.plus(Duration.ofDays(7)))
            .build();
    List<X509CRL> crls = List.of(rootCrl(ca.crls()), forged);
    assertRejected(
        () -> validatorAt(T0.plusSeconds(60)).validate(kdh, Role.KDH, crls), ErrorCode.CRL_INVALID);
  }

  @Test
  void validate_leafWithOcspAndHttpCrlPointers_noNetworkAccessAndCrlMissing() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String base = "http://127.0.0.1:" + server.getLocalPort();
      byte[] aia =
          new AuthorityInformationAccess(
                  new AccessDescription(
                      AccessDescription.id_ad_ocsp,
                      new GeneralName(GeneralName.uniformResourceIdentifier, base + "/ocsp")))
              .getEncoded();
      byte[] cdp =
          new CRLDistPoint(
                  new DistributionPoint[] {
                    new DistributionPoint(
                        new DistributionPointName(
                            new GeneralNames(
                                new GeneralName(
                                    GeneralName.uniformResourceIdentifier, base + "/kdh.crl"))),
                        null,
                        null)
                  })
              .getEncoded();
      X509Certificate leaf =
          leafUnder(Role.KDH)
              .subject(new X500Principal("CN=KDH with pointers"))
              .publicKey(leafKeys.getPublic())
              .keyUsage(KeyUsage.DIGITAL_SIGNATURE)
              .extension(Extension.authorityInfoAccess.getId(), false, aia)
              .extension(Extension.cRLDistributionPoints.getId(), false, cdp)
              .build();
      List<X509CRL> onlyRoot = List.of(rootCrl(ca.crls()));
      assertRejected(
          () ->
              validatorAt(T0.plusSeconds(60))
                  .validate(
                      CertificateChain.of(leaf, ca.issuingCertificate(Role.KDH)),
                      Role.KDH,
                      onlyRoot),
          ErrorCode.CRL_MISSING);
      server.setSoTimeout(300);
      try (Socket s = server.accept()) {
        throw new AssertionError(
            "the validator connected to " + base + " from " + s.getRemoteSocketAddress());
      } catch (SocketTimeoutException expected) {
        // no OCSP request and no CRL download was attempted
      }
    }
  }

  @Test
  void validate_jvmWideCrlDownloadSwitchOn_refusesToRun() {
    String saved = System.getProperty("com.sun.security.enableCRLDP");
    System.setProperty("com.sun.security.enableCRLDP", "true");
    try {
      assertThatThrownBy(() -> validatorAt(T0.plusSeconds(60)).validate(kdh, Role.KDH, ca.crls()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("com.sun.security.enableCRLDP");
    } finally {
      if (saved == null) {
        System.clearProperty("com.sun.security.enableCRLDP");
      } else {
        System.setProperty("com.sun.security.enableCRLDP", saved);
      }
    }
  }

  // --- C4, C9: generic RFC 5280 failures ---

  @Test
  void validate_leafWithUnknownCriticalExtension_rejectedInvalid() {
    X509Certificate leaf =
        leafUnder(Role.KDH)
            .subject(new X500Principal("CN=KDH odd extension"))
            .publicKey(leafKeys.getPublic())
            .keyUsage(KeyUsage.DIGITAL_SIGNATURE)
            .extension("1.3.6.1.4.1.55555.1", true, new byte[] {0x05, 0x00})
            .build();
    assertRejected(
        () ->
            validatorAt(T0.plusSeconds(60))
                .validate(
                    CertificateChain.of(leaf, ca.issuingCertificate(Role.KDH)),
                    Role.KDH,
                    ca.crls()),
        ErrorCode.CERTIFICATE_INVALID);
  }

  @Test
  void validate_pathLengthOfSubCaExceeded_rejectedInvalid() {
    // the KDH CA has pathLen 0: a CA below it must not issue
    KeyPair subSubKeys = otherKeys;
    X509Certificate subSub =
        leafUnder(Role.KDH)
            .subject(new X500Principal("CN=Sub-sub CA"))
            .publicKey(subSubKeys.getPublic())
            .ca(true)
            .keyUsage(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)
            .build();
    X509Certificate leaf =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=KDH too deep"))
            .publicKey(leafKeys.getPublic())
            .issuer(subSub, subSubKeys.getPrivate())
            .validity(T0, T0.plus(Duration.ofDays(365)))
            .keyUsage(KeyUsage.DIGITAL_SIGNATURE)
            .build();
    X509CRL subSubCrl =
        CrlBuilder.issuedBy(subSub, subSubKeys.getPrivate())
            .thisUpdate(T0)
            .nextUpdate(T0.plus(Duration.ofDays(7)))
            .build();
    List<X509CRL> crls = new java.util.ArrayList<>(ca.crls());
    crls.add(subSubCrl);
    assertRejected(
        () ->
            validatorAt(T0.plusSeconds(60))
                .validate(
                    CertificateChain.of(leaf, subSub, ca.issuingCertificate(Role.KDH)),
                    Role.KDH,
                    crls),
        ErrorCode.CERTIFICATE_INVALID);
  }

  // --- C6: role ---

  @Test
  void validate_kdhCertificateAsKrd_rejectedWrongRole() {
    assertRejected(
        () -> validatorAt(T0.plusSeconds(60)).validate(kdh, Role.KRD, ca.crls()),
        ErrorCode.CERTIFICATE_WRONG_ROLE);
  }

  @Test
  void validate_krdCertificateAsKdh_rejectedWrongRole() {
    assertRejected(
        () -> validatorAt(T0.plusSeconds(60)).validate(krd, Role.KDH, ca.crls()),
        ErrorCode.CERTIFICATE_WRONG_ROLE);
  }

  @Test
  void validate_leafWithBothSigningAndEncipherment_rejectedWrongRoleForBoth() {
    X509Certificate dual =
        leafUnder(Role.KDH)
            .subject(new X500Principal("CN=Dual use"))
            .publicKey(leafKeys.getPublic())
            .keyUsage(KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_ENCIPHERMENT)
            .build();
    CertificateChain chain = CertificateChain.of(dual, ca.issuingCertificate(Role.KDH));
    assertRejected(
        () -> validatorAt(T0.plusSeconds(60)).validate(chain, Role.KDH, ca.crls()),
        ErrorCode.CERTIFICATE_WRONG_ROLE);
    assertRejected(
        () -> validatorAt(T0.plusSeconds(60)).validate(chain, Role.KRD, ca.crls()),
        ErrorCode.CERTIFICATE_WRONG_ROLE);
  }

  @Test
  void validate_annexBStyleKeyUsages_accepted() throws Exception {
    // TR-34 Annex B sample KDH 1: digitalSignature + nonRepudiation; KRD 1: keyEncipherment +
    // dataEncipherment
    X509Certificate kdhB =
        leafUnder(Role.KDH)
            .subject(new X500Principal("CN=KDH B"))
            .publicKey(leafKeys.getPublic())
            .keyUsage(KeyUsage.DIGITAL_SIGNATURE, KeyUsage.NON_REPUDIATION)
            .build();
    X509Certificate krdB =
        leafUnder(Role.KRD)
            .subject(new X500Principal("CN=KRD B"))
            .publicKey(leafKeys.getPublic())
            .keyUsage(KeyUsage.KEY_ENCIPHERMENT, KeyUsage.DATA_ENCIPHERMENT)
            .build();
    PkixCertificateValidator v = validatorAt(T0.plusSeconds(60));
    assertThat(
            v.validate(
                    CertificateChain.of(kdhB, ca.issuingCertificate(Role.KDH)), Role.KDH, ca.crls())
                .leaf())
        .isEqualTo(kdhB);
    assertThat(
            v.validate(
                    CertificateChain.of(krdB, ca.issuingCertificate(Role.KRD)), Role.KRD, ca.crls())
                .leaf())
        .isEqualTo(krdB);
  }

  @Test
  void validate_kdhLeafFromKrdCaWithPinnedIssuers_rejectedWrongRole() throws Exception {
    X509Certificate misissued =
        leafUnder(Role.KRD)
            .subject(new X500Principal("CN=KDH from KRD CA"))
            .publicKey(leafKeys.getPublic())
            .keyUsage(KeyUsage.DIGITAL_SIGNATURE)
            .build();
    CertificateChain chain = CertificateChain.of(misissued, ca.issuingCertificate(Role.KRD));
    // without pinning, key usage alone decides and the certificate passes
    assertThat(validatorAt(T0.plusSeconds(60)).validate(chain, Role.KDH, ca.crls()).leaf())
        .isEqualTo(misissued);
    ValidationPolicy pinned =
        policyAt(T0.plusSeconds(60))
            .roleIssuer(Role.KDH, ca.issuingCertificate(Role.KDH))
            .roleIssuer(Role.KRD, ca.issuingCertificate(Role.KRD))
            .build();
    assertRejected(
        () -> new PkixCertificateValidator(pinned).validate(chain, Role.KDH, ca.crls()),
        ErrorCode.CERTIFICATE_WRONG_ROLE);
  }

  @Test
  void validate_leafWithoutKeyUsage_rejectedWrongRole() {
    X509Certificate noKu =
        leafUnder(Role.KDH)
            .subject(new X500Principal("CN=No KU"))
            .publicKey(leafKeys.getPublic())
            .build();
    assertRejected(
        () ->
            validatorAt(T0.plusSeconds(60))
                .validate(
                    CertificateChain.of(noKu, ca.issuingCertificate(Role.KDH)),
                    Role.KDH,
                    ca.crls()),
        ErrorCode.CERTIFICATE_WRONG_ROLE);
  }

  // --- C7: CA as leaf ---

  @Test
  void validate_subCaCertificateAsLeaf_rejectedCaAsLeaf() {
    assertRejected(
        () ->
            validatorAt(T0.plusSeconds(60))
                .validate(
                    CertificateChain.of(ca.issuingCertificate(Role.KDH)), Role.KDH, ca.crls()),
        ErrorCode.CERTIFICATE_CA_AS_LEAF);
  }

  @Test
  void validate_trustAnchorAsLeaf_rejectedCaAsLeaf() {
    assertRejected(
        () ->
            validatorAt(T0.plusSeconds(60))
                .validate(CertificateChain.of(ca.rootCertificate()), Role.KDH, ca.crls()),
        ErrorCode.CERTIFICATE_CA_AS_LEAF);
  }

  @Test
  void validate_endEntityTrustAnchorAsLeaf_rejectedCaAsLeaf() {
    // an anchor without cA=true: only the "anchor presented as leaf" rule catches it
    X509Certificate selfSignedLeaf =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=Pinned KDH"))
            .publicKey(leafKeys.getPublic())
            .selfSigned(leafKeys.getPrivate())
            .validity(T0, T0.plus(Duration.ofDays(365)))
            .keyUsage(KeyUsage.DIGITAL_SIGNATURE)
            .build();
    ValidationPolicy policy =
        ValidationPolicy.builder()
            .trustAnchor(selfSignedLeaf)
            .withoutRolePinning()
            .clock(Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC))
            .build();
    assertRejected(
        () ->
            new PkixCertificateValidator(policy)
                .validate(CertificateChain.of(selfSignedLeaf), Role.KDH, List.of()),
        ErrorCode.CERTIFICATE_CA_AS_LEAF);
  }

  // --- C8: key and signature strength ---

  @Test
  void validate_rsa1024Leaf_rejectedWeakKey() {
    KeyPair small = PkiTestSupport.rsa(1024);
    X509Certificate weak =
        leafUnder(Role.KRD)
            .subject(new X500Principal("CN=KRD 1024"))
            .publicKey(small.getPublic())
            .keyUsage(KeyUsage.KEY_ENCIPHERMENT)
            .build();
    assertRejected(
        () ->
            validatorAt(T0.plusSeconds(60))
                .validate(
                    CertificateChain.of(weak, ca.issuingCertificate(Role.KRD)),
                    Role.KRD,
                    ca.crls()),
        ErrorCode.CERTIFICATE_WEAK_KEY);
  }

  @Test
  void validate_rsa1024IntermediateCa_rejectedWeakKey() {
    KeyPair small = PkiTestSupport.rsa(1024);
    X509Certificate weakCa =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=Weak CA"))
            .publicKey(small.getPublic())
            .issuer(ca.rootCertificate(), ca.exportState().rootKey())
            .validity(T0, T0.plus(Duration.ofDays(3650)))
            .ca(true)
            .pathLength(0)
            .keyUsage(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)
            .build();
    X509Certificate leaf =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=KDH under weak CA"))
            .publicKey(leafKeys.getPublic())
            .issuer(weakCa, small.getPrivate())
            .validity(T0, T0.plus(Duration.ofDays(365)))
            .keyUsage(KeyUsage.DIGITAL_SIGNATURE)
            .build();
    assertThatThrownBy(
            () ->
                validatorAt(T0.plusSeconds(60))
                    .validate(CertificateChain.of(leaf, weakCa), Role.KDH, ca.crls()))
        .isInstanceOf(CertificateValidationException.class)
        .hasMessageContaining("CN=Weak CA")
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.CERTIFICATE_WEAK_KEY);
  }

  @Test
  void validate_sha1SignedLeaf_rejectedWeakSignature() {
    X509Certificate sha1 =
        leafUnder(Role.KDH)
            .subject(new X500Principal("CN=KDH SHA-1"))
            .publicKey(leafKeys.getPublic())
            .keyUsage(KeyUsage.DIGITAL_SIGNATURE)
            .signatureAlgorithm("SHA1withRSA")
            .build();
    assertRejected(
        () ->
            validatorAt(T0.plusSeconds(60))
                .validate(
                    CertificateChain.of(sha1, ca.issuingCertificate(Role.KDH)),
                    Role.KDH,
                    ca.crls()),
        ErrorCode.CERTIFICATE_WEAK_SIGNATURE);
  }

  @Test
  void validate_localCrlSourceIsAskedAtEveryValidation_usesLatestCrls() throws Exception {
    CertificateChain leaf =
        ca.issue(PkiTestSupport.csr(leafKeys, "CN=KRD later revoked,O=Terminal"), Role.KRD);
    ValidationPolicy policy = policyAt(T0.plusSeconds(60)).crlSource(() -> ca.crls()).build();
    PkixCertificateValidator v = new PkixCertificateValidator(policy);
    Collection<X509CRL> none = List.of();
    assertThat(v.validate(leaf, Role.KRD, none).leaf()).isEqualTo(leaf.leaf());
    ca.revoke(leaf.leaf());
    assertRejected(() -> v.validate(leaf, Role.KRD, none), ErrorCode.CERTIFICATE_REVOKED);
  }

  @Test
  void validate_failureMessage_namesSubjectAndHoldsNoKeyMaterial() {
    assertThatThrownBy(() -> validatorAt(T0.plusSeconds(60)).validate(kdh, Role.KRD, ca.crls()))
        .hasMessageContaining("CN=KDH 1")
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .doesNotContain(
                        ((java.security.interfaces.RSAPublicKey) leafKeys.getPublic())
                            .getModulus()
                            .toString(16)
                            .substring(0, 32)));
  }

  /** The private key of a role's issuing CA, from the CA's exported state. */
  private static java.security.PrivateKey issuingKey(DefaultCertificateAuthority ca, Role role) {
    DefaultCertificateAuthority.State s = ca.exportState();
    return role == Role.KDH ? s.kdhCaKey() : s.krdCaKey();
  }
}
