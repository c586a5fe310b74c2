package dev.keytransfer.examples.snippets;

import dev.keytransfer.Enrollment;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.CertificateAuthority;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.crypto.pkcs11.Pkcs11Config;
import dev.keytransfer.crypto.pkcs11.Pkcs11CryptoProvider;
import java.util.function.Consumer;

/**
 * A terminal whose key-transport key is generated inside a PKCS#11 token and never leaves it; the
 * README's PKCS#11 example is taken from this file.
 */
public final class OnPkcs11 {
  private OnPkcs11() {}

  /** Enrolls "POS 0001" with its key in the token the environment names, and hands it on. */
  public static void enrollInToken(CertificateAuthority ca, Consumer<ReceivingTerminal> use)
      throws KeyTransferException {
    // the token named by KEYTRANSFER_PKCS11_LIBRARY, _TOKEN (or _SLOT) and _PIN
    Pkcs11Config config = Pkcs11Config.fromEnvironment();
    try (Pkcs11CryptoProvider crypto = Pkcs11CryptoProvider.open(config)) {
      ReceivingTerminal device = Enrollment.enrollTerminal(ca, crypto, "POS 0001");
      use.accept(device); // build the KeyTransferTerminal with .cryptoProvider(crypto)
    }
  }
}
