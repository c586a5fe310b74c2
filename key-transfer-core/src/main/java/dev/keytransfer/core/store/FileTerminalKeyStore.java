package dev.keytransfer.core.store;

import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.InstalledKey;
import dev.keytransfer.core.spi.TerminalKeyStore;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Provider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.SecretKey;

/**
 * A terminal key store kept in one file, {@code keys.sealed}, in a directory of the device's own:
 * the installed keys, which of them is the current master key of its host, and the pending master
 * keys (docs/SECURITY.md K7) survive a restart. The keys are at rest only inside the AES-256-GCM
 * envelope under the device key (docs/SECURITY.md K8, "Terminal state at rest"); the plaintext
 * buffer is wiped after sealing and after opening (K5), and {@link #toString()} shows counts only
 * (K6).
 *
 * <p>Every change replaces the file atomically and takes effect in memory only once the new file is
 * in place: a failed write throws {@code STORAGE_FAILURE} and leaves both file and store as they
 * were. A file that does not open under the device key, or is of another kind or an unknown
 * version, fails the open (never read as empty); only a missing file is a fresh device. While open,
 * the store holds {@code keys.lock} in the directory, so a second store on it fails as "in use";
 * {@link #close()} releases it and wipes the keys held in memory.
 *
 * <p>Plaintext, format version 1 (pieces as in the package's {@code StateFormat}): a count of
 * installed keys in installation order, each a flag (the current master key of its host) and a key;
 * a count of pending keys, each a key. A key is its header's ASCII form, the key bytes, the KCV
 * method's wire value (1 byte) and the KCV bytes, the KDH's issuer DER and serial, and the time it
 * was installed.
 *
 * <p>Thread-safe.
 */
public final class FileTerminalKeyStore implements TerminalKeyStore, AutoCloseable {
  /** An installed key the store owns, and whether it is the current master key of its host. */
  private record Entry(InstalledKey key, boolean master) {}

  private static final int MAX_KEY_LENGTH = 1024;

  private final SealedFile file;
  private List<Entry> keys = new ArrayList<>();
  private Map<IssuerAndSerial, InstalledKey> pending = new LinkedHashMap<>();
  private boolean closed;

  private FileTerminalKeyStore(SealedFile file) {
    this.file = file;
  }

  /** As {@link #open(Path, SecretKey, Provider)} with the default provider for AES-GCM. */
  public static FileTerminalKeyStore open(Path dir, SecretKey deviceKey)
      throws KeyTransferException {
    return open(dir, deviceKey, null);
  }

  /**
   * Opens (or, if the directory holds none, starts) the key store in {@code dir}, creating the
   * directory owner-only if it is missing.
   *
   * @param deviceKey an AES-256 key used only through {@code Cipher.init}: an Android Keystore or
   *     PKCS#11 key that cannot be exported works; {@link DeviceKeys} makes one for development
   * @param provider the provider for {@code AES/GCM/NoPadding} under that key, or null for the
   *     default
   * @throws KeyTransferException {@code STORAGE_FAILURE} if the store is in use, or its file cannot
   *     be read, authenticated or understood
   */
  public static FileTerminalKeyStore open(Path dir, SecretKey deviceKey, Provider provider)
      throws KeyTransferException {
    SealedFile sealed = SealedFile.open(dir, SealedFile.Kind.KEYS, deviceKey, provider);
    try {
      FileTerminalKeyStore store = new FileTerminalKeyStore(sealed);
      store.load();
      return store;
    } catch (KeyTransferException | RuntimeException e) {
      sealed.close();
      throw e;
    }
  }

