package dev.keytransfer.core.store;

import dev.keytransfer.core.spi.InstalledKey;
import dev.keytransfer.core.spi.TerminalKeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A terminal key store in JVM memory: for tests, demos and devices that persist elsewhere. */
public final class InMemoryTerminalKeyStore implements TerminalKeyStore {
  private final List<InstalledKey> keys = new ArrayList<>();

  @Override
  public synchronized void install(InstalledKey key) {
    keys.add(copy(key));
  }

  @Override
  public synchronized Optional<InstalledKey> current() {
    return keys.isEmpty() ? Optional.empty() : Optional.of(copy(keys.get(keys.size() - 1)));
  }

  @Override
  public synchronized int size() {
    return keys.size();
  }

  @Override
  public synchronized int removeKeysFrom(dev.keytransfer.core.IssuerAndSerial kdh) {
    int before = keys.size();
    keys.removeIf(
        k -> {
          if (k.kdh().equals(kdh)) {
            k.close();
            return true;
          }
          return false;
        });
    return before - keys.size();
  }

  private static InstalledKey copy(InstalledKey k) {
    return new InstalledKey(k.header(), k.key().copy(), k.kcv(), k.kdh(), k.installedAt());
  }

  @Override
  public synchronized String toString() {
    return "InMemoryTerminalKeyStore[" + keys.size() + " keys]";
  }
}
