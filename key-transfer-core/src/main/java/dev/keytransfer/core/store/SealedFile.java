package dev.keytransfer.core.store;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * One sealed state file of a terminal store, with the lock that keeps a second store (in this or
 * another process) off it. The envelope (docs/SECURITY.md K8, "Terminal state at rest"):
 *
 * <pre>
 *   magic "KTST" | format version (1 byte) | kind (1 byte) | IV (12 bytes) | AES-256-GCM ciphertext
 *   and 16-byte tag, the AAD being magic, version and kind
 * </pre>
 *
 * <p>The device key is used only through {@code Cipher.init}, so it may be a key that never leaves
 * a keystore or token. The cipher draws a fresh IV for every write, from the {@link SecureRandom}
 * it is given (a keystore may insist on choosing it), and this class checks it has 12 bytes.
 * Updates go to a temporary file created owner-only, forced to disk, renamed over the file
 * atomically, then the directory is forced where the platform allows. Not thread-safe: the stores
 * call it under their own lock.
 */
final class SealedFile implements AutoCloseable {
  /** What a file holds; the kind is authenticated, so one file cannot stand in for another. */
  enum Kind {
    BINDING(1, "binding"),
    KEYS(2, "keys");

    final int id;
    final String label;

    Kind(int id, String label) {
      this.id = id;
      this.label = label;
    }
  }

  static final byte[] MAGIC = {'K', 'T', 'S', 'T'};
  static final int FORMAT_VERSION = 1;
  static final int HEADER_LENGTH = MAGIC.length + 2;
  static final int IV_LENGTH = 12;
  static final int TAG_LENGTH = 16;
  static final int MAX_FILE_LENGTH = 16 << 20;

  private final Kind kind;

  /** This store's entry in {@link #HELD}. */
  private String heldLockKey;

  private final Path dir;
  private final Path file;
  private final Path temp;
  private final SecretKey deviceKey;
  private final Provider provider;
  private final SecureRandom random = new SecureRandom();
  private final FileChannel lockChannel;
  private final FileLock lock;

