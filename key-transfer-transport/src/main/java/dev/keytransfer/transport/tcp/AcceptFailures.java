package dev.keytransfer.transport.tcp;

import java.io.IOException;
import org.slf4j.Logger;

/**
 * What the accept loop does when accept fails while the server is open (out of file descriptors,
 * EMFILE, is the usual cause): wait before the next try, 10 ms doubling to 1 s, and log at most one
 * line per 10 s, which counts the failures not logged. Without the pause a connection left in the
 * backlog fails every accept at once: one core spinning and a log line per try. One accept thread.
 */
final class AcceptFailures {
  private static final long FIRST_PAUSE_MILLIS = 10;
  private static final long MAX_PAUSE_MILLIS = 1000;
  private static final long LOG_EVERY_NANOS = 10_000_000_000L;

  private final Logger log;
  private long pauseMillis;
  private long lastLogged;
  private boolean loggedOnce;
  private long suppressed;
  private long total;

  AcceptFailures(Logger log) {
    this.log = log;
  }

  /** An accept succeeded: the next failure waits the shortest pause again. */
  void succeeded() {
    pauseMillis = 0;
  }

  /** Counts and perhaps logs {@code e}, then sleeps the current pause. */
  void failed(IOException e) throws InterruptedException {
    total++;
    long now = System.nanoTime();
    if (!loggedOnce || now - lastLogged >= LOG_EVERY_NANOS) {
      // an error, not a warning: the host is turning terminals away until descriptors free up
      log.error(
          "accept failed: {}; pausing accepts{}",
          e.getMessage(),
          suppressed == 0 ? "" : " (" + suppressed + " more failures since the last line)");
      loggedOnce = true;
      lastLogged = now;
      suppressed = 0;
    } else {
      suppressed++;
    }
    pauseMillis =
        pauseMillis == 0 ? FIRST_PAUSE_MILLIS : Math.min(MAX_PAUSE_MILLIS, pauseMillis * 2);
    Thread.sleep(pauseMillis);
  }

  /** Every failed accept so far. */
  long total() {
    return total;
  }
}
