package dev.keytransfer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.handshake.HostOperation;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.spi.InstalledKey;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.DeviceKeys;
import dev.keytransfer.core.store.FileBindingStore;
import dev.keytransfer.core.store.FileTerminalKeyStore;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A terminal whose state is in {@link FileBindingStore} and {@link FileTerminalKeyStore} is
 * restarted (stores closed, reopened on the same directory, a new {@link KeyTransferTerminal}) and
 * still holds its binding (C11), its signing times (P2, P3), its newest CRL marks (C14) and its
 * current and pending keys (K7): with state only in memory, a restarted terminal took the same
 * one-pass token a second time. Real tokens, real crypto (docs/SECURITY.md K8).
 */
class TerminalRestartTest {
  private static final BcCryptoProvider crypto = new BcCryptoProvider();
  private static TestPki pki;
  private static TestPki.Leaf kdh1;
  private static TestPki.Leaf kdh2;
  private static TestPki.Leaf krd;

  @BeforeAll
  static void setUp() {
    pki = TestPki.create("Restart");
    kdh1 = pki.validLeaf(Role.KDH, "Restart KDH 1");
    kdh2 = pki.validLeaf(Role.KDH, "Restart KDH 2");
    krd = pki.validLeaf(Role.KRD, "Restart POS");
  }

  @TempDir Path state;
  private SecretKey deviceKey;
  private final InMemoryKeyLedger ledger = new InMemoryKeyLedger();
  private Device device;

  /** A booted terminal: its stores, open on the state directory. */
  private record Device(
      ReceivingTerminal terminal, FileBindingStore binding, FileTerminalKeyStore keys)
      implements AutoCloseable {
    @Override
    public void close() {
      keys.close();
      binding.close();
    }
  }

  @BeforeEach
  void boot() throws Exception {
    deviceKey = DeviceKeys.loadOrCreateDevelopmentKey(state.resolve("device.key"));
    device = open();
  }

  @AfterEach
  void shutDown() {
    device.close();
  }

  private Device open() throws Exception {
    FileBindingStore binding = FileBindingStore.open(state, deviceKey);
    FileTerminalKeyStore keys = FileTerminalKeyStore.open(state, deviceKey);
    return new Device(ReceivingTerminal.of(krd.chain(), krd.key(), keys, binding), binding, keys);
  }

  /** Power cycle: everything in memory is gone, the directory is all that is left. */
  private void restart() throws Exception {
    device.close();
    device = open();
  }

  private Wire.Outcome session(
      TestPki.Leaf kdh, Supplier<List<X509CRL>> crls, HostOperation op, Wire.Interceptor wire)
      throws Exception {
    KeyTransferHost host =
        KeyTransferHost.builder()
            .distributionTerminal(
                pki.host(kdh, crls, RandomKeySource.tdesMasterKeys(crypto.secureRandom()), ledger))
            .cryptoProvider(crypto)
            .validationPolicy(pki.hostPolicy())
            .stepTimeout(Wire.STEP)
            .operations(k -> op)
            .build();
    KeyTransferTerminal terminal =
        KeyTransferTerminal.builder()
            .receivingTerminal(device.terminal())
            .cryptoProvider(crypto)
            .validationPolicy(pki.terminalPolicy())
            .stepTimeout(Wire.STEP)
            .build();
    return Wire.run(terminal, host, wire);
  }

  private Wire.Outcome session(TestPki.Leaf kdh, HostOperation op, Wire.Interceptor wire)
      throws Exception {
    return session(kdh, pki::kdhPathCrls, op, wire);
  }

  private KeyCheckValue currentKcv() {
    try (InstalledKey k = device.keys().current().orElseThrow()) {
      return k.kcv();
    }
  }

  private static Wire.Interceptor replaying(byte[] onePassFrame) {
    return (t, f) -> t == MessageType.KDH_KEY_ONE_PASS ? onePassFrame : f;
  }

