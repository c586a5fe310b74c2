package dev.keytransfer.core.spi;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the terminal remembers of the newest CRL it accepted from one issuer: its cRLNumber, if it
 * had one, and its thisUpdate (docs/SECURITY.md C14). No secret.
 */
public record CrlMark(Optional<BigInteger> number, Instant thisUpdate) {
  public CrlMark {
    Objects.requireNonNull(number, "number");
    Objects.requireNonNull(thisUpdate, "thisUpdate");
  }
}
