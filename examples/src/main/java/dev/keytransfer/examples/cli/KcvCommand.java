package dev.keytransfer.examples.cli;

import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The key check value of a key, by the method that follows its algorithm. */
@Command(
    name = "kcv",
    mixinStandardHelpOptions = true,
    description = {
      "Print a key's check value (KCV).",
      "TDES legacy (TDES-ECB of a zero block, 3 bytes) or CMAC (AES-CMAC of a zero block, or"
          + " TDES-CMAC, 5 bytes). The method follows the algorithm unless --method says otherwise."
    })
final class KcvCommand implements Callable<Integer> {
  enum Algorithm {
    tdes,
    aes
  }

  enum Method {
    legacy,
    cmac
  }

  @Option(
      names = "--key",
      required = true,
      paramLabel = "HEX",
      description = "The key (TDES: 16 or 24 bytes; AES: 16, 24 or 32).")
  String key;

  @Option(
      names = "--algorithm",
      paramLabel = "tdes|aes",
      description =
          "The key's algorithm (default: tdes, or aes for a 32-byte key). The same bytes give"
              + " different KCVs as TDES and AES.")
  Algorithm algorithm;

  @Option(
      names = "--method",
      paramLabel = "legacy|cmac",
      description = "Default: legacy for TDES, cmac for AES.")
  Method method;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws KeyTransferException {
    try (SecretKeyMaterial k = Inputs.secretHex(key, "--key")) {
      Algorithm a =
          algorithm != null ? algorithm : k.length() == 32 ? Algorithm.aes : Algorithm.tdes;
      Method m = method != null ? method : a == Algorithm.aes ? Method.cmac : Method.legacy;
      if (a == Algorithm.tdes && k.length() != 16 && k.length() != 24) {
        throw new CliException("--key: a TDES key has 16 or 24 bytes, not " + k.length());
      }
      if (a == Algorithm.aes && k.length() != 16 && k.length() != 24 && k.length() != 32) {
        throw new CliException("--key: an AES key has 16, 24 or 32 bytes, not " + k.length());
      }
      if (a == Algorithm.aes && m == Method.legacy) {
        throw new CliException(
            "--method legacy is for TDES keys; AES keys use cmac (ECB of zeros is not an AES KCV)");
      }
      KeyCheckValue.Method kcvMethod =
          a == Algorithm.aes
              ? KeyCheckValue.Method.CMAC_AES
              : m == Method.cmac
                  ? KeyCheckValue.Method.CMAC_TDES
                  : KeyCheckValue.Method.LEGACY_TDES;
      KeyCheckValue kcv = new BcCryptoProvider().keyCheckValue(k, kcvMethod);
      spec.commandLine()
          .getOut()
          .println(
              "kcv="
                  + kcv.hex()
                  + "  algorithm="
                  + a
                  + "  method="
                  + m
                  + "  ("
                  + kcvMethod.length()
                  + " bytes)");
    }
    return 0;
  }
}
