package dev.keytransfer.core.store;

import static dev.keytransfer.core.store.StoreFixtures.assertStorageFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DeviceKeys#loadOrCreateDevelopmentKey}: made once, owner-only, then loaded. */
class DeviceKeysTest {
  @TempDir Path dir;

  @Test
  void createdOnce_thenLoaded_andTheStoresOpenUnderIt() throws Exception {
    Path file = dir.resolve("device.key");
    SecretKey made = DeviceKeys.loadOrCreateDevelopmentKey(file);
    assertThat(Files.size(file)).isEqualTo(32);
    assertThat(made.getAlgorithm()).isEqualTo("AES");
    SecretKey loaded = DeviceKeys.loadOrCreateDevelopmentKey(file);
    assertThat(loaded.getEncoded()).isEqualTo(made.getEncoded());
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file); // no temporary file left
    }
    if (StoreFixtures.posix(dir)) {
      assertThat(StoreFixtures.mode(file)).isEqualTo("rw-------");
    }
    try (FileBindingStore b = FileBindingStore.open(dir, made)) {
      b.bind(StoreFixtures.certificate("KDH 1", 1));
    }
    try (FileBindingStore b = FileBindingStore.open(dir, loaded)) {
      assertThat(b.boundKdh()).isPresent();
    }
    assertThat(DeviceKeys.loadOrCreateDevelopmentKey(dir.resolve("other.key")).getEncoded())
        .isNotEqualTo(made.getEncoded());
  }

  @Test
  void wrongLength_refused() throws Exception {
    Path file = dir.resolve("device.key");
    Files.write(file, new byte[16]);
    if (StoreFixtures.posix(dir)) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
    assertStorageFailure(() -> DeviceKeys.loadOrCreateDevelopmentKey(file), "32-byte");
  }

  @Test
  void readableByOthers_refused() throws Exception {
    assumeTrue(StoreFixtures.posix(dir), "no POSIX permissions here");
    Path file = dir.resolve("device.key");
    DeviceKeys.loadOrCreateDevelopmentKey(file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertStorageFailure(() -> DeviceKeys.loadOrCreateDevelopmentKey(file), "owner-only");
  }
}
