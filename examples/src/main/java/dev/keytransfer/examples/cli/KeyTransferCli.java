package dev.keytransfer.examples.cli;

import dev.keytransfer.core.KeyTransferException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code keytransfer}: the command line tool, built only on the public API. Bad arguments and bad
 * files give a one-line error and a non-zero exit code (2 for usage, 1 for a failed operation),
 * never a stack trace unless {@code --verbose}.
 */
@Command(
    name = "keytransfer",
    mixinStandardHelpOptions = true,
    version = "keytransfer 0.1.0",
    description =
        "Remote key injection for payment terminals (patent CN108401493 S1-S4, ANSI X9 TR-34).",
    subcommands = {
      DemoCommand.class,
      CaCommand.class,
      KdhCommand.class,
      LedgerCommand.class,
      KrdCommand.class,
      TokenCommand.class,
      KeyblockCommand.class,
      KcvCommand.class,
      DukptCommand.class,
      EcdhCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class KeyTransferCli implements Runnable {
  @Option(
      names = "--verbose",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces of failures.")
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a command is required (try --help)");
  }

  public static void main(String[] args) {
    if (java.util.Arrays.asList(args).contains("--verbose")) {
      System.setProperty(
          "org.slf4j.simpleLogger.defaultLogLevel", "debug"); // before any logger exists
    }
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the tool; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    KeyTransferCli top = new KeyTransferCli();
    CommandLine cl = new CommandLine(top);
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          String message =
              ex.getMessage().replaceFirst("^Error: ", ""); // picocli's own argument group messages
          err.println("error: " + message + (message.contains("--help") ? "" : " (try --help)"));
          return 2;
        });
    cl.setExecutionExceptionHandler(
        (ex, c, parsed) -> {
          if (top.verbose) {
            ex.printStackTrace(err);
          }
          if (ex instanceof KeyTransferException k) {
            err.println("error: " + k.code() + ": " + k.getMessage());
          } else if (ex instanceof CliException) {
            err.println("error: " + ex.getMessage());
          } else {
            err.println(
                "error: "
                    + ex.getClass().getSimpleName()
                    + (ex.getMessage() == null ? "" : ": " + ex.getMessage()));
          }
          return 1;
        });
    return cl.execute(args);
  }
}
