package dev.keytransfer.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class NonceTest {
  @Test
  void of_eightToSixteenBytes_accepted() throws Exception {
    assertThat(Nonce.of(new byte[8]).length()).isEqualTo(8);
    assertThat(Nonce.of(new byte[16]).length()).isEqualTo(16);
  }

  @Test
  void of_outsideEightToSixteen_malformed() {
    for (int n : new int[] {0, 7, 17}) {
      assertThatThrownBy(() -> Nonce.of(new byte[n]))
          .extracting(e -> ((KeyTransferException) e).code())
          .isEqualTo(ErrorCode.MALFORMED_TOKEN);
    }
  }

  @Test
  void random_isSixteenBytesAndFresh() {
    SecureRandom r = new SecureRandom();
    Nonce a = Nonce.random(r);
    assertThat(a.length()).isEqualTo(16);
    assertThat(a.matches(Nonce.random(r))).isFalse();
  }

  @Test
  void bytes_areDefensiveCopies() throws Exception {
    byte[] b = new byte[8];
    Nonce n = Nonce.of(b);
    b[0] = 1;
    n.bytes()[1] = 1;
    assertThat(n.matches(Nonce.of(new byte[8]))).isTrue();
  }
}
