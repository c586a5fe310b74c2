package dev.keytransfer.netty;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.InternalErrorException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.TransportException;
import dev.keytransfer.core.handshake.FrameSession;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.tls.TlsSettings;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One connection to one terminal: feeds its frames to a {@link FrameSession} on the handshake pool,
 * writes what the session answers, and keeps the deadlines. Nothing here blocks and no thread waits
 * for the peer: between frames the connection is a few objects and an armed timer.
 *
 * <ul>
 *   <li>session deadline: from accept to the last frame; step deadline: from the moment the host is
 *       ready for a frame (after accept, after each answer) until that frame is whole; both
 *       absolute, and the frame deadline of {@link FrameDecoder} runs inside the step;
 *   <li>the session is opened when the first frame is whole, and only if the pool has room:
 *       otherwise the terminal is refused at once with the public {@code PEER_TRY_LATER}, as an
 *       {@code ABORT} frame (outcome {@code HOST_BUSY});
 *   <li>a timeout, a malformed or oversized frame, a broken connection: the connection is closed at
 *       once (as {@code TcpTransport} closes itself) and the session is failed with that code on
 *       the pool, so the machine writes its audit record and ledger states as in the blocking path.
 *       If the host is working on a frame when it happens, the failure waits for that work to end
 *       (its answer is still sent, as the blocking driver would send it), so the machine is only
 *       ever called by one thread at a time;
 *   <li>every connection ends with exactly one outcome, reported to the server.
 * </ul>
 *
 * <p>The fields are the event loop's, except {@link #session}, which only the pool touches while
 * {@link #busy}; the hand-offs between the two go through the pool's queue and the event loop's
 * task queue.
 */
final class HostConnection<R> extends ChannelInboundHandlerAdapter {
  private final NettyKeyServer<R> server;
  private final FrameDecoder decoder;
  private ChannelHandlerContext ctx;
  private long acceptedNanos;
  private String peer = "?";
  private ScheduledFuture<?> sessionDeadline;
  private ScheduledFuture<?> stepDeadline;
  private volatile FrameSession<R> session;
  private volatile Throwable openFailure;
  private boolean active;
  private boolean admitted;
  private boolean busy;
  private KeyTransferException deferred;
  private boolean failing;
  private boolean done;

  HostConnection(NettyKeyServer<R> server, FrameDecoder decoder) {
    this.server = server;
    this.decoder = decoder;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    active = true;
    acceptedNanos = System.nanoTime();
    peer = String.valueOf(ctx.channel().remoteAddress());
    server.connectionOpened();
    Duration session = server.sessionTimeout();
    sessionDeadline =
        ctx.executor()
            .schedule(
                () ->
                    externalFailure(
                        new TransportException(
                            ErrorCode.TIMEOUT,
                            "session did not complete within " + session.toMillis() + " ms")),
                session.toNanos(),
                TimeUnit.NANOSECONDS);
    armStep();
    ctx.fireChannelActive();
  }

  private void armStep() {
    Duration step = server.stepTimeout();
    stepDeadline =
        ctx.executor()
            .schedule(
                () ->
                    externalFailure(
                        new TransportException(
                            ErrorCode.TIMEOUT, "no whole frame within " + step.toMillis() + " ms")),
                step.toNanos(),
                TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof byte[] frame) {
      onFrame(frame);
    } else if (msg instanceof KeyTransferException e) {
      externalFailure(e);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onFrame(byte[] frame) {
    if (done || failing) {
      return;
    }
    cancel(stepDeadline);
    if (!admitted) {
      if (!server.pool().admitsNewSession()) {
        refuseBusy();
        return;
      }
      admitted = true;
    }
    onPool(s -> s.onFrame(frame));
  }

  /** Runs one step of the session on the pool (opening it first), then {@link #apply} here. */
  private void onPool(Function<FrameSession<R>, FrameSession.Output> step) {
    busy = true;
    Runnable work =
        () -> {
          FrameSession.Output out = null;
          try {
            FrameSession<R> s = session;
            if (s == null) {
              s = server.openSession();
              session = s;
            }
            out = step.apply(s);
          } catch (RuntimeException | Error e) {
            FrameSession<R> s = session;
            if (s == null) {
              openFailure = e;
            } else {
              try {
                out = s.fail(new InternalErrorException("internal error in session", e));
              } catch (RuntimeException | Error again) {
                openFailure = again; // apply(null) reports it; the session is gone
              }
            }
          } finally { // whatever happened, the connection hears of it: busy never stays set
            FrameSession.Output result = out;
            ctx.executor().execute(() -> apply(result));
          }
        };
    try {
      server.pool().execute(work);
    } catch (RejectedExecutionException e) {
      // the pool has room for a task of every open connection; it refuses only once shut down
      work.run();
    }
  }

  /** What the session answered: send it, then wait for the next frame, or end. */
  private void apply(FrameSession.Output out) {
    busy = false;
    if (done) {
      return;
    }
    if (out == null) { // no session (it could not be opened) or none left to fail: report once
      failing = true;
      cancelDeadlines();
      ctx.close();
      finish(
          null,
          new InternalErrorException(
              session == null ? "cannot open a session" : "internal error in session",
              openFailure));
      return;
    }
    for (byte[] frame : out.frames()) {
      if (frame.length > server.maxFrameLength() && !out.finished()) {
        externalFailure(
            new TransportException(
                ErrorCode.FRAME_TOO_LARGE,
                "frame of "
                    + frame.length
                    + " bytes exceeds the maximum of "
                    + server.maxFrameLength()),
            false);
        return;
      }
    }
    ChannelFuture last = null;
    for (byte[] frame : out.frames()) {
      if (frame.length > 0 && frame.length <= server.maxFrameLength()) {
        ByteBuf buf = ctx.alloc().buffer(4 + frame.length);
        buf.writeInt(frame.length);
        buf.writeBytes(frame);
        last = ctx.write(buf);
      }
    }
    ctx.flush();
    if (out.finished()) {
      finishAfter(last);
      return;
    }
    if (deferred != null) { // a deadline passed, or the peer left, while the host was working
      KeyTransferException e = deferred;
      deferred = null;
      startFailure(e);
      return;
    }
    if (last != null) {
      last.addListener(
          (ChannelFutureListener)
              f -> {
                if (!f.isSuccess()) {
                  externalFailure(
                      new TransportException(
                          ErrorCode.TRANSPORT_FAILURE,
                          "connection broke while sending: " + f.cause().getMessage()));
                }
              });
    }
    if (failing) { // the write failed at once: the failure has taken over
      return;
    }
    armStep();
    decoder.resume();
  }

  /** The session is over: once its last frame is out (or could not be), report and close. */
  private void finishAfter(ChannelFuture last) {
    FrameSession<R> s = session;
    cancelDeadlines();
    if (last == null) {
      finish(s.result().orElse(null), s.failure().orElse(null));
      ctx.close();
      return;
    }
    // a peer that stops reading must not hold the connection: the last frame has until the frame
    // deadline (or what is left of the session, if less) to go, as any frame has to arrive
    long left = server.sessionTimeout().toNanos() - (System.nanoTime() - acceptedNanos);
    long grace = Math.max(0, Math.min(server.frameTimeout().toNanos(), left));
    ctx.executor()
        .schedule(
            () -> {
              if (!done) {
                KeyTransferException failure = s.failure().orElse(null);
                finish(
                    null,
                    failure != null
                        ? failure
                        : new TransportException(
                            ErrorCode.TIMEOUT, "the peer did not take the last frame in time"));
                ctx.close();
              }
            },
            grace,
            TimeUnit.NANOSECONDS);
    last.addListener(
        (ChannelFutureListener)
            f -> {
              KeyTransferException failure = s.failure().orElse(null);
              R result = s.result().orElse(null);
              if (failure == null && !f.isSuccess()) {
                // as the blocking driver: the machine completed, but its last frame did not go
                result = null;
                failure =
                    new TransportException(
                        ErrorCode.TRANSPORT_FAILURE,
                        "connection broke while sending: " + f.cause().getMessage());
              }
              finish(result, failure);
              ctx.close();
            });
  }

  /** A failure from outside the machine: a deadline, the decoder, the connection. */
  private void externalFailure(KeyTransferException e) {
    externalFailure(e, true);
  }

  private void externalFailure(KeyTransferException e, boolean closeNow) {
    if (done || failing || !active) {
      return;
    }
    if (busy) {
      if (deferred == null) {
        deferred = e;
      }
      return;
    }
    if (closeNow) {
      startFailure(e);
    } else { // the peer is told (an abort frame), then the connection closes
      failing = true;
      cancelDeadlines();
      onPool(s -> s.fail(e));
    }
  }

  /**
   * Closes the connection now and fails the session with {@code e} on the pool; a connection that
   * never sent a whole frame has no session, and its outcome is {@code e} at once.
   */
  private void startFailure(KeyTransferException e) {
    failing = true;
    cancelDeadlines();
    ctx.close();
    if (!admitted) {
      finish(null, e);
      return;
    }
    onPool(s -> s.fail(e));
  }

  /** The pool is full: refuse this new terminal at once with the public {@code PEER_TRY_LATER}. */
  private void refuseBusy() {
    failing = true;
    cancelDeadlines();
    server.refusedBusy();
    byte[] abort = MessageCodec.abortFrame(ErrorCode.HOST_BUSY);
    ByteBuf buf = ctx.alloc().buffer(4 + abort.length);
    buf.writeInt(abort.length);
    buf.writeBytes(abort);
    ctx.writeAndFlush(buf).addListener(ChannelFutureListener.CLOSE);
    finish(
        null,
        new KeyTransferException(
            ErrorCode.HOST_BUSY, "the handshake queue is full: new terminal refused at once"));
  }

  private void finish(R result, KeyTransferException failure) {
    if (done) {
      return;
    }
    done = true;
    cancelDeadlines();
    server.report(
        peer, result, failure, Duration.ofNanos(System.nanoTime() - acceptedNanos), admitted);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    externalFailure(
        new TransportException(ErrorCode.TRANSPORT_FAILURE, "peer closed the connection"));
    ctx.fireChannelInactive();
  }

  /** A TLS handshake that failed or timed out ends the connection; it opens no session. */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
      externalFailure(tlsFailure(e.cause()));
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    externalFailure(tlsFailure(cause));
  }

  /** {@code TIMEOUT}, {@code TLS_FAILURE} or {@code TRANSPORT_FAILURE}, with a one-line message. */
  private static TransportException tlsFailure(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SslHandshakeTimeoutException) {
        return new TransportException(ErrorCode.TIMEOUT, "TLS handshake not done in time");
      }
    }
    return TlsSettings.failure(cause, "connection broke");
  }

  private void cancelDeadlines() {
    cancel(stepDeadline);
    cancel(sessionDeadline);
  }

  private static void cancel(ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }
}
