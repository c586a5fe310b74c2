package dev.keytransfer.examples.cli;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.store.DeviceKeys;
import dev.keytransfer.core.store.FileBindingStore;
import dev.keytransfer.core.store.FileTerminalKeyStore;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.crypto.SecretKey;

/**
 * What {@code krd fetch} keeps of a terminal between runs: its binding, signing times, CRL marks
 * and keys, in {@code DIR/NAME.terminal/} (owner-only), sealed under a development device key kept
 * in the same directory (docs/SECURITY.md K8). A real device keeps that key in hardware.
 */
final class TerminalState implements AutoCloseable {
  private final Path dir;
  private final FileBindingStore binding;
  private final FileTerminalKeyStore keys;

  private TerminalState(Path dir, FileBindingStore binding, FileTerminalKeyStore keys) {
    this.dir = dir;
    this.binding = binding;
    this.keys = keys;
  }

  /** Opens (or starts) the state of terminal {@code name} in the CA directory {@code caDir}. */
  static TerminalState open(Path caDir, String name) throws KeyTransferException {
    Path dir = caDir.resolve(name + ".terminal"); // created 0700 with the device key
    SecretKey deviceKey = DeviceKeys.loadOrCreateDevelopmentKey(dir.resolve("device.key"));
    FileBindingStore binding = FileBindingStore.open(dir, deviceKey);
    try {
      return new TerminalState(dir, binding, FileTerminalKeyStore.open(dir, deviceKey));
    } catch (KeyTransferException | RuntimeException e) {
      binding.close();
      throw e;
    }
  }

  FileBindingStore bindingStore() {
    return binding;
  }

  FileTerminalKeyStore terminalKeyStore() {
    return keys;
  }

  /** One line: where the state is, whom the terminal is bound to, how many keys it holds. */
  String describe() {
    Optional<X509Certificate> bound = binding.boundKdh();
    int n = keys.size();
    return "terminal state: "
        + dir
        + " ("
        + bound.map(c -> "bound to " + c.getSubjectX500Principal().getName()).orElse("not bound")
        + ", "
        + n
        + (n == 1 ? " key)" : " keys)");
  }

  @Override
  public void close() {
    keys.close();
    binding.close();
  }
}
