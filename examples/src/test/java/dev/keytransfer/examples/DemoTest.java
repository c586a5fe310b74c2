package dev.keytransfer.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Demo.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void demo_threeTerminals_allReceiveTheirKey() {
    assertThat(run("demo", "--terminals", "3")).isZero();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("[3/3] POS 0003  header=A0000K0TB00E0000  kcv=").endsWith("3/3 terminals received their key\n");
  }

  @Test
  void demo_badArguments_oneLineErrorAndNonZeroExit() {
    assertThat(run("demo", "--terminals", "many")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("error: --terminals needs a number, got 'many'\n");
    assertThat(run("fly")).isEqualTo(2);
    assertThat(run("demo", "--wings")).isEqualTo(2);
  }
}
