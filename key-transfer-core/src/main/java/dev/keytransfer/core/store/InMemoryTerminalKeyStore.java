package dev.keytransfer.core.store;

import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.spi.InstalledKey;
import dev.keytransfer.core.spi.TerminalKeyStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A terminal key store in JVM memory: for tests, demos and devices that persist elsewhere. */
public final class InMemoryTerminalKeyStore implements TerminalKeyStore {
  private final List<InstalledKey> keys = new ArrayList<>();
  private final Map<IssuerAndSerial, InstalledKey> masterKeys = new HashMap<>();
  private final Map<IssuerAndSerial, InstalledKey> pending = new HashMap<>();

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
  public synchronized int removeKeysFrom(IssuerAndSerial kdh) {
    int before = keys.size();
    keys.removeIf(
        k -> {
          if (k.kdh().equals(kdh)) {
            k.close();
            return true;
          }
          return false;
        });
    masterKeys.remove(kdh);
    InstalledKey p = pending.remove(kdh);
    if (p != null) {
      p.close();
    }
    return before - keys.size();
  }

  @Override
  public synchronized void installPending(InstalledKey key) {
    InstalledKey old = pending.put(key.kdh(), copy(key));
    if (old != null) {
      old.close();
    }
  }

  @Override
  public synchronized Optional<InstalledKey> pending(IssuerAndSerial kdh) {
    InstalledKey p = pending.get(kdh);
    return p == null ? Optional.empty() : Optional.of(copy(p));
  }

  @Override
  public synchronized void commitPending(IssuerAndSerial kdh) {
    InstalledKey p = pending.remove(kdh);
    if (p == null) {
      return;
    }
    InstalledKey superseded = masterKeys.put(kdh, p);
    if (superseded != null) {
      keys.remove(superseded);
      superseded.close();
    }
    keys.add(p);
  }

  @Override
  public synchronized void discardPending(IssuerAndSerial kdh) {
    InstalledKey p = pending.remove(kdh);
    if (p != null) {
      p.close();
    }
  }

  private static InstalledKey copy(InstalledKey k) {
    return new InstalledKey(k.header(), k.key().copy(), k.kcv(), k.kdh(), k.installedAt());
  }

  @Override
  public synchronized String toString() {
    return "InMemoryTerminalKeyStore[" + keys.size() + " keys, " + pending.size() + " pending]";
  }
}
