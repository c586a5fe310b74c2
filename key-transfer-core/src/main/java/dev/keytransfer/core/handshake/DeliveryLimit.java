package dev.keytransfer.core.handshake;

import java.time.Duration;
import java.util.Objects;

/**
 * How many master keys the host issues to one device per window (docs/SECURITY.md A5), counted in
 * the ledger, so host processes sharing one ledger share the limit. A session over the limit fails
 * with {@code DELIVERY_RATE_LIMITED} (the terminal sees {@code PEER_TRY_LATER}) before a key is
 * chosen or recorded. Immutable.
 *
 * @param maxDeliveries at most this many deliveries per device in any {@code window}
 * @param window the sliding window
 */
public record DeliveryLimit(int maxDeliveries, Duration window) {
  /** Ten keys per device per hour. */
  public static final DeliveryLimit DEFAULT = new DeliveryLimit(10, Duration.ofHours(1));

  public DeliveryLimit {
    Objects.requireNonNull(window, "window");
    if (maxDeliveries < 1 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException(
          "a delivery limit needs at least 1 key per positive window");
    }
  }

  /**
   * No limit: every session may issue a key. For benchmarks and tests that reuse one device
   * certificate; a host facing a network keeps a limit.
   */
  public static DeliveryLimit unlimitedForTesting() {
    return new DeliveryLimit(Integer.MAX_VALUE, Duration.ofSeconds(1));
  }
}
