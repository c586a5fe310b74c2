package dev.keytransfer.crypto.pkcs11;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where the PKCS#11 token is and how to log in: the module library, the token (by label or by slot
 * id), the user PIN, and how RSA-OAEP key transport is decrypted ({@link OaepMode}). Immutable; the
 * PIN is copied in and out and never printed ({@link #toString()} redacts it).
 *
 * <p>{@link #fromEnvironment()} reads, for each setting, the system property or else the
 * environment variable:
 *
 * <table>
 *   <caption>PKCS#11 settings</caption>
 *   <tr><th>system property</th><th>environment variable</th><th>meaning</th></tr>
 *   <tr><td>{@code keytransfer.pkcs11.library}</td><td>{@code KEYTRANSFER_PKCS11_LIBRARY}</td>
 *       <td>path of the PKCS#11 module, e.g. {@code /usr/lib/softhsm/libsofthsm2.so} (required)</td></tr>
 *   <tr><td>{@code keytransfer.pkcs11.token}</td><td>{@code KEYTRANSFER_PKCS11_TOKEN}</td>
 *       <td>token label (this or the slot is required)</td></tr>
 *   <tr><td>{@code keytransfer.pkcs11.slot}</td><td>{@code KEYTRANSFER_PKCS11_SLOT}</td>
 *       <td>slot id, decimal</td></tr>
 *   <tr><td>{@code keytransfer.pkcs11.pin}</td><td>{@code KEYTRANSFER_PKCS11_PIN}</td>
 *       <td>user PIN (required; prefer the environment variable: system properties show in process
 *       listings)</td></tr>
 *   <tr><td>{@code keytransfer.pkcs11.oaep}</td><td>{@code KEYTRANSFER_PKCS11_OAEP}</td>
 *       <td>{@code raw} (default) or {@code token}, see {@link OaepMode}</td></tr>
 * </table>
 */
public final class Pkcs11Config {
  /** System property prefix of {@link #fromEnvironment()}. */
  public static final String PROPERTY_PREFIX = "keytransfer.pkcs11.";

  /** Environment variable prefix of {@link #fromEnvironment()}. */
  public static final String ENV_PREFIX = "KEYTRANSFER_PKCS11_";

  /** How RSA-OAEP key transport is decrypted with the terminal's private key in the token. */
  public enum OaepMode {
    /**
     * Raw RSA ({@code CKM_RSA_X_509}) in the token, then constant-time OAEP decoding (SHA-256,
     * MGF1-SHA-256) in Java. Works with any token that offers raw RSA, including SoftHSM 2.6.1,
     * whose own OAEP accepts SHA-1 only. The padded block and the content-encryption key are in JVM
     * memory for a moment and wiped.
     */
    RAW,
    /**
     * The token's own OAEP ({@code CKM_RSA_PKCS_OAEP} with {@code CK_RSA_PKCS_OAEP_PARAMS} SHA-256,
     * MGF1-SHA-256), so the padding check runs inside the token; for HSMs that support SHA-256
     * OAEP. Not usable with SoftHSM 2.6.1 (it answers CKR_ARGUMENTS_BAD). The content-encryption
     * key still comes back into JVM memory, because the SPI returns it.
     */
    TOKEN
  }

  private final Path library;
  private final String tokenLabel;
  private final Long slotId;
  private final char[] pin;
  private final OaepMode oaepMode;

  private Pkcs11Config(Builder b) {
    this.library = Objects.requireNonNull(b.library, "library");
    if ((b.tokenLabel == null) == (b.slotId == null)) {
      throw new IllegalArgumentException("name the token by exactly one of label or slot id");
    }
    this.tokenLabel = b.tokenLabel;
    this.slotId = b.slotId;
    if (b.pin == null || b.pin.length == 0) {
      throw new IllegalArgumentException("a user PIN is required");
    }
    this.pin = b.pin.clone();
    this.oaepMode = Objects.requireNonNull(b.oaepMode, "oaepMode");
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.library = library;
    b.tokenLabel = tokenLabel;
    b.slotId = slotId;
    b.pin = pin.clone();
    b.oaepMode = oaepMode;
    return b;
  }

  /**
   * The configuration named by system properties or environment variables (see the class comment).
   *
   * @throws IllegalArgumentException naming the missing or malformed setting
   */
  public static Pkcs11Config fromEnvironment() {
    return fromLookup(
        key -> {
          String v = System.getProperty(PROPERTY_PREFIX + key);
          return v != null ? v : System.getenv(ENV_PREFIX + key.toUpperCase(Locale.ROOT));
        });
  }

  /**
   * As {@link #fromEnvironment()}, over any lookup of the short keys {@code library, token, slot,
   * pin, oaep}.
   */
  static Pkcs11Config fromLookup(Function<String, String> lookup) {
    Builder b = builder();
    String library = blankToNull(lookup.apply("library"));
    if (library == null) {
      throw new IllegalArgumentException(
          "no PKCS#11 library: set "
              + PROPERTY_PREFIX
              + "library or "
              + ENV_PREFIX
              + "LIBRARY to the module path (e.g. /usr/lib/softhsm/libsofthsm2.so)");
    }
    b.library(Path.of(library));
    String token = blankToNull(lookup.apply("token"));
    String slot = blankToNull(lookup.apply("slot"));
    if (token == null && slot == null) {
      throw new IllegalArgumentException(
          "no PKCS#11 token: set "
              + PROPERTY_PREFIX
              + "token (label) or "
              + PROPERTY_PREFIX
              + "slot (id), or "
              + ENV_PREFIX
              + "TOKEN / "
              + ENV_PREFIX
              + "SLOT");
    }
    if (token != null) {
      b.tokenLabel(token);
    }
    if (slot != null) {
      try {
        b.slotId(Long.parseLong(slot));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(PROPERTY_PREFIX + "slot must be a decimal slot id", e);
      }
    }
    String pin = lookup.apply("pin");
    if (pin == null || pin.isEmpty()) {
      throw new IllegalArgumentException(
          "no PKCS#11 user PIN: set " + ENV_PREFIX + "PIN (or " + PROPERTY_PREFIX + "pin)");
    }
    char[] p = pin.toCharArray();
    b.pin(p);
    Arrays.fill(p, '\0');
    String oaep = blankToNull(lookup.apply("oaep"));
    if (oaep != null) {
      try {
        b.oaepMode(OaepMode.valueOf(oaep.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(PROPERTY_PREFIX + "oaep must be raw or token", e);
      }
    }
    return b.build();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  public Path library() {
    return library;
  }

  /** The token label, or null when the token is named by slot id. */
  public String tokenLabel() {
    return tokenLabel;
  }

  /** The slot id, or null when the token is named by label. */
  public Long slotId() {
    return slotId;
  }

  /** A copy of the PIN; the caller wipes it. */
  public char[] pin() {
    return pin.clone();
  }

  public OaepMode oaepMode() {
    return oaepMode;
  }

  /** True if the module library file exists and is readable. */
  public boolean libraryPresent() {
    return Files.isReadable(library);
  }

  @Override
  public String toString() {
    return "Pkcs11Config[library="
        + library
        + ", "
        + (tokenLabel != null ? "token=" + tokenLabel : "slot=" + slotId)
        + ", pin=REDACTED, oaep="
        + oaepMode
        + "]";
  }

  /** Builds a {@link Pkcs11Config}. */
  public static final class Builder {
    private Path library;
    private String tokenLabel;
    private Long slotId;
    private char[] pin;
    private OaepMode oaepMode = OaepMode.RAW;

    private Builder() {}

    public Builder library(Path library) {
      this.library = Objects.requireNonNull(library, "library");
      return this;
    }

    public Builder tokenLabel(String label) {
      this.tokenLabel = Objects.requireNonNull(label, "label");
      return this;
    }

    public Builder slotId(long slot) {
      this.slotId = slot;
      return this;
    }

    /** Copies the PIN; the caller still owns and should wipe its array. */
    public Builder pin(char[] pin) {
      this.pin = Objects.requireNonNull(pin, "pin").clone();
      return this;
    }

    public Builder oaepMode(OaepMode mode) {
      this.oaepMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    public Pkcs11Config build() {
      return new Pkcs11Config(this);
    }
  }
}
