package dev.keytransfer.crypto.dukpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.crypto.dukpt.AesDukpt.KeyType;
import dev.keytransfer.crypto.dukpt.AesDukpt.KeyUsage;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** KSN handling and argument checks of TDES (X9.24-1:2009) and AES (X9.24-3:2017) DUKPT. */
class DukptTest {
  private static final TdesDukpt TDES_DUKPT = TdesDukpt.using(new JcaCryptoProvider());
  private static final AesDukpt AES_DUKPT = AesDukpt.using(new JcaCryptoProvider());
  private static final String BDK = "0123456789ABCDEFFEDCBA9876543210";

  // docs/KEYBLOCKS.md pitfall 12: an 8-byte KSN is left-padded with FF and gives the same IPEK
  @Test
  void tdesKsn_shortInputLeftPaddedWithFf() {
    assertThat(TdesKsn.parse("9876543210E00008").hex()).isEqualTo("FFFF9876543210E00008");
    assertThat(TdesKsn.of(HexFormat.of().parseHex("9876543210E00008")))
        .isEqualTo(TdesKsn.parse("FFFF9876543210E00008"));
    try (SecretKeyMaterial bdk = SecretKeyMaterial.adopt(HexFormat.of().parseHex(BDK));
        SecretKeyMaterial a = TDES_DUKPT.initialKey(bdk, TdesKsn.parse("9876543210E00008"));
        SecretKeyMaterial b = TDES_DUKPT.initialKey(bdk, TdesKsn.parse("FFFF9876543210E00000"))) {
      assertThat(HexFormat.of().withUpperCase().formatHex(a.copyBytes()))
          .isEqualTo("6AC292FAA1315B4D858AB3A3D7D5933A");
      assertThat(a.equalsKey(b)).isTrue();
    }
    assertThatThrownBy(() -> TdesKsn.parse("FFFF98765432"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tdesKsn_counter_andOriginatorValidity() {
    TdesKsn k = TdesKsn.parse("FFFF9876543210E00000");
    assertThat(k.counter()).isZero();
    assertThat(k.isOriginatorValid()).isFalse();
    assertThat(k.withCounter(0x1FFFFF).hex()).isEqualTo("FFFF9876543210FFFFFF");
    assertThat(k.withCounter(0x3FF).isOriginatorValid()).isTrue(); // 10 one-bits
    assertThat(k.withCounter(0x7FF).isOriginatorValid()).isFalse(); // 11 one-bits
    assertThat(k.withCounter(0x1FFFFF).initial()).isEqualTo(k);
    assertThatThrownBy(() -> k.withCounter(0x200000)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aesKsn_fields_andOriginatorValidity() {
    AesKsn k = AesKsn.parse("1234567890123456FFFE2000");
    assertThat(k.bdkId()).isEqualTo(0x12345678);
    assertThat(k.derivationId()).isEqualTo(0x90123456);
    assertThat(k.counter()).isEqualTo(0xFFFE2000L);
    assertThat(k.initialKeyIdHex()).isEqualTo("1234567890123456");
    assertThat(AesKsn.ofInitialKeyId(0x12345678, 0x90123456)).isEqualTo(k.withCounter(0));
    assertThat(k.withCounter(0x1FFFE).isOriginatorValid()).isTrue(); // 16 one-bits
    assertThat(k.withCounter(0x1FFFF).isOriginatorValid())
        .isFalse(); // 17 one-bits: host derives, device never uses
    assertThat(k.withCounter(0).isOriginatorValid()).isFalse();
  }

  @Test
  void arguments_wrongLengthsOrStrongerWorkingKey_refused() {
    try (SecretKeyMaterial k24 = SecretKeyMaterial.adopt(new byte[24]);
        SecretKeyMaterial k16 = SecretKeyMaterial.adopt(new byte[16]);
        SecretKeyMaterial k20 = SecretKeyMaterial.adopt(new byte[20])) {
      TdesKsn tksn = TdesKsn.parse("FFFF9876543210E00001");
      AesKsn aksn = AesKsn.parse("123456789012345600000001");
      assertThatThrownBy(() -> TDES_DUKPT.initialKey(k24, tksn))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> AES_DUKPT.initialKey(k20, aksn))
          .isInstanceOf(IllegalArgumentException.class);
      // X9.24-3 6.1: an AES-128 initial key cannot give AES-192/256 working keys; 3TDEA (112 bits)
      // it can
      assertThatThrownBy(
              () -> AES_DUKPT.workingKey(k16, aksn, KeyUsage.PIN_ENCRYPTION, KeyType.AES_256))
          .isInstanceOf(IllegalArgumentException.class);
      try (SecretKeyMaterial w =
          AES_DUKPT.workingKey(k16, aksn, KeyUsage.PIN_ENCRYPTION, KeyType.TDES_3KEY)) {
        assertThat(w.length()).isEqualTo(24);
      }
    }
  }

  @Test
  void derivedKeys_areIndependentObjects() {
    try (SecretKeyMaterial bdk =
        SecretKeyMaterial.adopt(HexFormat.of().parseHex("FEDCBA9876543210F1F1F1F1F1F1F1F1"))) {
      AesKsn ksn = AesKsn.parse("123456789012345600000001");
      SecretKeyMaterial ik = AES_DUKPT.initialKey(bdk, ksn);
      SecretKeyMaterial dk = AES_DUKPT.derivationKey(ik, ksn.withCounter(0));
      assertThat(dk.equalsKey(ik)).isTrue(); // counter 0: the derivation key is the initial key
      ik.destroy();
      assertThat(dk.isDestroyed()).isFalse();
      assertThat(dk.toString()).contains("REDACTED");
      dk.destroy();
    }
  }
}
