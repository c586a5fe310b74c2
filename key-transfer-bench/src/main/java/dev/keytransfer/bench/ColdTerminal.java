package dev.keytransfer.bench;

import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryBindingStore;
import dev.keytransfer.core.store.InMemoryTerminalKeyStore;
import dev.keytransfer.crypto.Pem;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import dev.keytransfer.transport.tcp.TcpTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A terminal's first key in a fresh JVM: {@code ColdTerminal DIR HOST PORT} reads the terminal's
 * chain and key and the trust anchors from DIR (written by {@link ColdStart}), runs S2-S4 over TCP
 * on the JCA provider and prints {@code cold_terminal_ms=<ms> kcv=<hex>}: the wall time from the
 * first line of main to the installed key. It touches only what a terminal ships (docs/DESIGN.md,
 * "Modules"): core, crypto, transport and slf4j-api, no Bouncy Castle, no CA, no Netty; {@link
 * ColdStart} checks the class-load log of each run for that.
 */
public final class ColdTerminal {
  /** The files in DIR. */
  static final String CHAIN = "terminal-chain.pem";

  static final String KEY = "terminal-key.pem";
  static final String ROOT = "root.pem";
  static final String KDH_CA = "kdh-ca.pem";
  static final String KRD_CA = "krd-ca.pem";

  private ColdTerminal() {}

  public static void main(String[] args) throws Exception {
    long t0 = System.nanoTime();
    if (args.length != 3) {
      System.err.println("usage: ColdTerminal DIR HOST PORT");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    List<java.security.cert.X509Certificate> chain =
        Pem.certificates(Pem.readFile(dir.resolve(CHAIN)));
    ReceivingTerminal device =
        ReceivingTerminal.of(
            new CertificateChain(chain),
            SoftwareKeyHandle.of(Pem.rsaKeyPair(Pem.readFile(dir.resolve(KEY))), "cold terminal"),
            new InMemoryTerminalKeyStore(),
            new InMemoryBindingStore());
    ValidationPolicy policy =
        ValidationPolicy.builder()
            .trustAnchor(Pem.certificate(Pem.readFile(dir.resolve(ROOT))))
            .roleIssuer(Role.KDH, Pem.certificate(Pem.readFile(dir.resolve(KDH_CA))))
            .roleIssuer(Role.KRD, Pem.certificate(Pem.readFile(dir.resolve(KRD_CA))))
            .build();
    KeyTransferTerminal terminal =
        KeyTransferTerminal.builder()
            .receivingTerminal(device)
            .cryptoProvider(new JcaCryptoProvider())
            .validationPolicy(policy)
            .build();
    KeyReceipt receipt;
    try (TcpTransport t =
        TcpTransport.connect(
            args[1],
            Integer.parseInt(args[2]),
            Duration.ofSeconds(30),
            TcpTransport.DEFAULT_MAX_FRAME_LENGTH)) {
      receipt = terminal.receiveKey(t);
    }
    if (device.keyStore().current().isEmpty()) {
      throw new IllegalStateException("no key installed");
    }
    double ms = (System.nanoTime() - t0) / 1e6;
    System.out.println(
        String.format(
            java.util.Locale.ROOT, "cold_terminal_ms=%.1f kcv=%s", ms, receipt.kcv().hex()));
  }
}
