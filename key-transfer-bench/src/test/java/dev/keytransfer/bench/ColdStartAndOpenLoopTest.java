package dev.keytransfer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cold terminal and the open loop run and report (never a timing assertion). */
class ColdStartAndOpenLoopTest {
  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  @Test
  void coldTerminal_freshJvm_installsAKey_andItsClassLogIsRead() throws Exception {
    ColdStart.Result r = ColdStart.measure(System.getProperty("java.class.path"), 1, QUIET);
    assertThat(r.runsMs()).hasSize(1);
    assertThat(r.medianMs()).isPositive();
    // the test class path holds Bouncy Castle and Netty, but the terminal must not load them
    assertThat(r.forbiddenLoaded()).isEmpty();
    assertThat(r.classesOk()).isTrue();
  }

  @Test
  void forbiddenClasses_namedInTheLog(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("classes.log");
    Files.writeString(
        log,
        "[0.010s][info][class,load] java.lang.Object source: shared objects file\n"
            + "[0.200s][info][class,load] org.bouncycastle.jce.provider.BouncyCastleProvider"
            + " source: file:/x/bcprov.jar\n"
            + "[0.300s][info][class,load] io.netty.channel.Channel source: file:/x/netty.jar\n");
    assertThat(ColdStart.forbiddenClasses(log))
        .containsExactly(
            "org.bouncycastle.jce.provider.BouncyCastleProvider", "io.netty.channel.Channel");
  }

  @Test
  void openLoop_everyArrivalInstallsItsKey() throws Exception {
    Fixtures f = Fixtures.create(new JcaCryptoProvider(), 2);
    OpenLoop.Result r = OpenLoop.run(f, 20, Duration.ofMillis(500), QUIET);
    assertThat(r.arrivals()).isEqualTo(10);
    assertThat(r.p50Ms()).isPositive();
    assertThat(r.maxMs()).isGreaterThanOrEqualTo(r.p99Ms());
  }
}
