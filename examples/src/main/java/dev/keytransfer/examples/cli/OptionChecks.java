package dev.keytransfer.examples.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks of option values that their types do not express. A value outside is a usage error: a
 * one-line message in the words of the option and exit code 2, before the command does anything.
 */
final class OptionChecks {
  private OptionChecks() {}

  /** {@code value} of {@code option} must lie in {@code min..max}. */
  static void range(CommandSpec spec, String option, long value, long min, long max) {
    if (value < min || value > max) {
      throw new ParameterException(
          spec.commandLine(), option + " must be " + min + " to " + max + ", not " + value);
    }
  }
}
