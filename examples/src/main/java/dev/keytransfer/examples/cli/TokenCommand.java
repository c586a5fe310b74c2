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
import dev.keytransfer.core.internal.Hex;
import dev.keytransfer.core.message.KdhKeyToken;
import dev.keytransfer.core.spi.KeyBlock;
import dev.keytransfer.core.spi.KeyTokenRequest;
import dev.keytransfer.core.spi.VerifiedKeyToken;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.pki.PkixCertificateValidator;
import dev.keytransfer.crypto.tr34.Tr34Profile;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import dev.keytransfer.crypto.tr34.Tr34TokenInspector;
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
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** TR-34 tokens by hand: inspect, build a two-pass key token, open one. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Inspect, build and open TR-34 tokens.",
    subcommands = {TokenCommand.Inspect.class, TokenCommand.Build.class, TokenCommand.Open.class})
final class TokenCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: inspect, build, open");
  }

  @Command(name = "inspect", mixinStandardHelpOptions = true,
      description = "Describe a token (DER, PEM or hex) without verifying it. Never prints a key.")
  static final class Inspect implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The token.")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws KeyTransferException {
      for (String line : Tr34TokenInspector.describe(Inputs.binary(file))) {
        spec.commandLine().getOut().println(line);
      }
      return 0;
    }
  }

  @Command(name = "build", mixinStandardHelpOptions = true, description = "Build a two-pass key token (TR-34 B.9), DER.")
  static final class Build implements Callable<Integer> {
    @Option(names = "--kdh-key", required = true, description = "The KDH's private key (PEM).")
    Path kdhKey;

    @Option(names = "--kdh-cert", required = true, description = "The KDH's certificate.")
    Path kdhCert;

    @Option(names = "--krd-cert", required = true, description = "The receiving terminal's certificate.")
    Path krdCert;

    @Option(names = "--key", required = true, description = "The key to transport, hex.")
    String key;

    @Option(names = "--header", required = true, description = "TR-31 style key block header, e.g. A0000K0TB00E0000.")
    String header;

    @Option(names = "--nonce", required = true, description = "The terminal's nonce from its RT-KRD, 8-16 bytes hex.")
    String nonce;

    @Option(names = "--crl", description = "A CRL to carry (repeatable).")
    List<Path> crls = new ArrayList<>();

    @Option(names = "--profile", defaultValue = "TR34_2019", description = "Output layout: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Tr34Profile profile;

    @Option(names = "--out", required = true, description = "Where to write the token (DER).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws KeyTransferException {
      BcCryptoProvider crypto = new BcCryptoProvider();
      X509Certificate kdh = Inputs.certificate(kdhCert);
      SoftwareKeyHandle signer = Inputs.privateKey(kdhKey);
      if (!Arrays.equals(signer.publicKey().getEncoded(), kdh.getPublicKey().getEncoded())) {
        throw new CliException("--kdh-key does not belong to --kdh-cert");
      }
      List<X509CRL> carried = new ArrayList<>();
      crls.forEach(f -> carried.add(Inputs.crl(f)));
      KeyBlockHeader h = KeyBlockHeader.parse(header);
      byte[] k = Inputs.hex(key, "--key");
      try (SecretKeyMaterial m = SecretKeyMaterial.adopt(k)) {
        KdhKeyToken token = new Tr34TokenCodec(crypto, profile).buildKeyToken(new KeyTokenRequest(kdh, signer,
            Inputs.certificate(krdCert), Nonce.of(Inputs.hex(nonce, "--nonce")), h, m, carried));
        Inputs.write(out, token.encoded());
        KeyCheckValue kcv = crypto.keyCheckValue(m, h.kcvMethod());
        spec.commandLine().getOut().println("wrote " + out + " (" + token.encoded().length + " bytes): two-pass KT-KDH, "
            + profile + ", header=" + h + ", kcv=" + kcv.hex());
      }
      return 0;
    }
  }

  @Command(name = "open", mixinStandardHelpOptions = true,
      description = "Verify a key token, then decrypt it; prints header and KCV (the key only with --reveal-key).")
  static final class Open implements Callable<Integer> {
    @Option(names = "--token", required = true, description = "The key token (DER, PEM or hex).")
    Path token;

    @Option(names = "--krd-key", required = true, description = "The receiving terminal's private key (PEM).")
    Path krdKey;

    @Option(names = "--krd-cert", description = "The terminal's certificate, to pick its recipient info.")
    Path krdCert;

    @Option(names = "--kdh-cert", required = true, description = "The signing KDH's certificate.")
    Path kdhCert;

    @Option(names = "--nonce", description = "The nonce the terminal sent; the token must echo it.")
    String nonce;

    @Option(names = "--ca-cert", description = "Also validate the KDH chain: trust anchor(s) and KDH CA, PEM.")
    Path caCert;

    @Option(names = "--crl", description = "CRL for chain validation (repeatable).")
    List<Path> crls = new ArrayList<>();

    @Option(names = "--at", description = "Validation time, ISO-8601 (e.g. 2010-11-15T00:00:00Z or 2010-11-15).")
    String at;

    @Option(names = "--reveal-key", description = "Print the clear key. Only on a machine you trust.")
    boolean revealKey;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws KeyTransferException {
      BcCryptoProvider crypto = new BcCryptoProvider();
      Tr34TokenCodec codec = new Tr34TokenCodec(crypto);
      X509Certificate kdh = Inputs.certificate(kdhCert);
      KdhKeyToken kt = codec.decodeKeyToken(Inputs.binary(token));
      VerifiedKeyToken v = codec.verifyKeyToken(kt, kdh);
      PrintWriter out = spec.commandLine().getOut();
      if (caCert != null) {
        validateKdh(kdh, v.crls());
        out.println("kdh chain: valid");
      }
      if (nonce != null) {
        Nonce expected = Nonce.of(Inputs.hex(nonce, "--nonce"));
        if (v.nonce().isEmpty() || !expected.matches(v.nonce().get())) {
          throw new NonceMismatchException(ErrorCode.NONCE_MISMATCH, "the token does not echo --nonce");
        }
      }
      SoftwareKeyHandle key = Inputs.privateKey(krdKey);
      try (KeyBlock block = krdCert != null
          ? codec.decryptKeyToken(v, key, Inputs.certificate(krdCert))
          : codec.decryptKeyTokenForSoleRecipient(v, key)) {
        KeyBlockChecks.check(block, v, IssuerAndSerial.of(kdh));
        out.println("signer=" + v.signer());
        v.nonce().ifPresent(n -> out.println("nonce=" + Hex.encode(n.bytes())));
        v.signingTime().ifPresent(t -> out.println("signingTime=" + t));
        out.println("header=" + block.header());
        out.println("kcv=" + crypto.keyCheckValue(block.key(), block.header().kcvMethod()).hex());
        if (revealKey) {
          byte[] k = block.key().copyBytes();
          out.println("key=" + Hex.encode(k));
          Arrays.fill(k, (byte) 0);
        }
      }
      return 0;
    }

    private void validateKdh(X509Certificate kdh, List<X509CRL> carried) throws KeyTransferException {
      ValidationPolicy.Builder p = ValidationPolicy.builder().clock(Clock.fixed(time(), ZoneOffset.UTC));
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

    private Instant time() {
      if (at == null) {
        return Instant.now();
      }
      try {
        return at.length() == 10 ? LocalDate.parse(at).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(at);
      } catch (DateTimeParseException e) {
        throw new CliException("--at must be an ISO-8601 instant or date, got '" + at + "'");
      }
    }
  }
}
