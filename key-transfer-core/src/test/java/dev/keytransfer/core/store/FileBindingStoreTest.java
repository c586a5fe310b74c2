package dev.keytransfer.core.store;

import static dev.keytransfer.core.store.StoreFixtures.assertStorageFailure;
import static dev.keytransfer.core.store.StoreFixtures.certificate;
import static dev.keytransfer.core.store.StoreFixtures.deviceKey;
import static dev.keytransfer.core.store.StoreFixtures.kdh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.core.spi.CrlMark;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileBindingStore}: the binding (C11), signing times (P2) and CRL marks (C14) survive a
 * reopen; a file that does not open under the device key fails closed; a failed write changes
 * nothing (docs/SECURITY.md, "Terminal state at rest").
 */
class FileBindingStoreTest {
  private static final X509Certificate KDH1 = certificate("KDH 1", 11);
  private static final X509Certificate KDH2 = certificate("KDH 2", 12);
  private static final X500Principal CA = new X500Principal("CN=KDH CA,O=Test");
  private static final Instant T1 = Instant.ofEpochSecond(1_700_000_000L, 5);

  @TempDir Path dir;
  private final SecretKey deviceKey = deviceKey();

  private Path file() {
    return dir.resolve("binding.sealed");
  }

  /** A store in {@code dir} holding a binding, a signing time and two CRL marks; closed. */
  private void populate() throws Exception {
    try (FileBindingStore s = FileBindingStore.open(dir, deviceKey)) {
      s.bind(KDH1);
      s.recordSigningTime(kdh(11), T1);
      s.recordNewestCrl(CA, new CrlMark(Optional.of(BigInteger.valueOf(7)), T1));
      s.recordNewestCrl(new X500Principal("CN=Root"), new CrlMark(Optional.empty(), T1));
    }
  }

  @Test
  void freshDirectory_isEmpty_writesNothingUntilAChange() throws Exception {
    Path fresh = dir.resolve("a/b");
    try (FileBindingStore s = FileBindingStore.open(fresh, deviceKey)) {
      assertThat(s.boundKdh()).isEmpty();
      assertThat(s.lastSigningTime(kdh(11))).isEmpty();
      assertThat(s.newestCrl(CA)).isEmpty();
      assertThat(fresh.resolve("binding.sealed")).doesNotExist();
      assertThat(s.toString()).contains("unbound");
    }
    if (StoreFixtures.posix(fresh)) {
      assertThat(StoreFixtures.mode(fresh)).isEqualTo("rwx------");
    }
  }

  @Test
  void reopen_keepsBindingSigningTimesAndCrlMarks() throws Exception {
    populate();
    try (FileBindingStore s = FileBindingStore.open(dir, deviceKey)) {
      assertThat(s.boundKdh()).contains(KDH1);
      assertThat(s.lastSigningTime(kdh(11))).contains(T1);
      assertThat(s.lastSigningTime(kdh(12))).isEmpty();
      assertThat(s.newestCrl(CA)).contains(new CrlMark(Optional.of(BigInteger.valueOf(7)), T1));
      assertThat(s.newestCrl(new X500Principal("CN=Root")))
          .contains(new CrlMark(Optional.empty(), T1));
      assertThat(s.toString()).contains("bound to CN=KDH 1");
      // later values replace earlier ones, and an unbind keeps times and marks
      s.recordSigningTime(kdh(11), T1.plusSeconds(1));
      s.bind(KDH2);
      s.unbind();
    }
    try (FileBindingStore s = FileBindingStore.open(dir, deviceKey)) {
      assertThat(s.boundKdh()).isEmpty();
      assertThat(s.lastSigningTime(kdh(11))).contains(T1.plusSeconds(1));
      assertThat(s.newestCrl(CA)).isPresent();
      s.bind(KDH2);
    }
    try (FileBindingStore s = FileBindingStore.open(dir, deviceKey)) {
      assertThat(s.boundKdh()).contains(KDH2);
    }
  }

