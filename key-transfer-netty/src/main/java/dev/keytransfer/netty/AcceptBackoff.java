package dev.keytransfer.netty;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * On the listening channel: when accept fails (out of file descriptors, EMFILE, is the usual cause)
 * it stops accepting for a pause, 10 ms doubling to 1 s and back to the shortest after an accept
 * succeeds, and logs at most one line per {@code logEveryNanos}, which counts the failures not
 * logged. A connection left in the backlog would otherwise fail every accept at once: one core
 * spinning and a log line per try. The failure goes no further down the pipeline (Netty's own
 * acceptor would log each one). On the listening channel's event loop only.
 */
@ChannelHandler.Sharable
final class AcceptBackoff extends ChannelInboundHandlerAdapter {
  static final long FIRST_PAUSE_MILLIS = 10;
  static final long MAX_PAUSE_MILLIS = 1000;

  private final Logger log;
  private final LogThrottle throttle;
  private final AtomicLong failures = new AtomicLong();
  private long pauseMillis;

  AcceptBackoff(Logger log, long logEveryNanos) {
    this.log = log;
    this.throttle = new LogThrottle(logEveryNanos);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object child) {
    pauseMillis = 0; // an accept succeeded
    ctx.fireChannelRead(child);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    failures.incrementAndGet();
    pauseMillis =
        pauseMillis == 0 ? FIRST_PAUSE_MILLIS : Math.min(MAX_PAUSE_MILLIS, pauseMillis * 2);
    long notLogged = throttle.tryLog();
    if (notLogged >= 0) {
      // an error, not a warning: the host is turning terminals away until descriptors free up
      log.error(
          "accept failed: {}; pausing accepts for {} ms{}",
          cause.getMessage(),
          pauseMillis,
          LogThrottle.notLogged(notLogged));
    }
    ctx.channel().config().setAutoRead(false);
    ctx.executor()
        .schedule(
            () -> {
              if (ctx.channel().isOpen()) {
                ctx.channel().config().setAutoRead(true);
              }
            },
            pauseMillis,
            TimeUnit.MILLISECONDS);
  }

  /** Every failed accept so far. */
  long failures() {
    return failures.get();
  }
}
