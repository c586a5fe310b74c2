package dev.keytransfer.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.TransportException;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.netty.NettyKeyServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@code kdh serve} lists failed sessions one by one only up to 20 per 10 s, then counts them. */
class SessionLinesTest {
  private static NettyKeyServer.SessionOutcome<DeliveryReceipt> failed(ErrorCode code) {
    KeyTransferException e =
        code == ErrorCode.TIMEOUT || code == ErrorCode.FRAME_TOO_LARGE
            ? new TransportException(code, "test")
            : new KeyTransferException(code, "test");
    return new NettyKeyServer.SessionOutcome<>("/127.0.0.9:1", null, e, Duration.ofMillis(5));
  }

  @Test
  void aFloodOfFailures_twentyLinesThenOneCountPerPeriod() {
    StringWriter text = new StringWriter();
    AtomicLong now = new AtomicLong();
    SessionLines lines = new SessionLines(new PrintWriter(text), now::get);
    for (int i = 0; i < 1000; i++) {
      lines.print(failed(i % 2 == 0 ? ErrorCode.TIMEOUT : ErrorCode.FRAME_TOO_LARGE));
      now.addAndGet(TimeUnit.MILLISECONDS.toNanos(5)); // 1000 in 5 s
    }
    assertThat(text.toString().lines()).hasSize(SessionLines.FAILURES_PER_PERIOD);
    now.addAndGet(TimeUnit.SECONDS.toNanos(5));
    lines.print(failed(ErrorCode.HOST_BUSY)); // a new period: the count, then this one listed
    assertThat(text.toString().lines())
        .hasSize(SessionLines.FAILURES_PER_PERIOD + 2)
        .contains(
            "sessions failed, not listed one by one: 980 {FRAME_TOO_LARGE=490, TIMEOUT=490}",
            "session /127.0.0.9:1 FAILED HOST_BUSY (5 ms)");
    lines.printUnlisted();
    assertThat(text.toString().lines()).hasSize(SessionLines.FAILURES_PER_PERIOD + 2);
  }
}
