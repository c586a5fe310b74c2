package dev.keytransfer.core.message;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.MalformedTokenException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The terminal's answer to {@link WorkingKeys} (project envelope): for each key block in order,
 * either the installed key's check value or the failure class that kept it out.
 */
public record WorkingKeysInstalled(List<Result> results) implements HandshakeMessage {
  /** The outcome for one working key: exactly one of {@code kcv} and {@code failure}. */
  public record Result(Optional<KeyCheckValue> kcv, Optional<ErrorCode> failure) {
    public Result {
      Objects.requireNonNull(kcv, "kcv");
      Objects.requireNonNull(failure, "failure");
      if (kcv.isPresent() == failure.isPresent()) {
        throw new IllegalArgumentException(
            "a result is either installed with a KCV or failed with a code");
      }
    }

    public static Result installed(KeyCheckValue kcv) {
      return new Result(Optional.of(kcv), Optional.empty());
    }

    public static Result failed(ErrorCode code) {
      return new Result(Optional.empty(), Optional.of(code));
    }

    public boolean isInstalled() {
      return kcv.isPresent();
    }
  }

  public WorkingKeysInstalled {
    results = List.copyOf(results);
    if (results.size() > WorkingKeys.MAX_KEYS) {
      throw new IllegalArgumentException("at most " + WorkingKeys.MAX_KEYS + " results");
    }
  }

  @Override
  public MessageType type() {
    return MessageType.WORKING_KEYS_INSTALLED;
  }

  @Override
  public byte[] payload() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(results.size());
    for (Result r : results) {
      if (r.kcv().isPresent()) {
        KeyCheckValue k = r.kcv().get();
        out.write(0);
        out.write(k.method().wireValue());
        out.writeBytes(k.bytes());
      } else {
        int code = r.failure().get().wireValue();
        out.write(1);
        out.write(code >> 8);
        out.write(code);
      }
    }
    return out.toByteArray();
  }

  static WorkingKeysInstalled decode(byte[] p) throws MalformedTokenException {
    if (p.length < 1 || (p[0] & 0xFF) > WorkingKeys.MAX_KEYS) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_FRAME, "working keys result has a bad count");
    }
    List<Result> out = new ArrayList<>();
    int pos = 1;
    for (int i = 0; i < (p[0] & 0xFF); i++) {
      if (pos + 3 > p.length) {
        throw new MalformedTokenException(
            ErrorCode.MALFORMED_FRAME, "working keys result is truncated");
      }
      if (p[pos] == 0) {
        KeyCheckValue.Method m = KeyCheckValue.Method.fromWireValue(p[pos + 1] & 0xFF);
        if (m == null || pos + 2 + m.length() > p.length) {
          throw new MalformedTokenException(
              ErrorCode.MALFORMED_FRAME, "working keys result has a bad KCV");
        }
        byte[] v = java.util.Arrays.copyOfRange(p, pos + 2, pos + 2 + m.length());
        out.add(Result.installed(KeyCheckValue.of(m, v)));
        pos += 2 + v.length;
      } else if (p[pos] == 1) {
        out.add(
            Result.failed(
                ErrorCode.fromWireValue(((p[pos + 1] & 0xFF) << 8) | (p[pos + 2] & 0xFF))));
        pos += 3;
      } else {
        throw new MalformedTokenException(
            ErrorCode.MALFORMED_FRAME, "working keys result has a bad status");
      }
    }
    if (pos != p.length) {
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_FRAME, "working keys result has trailing bytes");
    }
    return new WorkingKeysInstalled(out);
  }
}
