package dev.keytransfer.examples.snippets;

import dev.keytransfer.Enrollment;
import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.core.handshake.HostOperation;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DeliverableKey;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.transport.InMemoryTransport;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Both roles in one JVM, with a certification authority made in code: S1 (enrollment from CSRs),
 * then S2-S4 over an in-memory transport, with two working keys after the master key. The README's
 * in-process examples are taken from this file; {@code InOneJvmTest} runs it.
 */
public final class InOneJvm {
  private InOneJvm() {}

  public static void main(String[] args) throws Exception {
    KeyReceipt receipt = run();
    System.out.println(receipt.header() + " kcv=" + receipt.kcv().hex());
  }

  /** Runs the whole method once and returns what the terminal installed. */
  public static KeyReceipt run() throws Exception {
    CryptoProvider crypto = new BcCryptoProvider();
    // S1: a CA in code (root, KDH CA, KRD CA); `keytransfer ca init` makes the same as files
    DefaultCertificateAuthority ca =
        DefaultCertificateAuthority.create("Example", Clock.systemUTC());
    X509Certificate root = ca.rootCertificate();
    X509Certificate kdhCa = ca.issuingCertificate(Role.KDH);
    X509Certificate krdCa = ca.issuingCertificate(Role.KRD);
    // each role's key is generated in `crypto` and certified from a PKCS#10 request
    DistributionTerminal kdh =
        Enrollment.enrollHost(
            ca,
            crypto,
            "Key Host 1",
            RandomKeySource.tdesMasterKeys(crypto.secureRandom()), // a fresh TMK per terminal
            DevicePolicy.anyCertifiedDevice(),
            new InMemoryKeyLedger());
    ReceivingTerminal device = Enrollment.enrollTerminal(ca, crypto, "POS 0001");

    KeyTransferHost host =
        KeyTransferHost.builder()
            .distributionTerminal(kdh)
            .cryptoProvider(crypto)
            .validationPolicy(
                ValidationPolicy.builder()
                    .trustAnchor(root)
                    .roleIssuer(Role.KDH, kdhCa)
                    .roleIssuer(Role.KRD, krdCa)
                    .crlSource(ca::crls) // current CRLs at every validation
                    .build())
            .workingKeys(krd -> List.of(pinKey(crypto), dataKey(crypto))) // TR-31 blocks after S4
            .build();
    KeyTransferTerminal terminal =
        KeyTransferTerminal.builder()
            .receivingTerminal(device)
            .cryptoProvider(crypto)
            .validationPolicy(
                ValidationPolicy.builder() // the host's CRLs arrive in its credential token
                    .trustAnchor(root)
                    .roleIssuer(Role.KDH, kdhCa)
                    .roleIssuer(Role.KRD, krdCa)
                    .build())
            .expectWorkingKeys(true)
            .build();

    InMemoryTransport.Pair wire = InMemoryTransport.pair();
    CompletableFuture<DeliveryReceipt> delivered =
        CompletableFuture.supplyAsync(() -> serve(host, wire.hostEnd()));
    KeyReceipt receipt = terminal.receiveKey(wire.terminalEnd()); // S2-S4
    delivered.join(); // the host's ledger: DELIVERED, then CONFIRMED by the terminal's KCV
    return receipt;
  }

  /** A host that chooses per terminal what answers its nonce (TR-34 B.8, B.9, B.11, B.14). */
  static KeyTransferHost.Builder lifecycle(
      KeyTransferHost.Builder builder,
      Predicate<X509Certificate> retiring,
      Predicate<X509Certificate> moving,
      CertificateChain newKdhChain) {
    return builder.operations(
        krd ->
            retiring.test(krd)
                ? new HostOperation.Unbind() // UBT-KDH (B.14)
                : moving.test(krd)
                    ? new HostOperation.Rebind(newKdhChain) // RBT-KDH (B.11)
                    : HostOperation.deliverKey()); // KT-KDH (B.9); or DeliverKeyOnePass (B.8)
  }

  private static DeliverableKey pinKey(CryptoProvider crypto) throws KeyTransferException {
    return new DeliverableKey(KeyBlockHeader.parse("B0000P0TE00N0000"), randomKey(crypto, 16));
  }

  private static DeliverableKey dataKey(CryptoProvider crypto) throws KeyTransferException {
    return new DeliverableKey(KeyBlockHeader.parse("B0000D0TB00N0000"), randomKey(crypto, 16));
  }

  private static SecretKeyMaterial randomKey(CryptoProvider crypto, int length) {
    byte[] k = new byte[length];
    crypto.secureRandom().nextBytes(k);
    return SecretKeyMaterial.adopt(k);
  }

  private static DeliveryReceipt serve(KeyTransferHost host, InMemoryTransport end) {
    try {
      return host.serve(end);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
