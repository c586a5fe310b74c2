package dev.keytransfer.core.store;

import dev.keytransfer.core.KeyTransferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Device keys for {@link FileBindingStore} and {@link FileTerminalKeyStore}, for development only.
 *
 * <p>A real device keeps its device key in hardware, where it cannot be read out: an Android
 * Keystore key ({@code KeyGenParameterSpec} with {@code PURPOSE_ENCRYPT | PURPOSE_DECRYPT}, block
 * mode GCM, no padding), or an AES key in a PKCS#11 token, and passes that {@code SecretKey} (and
 * its provider) to the stores, which only ever call {@code Cipher.init} with it. A key kept in a
 * file next to the state it protects, as here, guards against nothing but accidental corruption.
 */
public final class DeviceKeys {
  /** Length in bytes of a development device key (AES-256). */
  public static final int DEVELOPMENT_KEY_LENGTH = 32;

  private DeviceKeys() {}

  /**
   * For development only: the AES-256 device key in {@code file}, made first (32 random bytes,
   * owner-only from the first byte, in place only once complete) if there is none. A file of
   * another length, or on POSIX one that others may read or write, is refused.
   *
   * @throws KeyTransferException {@code STORAGE_FAILURE}
   */
  public static SecretKey loadOrCreateDevelopmentKey(Path file) throws KeyTransferException {
    try {
      return load(file);
    } catch (NoSuchFileException e) {
      create(file);
    } catch (IOException e) {
      throw SealedFile.failure("cannot read the development device key " + file + ": " + e, e);
    }
    try {
      return load(file);
    } catch (IOException e) {
      throw SealedFile.failure("cannot read the development device key " + file + ": " + e, e);
    }
  }

  private static SecretKey load(Path file) throws IOException, KeyTransferException {
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
      p.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
      if (!p.isEmpty()) {
        throw SealedFile.failure(
            "development device key " + file + " must be owner-only (chmod 600)", null);
      }
    }
    if (Files.size(file) != DEVELOPMENT_KEY_LENGTH) {
      throw SealedFile.failure(
          file + " is not a " + DEVELOPMENT_KEY_LENGTH + "-byte development device key", null);
    }
    byte[] key = Files.readAllBytes(file);
    try {
      if (key.length != DEVELOPMENT_KEY_LENGTH) {
        throw SealedFile.failure(
            file + " is not a " + DEVELOPMENT_KEY_LENGTH + "-byte development device key", null);
      }
      return new SecretKeySpec(key, "AES");
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** Writes a new key to a temporary file, then links it in place unless another was first. */
  private static void create(Path file) throws KeyTransferException {
    Path dir = file.toAbsolutePath().getParent();
    SecureRandom random = new SecureRandom();
    Path temp =
        dir.resolve(file.getFileName() + "." + Long.toHexString(random.nextLong()) + ".tmp");
    byte[] key = new byte[DEVELOPMENT_KEY_LENGTH];
    random.nextBytes(key);
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, SealedFile.ownerOnly(dir, "rwx------"));
      }
      try (FileChannel ch =
          FileChannel.open(
              temp,
              EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              SealedFile.ownerOnly(dir, "rw-------"))) {
        ByteBuffer b = ByteBuffer.wrap(key);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      try {
        Files.createLink(file, temp); // fails if a key is there: never replaces one
      } catch (FileAlreadyExistsException e) {
        // another process made it first: use that one
      } catch (UnsupportedOperationException | IOException e) {
        if (!Files.exists(file)) {
          Files.move(temp, file); // no hard links here: a move that does not replace
        }
      }
    } catch (FileAlreadyExistsException e) {
      // made meanwhile by another process
    } catch (IOException e) {
      throw SealedFile.failure("cannot create the development device key " + file + ": " + e, e);
    } finally {
      Arrays.fill(key, (byte) 0);
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // a stray temporary file holds a key nobody uses
      }
    }
  }
}
