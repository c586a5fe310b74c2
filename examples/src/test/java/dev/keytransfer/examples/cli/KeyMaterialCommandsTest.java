package dev.keytransfer.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keyblock wrap/unwrap/inspect, kcv and dukpt, run in-process with their real arguments. */
class KeyMaterialCommandsTest {
  private static final String KBPK = "89E88CF7931444F334BD7547FC3F380C";
  private static final String KEY = "F039121BEC83D26B169BDCD5B22AAF8F";
  private static final String AES_KBPK =
      "88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6";
  private static final String TDES_BDK = "0123456789ABCDEFFEDCBA9876543210";
  private static final String AES_BDK = "FEDCBA9876543210F1F1F1F1F1F1F1F1";

  record Run(int exit, String out, String err) {}

  static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KeyTransferCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  static void assertOneLineError(Run r, int exit, String contains) {
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(exit);
    assertThat(r.err().strip())
        .contains(contains)
        .doesNotContain("\n")
        .doesNotContain("\tat ")
        .startsWith("error: ");
  }

  // --- keyblock ---

  @Test
  void wrapThenUnwrap_versionB_withKsBlock_roundTrip_keyOnlyWithRevealKey() {
    Run wrap =
        cli(
            "keyblock",
            "wrap",
            "--kbpk",
            KBPK,
            "--header",
            "B0000B1TX00N0100KS18FFFF9876543210E00000",
            "--key",
            KEY);
    assertThat(wrap.exit()).as(wrap.err()).isZero();
    String block = wrap.out().strip();
    assertThat(block)
        .startsWith("B0")
        .contains("B1TX00N0")
        .contains("KS18FFFF9876543210E00000")
        .doesNotContain(KEY);
    assertThat(Integer.parseInt(block.substring(1, 5))).isEqualTo(block.length());

    Run quiet = cli("keyblock", "unwrap", "--kbpk", KBPK, "--block", block);
    assertThat(quiet.exit()).as(quiet.err()).isZero();
    assertThat(quiet.out())
        .contains(
            "usage=B1 (initial DUKPT key)",
            "algorithm=T",
            "mode=X",
            "  KS  FFFF9876543210E00000",
            "key: TDES, 16 bytes, kcv=CB9DEA")
        .doesNotContain(KEY);
    assertThat(quiet.err()).isEmpty();

    Run revealed = cli("keyblock", "unwrap", "--kbpk", KBPK, "--block", block, "--reveal-key");
    assertThat(revealed.exit()).isZero();
    assertThat(revealed.out()).contains("kcv=CB9DEA, key=" + KEY);
    assertThat(revealed.err()).contains("--reveal-key");
  }

