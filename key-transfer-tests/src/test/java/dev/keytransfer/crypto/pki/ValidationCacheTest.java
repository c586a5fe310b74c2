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
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.x500.X500Principal;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The validation cache of {@link PkixCertificateValidator} (docs/SECURITY.md, "Validation cache"):
 * a second leaf of a validated CA skips the CA's path, and still every leaf check, every change of
 * the CRLs above it and every lapse of a date is seen, with the code the full validation gives.
 */
class ValidationCacheTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  private static PkiTestSupport.MutableClock caClock;
  private static DefaultCertificateAuthority ca;
  private static KeyPair keys;
  private static KeyPair otherKeys;

  private PkiTestSupport.MutableClock clock;
  private AtomicInteger pathSignatureChecks;
  private PkixCertificateValidator validator;

  @BeforeAll
  static void pki() throws KeyTransferException {
    caClock = new PkiTestSupport.MutableClock(T0);
    ca = DefaultCertificateAuthority.create("Cache", caClock);
    keys = PkiTestSupport.rsa(2048);
    otherKeys = PkiTestSupport.rsa(2048);
  }

  @BeforeEach
  void freshValidator() {
    clock = new PkiTestSupport.MutableClock(T0.plusSeconds(60));
    pathSignatureChecks = new AtomicInteger();
    validator =
        new PkixCertificateValidator(
            ValidationPolicy.builder()
                .trustAnchor(ca.rootCertificate())
                .roleIssuer(Role.KDH, ca.issuingCertificate(Role.KDH))
                .roleIssuer(Role.KRD, ca.issuingCertificate(Role.KRD))
                .clock(clock)
                .build(),
            (cert, issuer) -> {
              pathSignatureChecks.incrementAndGet();
              try {
                cert.verify(issuer.getPublicKey());
                return true;
              } catch (Exception e) {
                return false;
              }
            });
  }

  private static CertificateChain terminal(String cn) throws KeyTransferException {
    return ca.issue(PkiTestSupport.csr(keys, "CN=" + cn + ",O=Terminal"), Role.KRD);
  }

  private static void assertRejected(ThrowingCallable call, ErrorCode code) {
    assertThatThrownBy(call)
        .isInstanceOf(CertificateValidationException.class)
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(code);
  }

  @Test
  void secondLeafOfTheSameCa_skipsTheCaPath_andGivesTheSamePath() throws Exception {
    CertificateChain first = terminal("POS cache 1");
    CertificateChain second = terminal("POS cache 2");
    validator.validate(first, Role.KRD, ca.crls());
    int afterFirst = pathSignatureChecks.get();
    assertThat(afterFirst).isEqualTo(2); // leaf by KRD CA, KRD CA by root
    assertThat(validator.cachedIssuers()).isEqualTo(1);

    CertificateChain result = validator.validate(second, Role.KRD, ca.crls());

    assertThat(pathSignatureChecks.get()).isEqualTo(afterFirst);
    assertThat(result.certificates())
        .containsExactly(second.leaf(), ca.issuingCertificate(Role.KRD));
  }

  @Test
  void leafRevokedAfterItsCaWasCached_rejectedRevoked() throws Exception {
    CertificateChain doomed = terminal("POS revoked later");
    validator.validate(doomed, Role.KRD, ca.crls());
    ca.revoke(doomed.leaf());
    assertRejected(
        () -> validator.validate(doomed, Role.KRD, ca.crls()), ErrorCode.CERTIFICATE_REVOKED);
  }

  @Test
  void caRevokedByANewRootCrl_afterCaching_rejectedRevoked() throws Exception {
    CertificateChain leaf = terminal("POS under a revoked CA");
    validator.validate(leaf, Role.KRD, ca.crls());
    X509CRL rootCrlRevokingKrdCa =
        CrlBuilder.issuedBy(ca.rootCertificate(), ca.exportState().rootKey())
            .thisUpdate(T0)
            .nextUpdate(T0.plus(Duration.ofDays(7)))
            .crlNumber(BigInteger.valueOf(2000))
            .revoke(ca.issuingCertificate(Role.KRD).getSerialNumber(), T0)
            .build();
    assertRejected(
        () -> validator.validate(leaf, Role.KRD, List.of(rootCrlRevokingKrdCa, ca.crl(Role.KRD))),
        ErrorCode.CERTIFICATE_REVOKED);
  }

  @Test
  void rootCrlPastItsNextUpdate_afterCaching_rejectedStale() throws Exception {
    CertificateChain leaf = terminal("POS stale");
    List<X509CRL> crls = ca.crls();
    validator.validate(leaf, Role.KRD, crls);
    clock.set(T0.plus(Duration.ofDays(8))); // the CA's CRLs live 7 days
    assertRejected(() -> validator.validate(leaf, Role.KRD, crls), ErrorCode.CRL_STALE);
  }

  @Test
  void noCrlOfTheIssuingCa_afterCaching_rejectedMissing() throws Exception {
    CertificateChain leaf = terminal("POS missing CRL");
    List<X509CRL> crls = ca.crls();
    validator.validate(leaf, Role.KRD, crls);
    X509CRL rootOnly = crls.get(0);
    assertRejected(
        () -> validator.validate(leaf, Role.KRD, List.of(rootOnly)), ErrorCode.CRL_MISSING);
  }

  @Test
  void expiredLeafOfACachedCa_rejectedExpired() throws Exception {
    validator.validate(terminal("POS fresh"), Role.KRD, ca.crls());
    X509Certificate old =
        leafUnder(Role.KRD, keys)
            .subject(new X500Principal("CN=POS expired,O=Terminal"))
            .validity(T0.minus(Duration.ofDays(30)), T0)
            .build();
    assertRejected(
        () ->
            validator.validate(
                CertificateChain.of(old, ca.issuingCertificate(Role.KRD)), Role.KRD, ca.crls()),
        ErrorCode.CERTIFICATE_EXPIRED);
  }

  @Test
  void leafNamingACachedCaButSignedByAnotherKey_rejectedUntrusted() throws Exception {
    validator.validate(terminal("POS genuine"), Role.KRD, ca.crls());
    X509Certificate forged =
        CertificateBuilder.create()
            .issuer(ca.issuingCertificate(Role.KRD), otherKeys.getPrivate())
            .subject(new X500Principal("CN=POS forged,O=Terminal"))
            .publicKey(keys.getPublic())
            .validity(T0, T0.plus(Duration.ofDays(365)))
            .keyUsage(KeyUsage.KEY_ENCIPHERMENT)
            .build();
    assertRejected(
        () ->
            validator.validate(
                CertificateChain.of(forged, ca.issuingCertificate(Role.KRD)), Role.KRD, ca.crls()),
        ErrorCode.CERTIFICATE_UNTRUSTED);
  }

  @Test
  void leafOfACachedCaInTheWrongRole_rejectedWrongRole() throws Exception {
    CertificateChain krd = terminal("POS role");
    validator.validate(krd, Role.KRD, ca.crls());
    assertRejected(
        () -> validator.validate(krd, Role.KDH, ca.crls()), ErrorCode.CERTIFICATE_WRONG_ROLE);
  }

  @Test
  void caWithNameConstraints_isNeverCached() throws Exception {
    PrivateKey rootKey = ca.exportState().rootKey();
    KeyPair subCaKeys = PkiTestSupport.rsa(2048);
    byte[] constraints =
        new NameConstraints(
                new GeneralSubtree[] {
                  new GeneralSubtree(new GeneralName(new X500Name("O=Terminal")))
                },
                null)
            .getEncoded();
    X509Certificate subCa =
        CertificateBuilder.create()
            .issuer(ca.rootCertificate(), rootKey)
            .subject(new X500Principal("CN=Constrained KRD CA"))
            .publicKey(subCaKeys.getPublic())
            .validity(T0, T0.plus(Duration.ofDays(3650)))
            .ca(true)
            .keyUsage(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)
            .extension("2.5.29.30", true, constraints)
            .build();
    X509Certificate leaf =
        CertificateBuilder.create()
            .issuer(subCa, subCaKeys.getPrivate())
            .subject(new X500Principal("O=Terminal"))
            .publicKey(keys.getPublic())
            .validity(T0, T0.plus(Duration.ofDays(365)))
            .keyUsage(KeyUsage.KEY_ENCIPHERMENT)
            .build();
    X509CRL subCaCrl =
        CrlBuilder.issuedBy(subCa, subCaKeys.getPrivate())
            .thisUpdate(T0)
            .nextUpdate(T0.plus(Duration.ofDays(7)))
            .crlNumber(BigInteger.ONE)
            .build();
    PkixCertificateValidator unpinned =
        new PkixCertificateValidator(
            ValidationPolicy.builder()
                .trustAnchor(ca.rootCertificate())
                .withoutRolePinning()
                .clock(clock)
                .build());
    List<X509CRL> crls = List.of(ca.crls().get(0), subCaCrl);
    CertificateChain chain = CertificateChain.of(leaf, subCa);

    unpinned.validate(chain, Role.KRD, crls);
    unpinned.validate(chain, Role.KRD, crls);

    assertThat(unpinned.cachedIssuers()).isZero();
  }

  @Test
  void issuingCaRevokedByAnIndirectCrl_afterCaching_rejectedRevoked() throws Exception {
    KeyPair rk = PkiTestSupport.rsa(2048);
    KeyPair sk = PkiTestSupport.rsa(2048);
    KeyPair ck = PkiTestSupport.rsa(2048);
    Instant nb = T0.minus(Duration.ofDays(1));
    Instant na = T0.plus(Duration.ofDays(3650));
    X509Certificate root =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=Indirect Root"))
            .publicKey(rk.getPublic())
            .selfSigned(rk.getPrivate())
            .validity(nb, na)
            .ca(true)
            .keyUsage(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)
            .build();
    X509Certificate signer =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=CRL Signer"))
            .publicKey(sk.getPublic())
            .issuer(root, rk.getPrivate())
            .validity(nb, na)
            .keyUsage(KeyUsage.CRL_SIGN)
            .build();
    byte[] crldp =
        new CRLDistPoint(
                new DistributionPoint[] {
                  new DistributionPoint(
                      null, null, new GeneralNames(new GeneralName(new X500Name("CN=CRL Signer"))))
                })
            .getEncoded();
    X509Certificate subCa =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=Indirect KRD CA"))
            .publicKey(ck.getPublic())
            .issuer(root, rk.getPrivate())
            .validity(nb, na)
            .ca(true)
            .pathLength(0)
            .keyUsage(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)
            .extension("2.5.29.31", false, crldp)
            .build();
    X509Certificate l1 = leafOf(subCa, ck, "CN=POS indirect 1", nb);
    X509Certificate l2 = leafOf(subCa, ck, "CN=POS indirect 2", nb);
    X509CRL rootCrl = crlOf(root, rk, 1);
    X509CRL subCaCrl = crlOf(subCa, ck, 1);
    PkixCertificateValidator v =
        new PkixCertificateValidator(
            ValidationPolicy.builder()
                .trustAnchor(root)
                .intermediate(signer)
                .withoutRolePinning()
                .clock(clock)
                .build());
    v.validate(
        CertificateChain.of(l1, subCa),
        Role.KRD,
        List.of(rootCrl, indirectCrl(signer, sk, 1, null), subCaCrl));

    List<X509CRL> revoking =
        List.of(rootCrl, indirectCrl(signer, sk, 2, subCa.getSerialNumber()), subCaCrl);
    assertRejected(
        () -> v.validate(CertificateChain.of(l2, subCa), Role.KRD, revoking),
        ErrorCode.CERTIFICATE_REVOKED);
  }

  @Test
  void intermediateAboveTheIssuerPresentedOnce_isNotLentToALaterPeer() throws Exception {
    KeyPair rk = PkiTestSupport.rsa(2048);
    KeyPair ik = PkiTestSupport.rsa(2048);
    KeyPair ck = PkiTestSupport.rsa(2048);
    Instant nb = T0.minus(Duration.ofDays(1));
    Instant na = T0.plus(Duration.ofDays(3650));
    X509Certificate root =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=Upper Root"))
            .publicKey(rk.getPublic())
            .selfSigned(rk.getPrivate())
            .validity(nb, na)
            .ca(true)
            .keyUsage(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)
            .build();
    X509Certificate i1 =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=I1"))
            .publicKey(ik.getPublic())
            .issuer(root, rk.getPrivate())
            .validity(nb, na)
            .ca(true)
            .keyUsage(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)
            .build();
    X509Certificate subCa =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=Upper KRD CA"))
            .publicKey(ck.getPublic())
            .issuer(i1, ik.getPrivate())
            .validity(nb, na)
            .ca(true)
            .pathLength(0)
            .keyUsage(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)
            .build();
    List<X509CRL> crls = List.of(crlOf(root, rk, 1), crlOf(i1, ik, 1), crlOf(subCa, ck, 1));
    PkixCertificateValidator v =
        new PkixCertificateValidator(
            ValidationPolicy.builder()
                .trustAnchor(root)
                .roleIssuer(Role.KRD, subCa)
                .roleIssuer(Role.KDH, subCa)
                .clock(clock)
                .build());
    v.validate(
        CertificateChain.of(leafOf(subCa, ck, "CN=POS upper 1", nb), subCa, i1), Role.KRD, crls);

    CertificateChain withoutI1 = CertificateChain.of(leafOf(subCa, ck, "CN=POS upper 2", nb));
    assertRejected(() -> v.validate(withoutI1, Role.KRD, crls), ErrorCode.CERTIFICATE_UNTRUSTED);
  }

  private static X509Certificate leafOf(X509Certificate ca, KeyPair caKeys, String dn, Instant nb)
      throws Exception {
    return CertificateBuilder.create()
        .subject(new X500Principal(dn))
        .publicKey(keys.getPublic())
        .issuer(ca, caKeys.getPrivate())
        .validity(nb, T0.plus(Duration.ofDays(365)))
        .keyUsage(KeyUsage.KEY_ENCIPHERMENT)
        .build();
  }

  private static X509CRL crlOf(X509Certificate issuer, KeyPair issuerKeys, int number) {
    return CrlBuilder.issuedBy(issuer, issuerKeys.getPrivate())
        .thisUpdate(T0)
        .nextUpdate(T0.plus(Duration.ofDays(7)))
        .crlNumber(BigInteger.valueOf(number))
        .build();
  }

  /** An indirect CRL by {@code signer}, revoking (if given) a certificate issued by the root. */
  private static X509CRL indirectCrl(
      X509Certificate signer, KeyPair signerKeys, int number, BigInteger revokedOfRoot)
      throws Exception {
    org.bouncycastle.cert.X509v2CRLBuilder b =
        new org.bouncycastle.cert.X509v2CRLBuilder(
            new X500Name(signer.getSubjectX500Principal().getName()), java.util.Date.from(T0));
    b.setNextUpdate(java.util.Date.from(T0.plus(Duration.ofDays(7))));
    b.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(number)));
    b.addExtension(
        Extension.issuingDistributionPoint,
        true,
        new IssuingDistributionPoint(null, false, false, null, true, false));
    if (revokedOfRoot != null) {
      ExtensionsGenerator eg = new ExtensionsGenerator();
      eg.addExtension(
          Extension.certificateIssuer,
          true,
          new GeneralNames(new GeneralName(new X500Name("CN=Indirect Root"))));
      b.addCRLEntry(revokedOfRoot, java.util.Date.from(T0), eg.generate());
    }
    return new org.bouncycastle.cert.jcajce.JcaX509CRLConverter()
        .getCRL(
            b.build(
                new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withRSA")
                    .build(signerKeys.getPrivate())));
  }

  private static CertificateBuilder leafUnder(Role role, KeyPair leafKeys) {
    DefaultCertificateAuthority.State s = ca.exportState();
    return CertificateBuilder.create()
        .issuer(ca.issuingCertificate(role), role == Role.KDH ? s.kdhCaKey() : s.krdCaKey())
        .publicKey(leafKeys.getPublic())
        .keyUsage(role == Role.KDH ? KeyUsage.DIGITAL_SIGNATURE : KeyUsage.KEY_ENCIPHERMENT);
  }
}
