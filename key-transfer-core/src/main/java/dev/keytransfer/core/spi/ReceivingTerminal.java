package dev.keytransfer.core.spi;

import dev.keytransfer.core.CertificateChain;
import java.util.Objects;

/**
 * What a receiving terminal (TR-34 KRD, the POS) provides: its certificate chain, a handle to its
 * key-transport private key (decryption happens inside the device or HSM), where accepted keys go,
 * and where its binding to a KDH is remembered.
 */
public interface ReceivingTerminal {
  CertificateChain certificateChain();

  PrivateKeyHandle keyTransportKey();

  TerminalKeyStore keyStore();

  BindingStore bindingStore();

  /** A terminal made of the given parts. */
  static ReceivingTerminal of(
      CertificateChain chain, PrivateKeyHandle key, TerminalKeyStore store, BindingStore binding) {
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(binding, "binding");
    return new ReceivingTerminal() {
      @Override
      public CertificateChain certificateChain() {
        return chain;
      }

      @Override
      public PrivateKeyHandle keyTransportKey() {
        return key;
      }

      @Override
      public TerminalKeyStore keyStore() {
        return store;
      }

      @Override
      public BindingStore bindingStore() {
        return binding;
      }

      @Override
      public String toString() {
        return "ReceivingTerminal[" + chain.leaf().getSubjectX500Principal().getName() + "]";
      }
    };
  }
}
