package dev.keytransfer.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.TransportException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemoryTransportTest {
  @Test
  void send_frameArrivesAtPeerAsACopy() throws Exception {
    InMemoryTransport.Pair p = InMemoryTransport.pair();
    byte[] frame = {1, 2, 3};
    p.terminalEnd().send(frame);
    frame[0] = 9;
    assertThat(p.hostEnd().receive(Duration.ofSeconds(1))).containsExactly(1, 2, 3);
  }

  @Test
  void send_frameOverMaximum_isRefusedBeforeDelivery() {
    InMemoryTransport.Pair p = InMemoryTransport.pair(64);
    assertThatThrownBy(() -> p.terminalEnd().send(new byte[65]))
        .isInstanceOf(TransportException.class)
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    assertThatThrownBy(() -> p.hostEnd().receive(Duration.ofMillis(50)))
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.TIMEOUT);
  }

  @Test
  void receive_nothingSent_timesOut() {
    InMemoryTransport.Pair p = InMemoryTransport.pair();
    assertThatThrownBy(() -> p.hostEnd().receive(Duration.ofMillis(20)))
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.TIMEOUT);
  }

  @Test
  void close_peerReceiveAndSendFail() {
    InMemoryTransport.Pair p = InMemoryTransport.pair();
    p.terminalEnd().close();
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> p.hostEnd().receive(Duration.ofSeconds(1)))
          .extracting(e -> ((KeyTransferException) e).code())
          .isEqualTo(ErrorCode.TRANSPORT_FAILURE);
    }
    assertThatThrownBy(() -> p.hostEnd().send(new byte[] {1}))
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.TRANSPORT_FAILURE);
  }
}
