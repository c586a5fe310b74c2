package dev.keytransfer.examples.cli;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.jdbc.Delivery;
import dev.keytransfer.jdbc.JdbcKeyLedger;
import dev.keytransfer.jdbc.LedgerVerification;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The key host's ledger: list the deliveries, verify the audit chain. */
@Command(
    name = "ledger",
    mixinStandardHelpOptions = true,
    description = "The key host's ledger and audit trail (docs/SECURITY.md A4).",
    subcommands = {LedgerCommand.ListDeliveries.class, LedgerCommand.Verify.class})
final class LedgerCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: list or verify");
  }

  /** Where the ledger is: the host's directory (embedded H2) or a JDBC URL. */
  static final class Where {
    @Option(names = "--dir", description = "The host's directory: the H2 ledger in DIR/ledger.")
    Path dir;

    @Option(names = "--ledger", description = "JDBC URL of the ledger.")
    String url;
  }

  /**
   * The embedded ledger in {@code dir/ledger}, or the one at {@code url}; a database user and
   * password come from {@code KEYTRANSFER_LEDGER_USER} and {@code KEYTRANSFER_LEDGER_PASSWORD}
   * (never the command line, where other local users see it).
   */
  static JdbcKeyLedger open(Path dir, String url, String node) throws KeyTransferException {
    return builder(dir, url).nodeId(node).build();
  }

  private static JdbcKeyLedger.Builder builder(Path dir, String url) {
    JdbcKeyLedger.Builder b =
        JdbcKeyLedger.builder(url != null ? url : JdbcKeyLedger.embeddedUrl(dir.resolve("ledger")));
    String user = System.getenv("KEYTRANSFER_LEDGER_USER");
    String password = System.getenv("KEYTRANSFER_LEDGER_PASSWORD");
    if (user != null && !user.isEmpty()) {
      b.user(user);
    }
    if (password != null) {
      b.password(password.toCharArray());
    }
    return b;
  }

  /** An existing ledger, read without migrating it (what an auditor's read-only role allows). */
  static JdbcKeyLedger open(Where w) throws KeyTransferException {
    if (w.url == null && !Files.isDirectory(w.dir.resolve("ledger"))) {
      throw new CliException("no ledger in " + w.dir + " (kdh serve creates DIR/ledger)");
    }
    return builder(w.dir, w.url).nodeId("cli").existingLedgerOnly().build();
  }

  /** Counts per status, e.g. {@code "12 deliveries: 11 CONFIRMED, 1 REJECTED"}. */
  static String summary(JdbcKeyLedger ledger) {
    List<LedgerEntry> all = ledger.entries();
    Map<DeliveryStatus, Integer> counts = new EnumMap<>(DeliveryStatus.class);
    all.forEach(e -> counts.merge(e.status(), 1, Integer::sum));
    StringBuilder b = new StringBuilder().append(all.size()).append(" deliveries");
    String sep = ": ";
    for (Map.Entry<DeliveryStatus, Integer> c : counts.entrySet()) {
      b.append(sep).append(c.getValue()).append(' ').append(c.getKey());
      sep = ", ";
    }
    return b.toString();
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List every delivery: session, terminal, status, KCV, node.")
  static final class ListDeliveries implements Callable<Integer> {
    @ArgGroup(multiplicity = "1")
    Where where;

    @Option(names = "--json", description = "A JSON array, one object per delivery.")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws KeyTransferException {
      PrintWriter out = spec.commandLine().getOut();
      try (JdbcKeyLedger ledger = open(where)) {
        List<Delivery> rows = ledger.deliveries();
        if (json) {
          out.println(toJson(rows));
        } else {
          for (Delivery d : rows) {
            LedgerEntry e = d.entry();
            out.println(
                e.sessionId()
                    + " "
                    + e.status()
                    + " kcv="
                    + e.kcv().hex()
                    + " header="
                    + e.header().value()
                    + " node="
                    + d.node()
                    + " at="
                    + e.deliveredAt()
                    + " "
                    + e.deviceSubject());
          }
          out.println(summary(ledger));
        }
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description =
          "Recompute the audit chain and check every delivery against it: exit 0 when intact, 1"
              + " with the first broken record.")
  static final class Verify implements Callable<Integer> {
    @ArgGroup(multiplicity = "1")
    Where where;

    @Option(
        names = "--expect-head",
        description =
            "A head hash printed by an earlier verify and kept elsewhere: the chain must still"
                + " contain it (detects a chain cut back or rewritten before it).")
    String expectedHead;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws KeyTransferException {
      PrintWriter out = spec.commandLine().getOut();
      try (JdbcKeyLedger ledger = open(where)) {
        LedgerVerification v = ledger.verify();
        if (v.intact()
            && expectedHead != null
            && ledger.auditRecords().stream()
                .noneMatch(r -> r.hash().equalsIgnoreCase(expectedHead.strip()))) {
          out.println(
              "ledger BROKEN: the chain no longer holds the expected head "
                  + expectedHead.strip()
                  + ": records were removed or rewritten");
          out.flush();
          return 1;
        }
        if (v.intact()) {
          out.println(
              "ledger intact: "
                  + v.records()
                  + " audit records, "
                  + v.deliveries()
                  + " deliveries, head "
                  + v.head());
          out.flush();
          return 0;
        }
        out.println("ledger BROKEN: " + v.firstBroken().get());
        out.flush();
        return 1;
      }
    }
  }

  static String toJson(List<Delivery> rows) {
    StringBuilder b = new StringBuilder("[");
    String sep = "";
    for (Delivery d : rows) {
      LedgerEntry e = d.entry();
      b.append(sep).append('{');
      field(b, "session", e.sessionId()).append(',');
      field(b, "terminal", e.deviceSubject()).append(',');
      field(b, "terminalIssuer", e.device().issuer().getName()).append(',');
      field(b, "terminalSerial", e.device().serialNumber().toString(16)).append(',');
      field(b, "status", e.status().name()).append(',');
      field(b, "kcv", e.kcv().hex()).append(',');
      field(b, "kcvMethod", e.kcv().method().name()).append(',');
      field(b, "header", e.header().value()).append(',');
      field(b, "node", d.node()).append(',');
      field(b, "masterKey", e.isMasterKey()).append(',');
      field(b, "deliveredAt", e.deliveredAt().toString()).append(',');
      field(b, "updatedAt", e.updatedAt().toString());
      b.append('}');
      sep = ",\n ";
    }
    return b.append(']').toString();
  }

  private static StringBuilder field(StringBuilder b, String name, Object value) {
    b.append('"').append(name).append("\":");
    if (value instanceof Boolean) {
      return b.append(value);
    }
    b.append('"');
    String s = value.toString();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"');
  }
}