  private SealedFile(
      Kind kind,
      Path dir,
      SecretKey deviceKey,
      Provider provider,
      FileChannel lockChannel,
      FileLock lock) {
    this.kind = kind;
    this.dir = dir;
    this.file = dir.resolve(kind.label + ".sealed");
    this.temp = dir.resolve(kind.label + ".sealed.tmp");
    this.deviceKey = deviceKey;
    this.provider = provider;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Locks the {@code kind} file in {@code dir} (created owner-only if missing) for this instance.
   *
   * @throws KeyTransferException {@code STORAGE_FAILURE} if the directory cannot be used or another
   *     store holds the lock
   */
  static SealedFile open(Path dir, Kind kind, SecretKey deviceKey, Provider provider)
      throws KeyTransferException {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(deviceKey, "deviceKey");
    Path lockPath = dir.resolve(kind.label + ".lock");
    String held;
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, ownerOnly(dir, "rwx------"));
      }
      // the real path: the same for every path to the directory (symbolic links)
      held = dir.toRealPath().resolve(kind.label + ".lock").toString();
    } catch (IOException e) {
      throw failure("cannot open the terminal " + kind.label + " store in " + dir + ": " + e, e);
    }
    if (!HELD.add(held)) {
      // checked before any channel is opened: on POSIX, closing a second descriptor of the lock
      // file would release this process's lock on it (also through another path to the directory)
      throw failure(
          "terminal " + kind.label + " store in " + dir + " is in use in this process: " + lockPath,
          null);
    }
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              lockPath,
              EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
              ownerOnly(dir, "rw-------"));
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw failure(
            "terminal "
                + kind.label
                + " store in "
                + dir
                + " is in use: another store, in this or another process, holds "
                + lockPath,
            null);
      }
      SealedFile sealed = new SealedFile(kind, dir, deviceKey, provider, channel, lock);
      sealed.heldLockKey = held;
      // a temporary file left by a crash mid-write is not state; nobody else writes while we lock
      Files.deleteIfExists(sealed.temp);
      return sealed;
    } catch (IOException e) {
      closeQuietly(channel);
      HELD.remove(held);
      throw failure("cannot open the terminal " + kind.label + " store in " + dir + ": " + e, e);
    } catch (KeyTransferException | RuntimeException e) {
      closeQuietly(channel);
      HELD.remove(held);
      throw e;
    }
  }

  /** The lock files this JVM holds, by real path. */
  private static final java.util.Set<String> HELD =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  Path path() {
    return file;
  }

  /**
   * The authenticated plaintext of the file (the caller wipes it), or null if there is no file (a
   * fresh device).
   *
   * @throws KeyTransferException {@code STORAGE_FAILURE} if the file cannot be read or opened:
   *     wrong device key, changed, truncated, another kind, unknown version
   */
  byte[] read() throws KeyTransferException {
    byte[] sealed;
    try {
      if (Files.size(file) > MAX_FILE_LENGTH) {
        throw failure(describe() + " is larger than " + MAX_FILE_LENGTH + " bytes", null);
      }
      sealed = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw failure("cannot read " + describe() + ": " + e, e);
    }
    if (sealed.length < HEADER_LENGTH
        || !Arrays.equals(Arrays.copyOf(sealed, MAGIC.length), MAGIC)) {
      throw failure(describe() + " is not a key-transfer terminal store file", null);
    }
    int version = sealed[MAGIC.length] & 0xFF;
    if (version != FORMAT_VERSION) {
      throw failure(
          describe()
              + " has format version "
              + version
              + "; this build reads version "
              + FORMAT_VERSION,
          null);
    }
    int fileKind = sealed[MAGIC.length + 1] & 0xFF;
    if (fileKind != kind.id) {
      throw failure(
          describe() + " holds " + kindName(fileKind) + " state, not " + kind.label + " state",
          null);
    }
    if (sealed.length < HEADER_LENGTH + IV_LENGTH + TAG_LENGTH) {
      throw failure(describe() + " is truncated", null);
    }
    try {
      Cipher c = cipher();
      c.init(
          Cipher.DECRYPT_MODE,
          deviceKey,
          new GCMParameterSpec(TAG_LENGTH * 8, sealed, HEADER_LENGTH, IV_LENGTH));
      c.updateAAD(header());
      int at = HEADER_LENGTH + IV_LENGTH;
      return c.doFinal(sealed, at, sealed.length - at);
    } catch (AEADBadTagException e) {
      throw failure(
          describe()
              + " could not be authenticated under the device key: wrong key, or the file is"
              + " corrupt or was changed",
          null);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw failure("cannot decrypt " + describe() + " with the device key: " + e, e);
    }
  }

  /**
   * Seals {@code plaintext[0, length)} and replaces the file with it atomically. On failure the
   * file is as it was. The caller keeps and wipes {@code plaintext}.
   *
   * @throws KeyTransferException {@code STORAGE_FAILURE}
   */
  void write(byte[] plaintext, int length) throws KeyTransferException {
    byte[] out = seal(plaintext, length);
    boolean created = false;
    try {
      try (FileChannel ch =
          FileChannel.open(
              temp,
              EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              ownerOnly(dir, "rw-------"))) {
        created = true;
        ByteBuffer b = ByteBuffer.wrap(out);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      created = false;
    } catch (IOException e) {
      if (created) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // removed at the next open
        }
      }
      throw failure("cannot write " + describe() + ": " + e, e);
    }
    forceDirectory();
  }

  private byte[] seal(byte[] plaintext, int length) throws KeyTransferException {
    try {
      Cipher c = cipher();
      // no parameters: the cipher draws the IV (an Android Keystore key requires that)
      c.init(Cipher.ENCRYPT_MODE, deviceKey, random);
      byte[] iv = c.getIV();
      if (iv == null || iv.length != IV_LENGTH) {
        throw failure(
            "the device key's cipher chose an IV of "
                + (iv == null ? 0 : iv.length)
                + " bytes, not "
                + IV_LENGTH,
            null);
      }
      byte[] header = header();
      c.updateAAD(header);
      int size = c.getOutputSize(length);
      byte[] out = new byte[HEADER_LENGTH + IV_LENGTH + size];
      System.arraycopy(header, 0, out, 0, HEADER_LENGTH);
      System.arraycopy(iv, 0, out, HEADER_LENGTH, IV_LENGTH);
      int n = c.doFinal(plaintext, 0, length, out, HEADER_LENGTH + IV_LENGTH);
      if (n != length + TAG_LENGTH) {
        throw failure("the device key's cipher does not make 16-byte GCM tags", null);
      }
      return n == size ? out : Arrays.copyOf(out, HEADER_LENGTH + IV_LENGTH + n);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw failure("cannot seal " + describe() + " under the device key: " + e, e);
    }
  }

  private Cipher cipher() throws GeneralSecurityException {
    return provider == null
        ? Cipher.getInstance("AES/GCM/NoPadding")
        : Cipher.getInstance("AES/GCM/NoPadding", provider);
  }

  private byte[] header() {
    byte[] h = Arrays.copyOf(MAGIC, HEADER_LENGTH);
    h[MAGIC.length] = (byte) FORMAT_VERSION;
    h[MAGIC.length + 1] = (byte) kind.id;
    return h;
  }

  /** Makes the rename durable; a platform that cannot open a directory (Windows) is skipped. */
  private void forceDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // not possible here; the rename is still atomic
    }
  }

  private String describe() {
    return "terminal " + kind.label + " file " + file;
  }

  private static String kindName(int id) {
    for (Kind k : Kind.values()) {
      if (k.id == id) {
        return k.label;
      }
    }
    return "unknown (" + id + ")";
  }

  /** Owner-only permissions from the first byte where the file system has POSIX modes. */
  static FileAttribute<?>[] ownerOnly(Path dir, String mode) {
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[] {
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode))
      };
    }
    return new FileAttribute<?>[0];
  }

  static KeyTransferException failure(String message, Throwable cause) {
    return new KeyTransferException(ErrorCode.STORAGE_FAILURE, message, cause);
  }

  private static void closeQuietly(FileChannel c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // nothing held
      }
    }
  }

  /** Releases the lock. */
  @Override
  public void close() {
    boolean wasOpen = lock.isValid();
    try {
      if (wasOpen) {
        lock.release();
      }
    } catch (IOException ignored) {
      // closing the channel releases it too
    }
    closeQuietly(lockChannel);
    if (wasOpen) {
      HELD.remove(heldLockKey);
    }
  }

  @Override
  public String toString() {
    return "SealedFile[" + file + "]";
  }

  /**
   * A growable buffer for plaintext state that wipes every array it lets go, and itself on {@link
   * #wipe()} (it may hold key bytes, docs/SECURITY.md K5).
   */
  static final class WipingBuffer extends OutputStream {
    private byte[] buf = new byte[512];
    private int count;

    @Override
    public void write(int b) {
      ensure(1);
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (off < 0 || len < 0 || len > b.length - off) {
        throw new IndexOutOfBoundsException();
      }
      ensure(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    private void ensure(int more) {
      if (count + more > buf.length) {
        byte[] bigger = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
        Arrays.fill(buf, (byte) 0);
        buf = bigger;
      }
    }

    byte[] array() {
      return buf;
    }

    int length() {
      return count;
    }

    void wipe() {
      Arrays.fill(buf, (byte) 0);
      count = 0;
    }
  }
}
