package dev.keytransfer.core.spi;

import dev.keytransfer.core.CertificateChain;
import java.security.cert.X509CRL;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What a distribution terminal (TR-34 KDH, the key host) provides: its certificate chain, a handle
 * to its signing key, the CRLs it carries in CT-KDH and key tokens (TR-34: the KDH CA's CRL), the
 * key source, the device policy and the ledger.
 */
public interface DistributionTerminal {
  CertificateChain certificateChain();

  PrivateKeyHandle signingKey();

  /** Current CRLs to carry; asked at every session so a refreshed CRL is used at once. */
  List<X509CRL> crls();

  KeySource keySource();

  DevicePolicy devicePolicy();

  KeyLedger ledger();

  /** A host made of the given parts; {@code crls} is asked at every session. */
  static DistributionTerminal of(
      CertificateChain chain,
      PrivateKeyHandle signingKey,
      Supplier<List<X509CRL>> crls,
      KeySource keySource,
      DevicePolicy devicePolicy,
      KeyLedger ledger) {
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(signingKey, "signingKey");
    Objects.requireNonNull(crls, "crls");
    Objects.requireNonNull(keySource, "keySource");
    Objects.requireNonNull(devicePolicy, "devicePolicy");
    Objects.requireNonNull(ledger, "ledger");
    return new DistributionTerminal() {
      @Override
      public CertificateChain certificateChain() {
        return chain;
      }

      @Override
      public PrivateKeyHandle signingKey() {
        return signingKey;
      }

      @Override
      public List<X509CRL> crls() {
        return List.copyOf(crls.get());
      }

      @Override
      public KeySource keySource() {
        return keySource;
      }

      @Override
      public DevicePolicy devicePolicy() {
        return devicePolicy;
      }

      @Override
      public KeyLedger ledger() {
        return ledger;
      }

      @Override
      public String toString() {
        return "DistributionTerminal[" + chain.leaf().getSubjectX500Principal().getName() + "]";
      }
    };
  }
}
