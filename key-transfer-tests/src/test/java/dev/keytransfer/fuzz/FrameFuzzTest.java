package dev.keytransfer.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.message.Tr34Token;
import java.util.Arrays;
import java.util.EnumSet;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The frame envelope ({@link MessageCodec}): what every transport hands the state machines, so what
 * an unauthenticated peer reaches first (docs/PROTOCOL.md, docs/SECURITY.md R5). Checks on any
 * bytes: {@code typeOf} and {@code decode} agree, a refusal is {@code MALFORMED_FRAME} (the
 * envelope, {@code KEY_INSTALLED}, {@code WORKING_KEYS}, {@code PENDING_KEY} and the other project
 * frames) or {@code MALFORMED_TOKEN} (a TR-34 token inside), a TR-34 token's frame re-encodes to
 * exactly the bytes read, and any decoded message re-encodes to a frame that decodes to the same
 * frame again.
 */
class FrameFuzzTest {
  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#frames")
  @FuzzTest(maxDuration = "30s")
  void decodeFrame(byte[] frame) throws MalformedTokenException {
    MessageCodec codec = FuzzMaterial.get().frames;
    MessageType type;
    try {
      type = codec.typeOf(frame);
    } catch (MalformedTokenException e) {
      Refusals.check(e, EnumSet.of(ErrorCode.MALFORMED_FRAME));
      try {
        codec.decode(frame);
      } catch (MalformedTokenException again) {
        Refusals.check(again, EnumSet.of(ErrorCode.MALFORMED_FRAME));
        return;
      }
      throw new AssertionError("decode accepts a frame whose envelope typeOf refuses");
    }
    HandshakeMessage message;
    try {
      message = codec.decode(frame);
    } catch (MalformedTokenException e) {
      Refusals.check(e, Refusals.FRAME);
      return;
    }
    if (message.type() != type) {
      throw new AssertionError("typeOf says " + type + ", decode gives " + message.type());
    }
    byte[] canonical = codec.encode(message);
    if (message instanceof Tr34Token && !Arrays.equals(canonical, frame)) {
      throw new AssertionError("a token frame does not re-encode to the bytes it was read from");
    }
    // the frame a decoded message encodes to is read back as the same message
    byte[] again = codec.encode(codec.decode(canonical));
    if (!Arrays.equals(again, canonical)) {
      throw new AssertionError(type + " does not survive decode(encode(decode(frame)))");
    }
  }
}
