package dev.keytransfer.crypto.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.handshake.Handshakes;
import dev.keytransfer.core.handshake.KdhHandshake;
import dev.keytransfer.core.handshake.KrdHandshake;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.KdhKeyToken;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.pki.PkixCertificateValidator;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/SECURITY.md P6: the terminal verifies signer, signature and nonce before it lets its private
 * key touch a key token. The terminal's provider here counts key-transport decryptions.
 */
class KrdCheckOrderTest {
  private static TestPki pki;
  private static TestPki.Leaf kdh;
  private static TestPki.Leaf krd;
  private final BcCryptoProvider bc = new BcCryptoProvider();
  private final AtomicInteger decryptions = new AtomicInteger();

  @BeforeAll
  static void setUp() {
    pki = TestPki.create("Order");
    kdh = pki.validLeaf(Role.KDH, "Order KDH");
    krd = pki.validLeaf(Role.KRD, "Order KRD");
  }

  /** The Bouncy Castle provider, counting decryptKey calls. */
  private CryptoProvider counting() {
    return (CryptoProvider)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {CryptoProvider.class},
            (p, m, a) -> {
              if (m.getName().equals("decryptKey")) {
                decryptions.incrementAndGet();
              }
              try {
                return m.invoke(bc, a);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /** Runs S2-S4 up to the key token; returns the terminal machine and the host's genuine token. */
  private Object[] upToKeyToken() throws KeyTransferException {
    CryptoProvider terminalCrypto = counting();
    ReceivingTerminal device = pki.terminal(krd);
    KrdHandshake t =
        Handshakes.terminal(
            device,
            terminalCrypto,
            new Tr34TokenCodec(terminalCrypto),
            new PkixCertificateValidator(pki.terminalPolicy()),
            Clock.systemUTC(),
            KrdHandshake.Options.defaults());
    KdhHandshake h =
        Handshakes.host(
            pki.host(
                kdh,
                pki::kdhPathCrls,
                RandomKeySource.tdesMasterKeys(bc.secureRandom()),
                new InMemoryKeyLedger()),
            bc,
            new Tr34TokenCodec(bc),
            new PkixCertificateValidator(pki.hostPolicy()),
            Clock.systemUTC(),
            KdhHandshake.Options.defaults());
    HandshakeMessage m = t.start();
    m = h.onMessage(m).orElseThrow();
    m = t.onMessage(m).orElseThrow();
    m = h.onMessage(m).orElseThrow();
    return new Object[] {t, m, device};
  }

  @Test
  void badSignature_noDecryption() throws Exception {
    Object[] s = upToKeyToken();
    KdhKeyToken genuine = (KdhKeyToken) s[1];
    byte[] bytes = genuine.encoded();
    bytes[bytes.length - 1] ^= 1;
    KeyTransferException e =
        catchThrowableOfType(
            KeyTransferException.class,
            () ->
                ((KrdHandshake) s[0])
                    .onMessage(new KdhKeyToken(Bytes.copyOf(bytes), genuine.claimedSigner())));
    assertThat(e.code()).isEqualTo(ErrorCode.SIGNATURE_INVALID);
    assertThat(decryptions).hasValue(0);
  }

  @Test
  void replayedToken_nonceRefusedBeforeDecryption() throws Exception {
    KdhKeyToken old = (KdhKeyToken) upToKeyToken()[1];
    Object[] s = upToKeyToken();
    KeyTransferException e =
        catchThrowableOfType(
            KeyTransferException.class, () -> ((KrdHandshake) s[0]).onMessage(old));
    assertThat(e.code()).isEqualTo(ErrorCode.NONCE_MISMATCH);
    assertThat(decryptions).hasValue(0);
    assertThat(((ReceivingTerminal) s[2]).keyStore().size()).isZero();
  }

  @Test
  void genuineToken_decryptsOnce() throws Exception {
    Object[] s = upToKeyToken();
    ((KrdHandshake) s[0]).onMessage((KdhKeyToken) s[1]);
    assertThat(decryptions).hasValue(1);
    // installed as pending; current once the host acknowledges the confirmation
    assertThat(((KrdHandshake) s[0]).state()).isEqualTo(KrdHandshake.State.AWAIT_KEY_CONFIRMED);
  }

  @Test
  void decryptKey_garbage_uniformFailure() throws Exception {
    PrivateKeyHandle key = krd.key();
    KeyTokenException a =
        catchThrowableOfType(
            KeyTokenException.class,
            () -> bc.decryptKey(key, Algorithms.KeyTransport.RSA_OAEP_SHA256, new byte[256]));
    KeyTokenException b =
        catchThrowableOfType(
            KeyTokenException.class,
            () -> bc.decryptKey(key, Algorithms.KeyTransport.RSA_OAEP_SHA256, new byte[3]));
    KeyTokenException c =
        catchThrowableOfType(
            KeyTokenException.class,
            () ->
                bc.decrypt(
                    Algorithms.ContentEncryption.AES_128_CBC,
                    SecretKeyMaterial.copyOf(new byte[16]),
                    new byte[16],
                    new byte[0]));
    for (KeyTokenException x : new KeyTokenException[] {a, b, c}) {
      assertThat(x.code()).isEqualTo(ErrorCode.KEY_TOKEN_INVALID);
      assertThat(x.getMessage()).isEqualTo(KeyTokenException.DECRYPTION_FAILED);
      assertThat(x.getCause()).isNull();
    }
  }
}
