package dev.keytransfer.examples.cli;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.NonceMismatchException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.handshake.KeyBlockChecks;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.spi.KeyBlock;
import dev.keytransfer.core.spi.KeyTokenRequest;
import dev.keytransfer.core.spi.VerifiedKeyToken;
import dev.keytransfer.core.spi.VerifiedRebind;
import dev.keytransfer.core.spi.VerifiedUnbind;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.pki.PkixCertificateValidator;
import dev.keytransfer.crypto.tr34.Tr34Profile;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import dev.keytransfer.crypto.tr34.Tr34TokenInspector;
import dev.keytransfer.crypto.tr34.Tr34TokenType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** TR-34 tokens by hand: inspect any token, build and open key, unbind and rebind tokens. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "Inspect, build and open TR-34 tokens.",
    subcommands = {TokenCommand.Inspect.class, TokenCommand.Build.class, TokenCommand.Open.class})
final class TokenCommand implements Runnable {
  @Spec CommandSpec spec;

  /** The --type names, in the order the help lists them. */
  static final Map<String, Tr34TokenType> TYPES = new LinkedHashMap<>();

  static {
    TYPES.put("kt2", Tr34TokenType.KT_KDH_TWO_PASS);
    TYPES.put("kt1", Tr34TokenType.KT_KDH_ONE_PASS);
    TYPES.put("ubt-kdh", Tr34TokenType.UBT_KDH);
    TYPES.put("ubt-ca", Tr34TokenType.UBT_CA);
    TYPES.put("rbt-kdh", Tr34TokenType.RBT_KDH);
    TYPES.put("rbt-ca", Tr34TokenType.RBT_CA);
  }

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "a subcommand is required: inspect, build, open");
  }

  static Tr34TokenType type(CommandSpec spec, String name) {
    Tr34TokenType t = TYPES.get(name);
    if (t == null) {
      throw new ParameterException(
          spec.commandLine(),
          "--type must be one of " + String.join(", ", TYPES.keySet()) + ", got '" + name + "'");
    }
    return t;
  }

  /** Usage error (exit 2) naming the options {@code type} needs and did not get. */
  static void require(CommandSpec spec, String type, Object... optionsAndValues) {
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < optionsAndValues.length; i += 2) {
      Object v = optionsAndValues[i + 1];
      if (v == null || (v instanceof List<?> l && l.isEmpty())) {
        missing.add("'" + optionsAndValues[i] + "'");
      }
    }
    if (!missing.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(),
          "Missing required option"
              + (missing.size() > 1 ? "s" : "")
              + " for --type "
              + type
              + ": "
              + String.join(", ", missing));
    }
  }

  static Instant instant(String value, String option) {
    try {
      return value.length() == 10
          ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
          : Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new CliException(option + " must be an ISO-8601 instant or date, got '" + value + "'");
    }
  }

  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      description =
          "Describe a token of any type (DER, PEM or hex) without verifying it. Never prints a"
              + " key.")
  static final class Inspect implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The token.")
    Path file;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws KeyTransferException {
      for (String line : Tr34TokenInspector.describe(Inputs.binary(file))) {
        spec.commandLine().getOut().println(line);
      }
      return 0;
    }
  }

  @Command(
      name = "build",
      mixinStandardHelpOptions = true,
      description =
          "Build a TR-34 token, DER: two-pass (B.9) or one-pass (B.8) key token, KDH or CA unbind"
              + " (B.14, B.13), KDH or CA rebind (B.11, B.10).")
  static final class Build implements Callable<Integer> {
    @Option(
        names = "--type",
        defaultValue = "kt2",
        description =
            "kt2 (two-pass key token), kt1 (one-pass), ubt-kdh, ubt-ca, rbt-kdh, rbt-ca (default:"
                + " ${DEFAULT-VALUE}).")
    String type;

    @Option(
        names = "--kdh-key",
        description = "The KDH's private key (PEM): the signer of kt2, kt1, ubt-kdh, rbt-kdh.")
    Path kdhKey;

    @Option(
        names = "--kdh-cert",
        description = "The KDH's certificate: the signer, or for ubt-ca / rbt-ca the KDH left.")
    Path kdhCert;

    @Option(
        names = "--krd-cert",
        description =
            "The receiving terminal's certificate (recipient, or the terminal addressed).")
    Path krdCert;

    @Option(
        names = "--authority-key",
        description =
            "The higher-level authority's private key (PEM): the signer of ubt-ca, rbt-ca.")
    Path authorityKey;

    @Option(
        names = "--authority-cert",
        description = "The higher-level authority's certificate (ubt-ca, rbt-ca).")
    Path authorityCert;

    @Option(
        names = "--new-kdh-cert",
        description = "The new KDH's certificate, optionally followed by its CA (rbt-kdh, rbt-ca).")
    Path newKdhCert;

    @Option(names = "--key", description = "The key to transport, hex (kt2, kt1).")
    String key;

    @Option(
        names = "--header",
        description = "TR-31 style key block header, e.g. A0000K0TB00E0000 (kt2, kt1).")
    String header;

    @Option(
        names = "--nonce",
        description =
            "The terminal's nonce from its RT-KRD, 8-16 bytes hex (kt2, ubt-kdh, rbt-kdh).")
    String nonce;

    @Option(
        names = "--signing-time",
        description = "signingTime, ISO-8601 (kt1, rbt-ca; default: now).")
    String signingTime;

    @Option(
        names = "--crl",
        description = "A CRL to carry (repeatable; not carried by TR34_2012 key tokens).")
    List<Path> crls = new ArrayList<>();

    @Option(
        names = "--profile",
        defaultValue = "TR34_2019",
        description = "Output layout: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Tr34Profile profile;

    @Option(names = "--out", required = true, description = "Where to write the token (DER).")
    Path out;

    @Mixin PassphraseOption passphrase;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws KeyTransferException {
      Tr34TokenType t = type(spec, type);
      BcCryptoProvider crypto = new BcCryptoProvider();
      Tr34TokenCodec codec = new Tr34TokenCodec(crypto, profile);
      List<X509CRL> carried = new ArrayList<>();
      crls.forEach(f -> carried.add(Inputs.crl(f)));
      Instant time = signingTime == null ? Instant.now() : instant(signingTime, "--signing-time");
      String summary;
      HandshakeMessage token;
      switch (t) {
        case KT_KDH_TWO_PASS, KT_KDH_ONE_PASS -> {
          require(
              spec,
              type,
              "--kdh-key",
              kdhKey,
              "--kdh-cert",
              kdhCert,
              "--krd-cert",
              krdCert,
              "--key",
              key,
              "--header",
              header,
              "--nonce",
              t == Tr34TokenType.KT_KDH_TWO_PASS ? nonce : "");
          X509Certificate kdh = Inputs.certificate(kdhCert);
          SoftwareKeyHandle signer = signer(kdhKey, kdh, "--kdh-key", "--kdh-cert");
          KeyBlockHeader h = KeyBlockHeader.parse(header);
          try (SecretKeyMaterial m = SecretKeyMaterial.adopt(Inputs.hex(key, "--key"))) {
            X509Certificate krd = Inputs.certificate(krdCert);
            token =
                t == Tr34TokenType.KT_KDH_TWO_PASS
                    ? codec.buildKeyToken(
                        KeyTokenRequest.twoPass(kdh, signer, krd, nonce(), h, m, carried))
                    : codec.buildKeyToken(
                        KeyTokenRequest.onePass(kdh, signer, krd, time, h, m, carried));
            KeyCheckValue kcv = crypto.keyCheckValue(m, h.kcvMethod());
            summary =
                (t == Tr34TokenType.KT_KDH_TWO_PASS
                        ? "two-pass KT-KDH"
                        : "one-pass KT-KDH, signingTime=" + seconds(time))
                    + ", "
                    + profile
                    + ", header="
                    + h
                    + ", kcv="
                    + kcv.hex();
          }
        }
        case UBT_KDH -> {
          require(
              spec,
              type,
              "--kdh-key",
              kdhKey,
              "--kdh-cert",
              kdhCert,
              "--krd-cert",
              krdCert,
              "--nonce",
              nonce);
          X509Certificate kdh = Inputs.certificate(kdhCert);
          token =
              codec.buildKdhUnbindToken(
                  kdh, signer(kdhKey, kdh, "--kdh-key", "--kdh-cert"), krdId(), nonce(), carried);
          summary = "UBT-KDH, " + profile + ", krd=" + krdId();
        }
        case UBT_CA -> {
          require(
              spec,
              type,
              "--authority-key",
              authorityKey,
              "--authority-cert",
              authorityCert,
              "--krd-cert",
              krdCert,
              "--kdh-cert",
              kdhCert);
          X509Certificate ca = Inputs.certificate(authorityCert);
          IssuerAndSerial kdh = IssuerAndSerial.of(Inputs.certificate(kdhCert));
          token =
              codec.buildCaUnbindToken(
                  ca,
                  signer(authorityKey, ca, "--authority-key", "--authority-cert"),
                  krdId(),
                  kdh);
          summary = "UBT-CA, " + profile + ", krd=" + krdId() + ", kdh=" + kdh;
        }
        case RBT_KDH -> {
          require(
              spec,
              type,
              "--kdh-key",
              kdhKey,
              "--kdh-cert",
              kdhCert,
              "--krd-cert",
              krdCert,
              "--nonce",
              nonce,
              "--new-kdh-cert",
              newKdhCert);
          X509Certificate kdh = Inputs.certificate(kdhCert);
          CertificateChain next = new CertificateChain(Inputs.certificates(newKdhCert));
          token =
              codec.buildKdhRebindToken(
                  kdh,
                  signer(kdhKey, kdh, "--kdh-key", "--kdh-cert"),
                  krdId(),
                  nonce(),
                  next,
                  carried);
          summary =
              "RBT-KDH, "
                  + profile
                  + ", krd="
                  + krdId()
                  + ", new kdh="
                  + IssuerAndSerial.of(next.leaf());
        }
        case RBT_CA -> {
          require(
              spec,
              type,
              "--authority-key",
              authorityKey,
              "--authority-cert",
              authorityCert,
              "--krd-cert",
              krdCert,
              "--kdh-cert",
              kdhCert,
              "--new-kdh-cert",
              newKdhCert);
          X509Certificate ca = Inputs.certificate(authorityCert);
          IssuerAndSerial old = IssuerAndSerial.of(Inputs.certificate(kdhCert));
          CertificateChain next = new CertificateChain(Inputs.certificates(newKdhCert));
          token =
              codec.buildCaRebindToken(
                  ca,
                  signer(authorityKey, ca, "--authority-key", "--authority-cert"),
                  krdId(),
                  old,
                  next,
                  time,
                  carried);
          summary =
              "RBT-CA, "
                  + profile
                  + ", signingTime="
                  + seconds(time)
                  + ", krd="
                  + krdId()
                  + ", old kdh="
                  + old
                  + ", new kdh="
                  + IssuerAndSerial.of(next.leaf());
        }
        default -> throw new IllegalStateException("unreachable: " + t);
      }
      Inputs.write(out, token.payload());
      spec.commandLine()
          .getOut()
          .println("wrote " + out + " (" + token.payload().length + " bytes): " + summary);
      return 0;
    }

    private static Instant seconds(Instant t) {
      return t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    private Nonce nonce() throws KeyTransferException {
      return Nonce.of(Inputs.hex(nonce, "--nonce"));
    }

    private IssuerAndSerial krdId() {
      return IssuerAndSerial.of(Inputs.certificate(krdCert));
    }

    private SoftwareKeyHandle signer(
        Path keyFile, X509Certificate cert, String keyOption, String certOption) {
      SoftwareKeyHandle signer = Inputs.privateKey(keyFile, passphrase);
      if (!Arrays.equals(signer.publicKey().getEncoded(), cert.getPublicKey().getEncoded())) {
        throw new CliException(keyOption + " does not belong to " + certOption);
      }
      return signer;
    }
  }

  @Command(
      name = "open",
      mixinStandardHelpOptions = true,
      description =
          "Verify a key, unbind or rebind token and print what it says; a key token is then"
              + " decrypted (header and KCV; the key only with --reveal-key).")
  static final class Open implements Callable<Integer> {
    @Option(names = "--token", required = true, description = "The token (DER, PEM or hex).")
    Path token;

    @Option(
        names = "--type",
        description =
            "kt2, kt1, ubt-kdh, ubt-ca, rbt-kdh, rbt-ca (default: from the token's structure).")
    String type;

    @Option(
        names = "--kdh-cert",
        required = true,
        description =
            "The KDH's certificate: the signer, or for ubt-ca / rbt-ca the KDH the terminal is"
                + " bound to.")
    Path kdhCert;

    @Option(
        names = "--krd-key",
        description = "The receiving terminal's private key (PEM); needed to decrypt key tokens.")
    Path krdKey;

    @Option(
        names = "--krd-cert",
        description =
            "The terminal's certificate: picks its recipient info; the token must address it.")
    Path krdCert;

    @Option(
        names = "--authority-cert",
        description = "The higher-level authority's certificate, signer of ubt-ca and rbt-ca.")
    Path authorityCert;

    @Option(
        names = "--nonce",
        description =
            "The nonce the terminal sent; the token must echo it (kt2, ubt-kdh, rbt-kdh).")
    String nonce;

    @Option(
        names = "--ca-cert",
        description =
            "Also validate the KDH chain (and a rebind's new KDH): trust anchor(s) and KDH CA,"
                + " PEM.")
    Path caCert;

    @Option(names = "--crl", description = "CRL for chain validation (repeatable).")
    List<Path> crls = new ArrayList<>();

    @Option(
        names = "--at",
        description = "Validation time, ISO-8601 (e.g. 2010-11-15T00:00:00Z or 2010-11-15).")
    String at;

    @Option(
        names = "--reveal-key",
        description = "Print the clear key. Only on a machine you trust.")
    boolean revealKey;

    @Mixin PassphraseOption passphrase;

    @Spec CommandSpec spec;

    private final BcCryptoProvider crypto = new BcCryptoProvider();
    private final Tr34TokenCodec codec = new Tr34TokenCodec(crypto);

    @Override
    public Integer call() throws KeyTransferException {
      Tr34TokenType given = type == null ? null : type(spec, type);
      X509Certificate kdh = Inputs.certificate(kdhCert);
      byte[] bytes = Inputs.binary(token);
      Tr34TokenType t = given != null ? given : Tr34TokenInspector.classify(bytes);
      if (!TYPES.containsValue(t)) {
        throw new CliException(
            "token open reads key, unbind and rebind tokens; this is a "
                + t
                + " (try token inspect)");
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("type=" + t.label());
      switch (t) {
        case KT_KDH_TWO_PASS, KT_KDH_ONE_PASS -> openKeyToken(t, bytes, kdh, out);
        case UBT_KDH, UBT_CA -> {
          VerifiedUnbind v =
              t == Tr34TokenType.UBT_KDH
                  ? codec.verifyKdhUnbindToken(codec.decodeKdhUnbindToken(bytes), kdh)
                  : codec.verifyCaUnbindToken(codec.decodeCaUnbindToken(bytes), authority(t));
          checkKdh(v.kdhId(), kdh, "unbinds");
          checkCommon(v.nonce(), v.krdId(), v.crls(), kdh, out);
          out.println("signer=" + v.signer());
          v.signingTime().ifPresent(s -> out.println("signingTime=" + s));
          out.println("krd=" + v.krdId());
          out.println("kdh=" + v.kdhId());
        }
        case RBT_KDH, RBT_CA -> {
          VerifiedRebind v =
              t == Tr34TokenType.RBT_KDH
                  ? codec.verifyKdhRebindToken(codec.decodeKdhRebindToken(bytes), kdh)
                  : codec.verifyCaRebindToken(codec.decodeCaRebindToken(bytes), authority(t));
          checkKdh(v.oldKdhId(), kdh, "rebinds away from");
          checkCommon(v.nonce(), v.krdId(), v.crls(), kdh, out);
          if (caCert != null) {
            validateKdh(v.newKdhCertificate(), v.crls());
            out.println("new kdh chain: valid");
          }
          out.println("signer=" + v.signer());
          v.signingTime().ifPresent(s -> out.println("signingTime=" + s));
          out.println("krd=" + v.krdId());
          out.println("old kdh=" + v.oldKdhId());
          out.println(
              "new kdh="
                  + v.newKdhCertificate().getSubjectX500Principal().getName()
                  + " ("
                  + v.newKdhId()
                  + ")");
        }
        default -> throw new IllegalStateException("unreachable: " + t);
      }
      return 0;
    }

    private X509Certificate authority(Tr34TokenType t) {
      if (authorityCert == null) {
        throw new ParameterException(
            spec.commandLine(),
            "Missing required option for " + t.label() + ": '--authority-cert'");
      }
      return Inputs.certificate(authorityCert);
    }

    /**
     * The terminal's checks of an unbind or rebind token (VerifiedUnbind / VerifiedRebind javadoc).
     */
    private void checkCommon(
        Optional<Nonce> got,
        IssuerAndSerial krdId,
        List<X509CRL> carried,
        X509Certificate kdh,
        PrintWriter out)
        throws KeyTransferException {
      if (caCert != null) {
        validateKdh(kdh, carried);
        out.println("kdh chain: valid");
      }
      checkNonce(got);
      if (krdCert != null && !krdId.equals(IssuerAndSerial.of(Inputs.certificate(krdCert)))) {
        throw new CliException("the token is addressed to " + krdId + ", not to --krd-cert");
      }
    }

    private static void checkKdh(IssuerAndSerial named, X509Certificate kdh, String verb) {
      if (!named.equals(IssuerAndSerial.of(kdh))) {
        throw new CliException("the token " + verb + " " + named + ", not --kdh-cert");
      }
    }

    private void checkNonce(Optional<Nonce> got) throws KeyTransferException {
      if (nonce != null) {
        Nonce expected = Nonce.of(Inputs.hex(nonce, "--nonce"));
        if (got.isEmpty() || !expected.matches(got.get())) {
          throw new NonceMismatchException(
              ErrorCode.NONCE_MISMATCH, "the token does not echo --nonce");
        }
      }
    }

    private void openKeyToken(Tr34TokenType t, byte[] bytes, X509Certificate kdh, PrintWriter out)
        throws KeyTransferException {
      if (krdKey == null) {
        throw new ParameterException(
            spec.commandLine(), "Missing required option for a key token: '--krd-key'");
      }
      VerifiedKeyToken v =
          t == Tr34TokenType.KT_KDH_TWO_PASS
              ? codec.verifyKeyToken(codec.decodeKeyToken(bytes), kdh)
              : codec.verifyOnePassKeyToken(codec.decodeOnePassKeyToken(bytes), kdh);
      if (caCert != null) {
        validateKdh(kdh, v.crls());
        out.println("kdh chain: valid");
      }
      checkNonce(v.nonce());
      SoftwareKeyHandle key = Inputs.privateKey(krdKey, passphrase);
      try (KeyBlock block =
          krdCert != null
              ? codec.decryptKeyToken(v, key, Inputs.certificate(krdCert))
              : codec.decryptKeyTokenForSoleRecipient(v, key)) {
        KeyBlockChecks.check(block, v, IssuerAndSerial.of(kdh));
        out.println("signer=" + v.signer());
        v.nonce()
            .ifPresent(
                n -> out.println("nonce=" + HexFormat.of().withUpperCase().formatHex(n.bytes())));
        v.signingTime().ifPresent(s -> out.println("signingTime=" + s));
        out.println("header=" + block.header());
        out.println("kcv=" + crypto.keyCheckValue(block.key(), block.header().kcvMethod()).hex());
        if (revealKey) {
          byte[] k = block.key().copyBytes();
          out.println("key=" + HexFormat.of().withUpperCase().formatHex(k));
          Arrays.fill(k, (byte) 0);
        }
      }
    }

    private void validateKdh(X509Certificate kdh, List<X509CRL> carried)
        throws KeyTransferException {
      ValidationPolicy.Builder p =
          ValidationPolicy.builder()
              // an inspection tool: it is given CA certificates, not told which CA is of which role
              .withoutRolePinning()
              .clock(Clock.fixed(at == null ? Instant.now() : instant(at, "--at"), ZoneOffset.UTC));
      for (X509Certificate c : Inputs.certificates(caCert)) {
        if (c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
          p.trustAnchor(c);
        } else {
          p.intermediate(c);
        }
      }
      List<X509CRL> all = new ArrayList<>(carried);
      crls.forEach(f -> all.add(Inputs.crl(f)));
      ValidationPolicy policy;
      try {
        policy = p.build();
      } catch (IllegalStateException e) {
        throw new CliException("--ca-cert holds no self-signed trust anchor");
      }
      new PkixCertificateValidator(policy).validate(CertificateChain.of(kdh), Role.KDH, all);
    }
  }
}
