package dev.keytransfer.examples;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.crypto.accp.AccpCryptoProvider;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import dev.keytransfer.crypto.pkcs11.Pkcs11Config;
import dev.keytransfer.crypto.pkcs11.Pkcs11CryptoProvider;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Creates a crypto provider by name, for command lines and configuration files ({@code --provider
 * bc|jca|pkcs11|accp}). A plain static factory: nothing is registered or installed globally; code
 * that knows which provider it wants can just construct it.
 */
public final class CryptoProviders {
  /** The names {@link #create(String)} accepts. */
  public static final List<String> NAMES = List.of("bc", "jca", "pkcs11", "accp");

  private CryptoProviders() {}

  /**
   * A new provider:
   *
   * <ul>
   *   <li>{@code bc}: {@link BcCryptoProvider}, software keys, Bouncy Castle;
   *   <li>{@code jca}: {@link JcaCryptoProvider}, software keys, the JDK's own providers;
   *   <li>{@code pkcs11}: {@link Pkcs11CryptoProvider} on the token that {@link
   *       Pkcs11Config#fromEnvironment()} names (system properties {@code
   *       keytransfer.pkcs11.library}, {@code .token} or {@code .slot}, {@code .pin}, {@code
   *       .oaep}, or the environment variables {@code KEYTRANSFER_PKCS11_LIBRARY}, {@code
   *       _TOKEN}/{@code _SLOT}, {@code _PIN}, {@code _OAEP}). It is {@link AutoCloseable}: close
   *       it to log out.
   *   <li>{@code accp}: {@link AccpCryptoProvider}, software keys, RSA, SHA-256 and AES from the
   *       Amazon Corretto Crypto Provider (AWS-LC, Linux x86_64 and aarch64 only), TDES from the
   *       JDK's own providers.
   * </ul>
   *
   * @throws IllegalArgumentException for an unknown name, or a missing or malformed PKCS#11 setting
   * @throws KeyTransferException {@code CRYPTO_FAILURE} if the PKCS#11 library cannot be loaded,
   *     the token is not there, or the login fails; or if ACCP cannot run on this platform
   */
  public static CryptoProvider create(String name) throws KeyTransferException {
    Objects.requireNonNull(name, "name");
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "bc" -> new BcCryptoProvider();
      case "jca" -> new JcaCryptoProvider();
      case "accp" -> new AccpCryptoProvider();
      case "pkcs11" -> {
        Pkcs11Config config = Pkcs11Config.fromEnvironment();
        if (!config.libraryPresent()) {
          throw new IllegalArgumentException(
              "PKCS#11 library " + config.library() + " is not there or not readable");
        }
        yield Pkcs11CryptoProvider.open(config);
      }
      default ->
          throw new IllegalArgumentException(
              "unknown crypto provider '" + name + "': use one of " + NAMES);
    };
  }
}
