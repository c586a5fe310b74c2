package dev.keytransfer.crypto.testing;

import dev.keytransfer.ca.CertificateBuilder;
import dev.keytransfer.ca.CertificateBuilder.KeyUsage;
import dev.keytransfer.ca.CrlBuilder;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.handshake.Handshakes;
import dev.keytransfer.core.handshake.KdhHandshake;
import dev.keytransfer.core.handshake.KrdHandshake;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.KeyLedger;
import dev.keytransfer.core.spi.KeySource;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryBindingStore;
import dev.keytransfer.core.store.InMemoryTerminalKeyStore;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.pki.PkixCertificateValidator;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.security.auth.x500.X500Principal;

/**
 * A test PKI generated in code, no pasted keys: root above a KDH CA and a KRD CA, with the CA keys
 * at hand so that tests can also mint what a real CA refuses to issue: expired, not yet valid,
 * wrong-role, RSA-1024, SHA-1-signed, CA-as-leaf certificates, and stale or badly signed CRLs.
 * Valid material for the end-to-end path comes from the real {@code DefaultCertificateAuthority}.
 */
public final class TestPki {
  private static final SecureRandom RANDOM = new SecureRandom();

  public final X509Certificate root;
  public final X509Certificate kdhCa;
  public final X509Certificate krdCa;
  private final Map<X509Certificate, PrivateKey> caKeys = new LinkedHashMap<>();
  private final Map<X509Certificate, Map<BigInteger, Instant>> revoked = new LinkedHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong crlNumbers =
      new java.util.concurrent.atomic.AtomicLong();

  /** A leaf certificate with its private key handle and chain (leaf, issuing CA). */
  public record Leaf(X509Certificate certificate, SoftwareKeyHandle key, CertificateChain chain) {}

