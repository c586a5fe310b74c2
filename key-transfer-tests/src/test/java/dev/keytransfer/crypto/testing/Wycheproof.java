package dev.keytransfer.crypto.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs Wycheproof JSON files ({@code ../shared/vectors/wycheproof}) through one engine and reports
 * every disagreement at once. A {@code valid} case must be accepted with exactly the given output,
 * an {@code invalid} case refused; an {@code acceptable} case is decided per flag by {@link
 * #ACCEPTABLE}: flags not listed there must be refused.
 */
public final class Wycheproof {
  private Wycheproof() {}

  /** What an {@code acceptable} case with this flag may do. */
  public enum Decision {
    /** Refusal required, as for an invalid case. */
    REJECT,
    /** Either; if accepted, the output must still be right. */
    EITHER
  }

  /**
   * The explicit per-flag decisions for {@code acceptable} cases (README of the vectors: "treat as
   * reject unless there is a reason"). The reasons:
   *
   * <ul>
   *   <li>{@code MissingNull} (PKCS#1 signature, DigestInfo without the NULL parameter): RFC 8017
   *       §9.2 note 2 allows verifiers to accept both encodings; not a forgery vector. EITHER.
   *   <li>{@code ShortKey} (AES-KW of an 8-byte key): RFC 3394 needs two or more 64-bit blocks; SP
   *       800-38F forbids it. REJECT.
   *   <li>ECDH public-key encodings that still name the right point on P-256: {@code
   *       CompressedPoint}, {@code CompressedPublic} (SEC 1 compression), {@code UnnamedCurve}
   *       (explicit parameters equal to P-256), {@code UnusedParam}, {@code InvalidAsn} (BER
   *       leniency in the SPKI). EITHER: the shared secret must be right if accepted.
   *   <li>ECDH curve parameters altered in ways that do not change the computation on the named
   *       curve: {@code WrongOrder}, {@code ModifiedGenerator}, {@code ModifiedCofactor}, {@code
   *       NoCofactor}, {@code ModifiedCurveParameter}. EITHER, with the right secret: an engine
   *       that computed on the altered curve would give a wrong secret and fail.
   * </ul>
   */
  public static final Map<String, Decision> ACCEPTABLE =
      Map.ofEntries(
          Map.entry("MissingNull", Decision.EITHER),
          Map.entry("ShortKey", Decision.REJECT),
          Map.entry("CompressedPoint", Decision.EITHER),
          Map.entry("CompressedPublic", Decision.EITHER),
          Map.entry("UnnamedCurve", Decision.EITHER),
          Map.entry("UnusedParam", Decision.EITHER),
          Map.entry("InvalidAsn", Decision.EITHER),
          Map.entry("WrongOrder", Decision.EITHER),
          Map.entry("ModifiedGenerator", Decision.EITHER),
          Map.entry("ModifiedCofactor", Decision.EITHER),
          Map.entry("NoCofactor", Decision.EITHER),
          Map.entry("ModifiedCurveParameter", Decision.EITHER));

  /** The decision for one acceptable case: REJECT if any of its flags says so or is unlisted. */
  static Decision decide(List<String> flags) {
    for (String f : flags) {
      Decision d = ACCEPTABLE.getOrDefault(f, Decision.REJECT);
      if (d == Decision.REJECT) {
        return Decision.REJECT;
      }
    }
    return flags.isEmpty() ? Decision.REJECT : Decision.EITHER;
  }

  /**
   * One case's outcome: accepted (with its output, or null if there is none to compare) or refused.
   */
  public record Outcome(boolean accepted, byte[] output, String detail) {
    public static Outcome accepted(byte[] output) {
      return new Outcome(true, output, null);
    }

    public static Outcome refused(String detail) {
      return new Outcome(false, null, detail);
    }

    /** Accepted iff {@code ok}, nothing to compare. */
    public static Outcome of(boolean ok) {
      return ok ? accepted(null) : refused("refused");
    }
  }

  /** Runs one case; any exception counts as a refusal. */
  @FunctionalInterface
  public interface Case {
    Outcome run(JsonNode group, JsonNode test) throws Exception;
  }

  /** Chooses which cases of a file a run covers (e.g. one key size). */
  @FunctionalInterface
  public interface Filter {
    boolean covers(JsonNode group, JsonNode test);
  }

  /**
   * The result of one family on one engine: agreeing cases, total, and every disagreement by
   * "file#tcId".
   */
  public record Report(
      String key,
      String family,
      String route,
      int passed,
      int total,
      Map<String, String> disagreements,
      int acceptableAccepted,
      int acceptableRefused) {
    public String line() {
      String acc =
          acceptableAccepted + acceptableRefused == 0
              ? ""
              : " (acceptable: "
                  + acceptableAccepted
                  + " accepted, "
                  + acceptableRefused
                  + " refused)";
      return String.format("%-44s %4d/%-4d %s%s", family, passed, total, route, acc);
    }
  }

  public static JsonNode load(String file) {
    try {
      return new ObjectMapper().readTree(Vectors.read("wycheproof/" + file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs every case of {@code file} that {@code filter} covers; {@code expectedOutput} names the
   * field a valid case's output must equal (null: no output to compare). Disagreements are keyed
   * {@code key#tcId}.
   */
  public static Report run(
      String key,
      String family,
      String route,
      String file,
      String expectedOutput,
      Filter filter,
      Case runner) {
    JsonNode root = load(file);
    Map<String, String> disagreements = new LinkedHashMap<>();
    int total = 0;
    int accAccepted = 0;
    int accRefused = 0;
    for (JsonNode group : root.get("testGroups")) {
      for (JsonNode test : group.get("tests")) {
        if (!filter.covers(group, test)) {
          continue;
        }
        total++;
        Outcome o;
        try {
          o = runner.run(group, test);
        } catch (Exception | AssertionError e) {
          o = Outcome.refused(e.getClass().getSimpleName());
        }
        String result = test.get("result").asText();
        List<String> flags = new ArrayList<>();
        test.get("flags").forEach(f -> flags.add(f.asText()));
        boolean outputOk =
            !o.accepted()
                || expectedOutput == null
                || o.output() == null
                || MessageDigest.isEqual(
                    o.output(), HexFormat.of().parseHex(test.get(expectedOutput).asText()));
        String problem = null;
        switch (result) {
          case "valid" -> {
            if (!o.accepted()) {
              problem = "valid case refused (" + o.detail() + ")";
            } else if (!outputOk) {
              problem = "valid case accepted with a wrong output";
            }
          }
          case "invalid" -> {
            if (o.accepted()) {
              problem = "invalid case accepted";
            }
          }
          default -> {
            if (o.accepted()) {
              accAccepted++;
            } else {
              accRefused++;
            }
            if (decide(flags) == Decision.REJECT && o.accepted()) {
              problem = "acceptable case accepted although policy says refuse";
            } else if (o.accepted() && !outputOk) {
              problem = "acceptable case accepted with a wrong output";
            }
          }
        }
        if (problem != null) {
          disagreements.put(
              key + "#" + test.get("tcId").asInt(),
              problem + " " + flags + " " + test.get("comment").asText());
        }
      }
    }
    return new Report(
        key,
        family,
        route,
        total - disagreements.size(),
        total,
        disagreements,
        accAccepted,
        accRefused);
  }

  /** Covers every case. */
  public static boolean all(JsonNode group, JsonNode test) {
    return true;
  }

  public static byte[] hex(JsonNode node, String field) {
    return HexFormat.of().parseHex(node.get(field).asText());
  }
}
