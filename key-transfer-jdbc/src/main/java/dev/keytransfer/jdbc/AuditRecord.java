package dev.keytransfer.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * One record of the host's append-only audit trail (docs/SECURITY.md A4): a finished session
 * ({@code SESSION}) or a delivery's status change ({@code DELIVERED}, {@code CONFIRMED}, {@code
 * REJECTED}, {@code EXPIRED}). {@link #hash} is SHA-256 over {@link #prevHash} and every other
 * field, so changing, inserting or removing a record breaks the chain. Immutable; no secret (a key
 * appears only as its header and KCV).
 *
 * @param seq position in the chain, from 1
 * @param event {@code SESSION} or the delivery status the event moved to
 * @param node the host process that wrote it
 * @param sessionId the ledger session (a working key's is {@code <session>/<n>})
 * @param terminalSubject the validated terminal's subject, if known
 * @param terminalIssuer the terminal certificate's issuer (RFC 2253), if known
 * @param terminalSerial the terminal certificate's serial (hex), if known
 * @param operation what the host did ({@code HostOperation.auditName()}), for SESSION records
 * @param keyHeader the key block header of the key, if any
 * @param kcv {@code METHOD:hex} of the key, if any
 * @param outcome the status moved to, {@code COMPLETED}, or the error code that ended the session
 * @param errorCode the numeric error code, for failed sessions
 * @param startedAtMicros when the session began (epoch microseconds), for SESSION records
 * @param recordedAtMicros when this record was written (epoch microseconds)
 * @param prevHash the previous record's hash (64 zeros for the first)
 * @param hash this record's hash
 */
public record AuditRecord(
    long seq,
    String event,
    String node,
    String sessionId,
    Optional<String> terminalSubject,
    Optional<String> terminalIssuer,
    Optional<String> terminalSerial,
    Optional<String> operation,
    Optional<String> keyHeader,
    Optional<String> kcv,
    String outcome,
    Optional<Integer> errorCode,
    Optional<Long> startedAtMicros,
    long recordedAtMicros,
    String prevHash,
    String hash) {
  /** The hash before the first record. */
  public static final String GENESIS = "0".repeat(64);

  public AuditRecord {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(terminalSubject, "terminalSubject");
    Objects.requireNonNull(terminalIssuer, "terminalIssuer");
    Objects.requireNonNull(terminalSerial, "terminalSerial");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(keyHeader, "keyHeader");
    Objects.requireNonNull(kcv, "kcv");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(errorCode, "errorCode");
    Objects.requireNonNull(startedAtMicros, "startedAtMicros");
    Objects.requireNonNull(prevHash, "prevHash");
    Objects.requireNonNull(hash, "hash");
  }

  /** This record with {@code seq}, {@code prevHash} and the hash they give. */
  AuditRecord chained(long seq, String prevHash) {
    AuditRecord r = withLink(seq, prevHash, "");
    return withLink(seq, prevHash, r.computeHash());
  }

  private AuditRecord withLink(long s, String prev, String h) {
    return new AuditRecord(
        s,
        event,
        node,
        sessionId,
        terminalSubject,
        terminalIssuer,
        terminalSerial,
        operation,
        keyHeader,
        kcv,
        outcome,
        errorCode,
        startedAtMicros,
        recordedAtMicros,
        prev,
        h);
  }

  /**
   * SHA-256 (hex) of the canonical form: each field in declaration order up to {@code prevHash},
   * written as its UTF-8 length, {@code ':'}, the bytes and {@code ';'}, an absent field as {@code
   * "-;"}. Unambiguous: no two records share a canonical form.
   */
  public String computeHash() {
    StringBuilder b = new StringBuilder(256);
    field(b, Long.toString(seq));
    field(b, event);
    field(b, node);
    field(b, sessionId);
    field(b, terminalSubject.orElse(null));
    field(b, terminalIssuer.orElse(null));
    field(b, terminalSerial.orElse(null));
    field(b, operation.orElse(null));
    field(b, keyHeader.orElse(null));
    field(b, kcv.orElse(null));
    field(b, outcome);
    field(b, errorCode.map(String::valueOf).orElse(null));
    field(b, startedAtMicros.map(String::valueOf).orElse(null));
    field(b, Long.toString(recordedAtMicros));
    field(b, prevHash);
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(b.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static void field(StringBuilder b, String v) {
    if (v == null) {
      b.append("-;");
      return;
    }
    b.append(v.getBytes(StandardCharsets.UTF_8).length).append(':').append(v).append(';');
  }
}
