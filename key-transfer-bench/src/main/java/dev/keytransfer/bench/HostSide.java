package dev.keytransfer.bench;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.core.handshake.FrameSession;
import dev.keytransfer.core.message.KeyInstalled;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The host's side of complete two-pass handshakes: a real {@link KeyTransferHost#openSession()}
 * (validation of the terminal, CT-KDH, key token, ledger) driven frame by frame against a scripted
 * terminal that costs almost nothing. Each worker cycles through the {@link Fixtures#fleet} of its
 * pool terminal, so every session comes from a certificate the host has not seen in the last
 * {@value Fixtures#FLEET_SIZE} sessions of that worker: the host parses it, verifies its signature
 * and checks it against the CRL as for a fleet of distinct devices. Each CT-KRD is encoded once,
 * each session's RT-KRD carries a fresh random nonce (drawn from a non-cryptographic generator: it
 * is the peer's cost, not the host's; in the ECDH mode with no zero byte), and its key-installed
 * confirmation carries the KCV the {@link BenchKeySource} fixed for that certificate, so no RSA
 * decryption is needed. Every session must end with the receipt of the right KCV and a CONFIRMED
 * ledger entry, or the call throws.
 *
 * <p>Thread-safe host, per-thread state: each thread takes its own {@link Worker}.
 */
public final class HostSide {
  private final Fixtures fixtures;
  private final KeyTransferHost host;
  private final MessageCodec messages;
  private final Tr34TokenCodec codec;

  public HostSide(Fixtures f) {
    this.fixtures = f;
    this.host = f.host();
    this.codec = new Tr34TokenCodec(f.crypto());
    this.messages = new MessageCodec(codec);
  }

  /**
   * A worker scripting the fleet of pool terminal {@code index} (modulo the pool), for one thread.
   */
  public Worker worker(int index) throws KeyTransferException {
    return new Worker(index % fixtures.terminalCount());
  }

  /** One thread's scripted terminal. Not thread-safe. */
  public final class Worker {
    private final byte[][] ctKrd;
    private final byte[][] keyInstalled;
    private final KeyCheckValue[] kcv;
    private int next;
    private final byte[] nonce = new byte[Nonce.MAX_LENGTH];
    private final boolean ecdh = fixtures.mode() == Mode.ECDH;

    private Worker(int terminal) throws KeyTransferException {
      List<CertificateChain> fleet = fixtures.fleet(terminal);
      this.ctKrd = new byte[fleet.size()][];
      this.keyInstalled = new byte[fleet.size()][];
      this.kcv = new KeyCheckValue[fleet.size()];
      for (int i = 0; i < fleet.size(); i++) {
        ctKrd[i] = messages.encode(codec.encodeKrdCredential(fleet.get(i)));
        kcv[i] = fixtures.keySource().kcvOf(fleet.get(i).leaf());
        keyInstalled[i] = messages.encode(new KeyInstalled(kcv[i]));
      }
      handshake(); // fails here, before any measurement, if the script does not fit the host
    }

    /** One complete session; throws unless it ended CONFIRMED. */
    public DeliveryReceipt handshake() throws KeyTransferException {
      int c = next;
      next = (c + 1) % ctKrd.length;
      FrameSession<DeliveryReceipt> s = host.openSession();
      s.start(Optional.empty());
      expect(s, s.onFrame(ctKrd[c]), MessageType.KDH_CREDENTIAL, false);
      ThreadLocalRandom random = ThreadLocalRandom.current();
      random.nextBytes(nonce);
      if (ecdh) {
        for (int i = 0; i < nonce.length; i++) {
          while (nonce[i] == 0) {
            nonce[i] = (byte) random.nextInt(256); // the ECDH mode's fresh value has no zero byte
          }
        }
      }
      byte[] rtKrd = messages.encode(codec.encodeRandomToken(Nonce.of(nonce)));
      expect(s, s.onFrame(rtKrd), ecdh ? MessageType.KDH_ECDH_KEY : MessageType.KDH_KEY, false);
      expect(s, s.onFrame(keyInstalled[c]), MessageType.KEY_CONFIRMED, true);
      DeliveryReceipt r =
          s.result().orElseThrow(() -> new IllegalStateException("host session has no result"));
      Checks.confirmed(r, fixtures.ledger(), kcv[c]);
      return r;
    }

    private void expect(
        FrameSession<DeliveryReceipt> s,
        FrameSession.Output out,
        MessageType type,
        boolean finished)
        throws MalformedTokenException {
      if (out.frames().size() != 1
          || out.finished() != finished
          || messages.typeOf(out.frames().get(0)) != type) {
        throw new IllegalStateException(
            "host session did not answer with "
                + type
                + ": "
                + s.failure().map(e -> e.code() + " " + e.getMessage()).orElse("no failure"));
      }
    }
  }
}
