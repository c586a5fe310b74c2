package dev.keytransfer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.handshake.HostOperation;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.KeyTokenRequest;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bind, unbind, rebind and one-pass through the front doors and state machines (TR-34 B.8, B.10,
 * B.11, B.13, B.14; docs/SECURITY.md C11, P1-P3): the terminal obeys only its bound KDH (with this
 * session's nonce) or its authority (with a fresh signing time), forgets keys on unbind, switches
 * host on rebind, and accepts a one-pass key only with a signing time later than the last and
 * inside its window.
 */
class BindingLifecycleTest {
  private static final BcCryptoProvider crypto = new BcCryptoProvider();
  private static final Tr34TokenCodec codec = new Tr34TokenCodec(crypto);
  private static TestPki pki;
  private static TestPki.Leaf kdh1;
  private static TestPki.Leaf kdh2;

  @BeforeAll
  static void setUp() {
    pki = TestPki.create("Binding");
    kdh1 = pki.validLeaf(Role.KDH, "Binding KDH 1");
    kdh2 = pki.validLeaf(Role.KDH, "Binding KDH 2");
  }

  private final InMemoryKeyLedger ledger = new InMemoryKeyLedger();

  private Wire.Outcome session(
      ReceivingTerminal device, TestPki.Leaf kdh, HostOperation op, Wire.Interceptor wire)
      throws Exception {
    KeyTransferHost host =
        KeyTransferHost.builder()
            .distributionTerminal(
                pki.host(
                    kdh,
                    pki::kdhPathCrls,
                    RandomKeySource.tdesMasterKeys(crypto.secureRandom()),
                    ledger))
            .cryptoProvider(crypto)
            .validationPolicy(pki.hostPolicy())
            .stepTimeout(Wire.STEP)
            .operations(krd -> op)
            .build();
    KeyTransferTerminal terminal =
        KeyTransferTerminal.builder()
            .receivingTerminal(device)
            .cryptoProvider(crypto)
            .validationPolicy(pki.terminalPolicy())
            .stepTimeout(Wire.STEP)
            .acceptReplayableCaUnbind() // caUnbind_byTheTerminalsAuthority...; see
            // CaUnbindReplayTest
            .build();
    return Wire.run(terminal, host, wire);
  }

  /** A terminal bound to KDH 1 holding one key from it. */
  private ReceivingTerminal boundWithKey() throws Exception {
    ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "Binding POS"));
    assertThat(session(device, kdh1, HostOperation.deliverKey(), Wire.PASS).terminalError())
        .isNull();
    assertThat(device.keyStore().size()).isEqualTo(1);
    return device;
  }

  private static SoftwareKeyHandle authorityKey() {
    return SoftwareKeyHandle.of(
        new KeyPair(pki.krdCa.getPublicKey(), pki.caKey(pki.krdCa)), "KRD CA");
  }

  @Test
  void unbind_byBoundKdh_keysForgotten() throws Exception {
    ReceivingTerminal device = boundWithKey();
    Wire.Outcome o = session(device, kdh1, new HostOperation.Unbind(), Wire.PASS);
    assertThat(o.terminalError()).isNull();
    assertThat(o.hostError()).isNull();
    assertThat(o.terminalOutcome().rebound()).contains(false);
    assertThat(o.hostReceipt().operation()).isInstanceOf(HostOperation.Unbind.class);
    assertThat(device.keyStore().size()).isZero();
    assertThat(device.bindingStore().boundKdh()).isEmpty();
  }

  @Test
  void unbind_withoutThisSessionsNonce_refused_nothingForgotten() throws Exception {
    ReceivingTerminal device = boundWithKey();
    Wire.Outcome o =
        session(
            device,
            kdh1,
            new HostOperation.Unbind(),
            Wire.onPayload(MessageType.KRD_RANDOM, p -> TokenSurgery.flipBit(p, p.length - 1)));
    assertThat(o.terminalCode()).isEqualTo(ErrorCode.NONCE_MISMATCH);
    assertThat(device.keyStore().size()).isEqualTo(1);
    assertThat(device.bindingStore().boundKdh()).isPresent();
  }

  @Test
  void unbindOrRebind_fromHostNotBound_refusedAtS3() throws Exception {
    ReceivingTerminal device = boundWithKey();
    Wire.Outcome o = session(device, kdh2, new HostOperation.Unbind(), Wire.PASS);
    assertThat(o.terminalCode()).isEqualTo(ErrorCode.SIGNER_NOT_BOUND);
    assertThat(device.keyStore().size()).isEqualTo(1);
    assertThat(device.bindingStore().boundKdh().map(IssuerAndSerial::of))
        .contains(IssuerAndSerial.of(kdh1.certificate()));
  }

  @Test
  void aKdhCertificateWithTheBoundIssuerAndSerialButAnotherKey_refusedAtS3() throws Exception {
    ReceivingTerminal device = boundWithKey();
    TestPki.Leaf impostor =
        pki.leaf(Role.KDH, "Binding KDH 1").serial(kdh1.certificate().getSerialNumber()).build();
    assertThat(IssuerAndSerial.of(impostor.certificate()))
        .isEqualTo(IssuerAndSerial.of(kdh1.certificate()));
    Wire.Outcome o = session(device, impostor, HostOperation.deliverKey(), Wire.PASS);
    assertThat(o.terminalCode()).isEqualTo(ErrorCode.SIGNER_NOT_BOUND);
    assertThat(device.keyStore().size()).isEqualTo(1);
    assertThat(device.bindingStore().boundKdh()).contains(kdh1.certificate());
  }

  @Test
  void rebind_toKdh2_thenOnlyKdh2Serves() throws Exception {
    ReceivingTerminal device = boundWithKey();
    Wire.Outcome o = session(device, kdh1, new HostOperation.Rebind(kdh2.chain()), Wire.PASS);
    assertThat(o.terminalError()).isNull();
    assertThat(o.terminalOutcome().rebound()).contains(true);
    assertThat(device.bindingStore().boundKdh().map(IssuerAndSerial::of))
        .contains(IssuerAndSerial.of(kdh2.certificate()));
    assertThat(session(device, kdh2, HostOperation.deliverKey(), Wire.PASS).terminalError())
        .isNull();
    assertThat(session(device, kdh1, HostOperation.deliverKey(), Wire.PASS).terminalCode())
        .isEqualTo(ErrorCode.SIGNER_NOT_BOUND);
  }

  @Test
  void rebind_toACertificateThatIsNoKdh_refused_bindingUnchanged() throws Exception {
    ReceivingTerminal device = boundWithKey();
    TestPki.Leaf notAKdh = pki.validLeaf(Role.KRD, "not a KDH");
    Wire.Outcome o = session(device, kdh1, new HostOperation.Rebind(notAKdh.chain()), Wire.PASS);
    assertThat(o.terminalCode()).isEqualTo(ErrorCode.CERTIFICATE_WRONG_ROLE);
    assertThat(device.bindingStore().boundKdh().map(IssuerAndSerial::of))
        .contains(IssuerAndSerial.of(kdh1.certificate()));
  }

  @Test
  void caUnbind_byTheTerminalsAuthority_accepted_byAnotherCa_refused() throws Exception {
    ReceivingTerminal device = boundWithKey();
    IssuerAndSerial krdId = IssuerAndSerial.of(device.certificateChain().leaf());
    HandshakeMessage byKdhCa =
        codec.buildCaUnbindToken(
            pki.kdhCa,
            SoftwareKeyHandle.of(
                new KeyPair(pki.kdhCa.getPublicKey(), pki.caKey(pki.kdhCa)), "KDH CA"),
            krdId,
            IssuerAndSerial.of(kdh1.certificate()));
    assertThat(
            session(device, kdh1, new HostOperation.RelayAuthorityToken(byKdhCa), Wire.PASS)
                .terminalCode())
        .isEqualTo(ErrorCode.SIGNER_NOT_BOUND);
    assertThat(device.bindingStore().boundKdh()).isPresent();

    HandshakeMessage byKrdCa =
        codec.buildCaUnbindToken(
            pki.krdCa, authorityKey(), krdId, IssuerAndSerial.of(kdh1.certificate()));
    Wire.Outcome o =
        session(device, kdh1, new HostOperation.RelayAuthorityToken(byKrdCa), Wire.PASS);
    assertThat(o.terminalError()).isNull();
    assertThat(device.bindingStore().boundKdh()).isEmpty();
    assertThat(device.keyStore().size()).isZero();
  }

  @Test
  void caRebind_freshSigningTimeAccepted_replayRefused() throws Exception {
    ReceivingTerminal device = boundWithKey();
    IssuerAndSerial krdId = IssuerAndSerial.of(device.certificateChain().leaf());
    HandshakeMessage rebind =
        codec.buildCaRebindToken(
            pki.krdCa,
            authorityKey(),
            krdId,
            IssuerAndSerial.of(kdh1.certificate()),
            kdh2.chain(),
            Instant.now(),
            pki.kdhPathCrls());
    assertThat(
            session(device, kdh1, new HostOperation.RelayAuthorityToken(rebind), Wire.PASS)
                .terminalError())
        .isNull();
    assertThat(device.bindingStore().boundKdh().map(IssuerAndSerial::of))
        .contains(IssuerAndSerial.of(kdh2.certificate()));
    // the same authority token relayed again, now by the new host: its time is not later
    Wire.Outcome replay =
        session(device, kdh2, new HostOperation.RelayAuthorityToken(rebind), Wire.PASS);
    assertThat(replay.terminalCode()).isEqualTo(ErrorCode.NONCE_MISMATCH);
  }

  @Test
  void onePass_inSession_installedAndConfirmed_replayRefused() throws Exception {
    ReceivingTerminal device = boundWithKey();
    AtomicReference<byte[]> recorded = new AtomicReference<>();
    Wire.Outcome o =
        session(
            device,
            kdh1,
            new HostOperation.DeliverKeyOnePass(),
            (t, f) -> {
              if (t == MessageType.KDH_KEY_ONE_PASS) {
                recorded.set(f);
              }
              return f;
            });
    assertThat(o.terminalError()).isNull();
    assertThat(o.terminalReceipt()).isNotNull();
    // the one-pass key supersedes the earlier master key from the same host, which is wiped
    assertThat(device.keyStore().size()).isEqualTo(1);
    assertThat(ledger.entries()).allMatch(e -> e.status() == DeliveryStatus.CONFIRMED);
    assertThat(recorded.get()).isNotNull();
    // the same one-pass token in a later session: its signing time is not later than the last
    Wire.Outcome replay =
        session(
            device,
            kdh1,
            new HostOperation.DeliverKeyOnePass(),
            (t, f) -> t == MessageType.KDH_KEY_ONE_PASS ? recorded.get() : f);
    assertThat(replay.terminalCode()).isEqualTo(ErrorCode.NONCE_MISMATCH);
    assertThat(device.keyStore().size()).isEqualTo(1);
  }

  @Test
  void onePass_signedOutsideTheWindow_refused() throws Exception {
    ReceivingTerminal device = boundWithKey();
    Wire.Outcome o =
        session(
            device,
            kdh1,
            new HostOperation.DeliverKeyOnePass(),
            (t, f) -> {
              if (t != MessageType.KDH_KEY_ONE_PASS) {
                return f;
              }
              try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(new byte[24])) {
                return new MessageCodec(codec)
                    .encode(
                        codec.buildKeyToken(
                            KeyTokenRequest.onePass(
                                kdh1.certificate(),
                                kdh1.key(),
                                device.certificateChain().leaf(),
                                Instant.now().minus(Duration.ofHours(1)),
                                KeyBlockHeader.parse("A0000K0TB00E0000"),
                                k,
                                pki.kdhPathCrls())));
              }
            });
    assertThat(o.terminalCode()).isEqualTo(ErrorCode.NONCE_MISMATCH);
    assertThat(device.keyStore().size()).isEqualTo(1);
  }
}
