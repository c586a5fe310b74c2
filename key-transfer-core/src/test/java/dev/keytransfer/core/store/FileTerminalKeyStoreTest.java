package dev.keytransfer.core.store;

import static dev.keytransfer.core.store.StoreFixtures.assertStorageFailure;
import static dev.keytransfer.core.store.StoreFixtures.deviceKey;
import static dev.keytransfer.core.store.StoreFixtures.kdh;
import static dev.keytransfer.core.store.StoreFixtures.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.InstalledKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileTerminalKeyStore}: installed, current-master and pending keys survive a reopen and
 * commit or discard there (docs/SECURITY.md K7); the keys are never in the file in clear; a file
 * that does not open under the device key fails closed; a failed write changes nothing
 * (docs/SECURITY.md, "Terminal state at rest").
 */
class FileTerminalKeyStoreTest {
  private static final IssuerAndSerial HOST_A = kdh(11);
  private static final IssuerAndSerial HOST_B = kdh(12);

  @TempDir Path dir;
  private final SecretKey deviceKey = deviceKey();

  private Path file() {
    return dir.resolve("keys.sealed");
  }

  private FileTerminalKeyStore open() throws KeyTransferException {
    return FileTerminalKeyStore.open(dir, deviceKey);
  }

  private static void assertSameKey(InstalledKey actual, InstalledKey expected) {
    assertThat(actual.key().equalsKey(expected.key())).isTrue();
    assertThat(actual.header()).isEqualTo(expected.header());
    assertThat(actual.kcv()).isEqualTo(expected.kcv());
    assertThat(actual.kdh()).isEqualTo(expected.kdh());
    assertThat(actual.installedAt()).isEqualTo(expected.installedAt());
  }

  /** Host A's master key 0x11 (committed), a working key 0x12 from B, A's pending key 0x13. */
  private void populate() throws Exception {
    try (FileTerminalKeyStore s = open();
        InstalledKey a = key(HOST_A, 0x11);
        InstalledKey w = key(HOST_B, 0x12);
        InstalledKey p = key(HOST_A, 0x13)) {
      s.installPending(a);
      s.commitPending(HOST_A);
      s.install(w);
      s.installPending(p);
      assertThat(a.key().isDestroyed()).as("the caller keeps its argument").isFalse();
    }
  }

  @Test
  void fresh_isEmpty() throws Exception {
    try (FileTerminalKeyStore s = open()) {
      assertThat(s.size()).isZero();
      assertThat(s.current()).isEmpty();
      assertThat(s.pending(HOST_A)).isEmpty();
      s.commitPending(HOST_A); // nothing pending: nothing happens
      s.discardPending(HOST_A);
      assertThat(file()).doesNotExist();
    }
  }

  @Test
  void reopen_keepsCurrentAndPendingKeys() throws Exception {
    populate();
    try (FileTerminalKeyStore s = open();
        InstalledKey w = key(HOST_B, 0x12);
        InstalledKey p = key(HOST_A, 0x13)) {
      assertThat(s.size()).isEqualTo(2);
      try (InstalledKey current = s.current().orElseThrow()) {
        assertSameKey(current, w);
      }
      try (InstalledKey pending = s.pending(HOST_A).orElseThrow()) {
        assertSameKey(pending, p);
      }
      assertThat(s.pending(HOST_B)).isEmpty();
      assertThat(s.toString()).contains("2 keys, 1 pending");
    }
  }

  @Test
  void commitAfterReopen_supersedesTheMasterKeyOfThatHostOnly() throws Exception {
    populate();
    try (FileTerminalKeyStore s = open()) {
      s.commitPending(HOST_A);
    }
    try (FileTerminalKeyStore s = open();
        InstalledKey p = key(HOST_A, 0x13)) {
      assertThat(s.size()).isEqualTo(2); // B's working key and A's new master key
      assertThat(s.pending(HOST_A)).isEmpty();
      try (InstalledKey current = s.current().orElseThrow()) {
        assertSameKey(current, p);
      }
      // and the next commit supersedes the key committed after the reopen
      try (InstalledKey q = key(HOST_A, 0x14)) {
        s.installPending(q);
      }
      s.commitPending(HOST_A);
      assertThat(s.size()).isEqualTo(2);
    }
  }

  @Test
  void discardAfterReopen_isKept() throws Exception {
    populate();
    try (FileTerminalKeyStore s = open()) {
      s.discardPending(HOST_A);
    }
    try (FileTerminalKeyStore s = open();
        InstalledKey w = key(HOST_B, 0x12)) {
      assertThat(s.pending(HOST_A)).isEmpty();
      assertThat(s.size()).isEqualTo(2);
      try (InstalledKey current = s.current().orElseThrow()) {
        assertSameKey(current, w);
      }
    }
  }

  @Test
  void installPending_replacesTheEarlierPendingKeyOfThatHost() throws Exception {
    populate();
    try (FileTerminalKeyStore s = open();
        InstalledKey q = key(HOST_A, 0x15)) {
      s.installPending(q);
    }
    try (FileTerminalKeyStore s = open();
        InstalledKey q = key(HOST_A, 0x15)) {
      try (InstalledKey pending = s.pending(HOST_A).orElseThrow()) {
        assertSameKey(pending, q);
      }
    }
  }

  @Test
  void removeKeysFrom_removesPendingAndCurrent_andIsKept() throws Exception {
    populate();
    try (FileTerminalKeyStore s = open()) {
      assertThat(s.removeKeysFrom(HOST_A)).isEqualTo(1);
    }
    try (FileTerminalKeyStore s = open();
        InstalledKey w = key(HOST_B, 0x12)) {
      assertThat(s.size()).isEqualTo(1);
      assertThat(s.pending(HOST_A)).isEmpty();
      try (InstalledKey current = s.current().orElseThrow()) {
        assertSameKey(current, w);
      }
    }
  }