  private void load() throws KeyTransferException {
    byte[] plain = file.read();
    if (plain == null) {
      return;
    }
    List<Entry> k = new ArrayList<>();
    Map<IssuerAndSerial, InstalledKey> p = new LinkedHashMap<>();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(plain))) {
      for (int i = StateFormat.readCount(in); i > 0; i--) {
        boolean master = StateFormat.readFlag(in);
        k.add(new Entry(readKey(in), master));
      }
      for (int i = StateFormat.readCount(in); i > 0; i--) {
        InstalledKey key = readKey(in);
        InstalledKey twice = p.put(key.kdh(), key);
        if (twice != null) {
          twice.close();
          throw new IOException("two pending keys from one host");
        }
      }
      StateFormat.requireEnd(in);
    } catch (IOException | KeyTransferException | RuntimeException e) {
      k.forEach(x -> x.key().close());
      p.values().forEach(InstalledKey::close);
      throw SealedFile.failure(
          "terminal keys file " + file.path() + " opened but its contents are malformed", null);
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
    keys = k;
    pending = p;
  }

  private static InstalledKey readKey(DataInputStream in) throws IOException, KeyTransferException {
    KeyBlockHeader header =
        KeyBlockHeader.parse(
            new String(
                StateFormat.readBytes(in, KeyBlockHeader.MAX_LENGTH), StandardCharsets.US_ASCII));
    byte[] bytes = StateFormat.readBytes(in, MAX_KEY_LENGTH);
    SecretKeyMaterial key;
    try {
      key = SecretKeyMaterial.copyOf(bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
    try {
      KeyCheckValue.Method method = KeyCheckValue.Method.fromWireValue(in.readUnsignedByte());
      if (method == null) {
        throw new IOException("unknown KCV method");
      }
      KeyCheckValue kcv = KeyCheckValue.of(method, StateFormat.readBytes(in, 16));
      IssuerAndSerial kdh = StateFormat.readIssuerAndSerial(in);
      return new InstalledKey(header, key, kcv, kdh, StateFormat.readInstant(in));
    } catch (IOException | RuntimeException e) {
      key.destroy();
      throw e;
    }
  }

  private static void writeKey(DataOutputStream out, InstalledKey k) throws IOException {
    StateFormat.writeBytes(out, k.header().toBytes());
    byte[] bytes = k.key().copyBytes();
    try {
      StateFormat.writeBytes(out, bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
    out.writeByte(k.kcv().method().wireValue());
    StateFormat.writeBytes(out, k.kcv().bytes());
    StateFormat.writeIssuerAndSerial(out, k.kdh());
    StateFormat.writeInstant(out, k.installedAt());
  }

  /** Writes {@code k} and {@code p} as the new file; on failure nothing changed. */
  private void persist(List<Entry> k, Map<IssuerAndSerial, InstalledKey> p)
      throws KeyTransferException {
    if (closed) {
      throw SealedFile.failure("terminal key store " + file.path() + " is closed", null);
    }
    SealedFile.WipingBuffer buf = new SealedFile.WipingBuffer();
    try {
      DataOutputStream out = new DataOutputStream(buf);
      out.writeInt(k.size());
      for (Entry e : k) {
        out.writeBoolean(e.master());
        writeKey(out, e.key());
      }
      out.writeInt(p.size());
      for (InstalledKey key : p.values()) {
        writeKey(out, key);
      }
      out.flush();
      file.write(buf.array(), buf.length());
    } catch (IOException e) {
      throw SealedFile.failure("cannot encode the terminal's keys", e);
    } finally {
      buf.wipe();
    }
  }

  @Override
  public synchronized void install(InstalledKey key) throws KeyTransferException {
    InstalledKey c = copy(key);
    List<Entry> next = new ArrayList<>(keys);
    next.add(new Entry(c, false));
    try {
      persist(next, pending);
    } catch (KeyTransferException e) {
      c.close();
      throw e;
    }
    keys = next;
  }

  @Override
  public synchronized Optional<InstalledKey> current() {
    checkOpen();
    return keys.isEmpty() ? Optional.empty() : Optional.of(copy(keys.get(keys.size() - 1).key()));
  }

  @Override
  public synchronized int size() {
    checkOpen();
    return keys.size();
  }

  @Override
  public synchronized int removeKeysFrom(IssuerAndSerial kdh) throws KeyTransferException {
    List<Entry> next = new ArrayList<>();
    List<InstalledKey> removed = new ArrayList<>();
    for (Entry e : keys) {
      if (e.key().kdh().equals(kdh)) {
        removed.add(e.key());
      } else {
        next.add(e);
      }
    }
    Map<IssuerAndSerial, InstalledKey> nextPending = new LinkedHashMap<>(pending);
    InstalledKey p = nextPending.remove(kdh);
    persist(next, nextPending);
    keys = next;
    pending = nextPending;
    removed.forEach(InstalledKey::close);
    if (p != null) {
      p.close();
    }
    return removed.size();
  }

  @Override
  public synchronized void installPending(InstalledKey key) throws KeyTransferException {
    InstalledKey c = copy(key);
    Map<IssuerAndSerial, InstalledKey> next = new LinkedHashMap<>(pending);
    InstalledKey old = next.put(c.kdh(), c);
    try {
      persist(keys, next);
    } catch (KeyTransferException e) {
      c.close();
      throw e;
    }
    pending = next;
    if (old != null) {
      old.close();
    }
  }

  @Override
  public synchronized Optional<InstalledKey> pending(IssuerAndSerial kdh) {
    checkOpen();
    InstalledKey p = pending.get(kdh);
    return p == null ? Optional.empty() : Optional.of(copy(p));
  }

  @Override
  public synchronized void commitPending(IssuerAndSerial kdh) throws KeyTransferException {
    InstalledKey p = pending.get(kdh);
    if (p == null) {
      checkOpen();
      return;
    }
    Map<IssuerAndSerial, InstalledKey> nextPending = new LinkedHashMap<>(pending);
    nextPending.remove(kdh);
    List<Entry> next = new ArrayList<>();
    InstalledKey superseded = null;
    for (Entry e : keys) {
      if (e.master() && e.key().kdh().equals(kdh)) {
        superseded = e.key();
      } else {
        next.add(e);
      }
    }
    next.add(new Entry(p, true));
    persist(next, nextPending);
    keys = next;
    pending = nextPending;
    if (superseded != null) {
      superseded.close();
    }
  }

  @Override
  public synchronized void discardPending(IssuerAndSerial kdh) throws KeyTransferException {
    InstalledKey p = pending.get(kdh);
    if (p == null) {
      checkOpen();
      return;
    }
    Map<IssuerAndSerial, InstalledKey> next = new LinkedHashMap<>(pending);
    next.remove(kdh);
    persist(keys, next);
    pending = next;
    p.close();
  }

  private static InstalledKey copy(InstalledKey k) {
    Objects.requireNonNull(k, "key");
    return new InstalledKey(k.header(), k.key().copy(), k.kcv(), k.kdh(), k.installedAt());
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("terminal key store " + file.path() + " is closed");
    }
  }

  /**
   * Wipes the keys held in memory (the file keeps them) and releases the directory's lock; the
   * store cannot be used afterwards. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      keys.forEach(e -> e.key().close());
      pending.values().forEach(InstalledKey::close);
      keys = List.of();
      pending = Map.of();
      file.close();
    }
  }

  @Override
  public synchronized String toString() {
    return "FileTerminalKeyStore["
        + file.path()
        + (closed ? ", closed" : ", " + keys.size() + " keys, " + pending.size() + " pending")
        + "]";
  }
}
