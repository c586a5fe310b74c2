package dev.keytransfer.core.handshake;

import java.util.Objects;
import java.util.Optional;

/**
 * How a terminal's session ended: a key installed (two-pass or one-pass, TR-34 B.9 / B.8), or the
 * binding changed (unbind B.13 / B.14, rebind B.10 / B.11).
 *
 * @param key the installed key's receipt, for a key delivery
 * @param rebound for a binding change: true if the terminal is now bound to a new KDH, false if
 *     unbound
 * @param newKdhSubject the new KDH after a rebind
 */
public record TerminalOutcome(
    Optional<KeyReceipt> key, Optional<Boolean> rebound, Optional<String> newKdhSubject) {
  public TerminalOutcome {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(rebound, "rebound");
    Objects.requireNonNull(newKdhSubject, "newKdhSubject");
  }
}
