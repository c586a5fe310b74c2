package dev.keytransfer.ca;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files of a CA directory written whole or not at all: the bytes go to a new file in the same
 * directory, are flushed to the disk, and that file then replaces the target in one atomic rename,
 * so a reader (a host reading its CRLs at every session) never sees half a file. A file holding a
 * private key is created owner-only (0600) from its first byte, whatever the umask; the directory
 * is owner-only (0700). Where the file system has no POSIX permissions its defaults apply.
 */
final class SecureFiles {
  static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      PosixFilePermissions.fromString("rw-------");
  static final Set<PosixFilePermission> PUBLIC_FILE = PosixFilePermissions.fromString("rw-r--r--");
  static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY =
      PosixFilePermissions.fromString("rwx------");

  private SecureFiles() {}

  static boolean posix(Path dir) throws IOException {
    return Files.getFileStore(dir).supportsFileAttributeView("posix");
  }

  /** Creates {@code dir} (and its parents) owner-only (0700), or makes an existing one so. */
  static void privateDirectory(Path dir) throws IOException {
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    boolean posix = posix(parent != null ? parent : dir.toAbsolutePath());
    if (!Files.isDirectory(dir)) {
      if (posix) { // created 0700: never open to others, not even for a moment
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
      } else {
        Files.createDirectory(dir);
      }
    } else if (posix) {
      Files.setPosixFilePermissions(dir, OWNER_ONLY_DIRECTORY);
    }
  }

  /** Writes a file that holds a private key: owner-only from its first byte. */
  static void writeSecret(Path f, byte[] content) throws IOException {
    write(f, content, OWNER_ONLY_FILE);
  }

  /** Writes a certificate, a CRL or the serial counter: readable by all the umask allows. */
  static void writePublic(Path f, byte[] content) throws IOException {
    write(f, content, PUBLIC_FILE);
  }

  private static void write(Path f, byte[] content, Set<PosixFilePermission> mode)
      throws IOException {
    Path dir = f.toAbsolutePath().getParent();
    Path tmp =
        posix(dir)
            ? Files.createTempFile(dir, ".new-", ".tmp", PosixFilePermissions.asFileAttribute(mode))
            : Files.createTempFile(dir, ".new-", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(content);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      tmp = null;
      syncDirectory(dir);
    } finally {
      if (tmp != null) {
        Files.deleteIfExists(tmp); // owner-only if it held a key
      }
    }
  }

  /** Makes the rename durable; a platform that cannot open a directory for that is left as is. */
  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      // not supported here (Windows): the rename itself is still atomic
    }
  }

  /** The attribute that creates a file owner-only, where the file system has POSIX permissions. */
  static FileAttribute<?>[] ownerOnly(Path dir) throws IOException {
    return posix(dir)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)}
        : new FileAttribute<?>[0];
  }
}
