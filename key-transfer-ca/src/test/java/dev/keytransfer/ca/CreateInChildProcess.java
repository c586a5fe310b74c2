package dev.keytransfer.ca;

import dev.keytransfer.core.Role;
import java.nio.file.Path;

/**
 * Run by {@link DirectoryCertificateAuthorityTest} in a JVM started under a given umask: creates a
 * CA in {@code args[0]} and issues a leaf.
 */
final class CreateInChildProcess {
  private CreateInChildProcess() {}

  public static void main(String[] args) throws Exception {
    try (DirectoryCertificateAuthority ca =
        DirectoryCertificateAuthority.at(Path.of(args[0]))
            .weakKeyEncryptionForTests()
            .create("child passphrase".toCharArray())) {
      ca.issue("pos1", Role.KRD, false);
    }
  }
}
