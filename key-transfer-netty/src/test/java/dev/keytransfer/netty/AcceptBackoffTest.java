package dev.keytransfer.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A failing accept pauses accepting (the listening channel stops reading), 10 ms doubling to 1 s,
 * and back to the shortest after an accept succeeds; a flood of failures costs one log line per
 * period, which counts the rest. The clocks are the test's.
 */
class AcceptBackoffTest {
  @Test
  void failures_pauseAccepting_doublingToOneSecond_resetByASuccess() {
    AcceptBackoff backoff =
        new AcceptBackoff(LoggerFactory.getLogger(AcceptBackoffTest.class), Long.MAX_VALUE);
    EmbeddedChannel listening = new EmbeddedChannel(backoff);
    listening.freezeTime();
    long[] expected = {10, 20, 40, 80, 160, 320, 640, 1000, 1000};
    for (long pause : expected) {
      listening.pipeline().fireExceptionCaught(new IOException("Too many open files"));
      assertThat(listening.config().isAutoRead()).as("paused").isFalse();
      listening.advanceTimeBy(pause - 1, TimeUnit.MILLISECONDS);
      listening.runScheduledPendingTasks();
      assertThat(listening.config().isAutoRead()).as("still paused before %d ms", pause).isFalse();
      listening.advanceTimeBy(1, TimeUnit.MILLISECONDS);
      listening.runScheduledPendingTasks();
      assertThat(listening.config().isAutoRead()).as("accepting after %d ms", pause).isTrue();
    }
    assertThat(backoff.failures()).isEqualTo(expected.length);
    listening.writeInbound("an accepted connection");
    assertThat((Object) listening.readInbound()).isEqualTo("an accepted connection");
    listening.pipeline().fireExceptionCaught(new IOException("Too many open files"));
    listening.advanceTimeBy(10, TimeUnit.MILLISECONDS);
    listening.runScheduledPendingTasks();
    assertThat(listening.config().isAutoRead()).as("the shortest pause again").isTrue();
    listening.finishAndReleaseAll();
  }

  @Test
  void logThrottle_oneLinePerPeriod_countingTheOthers() {
    AtomicLong now = new AtomicLong();
    LogThrottle throttle = new LogThrottle(TimeUnit.SECONDS.toNanos(10), now::get);
    assertThat(throttle.tryLog()).as("the first is logged").isZero();
    for (int i = 0; i < 100_000; i++) {
      now.addAndGet(TimeUnit.MICROSECONDS.toNanos(50)); // 100,000 in 5 s
      assertThat(throttle.tryLog()).isNegative();
    }
    now.addAndGet(TimeUnit.SECONDS.toNanos(5));
    assertThat(throttle.tryLog()).as("10 s on: one line, counting the rest").isEqualTo(100_000);
    assertThat(throttle.tryLog()).isNegative();
    assertThat(LogThrottle.notLogged(3)).isEqualTo(" (3 more since the last line)");
    assertThat(LogThrottle.notLogged(0)).isEmpty();
  }
}
