package dev.keytransfer.bench;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.TransportException;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.core.handshake.FrameSession;
import dev.keytransfer.core.spi.Transport;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A terminal's transport that is a real host session ({@link
 * dev.keytransfer.KeyTransferHost#openSession()}) driven in the caller's thread: each frame the
 * terminal sends goes straight to {@link FrameSession#onFrame}, and what the session answers is
 * what the terminal receives next. One thread does both sides, one after the other as the frames
 * pass, with no hand-off between threads. Optionally records both directions (to replay later).
 */
final class LoopbackHost implements Transport {
  private final FrameSession<DeliveryReceipt> session;
  private final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
  private final List<byte[]> fromTerminal;
  private final List<byte[]> fromHost;

  LoopbackHost(FrameSession<DeliveryReceipt> session, boolean record) {
    this.session = session;
    this.fromTerminal = record ? new ArrayList<>() : null;
    this.fromHost = record ? new ArrayList<>() : null;
    inbox.addAll(session.start(Optional.empty()).frames());
  }

  @Override
  public void send(byte[] frame) throws TransportException {
    if (fromTerminal != null) {
      fromTerminal.add(frame.clone());
    }
    FrameSession.Output out = session.onFrame(frame);
    for (byte[] f : out.frames()) {
      if (fromHost != null) {
        fromHost.add(f.clone());
      }
      inbox.add(f);
    }
  }

  @Override
  public byte[] receive(Duration timeout) throws TransportException {
    byte[] f = inbox.poll();
    if (f == null) {
      throw new TransportException(
          ErrorCode.TRANSPORT_FAILURE,
          "the host session sent nothing"
              + session
                  .failure()
                  .map(e -> " (" + e.code() + ": " + e.getMessage() + ")")
                  .orElse(""));
    }
    return f;
  }

  @Override
  public int maxFrameLength() {
    return 64 * 1024;
  }

  @Override
  public void close() {}

  /** The host's receipt; throws if the host session did not complete. */
  DeliveryReceipt receipt() {
    return session
        .result()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "host session did not complete: "
                        + session.failure().map(e -> e.code() + " " + e.getMessage()).orElse("")));
  }

  List<byte[]> fromTerminal() {
    return fromTerminal;
  }

  List<byte[]> fromHost() {
    return fromHost;
  }
}
