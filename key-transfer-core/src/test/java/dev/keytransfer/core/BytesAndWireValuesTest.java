package dev.keytransfer.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.message.KdhUnbindToken;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Bytes} is an immutable value; KCV methods keep fixed wire values. */
class BytesAndWireValuesTest {
  @Test
  void bytesCopiesInAndOutAndComparesByContent() {
    byte[] data = {1, 2, 3};
    Bytes b = Bytes.copyOf(data);
    data[0] = 9;
    assertThat(b.toByteArray()).containsExactly(1, 2, 3);
    b.toByteArray()[1] = 9;
    assertThat(b.toByteArray()).containsExactly(1, 2, 3);
    assertThat(b)
        .isEqualTo(Bytes.copyOf(new byte[] {1, 2, 3}))
        .hasSameHashCodeAs(Bytes.copyOf(new byte[] {1, 2, 3}));
    assertThat(b).isNotEqualTo(Bytes.copyOf(new byte[] {1, 2}));
    assertThat(b.length()).isEqualTo(3);
    assertThat(b.toString()).isEqualTo("Bytes[3]");
    assertThatThrownBy(() -> Bytes.copyOf(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void tokenRecordsAreValuesOverTheirEncoding() {
    IssuerAndSerial signer =
        new IssuerAndSerial(
            new javax.security.auth.x500.X500Principal("CN=KDH"), java.math.BigInteger.TEN);
    byte[] encoded = {0x30, 0x03, 1, 2, 3};
    KdhUnbindToken a = new KdhUnbindToken(Bytes.copyOf(encoded), signer);
    encoded[2] = 7;
    KdhUnbindToken b = new KdhUnbindToken(Bytes.copyOf(new byte[] {0x30, 0x03, 1, 2, 3}), signer);
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.encoded()).containsExactly(0x30, 0x03, 1, 2, 3);
    assertThat(a.payload()).isEqualTo(a.encoded());
    a.encoded()[0] = 0;
    assertThat(a.encoded()[0]).isEqualTo((byte) 0x30);
  }

  @Test
  void kcvMethodsHaveFixedDistinctWireValues() {
    assertThat(KeyCheckValue.Method.LEGACY_TDES.wireValue()).isEqualTo(0);
    assertThat(KeyCheckValue.Method.CMAC_AES.wireValue()).isEqualTo(1);
    assertThat(KeyCheckValue.Method.CMAC_TDES.wireValue()).isEqualTo(2);
    Set<Integer> seen = new HashSet<>();
    for (KeyCheckValue.Method m : KeyCheckValue.Method.values()) {
      assertThat(seen.add(m.wireValue())).as(m.name()).isTrue();
      assertThat(KeyCheckValue.Method.fromWireValue(m.wireValue())).isSameAs(m);
    }
    assertThat(Arrays.asList(3, 255, -1))
        .allMatch(v -> KeyCheckValue.Method.fromWireValue(v) == null);
  }
}
