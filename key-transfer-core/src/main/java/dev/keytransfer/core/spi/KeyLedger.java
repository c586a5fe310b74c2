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

  /**
   * The newest master-key delivery to {@code device} (working keys, recorded as {@code
   * <session>/<n>}, are not master-key deliveries), if any.
   */
  Optional<LedgerEntry> latestDelivery(IssuerAndSerial device) throws KeyTransferException;

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

  /** Appends the audit record of one finished session (docs/SECURITY.md A4). */
  void recordSession(SessionRecord record) throws KeyTransferException;
}
