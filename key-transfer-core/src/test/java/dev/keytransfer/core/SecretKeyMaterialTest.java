package dev.keytransfer.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretKeyMaterialTest {
  @Test
  void toString_isRedacted() {
    SecretKeyMaterial k = SecretKeyMaterial.copyOf(new byte[] {0x11, 0x22, 0x33, 0x44});
    assertThat(k.toString()).isEqualTo("SecretKeyMaterial[REDACTED, 4 bytes]").doesNotContain("11");
  }

  @Test
  void destroy_wipesTheAdoptedArray_andRefusesUse() {
    byte[] raw = {1, 2, 3, 4};
    SecretKeyMaterial k = SecretKeyMaterial.adopt(raw);
    k.destroy();
    assertThat(raw).containsOnly(0);
    assertThat(k.isDestroyed()).isTrue();
    assertThatThrownBy(k::copyBytes).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void equalsKey_comparesContent() {
    SecretKeyMaterial a = SecretKeyMaterial.copyOf(new byte[] {1, 2});
    assertThat(a.equalsKey(SecretKeyMaterial.copyOf(new byte[] {1, 2}))).isTrue();
    assertThat(a.equalsKey(SecretKeyMaterial.copyOf(new byte[] {1, 3}))).isFalse();
    assertThat(a.equalsKey(a.copy())).isTrue();
  }

  @Test
  void empty_isRefused() {
    assertThatThrownBy(() -> SecretKeyMaterial.copyOf(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
