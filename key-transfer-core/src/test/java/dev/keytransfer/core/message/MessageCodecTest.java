package dev.keytransfer.core.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.TokenCodec;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/** The frame envelope; token payloads are the codec's business and are tested with it. */
class MessageCodecTest {
  /** Envelope-level tests never reach the token codec. */
  private final MessageCodec codec =
      new MessageCodec(
          (TokenCodec)
              Proxy.newProxyInstance(
                  getClass().getClassLoader(),
                  new Class<?>[] {TokenCodec.class},
                  (p, m, a) -> {
                    throw new AssertionError("token codec must not be reached");
                  }));

  @Test
  void keyInstalled_roundTrips() throws Exception {
    KeyInstalled m =
        new KeyInstalled(
            KeyCheckValue.of(KeyCheckValue.Method.CMAC_AES, new byte[] {1, 2, 3, 4, 5}));
    byte[] frame = codec.encode(m);
    assertThat(frame[0]).isEqualTo((byte) MessageCodec.PROTOCOL_VERSION);
    assertThat(codec.decode(frame)).isEqualTo(m);
  }

  @Test
  void abort_roundTripsItsCode() throws Exception {
    assertThat(codec.decode(codec.encode(new Abort(ErrorCode.CRL_STALE))))
        .isEqualTo(new Abort(ErrorCode.CRL_STALE));
  }

  @Test
  void decode_badEnvelopes_malformedFrame() {
    byte[][] bad = {
      {},
      {1},
      {2, 5, 0, 1, 2, 3},
      {1, 99},
      {1, 5},
      {1, 5, 9, 1, 2, 3},
      {1, 5, 0, 1, 2},
      {1, 0x7F, 1}
    };
    for (byte[] f : bad) {
      assertThatThrownBy(() -> codec.decode(f))
          .as("frame %s", java.util.Arrays.toString(f))
          .extracting(e -> ((KeyTransferException) e).code())
          .isEqualTo(ErrorCode.MALFORMED_FRAME);
    }
  }

  @Test
  void errorCode_wireValuesAreStableAndUnique() {
    assertThat(ErrorCode.fromWireValue(ErrorCode.NONCE_MISMATCH.wireValue()))
        .isEqualTo(ErrorCode.NONCE_MISMATCH);
    assertThat(ErrorCode.fromWireValue(9999)).isEqualTo(ErrorCode.PEER_ABORTED);
    assertThat(
            java.util.Arrays.stream(ErrorCode.values())
                .map(ErrorCode::wireValue)
                .distinct()
                .count())
        .isEqualTo(ErrorCode.values().length);
  }
}
