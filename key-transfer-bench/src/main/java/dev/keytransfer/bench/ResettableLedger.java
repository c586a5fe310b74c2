package dev.keytransfer.bench;

import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.KeyLedger;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.core.spi.SessionRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The host's in-memory ledger, replaced by an empty one between measurement rounds. {@code
 * InMemoryKeyLedger} keeps every entry and audit record of the run in memory, so without a reset
 * its maps and the live heap would grow with the length of the run and a long cell would measure
 * the garbage collector as well. Reset only while no session runs (between rounds); every call goes
 * to the current ledger, which keeps the in-memory ledger's own behaviour (its default methods
 * included).
 */
public final class ResettableLedger implements KeyLedger {
  private volatile KeyLedger current = new dev.keytransfer.core.store.InMemoryKeyLedger();

  /** A fresh empty ledger from now on; call with no session running. */
  public void reset() {
    current = new dev.keytransfer.core.store.InMemoryKeyLedger();
  }

  @Override
  public void recordDelivered(LedgerEntry entry) throws KeyTransferException {
    current.recordDelivered(entry);
  }

  @Override
  public Recording beginRecordDelivered(LedgerEntry entry) throws KeyTransferException {
    return current.beginRecordDelivered(entry);
  }

  @Override
  public void updateStatus(String sessionId, DeliveryStatus status) throws KeyTransferException {
    current.updateStatus(sessionId, status);
  }

  @Override
  public Optional<LedgerEntry> find(String sessionId) {
    return current.find(sessionId);
  }

  @Override
  public List<LedgerEntry> entries() {
    return current.entries();
  }

  @Override
  public Optional<LedgerEntry> latestConfirmed(IssuerAndSerial device) throws KeyTransferException {
    return current.latestConfirmed(device);
  }

  @Override
  public List<LedgerEntry> openDeliveries(IssuerAndSerial device) throws KeyTransferException {
    return current.openDeliveries(device);
  }

  @Override
  public int attemptsSince(IssuerAndSerial device, Instant since) throws KeyTransferException {
    return current.attemptsSince(device, since);
  }

  @Override
  public Count beginAttemptsSince(IssuerAndSerial device, Instant since) {
    return current.beginAttemptsSince(device, since);
  }

  @Override
  public void recordRefusedReport(
      IssuerAndSerial device, String deviceSubject, KeyCheckValue kcv, Instant at)
      throws KeyTransferException {
    current.recordRefusedReport(device, deviceSubject, kcv, at);
  }

  @Override
  public List<String> confirm(String sessionId, Optional<SessionRecord> closing)
      throws KeyTransferException {
    return current.confirm(sessionId, closing);
  }

  @Override
  public int expireUnconfirmed(Instant deliveredBefore) throws KeyTransferException {
    return current.expireUnconfirmed(deliveredBefore);
  }

  @Override
  public void recordSession(SessionRecord record) throws KeyTransferException {
    current.recordSession(record);
  }
}
