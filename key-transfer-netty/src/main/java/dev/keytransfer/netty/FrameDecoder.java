package dev.keytransfer.netty;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.TransportException;
import dev.keytransfer.core.UnexpectedMessageException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Cuts the byte stream into frames of {@code TcpTransport}'s framing: a 4-byte big-endian length,
 * then that many bytes. Emits each frame as a {@code byte[]}, or, once, the {@link
 * KeyTransferException} that ends the connection, after which it discards whatever arrives:
 *
 * <ul>
 *   <li>the length is checked as soon as its 4 bytes are in, before any of the body is kept: zero
 *       or negative is {@code MALFORMED_FRAME}, above the maximum {@code FRAME_TOO_LARGE} (R5);
 *   <li>a frame must be whole within the frame timeout from its first byte, however the peer
 *       spreads its bytes: an absolute deadline, not one per read ({@code TIMEOUT}, A3);
 *   <li>it hands on one frame at a time: after a frame it waits until {@link #resume} (the host has
 *       answered), and while it waits it keeps at most one further frame's worth of bytes; a peer
 *       that sends more ahead of the handshake is refused ({@code UNEXPECTED_MESSAGE}).
 * </ul>
 *
 * <p>One instance per connection, on its event loop (docs/SECURITY.md A3).
 */
final class FrameDecoder extends ByteToMessageDecoder {
  private final int maxFrameLength;
  private final long frameTimeoutNanos;
  private ChannelHandlerContext context;
  private boolean paused;
  private boolean failed;
  private ScheduledFuture<?> deadline;

  FrameDecoder(int maxFrameLength, Duration frameTimeout) {
    if (maxFrameLength < 16) {
      throw new IllegalArgumentException("max frame length too small");
    }
    this.maxFrameLength = maxFrameLength;
    this.frameTimeoutNanos = frameTimeout.toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    context = ctx;
    super.handlerAdded(ctx);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (!in.isReadable()) {
      return;
    }
    if (paused) {
      if (in.readableBytes() > 4 + maxFrameLength) {
        fail(
            in,
            out,
            new UnexpectedMessageException(
                ErrorCode.UNEXPECTED_MESSAGE,
                "peer sent more than a frame ahead of the handshake"));
      }
      return;
    }
    if (deadline == null) { // the first byte of this frame: its deadline starts now
      deadline = ctx.executor().schedule(this::expire, frameTimeoutNanos, TimeUnit.NANOSECONDS);
    }
    if (in.readableBytes() < 4) {
      return;
    }
    int length = in.getInt(in.readerIndex());
    if (length <= 0) {
      fail(
          in,
          out,
          new MalformedTokenException(
              ErrorCode.MALFORMED_FRAME, "peer announced a frame of " + length + " bytes"));
      return;
    }
    if (length > maxFrameLength) {
      fail(
          in,
          out,
          new TransportException(
              ErrorCode.FRAME_TOO_LARGE,
              "peer announced a frame of " + length + " bytes (maximum " + maxFrameLength + ")"));
      return;
    }
    if (in.readableBytes() < 4 + length) {
      return;
    }
    cancelDeadline();
    in.skipBytes(4);
    byte[] frame = new byte[length];
    in.readBytes(frame);
    paused = true;
    out.add(frame);
  }

  /**
   * The host has answered the last frame: hand on the next one, from what is buffered already or
   * when it arrives (its deadline starts with its first byte, or now if it is buffered already).
   */
  void resume() {
    ChannelHandlerContext ctx = context;
    ctx.executor()
        .execute(
            () -> {
              if (!paused || failed || ctx.isRemoved()) {
                return;
              }
              paused = false;
              try {
                channelRead(ctx, Unpooled.EMPTY_BUFFER); // decodes what is buffered
              } catch (Exception e) {
                ctx.fireExceptionCaught(e);
              }
            });
  }

  /** Bytes received and not yet handed on or discarded. */
  int buffered() {
    return actualReadableBytes();
  }

  private void fail(ByteBuf in, List<Object> out, KeyTransferException e) {
    failed = true;
    cancelDeadline();
    in.skipBytes(in.readableBytes());
    out.add(e);
  }

  private void expire() {
    deadline = null;
    if (failed || paused) {
      return;
    }
    failed = true;
    ByteBuf buffered = internalBuffer();
    buffered.skipBytes(buffered.readableBytes());
    context.fireChannelRead(
        new TransportException(
            ErrorCode.TIMEOUT,
            "no whole frame within " + (frameTimeoutNanos / 1_000_000) + " ms of its first byte"));
  }

  private void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelDeadline();
    super.channelInactive(ctx);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    cancelDeadline();
  }
}
