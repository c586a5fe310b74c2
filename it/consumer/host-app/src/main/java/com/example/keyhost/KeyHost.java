package com.example.keyhost;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.KeySource;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.pki.PkiFiles;
import dev.keytransfer.jdbc.JdbcKeyLedger;
import dev.keytransfer.transport.tcp.TcpKeyServer;
import java.nio.file.Path;
import java.util.Arrays;

/** Serves terminals over TCP: {@code KeyHost DIR NAME PORT}, DIR made by {@code keytransfer ca}. */
public final class KeyHost {
  public static void main(String[] args) throws Exception {
    PkiFiles pki = PkiFiles.in(Path.of(args[0])); // NAME.key.pem, NAME.crt.pem, CA certs, CRLs
    CryptoProvider crypto = new BcCryptoProvider();
    KeySource masterKeys = RandomKeySource.tdesMasterKeys(crypto.secureRandom()); // one per POS
    DevicePolicy devices = DevicePolicy.anyCertifiedDevice(); // or your own allow-list
    try (var ledger = JdbcKeyLedger.embedded(pki.dir().resolve("ledger"))) { // H2 file, audited
      char[] passphrase = System.getenv("KEYTRANSFER_PASSPHRASE").toCharArray(); // NAME.key.pem's
      DistributionTerminal kdh = pki.host(args[1], passphrase, masterKeys, devices, ledger);
      Arrays.fill(passphrase, '\0'); // the key is decrypted: the passphrase is needed no more
      KeyTransferHost host =
          KeyTransferHost.builder()
              .distributionTerminal(kdh)
              .cryptoProvider(crypto)
              .validationPolicy(pki.validationPolicy().build()) // root, role CAs, live CRLs
              .build();
      try (var server = TcpKeyServer.builder().port(Integer.parseInt(args[2])).build(host::serve)) {
        server.start();
        System.out.println("serving on port " + server.port());
        Thread.currentThread().join(); // serves until the process is stopped
      }
    }
  }
}
