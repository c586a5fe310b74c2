package dev.keytransfer.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The frame decoder's edges, on an embedded channel whose clock the test moves: the length checked
 * from its 4 bytes before any body, a prefix split across reads, one frame at a time, and the frame
 * deadline counted from the first byte whatever arrives after it.
 */
class FrameDecoderTest {
  private static final int MAX = 1024;
  private static final Duration FRAME_TIMEOUT = Duration.ofSeconds(10);
  private FrameDecoder decoder;
  private EmbeddedChannel channel;

  @BeforeEach
  void setUp() {
    decoder = new FrameDecoder(MAX, FRAME_TIMEOUT);
    channel = new EmbeddedChannel(decoder);
    channel.freezeTime();
  }

  private void in(int... bytes) {
    ByteBuf b = Unpooled.buffer(bytes.length);
    for (int v : bytes) {
      b.writeByte(v);
    }
    channel.writeInbound(b);
  }

  private static int[] prefix(int length) {
    return new int[] {length >>> 24, (length >>> 16) & 0xFF, (length >>> 8) & 0xFF, length & 0xFF};
  }

  private ErrorCode failure() {
    Object out = channel.readInbound();
    assertThat(out).isInstanceOf(KeyTransferException.class);
    return ((KeyTransferException) out).code();
  }

  @Test
  void zeroLength_malformedFrame_andNothingAfter() {
    in(prefix(0));
    assertThat(failure()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    in(prefix(3));
    in(1, 2, 3);
    assertThat((Object) channel.readInbound()).as("bytes after the failure are dropped").isNull();
  }

  @Test
  void negativeLength_malformedFrame() {
    in(0xFF, 0xFF, 0xFF, 0xFB);
    assertThat(failure()).isEqualTo(ErrorCode.MALFORMED_FRAME);
  }

  @Test
  void overMaximum_frameTooLarge_fromTheFourBytesAlone() {
    in(prefix(MAX + 1)); // no body at all: the length decides
    assertThat(failure()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    in(new int[64]);
    assertThat((Object) channel.readInbound()).isNull();
    assertThat(decoder.buffered()).as("nothing kept").isZero();
  }

  @Test
  void maximum_isAccepted() {
    channel.writeInbound(Unpooled.buffer().writeInt(MAX).writeZero(MAX));
    assertThat((byte[]) channel.readInbound()).hasSize(MAX);
  }

  @Test
  void prefixSplitAcrossReads_frameWhole() {
    in(0, 0);
    assertThat((Object) channel.readInbound()).isNull();
    in(0);
    assertThat((Object) channel.readInbound()).isNull();
    in(3, 7);
    assertThat((Object) channel.readInbound()).isNull();
    in(8, 9);
    assertThat((byte[]) channel.readInbound()).containsExactly(7, 8, 9);
  }

  @Test
  void twoFramesInOneRead_handedOnOneAtATime() {
    channel.writeInbound(
        Unpooled.buffer().writeInt(2).writeByte(1).writeByte(2).writeInt(1).writeByte(3));
    assertThat((byte[]) channel.readInbound()).containsExactly(1, 2);
    assertThat((Object) channel.readInbound()).as("until the host has answered").isNull();
    decoder.resume();
    channel.runPendingTasks();
    assertThat((byte[]) channel.readInbound()).containsExactly(3);
  }

  @Test
  void moreThanAFrameAheadOfTheHandshake_refused() {
    channel.writeInbound(Unpooled.buffer().writeInt(1).writeByte(1));
    assertThat((byte[]) channel.readInbound()).containsExactly(1);
    channel.writeInbound(Unpooled.buffer().writeInt(MAX).writeZero(MAX)); // one ahead: kept
    assertThat((Object) channel.readInbound()).isNull();
    in(1);
    assertThat(failure()).isEqualTo(ErrorCode.UNEXPECTED_MESSAGE);
  }

  @Test
  void slowFrame_pastItsDeadlineFromTheFirstByte_timeout_howeverTheBytesAreSpread() {
    in(prefix(100));
    for (int i = 0; i < 9; i++) { // a byte every second: each would reset a per-read timeout
      channel.advanceTimeBy(1, TimeUnit.SECONDS);
      channel.runScheduledPendingTasks();
      in(i);
      assertThat((Object) channel.readInbound()).isNull();
    }
    channel.advanceTimeBy(999, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();
    assertThat((Object) channel.readInbound()).as("9.999 s after the first byte").isNull();
    channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();
    assertThat(failure()).isEqualTo(ErrorCode.TIMEOUT);
    in(new int[91]); // the rest of the frame, too late
    assertThat((Object) channel.readInbound()).isNull();
  }

  @Test
  void deadline_isPerFrame_theNextFrameStartsItsOwn() {
    in(prefix(1));
    channel.advanceTimeBy(9, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    in(42);
    assertThat((byte[]) channel.readInbound()).containsExactly(42);
    decoder.resume();
    channel.runPendingTasks();
    channel.advanceTimeBy(20, TimeUnit.SECONDS); // waiting between frames is the step deadline's
    channel.runScheduledPendingTasks();
    in(prefix(1));
    channel.advanceTimeBy(9, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertThat((Object) channel.readInbound()).isNull();
    in(43);
    assertThat((byte[]) channel.readInbound()).containsExactly(43);
  }
}
