package com.example.pos;

import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.DeviceKeys;
import dev.keytransfer.core.store.FileBindingStore;
import dev.keytransfer.core.store.FileTerminalKeyStore;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import dev.keytransfer.crypto.pki.PkiFiles;
import dev.keytransfer.transport.tcp.TcpTransport;
import java.nio.file.Path;
import java.util.Arrays;
import javax.crypto.SecretKey;

/** Fetches this terminal's master key: {@code FetchKey DIR NAME HOST PORT}. */
public final class FetchKey {
  public static void main(String[] args) throws Exception {
    PkiFiles pki = PkiFiles.in(Path.of(args[0])); // NAME.key.pem, NAME.crt.pem, CA certs
    Path state = pki.dir().resolve("state"); // binding and keys, kept between runs
    // a real device passes its hardware-backed key (Android Keystore, PKCS#11) instead
    SecretKey deviceKey = DeviceKeys.loadOrCreateDevelopmentKey(state.resolve("device.key"));
    try (var keys = FileTerminalKeyStore.open(state, deviceKey);
        var binding = FileBindingStore.open(state, deviceKey)) {
      char[] passphrase = System.getenv("KEYTRANSFER_PASSPHRASE").toCharArray(); // NAME.key.pem's
      ReceivingTerminal device = pki.terminal(args[1], passphrase, keys, binding);
      Arrays.fill(passphrase, '\0');
      KeyTransferTerminal terminal =
          KeyTransferTerminal.builder()
              .receivingTerminal(device)
              .cryptoProvider(new JcaCryptoProvider())
              .validationPolicy(pki.validationPolicy().build()) // root, role CAs
              .build();
      try (TcpTransport connection = TcpTransport.connect(args[2], Integer.parseInt(args[3]))) {
        KeyReceipt receipt = terminal.receiveKey(connection); // S2-S4; the key is in the key store
        System.out.println("header=" + receipt.header() + " kcv=" + receipt.kcv().hex());
      }
    }
  }
}
