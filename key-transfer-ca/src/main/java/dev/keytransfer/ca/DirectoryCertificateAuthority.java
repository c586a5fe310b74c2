package dev.keytransfer.ca;

import dev.keytransfer.Enrollment;
import dev.keytransfer.KeyType;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.Role;
import dev.keytransfer.crypto.Pem;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.pki.PkiFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * The certification authority of S1 kept in one directory, as {@code keytransfer ca} and {@link
 * PkiFiles} lay it out: the root, KDH CA and KRD CA of {@link DefaultCertificateAuthority}, the
 * leaves it issued by name, their CRLs and a serial counter.
 *
 * <pre>
 * root.crt.pem  kdh-ca.crt.pem  krd-ca.crt.pem     CA certificates
 * root.key.pem  kdh-ca.key.pem  krd-ca.key.pem     CA private keys          0600, encrypted
 * root.crl.pem  kdh-ca.crl.pem  krd-ca.crl.pem     one CRL per CA (revocations, cRLNumber)
 * NAME.crt.pem                                     a leaf issued by name
 * NAME.key.pem                                     its private key          0600, encrypted
 * serial                                           the next serial number, in hex
 * .lock                                            held while the directory changes
 * </pre>
 *
 * <p>Every private key is written as a PKCS#8 "ENCRYPTED PRIVATE KEY" under the directory's
 * passphrase (PBES2: PBKDF2-HMAC-SHA256, {@value Pem#PBKDF2_ITERATIONS} iterations by default, a
 * random salt, AES-256-CBC under a random IV; {@link Pem#encodeEncrypted}), which {@code openssl
 * pkey -passin} reads. Key files are created owner-only (0600) from their first byte and the
 * directory is owner-only (0700); every file is written to a temporary file, flushed and renamed
 * over the old one, so it is whole or absent (docs/SECURITY.md, "The CA directory").
 *
 * <p>Serial numbers come from the counter in {@code serial}: 1, 2, 3 for the CA certificates, then
 * one more for each certificate issued. A number is written back before the certificate that
 * carries it is signed, so no two certificates of a directory share a serial, across restarts and
 * across processes: every change happens under an exclusive lock on {@code .lock}, and reads the
 * CRLs from the files again, so revocations made by another process are kept.
 *
 * <p>Opening reads the three CA certificates only. The CA keys are decrypted the first time an
 * operation signs (issue, revoke, CRLs), so a host or terminal that reads its own leaf from the
 * directory never has a CA key in its memory, and does not need the CA key files at all. A wrong
 * passphrase is an {@link UnrecoverableKeyException} at the first key it should decrypt.
 *
 * <pre>{@code
 * char[] passphrase = ...;
 * try (DirectoryCertificateAuthority ca = DirectoryCertificateAuthority.create(dir, passphrase)) {
 *   ca.issue("host1", Role.KDH, false); // host1.key.pem, host1.crt.pem
 *   ca.issue("pos1", Role.KRD, false);
 * }
 * try (DirectoryCertificateAuthority ca = DirectoryCertificateAuthority.open(dir, passphrase)) {
 *   ca.revoke(ca.certificate("pos1")); // krd-ca.crl.pem re-issued at once
 * }
 * }</pre>
 *
 * <p>The passphrase is copied in and wiped by {@link #close()}; it never appears in a message or in
 * {@code toString}. Thread-safe. This is a software CA for tests, examples and small deployments; a
 * production CA keeps its keys in an HSM.
 */
public final class DirectoryCertificateAuthority implements AutoCloseable {
  /** File names (without {@code .crt.pem} / {@code .key.pem} / {@code .crl.pem}) of the CAs. */
  public static final List<String> CA_NAMES = List.of("root", "kdh-ca", "krd-ca");

  /** What a leaf's name may be: it becomes a file name and the certificate's CN. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /**
   * The PBKDF2 count of {@link Builder#weakKeyEncryptionForTests()}: the least RFC 8018 4.2
   * recommends, about a millisecond per key.
   */
  public static final int TEST_PBKDF2_ITERATIONS = 1_000;

  static final String SERIAL_FILE = "serial";
  static final String LOCK_FILE = ".lock";

  /** One lock per directory in this JVM; the file lock orders processes. */
  private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private final Path dir;
  private final PkiFiles files;
  private final Settings settings;
  private final X509Certificate root;
  private final X509Certificate kdhCa;
  private final X509Certificate krdCa;
  private char[] passphrase;
  private PrivateKey rootKey;
  private PrivateKey kdhCaKey;
  private PrivateKey krdCaKey;

  /** What the builder sets, shared by create and open. */
  private record Settings(
      String namePrefix,
      Clock clock,
      SecureRandom random,
      KeyType caKey,
      Duration leafValidity,
      Duration caValidity,
      Duration crlValidity,
      int iterations) {}

  private DirectoryCertificateAuthority(
      Path dir, Settings settings, char[] passphrase, X509Certificate[] cas) {
    this.dir = dir;
    this.files = PkiFiles.in(dir);
    this.settings = settings;
    this.passphrase = passphrase.clone();
    this.root = cas[0];
    this.kdhCa = cas[1];
    this.krdCa = cas[2];
  }

  /**
   * A builder for a CA in {@code dir}, with the defaults of {@link DefaultCertificateAuthority}.
   */
  public static Builder at(Path dir) {
    return new Builder(dir);
  }

  /**
   * Creates a new CA in {@code dir} with the defaults ({@link #at}{@code
   * (dir).create(passphrase)}).
   */
  public static DirectoryCertificateAuthority create(Path dir, char[] passphrase)
      throws IOException {
    return at(dir).create(passphrase);
  }

  /** Opens the CA in {@code dir} ({@link #at}{@code (dir).open(passphrase)}). */
  public static DirectoryCertificateAuthority open(Path dir, char[] passphrase)
      throws IOException, MalformedTokenException {
    return at(dir).open(passphrase);
  }

  /** Whether {@code dir} holds a CA (its root certificate). */
  public static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve("root.crt.pem"));
  }

  /** The directory. */
  public Path directory() {
    return dir;
  }

  /**
   * The read side of the directory (certificates, live CRLs, a validation policy), as a host or a
   * terminal reads its copy of the files.
   */
  public PkiFiles files() {
    return files;
  }

  /** {@code NAME.crt.pem} in the directory. */
  public Path certificateFile(String name) {
    return dir.resolve(name + ".crt.pem");
  }

  /** {@code NAME.key.pem} in the directory. */
  public Path keyFile(String name) {
    return dir.resolve(name + ".key.pem");
  }

  /** {@code NAME.crl.pem} of a CA ({@code root}, {@code kdh-ca} or {@code krd-ca}). */
  public Path crlFile(String caName) {
    if (!CA_NAMES.contains(caName)) {
      throw new IllegalArgumentException("not a CA of this directory: " + caName);
    }
    return dir.resolve(caName + ".crl.pem");
  }

  /** The trust anchor. */
  public X509Certificate rootCertificate() {
    return root;
  }

  /** The CA that issues {@code role} certificates. */
  public X509Certificate issuingCertificate(Role role) {
    return Objects.requireNonNull(role, "role") == Role.KDH ? kdhCa : krdCa;
  }

  /**
   * Issues a leaf for {@code role} named {@code name} with a new RSA-2048 key pair generated here:
   * {@link #issue(String, Role, KeyType, boolean)} with {@link KeyType#RSA_2048}.
   *
   * @throws FileAlreadyExistsException if {@code NAME.crt.pem} or {@code NAME.key.pem} exists and
   *     {@code replace} is false
   * @throws UnrecoverableKeyException if the CA key does not decrypt with the passphrase
   * @throws KeyTransferException {@code CA_REQUEST_REFUSED} if the CA refuses (an expired CA), or a
   *     file of the directory is malformed
   */
  public synchronized CertificateChain issue(String name, Role role, boolean replace)
      throws IOException, UnrecoverableKeyException, KeyTransferException {
    return issue(name, role, KeyType.RSA_2048, replace);
  }

  /**
   * Issues a leaf for {@code role} named {@code name} with a new key pair of {@code keyType}
   * generated here: writes {@code NAME.key.pem} (PKCS#8, encrypted, 0600) and then {@code
   * NAME.crt.pem}, subject {@code CN=NAME,OU=KDH|KRD,O=key-transfer}, with the keyUsage of the role
   * for that key type (docs/SECURITY.md C6: an EC KRD key agrees keys, an EC KDH key signs and
   * agrees keys). The key never leaves this process, so no certification request is made for it; it
   * is held to the same key policy as a request's.
   *
   * @param replace whether an existing {@code NAME} may be replaced (its old certificate stays
   *     valid until revoked)
   * @throws FileAlreadyExistsException if {@code NAME.crt.pem} or {@code NAME.key.pem} exists and
   *     {@code replace} is false
   * @throws UnrecoverableKeyException if the CA key does not decrypt with the passphrase
   * @throws KeyTransferException {@code CA_REQUEST_REFUSED} if the CA refuses (an expired CA), or a
   *     file of the directory is malformed
   */
  public synchronized CertificateChain issue(
      String name, Role role, KeyType keyType, boolean replace)
      throws IOException, UnrecoverableKeyException, KeyTransferException {
    checkLeafName(name);
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(keyType, "keyType");
    checkOpen();
    return locked(
        dir,
        () -> {
          refuseExisting(name, replace);
          DefaultCertificateAuthority ca = authority(); // a wrong passphrase stops here
          KeyPair key = keyType.generate(settings.random());
          CertificateChain chain = ca.issue(key.getPublic(), Enrollment.subject(name, role), role);
          SecureFiles.writeSecret(
              keyFile(name),
              Pem.encodeEncrypted(
                      key.getPrivate(), passphrase, settings.iterations(), settings.random())
                  .getBytes(StandardCharsets.US_ASCII));
          SecureFiles.writePublic(certificateFile(name), pem(chain.leaf()));
          return chain;
        });
  }

  /**
   * Issues a leaf for {@code role} from a DER PKCS#10 request, whose key stays with its holder:
   * writes {@code NAME.crt.pem} only, with the request's subject (and, when replacing, removes a
   * {@code NAME.key.pem} that belonged to the old certificate).
   *
   * @throws FileAlreadyExistsException as {@link #issue(String, Role, boolean)}
   * @throws KeyTransferException {@code CA_REQUEST_REFUSED} if the request is refused (weak key,
   *     bad proof of possession)
   */
  public synchronized CertificateChain issue(
      String name, Role role, byte[] certificationRequest, boolean replace)
      throws IOException, UnrecoverableKeyException, KeyTransferException {
    checkLeafName(name);
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(certificationRequest, "certificationRequest");
    checkOpen();
    return locked(
        dir,
        () -> {
          refuseExisting(name, replace);
          CertificateChain chain = authority().issue(certificationRequest, role);
          Files.deleteIfExists(keyFile(name));
          SecureFiles.writePublic(certificateFile(name), pem(chain.leaf()));
          return chain;
        });
  }

  /** Whether a leaf {@code NAME} exists ({@code NAME.crt.pem}). */
  public boolean contains(String name) {
    checkLeafName(name);
    return Files.isRegularFile(certificateFile(name));
  }

  /** The certificate {@code NAME.crt.pem}. */
  public X509Certificate certificate(String name) throws IOException, MalformedTokenException {
    checkLeafName(name);
    Path f = certificateFile(name);
    if (!Files.isRegularFile(f)) {
      throw new NoSuchFileException(f.toString(), null, "no certificate of that name");
    }
    try {
      return Pem.certificate(Pem.readFile(f));
    } catch (MalformedTokenException e) {
      throw new MalformedTokenException(e.code(), f.getFileName() + ": " + e.getMessage());
    }
  }

  /**
   * {@code NAME.crt.pem} followed by the CA that issued it (found by issuer name).
   *
   * @throws MalformedTokenException if no CA of this directory issued it
   */
  public CertificateChain chain(String name) throws IOException, MalformedTokenException {
    X509Certificate leaf = certificate(name);
    for (X509Certificate ca : List.of(kdhCa, krdCa)) {
      if (leaf.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
        return CertificateChain.of(leaf, ca);
      }
    }
    throw new MalformedTokenException(
        ErrorCode.MALFORMED_TOKEN,
        name + ".crt.pem was not issued by the KDH CA or the KRD CA of " + dir);
  }

  /**
   * The private key {@code NAME.key.pem} of a leaf, decrypted with the passphrase.
   *
   * @throws NoSuchFileException if there is none (a leaf issued from a request has none here)
   * @throws UnrecoverableKeyException if it does not decrypt with the passphrase
   */
  public synchronized SoftwareKeyHandle privateKey(String name)
      throws IOException, MalformedTokenException, UnrecoverableKeyException {
    checkLeafName(name);
    checkOpen();
    Path f = keyFile(name);
    if (!Files.isRegularFile(f)) {
      throw new NoSuchFileException(f.toString(), null, "no private key of that name");
    }
    return files.privateKey(name, passphrase);
  }

  /**
   * Revokes a certificate issued by a CA of this directory and writes the re-issued CRLs at once.
   *
   * @throws KeyTransferException {@code CA_REQUEST_REFUSED} for the root or a foreign certificate
   */
  public synchronized void revoke(X509Certificate certificate)
      throws IOException, UnrecoverableKeyException, KeyTransferException {
    Objects.requireNonNull(certificate, "certificate");
    checkOpen();
    locked(
        dir,
        () -> {
          DefaultCertificateAuthority ca = authority();
          ca.revoke(certificate);
          writeCrls(dir, ca.crls());
          return null;
        });
  }

  /**
   * Re-issues each CRL older than half its validity (or from the future), writes the three, and
   * returns them: root, KDH CA, KRD CA. Run it well before their nextUpdate.
   */
  public synchronized List<X509CRL> refreshCrls()
      throws IOException, UnrecoverableKeyException, KeyTransferException {
    checkOpen();
    return locked(
        dir,
        () -> {
          List<X509CRL> crls = authority().crls();
          writeCrls(dir, crls);
          return crls;
        });
  }

  /** The three CRLs as the files hold them now: root, KDH CA, KRD CA. */
  public List<X509CRL> crls() throws IOException, MalformedTokenException {
    List<X509CRL> out = new ArrayList<>();
    for (String ca : CA_NAMES) {
      out.add(readCrl(ca));
    }
    return out;
  }

  /** The serial number the next certificate will get. */
  public synchronized BigInteger nextSerial() throws IOException {
    return readSerial(dir);
  }

  /**
   * Wipes the passphrase and forgets the decrypted CA keys. Certificates and CRLs can still be
   * read; whatever needs a key is refused ({@link IllegalStateException}).
   */
  @Override
  public synchronized void close() {
    if (passphrase != null) {
      Arrays.fill(passphrase, '\0');
      passphrase = null;
    }
    rootKey = null;
    kdhCaKey = null;
    krdCaKey = null;
  }

  @Override
  public String toString() {
    return "DirectoryCertificateAuthority[" + dir + ", " + root.getSubjectX500Principal() + "]";
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * The CA as the files are now: its certificates and keys (decrypted once), and the revocations
   * and CRL numbers of the current CRL files. Called under the lock, so that another process's
   * revocation is never dropped by a CRL written here.
   */
  private DefaultCertificateAuthority authority()
      throws IOException, UnrecoverableKeyException, KeyTransferException {
    unlock();
    List<X509CRL> crls = crls(); // every CRL file must be there: else revocations would be lost
    return configure(DefaultCertificateAuthority.builder(), settings)
        .serialNumbers(() -> reserveSerial(dir))
        .restore(
            new DefaultCertificateAuthority.State(
                root, rootKey, kdhCa, kdhCaKey, krdCa, krdCaKey, crls))
        .build();
  }

  private static DefaultCertificateAuthority.Builder configure(
      DefaultCertificateAuthority.Builder b, Settings s) {
    return b.clock(s.clock())
        .secureRandom(s.random())
        .leafValidity(s.leafValidity())
        .crlValidity(s.crlValidity());
  }

  /** Decrypts the three CA keys, once, and checks each belongs to its certificate. */
  private void unlock() throws IOException, UnrecoverableKeyException, KeyTransferException {
    checkOpen();
    if (rootKey != null) {
      return;
    }
    PrivateKey[] keys = new PrivateKey[3];
    X509Certificate[] certs = {root, kdhCa, krdCa};
    for (int i = 0; i < 3; i++) {
      SoftwareKeyHandle k = files.privateKey(CA_NAMES.get(i), passphrase);
      if (!Arrays.equals(k.publicKey().getEncoded(), certs[i].getPublicKey().getEncoded())) {
        throw new MalformedTokenException(
            ErrorCode.MALFORMED_TOKEN,
            CA_NAMES.get(i) + ".key.pem does not belong to " + CA_NAMES.get(i) + ".crt.pem");
      }
      keys[i] = k.privateKey();
    }
    rootKey = keys[0];
    kdhCaKey = keys[1];
    krdCaKey = keys[2];
  }

  /**
   * The next serial number, reserved: the counter is written back (atomically) before the number is
   * handed to the certificate, so a crash can skip a number but never repeat one.
   */
  private static BigInteger reserveSerial(Path dir) {
    try {
      BigInteger serial = readSerial(dir);
      writeSerial(dir, serial.add(BigInteger.ONE));
      return serial;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static BigInteger readSerial(Path dir) throws IOException {
    Path f = dir.resolve(SERIAL_FILE);
    if (!Files.isRegularFile(f)) {
      throw new NoSuchFileException(
          f.toString(), null, "the serial counter is missing; serial numbers could repeat");
    }
    String text = new String(Pem.readFile(f), StandardCharsets.US_ASCII).strip();
    try {
      if (text.length() > 40) { // RFC 5280 4.1.2.2: a serial number has at most 20 bytes
        throw new NumberFormatException("too long");
      }
      BigInteger n = new BigInteger(text, 16);
      if (n.signum() <= 0) {
        throw new NumberFormatException("not positive");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IOException(f + ": not a positive hex serial number");
    }
  }

  private static void writeSerial(Path dir, BigInteger next) throws IOException {
    SecureFiles.writePublic(
        dir.resolve(SERIAL_FILE),
        (next.toString(16).toUpperCase(java.util.Locale.ROOT) + "\n")
            .getBytes(StandardCharsets.US_ASCII));
  }

  private X509CRL readCrl(String ca) throws IOException, MalformedTokenException {
    Path f = crlFile(ca);
    if (!Files.isRegularFile(f)) {
      throw new NoSuchFileException(
          f.toString(), null, "CRL missing; its revocations would be lost");
    }
    try {
      return Pem.crl(Pem.readFile(f));
    } catch (MalformedTokenException e) {
      throw new MalformedTokenException(e.code(), f.getFileName() + ": " + e.getMessage());
    }
  }

  private static void writeCrls(Path dir, List<X509CRL> crls) throws IOException {
    for (int i = 0; i < 3; i++) {
      SecureFiles.writePublic(dir.resolve(CA_NAMES.get(i) + ".crl.pem"), pem(crls.get(i)));
    }
  }

  private void refuseExisting(String name, boolean replace) throws IOException {
    if (replace) {
      return;
    }
    for (Path f : List.of(certificateFile(name), keyFile(name))) {
      if (Files.exists(f)) {
        throw new FileAlreadyExistsException(
            f.toString(), null, "already exists (replacing it needs replace = true)");
      }
    }
  }

  private static void checkLeafName(String name) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "a name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    if (CA_NAMES.contains(name)) {
      throw new IllegalArgumentException(name + " is the name of a CA of the directory");
    }
  }

  private void checkOpen() {
    if (passphrase == null) {
      throw new IllegalStateException("closed");
    }
  }

  private static byte[] pem(Object certificateOrCrl) {
    return Pem.encode(certificateOrCrl).getBytes(StandardCharsets.US_ASCII);
  }

  /** An operation that changes the directory. */
  private interface Change<T> {
    T run() throws IOException, UnrecoverableKeyException, KeyTransferException;
  }

  /**
   * Runs {@code change} holding this JVM's lock on the directory and an exclusive lock on its
   * {@code .lock} file, so that changes by several threads or processes happen one at a time.
   */
  private static <T> T locked(Path dir, Change<T> change)
      throws IOException, UnrecoverableKeyException, KeyTransferException {
    ReentrantLock inProcess = LOCKS.computeIfAbsent(dir.toRealPath(), p -> new ReentrantLock());
    inProcess.lock();
    try (FileChannel ch =
            FileChannel.open(
                dir.resolve(LOCK_FILE),
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                SecureFiles.ownerOnly(dir));
        FileLock ignored = ch.lock()) {
      return change.run();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } finally {
      inProcess.unlock();
    }
  }

  /**
   * Where and how a directory CA is created or opened. The CA key type, names and CA validity
   * matter at creation only; clock, validities of leaves and CRLs, and the key encryption apply to
   * what the opened CA writes. Not thread-safe.
   */
  public static final class Builder {
    private final Path dir;
    private String namePrefix = "key-transfer";
    private Clock clock = Clock.systemUTC();
    private SecureRandom random;
    private KeyType caKey = KeyType.RSA_2048;
    private Duration leafValidity = Duration.ofDays(730);
    private Duration caValidity = Duration.ofDays(7305);
    private Duration crlValidity = Duration.ofDays(7);
    private int iterations = Pem.PBKDF2_ITERATIONS;
    private boolean replaceExisting;

    private Builder(Path dir) {
      this.dir = Objects.requireNonNull(dir, "dir");
    }

    /** The prefix of the three CA common names; default {@code key-transfer}. */
    public Builder namePrefix(String prefix) {
      DefaultCertificateAuthority.builder().namePrefix(prefix); // one rule for both CAs
      this.namePrefix = prefix;
      return this;
    }

    /** The clock that dates certificates and CRLs; default system UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The random source for keys, salts and IVs; default a new {@link SecureRandom}. */
    public Builder secureRandom(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** RSA size of the three CA keys (at creation); default 2048. */
    public Builder rsaBits(int bits) {
      DefaultCertificateAuthority.builder().rsaBits(bits);
      this.caKey = KeyType.rsa(bits);
      return this;
    }

    /**
     * Type of the three CA keys (at creation); default RSA-2048. An EC CA signs with ECDSA and the
     * hash of its curve (docs/ECDH.md).
     */
    public Builder caKey(KeyType type) {
      this.caKey = Objects.requireNonNull(type, "type");
      return this;
    }

    /** Validity of issued leaves (clamped to the issuing CA's notAfter); default 2 years. */
    public Builder leafValidity(Duration validity) {
      DefaultCertificateAuthority.builder().leafValidity(validity);
      this.leafValidity = validity;
      return this;
    }

    /** Validity of the root and sub-CA certificates (at creation); default 20 years. */
    public Builder caValidity(Duration validity) {
      DefaultCertificateAuthority.builder().caValidity(validity);
      this.caValidity = validity;
      return this;
    }

    /** Time between a CRL's thisUpdate and nextUpdate; default 7 days. */
    public Builder crlValidity(Duration validity) {
      DefaultCertificateAuthority.builder().crlValidity(validity);
      this.crlValidity = validity;
      return this;
    }

    /**
     * The PBKDF2 iteration count of keys written from now on; at least, and by default, {@value
     * Pem#PBKDF2_ITERATIONS}. Keys are read with the count their file names.
     */
    public Builder pbkdf2Iterations(int iterations) {
      if (iterations < Pem.PBKDF2_ITERATIONS || iterations > 10_000_000) {
        throw new IllegalArgumentException(
            "PBKDF2 iterations must be "
                + Pem.PBKDF2_ITERATIONS
                + "..10000000 (for tests: weakKeyEncryptionForTests())");
      }
      this.iterations = iterations;
      return this;
    }

    /**
     * Writes keys with only {@value #TEST_PBKDF2_ITERATIONS} PBKDF2 iterations, so that suites
     * creating many keys stay fast. A passphrase guessed against such a file costs an attacker 600
     * times less: never for keys that matter.
     */
    public Builder weakKeyEncryptionForTests() {
      this.iterations = TEST_PBKDF2_ITERATIONS;
      return this;
    }

    /** Lets {@link #create} replace a CA already in the directory (its leaves stay as files). */
    public Builder replaceExisting() {
      this.replaceExisting = true;
      return this;
    }

    /**
     * Creates the directory (0700) and a new CA in it: generates the three CA keys, writes them
     * encrypted under {@code passphrase}, their certificates, their first CRLs and the serial
     * counter. The root certificate is written last, so a creation cut short leaves no CA.
     *
     * @throws FileAlreadyExistsException if the directory holds a CA and {@link #replaceExisting()}
     *     was not called
     * @throws IllegalArgumentException if the passphrase is empty
     */
    public DirectoryCertificateAuthority create(char[] passphrase) throws IOException {
      checkPassphrase(passphrase);
      Settings s = settings();
      SecureFiles.privateDirectory(dir);
      try {
        return locked(dir, () -> createLocked(s, passphrase));
      } catch (UnrecoverableKeyException | KeyTransferException e) {
        throw new IllegalStateException("unreachable: no key is read at creation", e);
      }
    }

    private DirectoryCertificateAuthority createLocked(Settings s, char[] passphrase)
        throws IOException {
      if (exists(dir) && !replaceExisting) {
        throw new FileAlreadyExistsException(
            dir.resolve("root.crt.pem").toString(),
            null,
            "a certification authority already exists here");
      }
      if (!Files.isRegularFile(dir.resolve(SERIAL_FILE))) {
        writeSerial(dir, BigInteger.ONE); // a replaced CA goes on counting
      }
      DefaultCertificateAuthority ca =
          configure(DefaultCertificateAuthority.builder(), s)
              .namePrefix(s.namePrefix())
              .caKey(s.caKey())
              .caValidity(s.caValidity())
              .serialNumbers(() -> reserveSerial(dir))
              .build();
      DefaultCertificateAuthority.State st = ca.exportState();
      PrivateKey[] keys = {st.rootKey(), st.kdhCaKey(), st.krdCaKey()};
      X509Certificate[] certs = {st.root(), st.kdhCa(), st.krdCa()};
      for (int i = 0; i < 3; i++) {
        SecureFiles.writeSecret(
            dir.resolve(CA_NAMES.get(i) + ".key.pem"),
            Pem.encodeEncrypted(keys[i], passphrase, s.iterations(), s.random())
                .getBytes(StandardCharsets.US_ASCII));
      }
      writeCrls(dir, ca.crls());
      for (int i = 2; i >= 0; i--) { // root.crt.pem, the mark of a CA, last
        SecureFiles.writePublic(dir.resolve(CA_NAMES.get(i) + ".crt.pem"), pem(certs[i]));
      }
      DirectoryCertificateAuthority created =
          new DirectoryCertificateAuthority(dir, s, passphrase, certs);
      created.rootKey = keys[0];
      created.kdhCaKey = keys[1];
      created.krdCaKey = keys[2];
      return created;
    }

    /**
     * Opens the CA in the directory: reads its three certificates. Keys are decrypted with {@code
     * passphrase} when first needed.
     *
     * @throws NoSuchFileException if the directory holds no CA
     * @throws IllegalArgumentException if the passphrase is empty
     */
    public DirectoryCertificateAuthority open(char[] passphrase)
        throws IOException, MalformedTokenException {
      checkPassphrase(passphrase);
      if (!exists(dir)) {
        throw new NoSuchFileException(
            dir.toString(), null, "no certification authority here (no root.crt.pem)");
      }
      PkiFiles f = PkiFiles.in(dir);
      X509Certificate[] cas = {
        f.rootCertificate(), f.caCertificate(Role.KDH), f.caCertificate(Role.KRD)
      };
      return new DirectoryCertificateAuthority(dir, settings(), passphrase, cas);
    }

    private Settings settings() {
      return new Settings(
          namePrefix,
          clock,
          random != null ? random : new SecureRandom(),
          caKey,
          leafValidity,
          caValidity,
          crlValidity,
          iterations);
    }

    private static void checkPassphrase(char[] passphrase) {
      if (passphrase == null || passphrase.length == 0) {
        throw new IllegalArgumentException("the passphrase must not be empty");
      }
    }
  }
}
