package dev.keytransfer.crypto.keysource;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DeliverableKey;
import dev.keytransfer.core.spi.KeySource;
import dev.keytransfer.crypto.dukpt.AesDukpt;
import dev.keytransfer.crypto.dukpt.AesKsn;
import dev.keytransfer.crypto.dukpt.TdesDukpt;
import dev.keytransfer.crypto.dukpt.TdesKsn;
import dev.keytransfer.crypto.keyblock.KeyBlockVersion;
import dev.keytransfer.crypto.keyblock.OptionalBlock;
import dev.keytransfer.crypto.keyblock.Tr31Header;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A host key source for DUKPT terminals: each device gets its own DUKPT initial key, derived from a
 * base derivation key (BDK) the host holds, with an identifier the host assigns. TDES: the IPEK of
 * ANSI X9.24-1:2009 A.6 for the device's initial KSN, carried in the header's {@code KS} optional
 * block (X9.143 6.3.6.8); AES: the initial key of X9.24-3:2017 6.3.1 for the device's initial key
 * ID, carried in {@code IK} (X9.143 6.3.6.6; docs/KEYBLOCKS.md pitfall 11). Header usage {@code B1}
 * (initial DUKPT key), mode {@code X} (derive keys), exportability {@code N}; TDES headers are
 * version {@code A} like the SDK's other TR-34 headers, AES headers version {@code D} aligned with
 * a random {@code PB} block. The TR-34 length field is {@code 0000}.
 *
 * <p>Identifiers come from a counter (the 19-bit device field of the TDES KSN above the 21-bit
 * counter, or the 32-bit AES derivation ID) or from a caller-supplied {@link Assigner}, e.g. an
 * inventory lookup. Two devices never get the same identifier from one source, hence never the same
 * initial key (docs/SECURITY.md K1): the counter never repeats, and an identifier an assigner
 * returns for a second device is refused with {@code DUKPT_KEY_ID_REUSED}; the same device asking
 * again gets its identifier again. A counter that runs out gives {@code DUKPT_KEY_ID_EXHAUSTED}.
 * The in-memory counter and record of issued identifiers die with the process: a host that
 * restarts, or several hosts sharing one BDK, take their numbers from a {@link DeviceNumbers} store
 * instead (the ledger database: {@code JdbcKeyLedger.dukptDeviceNumbers}), or assign from their
 * inventory.
 *
 * <p>Thread-safe. The source holds a copy of the BDK until {@link #close()}.
 */
public final class DukptInitialKeySource implements KeySource, AutoCloseable {
  /** Chooses the DUKPT identifier of a device: its initial KSN (TDES) or initial key ID (AES). */
  @FunctionalInterface
  public interface Assigner<T> {
    T assign(X509Certificate device) throws KeyTransferException;
  }

  /**
   * Hands out counter values (TDES device numbers, AES derivation IDs) kept outside this JVM, e.g.
   * by the host's ledger database: each call returns a value no earlier call returned, in any
   * process sharing the store and across restarts, starting from {@code first}.
   */
  @FunctionalInterface
  public interface DeviceNumbers {
    long next(X509Certificate device, long first) throws KeyTransferException;
  }

  private static final int TDES_DEVICE_BITS = 19;
  private static final int TDES_COUNTER_BITS = 21;

  private final SecretKeyMaterial bdk;
  private final boolean aes;
  private final Assigner<byte[]> assigner;
  private final CryptoProvider crypto;
  private final SecureRandom random;
  private final Map<String, IssuerAndSerial> issued = new HashMap<>();
  private long next;
  private final byte[] base;
  private final long first;
  private final DeviceNumbers numbers;

  private DukptInitialKeySource(
      SecretKeyMaterial bdk,
      boolean aes,
      byte[] base,
      long next,
      Assigner<byte[]> assigner,
      DeviceNumbers numbers,
      CryptoProvider crypto) {
    this.crypto = Objects.requireNonNull(crypto, "crypto");
    this.first = next;
    this.numbers = numbers;
    this.bdk = bdk.copy();
    this.aes = aes;
    this.base = base;
    this.next = next;
    this.assigner = assigner;
    this.random = crypto.secureRandom();
  }

  /**
   * TDES DUKPT with host-assigned KSNs counting up from {@code firstKsn}: each device gets the next
   * value of the 19-bit device field (KSN bits 21-39), counter 0.
   *
   * @param bdk a double-length TDES BDK (copied)
   */
  public static DukptInitialKeySource tdes(
      SecretKeyMaterial bdk, TdesKsn firstKsn, CryptoProvider crypto) {
    requireLength(bdk, 16, "a TDES DUKPT BDK is 16 bytes");
    byte[] initial = firstKsn.initial().bytes();
    return new DukptInitialKeySource(
        bdk, false, initial, tdesDeviceField(initial), null, null, crypto);
  }

  /**
   * TDES DUKPT like {@link #tdes(SecretKeyMaterial, TdesKsn, CryptoProvider)}, with the device
   * numbers from {@code numbers} (e.g. the host's ledger database), so that host processes sharing
   * it, and a host restarted, never give two devices one KSN.
   */
  public static DukptInitialKeySource tdes(
      SecretKeyMaterial bdk, TdesKsn firstKsn, DeviceNumbers numbers, CryptoProvider crypto) {
    requireLength(bdk, 16, "a TDES DUKPT BDK is 16 bytes");
    Objects.requireNonNull(numbers, "numbers");
    byte[] initial = firstKsn.initial().bytes();
    return new DukptInitialKeySource(
        bdk, false, initial, tdesDeviceField(initial), null, numbers, crypto);
  }

  /**
   * AES DUKPT like {@link #aes(SecretKeyMaterial, AesKsn, CryptoProvider)}, with the derivation IDs
   * from {@code numbers} (e.g. the host's ledger database).
   */
  public static DukptInitialKeySource aes(
      SecretKeyMaterial bdk,
      AesKsn firstInitialKeyId,
      DeviceNumbers numbers,
      CryptoProvider crypto) {
    requireAes(bdk);
    Objects.requireNonNull(numbers, "numbers");
    byte[] initial = firstInitialKeyId.withCounter(0).bytes();
    return new DukptInitialKeySource(
        bdk, true, initial, firstInitialKeyId.derivationId() & 0xFFFFFFFFL, null, numbers, crypto);
  }

  /** TDES DUKPT with KSNs from {@code assigner} (their counters are cleared). */
  public static DukptInitialKeySource tdes(
      SecretKeyMaterial bdk, Assigner<TdesKsn> assigner, CryptoProvider crypto) {
    requireLength(bdk, 16, "a TDES DUKPT BDK is 16 bytes");
    Objects.requireNonNull(assigner, "assigner");
    return new DukptInitialKeySource(
        bdk, false, null, -1, d -> assigner.assign(d).initial().bytes(), null, crypto);
  }

  /**
   * AES DUKPT with host-assigned initial key IDs counting up from {@code firstInitialKeyId}: same
   * BDK ID, the next derivation ID for each device.
   *
   * @param bdk an AES-128, AES-192 or AES-256 BDK (copied); initial keys have its type
   */
  public static DukptInitialKeySource aes(
      SecretKeyMaterial bdk, AesKsn firstInitialKeyId, CryptoProvider crypto) {
    requireAes(bdk);
    byte[] initial = firstInitialKeyId.withCounter(0).bytes();
    return new DukptInitialKeySource(
        bdk, true, initial, firstInitialKeyId.derivationId() & 0xFFFFFFFFL, null, null, crypto);
  }

  /** AES DUKPT with initial key IDs from {@code assigner} (their counters are ignored). */
  public static DukptInitialKeySource aes(
      SecretKeyMaterial bdk, Assigner<AesKsn> assigner, CryptoProvider crypto) {
    requireAes(bdk);
    Objects.requireNonNull(assigner, "assigner");
    return new DukptInitialKeySource(
        bdk, true, null, -1, d -> assigner.assign(d).withCounter(0).bytes(), null, crypto);
  }

  /**
   * The device's initial key and its {@code B1} header.
   *
   * @throws KeyTransferException {@code DUKPT_KEY_ID_EXHAUSTED} when the counter has run out,
   *     {@code DUKPT_KEY_ID_REUSED} when an assigner gives another device's identifier, or what the
   *     assigner throws
   */
  @Override
  public DeliverableKey keyFor(X509Certificate krdCertificate) throws KeyTransferException {
    Objects.requireNonNull(krdCertificate, "krdCertificate");
    IssuerAndSerial device = IssuerAndSerial.of(krdCertificate);
    byte[] id = assigner != null ? assigner.assign(krdCertificate) : null;
    if (numbers != null) {
      long n = numbers.next(krdCertificate, first);
      if (n < first || n > maxCounter()) {
        throw new KeyTransferException(
            ErrorCode.DUKPT_KEY_ID_EXHAUSTED,
            aes
                ? "all AES DUKPT derivation IDs under this BDK ID are used"
                : "all TDES DUKPT device numbers under this key set are used");
      }
      id = counterValue(n);
    }
    synchronized (this) {
      if (id == null) {
        id = nextFromCounter();
      }
      String key = HexFormat.of().withUpperCase().formatHex(id);
      IssuerAndSerial holder = issued.putIfAbsent(key, device);
      if (holder != null && !holder.equals(device)) {
        throw new KeyTransferException(
            ErrorCode.DUKPT_KEY_ID_REUSED,
            "DUKPT identifier " + key + " was already given to another device");
      }
    }
    return aes ? aesKey(AesKsn.of(id)) : tdesKey(TdesKsn.of(id));
  }

  /**
   * The identifier the counter gives next, in hex (KSN or initial key ID with counter 0), to
   * persist across restarts; empty with an assigner or when the counter has run out.
   */
  public synchronized Optional<String> nextIdentifier() {
    if (base == null || numbers != null || next > maxCounter()) {
      return Optional.empty();
    }
    return Optional.of(HexFormat.of().withUpperCase().formatHex(counterValue(next)));
  }

  private byte[] nextFromCounter() throws KeyTransferException {
    if (next > maxCounter()) {
      throw new KeyTransferException(
          ErrorCode.DUKPT_KEY_ID_EXHAUSTED,
          aes
              ? "all AES DUKPT derivation IDs under this BDK ID are used"
              : "all TDES DUKPT device numbers under this key set are used");
    }
    return counterValue(next++);
  }

  private long maxCounter() {
    return aes ? 0xFFFFFFFFL : (1L << TDES_DEVICE_BITS) - 1;
  }

  private byte[] counterValue(long n) {
    if (aes) {
      return AesKsn.ofInitialKeyId(AesKsn.of(base).bdkId(), (int) n).bytes();
    }
    byte[] out = base.clone();
    long deviceMask = ((1L << TDES_DEVICE_BITS) - 1) << TDES_COUNTER_BITS;
    long low = (low40(out) & ~deviceMask) | (n << TDES_COUNTER_BITS);
    for (int i = 9; i >= 5; i--) {
      out[i] = (byte) low;
      low >>>= 8;
    }
    return out;
  }

  /** The 19-bit device field of a TDES KSN: bits 21-39, between the key set ID and the counter. */
  private static long tdesDeviceField(byte[] ksn) {
    return (low40(ksn) >>> TDES_COUNTER_BITS) & ((1L << TDES_DEVICE_BITS) - 1);
  }

  /** The rightmost 40 bits of a 10-byte KSN: device field and counter. */
  private static long low40(byte[] ksn) {
    long low = 0;
    for (int i = 5; i < 10; i++) {
      low = (low << 8) | (ksn[i] & 0xFF);
    }
    return low;
  }

  private DeliverableKey tdesKey(TdesKsn ksn) throws KeyTransferException {
    Tr31Header header =
        Tr31Header.builder(KeyBlockVersion.A)
            .keyUsage("B1")
            .algorithm('T')
            .modeOfUse('X')
            .addOptionalBlock(OptionalBlock.KS, ksn.hex())
            .build()
            .aligned(random);
    SecretKeyMaterial ik = TdesDukpt.using(crypto).initialKey(bdk, ksn);
    return new DeliverableKey(header.toKeyBlockHeader(), ik);
  }

  private DeliverableKey aesKey(AesKsn ikid) throws KeyTransferException {
    Tr31Header header =
        Tr31Header.builder(KeyBlockVersion.D)
            .keyUsage("B1")
            .algorithm('A')
            .modeOfUse('X')
            .addOptionalBlock(OptionalBlock.IK, ikid.initialKeyIdHex())
            .build()
            .aligned(random);
    SecretKeyMaterial ik = AesDukpt.using(crypto).initialKey(bdk, ikid);
    return new DeliverableKey(header.toKeyBlockHeader(), ik);
  }

  private static void requireLength(SecretKeyMaterial bdk, int length, String message) {
    if (Objects.requireNonNull(bdk, "bdk").length() != length) {
      throw new IllegalArgumentException(message);
    }
  }

  private static void requireAes(SecretKeyMaterial bdk) {
    int n = Objects.requireNonNull(bdk, "bdk").length();
    if (n != 16 && n != 24 && n != 32) {
      throw new IllegalArgumentException("an AES DUKPT BDK is 16, 24 or 32 bytes");
    }
  }

  /** Wipes this source's copy of the BDK. */
  @Override
  public void close() {
    bdk.destroy();
  }

  @Override
  public String toString() {
    return "DukptInitialKeySource["
        + (aes ? "AES" : "TDES")
        + ", "
        + (base == null ? "assigned" : "counter")
        + ", "
        + bdk
        + "]";
  }
}
