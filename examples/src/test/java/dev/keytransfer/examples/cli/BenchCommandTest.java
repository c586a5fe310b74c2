package dev.keytransfer.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytransfer.examples.cli.KeyMaterialCommandsTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * bench --ledger and --compare-ledgers with tiny numbers: the command runs and reports every
 * ledger. Never a timing assertion (performance is measured by hand, see README "Performance").
 */
class BenchCommandTest {
  private static Run cli(String... args) {
    return KeyMaterialCommandsTest.cli(args);
  }

  @Test
  void compareLedgers_memoryAndH2_rowsRatiosAndCalls_tempDatabaseDeleted() {
    Run r =
        cli(
            "bench",
            "--compare-ledgers",
            "--postgres",
            "none",
            "--terminals",
            "1",
            "--rounds",
            "1",
            "--warmup",
            "1",
            "--transport",
            "memory");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("ledger memory: InMemoryKeyLedger", "ledger h2: JdbcKeyLedger.embedded")
        .doesNotContain("postgres")
        .containsPattern("\n +1  memory +[0-9.]+ ")
        .containsPattern("\n +1  h2 +[0-9.]+ .*x p50 +[0-9.]+x p99 +[0-9.]+x handshakes/s\n")
        .contains("recordDelivered", "confirm", "attemptsSince");
    Matcher m = Pattern.compile("jdbc:h2:file:(\\S+)/ledger;").matcher(r.out());
    assertThat(m.find()).isTrue();
    assertThat(Files.exists(Path.of(m.group(1)))).as("the bench's H2 directory").isFalse();
  }

  @Test
  void compareLedgers_json_oneObjectPerLedger() throws Exception {
    Run r =
        cli(
            "bench",
            "--compare-ledgers",
            "--postgres",
            "none",
            "--json",
            "--terminals",
            "1",
            "--rounds",
            "1",
            "--warmup",
            "0",
            "--transport",
            "memory");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertThat(root.get("rounds").asInt()).isEqualTo(1);
    List<String> ledgers = new ArrayList<>();
    root.get("results").forEach(n -> ledgers.add(n.get("ledger").asText()));
    assertThat(ledgers).containsExactly("memory", "h2");
    JsonNode h2 = root.get("results").get(1);
    assertThat(h2.get("terminals").asInt()).isEqualTo(1);
    assertThat(h2.get("handshakes").asInt()).isEqualTo(1);
    assertThat(h2.has("vsMemory")).isTrue();
    assertThat(root.get("results").get(0).has("vsMemory")).isFalse();
    // what a two-pass session asks: the limit count, the delivery, and its confirmation with the
    // session's audit record
    for (String call : List.of("attemptsSince", "recordDelivered", "confirm")) {
      assertThat(h2.get("ledgerCalls").get(call).get("perHandshake").asDouble()).isEqualTo(1.0);
    }
  }

  @Test
  void ledgerH2_aSingleLedger_reusedTerminalsPastTheDeliveryLimit() {
    // 1 warm-up + 11 rounds for the one terminal: more than the host's default 10 keys per hour
    Run r =
        cli(
            "bench",
            "--ledger",
            "h2",
            "--terminals",
            "1",
            "--rounds",
            "11",
            "--transport",
            "memory");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("ledger h2: JdbcKeyLedger.embedded")
        .containsPattern("\n +1 +[0-9.]+ +[0-9.]+ ");
  }

  @Test
  void badLedgerOptions_oneLineErrors() {
    KeyMaterialCommandsTest.assertOneLineError(
        cli("bench", "--ledger", "mongo", "--terminals", "1"), 2, "memory, h2 or a JDBC URL");
    KeyMaterialCommandsTest.assertOneLineError(
        cli("bench", "--compare-ledgers", "--ledger", "h2"), 2, "drop --ledger");
    KeyMaterialCommandsTest.assertOneLineError(
        cli("bench", "--postgres", "none"), 2, "--postgres needs --compare-ledgers");
    KeyMaterialCommandsTest.assertOneLineError(
        cli("bench", "--compare-ledgers", "--postgres", "jdbc:h2:mem:x", "--terminals", "1"),
        2,
        "jdbc:postgresql:");
  }
}
