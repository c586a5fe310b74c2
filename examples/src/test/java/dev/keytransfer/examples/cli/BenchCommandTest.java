package dev.keytransfer.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
 * bench with tiny numbers: the ratio mode (every side against its floor, the cold terminal, the
 * open loop) and the ledger modes (--ledger, --compare-ledgers) run and report what they measured.
 * Never a timing assertion (performance is measured by hand, see README "Performance").
 */
class BenchCommandTest {
  private static Run cli(String... args) {
    return KeyMaterialCommandsTest.cli(args);
  }

  /** The JSON document of the ratio mode, parsed by hand (any key order, numbers and nulls). */
  @Test
  void ratios_json_everySideAgainstItsFloor_coldTerminal_openLoop() throws Exception {
    Run r =
        cli(
            "bench",
            "--seconds",
            "1",
            "--warmup-seconds",
            "0",
            "--provider",
            "jca",
            "--sides",
            "host,terminal,full",
            "--threads",
            "1",
            "--cold-runs",
            "1",
            "--json");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    String doc = r.out().strip();
    assertThat(doc).startsWith("{").endsWith("}").doesNotContain("\n");
    // stdout is the document and nothing else; progress went to stderr
    assertThat(r.out().strip().lines().count()).isEqualTo(1);
    assertThat(r.err()).contains("[jca host threads=1] measure", "cold terminal run 1/1");
    JsonNode root = new ObjectMapper().readTree(doc); // well-formed JSON
    Pattern result =
        Pattern.compile(
            "\\{\"provider\":\"jca\",\"mode\":\"rsa\",\"side\":\"(host|terminal|full)\","
                + "\"threads\":1,\"handshakes_per_s\":([0-9.]+),\"floor_per_s\":([0-9.]+),"
                + "\"ratio\":([0-9.]+),\"handshakes\":([0-9]+),");
    Matcher m = result.matcher(doc);
    List<String> sides = new ArrayList<>();
    while (m.find()) {
      sides.add(m.group(1));
      assertThat(Double.parseDouble(m.group(2))).isPositive();
      assertThat(Double.parseDouble(m.group(3))).isPositive();
      assertThat(Double.parseDouble(m.group(4))).isPositive();
      // every counted handshake passed the harness's outcome checks (CONFIRMED / installed)
      assertThat(Long.parseLong(m.group(5))).isPositive();
    }
    assertThat(sides).containsExactly("host", "terminal", "full");
    assertThat(doc).containsPattern("\"cold_terminal_ms\":[0-9.]+");
    assertThat(root.get("cold_terminal_classes_ok").asBoolean()).isTrue();
    JsonNode open = root.get("open_loop").get(0);
    assertThat(open.get("provider").asText()).isEqualTo("jca");
    assertThat(open.get("arrivals").asLong()).isPositive();
    assertThat(open.has("p50_ms") && open.has("p99_ms") && open.has("max_ms")).isTrue();
    assertThat(open.get("p99_under_20_ms").isBoolean()).isTrue();
  }

  /** Both modes on one provider: rows per mode, each ecdh row with its ratio to the rsa row. */
  @Test
  void ratios_json_bothModes_ecdhRowsCarryTheirRatioToRsa() throws Exception {
    Run r =
        cli(
            "bench",
            "--mode",
            "rsa,ecdh",
            "--seconds",
            "0.5",
            "--warmup-seconds",
            "0",
            "--provider",
            "jca",
            "--sides",
            "host,terminal",
            "--threads",
            "1",
            "--cold-runs",
            "0",
            "--no-open-loop",
            "--json");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.err()).contains("[jca ecdh host threads=1] measure", "[jca host threads=1]");
    JsonNode results = new ObjectMapper().readTree(r.out()).get("results");
    List<String> rows = new ArrayList<>();
    for (JsonNode row : results) {
      String mode = row.get("mode").asText();
      rows.add(mode + " " + row.get("side").asText());
      assertThat(row.get("handshakes").asLong()).isPositive();
      assertThat(row.get("ratio").asDouble()).isPositive();
      if (mode.equals("ecdh")) {
        double vs = row.get("handshakes_vs_rsa").asDouble();
        double rsa = 0;
        for (JsonNode o : results) {
          if (o.get("mode").asText().equals("rsa")
              && o.get("side").asText().equals(row.get("side").asText())) {
            rsa = o.get("handshakes_per_s").asDouble();
          }
        }
        assertThat(vs)
            .isCloseTo(
                row.get("handshakes_per_s").asDouble() / rsa,
                within(1e-2 * row.get("handshakes_vs_rsa").asDouble()));
      } else {
        assertThat(row.has("handshakes_vs_rsa")).isFalse();
      }
    }
    assertThat(rows).containsExactly("rsa host", "ecdh host", "rsa terminal", "ecdh terminal");
  }

  @Test
  void ratios_badOptions_oneLineErrors() {
    KeyMaterialCommandsTest.assertOneLineError(
        cli("bench", "--mode", "dh", "--seconds", "1"), 2, "--mode is rsa, ecdh or both");
    KeyMaterialCommandsTest.assertOneLineError(
        cli("bench", "--provider", "nope", "--seconds", "1"), 2, "--provider must be one of");
    KeyMaterialCommandsTest.assertOneLineError(cli("bench", "--seconds", "0"), 2, "--seconds");
    KeyMaterialCommandsTest.assertOneLineError(
        cli("bench", "--threads", "0", "--seconds", "1"), 2, "--threads");
    KeyMaterialCommandsTest.assertOneLineError(
        cli("bench", "--ledger", "h2", "--provider", "bc,jca"), 2, "one --provider");
  }

  @Test
  void jsonText_escapesQuotesBackslashesAndControls() {
    assertThat(BenchCommand.jsonText("a\"b\\c\nd\u0001")).isEqualTo("a\\\"b\\\\c\\nd\\u0001");
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
