package dev.keytransfer.examples.cli;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.dukpt.AesDukpt;
import dev.keytransfer.crypto.dukpt.AesKsn;
import dev.keytransfer.crypto.dukpt.TdesDukpt;
import dev.keytransfer.crypto.dukpt.TdesKsn;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * DUKPT derivation from a BDK, host side: TDES (ANSI X9.24-1:2009) for 16-20 hex digit KSNs, AES
 * (X9.24-3:2017) for 24 hex digit KSNs and 16 hex digit initial key IDs. Prints KCVs; keys only
 * with {@code --reveal-key}.
 */
@Command(
    name = "dukpt",
    mixinStandardHelpOptions = true,
    description =
        "DUKPT keys from a base derivation key (BDK): TDES (X9.24-1:2009) or AES (X9.24-3:2017).",
    subcommands = {DukptCommand.InitialKey.class, DukptCommand.TransactionKey.class})
final class DukptCommand implements Runnable {
  private static final TdesDukpt TDES_DUKPT = TdesDukpt.using(new JcaCryptoProvider());
  private static final AesDukpt AES_DUKPT = AesDukpt.using(new JcaCryptoProvider());
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: initial-key, transaction-key");
  }

  /**
   * Working-key usages: one name for the TDES variant and the AES usage that play the same part.
   */
  enum Usage {
    pin(TdesDukpt.Variant.PIN, AesDukpt.KeyUsage.PIN_ENCRYPTION),
    mac(TdesDukpt.Variant.MAC_REQUEST, AesDukpt.KeyUsage.MAC_GENERATION),
    mac_response(TdesDukpt.Variant.MAC_RESPONSE, null),
    mac_verify(null, AesDukpt.KeyUsage.MAC_VERIFICATION),
    mac_both(null, AesDukpt.KeyUsage.MAC_BOTH),
    data(TdesDukpt.Variant.DATA_REQUEST, AesDukpt.KeyUsage.DATA_ENCRYPTION),
    data_response(TdesDukpt.Variant.DATA_RESPONSE, null),
    data_decrypt(null, AesDukpt.KeyUsage.DATA_DECRYPTION),
    data_both(null, AesDukpt.KeyUsage.DATA_BOTH),
    kek(null, AesDukpt.KeyUsage.KEY_ENCRYPTION);

    final TdesDukpt.Variant tdes;
    final AesDukpt.KeyUsage aes;

    Usage(TdesDukpt.Variant tdes, AesDukpt.KeyUsage aes) {
      this.tdes = tdes;
      this.aes = aes;
    }

    String label() {
      return name().replace('_', '-');
    }

    static Usage parse(String s) {
      for (Usage u : values()) {
        if (u.label().equals(s)) {
          return u;
        }
      }
      throw new picocli.CommandLine.TypeConversionException(
          "expected one of pin, mac, mac-response, mac-verify, mac-both, data, "
              + "data-response, data-decrypt, data-both, kek but was '"
              + s
              + "'");
    }
  }

  /** Working-key types for AES DUKPT (X9.24-3:2017 table 3). */
  enum KeyType {
    tdes2(AesDukpt.KeyType.TDES_2KEY),
    tdes3(AesDukpt.KeyType.TDES_3KEY),
    aes128(AesDukpt.KeyType.AES_128),
    aes192(AesDukpt.KeyType.AES_192),
    aes256(AesDukpt.KeyType.AES_256);

    final AesDukpt.KeyType type;

    KeyType(AesDukpt.KeyType type) {
      this.type = type;
    }
  }

  /** The device identifier: a KSN or an AES initial key ID. */
  static final class Identifier {
    @Option(
        names = "--ksn",
        required = true,
        paramLabel = "HEX",
        description =
            "TDES: the KSN, 16 to 20 hex digits (counter ignored); AES: the 24-digit KSN (its"
                + " initial key ID).")
    String ksn;

    @Option(
        names = "--initial-key-id",
        required = true,
        paramLabel = "HEX",
        description = "AES: the 16-digit initial key ID (BDK ID || derivation ID).")
    String initialKeyId;
  }

  @Command(
      name = "initial-key",
      mixinStandardHelpOptions = true,
      description =
          "The initial key a device is loaded with: TDES IPEK from BDK + KSN, or AES initial key"
              + " from BDK + initial key ID. Prints its KCV (the key only with --reveal-key).")
  static final class InitialKey implements Callable<Integer> {
    @Mixin Bdk bdk;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Identifier id;

    @Mixin RevealKeyOption revealKey;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws KeyTransferException {
      PrintWriter out = spec.commandLine().getOut();
      BcCryptoProvider crypto = new BcCryptoProvider();
      String hex =
          id.ksn != null
              ? Inputs.hexDigits(id.ksn, "--ksn")
              : Inputs.hexDigits(id.initialKeyId, "--initial-key-id");
      boolean aes = id.initialKeyId != null || hex.length() == 2 * AesKsn.LENGTH;
      if (id.initialKeyId != null && hex.length() != 2 * AesKsn.INITIAL_KEY_ID_LENGTH) {
        throw new CliException(
            "--initial-key-id must have 16 hex digits (BDK ID || derivation ID)");
      }
      try (SecretKeyMaterial b = bdk.open(aes)) {
        boolean reveal = revealKey.revealing();
        if (aes) {
          AesKsn ikid =
              id.initialKeyId != null ? AesKsn.parse(hex) : AesKsn.parse(hex).withCounter(0);
          out.println("dukpt=AES (X9.24-3:2017)  " + KeyReport.line(crypto, "bdk", b, 'A', false));
          out.println("initial-key-id=" + ikid.initialKeyIdHex() + "  (IK optional block)");
          try (SecretKeyMaterial ik = AES_DUKPT.initialKey(b, ikid)) {
            out.println(KeyReport.line(crypto, "initial-key", ik, 'A', reveal));
          }
        } else {
          TdesKsn ksn = tdesKsn(hex).initial();
          out.println("dukpt=TDES (X9.24-1:2009)  " + KeyReport.line(crypto, "bdk", b, 'T', false));
          out.println("initial-ksn=" + ksn.hex() + "  (KS optional block)");
          try (SecretKeyMaterial ipek = TDES_DUKPT.initialKey(b, ksn)) {
            out.println(KeyReport.line(crypto, "ipek", ipek, 'T', reveal));
          }
        }
      }
      return 0;
    }
  }

  @Command(
      name = "transaction-key",
      mixinStandardHelpOptions = true,
      description =
          "The keys for one transaction, as the host derives them from the BDK. TDES KSN: the"
              + " transaction key and its working-key variant; AES KSN: the derivation key at the"
              + " counter and the working key of the usage and type. Prints KCVs (the keys only"
              + " with --reveal-key).")
  static final class TransactionKey implements Callable<Integer> {
    @Mixin Bdk bdk;

    @Option(
        names = "--ksn",
        required = true,
        paramLabel = "HEX",
        description =
            "The transaction's KSN: TDES 16 to 20 hex digits (21-bit counter), AES 24 hex digits"
                + " (32-bit counter).")
    String ksn;

    @Option(
        names = "--usage",
        defaultValue = "pin",
        paramLabel = "USAGE",
        converter = UsageConverter.class,
        description =
            "Working key: pin, mac, data (both algorithms; mac and data are the request variants"
                + " for TDES, generation and encryption for AES), mac-response, data-response"
                + " (TDES), mac-verify, mac-both, data-decrypt, data-both, kek (AES). Default:"
                + " ${DEFAULT-VALUE}.")
    Usage usage;

    @Option(
        names = "--key-type",
        paramLabel = "TYPE",
        description = "AES working key type: ${COMPLETION-CANDIDATES} (default: the BDK's type).")
    KeyType keyType;

    @Mixin RevealKeyOption revealKey;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws KeyTransferException {
      PrintWriter out = spec.commandLine().getOut();
      BcCryptoProvider crypto = new BcCryptoProvider();
      String hex = Inputs.hexDigits(ksn, "--ksn");
      boolean aes = hex.length() == 2 * AesKsn.LENGTH;
      if (aes ? usage.aes == null : usage.tdes == null) {
        throw new CliException(
            "--usage "
                + usage.label()
                + " is not "
                + (aes ? "an AES" : "a TDES")
                + " DUKPT working key");
      }
      if (!aes && keyType != null) {
        throw new CliException(
            "--key-type is for AES DUKPT; TDES DUKPT working keys are double-length TDES");
      }
      try (SecretKeyMaterial b = bdk.open(aes)) {
        boolean reveal = revealKey.revealing();
        if (aes) {
          AesKsn k = AesKsn.parse(hex);
          AesDukpt.KeyType type = keyType != null ? keyType.type : AesDukpt.KeyType.aes(b.length());
          if (type.strength() > AesDukpt.KeyType.aes(b.length()).strength()) {
            throw new CliException(
                "--key-type "
                    + keyType
                    + " is stronger than the AES-"
                    + 8 * b.length()
                    + " BDK's keys");
          }
          out.println(
              "dukpt=AES (X9.24-3:2017)  ksn="
                  + k.hex()
                  + "  counter="
                  + k.counter()
                  + validity(k.isOriginatorValid()));
          try (SecretKeyMaterial ik = AES_DUKPT.initialKey(b, k);
              SecretKeyMaterial dk = AES_DUKPT.derivationKey(ik, k);
              SecretKeyMaterial wk = AES_DUKPT.workingKey(ik, k, usage.aes, type)) {
            out.println(KeyReport.line(crypto, "derivation-key", dk, 'A', reveal));
            out.println(
                KeyReport.line(
                        crypto,
                        usage.label() + "-key",
                        wk,
                        type.name().startsWith("TDES") ? 'T' : 'A',
                        reveal)
                    + "  ("
                    + usage.aes
                    + ", "
                    + type
                    + ")");
          }
        } else {
          TdesKsn k = tdesKsn(hex);
          out.println(
              "dukpt=TDES (X9.24-1:2009)  ksn="
                  + k.hex()
                  + "  counter="
                  + k.counter()
                  + validity(k.isOriginatorValid()));
          try (SecretKeyMaterial ipek = TDES_DUKPT.initialKey(b, k);
              SecretKeyMaterial t = TDES_DUKPT.transactionKey(ipek, k);
              SecretKeyMaterial wk = TDES_DUKPT.workingKey(t, usage.tdes)) {
            out.println(KeyReport.line(crypto, "transaction-key", t, 'T', reveal));
            out.println(
                KeyReport.line(crypto, usage.label() + "-key", wk, 'T', reveal)
                    + "  ("
                    + usage.tdes
                    + " variant)");
          }
        }
      }
      return 0;
    }

    private static String validity(boolean originatorValid) {
      return originatorValid
          ? ""
          : "  (an originating device never uses this counter; derived anyway, as a host does)";
    }
  }

  static final class UsageConverter implements picocli.CommandLine.ITypeConverter<Usage> {
    @Override
    public Usage convert(String value) {
      return Usage.parse(value);
    }
  }

  /** {@code --bdk}, shared by both subcommands. */
  static final class Bdk {
    @Option(
        names = "--bdk",
        required = true,
        paramLabel = "HEX",
        description = "The base derivation key: TDES 16 bytes, AES 16, 24 or 32 bytes.")
    String hex;

    /**
     * The BDK, checked against the DUKPT flavour the KSN or initial key ID selects; the caller
     * closes it.
     */
    SecretKeyMaterial open(boolean aes) {
      SecretKeyMaterial b = Inputs.secretHex(hex, "--bdk");
      int n = b.length();
      if (aes ? n != 16 && n != 24 && n != 32 : n != 16) {
        b.destroy();
        throw new CliException(
            "--bdk: "
                + (aes
                    ? "an AES DUKPT BDK has 16, 24 or 32 bytes"
                    : "a TDES DUKPT BDK has 16 bytes")
                + ", not "
                + n);
      }
      return b;
    }
  }

  private static TdesKsn tdesKsn(String hex) {
    if (hex.length() < 16 || hex.length() > 2 * TdesKsn.LENGTH) {
      throw new CliException(
          "--ksn: a TDES KSN has 16 to 20 hex digits and an AES KSN 24, not " + hex.length());
    }
    return TdesKsn.parse(hex);
  }
}