  @Test
  void keysAreNeverInTheFileInClear() throws Exception {
    populate();
    byte[] sealed = Files.readAllBytes(file());
    for (int fill : new int[] {0x11, 0x12, 0x13}) {
      byte[] k = new byte[24];
      Arrays.fill(k, (byte) fill);
      assertThat(StoreFixtures.contains(sealed, Arrays.copyOf(k, 8))).as("key %x", fill).isFalse();
    }
    assertThat(StoreFixtures.contains(sealed, "A0000K0TB00E0000".getBytes())).isFalse();
  }

  @Test
  void toString_showsNoSecret() throws Exception {
    populate();
    try (FileTerminalKeyStore s = open()) {
      assertThat(s.toString()).doesNotContain("1111", "1212", "1313", "REDACTED").contains("keys");
    }
  }

  @Test
  void filesAreOwnerOnly_andBothStoresShareADirectory() throws Exception {
    assumeTrue(StoreFixtures.posix(dir), "no POSIX permissions here");
    try (FileTerminalKeyStore s = open();
        FileBindingStore b = FileBindingStore.open(dir, deviceKey);
        InstalledKey k = key(HOST_A, 0x11)) {
      s.install(k);
      b.bind(StoreFixtures.certificate("KDH 1", 11));
    }
    for (String f : new String[] {"keys.sealed", "keys.lock", "binding.sealed", "binding.lock"}) {
      assertThat(StoreFixtures.mode(dir.resolve(f))).as(f).isEqualTo("rw-------");
    }
  }

  @Test
  void secondOpen_inUse() throws Exception {
    try (FileTerminalKeyStore s = open()) {
      assertStorageFailure(this::open, "in use");
    }
    open().close();
  }

  @Test
  void closed_wipesAndRefuses() throws Exception {
    populate();
    FileTerminalKeyStore s = open();
    s.close();
    assertThatThrownBy(s::size).isInstanceOf(IllegalStateException.class);
    try (InstalledKey k = key(HOST_A, 0x16)) {
      assertStorageFailure(() -> s.install(k), "closed");
    }
    assertThat(s.toString()).contains("closed");
  }

  @Test
  void wrongDeviceKey_flippedBit_truncation_failClosed() throws Exception {
    populate();
    assertStorageFailure(
        () -> FileTerminalKeyStore.open(dir, deviceKey()), "could not be authenticated");
    byte[] good = Files.readAllBytes(file());
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= (byte) (0x80 >> (i % 8));
      Files.write(file(), bad);
      int at = i;
      assertThatThrownBy(() -> open().close())
          .as("byte %d", at)
          .isInstanceOf(KeyTransferException.class)
          .extracting(e -> ((KeyTransferException) e).code())
          .isEqualTo(ErrorCode.STORAGE_FAILURE);
    }
    for (int n = 0; n < good.length; n += 7) {
      Files.write(file(), Arrays.copyOf(good, n));
      assertStorageFailure(this::open, "keys file");
    }
    Files.write(file(), good);
    try (FileTerminalKeyStore s = open()) {
      assertThat(s.size()).isEqualTo(2);
    }
  }

  @Test
  void bindingFileInPlaceOfTheKeysFile_refused() throws Exception {
    try (FileBindingStore b = FileBindingStore.open(dir, deviceKey)) {
      b.bind(StoreFixtures.certificate("KDH 1", 11));
    }
    Files.copy(dir.resolve("binding.sealed"), file());
    assertStorageFailure(this::open, "holds binding state, not keys state");
  }

  @Test
  void unknownVersion_refused() throws Exception {
    populate();
    byte[] b = Files.readAllBytes(file());
    b[4] = (byte) 0xFF;
    Files.write(file(), b);
    assertStorageFailure(this::open, "format version 255");
  }

  @Test
  void failedWrite_leavesFileAndStoreAsTheyWere() throws Exception {
    populate();
    byte[] before = Files.readAllBytes(file());
    Path temp = dir.resolve("keys.sealed.tmp");
    try (FileTerminalKeyStore s = open();
        InstalledKey k = key(HOST_B, 0x21)) {
      Files.createDirectory(temp);
      assertStorageFailure(() -> s.install(k), "cannot write");
      assertStorageFailure(() -> s.installPending(k), "cannot write");
      assertStorageFailure(() -> s.commitPending(HOST_A), "cannot write");
      assertStorageFailure(() -> s.discardPending(HOST_A), "cannot write");
      assertStorageFailure(() -> s.removeKeysFrom(HOST_A), "cannot write");
      assertThat(k.key().isDestroyed()).isFalse();
      assertThat(s.size()).isEqualTo(2);
      assertThat(s.pending(HOST_B)).isEmpty();
      try (InstalledKey pending = s.pending(HOST_A).orElseThrow();
          InstalledKey p = key(HOST_A, 0x13)) {
        assertSameKey(pending, p);
      }
      // the keys the store still holds were not wiped by the failed changes
      try (InstalledKey current = s.current().orElseThrow();
          InstalledKey w = key(HOST_B, 0x12)) {
        assertSameKey(current, w);
      }
      assertThat(Files.readAllBytes(file())).isEqualTo(before);
      Files.delete(temp);
      s.commitPending(HOST_A);
    }
    try (FileTerminalKeyStore s = open()) {
      assertThat(s.pending(HOST_A)).isEmpty();
      assertThat(s.size()).isEqualTo(2);
    }
  }
}
