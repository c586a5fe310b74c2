package dev.keytransfer.netty;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts open connections in total and per source address, and refuses one that would pass either
 * cap (docs/SECURITY.md A3). Thread-safe: the connections of different event loops share it.
 */
final class ConnectionLimiter {
  private final int maxConnections;
  private final int maxPerAddress;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
  private final AtomicLong refused = new AtomicLong();

  ConnectionLimiter(int maxConnections, int maxPerAddress) {
    this.maxConnections = maxConnections;
    this.maxPerAddress = maxPerAddress;
  }

  /** Takes a place for a connection from {@code address}; false (and counted) if none is left. */
  boolean tryAcquire(InetAddress address) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      refused.incrementAndGet();
      return false;
    }
    boolean[] admitted = {false};
    perAddress.compute(
        address,
        (a, n) -> {
          int now = n == null ? 0 : n;
          if (now >= maxPerAddress) {
            return n;
          }
          admitted[0] = true;
          return now + 1;
        });
    if (!admitted[0]) {
      open.decrementAndGet();
      refused.incrementAndGet();
    }
    return admitted[0];
  }

  /** Gives back the place of a connection from {@code address} that {@link #tryAcquire} took. */
  void release(InetAddress address) {
    perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    open.decrementAndGet();
  }

  /** Connections open now. */
  int open() {
    return open.get();
  }

  /** Connections closed at once because a cap was reached. */
  long refused() {
    return refused.get();
  }
}
