package dev.keytransfer.examples.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --reveal-key}: the only way a key material command prints a clear key. */
final class RevealKeyOption {
  static final String WARNING = "warning: --reveal-key: the output holds clear key material";

  @Option(
      names = "--reveal-key",
      description = "Also print the clear key(s) in hex (off by default: only KCVs are printed).")
  boolean reveal;

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  /** Whether to print keys; when so, says it once on standard error. */
  boolean revealing() {
    if (reveal) {
      mixee.commandLine().getErr().println(WARNING);
    }
    return reveal;
  }
}
