package dev.keytransfer.examples.cli;

/** A failure whose message is the whole story for the user (a missing file, a bad value). */
final class CliException extends RuntimeException {
  CliException(String message) {
    super(message);
  }
}