  @Test
  void restart_keepsBindingAndKeys_andRefusesTheReplayedOnePassToken() throws Exception {
    assertThat(session(kdh1, HostOperation.deliverKey(), Wire.PASS).terminalError()).isNull();
    AtomicReference<byte[]> recorded = new AtomicReference<>();
    Wire.Outcome onePass =
        session(
            kdh1,
            new HostOperation.DeliverKeyOnePass(),
            (t, f) -> {
              if (t == MessageType.KDH_KEY_ONE_PASS) {
                recorded.set(f.clone());
              }
              return f;
            });
    assertThat(onePass.terminalError()).isNull();
    KeyCheckValue kcv = currentKcv();
    IssuerAndSerial signer = IssuerAndSerial.of(kdh1.certificate());
    Instant signed = device.binding().lastSigningTime(signer).orElseThrow();
    // without a restart, the replay is refused: its signing time is not later than the last
    ErrorCode withoutRestart =
        session(kdh1, new HostOperation.DeliverKeyOnePass(), replaying(recorded.get()))
            .terminalCode();
    assertThat(withoutRestart).isEqualTo(ErrorCode.NONCE_MISMATCH);

    restart();
    assertThat(device.binding().boundKdh().map(IssuerAndSerial::of)).contains(signer);
    assertThat(device.binding().lastSigningTime(signer)).contains(signed);
    assertThat(device.keys().size()).isEqualTo(1);
    assertThat(currentKcv()).isEqualTo(kcv);

    Wire.Outcome replay =
        session(kdh1, new HostOperation.DeliverKeyOnePass(), replaying(recorded.get()));
    assertThat(replay.terminalCode()).isEqualTo(withoutRestart);
    assertThat(replay.terminalReceipt()).isNull();
    assertThat(device.keys().size()).isEqualTo(1);
    assertThat(currentKcv()).isEqualTo(kcv);

    // and again after a second restart; a fresh one-pass token is still taken
    restart();
    assertThat(
            session(kdh1, new HostOperation.DeliverKeyOnePass(), replaying(recorded.get()))
                .terminalCode())
        .isEqualTo(withoutRestart);
    while (!Instant.now().truncatedTo(ChronoUnit.SECONDS).isAfter(signed)) {
      Thread.sleep(50); // signing times have whole seconds: the next token needs a later one
    }
    Wire.Outcome fresh = session(kdh1, new HostOperation.DeliverKeyOnePass(), Wire.PASS);
    assertThat(fresh.terminalError()).isNull();
    assertThat(device.keys().size()).isEqualTo(1);
    assertThat(currentKcv()).isEqualTo(fresh.terminalReceipt().kcv()).isNotEqualTo(kcv);
  }

  @Test
  void restart_keepsTheBoundKdh_anotherKdhRefused() throws Exception {
    assertThat(session(kdh1, HostOperation.deliverKey(), Wire.PASS).terminalError()).isNull();
    restart();
    Wire.Outcome other = session(kdh2, HostOperation.deliverKey(), Wire.PASS);
    assertThat(other.terminalCode()).isEqualTo(ErrorCode.SIGNER_NOT_BOUND);
    assertThat(device.binding().boundKdh().map(IssuerAndSerial::of))
        .contains(IssuerAndSerial.of(kdh1.certificate()));
    assertThat(session(kdh1, HostOperation.deliverKey(), Wire.PASS).terminalError()).isNull();
    assertThat(device.keys().size()).isEqualTo(1);
  }

  @Test
  void restart_keepsTheNewestCrl_anOlderOneRefused() throws Exception {
    List<X509CRL> older = pki.kdhPathCrls();
    assertThat(
            session(kdh1, pki::kdhPathCrls, HostOperation.deliverKey(), Wire.PASS).terminalError())
        .isNull();
    restart();
    Wire.Outcome o = session(kdh1, () -> older, HostOperation.deliverKey(), Wire.PASS);
    assertThat(o.terminalCode()).isEqualTo(ErrorCode.CRL_SUPERSEDED);
    assertThat(device.keys().size()).isEqualTo(1);
  }

  @Test
  void restart_withAKeyLeftPending_resolvedFromTheHostsLedger() throws Exception {
    // the host's acknowledgement is lost: the key stays pending on the terminal
    Wire.Outcome lost =
        session(
            kdh1,
            HostOperation.deliverKey(),
            Wire.onPayload(MessageType.KEY_CONFIRMED, p -> Arrays.copyOf(p, 1)));
    assertThat(lost.terminalError()).isNotNull();
    IssuerAndSerial host = IssuerAndSerial.of(kdh1.certificate());
    KeyCheckValue pendingKcv;
    try (InstalledKey p = device.keys().pending(host).orElseThrow()) {
      pendingKcv = p.kcv();
    }

    restart();
    assertThat(device.keys().size()).isZero();
    try (InstalledKey p = device.keys().pending(host).orElseThrow()) {
      assertThat(p.kcv()).isEqualTo(pendingKcv);
    }
    Wire.Outcome next = session(kdh1, HostOperation.deliverKey(), Wire.PASS);
    assertThat(next.terminalError()).isNull();
    assertThat(device.keys().pending(host)).isEmpty();
    assertThat(device.keys().size()).isEqualTo(1);
    restart();
    assertThat(currentKcv()).isEqualTo(next.terminalReceipt().kcv());
  }
}
