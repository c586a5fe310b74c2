package dev.keytransfer;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.KeyPurpose;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.List;
import java.util.Objects;

/**
 * The type of a key to generate for a certificate: RSA of a modulus size, as TR-34 uses, or EC on
 * one of the NIST curves of the ECDH mode (docs/ECDH.md). Named as the CLI's {@code --key} option
 * names it: {@code rsa-2048}, {@code rsa-3072}, {@code ec-p256}, {@code ec-p384}, {@code ec-p521}.
 * Immutable.
 */
public final class KeyType {
  /** RSA-2048, the default of terminals, hosts and CAs. */
  public static final KeyType RSA_2048 = new KeyType(2048, null);

  /** RSA-3072. */
  public static final KeyType RSA_3072 = new KeyType(3072, null);

  /** EC on P-256. */
  public static final KeyType EC_P256 = new KeyType(0, Algorithms.Curve.P256);

  /** EC on P-384. */
  public static final KeyType EC_P384 = new KeyType(0, Algorithms.Curve.P384);

  /** EC on P-521. */
  public static final KeyType EC_P521 = new KeyType(0, Algorithms.Curve.P521);

  /** The named types, in the order of {@link #names()}. */
  private static final List<KeyType> NAMED = List.of(RSA_2048, RSA_3072, EC_P256, EC_P384, EC_P521);

  private final int rsaBits;
  private final Algorithms.Curve curve;

  private KeyType(int rsaBits, Algorithms.Curve curve) {
    this.rsaBits = rsaBits;
    this.curve = curve;
  }

  /** RSA with a modulus of {@code bits}, 2048 to 16384. */
  public static KeyType rsa(int bits) {
    if (bits < 2048 || bits > 16384) {
      throw new IllegalArgumentException("RSA size must be 2048..16384 bits");
    }
    return bits == 2048 ? RSA_2048 : bits == 3072 ? RSA_3072 : new KeyType(bits, null);
  }

  /** EC on {@code curve}. */
  public static KeyType ec(Algorithms.Curve curve) {
    return switch (Objects.requireNonNull(curve, "curve")) {
      case P256 -> EC_P256;
      case P384 -> EC_P384;
      case P521 -> EC_P521;
    };
  }

  /**
   * The type named {@code name} ({@code rsa-2048}, {@code rsa-3072}, {@code ec-p256}, {@code
   * ec-p384}, {@code ec-p521}).
   *
   * @throws IllegalArgumentException for any other name; the message lists the names
   */
  public static KeyType named(String name) {
    for (KeyType t : NAMED) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown key type '" + name + "' (expected one of " + String.join(", ", names()) + ")");
  }

  /** The names {@link #named} takes. */
  public static List<String> names() {
    return NAMED.stream().map(KeyType::name).toList();
  }

  /** The name: {@code rsa-2048}, {@code ec-p256}, ... */
  public String name() {
    return curve == null
        ? "rsa-" + rsaBits
        : "ec-" + curve.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether this is an EC type. */
  public boolean isEc() {
    return curve != null;
  }

  /** The curve of an EC type, else null. */
  public Algorithms.Curve curve() {
    return curve;
  }

  /** The modulus size of an RSA type, else 0. */
  public int rsaBits() {
    return rsaBits;
  }

  /**
   * What a key of this type is for in {@code role}: an RSA KDH key signs and an RSA KRD key
   * transports keys (TR-34); an EC KDH key signs and agrees keys, an EC KRD key agrees keys
   * (docs/ECDH.md, docs/SECURITY.md C6).
   */
  public KeyPurpose purpose(Role role) {
    Objects.requireNonNull(role, "role");
    if (curve == null) {
      return role == Role.KDH ? KeyPurpose.SIGNING : KeyPurpose.KEY_TRANSPORT;
    }
    return role == Role.KDH ? KeyPurpose.SIGNING_AND_KEY_AGREEMENT : KeyPurpose.KEY_AGREEMENT;
  }

  /** A new key pair of this type inside {@code crypto}, for {@code role}. */
  public PrivateKeyHandle generate(CryptoProvider crypto, String label, Role role)
      throws KeyTransferException {
    Objects.requireNonNull(crypto, "crypto");
    return curve == null
        ? crypto.generateRsaKeyPair(rsaBits, label, purpose(role))
        : crypto.generateEcKeyPair(curve, label, purpose(role));
  }

  /**
   * A new software key pair of this type from the platform's default providers (RSA with public
   * exponent 65537).
   *
   * @throws IllegalStateException if the platform cannot generate it
   */
  public KeyPair generate(SecureRandom random) {
    Objects.requireNonNull(random, "random");
    try {
      if (curve == null) {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(new RSAKeyGenParameterSpec(rsaBits, RSAKeyGenParameterSpec.F4), random);
        return g.generateKeyPair();
      }
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve.jcaName()), random);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an " + name() + " key", e);
    }
  }

  /**
   * The curve of an EC key (public or private), matched on its domain parameters; null for any
   * other key or curve.
   */
  public static Algorithms.Curve curveOf(Key key) {
    if (!(key instanceof ECKey ec)) {
      return null;
    }
    ECParameterSpec p = ec.getParams();
    for (Algorithms.Curve c : Algorithms.Curve.values()) {
      ECParameterSpec named = c.parameters();
      if (named != null
          && p != null
          && named.getCurve().equals(p.getCurve())
          && named.getGenerator().equals(p.getGenerator())
          && named.getOrder().equals(p.getOrder())
          && named.getCofactor() == p.getCofactor()) {
        return c;
      }
    }
    return null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyType t && t.rsaBits == rsaBits && t.curve == curve;
  }

  @Override
  public int hashCode() {
    return Objects.hash(rsaBits, curve);
  }

  @Override
  public String toString() {
    return name();
  }
}
