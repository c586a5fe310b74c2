package dev.keytransfer.examples.cli;

import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.tls.TlsSettings;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.transport.tcp.TcpTransport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The key receiving device. */
@Command(
    name = "krd",
    mixinStandardHelpOptions = true,
    description = "The key receiving device (TR-34 KRD).",
    subcommands = {KrdCommand.Fetch.class})
final class KrdCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: fetch");
  }

  @Command(
      name = "fetch",
      mixinStandardHelpOptions = true,
      description =
          "Run S2-S4 against a key host and print the received key's header and KCV; the"
              + " terminal's binding and keys are kept in DIR/NAME.terminal/ between runs.")
  static final class Fetch implements Callable<Integer> {
    @Option(
        names = "--dir",
        required = true,
        description = "The CA directory holding NAME.crt.pem and NAME.key.pem.")
    Path dir;

    @Option(names = "--name", required = true, description = "The terminal's certificate name.")
    String name;

    @Option(
        names = "--host",
        defaultValue = "127.0.0.1",
        description = "Key host address (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", required = true, description = "Key host port.")
    int port;

    @Option(
        names = "--timeout",
        defaultValue = "30",
        description =
            "Seconds for the connect and for each step, the whole frame within it (default:"
                + " ${DEFAULT-VALUE}).")
    int timeout;

    @Option(
        names = "--session-timeout",
        defaultValue = "120",
        description =
            "Seconds the whole session may take, however the host spreads its bytes (default:"
                + " ${DEFAULT-VALUE}).")
    int sessionTimeout;

    @Option(
        names = "--tls-ca",
        paramLabel = "FILE",
        description =
            "Connect over TLS 1.3 (only), trusting the host's TLS certificate if it chains to a CA"
                + " in this PEM file (the JDK's default CAs are not trusted) and names --host in"
                + " its subjectAltName.")
    Path tlsCa;

    @Option(
        names = "--tls-cert",
        paramLabel = "FILE",
        description =
            "A TLS client certificate chain (PEM, leaf first) for a host that requires one"
                + " (mutual TLS); needs --tls-key and --tls-ca.")
    Path tlsCert;

    @Option(
        names = "--tls-key",
        paramLabel = "FILE",
        description =
            "The PEM private key of --tls-cert (RSA; if encrypted, its passphrase is asked like"
                + " every key's).")
    Path tlsKey;

    @Mixin PassphraseOption passphrase;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws KeyTransferException {
      OptionChecks.range(spec, "--port", port, 1, 65535);
      OptionChecks.range(spec, "--timeout", timeout, 1, 3600);
      OptionChecks.range(spec, "--session-timeout", sessionTimeout, 1, 86_400);
      TlsSettings tls = TlsOptions.client(spec, tlsCa, tlsCert, tlsKey, passphrase);
      CaDirectory d = CaDirectory.open(dir, passphrase);
      CertificateChain chain = CertificateChain.of(d.leaf(name), d.ca(Role.KRD));
      // the terminal's binding and keys are kept between runs (docs/SECURITY.md K8)
      try (TerminalState state = TerminalState.open(dir, name)) {
        spec.commandLine().getOut().println(state.describe());
        return fetch(d, chain, state, tls);
      }
    }

    private int fetch(CaDirectory d, CertificateChain chain, TerminalState state, TlsSettings tls)
        throws KeyTransferException {
      ReceivingTerminal device =
          ReceivingTerminal.of(
              chain, d.privateKey(name), state.terminalKeyStore(), state.bindingStore());
      KeyTransferTerminal terminal =
          KeyTransferTerminal.builder()
              .receivingTerminal(device)
              .cryptoProvider(new BcCryptoProvider())
              .validationPolicy(d.policy().build())
              .stepTimeout(Duration.ofSeconds(timeout))
              .sessionTimeout(Duration.ofSeconds(sessionTimeout))
              .build();
      KeyReceipt r;
      // the connect, and the TLS handshake with it, within the step and the session timeouts
      Duration connect = Duration.ofSeconds(Math.min(timeout, sessionTimeout));
      try (TcpTransport t =
          TcpTransport.connect(host, port, connect, TcpTransport.DEFAULT_MAX_FRAME_LENGTH, tls)) {
        r = terminal.receiveKey(t);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("kdh=" + r.kdhSubject());
      out.println("header=" + r.header());
      out.println("kcv=" + r.kcv().hex());
      return 0;
    }
  }
}
