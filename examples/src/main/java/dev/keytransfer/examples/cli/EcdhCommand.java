package dev.keytransfer.examples.cli;

import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.ecdh.KeyDerivation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * The ECDH mode's key derivation (docs/ECDH.md) by hand: static-static ECDH between a private key
 * file and a peer's certificate, then the SP 800-56C or X9.63 KDF over Z and the shared
 * information. Prints the derived key's KCV; the key only with {@code --reveal-key}.
 */
@Command(
    name = "ecdh",
    mixinStandardHelpOptions = true,
    description = "ECDH mode key derivation (docs/ECDH.md).",
    subcommands = {EcdhCommand.Derive.class})
final class EcdhCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: derive");
  }

  /** The two key derivation functions, by their command line names. */
  enum Kdf {
    sp800_56c(Algorithms.Kdf.NIST_SP800),
    x963(Algorithms.Kdf.ANSI_X963);

    final Algorithms.Kdf kdf;

    Kdf(Algorithms.Kdf kdf) {
      this.kdf = kdf;
    }

    String label() {
      return name().replace('_', '-');
    }
  }

  static final class KdfConverter implements ITypeConverter<Kdf> {
    @Override
    public Kdf convert(String value) {
      for (Kdf k : Kdf.values()) {
        if (k.label().equals(value)) {
          return k;
        }
      }
      throw new TypeConversionException("expected sp800-56c or x963 but was '" + value + "'");
    }
  }

  enum Hash {
    sha256(Algorithms.Hash.SHA256),
    sha384(Algorithms.Hash.SHA384),
    sha512(Algorithms.Hash.SHA512);

    final Algorithms.Hash hash;

    Hash(Algorithms.Hash hash) {
      this.hash = hash;
    }

    static Hash of(Algorithms.Hash h) {
      for (Hash x : values()) {
        if (x.hash == h) {
          return x;
        }
      }
      throw new IllegalArgumentException(h.name());
    }
  }

  @Command(
      name = "derive",
      mixinStandardHelpOptions = true,
      description = {
        "Derive a key from this party's EC private key and the peer's EC certificate: Z by ECDH"
            + " (both keys on P-256, P-384 or P-521, one curve), then the KDF over Z and the"
            + " shared information.",
        "Prints the derived key's KCV (AES-CMAC for 16, 24 or 32 bytes); the key only with"
            + " --reveal-key."
      })
  static final class Derive implements Callable<Integer> {
    @Option(
        names = "--private-key",
        required = true,
        paramLabel = "K.pem",
        description =
            "This party's EC private key: PEM (PKCS#8, encrypted PKCS#8 or SEC 1 \"EC PRIVATE"
                + " KEY\") or PKCS#8 DER.")
    Path privateKey;

    @Option(
        names = "--peer-cert",
        required = true,
        paramLabel = "C.pem",
        description = "The peer's certificate (PEM or DER); its key must be on the same curve.")
    Path peerCert;

    @Option(
        names = "--kdf",
        required = true,
        paramLabel = "sp800-56c|x963",
        converter = KdfConverter.class,
        description =
            "sp800-56c: NIST SP 800-56C rev. 2 one-step, H(counter || Z || info); x963: ANSI X9.63,"
                + " H(Z || counter || info).")
    Kdf kdf;

    @Option(
        names = "--hash",
        paramLabel = "sha256|sha384|sha512",
        description = "The KDF's hash (default: the curve's, sha256 for P-256 and so on).")
    Hash hash;

    @Option(
        names = "--shared-info",
        required = true,
        paramLabel = "HEX",
        description = "The shared information (FixedInfo / SharedInfo) in hex; may be empty.")
    String sharedInfo;

    @Option(
        names = "--length",
        required = true,
        paramLabel = "N",
        description = "Bytes to derive (e.g. 32 for an AES-256 key-block protection key).")
    int length;

    @Option(
        names = "--provider",
        defaultValue = "bc",
        paramLabel = "bc|jca|accp",
        description =
            "Crypto provider of the ECDH (default: ${DEFAULT-VALUE}); the key is a file, so not"
                + " pkcs11.")
    String provider;

    @Mixin PassphraseOption passphrase;

    @Mixin RevealKeyOption revealKey;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if ("pkcs11".equals(provider)) {
        throw new CliException(
            "--provider pkcs11: the private key comes from a file; use bc, jca or accp");
      }
      byte[] info = sharedInfo.isBlank() ? new byte[0] : Inputs.hex(sharedInfo, "--shared-info");
      if (length < 1) {
        throw new CliException("--length must be at least 1, not " + length);
      }
      SoftwareKeyHandle key = Inputs.ecPrivateKey(privateKey, passphrase, "--private-key");
      X509Certificate peer = Inputs.certificate(peerCert);
      Algorithms.Curve curve = Algorithms.Curve.of(key.publicKey());
      Hash h = hash != null ? hash : Hash.of(curve.hash());
      if (length > KeyDerivation.MAX_BLOCKS * h.hash.length()) {
        throw new CliException(
            "--length must be at most "
                + KeyDerivation.MAX_BLOCKS * h.hash.length()
                + " with "
                + h
                + ", not "
                + length);
      }
      CryptoProvider crypto = ProviderOption.open(spec, provider);
      try {
        PrintWriter out = spec.commandLine().getOut();
        boolean reveal = revealKey.revealing();
        try (SecretKeyMaterial z = crypto.agree(key, peer.getPublicKey());
            SecretKeyMaterial k = KeyDerivation.derive(kdf.kdf, h.hash, z, info, length)) {
          out.println(
              "ecdh="
                  + curve
                  + "  kdf="
                  + kdf.label()
                  + "  hash="
                  + h
                  + "  shared-info="
                  + info.length
                  + " bytes  peer="
                  + peer.getSubjectX500Principal().getName());
          boolean aes = k.length() == 16 || k.length() == 24 || k.length() == 32;
          out.println(
              aes
                  ? KeyReport.line(crypto, "derived-key", k, 'A', reveal)
                  : "derived-key: "
                      + k.length()
                      + " bytes, kcv=n/a"
                      + (reveal ? ", key=" + KeyReport.clear(k) : ""));
        }
      } finally {
        if (crypto instanceof AutoCloseable c) {
          c.close();
        }
      }
      return 0;
    }
  }
}
