package dev.keytransfer.netty;

import java.util.function.LongSupplier;

/**
 * At most one log line per period for one kind of event, however often it happens: {@link #tryLog}
 * says whether this occurrence may be logged and how many were not since the last line, so a flood
 * (failing accepts, refused terminals) costs one line per period. Thread-safe.
 */
final class LogThrottle {
  private final long periodNanos;
  private final LongSupplier clock;
  private boolean loggedOnce;
  private long lastLogged;
  private long suppressed;

  LogThrottle(long periodNanos) {
    this(periodNanos, System::nanoTime);
  }

  /** With {@code clock} in nanoseconds, as {@link System#nanoTime}. */
  LogThrottle(long periodNanos, LongSupplier clock) {
    this.periodNanos = periodNanos;
    this.clock = clock;
  }

  /**
   * Records one occurrence.
   *
   * @return -1 if it is not to be logged, else how many occurrences since the last line were not
   */
  synchronized long tryLog() {
    long now = clock.getAsLong();
    if (loggedOnce && now - lastLogged < periodNanos) {
      suppressed++;
      return -1;
    }
    loggedOnce = true;
    lastLogged = now;
    long s = suppressed;
    suppressed = 0;
    return s;
  }

  /** The text for {@code suppressed} occurrences not logged, empty for none. */
  static String notLogged(long suppressed) {
    return suppressed <= 0 ? "" : " (" + suppressed + " more since the last line)";
  }
}
