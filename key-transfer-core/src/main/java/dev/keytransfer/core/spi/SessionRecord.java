package dev.keytransfer.core.spi;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The audit record one host session leaves (docs/SECURITY.md A4): which terminal (once validated at
 * S2), what the host did (TR-34 B.8-B.14), the header and KCV of the key it issued (never the key),
 * how the session ended, and when. Immutable; no secret.
 *
 * @param sessionId the ledger session
 * @param terminal the validated terminal's issuer and serial; empty if S2 did not pass
 * @param terminalSubject the validated terminal's subject; empty if S2 did not pass
 * @param operation what the host did ({@code HostOperation.auditName()}); {@code NONE} before S4
 * @param header the header of the master key issued in this session, if any
 * @param kcv the KCV of that key, if any
 * @param error why the session failed; empty if it completed
 * @param startedAt when the session began
 * @param endedAt when it ended
 */
public record SessionRecord(
    String sessionId,
    Optional<IssuerAndSerial> terminal,
    Optional<String> terminalSubject,
    String operation,
    Optional<KeyBlockHeader> header,
    Optional<KeyCheckValue> kcv,
    Optional<ErrorCode> error,
    Instant startedAt,
    Instant endedAt) {
  /** The operation of a session that ended before the host chose one. */
  public static final String NO_OPERATION = "NONE";

  public SessionRecord {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(terminal, "terminal");
    Objects.requireNonNull(terminalSubject, "terminalSubject");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(kcv, "kcv");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(endedAt, "endedAt");
  }

  /** {@code COMPLETED}, or the name of the error code that ended the session. */
  public String outcome() {
    return error.map(Enum::name).orElse("COMPLETED");
  }
}
