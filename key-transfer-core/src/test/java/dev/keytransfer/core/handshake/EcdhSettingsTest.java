package dev.keytransfer.core.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.NonceMismatchException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The ECDH mode's fresh-value rules and the host's memory of terminal values (docs/ECDH.md). */
class EcdhSettingsTest {
  /**
   * 256 distinct 16-byte values without a zero byte that share one {@code Arrays.hashCode}: each
   * pair of bytes is (40, 100) or (41, 69), which add the same to the hash.
   */
  static List<byte[]> collidingValues() {
    List<byte[]> out = new ArrayList<>();
    for (int bits = 0; bits < 256; bits++) {
      byte[] v = new byte[EcdhSettings.FRESH_VALUE_LENGTH];
      for (int pair = 0; pair < 8; pair++) {
        boolean one = ((bits >> pair) & 1) != 0;
        v[2 * pair] = (byte) (one ? 41 : 40);
        v[2 * pair + 1] = (byte) (one ? 69 : 100);
      }
      out.add(v);
    }
    return out;
  }

  @Test
  void seen_valuesSharingOneHash_eachRememberedOnce_repeatsRefused() throws Exception {
    List<byte[]> values = collidingValues();
    Set<Integer> hashes = new HashSet<>();
    values.forEach(v -> hashes.add(Arrays.hashCode(v)));
    assertThat(hashes).hasSize(1);
    EcdhSettings.Seen seen = new EcdhSettings.Seen(1000);
    for (byte[] v : values) {
      EcdhSettings.checkFreshValue(v, "the terminal's");
      seen.remember(Bytes.copyOf(v), "the terminal's");
    }
    for (byte[] v : values) {
      assertThatThrownBy(() -> seen.remember(Bytes.copyOf(v), "the terminal's"))
          .isInstanceOf(NonceMismatchException.class)
          .extracting(e -> ((NonceMismatchException) e).code())
          .isEqualTo(ErrorCode.SHARED_INFO_REUSED);
    }
  }

  @Test
  void seen_forgetsTheOldestBeyondItsCapacity() throws Exception {
    List<byte[]> values = collidingValues();
    EcdhSettings.Seen seen = new EcdhSettings.Seen(2);
    seen.remember(Bytes.copyOf(values.get(0)), "the terminal's");
    seen.remember(Bytes.copyOf(values.get(1)), "the terminal's");
    seen.remember(Bytes.copyOf(values.get(2)), "the terminal's"); // values.get(0) forgotten
    seen.remember(Bytes.copyOf(values.get(0)), "the terminal's");
    assertThatThrownBy(() -> seen.remember(Bytes.copyOf(values.get(2)), "the terminal's"))
        .isInstanceOf(NonceMismatchException.class);
  }

  @Test
  void checkFreshValue_zeroByteOrWrongLength_sharedInfoInvalid() {
    byte[] zero = collidingValues().get(3);
    zero[7] = 0;
    assertThatThrownBy(() -> EcdhSettings.checkFreshValue(zero, "the host's"))
        .extracting(e -> ((NonceMismatchException) e).code())
        .isEqualTo(ErrorCode.SHARED_INFO_INVALID);
    assertThatThrownBy(() -> EcdhSettings.checkFreshValue(new byte[15], "the host's"))
        .extracting(e -> ((NonceMismatchException) e).code())
        .isEqualTo(ErrorCode.SHARED_INFO_INVALID);
  }
}
