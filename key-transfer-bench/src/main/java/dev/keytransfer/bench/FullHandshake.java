package dev.keytransfer.bench;

import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.spi.ReceivingTerminal;

/**
 * Both sides of complete two-pass handshakes: a real {@link KeyTransferTerminal} and a real host
 * session ({@link dev.keytransfer.KeyTransferHost#openSession()}) on the same provider, over an
 * in-memory transport that is the host session itself, driven in the caller's thread ({@code
 * LoopbackHost}): <b>one thread does both sides</b>, one after the other as the frames pass. There
 * is no hand-off between threads and no idle wait, so a thread's full handshake is exactly the sum
 * of the host's and the terminal's work and compares with {@link Floor#fullFloor()} on one thread;
 * N threads run N such handshakes at once. Each session must end with the key installed at the
 * terminal and a CONFIRMED ledger entry at the host, or the call throws.
 *
 * <p>Per-thread state: each thread takes its own {@link Worker}, on its own pool terminal (two
 * sessions of one terminal at once would supersede each other in the ledger).
 */
public final class FullHandshake {
  private final Fixtures fixtures;

  public FullHandshake(Fixtures f) {
    this.fixtures = f;
  }

  /**
   * A worker on pool terminal {@code index}, with its own stores.
   *
   * @throws IllegalArgumentException if the pool has no terminal {@code index}: concurrent workers
   *     need distinct terminals
   */
  public Worker worker(int index) throws KeyTransferException {
    if (index >= fixtures.terminalCount()) {
      throw new IllegalArgumentException(
          "worker "
              + index
              + " needs terminal "
              + index
              + "; the pool has "
              + fixtures.terminalCount());
    }
    return new Worker(index);
  }

  /** One thread's terminal. Not thread-safe. */
  public final class Worker {
    private final ReceivingTerminal device;
    private final KeyTransferTerminal terminal;
    private final KeyCheckValue kcv;

    private Worker(int index) throws KeyTransferException {
      this.device = fixtures.freshTerminal(index);
      this.kcv = fixtures.kcvOf(index);
      this.terminal =
          KeyTransferTerminal.builder()
              .receivingTerminal(device)
              .cryptoProvider(fixtures.crypto())
              .validationPolicy(fixtures.terminalPolicy())
              .build();
      handshake(); // fails here, before any measurement, if anything is wrong
    }

    /** One complete session, both sides; throws unless both ended as they should. */
    public KeyReceipt handshake() throws KeyTransferException {
      LoopbackHost host = new LoopbackHost(fixtures.host().openSession(), false);
      KeyReceipt r = terminal.receiveKey(host);
      Checks.confirmed(host.receipt(), fixtures.ledger(), kcv);
      if (!r.kcv().matches(kcv)) {
        throw new IllegalStateException("terminal installed another key than the host issued");
      }
      Checks.installed(device, kcv);
      return r;
    }
  }
}
