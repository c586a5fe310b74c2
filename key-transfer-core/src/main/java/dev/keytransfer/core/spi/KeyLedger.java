package dev.keytransfer.core.spi;

import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyTransferException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The host's record of what was issued to whom and how it ended, and its audit trail: one {@link
 * SessionRecord} per session (docs/SECURITY.md A1, A4). Plain storage: the rules that use it
 * (supersede on confirmation, the delivery limit) live in {@code KdhHandshake}. A status leaves
 * {@link DeliveryStatus#DELIVERED} at most once, also when several host processes share one ledger.
 * Thread-safe.
 */
public interface KeyLedger {
  /** Records a new delivery (status {@link DeliveryStatus#DELIVERED}). */
  void recordDelivered(LedgerEntry entry) throws KeyTransferException;

  /** A recording under way: {@link #await} returns once it is durable, or throws why it failed. */
  interface Recording {
    void await() throws KeyTransferException;

    /** Waits, ignoring a failure (the caller is failing already). */
    default void awaitQuietly() {
      try {
        await();
      } catch (KeyTransferException | RuntimeException ignored) {
        // the caller reports its own failure
      }
    }
  }

  /**
   * Starts {@link #recordDelivered} so that the caller can do other work meanwhile (the key token's
   * RSA operations), and joins it before the token leaves. A database ledger writes on a thread of
   * its own; by default this records at once.
   */
  default Recording beginRecordDelivered(LedgerEntry entry) throws KeyTransferException {
    recordDelivered(entry);
    return () -> {};
  }

  /**
   * Moves the session's entry from {@link DeliveryStatus#DELIVERED} to {@code status}.
   *
   * @throws KeyTransferException {@code STORAGE_FAILURE} if there is no such entry or it already
   *     left DELIVERED (also when another host moved it first)
   */
  void updateStatus(String sessionId, DeliveryStatus status) throws KeyTransferException;

  /**
   * The session's entry, if any.
   *
   * @throws IllegalStateException if the ledger cannot be read (its cause says why)
   */
  Optional<LedgerEntry> find(String sessionId);

  /**
   * Every entry, in recording order.
   *
   * @throws IllegalStateException if the ledger cannot be read (its cause says why)
   */
  List<LedgerEntry> entries();

  /** The newest CONFIRMED master-key delivery to {@code device}, if any. */
  Optional<LedgerEntry> latestConfirmed(IssuerAndSerial device) throws KeyTransferException;

  /**
   * The master-key deliveries to {@code device} still DELIVERED (neither confirmed, refused nor
   * expired), in recording order.
   */
  List<LedgerEntry> openDeliveries(IssuerAndSerial device) throws KeyTransferException;

  /**
   * What counts against the device's delivery limit: how many master-key deliveries to {@code
   * device}, and pending-key reports from it that matched no delivery, were recorded at or after
   * {@code since}.
   */
  int attemptsSince(IssuerAndSerial device, Instant since) throws KeyTransferException;

  /** A count being read: {@link #await} returns it, or throws why it could not be read. */
  interface Count {
    int await() throws KeyTransferException;
  }

  /**
   * Starts {@link #attemptsSince} for a session that will need it after its next round trip, so
   * that the read overlaps the wait. A database ledger reads on a thread of its own; by default the
   * count is read when awaited.
   */
  default Count beginAttemptsSince(IssuerAndSerial device, Instant since) {
    return () -> attemptsSince(device, since);
  }

  /**
   * Records that a peer presenting {@code device}'s certificate reported a pending key with {@code
   * kcv} that matches no open or confirmed delivery (it counts in {@link #attemptsSince}).
   */
  void recordRefusedReport(
      IssuerAndSerial device,
      String deviceSubject,
      dev.keytransfer.core.KeyCheckValue kcv,
      Instant at)
      throws KeyTransferException;

  /**
   * Moves every entry still DELIVERED that was recorded before {@code deliveredBefore} to {@link
   * DeliveryStatus#EXPIRED}.
   *
   * @return how many entries expired
   */
  int expireUnconfirmed(Instant deliveredBefore) throws KeyTransferException;

  /**
   * Confirms delivery {@code sessionId} (DELIVERED to CONFIRMED), moves every earlier open
   * master-key delivery to the same device to REJECTED (the terminal holds the confirmed key, which
   * superseded them), and appends {@code closing}, the session's audit record, if given: in one
   * step, which a database makes one transaction.
   *
   * @return the sessions it moved to REJECTED
   * @throws KeyTransferException {@code STORAGE_FAILURE} as {@link #updateStatus}, changing nothing
   */
  default List<String> confirm(String sessionId, Optional<SessionRecord> closing)
      throws KeyTransferException {
    LedgerEntry entry =
        find(sessionId)
            .orElseThrow(
                () ->
                    new KeyTransferException(
                        dev.keytransfer.core.ErrorCode.STORAGE_FAILURE,
                        "no ledger entry for session " + sessionId));
    List<LedgerEntry> open = entry.isMasterKey() ? openDeliveries(entry.device()) : List.of();
    updateStatus(sessionId, DeliveryStatus.CONFIRMED);
    List<String> superseded = new java.util.ArrayList<>();
    for (LedgerEntry e : open) {
      if (e.sessionId().equals(sessionId)) {
        break; // recording order: the rest are newer
      }
      try {
        updateStatus(e.sessionId(), DeliveryStatus.REJECTED);
        superseded.add(e.sessionId());
      } catch (KeyTransferException moved) {
        // another host moved it first: it is not open any more either way
      }
    }
    if (closing.isPresent()) {
      recordSession(closing.get());
    }
    return superseded;
  }

  /** Appends the audit record of one finished session (docs/SECURITY.md A4). */
  void recordSession(SessionRecord record) throws KeyTransferException;
}
