package dev.keytransfer.bench;

import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.TransportException;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.spi.Transport;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;

/**
 * The terminal's side of complete two-pass handshakes: a real {@link KeyTransferTerminal} on the
 * provider (validation of the host's chain and CRLs, the key token's signature, nonce, decryption,
 * checks, install, confirmation) against a scripted host that replays recorded frames.
 *
 * <p>Recorded ahead, not timed: each {@link Worker} gives its terminal a {@link
 * ScriptedNonceProvider} whose random generator hands out a known cycle of {@link #CYCLE} nonces,
 * and runs that many real sessions against the real host of the fixtures, recording every frame.
 * The measured sessions then replay the cycle: the terminal draws the same nonces in the same
 * order, and the scripted host checks that each frame the terminal sends is byte for byte the
 * recorded one before it answers with the recorded reply (CT-KDH, the key token for that nonce, the
 * acknowledgement). The terminal keeps no memory of past nonces across sessions, so a replayed
 * cycle is what it would see from a live host; its binding and CRL marks stay those of the same
 * host. Each session must end with the key installed (the receipt's and the store's KCV), or the
 * call throws.
 *
 * <p>Per-thread state: each thread takes its own {@link Worker} (its own stores).
 */
public final class TerminalSide {
  /** Sessions recorded per worker, replayed in a cycle. */
  public static final int CYCLE = 16;

  private final Fixtures fixtures;

  public TerminalSide(Fixtures f) {
    this.fixtures = f;
  }

  /** A worker on pool terminal {@code index} (modulo the pool), with its own stores. */
  public Worker worker(int index) throws KeyTransferException {
    return new Worker(index % fixtures.terminalCount());
  }

  /** One thread's terminal and its scripted host. Not thread-safe. */
  public final class Worker {
    private final ReceivingTerminal device;
    private final KeyTransferTerminal terminal;
    private final KeyCheckValue kcv;
    private final Replay replay;

    private Worker(int index) throws KeyTransferException {
      this.device = fixtures.freshTerminal(index);
      this.kcv = fixtures.kcvOf(index);
      byte[][] nonces = new byte[CYCLE][Nonce.MAX_LENGTH];
      SecureRandom random = new SecureRandom();
      for (byte[] n : nonces) {
        Nonce.fillWithoutZeroBytes(random, n); // what either mode may draw
      }
      ScriptedNonceProvider.Script script = new ScriptedNonceProvider.Script(nonces);
      this.terminal =
          KeyTransferTerminal.builder()
              .receivingTerminal(device)
              .cryptoProvider(new ScriptedNonceProvider(fixtures.crypto(), script))
              .validationPolicy(fixtures.terminalPolicy())
              .build();
      byte[][][] fromTerminal = new byte[CYCLE][][];
      byte[][][] fromHost = new byte[CYCLE][][];
      for (int k = 0; k < CYCLE; k++) {
        LoopbackHost live = new LoopbackHost(fixtures.host().openSession(), true);
        terminal.receiveKey(live);
        Checks.confirmed(live.receipt(), fixtures.ledger(), kcv);
        fromTerminal[k] = live.fromTerminal().toArray(new byte[0][]);
        fromHost[k] = live.fromHost().toArray(new byte[0][]);
      }
      if (script.position() != 0) {
        throw new IllegalStateException("the terminal drew more than one nonce per session");
      }
      this.replay = new Replay(fromTerminal, fromHost);
    }

    /** One complete session against the replayed host; throws unless the key is installed. */
    public KeyReceipt handshake() throws KeyTransferException {
      replay.begin();
      KeyReceipt r = terminal.receiveKey(replay);
      replay.end();
      if (!r.kcv().matches(kcv)) {
        throw new IllegalStateException("terminal installed another key than the recorded one");
      }
      Checks.installed(device, kcv);
      return r;
    }
  }

  /** The scripted host: the recorded replies, each given only for the recorded request. */
  private static final class Replay implements Transport {
    private final byte[][][] fromTerminal;
    private final byte[][][] fromHost;
    private int session = -1;
    private int step;
    private byte[] pending;

    Replay(byte[][][] fromTerminal, byte[][][] fromHost) {
      this.fromTerminal = fromTerminal;
      this.fromHost = fromHost;
    }

    void begin() {
      session = (session + 1) % fromTerminal.length;
      step = 0;
      pending = null;
    }

    void end() {
      if (step != fromTerminal[session].length) {
        throw new IllegalStateException(
            "terminal ended after " + step + " of " + fromTerminal[session].length + " frames");
      }
    }

    @Override
    public void send(byte[] frame) throws TransportException {
      byte[][] expected = fromTerminal[session];
      if (step >= expected.length || !Arrays.equals(frame, expected[step])) {
        throw new IllegalStateException(
            "terminal sent frame " + step + " of session " + session + " unlike the recorded one");
      }
      pending = step < fromHost[session].length ? fromHost[session][step] : null;
      step++;
    }

    @Override
    public byte[] receive(Duration timeout) throws TransportException {
      byte[] f = pending;
      pending = null;
      if (f == null) {
        throw new TransportException(ErrorCode.TRANSPORT_FAILURE, "nothing recorded to answer");
      }
      return f;
    }

    @Override
    public int maxFrameLength() {
      return 64 * 1024;
    }

    @Override
    public void close() {}
  }
}