  @Test
  void filesAreOwnerOnly() throws Exception {
    assumeTrue(StoreFixtures.posix(dir), "no POSIX permissions here");
    populate();
    assertThat(StoreFixtures.mode(file())).isEqualTo("rw-------");
    assertThat(StoreFixtures.mode(dir.resolve("binding.lock"))).isEqualTo("rw-------");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("binding.sealed", "binding.lock");
    }
  }

  @Test
  void everyWriteHasAFreshIv() throws Exception {
    try (FileBindingStore s = FileBindingStore.open(dir, deviceKey)) {
      s.bind(KDH1);
      byte[] first = Files.readAllBytes(file());
      s.bind(KDH1);
      byte[] second = Files.readAllBytes(file());
      assertThat(first).hasSameSizeAs(second);
      assertThat(Arrays.copyOfRange(first, 6, 18)).isNotEqualTo(Arrays.copyOfRange(second, 6, 18));
      assertThat(Arrays.copyOf(first, 6)).isEqualTo(new byte[] {'K', 'T', 'S', 'T', 1, 1});
    }
  }

  @Test
  void secondOpen_inUse_untilTheFirstIsClosed() throws Exception {
    FileBindingStore first = FileBindingStore.open(dir, deviceKey);
    assertStorageFailure(() -> FileBindingStore.open(dir, deviceKey), "in use");
    first.close();
    first.close(); // idempotent
    assertThatThrownBy(first::boundKdh).isInstanceOf(IllegalStateException.class);
    assertStorageFailure(() -> first.bind(KDH1), "closed");
    FileBindingStore.open(dir, deviceKey).close();
  }

  /** Another path to the same directory (a symbolic link) is the same store, and still in use. */
  @Test
  void secondOpen_throughAnotherPath_inUse_andTheFirstKeepsItsLock() throws Exception {
    java.nio.file.Path alias = dir.resolveSibling(dir.getFileName() + "-alias");
    java.nio.file.Files.createSymbolicLink(alias, dir);
    try (FileBindingStore first = FileBindingStore.open(dir, deviceKey)) {
      assertStorageFailure(() -> FileBindingStore.open(alias, deviceKey), "in use");
      first.bind(KDH1); // the first store is untouched by the refused open
      assertStorageFailure(() -> FileBindingStore.open(alias, deviceKey), "in use");
    } finally {
      java.nio.file.Files.delete(alias);
    }
    try (FileBindingStore again =
        FileBindingStore.open(alias.getParent().resolve(dir.getFileName()), deviceKey)) {
      assertThat(again.boundKdh()).isPresent();
    }
  }

  @Test
  void wrongDeviceKey_failsClosed() throws Exception {
    populate();
    assertStorageFailure(
        () -> FileBindingStore.open(dir, deviceKey()), "could not be authenticated");
    // and the directory is not left locked by the failed open
    FileBindingStore.open(dir, deviceKey).close();
  }

  @Test
  void anyFlippedBit_failsClosed() throws Exception {
    populate();
    byte[] good = Files.readAllBytes(file());
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= (byte) (1 << (i % 8));
      Files.write(file(), bad);
      int at = i;
      assertThatThrownBy(() -> FileBindingStore.open(dir, deviceKey).close())
          .as("byte %d", at)
          .isInstanceOf(dev.keytransfer.core.KeyTransferException.class)
          .extracting(e -> ((dev.keytransfer.core.KeyTransferException) e).code())
          .isEqualTo(dev.keytransfer.core.ErrorCode.STORAGE_FAILURE);
    }
    Files.write(file(), good);
    try (FileBindingStore s = FileBindingStore.open(dir, deviceKey)) {
      assertThat(s.boundKdh()).contains(KDH1);
    }
  }

  @Test
  void truncated_failsClosed() throws Exception {
    populate();
    byte[] good = Files.readAllBytes(file());
    for (int n : new int[] {0, 3, 6, 17, 18, 33, good.length - 1}) {
      Files.write(file(), Arrays.copyOf(good, n));
      assertStorageFailure(() -> FileBindingStore.open(dir, deviceKey), "binding file");
    }
    Files.write(file(), Arrays.copyOf(good, 3));
    assertStorageFailure(() -> FileBindingStore.open(dir, deviceKey), "not a key-transfer");
    Files.write(file(), Arrays.copyOf(good, 20));
    assertStorageFailure(() -> FileBindingStore.open(dir, deviceKey), "truncated");
  }

  @Test
  void unknownVersion_failsClosedWithAClearMessage() throws Exception {
    populate();
    byte[] b = Files.readAllBytes(file());
    b[4] = 2;
    Files.write(file(), b);
    assertStorageFailure(
        () -> FileBindingStore.open(dir, deviceKey),
        "format version 2; this build reads version 1");
  }

  @Test
  void keysFileInPlaceOfTheBindingFile_refused_evenWithItsKindRewritten() throws Exception {
    try (FileTerminalKeyStore keys = FileTerminalKeyStore.open(dir, deviceKey)) {
      keys.install(StoreFixtures.key(kdh(11), 0x22));
    }
    byte[] keysFile = Files.readAllBytes(dir.resolve("keys.sealed"));
    Files.write(file(), keysFile);
    assertStorageFailure(
        () -> FileBindingStore.open(dir, deviceKey), "holds keys state, not binding state");
    keysFile[5] = 1; // claim to be a binding file: the kind is in the AAD
    Files.write(file(), keysFile);
    assertStorageFailure(() -> FileBindingStore.open(dir, deviceKey), "could not be authenticated");
  }

  @Test
  void failedWrite_leavesFileAndStoreAsTheyWere() throws Exception {
    populate();
    byte[] before = Files.readAllBytes(file());
    try (FileBindingStore s = FileBindingStore.open(dir, deviceKey)) {
      Path temp = dir.resolve("binding.sealed.tmp");
      Files.createDirectory(temp); // the next temporary file cannot be created
      assertStorageFailure(() -> s.bind(KDH2), "cannot write");
      assertStorageFailure(() -> s.recordSigningTime(kdh(11), T1.plusSeconds(9)), "cannot write");
      assertStorageFailure(
          () -> s.recordNewestCrl(CA, new CrlMark(Optional.of(BigInteger.TEN), T1)),
          "cannot write");
      assertStorageFailure(s::unbind, "cannot write");
      assertThat(s.boundKdh()).contains(KDH1);
      assertThat(s.lastSigningTime(kdh(11))).contains(T1);
      assertThat(s.newestCrl(CA)).contains(new CrlMark(Optional.of(BigInteger.valueOf(7)), T1));
      assertThat(Files.readAllBytes(file())).isEqualTo(before);
      assertThat(temp).isDirectory(); // not ours: left alone
      Files.delete(temp);
      s.bind(KDH2);
    }
    try (FileBindingStore s = FileBindingStore.open(dir, deviceKey)) {
      assertThat(s.boundKdh()).contains(KDH2);
    }
  }

  @Test
  void aTemporaryFileLeftByACrash_isIgnoredAndRemoved() throws Exception {
    populate();
    Files.write(dir.resolve("binding.sealed.tmp"), new byte[] {1, 2, 3});
    try (FileBindingStore s = FileBindingStore.open(dir, deviceKey)) {
      assertThat(s.boundKdh()).contains(KDH1);
      assertThat(dir.resolve("binding.sealed.tmp")).doesNotExist();
    }
  }

  @Test
  void aDeviceKeyThatCannotBeExported_worksThroughItsProvider() throws Exception {
    OpaqueKeyProvider keystore = new OpaqueKeyProvider();
    assertThatThrownBy(keystore.key()::getEncoded)
        .isInstanceOf(UnsupportedOperationException.class);
    try (FileBindingStore s = FileBindingStore.open(dir, keystore.key(), keystore)) {
      s.bind(KDH1);
    }
    try (FileBindingStore s = FileBindingStore.open(dir, keystore.key(), keystore)) {
      assertThat(s.boundKdh()).contains(KDH1);
    }
    // the default provider cannot use the handle
    assertStorageFailure(() -> FileBindingStore.open(dir, keystore.key()), "cannot decrypt");
  }

  @Test
  void theDefaultProvidersCipher_canBeNamedAsAnObject() throws Exception {
    java.security.Provider p = Cipher.getInstance("AES/GCM/NoPadding").getProvider();
    try (FileBindingStore s = FileBindingStore.open(dir, deviceKey, p)) {
      s.bind(KDH1);
    }
    try (FileBindingStore s = FileBindingStore.open(dir, deviceKey)) {
      assertThat(s.boundKdh()).contains(KDH1);
    }
  }
}
