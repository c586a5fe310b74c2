package dev.keytransfer.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.transport.InMemoryTransport;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Found by attack: a machine looks the frame type up in its transition table before anything is
 * parsed. A frame whose type the current state does not accept is UNEXPECTED_MESSAGE even when its
 * payload is garbage; the payload is never handed to a parser.
 */
class ParseAfterStateCheckTest {
  private static final BcCryptoProvider crypto = new BcCryptoProvider();
  private static final ExecutorService peers = Executors.newCachedThreadPool();
  private static TestPki pki;
  private static TestPki.Leaf kdh;

  @BeforeAll
  static void setUp() {
    pki = TestPki.create("ParseOrder");
    kdh = pki.validLeaf(Role.KDH, "ParseOrder KDH");
  }

  @AfterAll
  static void tearDown() {
    peers.shutdownNow();
  }

  private static byte[] garbageFrame(MessageType type) {
    return new byte[] {(byte) MessageCodec.PROTOCOL_VERSION, (byte) type.wireValue(), 0x30, 0x7F};
  }

  /** The terminal, waiting for CT-KDH, gets any other token type with a payload that is not DER. */
  @ParameterizedTest
  @EnumSource(
      value = MessageType.class,
      names = {
        "KRD_CREDENTIAL",
        "KRD_RANDOM",
        "KDH_KEY",
        "KDH_KEY_ONE_PASS",
        "KDH_UNBIND",
        "CA_UNBIND",
        "KDH_REBIND",
        "CA_REBIND",
        "KEY_INSTALLED",
        "WORKING_KEYS",
        "WORKING_KEYS_INSTALLED",
        "BINDING_UPDATED",
        "KEY_CONFIRMED",
        "PENDING_KEY"
      })
  void terminal_awaitingCredential_refusesOtherTypeUnparsed(MessageType type) throws Exception {
    ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "ParseOrder POS"));
    KeyTransferTerminal terminal =
        KeyTransferTerminal.builder()
            .receivingTerminal(device)
            .cryptoProvider(crypto)
            .validationPolicy(pki.terminalPolicy())
            .stepTimeout(Wire.STEP)
            .build();
    InMemoryTransport.Pair pair = InMemoryTransport.pair();
    Future<?> fakeHost =
        peers.submit(
            () -> {
              pair.hostEnd().receive(Wire.STEP); // CT-KRD
              pair.hostEnd().send(garbageFrame(type));
              return null;
            });
    KeyTransferException e =
        catchThrowableOfType(
            () -> terminal.session(pair.terminalEnd()), KeyTransferException.class);
    fakeHost.get(10, TimeUnit.SECONDS);
    assertThat(e.code()).isEqualTo(ErrorCode.UNEXPECTED_MESSAGE);
    assertThat(device.keyStore().size()).isZero();
  }

  /** The host, waiting for CT-KRD, gets any other token type with a payload that is not DER. */
  @ParameterizedTest
  @EnumSource(
      value = MessageType.class,
      names = {
        "KDH_CREDENTIAL",
        "KRD_RANDOM",
        "KDH_KEY",
        "KDH_KEY_ONE_PASS",
        "KDH_UNBIND",
        "CA_UNBIND",
        "KDH_REBIND",
        "CA_REBIND",
        "KEY_INSTALLED",
        "WORKING_KEYS",
        "WORKING_KEYS_INSTALLED",
        "BINDING_UPDATED",
        "KEY_CONFIRMED",
        "PENDING_KEY"
      })
  void host_awaitingCredential_refusesOtherTypeUnparsed(MessageType type) throws Exception {
    KeyTransferHost host =
        KeyTransferHost.builder()
            .distributionTerminal(
                pki.host(
                    kdh,
                    pki::kdhPathCrls,
                    RandomKeySource.tdesMasterKeys(crypto.secureRandom()),
                    new InMemoryKeyLedger()))
            .cryptoProvider(crypto)
            .validationPolicy(pki.hostPolicy())
            .stepTimeout(Wire.STEP)
            .build();
    InMemoryTransport.Pair pair = InMemoryTransport.pair();
    pair.terminalEnd().send(garbageFrame(type));
    KeyTransferException e =
        catchThrowableOfType(() -> host.serve(pair.hostEnd()), KeyTransferException.class);
    assertThat(e.code()).isEqualTo(ErrorCode.UNEXPECTED_MESSAGE);
  }
}
