package dev.keytransfer.examples.cli;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.netty.NettyKeyServer;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What {@code kdh serve} prints per session: a line for every session that delivered, and for
 * failures at most {@link #FAILURES_PER_PERIOD} lines per 10 s; the failures past that are counted
 * by code in one line per period, so a flood of bad connections (scans, oversized or dripping
 * frames) cannot fill the output. Thread-safe.
 */
final class SessionLines {
  static final int FAILURES_PER_PERIOD = 20;
  private static final long PERIOD_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final PrintWriter out;
  private final LongSupplier clock;
  private final Map<ErrorCode, Integer> unlisted = new EnumMap<>(ErrorCode.class);
  private long periodStart;
  private int failuresListed;

  SessionLines(PrintWriter out) {
    this(out, System::nanoTime);
  }

  /** With {@code clock} in nanoseconds, as {@link System#nanoTime}. */
  SessionLines(PrintWriter out, LongSupplier clock) {
    this.out = out;
    this.clock = clock;
    this.periodStart = clock.getAsLong();
  }

  synchronized void print(NettyKeyServer.SessionOutcome<DeliveryReceipt> o) {
    long now = clock.getAsLong();
    if (now - periodStart >= PERIOD_NANOS) {
      printUnlisted();
      periodStart = now;
      failuresListed = 0;
    }
    if (o.succeeded()) {
      DeliveryReceipt r = o.result();
      out.println(
          "session "
              + o.peer()
              + " OK "
              + r.terminalSubject()
              + r.header().map(h -> " header=" + h).orElse("")
              + r.kcv().map(k -> " kcv=" + k.hex()).orElse("")
              + " ("
              + o.elapsed().toMillis()
              + " ms)");
    } else if (failuresListed < FAILURES_PER_PERIOD) {
      failuresListed++;
      out.println(
          "session "
              + o.peer()
              + " FAILED "
              + o.failure().code()
              + " ("
              + o.elapsed().toMillis()
              + " ms)");
    } else {
      unlisted.merge(o.failure().code(), 1, Integer::sum);
    }
    out.flush();
  }

  /** Prints the count of the failures not listed so far, if any. */
  synchronized void printUnlisted() {
    if (unlisted.isEmpty()) {
      return;
    }
    int n = unlisted.values().stream().mapToInt(Integer::intValue).sum();
    out.println("sessions failed, not listed one by one: " + n + " " + unlisted);
    out.flush();
    unlisted.clear();
  }
}
