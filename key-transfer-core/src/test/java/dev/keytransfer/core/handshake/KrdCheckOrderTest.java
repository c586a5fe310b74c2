package dev.keytransfer.core.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.handshake.KrdHandshake.State;
import dev.keytransfer.core.message.KdhKeyToken;
import dev.keytransfer.core.message.MessageType;
import org.junit.jupiter.api.Test;

/**
 * The terminal's check order on a key token (docs/SECURITY.md, "What the terminal checks"; P4, P6,
 * C11): signer is the bound KDH, signature, CRL, nonce, and only then decryption, idKDH and header;
 * the tentative binding is stored only after all of them passed.
 */
class KrdCheckOrderTest {
  /** A fresh terminal's session up to the host's key token, which is in flight. */
  private static FakeSession upToKeyToken() throws KeyTransferException {
    FakeSession p = new FakeSession();
    p.start();
    p.toHost();
    p.toTerminal();
    p.toHost();
    assertThat(p.pending.type()).isEqualTo(MessageType.KDH_KEY);
    p.codec.calls.clear();
    return p;
  }

  private static KeyTransferException refused(FakeSession p, KdhKeyToken token) {
    KeyTransferException e =
        catchThrowableOfType(KeyTransferException.class, () -> p.krd.onMessage(token));
    assertThat(p.krd.state()).isEqualTo(State.FAILED);
    assertThat(p.devices.keyStore.size()).isZero();
    assertThat(p.devices.binding.boundKdh()).isEmpty(); // the tentative binding is dropped
    return e;
  }

  @Test
  void genuineToken_verifiesThenDecryptsOnce_thenBinds() throws Exception {
    FakeSession p = upToKeyToken();
    p.toTerminal();
    assertThat(p.codec.calls).containsExactly("verifyKeyToken", "decryptKeyToken");
    assertThat(p.krd.state()).isEqualTo(State.AWAIT_KEY_CONFIRMED);
    assertThat(p.devices.binding.boundKdh()).contains(FakePki.KDH_1.leaf());
    assertThat(p.devices.keyStore.pending(Scenarios.KDH_ID)).isPresent();
  }

  @Test
  void anotherSigner_refusedBeforeTheSignatureIsChecked() throws Exception {
    FakeSession p = upToKeyToken();
    KdhKeyToken genuine = (KdhKeyToken) p.pending;
    KeyTransferException e =
        refused(p, new KdhKeyToken(Bytes.copyOf(genuine.encoded()), Scenarios.KRD_ID));
    assertThat(e.code()).isEqualTo(ErrorCode.SIGNER_NOT_BOUND);
    assertThat(p.codec.calls).isEmpty();
  }

  @Test
  void badSignature_noDecryption() throws Exception {
    FakeSession p = upToKeyToken();
    KdhKeyToken genuine = (KdhKeyToken) p.pending;
    byte[] bytes = genuine.encoded();
    bytes[bytes.length - 1] ^= 1;
    KeyTransferException e =
        refused(p, new KdhKeyToken(Bytes.copyOf(bytes), genuine.claimedSigner()));
    assertThat(e.code()).isEqualTo(ErrorCode.SIGNATURE_INVALID);
    assertThat(p.codec.calls).containsExactly("verifyKeyToken");
  }

  @Test
  void replayedToken_nonceRefusedBeforeDecryption() throws Exception {
    FakeSession p = upToKeyToken();
    KeyTransferException e = refused(p, tokenForAnotherSession(p.codec));
    assertThat(e.code()).isEqualTo(ErrorCode.NONCE_MISMATCH);
    assertThat(p.codec.calls).containsExactly("verifyKeyToken");
  }

  /** A genuine key token of KDH 1 from another session: it echoes that session's nonce. */
  private static KdhKeyToken tokenForAnotherSession(FakeTokenCodec codec)
      throws KeyTransferException {
    FakeSession other =
        new FakeSession(
            new FakeSession.Devices(), codec, HostOperations.deliverKeys(), false, false);
    other.start();
    other.toHost();
    other.toTerminal();
    other.toHost();
    return (KdhKeyToken) other.pending;
  }

  @Test
  void kdhCredential_bindsOnlyTentatively() throws Exception {
    FakeSession p = new FakeSession();
    p.start();
    p.toHost();
    p.toTerminal();
    assertThat(p.krd.state()).isEqualTo(State.AWAIT_KEY_TOKEN);
    assertThat(p.devices.binding.boundKdh()).isEmpty();
    p.krd.fail(ErrorCode.TRANSPORT_FAILURE); // the fake host drops the session
    assertThat(p.devices.binding.boundKdh()).isEmpty();
  }

  @Test
  void revokedKdh_refusedAtItsCredential_noNonceSent() throws Exception {
    FakeSession p = new FakeSession();
    p.terminalValidator.revoke(FakePki.KDH_1.leaf());
    p.start();
    p.toHost();
    KeyTransferException e =
        catchThrowableOfType(KeyTransferException.class, () -> p.krd.onMessage(p.pending));
    assertThat(e.code()).isEqualTo(ErrorCode.CERTIFICATE_REVOKED);
    assertThat(p.krd.state()).isEqualTo(State.FAILED);
    assertThat(p.devices.binding.boundKdh()).isEmpty();
  }
}