  @Test
  void wrapToFile_versionD_aesKey_unwrapFromFile_strict(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("kb.txt");
    Run wrap =
        cli(
            "keyblock",
            "wrap",
            "--kbpk",
            AES_KBPK,
            "--header",
            "D0000P0AE00E0000",
            "--key",
            "3F419E1CB7079442AA37474C2EFBF8B8",
            "--out",
            f.toString());
    assertThat(wrap.exit()).as(wrap.err()).isZero();
    assertThat(wrap.out()).startsWith("key block written to " + f);
    assertThat(Files.readString(f))
        .startsWith("D0144P0AE00E0000"); // X9.143 obfuscation: 16-byte key padded as 32

    Run r = cli("keyblock", "unwrap", "--kbpk", AES_KBPK, "--in", f.toString(), "--strict");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "version=D (AES, key derivation binding)",
            "(kcv=2331550BC9)", // KP of this KBPK, X9.143 8.6
            "key: AES-128, 16 bytes, kcv=08793E25AB");
  }

  @Test
  void unwrap_publishedVectors_giveTheirKeys() throws Exception {
    Path file = vectors().resolve("tr31/keyblocks.json");
    assumeTrue(
        Files.isRegularFile(file), file + " is absent: skipping the published TR-31 vectors");
    JsonNode vectors = new ObjectMapper().readTree(file.toFile()).get("vectors");
    int checked = 0;
    for (JsonNode v : vectors) {
      Run r =
          cli(
              "keyblock",
              "unwrap",
              "--kbpk",
              v.get("kbpk").asText(),
              "--block",
              v.get("key_block").asText(),
              "--reveal-key");
      assertThat(r.exit()).as(v.get("id").asText() + ": " + r.err()).isZero();
      assertThat(r.out())
          .as(v.get("id").asText())
          .contains("key=" + v.get("expected_key").asText() + "\n")
          .contains("header=" + v.get("header_string").asText() + "\n");
      if (v.hasNonNull("key_kcv")) {
        assertThat(r.out())
            .as(v.get("id").asText())
            .contains("kcv=" + v.get("key_kcv").get("value").asText());
      }
      checked++;
    }
    assertThat(checked).isEqualTo(vectors.size()).isGreaterThanOrEqualTo(49);

    // the one with KS, KC and KP (openemv/tr31 README), field by field
    String block =
        "B0128B1TX00N0300KS18FFFF00A0200001E00000KC0C000169E3KP0C00ECAD626F9F1A826814AA066D86C8C18BD0E14033E1EBEC75BE"
            + "DF586E6E325F3AA8C0E5";
    Run r =
        cli("keyblock", "unwrap", "--kbpk", "AB2E09DB3EF0BA71E0CE6CD755C23A3B", "--block", block);
    assertThat(r.out())
        .contains(
            "optional-blocks=3\n",
            "  KS  FFFF00A0200001E00000",
            "  KC  000169E3",
            "  KP  00ECAD62",
            "authenticated: MAC verified under the KBPK (kcv=ECAD62)",
            "key: TDES, 16 bytes, kcv=0169E3\n")
        .doesNotContain("BF82DAC6A33DF92CE66E15B70E5DCEB6");
  }

  @Test
  void inspect_headerAndOptionalBlocks_withoutKbpk() {
    String block =
        "B0128B1TX00N0300KS18FFFF00A0200001E00000KC0C000169E3KP0C00ECAD626F9F1A826814AA066D86C8C18BD0E14033E1EBEC75BE"
            + "DF586E6E325F3AA8C0E5";
    Run r = cli("keyblock", "inspect", "--block", block);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "header=B0128B1TX00N0300KS18FFFF00A0200001E00000KC0C000169E3KP0C00ECAD62\n",
            "version=B",
            "usage=B1",
            "exportability=N",
            "  KC  000169E3 (KCV of the wrapped key)",
            "length=128  header=64 characters  encrypted-payload=24 bytes  mac=8 bytes",
            "not authenticated");
    // an optional block in the extended length form (ID 00 04 LLLL), then PB
    Run extended =
        cli(
            "keyblock",
            "inspect",
            "--block",
            "D0144S0RS00N0200CT0004001400ABCDEFGHPB0CABCDEFGH" + "0".repeat(96));
    assertThat(extended.exit()).as(extended.err()).isZero();
    assertThat(extended.out())
        .contains(
            "  CT  00ABCDEFGH (certificate)",
            "  PB  ABCDEFGH (padding)",
            "length=144  header=48 characters  encrypted-payload=32 bytes  mac=16 bytes");
  }

  @Test
  void keyblock_badInput_oneLineErrors() {
    String block =
        cli("keyblock", "wrap", "--kbpk", KBPK, "--header", "B0000P0TE00E0000", "--key", KEY)
            .out()
            .strip();
    // a wrong KBPK (not just its parity bits, which TDES ignores): the key block error code
    Run wrong =
        cli("keyblock", "unwrap", "--kbpk", "99E88CF7931444F334BD7547FC3F380C", "--block", block);
    assertOneLineError(wrong, 1, "KEY_BLOCK_MAC_INVALID");
    assertThat(wrong.out()).isEmpty();
    // a bad hex key is refused without repeating it
    Run badHex =
        cli(
            "keyblock",
            "wrap",
            "--kbpk",
            KBPK,
            "--header",
            "B0000P0TE00E0000",
            "--key",
            "F039121BEC83D26B169BDCD5B22AAF8Z");
    assertOneLineError(badHex, 1, "--key must be an even, non-zero number of hex digits");
    assertThat(badHex.err()).doesNotContain("F039121B");
    assertOneLineError(
        cli("keyblock", "unwrap", "--kbpk", "123", "--block", block), 1, "--kbpk must be");
    assertOneLineError(
        cli("keyblock", "unwrap", "--kbpk", "0011223344556677", "--block", block),
        1,
        "KEY_BLOCK_KBPK_INVALID");
    assertOneLineError(
        cli(
            "keyblock",
            "unwrap",
            "--kbpk",
            KBPK,
            "--block",
            block.substring(0, block.length() - 2)),
        1,
        "KEY_BLOCK_LENGTH_INVALID");
    assertOneLineError(
        cli("keyblock", "inspect", "--block", "Z0016P0TE00E0000"), 1, "KEY_BLOCK_UNSUPPORTED");
    assertOneLineError(
        cli("keyblock", "inspect", "--block", "B0032P0TE00E0100KS99"), 1, "KEY_BLOCK_MALFORMED");
    assertOneLineError(
        cli(
            "keyblock",
            "wrap",
            "--kbpk",
            KBPK,
            "--header",
            "B0000P0TE00E0000",
            "--key",
            KEY + "00"),
        1,
        "HEADER_MISMATCH");
    assertOneLineError(
        cli("keyblock", "wrap", "--kbpk", KBPK, "--header", "B0000P0TQ00E0000", "--key", KEY),
        1,
        "KEY_BLOCK_HEADER_INVALID");
    assertOneLineError(cli("keyblock", "unwrap", "--kbpk", KBPK), 2, "--block");
    assertOneLineError(
        cli("keyblock", "unwrap", "--kbpk", KBPK, "--block", block, "--in", "x"),
        2,
        "mutually exclusive");
    assertOneLineError(cli("keyblock", "inspect", "--in", "/no/such/key-block"), 1, "no such file");
    assertOneLineError(cli("keyblock"), 2, "wrap, unwrap, inspect");
    for (String sub : new String[] {"wrap", "unwrap", "inspect"}) {
      Run help = cli("keyblock", sub, "--help");
      assertThat(help.exit()).isZero();
      assertThat(help.out()).contains("Usage: keytransfer keyblock " + sub);
    }
    assertThat(cli("keyblock", "unwrap", "--help").out())
        .contains("--reveal-key", "--kbpk", "--in");
  }

  // --- kcv ---

  @Test
  void kcv_knownValues_methodFollowsAlgorithm() {
    assertThat(cli("kcv", "--key", TDES_BDK).out())
        .startsWith("kcv=08D7B4  algorithm=tdes  method=legacy  (3 bytes)");
    // the same 16 bytes as TDES and as AES (docs/KEYBLOCKS.md, X9.143 8.1)
    assertThat(cli("kcv", "--key", "3F419E1CB7079442AA37474C2EFBF8B8").out())
        .startsWith("kcv=57C409 ");
    assertThat(cli("kcv", "--key", "3F419E1CB7079442AA37474C2EFBF8B8", "--algorithm", "aes").out())
        .startsWith("kcv=08793E25AB  algorithm=aes  method=cmac  (5 bytes)");
    // a 32-byte key is AES (X9.143 8.6 KP; Thales AES-256 KCV, 3 bytes shown there)
    assertThat(cli("kcv", "--key", AES_KBPK).out()).startsWith("kcv=2331550BC9  algorithm=aes");
    assertThat(
            cli("kcv", "--key", "BE19E6A07A760F10EF8E83A226B63AAD141F463FDDD4F47DB244B4023EC3CACC")
                .out())
        .startsWith("kcv=0A00E3");
    // TDES-CMAC: kcv.json's computed (unconfirmed) value
    assertThat(cli("kcv", "--key", TDES_BDK, "--method", "cmac").out())
        .startsWith("kcv=0A82458664  algorithm=tdes  method=cmac");
  }

  @Test
  void kcv_badInput_oneLineErrors() {
    assertOneLineError(cli("kcv", "--key", "0123456789ABCDEFFEDCBA987654321"), 1, "hex digits");
    assertOneLineError(cli("kcv", "--key", "0123456789ABCDEF"), 1, "a TDES key has 16 or 24 bytes");
    assertOneLineError(
        cli("kcv", "--key", TDES_BDK, "--algorithm", "aes", "--method", "legacy"),
        1,
        "AES keys use cmac");
    assertOneLineError(cli("kcv", "--key", TDES_BDK, "--algorithm", "des"), 2, "--algorithm");
    assertOneLineError(cli("kcv"), 2, "--key");
    assertThat(cli("kcv", "--help").out()).contains("--algorithm", "--method");
  }

  // --- dukpt ---

  @Test
  void dukptInitialKey_tdesAndAes_x924Vectors() {
    Run tdes = cli("dukpt", "initial-key", "--bdk", TDES_BDK, "--ksn", "FFFF9876543210E00000");
    assertThat(tdes.exit()).as(tdes.err()).isZero();
    assertThat(tdes.out())
        .contains("initial-ksn=FFFF9876543210E00000", "ipek: TDES, 16 bytes, kcv=AF8C07\n")
        .doesNotContain("6AC292FAA1315B4D858AB3A3D7D5933A");
    // any counter: the IPEK comes from the KSN with its counter cleared
    assertThat(
            cli(
                    "dukpt",
                    "initial-key",
                    "--bdk",
                    TDES_BDK,
                    "--ksn",
                    "FFFF9876543210E00012",
                    "--reveal-key")
                .out())
        .contains("ipek: TDES, 16 bytes, kcv=AF8C07, key=6AC292FAA1315B4D858AB3A3D7D5933A");

    Run aes =
        cli(
            "dukpt",
            "initial-key",
            "--bdk",
            AES_BDK,
            "--initial-key-id",
            "1234567890123456",
            "--reveal-key");
    assertThat(aes.exit()).as(aes.err()).isZero();
    assertThat(aes.out())
        .contains(
            "initial-key-id=1234567890123456",
            "initial-key: AES-128, 16 bytes, kcv=",
            "key=1273671EA26AC29AFA4D1084127652A1");
    assertThat(
            cli(
                    "dukpt",
                    "initial-key",
                    "--bdk",
                    AES_BDK,
                    "--ksn",
                    "123456789012345600000005",
                    "--reveal-key")
                .out())
        .contains("key=1273671EA26AC29AFA4D1084127652A1");
  }

  @Test
  void dukptTransactionKey_tdesAndAes_x924Vectors() {
    Run tdes =
        cli(
            "dukpt",
            "transaction-key",
            "--bdk",
            TDES_BDK,
            "--ksn",
            "FFFF9876543210E00001",
            "--reveal-key");
    assertThat(tdes.exit()).as(tdes.err()).isZero();
    assertThat(tdes.out())
        .contains(
            "counter=1",
            "transaction-key: TDES, 16 bytes, kcv=",
            "key=042666B49184CFA368DE9628D0397BC9",
            "pin-key: TDES, 16 bytes, kcv=",
            "key=042666B49184CF5C68DE9628D0397B36");
    Run quiet =
        cli(
            "dukpt",
            "transaction-key",
            "--bdk",
            TDES_BDK,
            "--ksn",
            "FFFF9876543210E00001",
            "--usage",
            "data");
    assertThat(quiet.out())
        .contains("data-key: TDES, 16 bytes, kcv=", "DATA_REQUEST")
        .doesNotContain("key=");

    Run aes =
        cli(
            "dukpt",
            "transaction-key",
            "--bdk",
            AES_BDK,
            "--ksn",
            "123456789012345600000001",
            "--reveal-key");
    assertThat(aes.exit()).as(aes.err()).isZero();
    assertThat(aes.out())
        .contains(
            "derivation-key: AES-128",
            "key=4F21B565BAD9835E112B6465635EAE44",
            "pin-key: AES-128, 16 bytes",
            "key=AF8CB133A78F8DC2D1359F18527593FB");
    assertThat(
            cli(
                    "dukpt",
                    "transaction-key",
                    "--bdk",
                    AES_BDK,
                    "--ksn",
                    "123456789012345600000002",
                    "--usage",
                    "mac",
                    "--reveal-key")
                .out())
        .contains("mac-key: AES-128", "key=484C3B06E8562704528CD5B46FB12FB6");
    assertThat(
            cli(
                    "dukpt",
                    "transaction-key",
                    "--bdk",
                    AES_BDK,
                    "--ksn",
                    "123456789012345600000003",
                    "--usage",
                    "data",
                    "--reveal-key")
                .out())
        .contains("data-key: AES-128", "key=EF17F6AB45B4820C93A3DCB21BC491AD");
  }

  @Test
  void dukpt_badInput_oneLineErrors() {
    assertOneLineError(
        cli("dukpt", "initial-key", "--bdk", TDES_BDK + "00", "--ksn", "FFFF9876543210E00000"),
        1,
        "a TDES DUKPT BDK has 16 bytes");
    assertOneLineError(
        cli("dukpt", "initial-key", "--bdk", TDES_BDK, "--ksn", "FFFF9876543210"),
        1,
        "16 to 20 hex digits");
    assertOneLineError(
        cli("dukpt", "initial-key", "--bdk", TDES_BDK, "--ksn", "FFFF9876543210E0000G"),
        1,
        "--ksn must be");
    assertOneLineError(
        cli("dukpt", "initial-key", "--bdk", AES_BDK, "--initial-key-id", "12345678"),
        1,
        "16 hex digits");
    assertOneLineError(cli("dukpt", "initial-key", "--bdk", AES_BDK), 2, "--ksn");
    assertOneLineError(
        cli(
            "dukpt",
            "transaction-key",
            "--bdk",
            AES_BDK,
            "--ksn",
            "123456789012345600000001",
            "--usage",
            "mac-response"),
        1,
        "not an AES DUKPT working key");
    assertOneLineError(
        cli(
            "dukpt",
            "transaction-key",
            "--bdk",
            TDES_BDK,
            "--ksn",
            "FFFF9876543210E00001",
            "--usage",
            "kek"),
        1,
        "not a TDES DUKPT working key");
    assertOneLineError(
        cli(
            "dukpt",
            "transaction-key",
            "--bdk",
            AES_BDK,
            "--ksn",
            "123456789012345600000001",
            "--usage",
            "x"),
        2,
        "--usage");
    assertOneLineError(
        cli(
            "dukpt",
            "transaction-key",
            "--bdk",
            AES_BDK,
            "--ksn",
            "123456789012345600000001",
            "--key-type",
            "aes256"),
        1,
        "stronger");
    Run badBdk =
        cli(
            "dukpt",
            "transaction-key",
            "--bdk",
            "FEDCBA9876543210F1F1F1F1F1F1F1FX",
            "--ksn",
            "123456789012345600000001");
    assertOneLineError(badBdk, 1, "--bdk must be");
    assertThat(badBdk.err()).doesNotContain("FEDCBA98");
    assertOneLineError(cli("dukpt"), 2, "initial-key, transaction-key");
    assertThat(cli("dukpt", "transaction-key", "--help").out())
        .contains("--usage", "--key-type", "--reveal-key");
  }

  static Path vectors() {
    return Path.of(System.getProperty("keytransfer.vectors", "../../shared/vectors"));
  }
}
