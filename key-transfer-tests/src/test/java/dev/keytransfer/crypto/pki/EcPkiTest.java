package dev.keytransfer.crypto.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.KeyType;
import dev.keytransfer.ca.CertificateBuilder;
import dev.keytransfer.ca.CertificateBuilder.KeyUsage;
import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.CertificateValidationException;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import dev.keytransfer.crypto.tr34.Tr34TokenInspector;
import dev.keytransfer.crypto.tr34.Tr34TokenType;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * S1-S3 of the ECDH mode (docs/ECDH.md): EC certificates from an EC or an RSA CA, the EC role rules
 * of docs/SECURITY.md C6, ECDSA-signed certificates and CRLs, and the CA's policy for requests of
 * EC keys.
 */
class EcPkiTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final String ECDSA_SHA256 = "1.2.840.10045.4.3.2";
  private static final String ECDSA_SHA384 = "1.2.840.10045.4.3.3";
  private static final String ECDSA_SHA512 = "1.2.840.10045.4.3.4";

  private static PkiTestSupport.MutableClock caClock;
  private static DefaultCertificateAuthority ecCa; // P-384
  private static DefaultCertificateAuthority rsaCa;
  private static KeyPair p256;
  private static KeyPair p384;
  private static KeyPair p521;

  @BeforeAll
  static void pki() {
    caClock = new PkiTestSupport.MutableClock(T0);
    ecCa =
        DefaultCertificateAuthority.builder()
            .namePrefix("EC")
            .clock(caClock)
            .caKey(KeyType.EC_P384)
            .build();
    rsaCa = DefaultCertificateAuthority.create("RSA", caClock);
    p256 = ec("secp256r1");
    p384 = ec("secp384r1");
    p521 = ec("secp521r1");
  }

  static KeyPair ec(String curve) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve), PkiTestSupport.RANDOM);
      return g.generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] csr(KeyPair keys, String subject) {
    String alg = Algorithms.Curve.of(keys.getPublic()).signature().jcaName();
    return PkiTestSupport.csr(keys, keys, subject, alg);
  }

  private static PkixCertificateValidator validator(DefaultCertificateAuthority ca) {
    return new PkixCertificateValidator(policy(ca));
  }

  private static ValidationPolicy policy(DefaultCertificateAuthority ca) {
    return ValidationPolicy.builder()
        .trustAnchor(ca.rootCertificate())
        .roleIssuer(Role.KDH, ca.issuingCertificate(Role.KDH))
        .roleIssuer(Role.KRD, ca.issuingCertificate(Role.KRD))
        .clock(Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC))
        .build();
  }

  private static void assertRejected(ThrowingCallable call, ErrorCode code) {
    assertThatThrownBy(call)
        .isInstanceOf(KeyTransferException.class)
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(code);
  }

  private static boolean[] ku(X509Certificate c) {
    boolean[] ku = c.getKeyUsage();
    return java.util.Arrays.copyOf(ku, 9);
  }

  // --- issuance ---

  @Test
  void ecCa_signsItsCertificatesAndCrlsWithEcdsaSha384() {
    assertThat(ecCa.rootCertificate().getSigAlgOID()).isEqualTo(ECDSA_SHA384);
    assertThat(ecCa.issuingCertificate(Role.KDH).getSigAlgOID()).isEqualTo(ECDSA_SHA384);
    assertThat(ecCa.issuingCertificate(Role.KRD).getSigAlgOID()).isEqualTo(ECDSA_SHA384);
    for (X509CRL crl : ecCa.crls()) {
      assertThat(crl.getSigAlgOID()).isEqualTo(ECDSA_SHA384);
    }
    assertThat(Algorithms.Curve.of(ecCa.rootCertificate().getPublicKey()))
        .isEqualTo(Algorithms.Curve.P384);
  }

  @Test
  void ecCaOnEachCurve_hashFollowsTheCurve() {
    assertThat(caOn(KeyType.EC_P256).rootCertificate().getSigAlgOID()).isEqualTo(ECDSA_SHA256);
    DefaultCertificateAuthority p521Ca = caOn(KeyType.EC_P521);
    assertThat(p521Ca.rootCertificate().getSigAlgOID()).isEqualTo(ECDSA_SHA512);
    assertThat(p521Ca.crl(Role.KRD).getSigAlgOID()).isEqualTo(ECDSA_SHA512);
  }

  private static DefaultCertificateAuthority caOn(KeyType type) {
    return DefaultCertificateAuthority.builder()
        .namePrefix(type.name())
        .clock(caClock)
        .caKey(type)
        .build();
  }

  @Test
  void issue_ecKrd_getsKeyAgreementOnly() throws Exception {
    X509Certificate leaf = ecCa.issue(csr(p256, "CN=EC POS 1"), Role.KRD).leaf();
    boolean[] ku = ku(leaf);
    assertThat(ku[4]).as("keyAgreement").isTrue();
    assertThat(ku[0] || ku[1] || ku[2] || ku[3]).isFalse();
    assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.15");
    assertThat(leaf.getSigAlgOID()).isEqualTo(ECDSA_SHA384); // the CA's curve decides
  }

  @Test
  void issue_ecKdh_getsDigitalSignatureAndKeyAgreement() throws Exception {
    X509Certificate leaf = ecCa.issue(csr(p521, "CN=EC Host 1"), Role.KDH).leaf();
    boolean[] ku = ku(leaf);
    assertThat(ku[0]).as("digitalSignature").isTrue();
    assertThat(ku[4]).as("keyAgreement").isTrue();
    assertThat(ku[1] || ku[2] || ku[3]).isFalse();
  }

  @Test
  void issue_rsaLeafFromEcCa_keepsTheRsaKeyUsage() throws Exception {
    KeyPair rsa = PkiTestSupport.rsa(2048);
    X509Certificate krd = ecCa.issue(PkiTestSupport.csr(rsa, "CN=RSA POS"), Role.KRD).leaf();
    X509Certificate kdh = ecCa.issue(PkiTestSupport.csr(rsa, "CN=RSA Host"), Role.KDH).leaf();
    assertThat(ku(krd))
        .containsExactly(false, false, true, false, false, false, false, false, false);
    assertThat(ku(kdh))
        .containsExactly(true, false, false, false, false, false, false, false, false);
  }

  // --- request policy ---

  @Test
  void request_eachCurveWithItsHash_accepted() throws Exception {
    for (KeyPair k : List.of(p256, p384, p521)) {
      assertThat(rsaCa.issue(csr(k, "CN=Curve"), Role.KRD).leaf().getPublicKey())
          .isEqualTo(k.getPublic());
    }
  }

  @Test
  void request_hashNotTheCurvesOne_refused() {
    assertRejected(
        () -> rsaCa.issue(PkiTestSupport.csr(p384, p384, "CN=X", "SHA256withECDSA"), Role.KRD),
        ErrorCode.CA_REQUEST_REFUSED);
    assertRejected(
        () -> rsaCa.issue(PkiTestSupport.csr(p256, p256, "CN=X", "SHA512withECDSA"), Role.KDH),
        ErrorCode.CA_REQUEST_REFUSED);
    assertRejected(
        () -> rsaCa.issue(PkiTestSupport.csr(p256, p256, "CN=X", "SHA1withECDSA"), Role.KDH),
        ErrorCode.CA_REQUEST_REFUSED);
  }

  @Test
  void request_signedByAnotherKey_refused() {
    KeyPair other = ec("secp256r1");
    assertRejected(
        () -> rsaCa.issue(PkiTestSupport.csr(p256, other, "CN=X", "SHA256withECDSA"), Role.KRD),
        ErrorCode.CA_REQUEST_REFUSED);
  }

  @Test
  void request_keyOnAnotherCurve_refused() throws Exception {
    KeyPairGenerator g =
        KeyPairGenerator.getInstance(
            "EC", new org.bouncycastle.jce.provider.BouncyCastleProvider());
    g.initialize(new ECGenParameterSpec("secp256k1"), PkiTestSupport.RANDOM);
    KeyPair k1 = g.generateKeyPair();
    byte[] request = // Bouncy Castle signs on a curve the JDK lacks; the CA must refuse it
        new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
                new X500Principal("CN=K1"), k1.getPublic())
            .build(
                new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                    .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                    .build(k1.getPrivate()))
            .getEncoded();
    assertRejected(() -> rsaCa.issue(request, Role.KRD), ErrorCode.CA_REQUEST_REFUSED);
  }

  // --- validation (S2/S3): chains, CRLs, roles ---

  @Test
  void validate_ecCaToEcLeaves_acceptedForTheirRoles() throws Exception {
    CertificateChain krd = ecCa.issue(csr(p256, "CN=EC POS 2"), Role.KRD);
    CertificateChain kdh = ecCa.issue(csr(p384, "CN=EC Host 2"), Role.KDH);
    PkixCertificateValidator v = validator(ecCa);
    assertThat(v.validate(krd, Role.KRD, ecCa.crls()).leaf()).isEqualTo(krd.leaf());
    assertThat(v.validate(kdh, Role.KDH, ecCa.crls()).leaf()).isEqualTo(kdh.leaf());
  }

  @Test
  void validate_rsaCaToEcLeaves_acceptedForTheirRoles() throws Exception {
    CertificateChain krd = rsaCa.issue(csr(p521, "CN=EC POS 3"), Role.KRD);
    CertificateChain kdh = rsaCa.issue(csr(p256, "CN=EC Host 3"), Role.KDH);
    assertThat(krd.leaf().getSigAlgOID()).isEqualTo("1.2.840.113549.1.1.11");
    PkixCertificateValidator v = validator(rsaCa);
    assertThat(v.validate(krd, Role.KRD, rsaCa.crls()).leaf()).isEqualTo(krd.leaf());
    assertThat(v.validate(kdh, Role.KDH, rsaCa.crls()).leaf()).isEqualTo(kdh.leaf());
  }

  @Test
  void validate_ecLeavesInSwappedRoles_rejectedWrongRole() throws Exception {
    // KDH and KRD CAs pinned, so issue both from the "right" CA and present them for the other
    // role without pinning: key usage alone must refuse them
    CertificateChain krd = ecCa.issue(csr(p256, "CN=EC POS 4"), Role.KRD);
    CertificateChain kdh = ecCa.issue(csr(p256, "CN=EC Host 4"), Role.KDH);
    PkixCertificateValidator unpinned =
        new PkixCertificateValidator(
            ValidationPolicy.builder()
                .trustAnchor(ecCa.rootCertificate())
                .withoutRolePinning()
                .clock(Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC))
                .build());
    assertRejected(
        () -> unpinned.validate(krd, Role.KDH, ecCa.crls()), ErrorCode.CERTIFICATE_WRONG_ROLE);
    assertRejected(
        () -> unpinned.validate(kdh, Role.KRD, ecCa.crls()), ErrorCode.CERTIFICATE_WRONG_ROLE);
  }

  @Test
  void validate_ecLeafWrongKeyUsages_rejectedWrongRoleWithTheRule() throws Exception {
    PkixCertificateValidator v = validator(rsaCa);
    // KRD: keyAgreement with a signing bit, or keyEncipherment instead, or with dataEncipherment
    for (KeyUsage[] bits :
        List.of(
            new KeyUsage[] {KeyUsage.KEY_AGREEMENT, KeyUsage.DIGITAL_SIGNATURE},
            new KeyUsage[] {KeyUsage.KEY_AGREEMENT, KeyUsage.NON_REPUDIATION},
            new KeyUsage[] {KeyUsage.KEY_ENCIPHERMENT},
            new KeyUsage[] {KeyUsage.KEY_AGREEMENT, KeyUsage.DATA_ENCIPHERMENT})) {
      CertificateChain chain = leaf(Role.KRD, p256, bits);
      assertThatThrownBy(() -> v.validate(chain, Role.KRD, rsaCa.crls()))
          .isInstanceOf(CertificateValidationException.class)
          .hasMessageContaining("EC key: keyAgreement required")
          .extracting(e -> ((KeyTransferException) e).code())
          .isEqualTo(ErrorCode.CERTIFICATE_WRONG_ROLE);
    }
    // KDH: signing without keyAgreement, keyAgreement without signing, or with encipherment
    for (KeyUsage[] bits :
        List.of(
            new KeyUsage[] {KeyUsage.DIGITAL_SIGNATURE},
            new KeyUsage[] {KeyUsage.KEY_AGREEMENT},
            new KeyUsage[] {
              KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_AGREEMENT, KeyUsage.KEY_ENCIPHERMENT
            },
            new KeyUsage[] {
              KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_AGREEMENT, KeyUsage.DATA_ENCIPHERMENT
            })) {
      CertificateChain chain = leaf(Role.KDH, p384, bits);
      assertThatThrownBy(() -> v.validate(chain, Role.KDH, rsaCa.crls()))
          .isInstanceOf(CertificateValidationException.class)
          .hasMessageContaining("EC key: digitalSignature and keyAgreement required")
          .extracting(e -> ((KeyTransferException) e).code())
          .isEqualTo(ErrorCode.CERTIFICATE_WRONG_ROLE);
    }
  }

  @Test
  void validate_ecKdhWithNonRepudiationToo_accepted() throws Exception {
    CertificateChain chain =
        leaf(
            Role.KDH,
            p256,
            KeyUsage.DIGITAL_SIGNATURE,
            KeyUsage.NON_REPUDIATION,
            KeyUsage.KEY_AGREEMENT);
    assertThat(validator(rsaCa).validate(chain, Role.KDH, rsaCa.crls()).leaf())
        .isEqualTo(chain.leaf());
  }

  @Test
  void validate_rsaRulesUnchanged_rsaLeafWithKeyAgreementAsKrdStillAccepted() throws Exception {
    // the RSA KRD rule does not look at keyAgreement (kept exactly)
    CertificateChain chain =
        leaf(Role.KRD, PkiTestSupport.rsa(2048), KeyUsage.KEY_ENCIPHERMENT, KeyUsage.KEY_AGREEMENT);
    assertThat(validator(rsaCa).validate(chain, Role.KRD, rsaCa.crls()).leaf())
        .isEqualTo(chain.leaf());
    // and the RSA KDH rule still refuses keyAgreement
    CertificateChain kdh =
        leaf(
            Role.KDH, PkiTestSupport.rsa(2048), KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_AGREEMENT);
    assertRejected(
        () -> validator(rsaCa).validate(kdh, Role.KDH, rsaCa.crls()),
        ErrorCode.CERTIFICATE_WRONG_ROLE);
  }

  @Test
  void validate_revokedEcLeaf_rejectedRevokedByTheEcdsaSignedCrl() throws Exception {
    DefaultCertificateAuthority ca = caOn(KeyType.EC_P256);
    CertificateChain krd = ca.issue(csr(p256, "CN=EC POS revoked"), Role.KRD);
    PkixCertificateValidator v = validator(ca);
    v.validate(krd, Role.KRD, ca.crls());
    ca.revoke(krd.leaf());
    assertThat(ca.crl(Role.KRD).getSigAlgOID()).isEqualTo(ECDSA_SHA256);
    assertRejected(
        () -> validator(ca).validate(krd, Role.KRD, ca.crls()), ErrorCode.CERTIFICATE_REVOKED);
  }

  @Test
  void validationCache_ecLeavesOfACachedEcCa_checkedForTheirRoleToo() throws Exception {
    DefaultCertificateAuthority ca = caOn(KeyType.EC_P521);
    PkixCertificateValidator v = validator(ca);
    CertificateChain first = ca.issue(csr(p256, "CN=EC POS c1"), Role.KRD);
    v.validate(first, Role.KRD, ca.crls());
    assertThat(v.cachedIssuers()).isEqualTo(1);
    CertificateChain second = ca.issue(csr(p384, "CN=EC POS c2"), Role.KRD);
    assertThat(v.validate(second, Role.KRD, ca.crls()).certificates())
        .containsExactly(second.leaf(), ca.issuingCertificate(Role.KRD));
    // a leaf of the cached KRD CA with a KDH key usage is refused on the cached path too
    X509Certificate wrong =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=EC wrong"))
            .publicKey(p256.getPublic())
            .issuer(ca.issuingCertificate(Role.KRD), krdCaKey(ca))
            .validity(T0, T0.plus(Duration.ofDays(30)))
            .keyUsage(KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_AGREEMENT)
            .build();
    assertRejected(
        () ->
            v.validate(
                CertificateChain.of(wrong, ca.issuingCertificate(Role.KRD)), Role.KRD, ca.crls()),
        ErrorCode.CERTIFICATE_WRONG_ROLE);
  }

  @Test
  void inspector_credentialTypeOfEcCertificates_followsKeyUsage() throws Exception {
    CertificateChain krd = ecCa.issue(csr(p256, "CN=EC POS i"), Role.KRD);
    CertificateChain kdh = ecCa.issue(csr(p256, "CN=EC Host i"), Role.KDH);
    Tr34TokenCodec codec = new Tr34TokenCodec(new JcaCryptoProvider());
    assertThat(Tr34TokenInspector.classify(codec.encodeKrdCredential(krd).encoded()))
        .isEqualTo(Tr34TokenType.CT_KRD);
    assertThat(Tr34TokenInspector.classify(codec.encodeKdhCredential(kdh, List.of()).encoded()))
        .isEqualTo(Tr34TokenType.CT_KDH);
  }

  private static CertificateChain leaf(Role role, KeyPair keys, KeyUsage... bits) {
    X509Certificate cert =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=EC KU " + bits.length + " " + bits[0]))
            .publicKey(keys.getPublic())
            .issuer(rsaCa.issuingCertificate(role), issuingKey(rsaCa, role))
            .validity(T0, T0.plus(Duration.ofDays(30)))
            .keyUsage(bits)
            .build();
    return CertificateChain.of(cert, rsaCa.issuingCertificate(role));
  }

  private static PrivateKey issuingKey(DefaultCertificateAuthority ca, Role role) {
    DefaultCertificateAuthority.State s = ca.exportState();
    return role == Role.KDH ? s.kdhCaKey() : s.krdCaKey();
  }

  private static PrivateKey krdCaKey(DefaultCertificateAuthority ca) {
    return issuingKey(ca, Role.KRD);
  }
}
