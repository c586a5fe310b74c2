package dev.keytransfer.examples.cli;

import java.io.Console;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * The passphrase of the private keys in a CA directory (docs/SECURITY.md, "The CA directory"), from
 * the first of: {@code --passphrase-file FILE} (its first line), the environment variable {@value
 * #ENVIRONMENT}, a prompt on the console. Without any of them the command is refused. The
 * passphrase is a {@code char[]} the caller wipes; it is never printed, and never on the command
 * line, where other local users could read it.
 */
final class PassphraseOption {
  static final String ENVIRONMENT = "KEYTRANSFER_PASSPHRASE";

  /** Reads a passphrase from a terminal; null when there is none. */
  interface Prompt {
    char[] read(String prompt);
  }

  /** The environment; tests replace it. */
  static Function<String, String> environment = System::getenv;

  /** The console; tests replace it. */
  static Prompt console =
      prompt -> {
        Console c = System.console();
        return c == null ? null : c.readPassword("%s", prompt);
      };

  @Option(
      names = "--passphrase-file",
      paramLabel = "FILE",
      description =
          "File whose first line is the passphrase of the private keys (else $"
              + ENVIRONMENT
              + ", else asked on the console).")
  Path file;

  /**
   * The passphrase for {@code what} (named in the prompt and in errors). With {@code confirm}, for
   * keys about to be created, the console asks twice.
   */
  char[] read(String what, boolean confirm) {
    if (file != null) {
      return fromFile(file);
    }
    String env = environment.apply(ENVIRONMENT);
    if (env != null && !env.isEmpty()) {
      return env.toCharArray();
    }
    char[] typed = console.read("Passphrase for " + what + ": ");
    if (typed == null) {
      throw new CliException(
          "no passphrase for "
              + what
              + ": give --passphrase-file FILE or set "
              + ENVIRONMENT
              + " (there is no console to ask on)");
    }
    if (typed.length == 0) {
      throw new CliException("the passphrase must not be empty");
    }
    if (confirm) {
      char[] again = console.read("Passphrase again: ");
      boolean same = Arrays.equals(typed, again);
      wipe(again);
      if (!same) {
        wipe(typed);
        throw new CliException("the two passphrases differ");
      }
    }
    return typed;
  }

  /** The first line of {@code f}, as UTF-8, without its line break. */
  private static char[] fromFile(Path f) {
    byte[] raw = Inputs.read(f, "--passphrase-file");
    int end = 0;
    while (end < raw.length && raw[end] != '\n' && raw[end] != '\r') {
      end++;
    }
    CharBuffer chars = null;
    try {
      chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(raw, 0, end));
      char[] out = new char[chars.remaining()];
      chars.get(out);
      if (out.length == 0) {
        throw new CliException("--passphrase-file: the first line of " + f + " is empty");
      }
      return out;
    } catch (CharacterCodingException e) {
      throw new CliException("--passphrase-file: " + f + " is not UTF-8 text");
    } finally {
      Arrays.fill(raw, (byte) 0);
      if (chars != null && chars.hasArray()) {
        Arrays.fill(chars.array(), '\0');
      }
    }
  }

  static void wipe(char[] c) {
    if (c != null) {
      Arrays.fill(c, '\0');
    }
  }
}
