package dev.keytransfer.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyBlockHeaderTest {
  @Test
  void parse_annexBHeader_exposesTr31Fields() throws Exception {
    // TR-34 B.2.2.2.1: A0256K0TB00E0000
    KeyBlockHeader h = KeyBlockHeader.parse("A0256K0TB00E0000");
    assertThat(h.versionId()).isEqualTo('A');
    assertThat(h.keyUsage()).isEqualTo("K0");
    assertThat(h.algorithm()).isEqualTo('T');
    assertThat(h.modeOfUse()).isEqualTo('B');
    assertThat(h.keyVersion()).isEqualTo("00");
    assertThat(h.exportability()).isEqualTo('E');
    assertThat(h.optionalBlockCount()).isZero();
    assertThat(h.optionalBlocks()).isEmpty();
    assertThat(h.kcvMethod()).isEqualTo(KeyCheckValue.Method.LEGACY_TDES);
  }

  @Test
  void parse_withOptionalBlocks_keepsThem() throws Exception {
    KeyBlockHeader h = KeyBlockHeader.parse("D0000B1AX00N0100KS1800604B120F9292800000");
    assertThat(h.optionalBlockCount()).isEqualTo(1);
    assertThat(h.optionalBlocks()).startsWith("KS18");
    assertThat(h.kcvMethod()).isEqualTo(KeyCheckValue.Method.CMAC_AES);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "A0256K0TB00E000",
        "X0256K0TB00E0000",
        "A02X6K0TB00E0000",
        "A0256K0TB00EXX00",
        "A0256K0TB00E00\u00e900"
      })
  void parse_malformed_isRefused(String header) {
    assertThatThrownBy(() -> KeyBlockHeader.parse(header))
        .isInstanceOf(MalformedTokenException.class)
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.MALFORMED_TOKEN);
  }

  @Test
  void checkKeyLength_keyDisagreesWithHeader_headerMismatch() throws Exception {
    KeyBlockHeader tdes = KeyBlockHeader.parse("A0000K0TB00E0000");
    tdes.checkKeyLength(16);
    tdes.checkKeyLength(24);
    assertThatThrownBy(() -> tdes.checkKeyLength(32))
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.HEADER_MISMATCH);
    KeyBlockHeader rsa = KeyBlockHeader.parse("D0000K0RB00E0000");
    assertThatThrownBy(() -> rsa.checkKeyLength(16))
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.HEADER_MISMATCH);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "A0000K0TB00E0000",
        "D0000K1AD00N0000",
        "A0000B1TX00N0000",
        "D0000P0AE00S0000",
        "A0000M3TC00N0000"
      })
  void checkInstallable_usageAndModeFit_accepted(String header) throws Exception {
    KeyBlockHeader.parse(header).checkInstallable(16);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "A0000B0TX00N0000", // a BDK never goes to a terminal
        "A0000K0TC00E0000", // a KEK does not MAC
        "A0000B1TE00N0000", // a DUKPT initial key only derives
        "A0000M0TE00N0000", // a MAC key does not encrypt
        "A0000ZZTB00N0000", // unknown usage
        "A0000K0TB00X0000" // unknown exportability
      })
  void checkInstallable_usageModeOrExportabilityWrong_headerMismatch(String header)
      throws Exception {
    KeyBlockHeader h = KeyBlockHeader.parse(header);
    assertThatThrownBy(() -> h.checkInstallable(16))
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.HEADER_MISMATCH);
  }
}
