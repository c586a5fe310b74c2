package dev.keytransfer.examples;

import dev.keytransfer.Enrollment;
import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.KeyType;
import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.InternalErrorException;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.TransportException;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.handshake.DeliveryLimit;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.InstalledKey;
import dev.keytransfer.core.spi.KeyLedger;
import dev.keytransfer.core.spi.KeyPurpose;
import dev.keytransfer.core.spi.KeySource;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryBindingStore;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.InMemoryTerminalKeyStore;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.dukpt.AesDukpt;
import dev.keytransfer.crypto.dukpt.AesKsn;
import dev.keytransfer.crypto.dukpt.TdesDukpt;
import dev.keytransfer.crypto.dukpt.TdesKsn;
import dev.keytransfer.crypto.keyblock.OptionalBlock;
import dev.keytransfer.crypto.keyblock.Tr31Header;
import dev.keytransfer.crypto.keysource.DukptInitialKeySource;
import dev.keytransfer.crypto.pkcs11.Pkcs11CryptoProvider;
import dev.keytransfer.transport.InMemoryTransport;
import dev.keytransfer.transport.tcp.TcpKeyServer;
import dev.keytransfer.transport.tcp.TcpTransport;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * The whole S1-S4 method in one place, on an embedded default: a certification authority, one key
 * host (in memory or on a free loopback TCP port), and terminals enrolled from CSRs. The demo and
 * the benchmark run on it; it is also the shortest complete example of both front doors.
 *
 * <p>{@link #builder()} chooses the crypto provider that the host and the terminals use (their RSA
 * keys are generated in it: inside the token for PKCS#11) and what the host hands out: a fresh TDES
 * master key per terminal, or a DUKPT initial key per terminal derived from a BDK generated for
 * this fleet ({@link DukptInitialKeySource}), and the host's ledger and per-device delivery limit.
 */
public final class Fleet implements AutoCloseable {
  /** How terminals reach the host. */
  public enum Transport {
    memory,
    tcp
  }

  /** What the host gives each terminal. */
  public enum HostKeys {
    /** A fresh random TDES terminal master key ({@code K0}). */
    TDES_MASTER_KEY,
    /** A TDES DUKPT initial key (IPEK, X9.24-1) with its initial KSN in a {@code KS} block. */
    DUKPT_TDES,
    /**
     * An AES-128 DUKPT initial key (X9.24-3) with its initial key ID in an {@code IK} block; the
     * terminals get RSA-3072 keys, since the host wraps a 128-bit key only under an RSA key at
     * least that strong (docs/SECURITY.md K2).
     */
    DUKPT_AES;

    /** True for the DUKPT kinds. */
    public boolean dukpt() {
      return this != TDES_MASTER_KEY;
    }

    /** The RSA size terminals need to receive this kind of key. */
    int terminalRsaBits() {
      return this == DUKPT_AES ? 3072 : Enrollment.DEFAULT_RSA_BITS;
    }
  }

  /**
   * First identifiers the demo BDK hands out: the X9.24 example key set, counting up per device.
   */
  static final String FIRST_TDES_KSN = "FFFF9876543210E00000";

  static final String FIRST_AES_INITIAL_KEY_ID = "1234567800000001";

  private final CryptoProvider crypto;
  private final HostKeys hostKeys;
  private final int terminalRsaBits;
  private final KeyType ecdhKeys;
  private final DefaultCertificateAuthority ca;
  private final KeyLedger ledger;
  private final SecretKeyMaterial bdk;
  private final KeySource keySource;
  private final DistributionTerminal kdh;
  private final KeyTransferHost host;
  private final ValidationPolicy terminalPolicy;
  private final Transport transport;
  private final TcpKeyServer<DeliveryReceipt> server;
  private final ExecutorService memoryHost;
  private final List<ReceivingTerminal> terminals = new ArrayList<>();

  /**
   * S1 for the CA and the host (Bouncy Castle, a TDES master key per terminal); starts the host.
   */
  public Fleet(Transport transport, int serverThreads) throws KeyTransferException {
    this(builder().transport(transport).serverThreads(serverThreads));
  }

  private Fleet(Builder b) throws KeyTransferException {
    this.crypto = b.crypto != null ? b.crypto : new BcCryptoProvider();
    this.hostKeys = b.hostKeys;
    this.terminalRsaBits = b.terminalRsaBits > 0 ? b.terminalRsaBits : hostKeys.terminalRsaBits();
    this.ecdhKeys = b.ecdhKeys;
    this.transport = b.transport;
    this.ledger = b.ledger != null ? b.ledger : new InMemoryKeyLedger();
    SecretKeyMaterial dukptBdk = null;
    KeySource source = null;
    TcpKeyServer<DeliveryReceipt> tcp = null;
    DistributionTerminal enrolledHost = null;
    try {
      this.ca = DefaultCertificateAuthority.create("Demo", Clock.systemUTC());
      if (hostKeys.dukpt()) {
        byte[] k = new byte[16]; // double-length TDES or AES-128
        crypto.secureRandom().nextBytes(k);
        dukptBdk = SecretKeyMaterial.adopt(k);
        source =
            hostKeys == HostKeys.DUKPT_AES
                ? DukptInitialKeySource.aes(
                    dukptBdk, AesKsn.parse(FIRST_AES_INITIAL_KEY_ID), crypto)
                : DukptInitialKeySource.tdes(dukptBdk, TdesKsn.parse(FIRST_TDES_KSN), crypto);
      } else {
        source = RandomKeySource.tdesMasterKeys(crypto.secureRandom());
      }
      enrolledHost =
          Enrollment.enrollHost(
              ca,
              crypto,
              "Demo Key Host",
              ecdhKeys != null ? ecdhKeys : KeyType.RSA_2048,
              source,
              DevicePolicy.anyCertifiedDevice(),
              ledger);
      this.host =
          KeyTransferHost.builder()
              .distributionTerminal(enrolledHost)
              .cryptoProvider(crypto)
              .validationPolicy(Enrollment.hostPolicy(ca))
              .stepTimeout(Duration.ofSeconds(60))
              .deliveryLimit(b.deliveryLimit)
              .build();
      this.terminalPolicy = Enrollment.terminalPolicy(ca);
      if (transport == Transport.tcp) {
        tcp =
            TcpKeyServer.builder()
                .port(0)
                .threads(b.serverThreads)
                .backlog(1024)
                .build(host::serve);
        tcp.start();
        memoryHost = null;
      } else {
        memoryHost = Executors.newFixedThreadPool(b.serverThreads);
      }
      this.server = tcp;
    } catch (KeyTransferException | RuntimeException | Error e) {
      if (tcp != null) {
        tcp.close();
      }
      closeQuietly(source);
      if (dukptBdk != null) {
        dukptBdk.destroy();
      }
      if (enrolledHost != null) {
        destroyInToken(enrolledHost.signingKey());
      }
      closeQuietly(crypto);
      throw e;
    }
    this.bdk = dukptBdk;
    this.keySource = source;
    this.kdh = enrolledHost;
  }

  /** A fleet on Bouncy Castle over TCP with 8 host threads, handing out TDES master keys. */
  public static Builder builder() {
    return new Builder();
  }

  public DefaultCertificateAuthority ca() {
    return ca;
  }

  public DistributionTerminal host() {
    return kdh;
  }

  /** The host's ledger: the one given to the builder, or this fleet's in-memory one. */
  public KeyLedger ledger() {
    return ledger;
  }

  /** The provider the host and the terminals use. */
  public CryptoProvider cryptoProvider() {
    return crypto;
  }

  /** What the host gives each terminal. */
  public HostKeys hostKeys() {
    return hostKeys;
  }

  /** RSA size of the terminals' key-transport keys (RSA mode). */
  public int terminalRsaBits() {
    return terminalRsaBits;
  }

  /** The EC key type of the host and the terminals in the ECDH mode, or empty: RSA (TR-34). */
  public Optional<KeyType> ecdhKeys() {
    return Optional.ofNullable(ecdhKeys);
  }

  /** The TCP port, or -1 in memory. */
  public int port() {
    return server == null ? -1 : server.port();
  }

  public List<ReceivingTerminal> terminals() {
    return terminals;
  }

  /** The check value of the BDK generated for a DUKPT fleet (public), empty otherwise. */
  public Optional<KeyCheckValue> bdkCheckValue() throws KeyTransferException {
    if (bdk == null) {
      return Optional.empty();
    }
    return Optional.of(
        crypto.keyCheckValue(
            bdk,
            hostKeys == HostKeys.DUKPT_AES
                ? KeyCheckValue.Method.CMAC_AES
                : KeyCheckValue.Method.LEGACY_TDES));
  }

  /**
   * S1 for {@code n} more terminals (key in the provider, CSR, certificate), reporting progress.
   * Same as {@link Enrollment#enrollTerminal} but with this fleet's RSA size.
   */
  public void enroll(int n, IntConsumer progress) throws KeyTransferException {
    for (int i = 0; i < n; i++) {
      String name = String.format("POS %04d", terminals.size() + 1);
      PrivateKeyHandle key =
          ecdhKeys != null
              ? ecdhKeys.generate(crypto, name, Role.KRD)
              : crypto.generateRsaKeyPair(terminalRsaBits, name, KeyPurpose.KEY_TRANSPORT);
      try {
        terminals.add(
            ReceivingTerminal.of(
                Enrollment.certify(ca, crypto, key, name, Role.KRD),
                key,
                new InMemoryTerminalKeyStore(),
                new InMemoryBindingStore()));
      } catch (KeyTransferException | RuntimeException e) {
        destroyInToken(key);
        throw e;
      }
      progress.accept(i + 1);
    }
  }

  /** S2-S4 for one terminal over a fresh connection. */
  public KeyReceipt fetch(ReceivingTerminal device) throws KeyTransferException {
    KeyTransferTerminal terminal =
        KeyTransferTerminal.builder()
            .receivingTerminal(device)
            .cryptoProvider(crypto)
            .validationPolicy(terminalPolicy)
            .stepTimeout(Duration.ofSeconds(60))
            .build();
    if (transport == Transport.tcp) {
      try (TcpTransport t =
          TcpTransport.connect(
              "127.0.0.1",
              server.port(),
              Duration.ofSeconds(30),
              TcpTransport.DEFAULT_MAX_FRAME_LENGTH)) {
        return terminal.receiveKey(t);
      }
    }
    InMemoryTransport.Pair pair = InMemoryTransport.pair();
    Future<DeliveryReceipt> served = memoryHost.submit(() -> host.serve(pair.hostEnd()));
    try {
      KeyReceipt r = terminal.receiveKey(pair.terminalEnd());
      served.get();
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException(ErrorCode.TRANSPORT_FAILURE, "interrupted");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof KeyTransferException k
          ? k
          : new InternalErrorException("host failed", e.getCause());
    } finally {
      pair.terminalEnd().close();
      pair.hostEnd().close();
    }
  }

  /**
   * For a DUKPT fleet, the host-side check of a delivery: the terminal's installed key is exactly
   * the initial key that the BDK gives for the {@code KS} (TDES) or {@code IK} (AES) block of its
   * header. False if nothing is installed or this fleet does not hand out DUKPT keys.
   */
  public boolean installedKeyMatchesBdk(ReceivingTerminal device) throws KeyTransferException {
    Optional<InstalledKey> installed = device.keyStore().current();
    if (bdk == null || installed.isEmpty()) {
      return false;
    }
    try (InstalledKey k = installed.get()) {
      Tr31Header header = Tr31Header.of(k.header());
      String id = hostKeys == HostKeys.DUKPT_AES ? OptionalBlock.IK : OptionalBlock.KS;
      Optional<OptionalBlock> block = header.optionalBlock(id);
      if (block.isEmpty()) {
        return false;
      }
      try (SecretKeyMaterial expected =
          hostKeys == HostKeys.DUKPT_AES
              ? AesDukpt.using(crypto).initialKey(bdk, AesKsn.parse(block.get().data()))
              : TdesDukpt.using(crypto).initialKey(bdk, TdesKsn.parse(block.get().data()))) {
        return expected.equalsKey(k.key());
      }
    }
  }

  /**
   * How many different keys the terminals hold (compared by SHA-256 digest, never printed): equal
   * to the number of terminals that received one when every key is unique (docs/SECURITY.md K1).
   */
  public int distinctInstalledKeys() {
    Set<String> digests = new HashSet<>();
    for (ReceivingTerminal device : terminals) {
      Optional<InstalledKey> installed = device.keyStore().current();
      if (installed.isPresent()) {
        try (InstalledKey k = installed.get()) {
          byte[] bytes = k.key().copyBytes();
          try {
            digests.add(
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
          } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
          } finally {
            Arrays.fill(bytes, (byte) 0);
          }
        }
      }
    }
    return digests.size();
  }

  /**
   * Waits until the host has finished {@code sessions} sessions in total (a terminal is done once
   * it has sent its confirmation; the host records it a moment later).
   */
  public void awaitHostSessions(long sessions, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (server != null
        && server.completedSessions() + server.failedSessions() < sessions
        && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  /**
   * Stops the host, wipes the BDK, destroys the RSA keys this fleet generated when they live in a
   * PKCS#11 token, and closes the provider.
   */
  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    if (memoryHost != null) {
      memoryHost.shutdownNow();
    }
    closeQuietly(keySource);
    if (bdk != null) {
      bdk.destroy();
    }
    destroyInToken(kdh.signingKey());
    terminals.forEach(t -> destroyInToken(t.keyTransportKey()));
    closeQuietly(crypto);
  }

  /** Token objects outlive the process; software keys go with the heap. */
  private void destroyInToken(PrivateKeyHandle key) {
    if (crypto instanceof Pkcs11CryptoProvider token) {
      try {
        token.destroyKey(key);
      } catch (KeyTransferException | RuntimeException e) {
        // best effort: the token may already be closed or the key gone
      }
    }
  }

  private static void closeQuietly(Object o) {
    if (o instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        // nothing more to do at close
      }
    }
  }

  /**
   * Chooses the provider, the keys the host hands out and how terminals reach it. Not thread-safe.
   */
  public static final class Builder {
    private Transport transport = Transport.tcp;
    private int serverThreads = 8;
    private CryptoProvider crypto;
    private HostKeys hostKeys = HostKeys.TDES_MASTER_KEY;
    private int terminalRsaBits;
    private KeyType ecdhKeys;
    private KeyLedger ledger;
    private DeliveryLimit deliveryLimit = DeliveryLimit.DEFAULT;

    private Builder() {}

    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** Host session threads (TCP server threads, or in-memory host threads). */
    public Builder serverThreads(int serverThreads) {
      if (serverThreads < 1) {
        throw new IllegalArgumentException("serverThreads must be at least 1");
      }
      this.serverThreads = serverThreads;
      return this;
    }

    /**
     * The provider of the host and the terminals (default: a new {@link BcCryptoProvider}). The
     * fleet owns it: {@link Fleet#close()} closes it if it is {@link AutoCloseable}, as does a
     * failed {@link #build()}.
     */
    public Builder cryptoProvider(CryptoProvider crypto) {
      this.crypto = Objects.requireNonNull(crypto, "crypto");
      return this;
    }

    public Builder hostKeys(HostKeys hostKeys) {
      this.hostKeys = Objects.requireNonNull(hostKeys, "hostKeys");
      return this;
    }

    /** RSA size of terminal keys (default: 2048, or 3072 for {@link HostKeys#DUKPT_AES}). */
    public Builder terminalRsaBits(int bits) {
      if (bits < Enrollment.DEFAULT_RSA_BITS) {
        throw new IllegalArgumentException(
            "terminal RSA keys are at least " + Enrollment.DEFAULT_RSA_BITS + " bits");
      }
      this.terminalRsaBits = bits;
      return this;
    }

    /**
     * The ECDH mode (docs/ECDH.md): the host and every terminal get EC keys of {@code keys} (an EC
     * type, e.g. {@link KeyType#EC_P256}) and S4 runs as ECDH with a TR-31 key block. Default: the
     * RSA mode (TR-34).
     */
    public Builder ecdh(KeyType keys) {
      if (!keys.isEc()) {
        throw new IllegalArgumentException("the ECDH mode needs an EC key type, not " + keys);
      }
      this.ecdhKeys = keys;
      return this;
    }

    /**
     * The host's ledger (default: a new {@code InMemoryKeyLedger}). The caller keeps it: {@link
     * Fleet#close()} does not close it.
     */
    public Builder ledger(KeyLedger ledger) {
      this.ledger = Objects.requireNonNull(ledger, "ledger");
      return this;
    }

    /**
     * How many keys the host gives one terminal per window (default {@link DeliveryLimit#DEFAULT},
     * ten per hour, docs/SECURITY.md A5). A benchmark that sends the same terminals round after
     * round needs {@link DeliveryLimit#unlimitedForTesting()}.
     */
    public Builder deliveryLimit(DeliveryLimit limit) {
      this.deliveryLimit = Objects.requireNonNull(limit, "limit");
      return this;
    }

    /** S1 for the CA and the host; starts the host. */
    public Fleet build() throws KeyTransferException {
      return new Fleet(this);
    }
  }
}
