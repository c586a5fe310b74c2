package dev.keytransfer.core.store;

import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.BindingStore;
import dev.keytransfer.core.spi.CrlMark;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.Provider;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.security.auth.x500.X500Principal;

/**
 * A binding store kept in one file, {@code binding.sealed}, in a directory of the device's own, so
 * the bound KDH (C11), the last signing time per signer (P2) and the newest CRL per issuer (C14)
 * survive a restart: without them a restarted terminal would take the same one-pass token again.
 * Like every {@link BindingStore} it only stores; the rules are in {@code KrdHandshake}.
 *
 * <p>The file is sealed with AES-256-GCM under the device key and replaced atomically on every
 * change (docs/SECURITY.md K8, "Terminal state at rest"): a file that does not open under the
 * device key, or is of another kind or an unknown version, fails the open with {@code
 * STORAGE_FAILURE} and is never read as empty; only a missing file is a fresh device. The state in
 * memory changes only once the new file is in place, so a failed write leaves both as they were.
 * While open, the store holds {@code binding.lock} in the directory, so a second store on it fails
 * as "in use"; {@link #close()} releases it.
 *
 * <p>Plaintext, format version 1 (pieces as in the package's {@code StateFormat}): a flag for a
 * bound KDH and then its certificate's DER; a count of signing times, each the signer's issuer DER
 * and serial and the time; a count of CRL marks, each the issuer DER, a flag for a cRLNumber and
 * then the number, and thisUpdate.
 *
 * <p>Thread-safe.
 */
public final class FileBindingStore implements BindingStore, AutoCloseable {
  private final SealedFile file;
  private X509Certificate bound;
  private Map<IssuerAndSerial, Instant> lastSigningTimes;
  private Map<X500Principal, CrlMark> newestCrls;
  private boolean closed;

  private FileBindingStore(SealedFile file) {
    this.file = file;
  }

  /** As {@link #open(Path, SecretKey, Provider)} with the default provider for AES-GCM. */
  public static FileBindingStore open(Path dir, SecretKey deviceKey) throws KeyTransferException {
    return open(dir, deviceKey, null);
  }

  /**
   * Opens (or, if the directory holds none, starts) the binding store in {@code dir}, creating the
   * directory owner-only if it is missing.
   *
   * @param deviceKey an AES-256 key used only through {@code Cipher.init}: an Android Keystore or
   *     PKCS#11 key that cannot be exported works; {@link DeviceKeys} makes one for development
   * @param provider the provider for {@code AES/GCM/NoPadding} under that key, or null for the
   *     default
   * @throws KeyTransferException {@code STORAGE_FAILURE} if the store is in use, or its file cannot
   *     be read, authenticated or understood
   */
  public static FileBindingStore open(Path dir, SecretKey deviceKey, Provider provider)
      throws KeyTransferException {
    SealedFile sealed = SealedFile.open(dir, SealedFile.Kind.BINDING, deviceKey, provider);
    try {
      FileBindingStore store = new FileBindingStore(sealed);
      store.load();
      return store;
    } catch (KeyTransferException | RuntimeException e) {
      sealed.close();
      throw e;
    }
  }

