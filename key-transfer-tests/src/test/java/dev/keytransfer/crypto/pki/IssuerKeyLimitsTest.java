package dev.keytransfer.crypto.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.ca.CertificateBuilder;
import dev.keytransfer.ca.CertificateBuilder.KeyUsage;
import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.CertificateValidationException;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/SECURITY.md C1, C8, "Input limits": a terminal certificate sent with fake issuers, each
 * named as its CA and holding an RSA key with a 2046-bit public exponent, made every validation
 * verify the terminal's signature under each fake key (15 ms instead of 0.7 ms). The validator now
 * tries the configured CAs first and checks a candidate issuer's key parameters before it lets that
 * key check any signature; the signature checks path building makes are recorded here.
 */
class IssuerKeyLimitsTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final int FAKES = 5;

  private static DefaultCertificateAuthority ca;
  private static X509Certificate root;
  private static X509Certificate krdCa;
  private static CertificateChain terminal;
  private static List<X509Certificate> fakes;

  /** The signature checks of path building: (certificate, key that was to have signed it). */
  private final List<X509Certificate[]> checks = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void pki() throws Exception {
    ca = DefaultCertificateAuthority.create("Limits", new PkiTestSupport.MutableClock(T0));
    root = ca.rootCertificate();
    krdCa = ca.issuingCertificate(Role.KRD);
    terminal = ca.issue(PkiTestSupport.csr(PkiTestSupport.rsa(2048), "CN=POS 1"), Role.KRD);
    fakes = new ArrayList<>();
    RSAPublicKey shape = (RSAPublicKey) PkiTestSupport.rsa(2048).getPublic();
    Random random = new Random(2046);
    for (int i = 0; i < FAKES; i++) {
      BigInteger e = new BigInteger(2046, random).setBit(2045).setBit(0); // odd, 2046 bits
      PublicKey huge =
          KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(shape.getModulus(), e));
      fakes.add(
          CertificateBuilder.create()
              .subject(krdCa.getSubjectX500Principal()) // named as the terminal's CA
              .publicKey(huge)
              .issuer(root, ca.exportState().rootKey())
              .validity(T0, T0.plus(Duration.ofDays(3650)))
              .ca(true)
              .keyUsage(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)
              .build());
    }
  }

  private PkixCertificateValidator validator(ValidationPolicy.Builder policy) {
    return new PkixCertificateValidator(
        policy.clock(Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC)).build(),
        (cert, issuer) -> {
          checks.add(new X509Certificate[] {cert, issuer});
          try {
            cert.verify(issuer.getPublicKey());
            return true;
          } catch (Exception e) {
            return false;
          }
        });
  }

  private static CertificateChain presented(List<X509Certificate> issuers) {
    List<X509Certificate> all = new ArrayList<>();
    all.add(terminal.leaf());
    all.addAll(issuers);
    return new CertificateChain(all);
  }

  private void assertNoFakeKeyUsed() {
    assertThat(checks).isNotEmpty().noneMatch(c -> fakes.contains(c[1]));
  }

  @Test
  void pinnedPolicy_configuredCaTriedFirst_fakesNeverLookedAt() throws Exception {
    ValidationPolicy.Builder pinned =
        ValidationPolicy.builder()
            .trustAnchor(root)
            .roleIssuer(Role.KDH, ca.issuingCertificate(Role.KDH))
            .roleIssuer(Role.KRD, krdCa);
    CertificateChain path = validator(pinned).validate(presented(fakes), Role.KRD, ca.crls());
    assertThat(path.certificates()).containsExactly(terminal.leaf(), krdCa);
    // exactly the real path: the terminal under its CA, the CA under the root
    assertThat(checks)
        .extracting(c -> c[0].getSubjectX500Principal() + " by " + c[1].getSerialNumber())
        .containsExactly(
            terminal.leaf().getSubjectX500Principal() + " by " + krdCa.getSerialNumber(),
            krdCa.getSubjectX500Principal() + " by " + root.getSerialNumber());
    assertNoFakeKeyUsed();
  }

  @Test
  void peerSendsFakesBeforeTheRealCa_fakesRefusedOnTheirKey_realPathFound() throws Exception {
    List<X509Certificate> issuers = new ArrayList<>(fakes.subList(0, FAKES - 1));
    issuers.add(krdCa); // the real CA last, after four fakes
    ValidationPolicy.Builder unpinned =
        ValidationPolicy.builder().trustAnchor(root).withoutRolePinning();
    CertificateChain path = validator(unpinned).validate(presented(issuers), Role.KRD, ca.crls());
    assertThat(path.certificates()).containsExactly(terminal.leaf(), krdCa);
    assertThat(checks).hasSize(2);
    assertNoFakeKeyUsed();
  }

  @Test
  void onlyFakes_refusedForTheFirstFakesKey_noSignatureChecked() {
    ValidationPolicy.Builder unpinned =
        ValidationPolicy.builder().trustAnchor(root).withoutRolePinning();
    assertThatThrownBy(() -> validator(unpinned).validate(presented(fakes), Role.KRD, ca.crls()))
        .isInstanceOf(CertificateValidationException.class)
        .hasMessageContaining("RSA public exponent of 2046 bits, more than the 32 accepted")
        .hasMessageContaining("not used to check the signature of CN=POS 1")
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.CERTIFICATE_WEAK_KEY);
    assertThat(checks).isEmpty();
  }

  @Test
  void moreCertificatesThanAPathCanHold_refusedBeforePathBuilding() {
    List<X509Certificate> many = new ArrayList<>(fakes);
    many.add(krdCa);
    ValidationPolicy.Builder pinned =
        ValidationPolicy.builder()
            .trustAnchor(root)
            .roleIssuer(Role.KDH, ca.issuingCertificate(Role.KDH))
            .roleIssuer(Role.KRD, krdCa);
    assertThatThrownBy(() -> validator(pinned).validate(presented(many), Role.KRD, ca.crls()))
        .isInstanceOf(CertificateValidationException.class)
        .hasMessageContaining("the presented chain has 7 certificates")
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.CERTIFICATE_UNTRUSTED);
    assertThat(checks).isEmpty();
  }

  @Test
  void anAnchorWithAnUnacceptableKey_checksNoSignature_refusedForItsKey() throws Exception {
    KeyPair small = PkiTestSupport.rsa(1024);
    X509Certificate weakRoot =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=Weak Root"))
            .publicKey(small.getPublic())
            .selfSigned(small.getPrivate())
            .validity(T0, T0.plus(Duration.ofDays(3650)))
            .ca(true)
            .keyUsage(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)
            .build();
    X509Certificate leaf =
        CertificateBuilder.create()
            .subject(new X500Principal("CN=POS under a weak root"))
            .publicKey(PkiTestSupport.rsa(2048).getPublic())
            .issuer(weakRoot, small.getPrivate())
            .validity(T0, T0.plus(Duration.ofDays(365)))
            .keyUsage(KeyUsage.KEY_ENCIPHERMENT)
            .build();
    for (int maxChainLength : new int[] {1, 5}) {
      ValidationPolicy.Builder policy =
          ValidationPolicy.builder()
              .trustAnchor(weakRoot)
              .withoutRolePinning()
              .maxChainLength(maxChainLength);
      assertThatThrownBy(
              () -> validator(policy).validate(CertificateChain.of(leaf), Role.KRD, List.of()))
          .as("max chain length %d", maxChainLength)
          .isInstanceOf(CertificateValidationException.class)
          .hasMessageContaining("CN=Weak Root: RSA key of 1024 bits, policy minimum is 2048")
          .extracting(e -> ((KeyTransferException) e).code())
          .isEqualTo(ErrorCode.CERTIFICATE_WEAK_KEY);
    }
    assertThat(checks).isEmpty();
  }

  // --- the parameters AlgorithmPolicy accepts before a key checks a signature ---

  @Test
  void rsaParameters_exponentAndModulusCapped() throws Exception {
    BigInteger n2048 = ((RSAPublicKey) PkiTestSupport.rsa(2048).getPublic()).getModulus();
    assertThat(AlgorithmPolicy.keyWeakness(rsa(n2048, 65537), 2048)).isNull();
    assertThat(AlgorithmPolicy.keyWeakness(rsa(n2048, 3), 2048)).isNull();
    BigInteger largest = BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE); // 2^32 - 1
    assertThat(AlgorithmPolicy.keyWeakness(rsa(n2048, largest), 2048)).isNull();
    assertThat(
            AlgorithmPolicy.keyWeakness(
                rsa(n2048, BigInteger.ONE.shiftLeft(32).add(BigInteger.ONE)), 2048))
        .isEqualTo("RSA public exponent of 33 bits, more than the 32 accepted");
    assertThat(AlgorithmPolicy.keyWeakness(rsa(n2048, 65536), 2048))
        .isEqualTo("RSA public exponent must be odd and at least 3");
    // moduli: 8192 bits is the most; the numbers need not factor for the parameter check
    Random random = new Random(8192);
    BigInteger n8192 = new BigInteger(8192, random).setBit(8191).setBit(0);
    BigInteger n8200 = new BigInteger(8200, random).setBit(8199).setBit(0);
    assertThat(AlgorithmPolicy.keyWeakness(rsa(n8192, 65537), 2048)).isNull();
    assertThat(AlgorithmPolicy.keyWeakness(rsa(n8200, 65537), 2048))
        .isEqualTo("RSA key of 8200 bits, more than the 8192 accepted");
    assertThat(AlgorithmPolicy.keyWeakness(rsa(n2048.clearBit(0), 65537), 2048))
        .isEqualTo("RSA modulus is even");
  }

  @Test
  void ecKeys_onlyOnTheNistCurves() throws Exception {
    KeyPairGenerator jdk = KeyPairGenerator.getInstance("EC");
    for (String curve : List.of("secp256r1", "secp384r1", "secp521r1")) {
      jdk.initialize(new ECGenParameterSpec(curve));
      assertThat(AlgorithmPolicy.keyWeakness(jdk.generateKeyPair().getPublic(), 2048))
          .as(curve)
          .isNull();
    }
    // another provider's representation of P-256 is the same curve
    KeyPairGenerator bc = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
    bc.initialize(new ECGenParameterSpec("P-256"));
    assertThat(AlgorithmPolicy.keyWeakness(bc.generateKeyPair().getPublic(), 2048)).isNull();
    for (String curve : List.of("brainpoolP256r1", "secp256k1", "brainpoolP384r1")) {
      bc.initialize(new ECGenParameterSpec(curve));
      KeyPair pair = bc.generateKeyPair();
      assertThat(AlgorithmPolicy.keyWeakness(pair.getPublic(), 2048))
          .as(curve)
          .isEqualTo("EC key on a curve other than P-256, P-384, P-521");
    }
  }

  private static PublicKey rsa(BigInteger n, long e) throws Exception {
    return rsa(n, BigInteger.valueOf(e));
  }

  private static PublicKey rsa(BigInteger n, BigInteger e) throws Exception {
    return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
  }
}
