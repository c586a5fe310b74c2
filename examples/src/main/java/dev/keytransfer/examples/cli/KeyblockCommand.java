package dev.keytransfer.examples.cli;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.keyblock.KeyBlockVersion;
import dev.keytransfer.crypto.keyblock.OptionalBlock;
import dev.keytransfer.crypto.keyblock.Tr31Codec;
import dev.keytransfer.crypto.keyblock.Tr31Header;
import dev.keytransfer.crypto.keyblock.UnwrappedKey;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * TR-31 / ANSI X9.143 key blocks: wrap a key, unwrap one, or read a block's header without the key.
 */
@Command(
    name = "keyblock",
    mixinStandardHelpOptions = true,
    description = "TR-31 / ANSI X9.143 key blocks (versions A, B, C, D): wrap, unwrap, inspect.",
    subcommands = {
      KeyblockCommand.Wrap.class,
      KeyblockCommand.Unwrap.class,
      KeyblockCommand.Inspect.class
    })
final class KeyblockCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: wrap, unwrap, inspect");
  }

  /** A key block given inline or in a file. */
  static final class Source {
    @Option(
        names = "--block",
        required = true,
        paramLabel = "STR",
        description = "The key block text.")
    String block;

    @Option(
        names = "--in",
        required = true,
        paramLabel = "F",
        description = "A file holding the key block text.")
    Path in;

    String text() {
      return Inputs.text(block, in);
    }
  }

  @Command(
      name = "wrap",
      mixinStandardHelpOptions = true,
      description =
          "Wrap a key under a key block protection key (KBPK) and print the key block. The header"
              + " decides the version (A, B, C: TDES KBPK; D: AES KBPK); a PB block is added when"
              + " needed.")
  static final class Wrap implements Callable<Integer> {
    @Option(
        names = "--kbpk",
        required = true,
        paramLabel = "HEX",
        description = "The key block protection key.")
    String kbpk;

    @Option(
        names = "--header",
        required = true,
        paramLabel = "STR",
        description =
            "The header, e.g. D0000P0AE00E0000 or B0000B1TX00N0100KS18FFFF9876543210E00000 (the"
                + " length field is filled in).")
    String header;

    @Option(names = "--key", required = true, paramLabel = "HEX", description = "The key to wrap.")
    String key;

    @Option(
        names = "--out",
        paramLabel = "F",
        description = "Write the key block to F instead of standard output.")
    Path out;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws KeyTransferException {
      Tr31Header h = Tr31Header.parse(header.strip());
      String block;
      try (SecretKeyMaterial p = Inputs.secretHex(kbpk, "--kbpk");
          SecretKeyMaterial k = Inputs.secretHex(key, "--key")) {
        block = Tr31Codec.create(new BcCryptoProvider()).wrap(p, h, k);
      }
      PrintWriter o = spec.commandLine().getOut();
      if (out == null) {
        o.println(block);
      } else {
        Inputs.write(out, block + "\n");
        o.println("key block written to " + out + " (" + block.length() + " characters)");
      }
      return 0;
    }
  }

  @Command(
      name = "unwrap",
      mixinStandardHelpOptions = true,
      description =
          "Authenticate and decrypt a key block: print its header, optional blocks, key length and"
              + " KCV (the key itself only with --reveal-key).")
  static final class Unwrap implements Callable<Integer> {
    @Option(
        names = "--kbpk",
        required = true,
        paramLabel = "HEX",
        description = "The key block protection key.")
    String kbpk;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(
        names = "--strict",
        description =
            "Apply the strict X9.143 import rules (header formats, key length obfuscation).")
    boolean strict;

    @Mixin RevealKeyOption revealKey;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws KeyTransferException {
      String text = source.text();
      BcCryptoProvider crypto = new BcCryptoProvider();
      Tr31Codec codec = Tr31Codec.create(crypto);
      if (strict) {
        codec = codec.withStrictImport();
      }
      PrintWriter o = spec.commandLine().getOut();
      try (SecretKeyMaterial p = Inputs.secretHex(kbpk, "--kbpk");
          UnwrappedKey u = codec.unwrap(p, text)) {
        boolean reveal = revealKey.revealing();
        printHeader(o, text, u.header());
        o.println(
            "authenticated: MAC verified under the KBPK (kcv="
                + KeyReport.kcv(crypto, p, u.header().version().aes() ? 'A' : 'T')
                + ")");
        o.println(KeyReport.line(crypto, "key", u.key(), u.header().algorithm(), reveal));
      }
      return 0;
    }
  }

  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      description =
          "Print a key block's header, optional blocks and lengths without a KBPK (nothing is"
              + " authenticated).")
  static final class Inspect implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws KeyTransferException {
      String text = source.text();
      int end = headerEnd(text);
      Tr31Header h = Tr31Header.parse(end < 0 ? text : text.substring(0, end));
      PrintWriter o = spec.commandLine().getOut();
      printHeader(o, text, h);
      KeyBlockVersion v = h.version();
      String declared = text.substring(1, 5);
      int rest = text.length() - end - 2 * v.macLength();
      o.println(
          "length="
              + text.length()
              + (declared.equals(String.format("%04d", text.length()))
                  ? ""
                  : " (the length field says " + declared + ")")
              + "  header="
              + end
              + " characters  encrypted-payload="
              + (rest < 0 ? "missing" : rest / 2 + " bytes")
              + "  mac="
              + v.macLength()
              + " bytes");
      o.println("not authenticated: keyblock unwrap --kbpk checks the MAC and recovers the key");
      return 0;
    }
  }

  /**
   * Where the header of a key block ends (after its last optional block, by the count at positions
   * 12-13 and each block's length field, short or extended form), or -1 if it cannot be walked; the
   * caller hands the prefix to {@link Tr31Header#parse}, which checks everything.
   */
  static int headerEnd(String block) {
    if (block.length() < Tr31Header.FIXED_LENGTH) {
      return -1;
    }
    try {
      int count = Integer.parseInt(block.substring(12, 14));
      int pos = Tr31Header.FIXED_LENGTH;
      for (int i = 0; i < count; i++) {
        int length = Integer.parseInt(block.substring(pos + 2, pos + 4), 16);
        if (length == 0) {
          length = Integer.parseInt(block.substring(pos + 6, pos + 10), 16);
        }
        if (length < 4) {
          return -1;
        }
        pos += length;
      }
      return pos <= block.length() ? pos : -1;
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      return -1;
    }
  }

  /**
   * The header text as it appears in the block, its fields and its optional blocks, one per line.
   */
  static void printHeader(PrintWriter out, String block, Tr31Header h) {
    int end = headerEnd(block);
    out.println("header=" + (end < 0 ? h.encode(0) : block.substring(0, end)));
    out.println(
        "version="
            + h.version().id()
            + " ("
            + VERSIONS.get(h.version())
            + ")"
            + "  usage="
            + h.keyUsage()
            + named(USAGES.get(h.keyUsage()))
            + "  algorithm="
            + h.algorithm()
            + named(ALGORITHMS.get(h.algorithm()))
            + "  mode="
            + h.modeOfUse()
            + named(MODES.get(h.modeOfUse()))
            + "  key-version="
            + h.keyVersionNumber()
            + "  exportability="
            + h.exportability()
            + named(EXPORTABILITY.get(h.exportability()))
            + "  context="
            + h.keyContext());
    out.println("optional-blocks=" + h.optionalBlocks().size());
    for (OptionalBlock b : h.optionalBlocks()) {
      out.println("  " + b.id() + "  " + b.data() + named(BLOCKS.get(b.id())));
    }
  }

  private static String named(String name) {
    return name == null ? "" : " (" + name + ")";
  }

  private static final Map<KeyBlockVersion, String> VERSIONS =
      Map.of(
          KeyBlockVersion.A, "TDES, key variant binding, deprecated",
          KeyBlockVersion.B, "TDES, key derivation binding",
          KeyBlockVersion.C, "TDES, key variant binding",
          KeyBlockVersion.D, "AES, key derivation binding");

  private static final Map<String, String> USAGES =
      Map.ofEntries(
          Map.entry("B0", "base derivation key"),
          Map.entry("B1", "initial DUKPT key"),
          Map.entry("B2", "base key variant key"),
          Map.entry("C0", "card verification key"),
          Map.entry("D0", "data encryption"),
          Map.entry("D1", "asymmetric data encryption"),
          Map.entry("E0", "EMV application cryptograms"),
          Map.entry("E1", "EMV secure messaging, confidentiality"),
          Map.entry("E2", "EMV secure messaging, integrity"),
          Map.entry("E3", "EMV data authentication code"),
          Map.entry("E4", "EMV dynamic numbers"),
          Map.entry("E5", "EMV card personalization"),
          Map.entry("E6", "EMV other"),
          Map.entry("I0", "initialization vector"),
          Map.entry("K0", "key encryption or wrapping"),
          Map.entry("K1", "TR-31 key block protection key"),
          Map.entry("K2", "TR-34 asymmetric key"),
          Map.entry("K3", "asymmetric key for key agreement or wrapping"),
          Map.entry("M0", "MAC"),
          Map.entry("M1", "MAC"),
          Map.entry("M2", "MAC"),
          Map.entry("M3", "MAC"),
          Map.entry("M4", "MAC"),
          Map.entry("M5", "MAC"),
          Map.entry("M6", "MAC"),
          Map.entry("M7", "HMAC"),
          Map.entry("M8", "MAC"),
          Map.entry("P0", "PIN encryption"),
          Map.entry("S0", "asymmetric signature key"),
          Map.entry("V0", "PIN verification"),
          Map.entry("V1", "PIN verification, IBM 3624"),
          Map.entry("V2", "PIN verification, Visa PVV"));

  private static final Map<Character, String> ALGORITHMS =
      Map.of(
          'A',
          "AES",
          'D',
          "DES",
          'E',
          "elliptic curve",
          'H',
          "HMAC",
          'R',
          "RSA",
          'S',
          "DSA",
          'T',
          "TDES");

  private static final Map<Character, String> MODES =
      Map.ofEntries(
          Map.entry('B', "encrypt and decrypt"),
          Map.entry('C', "MAC generate and verify"),
          Map.entry('D', "decrypt only"),
          Map.entry('E', "encrypt only"),
          Map.entry('G', "generate only"),
          Map.entry('N', "no special restrictions"),
          Map.entry('S', "sign only"),
          Map.entry('T', "sign and decrypt"),
          Map.entry('V', "verify only"),
          Map.entry('X', "derive keys"),
          Map.entry('Y', "create key variants"));

  private static final Map<Character, String> EXPORTABILITY =
      Map.of('E', "exportable under a trusted key", 'N', "not exportable", 'S', "sensitive");

  private static final Map<String, String> BLOCKS =
      Map.ofEntries(
          Map.entry(OptionalBlock.KS, "initial key serial number, TDES DUKPT"),
          Map.entry(OptionalBlock.IK, "initial key ID, AES DUKPT"),
          Map.entry(OptionalBlock.KC, "KCV of the wrapped key"),
          Map.entry(OptionalBlock.KP, "KCV of the KBPK"),
          Map.entry(OptionalBlock.TS, "time stamp"),
          Map.entry("TC", "time of creation"),
          Map.entry(OptionalBlock.PB, "padding"),
          Map.entry("CT", "certificate"),
          Map.entry("HM", "HMAC hash algorithm"),
          Map.entry("BI", "base derivation key ID"),
          Map.entry("LB", "label"),
          Map.entry("DA", "derivations allowed"),
          Map.entry("WP", "wrapping pedigree"),
          Map.entry("KV", "key block values"));
}