  private void load() throws KeyTransferException {
    X509Certificate b = null;
    Map<IssuerAndSerial, Instant> times = new LinkedHashMap<>();
    Map<X500Principal, CrlMark> crls = new LinkedHashMap<>();
    byte[] plain = file.read();
    if (plain != null) {
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(plain))) {
        if (StateFormat.readFlag(in)) {
          b = StateFormat.readCertificate(in);
        }
        for (int i = StateFormat.readCount(in); i > 0; i--) {
          times.put(StateFormat.readIssuerAndSerial(in), StateFormat.readInstant(in));
        }
        for (int i = StateFormat.readCount(in); i > 0; i--) {
          X500Principal issuer = StateFormat.readPrincipal(in);
          Optional<java.math.BigInteger> number =
              StateFormat.readFlag(in)
                  ? Optional.of(StateFormat.readBigInteger(in))
                  : Optional.empty();
          crls.put(issuer, new CrlMark(number, StateFormat.readInstant(in)));
        }
        StateFormat.requireEnd(in);
      } catch (IOException e) {
        throw SealedFile.failure(
            "terminal binding file " + file.path() + " opened but its contents are malformed",
            null);
      } finally {
        Arrays.fill(plain, (byte) 0);
      }
    }
    bound = b;
    lastSigningTimes = times;
    newestCrls = crls;
  }

  private void persist(
      X509Certificate b, Map<IssuerAndSerial, Instant> times, Map<X500Principal, CrlMark> crls)
      throws KeyTransferException {
    if (closed) {
      throw SealedFile.failure("terminal binding store " + file.path() + " is closed", null);
    }
    SealedFile.WipingBuffer buf = new SealedFile.WipingBuffer();
    try {
      DataOutputStream out = new DataOutputStream(buf);
      out.writeBoolean(b != null);
      if (b != null) {
        StateFormat.writeBytes(out, b.getEncoded());
      }
      out.writeInt(times.size());
      for (Map.Entry<IssuerAndSerial, Instant> e : times.entrySet()) {
        StateFormat.writeIssuerAndSerial(out, e.getKey());
        StateFormat.writeInstant(out, e.getValue());
      }
      out.writeInt(crls.size());
      for (Map.Entry<X500Principal, CrlMark> e : crls.entrySet()) {
        StateFormat.writePrincipal(out, e.getKey());
        out.writeBoolean(e.getValue().number().isPresent());
        if (e.getValue().number().isPresent()) {
          StateFormat.writeBigInteger(out, e.getValue().number().get());
        }
        StateFormat.writeInstant(out, e.getValue().thisUpdate());
      }
      out.flush();
      file.write(buf.array(), buf.length());
    } catch (CertificateEncodingException e) {
      throw SealedFile.failure("cannot encode the KDH certificate: " + e.getMessage(), e);
    } catch (IOException e) {
      throw SealedFile.failure("cannot encode the terminal binding state", e);
    } finally {
      buf.wipe();
    }
  }

  @Override
  public synchronized Optional<X509Certificate> boundKdh() {
    checkOpen();
    return Optional.ofNullable(bound);
  }

  @Override
  public synchronized void bind(X509Certificate kdhCertificate) throws KeyTransferException {
    Objects.requireNonNull(kdhCertificate, "kdhCertificate");
    persist(kdhCertificate, lastSigningTimes, newestCrls);
    bound = kdhCertificate;
  }

  @Override
  public synchronized void unbind() throws KeyTransferException {
    persist(null, lastSigningTimes, newestCrls);
    bound = null;
  }

  @Override
  public synchronized Optional<Instant> lastSigningTime(IssuerAndSerial signer) {
    checkOpen();
    return Optional.ofNullable(lastSigningTimes.get(signer));
  }

  @Override
  public synchronized void recordSigningTime(IssuerAndSerial signer, Instant signingTime)
      throws KeyTransferException {
    Map<IssuerAndSerial, Instant> next = new LinkedHashMap<>(lastSigningTimes);
    next.put(Objects.requireNonNull(signer, "signer"), Objects.requireNonNull(signingTime, "time"));
    persist(bound, next, newestCrls);
    lastSigningTimes = next;
  }

  @Override
  public synchronized Optional<CrlMark> newestCrl(X500Principal issuer) {
    checkOpen();
    return Optional.ofNullable(newestCrls.get(issuer));
  }

  @Override
  public synchronized void recordNewestCrl(X500Principal issuer, CrlMark mark)
      throws KeyTransferException {
    Map<X500Principal, CrlMark> next = new LinkedHashMap<>(newestCrls);
    next.put(Objects.requireNonNull(issuer, "issuer"), Objects.requireNonNull(mark, "mark"));
    persist(bound, lastSigningTimes, next);
    newestCrls = next;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("terminal binding store " + file.path() + " is closed");
    }
  }

  /** Releases the directory's lock; the store cannot be used afterwards. Idempotent. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      file.close();
    }
  }

  @Override
  public synchronized String toString() {
    return "FileBindingStore["
        + file.path()
        + (closed
            ? ", closed"
            : ", "
                + (bound == null
                    ? "unbound"
                    : "bound to " + bound.getSubjectX500Principal().getName()))
        + "]";
  }
}
