package dev.keytransfer.examples.snippets;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.tls.TlsSettings;
import dev.keytransfer.crypto.pki.TlsFiles;
import dev.keytransfer.netty.NettyKeyServer;
import dev.keytransfer.transport.tcp.TcpTransport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The TCP transport inside TLS 1.3, mutual: the README's TLS examples are taken from this file
 * (docs/SECURITY.md A3, "TLS, optional"). The TLS files are PEM, the TLS PKI apart from TR-34's.
 */
public final class OverTls {
  private OverTls() {}

  /** The host: its TLS certificate and key, and the CA of the terminals' TLS certificates. */
  public static NettyKeyServer<DeliveryReceipt> host(KeyTransferHost host, char[] passphrase)
      throws IOException, KeyTransferException {
    TlsSettings hostTls =
        TlsFiles.identity(Path.of("host1-tls.crt.pem"), Path.of("host1-tls.key.pem"), passphrase)
            .trust(TlsFiles.certificates(Path.of("tls-ca.crt.pem"))) // mutual: omit for server-only
            .build();
    return NettyKeyServer.builder().port(9555).tls(hostTls).build(host::openSession).start();
  }

  /** The terminal: the CA of the host's TLS certificate, and its own TLS client certificate. */
  public static KeyReceipt terminal(KeyTransferTerminal terminal)
      throws IOException, KeyTransferException {
    TlsSettings posTls =
        TlsFiles.identity(Path.of("pos1-tls.crt.pem"), Path.of("pos1-tls.key.pem"), null)
            .trust(TlsFiles.certificates(Path.of("tls-ca.crt.pem"))) // the host's name is checked
            .build();
    try (TcpTransport t =
        TcpTransport.connect(
            "localhost",
            9555,
            Duration.ofSeconds(30),
            TcpTransport.DEFAULT_MAX_FRAME_LENGTH,
            posTls)) {
      return terminal.receiveKey(t);
    }
  }
}
