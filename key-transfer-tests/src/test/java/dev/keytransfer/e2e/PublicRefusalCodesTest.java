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
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.transport.InMemoryTransport;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Found by attack (docs/SECURITY.md A2): the wire carries only a small set of public refusal codes.
 * The host used to tell an unauthenticated peer the exact reason (ABORT(CERTIFICATE_REVOKED) for
 * someone else's certificate), while the terminal only got PEER_ABORTED. Now the ABORT frame
 * carries the public class, the side that refused keeps the exact code, and the other side's
 * exception has the public code.
 */
class PublicRefusalCodesTest {
  private static final BcCryptoProvider crypto = new BcCryptoProvider();
  private static TestPki pki;
  private static TestPki.Leaf kdh;

  @BeforeAll
  static void setUp() {
    pki = TestPki.create("Refusal");
    kdh = pki.validLeaf(Role.KDH, "Refusal KDH");
  }

  private final InMemoryKeyLedger ledger = new InMemoryKeyLedger();

  private KeyTransferHost host() {
    return KeyTransferHost.builder()
        .distributionTerminal(
            pki.host(
                kdh,
                pki::kdhPathCrls,
                RandomKeySource.tdesMasterKeys(crypto.secureRandom()),
                ledger))
        .cryptoProvider(crypto)
        .validationPolicy(pki.hostPolicy())
        .stepTimeout(Wire.STEP)
        .build();
  }

  private static KeyTransferTerminal terminal(ReceivingTerminal device) {
    return KeyTransferTerminal.builder()
        .receivingTerminal(device)
        .cryptoProvider(crypto)
        .validationPolicy(pki.terminalPolicy())
        .stepTimeout(Wire.STEP)
        .build();
  }

  /** Records the wire value of every ABORT frame. */
  private static Wire.Interceptor recordAborts(List<Integer> aborts) {
    return (t, f) -> {
      if (t == MessageType.ABORT) {
        aborts.add(((f[2] & 0xFF) << 8) | (f[3] & 0xFF));
      }
      return f;
    };
  }

  @Test
  void revokedTerminal_wireSaysCertificateRefused_hostKeepsExactCode() throws Exception {
    TestPki.Leaf revoked = pki.validLeaf(Role.KRD, "Refusal revoked POS");
    pki.revoke(revoked.certificate());
    List<Integer> aborts = new CopyOnWriteArrayList<>();
    Wire.Outcome o = Wire.run(terminal(pki.terminal(revoked)), host(), recordAborts(aborts));
    assertThat(o.hostCode()).isEqualTo(ErrorCode.CERTIFICATE_REVOKED);
    assertThat(o.terminalCode()).isEqualTo(ErrorCode.PEER_REFUSED_CERTIFICATE);
    assertThat(aborts).containsExactly(ErrorCode.PEER_REFUSED_CERTIFICATE.wireValue());
  }

  @Test
  void tamperedKeyToken_hostLearnsTokenRefused_ledgerRejected() throws Exception {
    ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "Refusal POS"));
    List<Integer> aborts = new CopyOnWriteArrayList<>();
    Wire.Interceptor record = recordAborts(aborts);
    Wire.Outcome o =
        Wire.run(
            terminal(device),
            host(),
            (t, f) ->
                record.onFrame(
                    t, t == MessageType.KDH_KEY ? TokenSurgery.flipBit(f, f.length - 1) : f));
    assertThat(o.terminalCode()).isEqualTo(ErrorCode.SIGNATURE_INVALID);
    assertThat(o.hostCode()).isEqualTo(ErrorCode.PEER_REFUSED_TOKEN);
    assertThat(aborts).containsExactly(ErrorCode.PEER_REFUSED_TOKEN.wireValue());
    assertThat(ledger.entries()).allMatch(e -> e.status() == DeliveryStatus.REJECTED);
  }

  @Test
  void unexpectedFrame_peerLearnsProtocolError() throws Exception {
    InMemoryTransport.Pair pair = InMemoryTransport.pair();
    pair.terminalEnd().send(new byte[] {(byte) MessageCodec.PROTOCOL_VERSION, 4, 0x30, 0x00});
    KeyTransferException e =
        catchThrowableOfType(() -> host().serve(pair.hostEnd()), KeyTransferException.class);
    assertThat(e.code()).isEqualTo(ErrorCode.UNEXPECTED_MESSAGE);
    byte[] abort = pair.terminalEnd().receive(Wire.STEP);
    assertThat(abort[1]).isEqualTo((byte) MessageType.ABORT.wireValue());
    assertThat(((abort[2] & 0xFF) << 8) | (abort[3] & 0xFF))
        .isEqualTo(ErrorCode.PEER_PROTOCOL_ERROR.wireValue());
  }

  @Test
  void everyCode_hasAPublicClass_andAnOldPeersExactCodeIsReadAsItsClass() {
    for (ErrorCode c : ErrorCode.values()) {
      assertThat(c.publicCode().isPublic()).as(c.name()).isTrue();
      assertThat(c.publicCode().publicCode()).as(c.name()).isEqualTo(c.publicCode());
    }
    assertThat(ErrorCode.CERTIFICATE_REVOKED.publicCode())
        .isEqualTo(ErrorCode.PEER_REFUSED_CERTIFICATE);
    assertThat(ErrorCode.DEVICE_NOT_AUTHORIZED.publicCode())
        .isEqualTo(ErrorCode.PEER_REFUSED_CERTIFICATE);
    assertThat(ErrorCode.NONCE_MISMATCH.publicCode()).isEqualTo(ErrorCode.PEER_REFUSED_TOKEN);
    assertThat(ErrorCode.STORAGE_FAILURE.publicCode()).isEqualTo(ErrorCode.PEER_TRY_LATER);
    assertThat(ErrorCode.MALFORMED_FRAME.publicCode()).isEqualTo(ErrorCode.PEER_PROTOCOL_ERROR);
    assertThat(ErrorCode.fromWireValue(9999)).isEqualTo(ErrorCode.PEER_ABORTED);
  }
}
