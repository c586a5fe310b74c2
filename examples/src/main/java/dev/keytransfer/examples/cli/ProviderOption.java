package dev.keytransfer.examples.cli;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.crypto.accp.AccpCryptoProvider;
import dev.keytransfer.crypto.pkcs11.Pkcs11Config;
import dev.keytransfer.examples.CryptoProviders;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --provider bc|jca|pkcs11|accp}, shared by the commands that run a host and terminals. */
final class ProviderOption {
  /** Where the PKCS#11 settings go, for the one-line error when they are missing. */
  static final String PKCS11_SETTINGS =
      "settings: "
          + Pkcs11Config.ENV_PREFIX
          + "LIBRARY, "
          + Pkcs11Config.ENV_PREFIX
          + "TOKEN (or "
          + Pkcs11Config.ENV_PREFIX
          + "SLOT) and "
          + Pkcs11Config.ENV_PREFIX
          + "PIN, or the system properties "
          + Pkcs11Config.PROPERTY_PREFIX
          + "library, .token (or .slot) and .pin (docs/PROVIDERS.md)";

  @Option(
      names = "--provider",
      defaultValue = "bc",
      paramLabel = "bc|jca|pkcs11|accp",
      description =
          "Crypto provider of the host and the terminals; with pkcs11 their RSA keys are generated"
              + " in the token named by "
              + Pkcs11Config.ENV_PREFIX
              + "LIBRARY, _TOKEN, _PIN; accp (Amazon Corretto Crypto Provider) runs on Linux"
              + " x86_64 and aarch64 only (default: ${DEFAULT-VALUE}).")
  String name;

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  /** A new provider of the chosen name; the caller owns it (close it if it is AutoCloseable). */
  CryptoProvider open() throws KeyTransferException {
    return open(mixee, name);
  }

  /**
   * A new provider named {@code name} for {@code command}: a usage error for an unknown name, a
   * one-line {@link CliException} when PKCS#11 is not set up or ACCP cannot run here.
   */
  static CryptoProvider open(CommandSpec command, String name) throws KeyTransferException {
    if (!CryptoProviders.NAMES.contains(name)) {
      throw new ParameterException(
          command.commandLine(),
          "--provider must be one of "
              + String.join(", ", CryptoProviders.NAMES)
              + ", not '"
              + name
              + "'");
    }
    try {
      return CryptoProviders.create(name);
    } catch (KeyTransferException e) {
      if (!AccpCryptoProvider.NAME.equals(name)) {
        throw e;
      }
      throw new CliException(
          "--provider accp: "
              + e.getMessage()
              + "; use --provider bc or jca on this platform (docs/PROVIDERS.md)");
    } catch (IllegalArgumentException e) {
      throw new CliException(
          "--provider "
              + name
              + ": PKCS#11 is not set up ("
              + e.getMessage()
              + "); "
              + PKCS11_SETTINGS);
    }
  }
}