  private TestPki(String name) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant from = now.minus(Duration.ofDays(30));
    Instant to = now.plus(Duration.ofDays(3650));
    KeyPair rootKeys = rsa(2048);
    root =
        CertificateBuilder.create()
            .subject(dn(name + " Root CA"))
            .publicKey(rootKeys.getPublic())
            .selfSigned(rootKeys.getPrivate())
            .validity(from, to)
            .ca(true)
            .keyUsage(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)
            .build();
    caKeys.put(root, rootKeys.getPrivate());
    kdhCa = subCa(name + " KDH CA", from, to);
    krdCa = subCa(name + " KRD CA", from, to);
    for (X509Certificate ca : caKeys.keySet()) {
      revoked.put(ca, new LinkedHashMap<>());
    }
  }

  public static TestPki create(String name) {
    return new TestPki(name);
  }

  private X509Certificate subCa(String cn, Instant from, Instant to) {
    KeyPair keys = rsa(2048);
    X509Certificate c =
        CertificateBuilder.create()
            .subject(dn(cn))
            .publicKey(keys.getPublic())
            .issuer(root, caKeys.get(root))
            .validity(from, to)
            .ca(true)
            .pathLength(0)
            .keyUsage(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)
            .build();
    caKeys.put(c, keys.getPrivate());
    return c;
  }

  public static X500Principal dn(String cn) {
    return new X500Principal("CN=" + cn + ",O=key-transfer tests");
  }

  public static KeyPair rsa(int bits) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(bits, RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Starts a leaf of {@code role} issued by that role's CA, valid now, with the role's key usage.
   */
  public LeafSpec leaf(Role role, String cn) {
    return new LeafSpec(role, cn);
  }

  /** A well-formed leaf of {@code role}. */
  public Leaf validLeaf(Role role, String cn) {
    return leaf(role, cn).build();
  }

  /**
   * A leaf of {@code role} with a new EC key on {@code curve} and the ECDH mode's key usage
   * (docs/ECDH.md): keyAgreement for a KRD, digitalSignature and keyAgreement for a KDH.
   */
  public Leaf ecLeaf(Role role, String cn, dev.keytransfer.core.spi.Algorithms.Curve curve) {
    try {
      java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
      g.initialize(new java.security.spec.ECGenParameterSpec(curve.jcaName()));
      return leaf(role, cn)
          .keys(g.generateKeyPair())
          .keyUsage(
              role == Role.KDH
                  ? new KeyUsage[] {KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_AGREEMENT}
                  : new KeyUsage[] {KeyUsage.KEY_AGREEMENT})
          .build();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Options for one leaf. */
  public final class LeafSpec {
    private final String cn;
    private X509Certificate issuer;
    private Instant notBefore =
        Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
    private Instant notAfter =
        Instant.now().plus(Duration.ofDays(365)).truncatedTo(ChronoUnit.SECONDS);
    private int bits = 2048;
    private String signatureAlgorithm = "SHA256withRSA";
    private KeyUsage[] usage;
    private boolean ca;
    private KeyPair keys;
    private BigInteger serial;

    private LeafSpec(Role role, String cn) {
      this.cn = cn;
      this.issuer = role == Role.KDH ? kdhCa : krdCa;
      this.usage =
          role == Role.KDH
              ? new KeyUsage[] {KeyUsage.DIGITAL_SIGNATURE}
              : new KeyUsage[] {KeyUsage.KEY_ENCIPHERMENT};
    }

    public LeafSpec issuedBy(X509Certificate ca) {
      this.issuer = ca;
      return this;
    }

    public LeafSpec validity(Instant from, Instant to) {
      this.notBefore = from.truncatedTo(ChronoUnit.SECONDS);
      this.notAfter = to.truncatedTo(ChronoUnit.SECONDS);
      return this;
    }

    public LeafSpec rsaBits(int b) {
      this.bits = b;
      return this;
    }

    public LeafSpec signatureAlgorithm(String a) {
      this.signatureAlgorithm = a;
      return this;
    }

    /**
     * The leaf's key pair instead of a new one: many certificates on one key, for load tests that
     * need a thousand devices without a thousand RSA key generations.
     */
    public LeafSpec keys(KeyPair k) {
      this.keys = k;
      return this;
    }

    /** The serial number instead of a random one (a CA that reissues a serial). */
    public LeafSpec serial(BigInteger s) {
      this.serial = s;
      return this;
    }

    public LeafSpec keyUsage(KeyUsage... u) {
      this.usage = u;
      return this;
    }

    public LeafSpec ca(boolean c) {
      this.ca = c;
      return this;
    }

    public Leaf build() {
      KeyPair keys = this.keys != null ? this.keys : rsa(bits);
      CertificateBuilder b =
          CertificateBuilder.create()
              .subject(dn(cn))
              .publicKey(keys.getPublic())
              .issuer(issuer, caKeys.get(issuer))
              .validity(notBefore, notAfter)
              .ca(ca)
              .keyUsage(usage)
              .signatureAlgorithm(signatureAlgorithm);
      if (serial != null) {
        b.serial(serial);
      }
      X509Certificate cert = b.build();
      return new Leaf(cert, SoftwareKeyHandle.of(keys, cn), CertificateChain.of(cert, issuer));
    }
  }

  /** Revokes {@code cert} in its issuer's next CRLs. */
  public void revoke(X509Certificate cert) {
    for (X509Certificate ca : caKeys.keySet()) {
      if (ca.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
        revoked.get(ca).put(cert.getSerialNumber(), Instant.now().minusSeconds(60));
        return;
      }
    }
    throw new IllegalArgumentException("not issued by this PKI");
  }

  /** Fresh CRLs of root, KDH CA and KRD CA. */
  public List<X509CRL> crls() {
    List<X509CRL> out = new ArrayList<>();
    Instant now = Instant.now();
    for (X509Certificate ca : caKeys.keySet()) {
      out.add(crl(ca, now.minusSeconds(60), now.plus(Duration.ofDays(7)), caKeys.get(ca)));
    }
    return out;
  }

  /** CRLs of root and KDH CA: what a host carries for its own chain. */
  public List<X509CRL> kdhPathCrls() {
    return crls().subList(0, 2);
  }

  /**
   * A CRL of {@code ca} with the given window, signed by {@code signer} (the CA's key, or another).
   */
  public X509CRL crl(
      X509Certificate ca, Instant thisUpdate, Instant nextUpdate, PrivateKey signer) {
    return crl(ca, thisUpdate, nextUpdate, signer, "SHA256withRSA");
  }

  /**
   * As above, signed with {@code signatureAlgorithm}. CRL numbers increase with every CRL this PKI
   * issues, as a CA's do (RFC 5280 5.2.3), so a later CRL supersedes an earlier one.
   */
  public X509CRL crl(
      X509Certificate ca,
      Instant thisUpdate,
      Instant nextUpdate,
      PrivateKey signer,
      String signatureAlgorithm) {
    return CrlBuilder.issuedBy(ca, signer)
        .thisUpdate(thisUpdate.truncatedTo(ChronoUnit.SECONDS))
        .nextUpdate(nextUpdate.truncatedTo(ChronoUnit.SECONDS))
        .crlNumber(BigInteger.valueOf(crlNumbers.incrementAndGet()))
        .revokeAll(revoked.get(ca))
        .signatureAlgorithm(signatureAlgorithm)
        .build();
  }

  public PrivateKey caKey(X509Certificate ca) {
    return caKeys.get(ca);
  }

  /** The terminal's state machine for {@code device}, trusting this PKI, on {@code crypto}. */
  public KrdHandshake terminalMachine(ReceivingTerminal device, CryptoProvider crypto) {
    return Handshakes.terminal(
        device,
        crypto,
        new Tr34TokenCodec(crypto),
        new PkixCertificateValidator(terminalPolicy()),
        Clock.systemUTC(),
        KrdHandshake.Options.defaults());
  }

  /** The host's state machine for {@code kdh} with this PKI's CRLs, the source and the ledger. */
  public KdhHandshake hostMachine(
      Leaf kdh,
      KeySource keys,
      KeyLedger ledger,
      CryptoProvider crypto,
      KdhHandshake.Options options) {
    return Handshakes.host(
        host(kdh, this::kdhPathCrls, keys, ledger),
        crypto,
        new Tr34TokenCodec(crypto),
        new PkixCertificateValidator(hostPolicy()),
        Clock.systemUTC(),
        options);
  }

  /**
   * Passes messages between the two machines in this thread, from the terminal's first, until
   * neither replies; a message (either way) {@code lost} matches is dropped instead and both sides
   * fail with {@code TRANSPORT_FAILURE}, as a broken connection would leave them.
   */
  public static void exchange(
      KrdHandshake terminal, KdhHandshake host, Predicate<HandshakeMessage> lost)
      throws KeyTransferException {
    Optional<HandshakeMessage> m = Optional.of(terminal.start());
    while (m.isPresent()) {
      if (lost.test(m.get())) {
        terminal.fail(ErrorCode.TRANSPORT_FAILURE);
        host.fail(ErrorCode.TRANSPORT_FAILURE);
        return;
      }
      Optional<HandshakeMessage> reply = host.onMessage(m.get());
      if (reply.isPresent() && lost.test(reply.get())) {
        terminal.fail(ErrorCode.TRANSPORT_FAILURE);
        host.fail(ErrorCode.TRANSPORT_FAILURE);
        return;
      }
      m = reply.isPresent() ? terminal.onMessage(reply.get()) : Optional.empty();
    }
  }

  public ReceivingTerminal terminal(Leaf krd) {
    return ReceivingTerminal.of(
        krd.chain(), krd.key(), new InMemoryTerminalKeyStore(), new InMemoryBindingStore());
  }

  public DistributionTerminal host(
      Leaf kdh, Supplier<List<X509CRL>> crls, KeySource keys, KeyLedger ledger) {
    return DistributionTerminal.of(
        kdh.chain(), kdh.key(), crls, keys, DevicePolicy.anyCertifiedDevice(), ledger);
  }

  /** Terminal side: anchor and pinned role CAs, no local CRLs (they come in CT-KDH). */
  public ValidationPolicy terminalPolicy() {
    return ValidationPolicy.builder()
        .trustAnchor(root)
        .roleIssuer(Role.KDH, kdhCa)
        .roleIssuer(Role.KRD, krdCa)
        .build();
  }

  /** Host side: anchor, pinned role CAs, and the PKI's current CRLs. */
  public ValidationPolicy hostPolicy() {
    return ValidationPolicy.builder()
        .trustAnchor(root)
        .roleIssuer(Role.KDH, kdhCa)
        .roleIssuer(Role.KRD, krdCa)
        .crlSource(this::crls)
        .build();
  }
}
