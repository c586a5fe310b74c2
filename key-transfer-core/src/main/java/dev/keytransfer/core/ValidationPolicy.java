package dev.keytransfer.core;

import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How certificates are judged (docs/SECURITY.md C1-C9). Strict by default: validity dates are
 * always checked at {@link #clock()}'s time, revocation is always checked and fails closed when a
 * CRL is missing, stale or badly signed, each leaf must fit its role, every key in the path must be
 * RSA of at least {@link #minRsaBits()} bits and every signature use SHA-256 or better. There is no
 * switch to turn any of this off. Both role CAs must be pinned ({@link Builder#roleIssuer}) unless
 * the builder is told {@link Builder#withoutRolePinning()}. Immutable; thread-safe.
 */
public final class ValidationPolicy {
  /** Default {@link #maxCrlValidity()}: 31 days, above the weekly or monthly CRLs CAs publish. */
  public static final Duration DEFAULT_MAX_CRL_VALIDITY = Duration.ofDays(31);

  /** The most {@link Builder#maxCrlValidity} accepts: 366 days (an offline root's yearly CRL). */
  public static final Duration LONGEST_MAX_CRL_VALIDITY = Duration.ofDays(366);

  private final List<X509Certificate> trustAnchors;
  private final List<X509Certificate> intermediates;
  private final Map<Role, List<X509Certificate>> roleIssuers;
  private final Supplier<? extends Collection<X509CRL>> crls;
  private final int minRsaBits;
  private final int maxChainLength;
  private final Clock clock;
  private final boolean rolePinning;
  private final Duration maxCrlValidity;

  private ValidationPolicy(Builder b) {
    this.trustAnchors = List.copyOf(b.trustAnchors);
    this.intermediates = List.copyOf(b.intermediates);
    EnumMap<Role, List<X509Certificate>> m = new EnumMap<>(Role.class);
    b.roleIssuers.forEach((k, v) -> m.put(k, List.copyOf(v)));
    this.roleIssuers = Map.copyOf(m);
    this.crls = b.crls;
    this.minRsaBits = b.minRsaBits;
    this.maxChainLength = b.maxChainLength;
    this.clock = b.clock;
    this.rolePinning = !b.withoutRolePinning;
    this.maxCrlValidity = b.maxCrlValidity;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.trustAnchors.addAll(trustAnchors);
    b.intermediates.addAll(intermediates);
    roleIssuers.forEach((k, v) -> b.roleIssuers.put(k, new java.util.ArrayList<>(v)));
    b.crls = crls;
    b.minRsaBits = minRsaBits;
    b.maxChainLength = maxChainLength;
    b.clock = clock;
    b.withoutRolePinning = !rolePinning;
    b.maxCrlValidity = maxCrlValidity;
    return b;
  }

  /** The self-signed roots a chain must end at (C1). */
  public List<X509Certificate> trustAnchors() {
    return trustAnchors;
  }

  /** CA certificates known locally, used to complete a chain that a peer sent without them. */
  public List<X509Certificate> intermediates() {
    return intermediates;
  }

  /**
   * The CA certificates allowed to issue leaves of {@code role}; empty only in a policy built
   * {@link Builder#withoutRolePinning()}, where any CA under the trust anchors will do and key
   * usage alone decides the role. Pinning the KDH CA and the KRD CA closes the single-root caveat
   * of docs/PROTOCOL.md.
   */
  public List<X509Certificate> roleIssuers(Role role) {
    return roleIssuers.getOrDefault(role, List.of());
  }

  /**
   * The longest validity period (nextUpdate - thisUpdate) a CRL may declare; a longer one would let
   * a CRL from before a revocation serve for years (C3).
   */
  public Duration maxCrlValidity() {
    return maxCrlValidity;
  }

  /** False only for a policy built {@link Builder#withoutRolePinning()}. */
  public boolean rolePinning() {
    return rolePinning;
  }

  /** CRLs known locally (for example fetched from the CA); merged with CRLs carried in tokens. */
  public Collection<X509CRL> localCrls() {
    Collection<X509CRL> c = crls.get();
    return c == null ? List.of() : c;
  }

  public int minRsaBits() {
    return minRsaBits;
  }

  /** Longest chain accepted, leaf and CAs, without the anchor. */
  public int maxChainLength() {
    return maxChainLength;
  }

  /** The clock that gives the validation time (C2). */
  public Clock clock() {
    return clock;
  }

  /**
   * Builder; {@link #trustAnchor} is required, and so is a {@link #roleIssuer} for each of {@link
   * Role#KDH} and {@link Role#KRD} unless {@link #withoutRolePinning()} is called.
   */
  public static final class Builder {
    private final java.util.List<X509Certificate> trustAnchors = new java.util.ArrayList<>();
    private final java.util.List<X509Certificate> intermediates = new java.util.ArrayList<>();
    private final Map<Role, java.util.List<X509Certificate>> roleIssuers =
        new EnumMap<>(Role.class);
    private Supplier<? extends Collection<X509CRL>> crls = List::of;
    private int minRsaBits = 2048;
    private int maxChainLength = 5;
    private Clock clock = Clock.systemUTC();
    private boolean withoutRolePinning;
    private Duration maxCrlValidity = DEFAULT_MAX_CRL_VALIDITY;

    private Builder() {}

    /**
     * The longest validity period a CRL may declare, from one hour to {@link
     * #LONGEST_MAX_CRL_VALIDITY} (default {@link #DEFAULT_MAX_CRL_VALIDITY}).
     */
    public Builder maxCrlValidity(Duration d) {
      Objects.requireNonNull(d, "d");
      if (d.compareTo(Duration.ofHours(1)) < 0 || d.compareTo(LONGEST_MAX_CRL_VALIDITY) > 0) {
        throw new IllegalArgumentException(
            "max CRL validity must be between one hour and "
                + LONGEST_MAX_CRL_VALIDITY.toDays()
                + " days");
      }
      this.maxCrlValidity = d;
      return this;
    }

    public Builder trustAnchor(X509Certificate anchor) {
      trustAnchors.add(Objects.requireNonNull(anchor, "anchor"));
      return this;
    }

    public Builder intermediate(X509Certificate ca) {
      intermediates.add(Objects.requireNonNull(ca, "ca"));
      return this;
    }

    /** Pins the CA that issues certificates of {@code role} (may be called more than once). */
    public Builder roleIssuer(Role role, X509Certificate issuingCa) {
      roleIssuers
          .computeIfAbsent(role, r -> new java.util.ArrayList<>())
          .add(Objects.requireNonNull(issuingCa));
      intermediates.add(issuingCa);
      return this;
    }

    /** A fixed set of local CRLs. */
    public Builder crls(Collection<X509CRL> list) {
      List<X509CRL> copy = List.copyOf(list);
      this.crls = () -> copy;
      return this;
    }

    /** A live source of local CRLs, asked at every validation (C12). */
    public Builder crlSource(Supplier<? extends Collection<X509CRL>> source) {
      this.crls = Objects.requireNonNull(source, "source");
      return this;
    }

    /** Raises the minimum RSA modulus; values below 2048 are refused (C8). */
    public Builder minRsaBits(int bits) {
      if (bits < 2048) {
        throw new IllegalArgumentException("minimum RSA size cannot be below 2048 bits");
      }
      this.minRsaBits = bits;
      return this;
    }

    public Builder maxChainLength(int n) {
      if (n < 1 || n > 10) {
        throw new IllegalArgumentException("max chain length must be 1..10");
      }
      this.maxChainLength = n;
      return this;
    }

    /** The clock whose time validation uses (a fixed clock validates at a past instant). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * A weakening: accept leaves from any CA under the trust anchors, the role decided by key usage
     * alone, so a CA of one role can issue a certificate accepted for the other (the single-root
     * caveat of docs/PROTOCOL.md, docs/SECURITY.md C6). For PKI test suites and inspection tools
     * that validate certificates outside a TR-34 deployment; a terminal or host pins both role CAs.
     */
    public Builder withoutRolePinning() {
      this.withoutRolePinning = true;
      return this;
    }

    public ValidationPolicy build() {
      if (trustAnchors.isEmpty()) {
        throw new IllegalStateException("a validation policy needs at least one trust anchor");
      }
      if (!withoutRolePinning
          && (!roleIssuers.containsKey(Role.KDH) || !roleIssuers.containsKey(Role.KRD))) {
        throw new IllegalStateException(
            "a validation policy pins the issuing CA of both roles (roleIssuer(Role.KDH, ...) and"
                + " roleIssuer(Role.KRD, ...)); withoutRolePinning() accepts either role's CA for"
                + " both roles");
      }
      return new ValidationPolicy(this);
    }
  }
}
