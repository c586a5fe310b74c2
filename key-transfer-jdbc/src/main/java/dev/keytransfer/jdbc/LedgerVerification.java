package dev.keytransfer.jdbc;

import java.util.Optional;

/**
 * What {@link JdbcKeyLedger#verify()} found: how many audit records it checked, and the first
 * problem, if any (a broken link or hash, a missing record, or a delivery row that disagrees with
 * the chain). Immutable.
 *
 * @param records audit records checked
 * @param deliveries delivery rows checked against the chain
 * @param head the hash of the last record: record it elsewhere to detect a rewritten chain
 * @param firstBroken the first problem, naming the record or delivery; empty when intact
 */
public record LedgerVerification(
    long records, long deliveries, String head, Optional<String> firstBroken) {
  public boolean intact() {
    return firstBroken.isEmpty();
  }
}
