package dev.keytransfer.examples.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.core.handshake.KeyReceipt;
import org.junit.jupiter.api.Test;

/** The README's in-process example runs as printed. */
class InOneJvmTest {
  @Test
  void deliversTheMasterKeyAndBothWorkingKeys() throws Exception {
    KeyReceipt r = InOneJvm.run();
    assertThat(r.header().toString()).startsWith("A0000K0TB00E0000");
    assertThat(r.kcv().hex()).matches("[0-9A-F]{6}");
    assertThat(r.workingKeys()).hasSize(2).allMatch(w -> w.kcv().isPresent());
  }
}
