package dev.keytransfer.crypto.jca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.Algorithms.Curve;
import java.math.BigInteger;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import org.junit.jupiter.api.Test;

/**
 * The shared secret Z is exactly the field length whatever the engine returns (an engine may strip
 * the leading zero bytes of x), and the point check of NIST SP 800-56A rev. 3 5.6.2.3.3 on its own.
 */
class EcdhSecretLengthTest {
  @Test
  void shortSecret_isLeftPadded_longWithLeadingZeros_isTrimmed_elseRefused() throws Exception {
    assertThat(JcaCryptoProvider.fieldElement(new byte[] {1, 2}, 4)).containsExactly(0, 0, 1, 2);
    assertThat(JcaCryptoProvider.fieldElement(new byte[] {0, 0, 1, 2, 3, 4}, 4))
        .containsExactly(1, 2, 3, 4);
    assertThat(JcaCryptoProvider.fieldElement(new byte[] {9, 8, 7, 6}, 4))
        .containsExactly(9, 8, 7, 6);
    byte[] raw = {5, 6};
    assertThat(JcaCryptoProvider.fieldElement(raw, 2)).isNotSameAs(raw);
    assertThatThrownBy(() -> JcaCryptoProvider.fieldElement(new byte[] {0, 1, 2, 3, 4}, 3))
        .isInstanceOf(KeyTransferException.class)
        .hasFieldOrPropertyWithValue("code", ErrorCode.CRYPTO_FAILURE);
    assertThatThrownBy(() -> JcaCryptoProvider.fieldElement(new byte[0], 3))
        .isInstanceOf(KeyTransferException.class)
        .hasFieldOrPropertyWithValue("code", ErrorCode.CRYPTO_FAILURE);
  }

  @Test
  void validPoint_generatorYes_offCurveUnreducedInfinityNo() {
    for (Curve c : Curve.values()) {
      ECParameterSpec params = c.parameters();
      BigInteger p = ((ECFieldFp) params.getCurve().getField()).getP();
      ECPoint g = params.getGenerator();
      assertThat(c.isValidPoint(g)).as(c.name()).isTrue();
      assertThat(c.isValidPoint(new ECPoint(g.getAffineX(), g.getAffineY().add(BigInteger.ONE))))
          .isFalse();
      assertThat(c.isValidPoint(new ECPoint(g.getAffineX(), g.getAffineY().add(p)))).isFalse();
      assertThat(c.isValidPoint(ECPoint.POINT_INFINITY)).isFalse();
      assertThat(c.isValidPoint(null)).isFalse();
      // a coordinate equal to p is out of range, whatever it reduces to
      assertThat(c.isValidPoint(new ECPoint(p, g.getAffineY()))).isFalse();
    }
  }
}
