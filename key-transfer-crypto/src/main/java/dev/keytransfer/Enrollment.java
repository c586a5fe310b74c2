package dev.keytransfer;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.spi.CertificateAuthority;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.KeyLedger;
import dev.keytransfer.core.spi.KeySource;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryBindingStore;
import dev.keytransfer.core.store.InMemoryTerminalKeyStore;
import dev.keytransfer.crypto.pki.CertificationRequests;
import java.security.cert.X509CRL;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import javax.security.auth.x500.X500Principal;

/**
 * S1 of the method: a terminal or a host gets its certificate from the certification authority. The
 * key pair is generated inside the crypto provider, and only a PKCS#10 request signed there goes to
 * the CA (TR-34 B.2.1). Also builds the validation policies each side needs from the CA.
 */
public final class Enrollment {
  /** RSA size for new terminal and host keys. */
  public static final int DEFAULT_RSA_BITS = 2048;

  private Enrollment() {}

  /** The certificate chain for a new key generated in {@code crypto}, issued for {@code role}. */
  public static CertificateChain certify(
      CertificateAuthority ca,
      CryptoProvider crypto,
      PrivateKeyHandle key,
      String commonName,
      Role role)
      throws KeyTransferException {
    return ca.issue(CertificationRequests.create(crypto, key, subject(commonName, role)), role);
  }

  /** The subject name of an enrolled key: {@code CN=<commonName>,OU=KDH|KRD,O=key-transfer}. */
  public static X500Principal subject(String commonName, Role role) {
    Objects.requireNonNull(commonName, "commonName");
    Objects.requireNonNull(role, "role");
    return new X500Principal("CN=" + escape(commonName) + ",OU=" + role + ",O=key-transfer");
  }

  /**
   * Enrolls a receiving terminal: RSA-2048 key in {@code crypto}, KRD certificate from {@code ca},
   * in-memory key store and binding store.
   */
  public static ReceivingTerminal enrollTerminal(
      CertificateAuthority ca, CryptoProvider crypto, String commonName)
      throws KeyTransferException {
    return enrollTerminal(ca, crypto, commonName, KeyType.RSA_2048);
  }

  /**
   * Enrolls a receiving terminal with a key of {@code keyType} in {@code crypto} (an EC key is a
   * key-agreement key, docs/ECDH.md), KRD certificate from {@code ca}, in-memory key store and
   * binding store.
   */
  public static ReceivingTerminal enrollTerminal(
      CertificateAuthority ca, CryptoProvider crypto, String commonName, KeyType keyType)
      throws KeyTransferException {
    PrivateKeyHandle key = keyType.generate(crypto, commonName, Role.KRD);
    CertificateChain chain = certify(ca, crypto, key, commonName, Role.KRD);
    return ReceivingTerminal.of(
        chain, key, new InMemoryTerminalKeyStore(), new InMemoryBindingStore());
  }

  /**
   * Enrolls a distribution terminal: RSA signing key in {@code crypto}, KDH certificate from {@code
   * ca}. Its credential token carries the CRLs that cover its own chain (root and KDH CA), fetched
   * from the CA at every session.
   */
  public static DistributionTerminal enrollHost(
      CertificateAuthority ca,
      CryptoProvider crypto,
      String commonName,
      KeySource keys,
      DevicePolicy devices,
      KeyLedger ledger)
      throws KeyTransferException {
    return enrollHost(ca, crypto, commonName, KeyType.RSA_2048, keys, devices, ledger);
  }

  /**
   * Enrolls a distribution terminal with a key of {@code keyType} in {@code crypto} (an EC key
   * signs and agrees keys, docs/ECDH.md), otherwise as {@link #enrollHost(CertificateAuthority,
   * CryptoProvider, String, KeySource, DevicePolicy, KeyLedger)}.
   */
  public static DistributionTerminal enrollHost(
      CertificateAuthority ca,
      CryptoProvider crypto,
      String commonName,
      KeyType keyType,
      KeySource keys,
      DevicePolicy devices,
      KeyLedger ledger)
      throws KeyTransferException {
    PrivateKeyHandle key = keyType.generate(crypto, commonName, Role.KDH);
    CertificateChain chain = certify(ca, crypto, key, commonName, Role.KDH);
    return DistributionTerminal.of(chain, key, () -> kdhPathCrls(ca), keys, devices, ledger);
  }

  /** The root CRL and the KDH CA CRL: what a terminal needs to check a KDH chain. */
  public static List<X509CRL> kdhPathCrls(CertificateAuthority ca) {
    X500Principal krdCa = ca.issuingCertificate(Role.KRD).getSubjectX500Principal();
    return ca.crls().stream()
        .filter(c -> !c.getIssuerX500Principal().equals(krdCa))
        .collect(Collectors.toList());
  }

  /**
   * The terminal's policy: trust the CA's root, take KDH certificates only from the KDH CA, and
   * rely on the CRLs the host carries (a terminal has no line to the CA).
   */
  public static ValidationPolicy terminalPolicy(CertificateAuthority ca) {
    return ValidationPolicy.builder()
        .trustAnchor(ca.rootCertificate())
        .roleIssuer(Role.KDH, ca.issuingCertificate(Role.KDH))
        .roleIssuer(Role.KRD, ca.issuingCertificate(Role.KRD))
        .build();
  }

  /**
   * The host's policy: trust the CA's root, take KRD certificates only from the KRD CA, and ask the
   * CA for current CRLs at every validation.
   */
  public static ValidationPolicy hostPolicy(CertificateAuthority ca) {
    Objects.requireNonNull(ca, "ca");
    return ValidationPolicy.builder()
        .trustAnchor(ca.rootCertificate())
        .roleIssuer(Role.KDH, ca.issuingCertificate(Role.KDH))
        .roleIssuer(Role.KRD, ca.issuingCertificate(Role.KRD))
        .crlSource(ca::crls)
        .build();
  }

  private static String escape(String v) {
    StringBuilder sb = new StringBuilder();
    for (char c : v.toCharArray()) {
      if (",+\"\\<>;=#".indexOf(c) >= 0) {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }
}
