package dev.keytransfer.examples.cli;

import dev.keytransfer.ca.DirectoryCertificateAuthority;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.UnrecoverableKeyException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The commands' view of a {@link DirectoryCertificateAuthority}: failures as one-line {@link
 * CliException}s, the passphrase from {@link PassphraseOption}, and the validation policy the host
 * and terminal commands build from the directory.
 */
final class CaDirectory {
  final Path dir;
  private final DirectoryCertificateAuthority ca;
  private final Map<List<String>, Supplier<List<X509CRL>>> crlFiles = new ConcurrentHashMap<>();

  private CaDirectory(Path dir, DirectoryCertificateAuthority ca) {
    this.dir = dir;
    this.ca = ca;
  }

  /** Opens the CA in {@code dir}, asking for the passphrase only if there is one. */
  static CaDirectory open(Path dir, PassphraseOption passphrase) {
    requireCa(dir);
    char[] p = passphrase.read("the keys in " + dir, false);
    try {
      return new CaDirectory(dir, DirectoryCertificateAuthority.open(dir, p));
    } catch (IOException | MalformedTokenException e) {
      throw failure(e);
    } finally {
      PassphraseOption.wipe(p);
    }
  }

  static void requireCa(Path dir) {
    if (!DirectoryCertificateAuthority.exists(dir)) {
      if (Files.isRegularFile(dir)) {
        throw new CliException(dir + " is a file, not a certification authority's directory");
      }
      if (Files.isDirectory(dir) && !(Files.isReadable(dir) && Files.isExecutable(dir))) {
        throw new CliException("cannot read " + dir + ": permission denied");
      }
      throw new CliException(
          "no certification authority in " + dir + " (run: keytransfer ca init --dir " + dir + ")");
    }
  }

  /** The library object, for the CA commands. */
  DirectoryCertificateAuthority authority() {
    return ca;
  }

  Path file(String name) {
    return dir.resolve(name);
  }

  X509Certificate root() {
    return ca.rootCertificate();
  }

  X509Certificate ca(Role role) {
    return ca.issuingCertificate(role);
  }

  /**
   * The CRL files as they are now (read again at every call, so a revocation applies at once; one
   * that is missing or unreadable is left out and logged, and what it covers is refused).
   */
  List<X509CRL> crls(String... names) {
    return crlFiles.computeIfAbsent(List.of(names), n -> ca.files().crls(names)).get();
  }

  /** Trust the root, pin each role to its sub-CA. */
  ValidationPolicy.Builder policy() {
    return ValidationPolicy.builder()
        .trustAnchor(root())
        .roleIssuer(Role.KDH, ca(Role.KDH))
        .roleIssuer(Role.KRD, ca(Role.KRD));
  }

  X509Certificate leaf(String name) {
    checkName(name);
    if (!ca.contains(name)) {
      throw new CliException(
          "no certificate "
              + ca.certificateFile(name)
              + " (run: keytransfer ca issue --dir "
              + dir
              + " --name "
              + name
              + " ...)");
    }
    try {
      return ca.certificate(name);
    } catch (IOException | MalformedTokenException e) {
      throw failure(e);
    }
  }

  /**
   * The private key {@code NAME.key.pem}, decrypted. A host or a terminal needs the passphrase for
   * nothing else, so it is wiped now; certificates and CRLs can still be read.
   */
  SoftwareKeyHandle privateKey(String name) {
    checkName(name);
    try {
      return ca.privateKey(name);
    } catch (IOException | MalformedTokenException | UnrecoverableKeyException e) {
      throw failure(e);
    } finally {
      ca.close();
    }
  }

  /** A leaf name the directory can hold, or a usage error in the words of the option. */
  static void checkName(String name) {
    if (!DirectoryCertificateAuthority.NAME.matcher(name).matches()) {
      throw new CliException(
          "--name must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    if (DirectoryCertificateAuthority.CA_NAMES.contains(name)) {
      throw new CliException("--name " + name + " is the name of one of the CAs' own files");
    }
  }

  /** A library failure as a one-line message. */
  static CliException failure(Exception e) {
    if (e instanceof FileAlreadyExistsException f) {
      return new CliException(f.getFile() + " already exists (use --force to replace it)");
    }
    if (e instanceof java.nio.file.FileSystemException f
        && (f.getReason() != null
            || f instanceof java.nio.file.AccessDeniedException
            || f instanceof java.nio.file.NoSuchFileException)) {
      return new CliException(f.getFile() + ": " + Inputs.reason(f));
    }
    if (e instanceof UnrecoverableKeyException) {
      return new CliException(e.getMessage() + " (check --passphrase-file or the environment)");
    }
    return new CliException(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
  }
}
