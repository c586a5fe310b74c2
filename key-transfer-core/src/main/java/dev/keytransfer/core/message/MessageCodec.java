package dev.keytransfer.core.message;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.spi.TokenCodec;
import java.util.Arrays;
import java.util.Objects;

/**
 * The project's frame envelope around the TR-34 tokens: one byte protocol version, one byte message
 * type, then the payload (the token's exact bytes, a KCV, or an error code). Thread-safe.
 */
public final class MessageCodec {
  /** The envelope version this build speaks. */
  public static final int PROTOCOL_VERSION = 1;

  private final TokenCodec tokens;

  public MessageCodec(TokenCodec tokens) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
  }

  /** The frame for {@code message}. */
  public byte[] encode(HandshakeMessage message) {
    return frame(message);
  }

  /**
   * The {@link Abort} frame carrying the public class of {@code code} ({@link
   * ErrorCode#publicCode()}): what a server sends to refuse a connection before any session is
   * opened for it, e.g. {@code HOST_BUSY} as {@code PEER_TRY_LATER} (docs/SECURITY.md A2).
   */
  public static byte[] abortFrame(ErrorCode code) {
    return frame(new Abort(code.publicCode()));
  }

  private static byte[] frame(HandshakeMessage message) {
    byte[] frame;
    if (message instanceof Tr34Token t) { // the token's bytes go straight into the frame
      frame = new byte[t.bytes().length() + 2];
      t.bytes().copyTo(frame, 2);
    } else {
      byte[] payload = message.payload();
      frame = new byte[payload.length + 2];
      System.arraycopy(payload, 0, frame, 2, payload.length);
    }
    frame[0] = (byte) PROTOCOL_VERSION;
    frame[1] = (byte) message.type().wireValue();
    return frame;
  }

  /**
   * Decodes a frame into a typed message; tokens are parsed but not verified.
   *
   * @throws MalformedTokenException {@code MALFORMED_FRAME} for a bad envelope, {@code
   *     MALFORMED_TOKEN} for a bad token
   */
  public HandshakeMessage decode(byte[] frame) throws MalformedTokenException {
    MessageType type = typeOf(frame);
    byte[] payload = Arrays.copyOfRange(frame, 2, frame.length);
    return decodePayload(type, payload);
  }

  /**
   * Reads only the envelope: version and message type, without looking at the payload. A state
   * machine checks the type against its transition table before the payload is parsed.
   *
   * @throws MalformedTokenException {@code MALFORMED_FRAME} for a bad envelope
   */
  public MessageType typeOf(byte[] frame) throws MalformedTokenException {
    if (frame == null || frame.length < 2) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_FRAME, "frame shorter than its envelope");
    }
    if ((frame[0] & 0xFF) != PROTOCOL_VERSION) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_FRAME, "unsupported protocol version " + (frame[0] & 0xFF));
    }
    MessageType type = MessageType.fromWireValue(frame[1] & 0xFF);
    if (type == null) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_FRAME, "unknown message type " + (frame[1] & 0xFF));
    }
    return type;
  }

  private HandshakeMessage decodePayload(MessageType type, byte[] payload)
      throws MalformedTokenException {
    switch (type) {
      case KRD_CREDENTIAL:
        return tokens.decodeKrdCredential(payload);
      case KDH_CREDENTIAL:
        return tokens.decodeKdhCredential(payload);
      case KRD_RANDOM:
        return tokens.decodeRandomToken(payload);
      case KDH_KEY:
        return tokens.decodeKeyToken(payload);
      case KDH_ECDH_KEY:
        return tokens.decodeEcdhKeyToken(payload);
      case KDH_KEY_ONE_PASS:
        return tokens.decodeOnePassKeyToken(payload);
      case KDH_UNBIND:
        return tokens.decodeKdhUnbindToken(payload);
      case CA_UNBIND:
        return tokens.decodeCaUnbindToken(payload);
      case KDH_REBIND:
        return tokens.decodeKdhRebindToken(payload);
      case CA_REBIND:
        return tokens.decodeCaRebindToken(payload);
      case KEY_INSTALLED:
        return decodeKeyInstalled(payload);
      case WORKING_KEYS:
        return WorkingKeys.decode(payload);
      case BINDING_UPDATED:
        return BindingUpdated.decode(payload);
      case KEY_CONFIRMED:
        return KeyConfirmed.decode(payload);
      case PENDING_KEY:
        return PendingKey.decode(payload);
      case WORKING_KEYS_INSTALLED:
        return WorkingKeysInstalled.decode(payload);
      case ABORT:
        if (payload.length != 2) {
          throw new MalformedTokenException(
              ErrorCode.MALFORMED_FRAME, "abort frame must carry a 2-byte code");
        }
        return new Abort(ErrorCode.fromWireValue(((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF)));
      default:
        throw new MalformedTokenException(
            ErrorCode.MALFORMED_FRAME, "unknown message type " + type);
    }
  }

  private static KeyInstalled decodeKeyInstalled(byte[] payload) throws MalformedTokenException {
    KeyCheckValue.Method m =
        payload.length < 1 ? null : KeyCheckValue.Method.fromWireValue(payload[0] & 0xFF);
    if (m == null) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_FRAME, "key-installed frame names no KCV method");
    }
    boolean flagged = payload.length == 2 + m.length();
    if (payload.length != 1 + m.length()
        && !(flagged && (payload[payload.length - 1] & 0xFE) == 0)) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_FRAME, "key-installed frame has a KCV of the wrong length");
    }
    return new KeyInstalled(
        KeyCheckValue.of(m, Arrays.copyOfRange(payload, 1, 1 + m.length())),
        flagged && payload[payload.length - 1] == 1);
  }
}
