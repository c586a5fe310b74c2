package dev.keytransfer.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.crypto.testing.HostileDer;
import dev.keytransfer.crypto.testing.Vectors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** docs/SECURITY.md R5, "Input limits": the DER pre-parser every JDK and BC parse goes through. */
class DerLimitsTest {
  private static final int LIMIT = 64 * 1024;

  private static byte[] nested(int levels) {
    return HostileDer.nested(levels);
  }

  private static byte[] tlv(int tag, byte[] value) {
    return HostileDer.tlv(tag, value);
  }

  private static void assertRefused(ThrowingCallable call, String message) {
    assertThatThrownBy(call)
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining(message)
        .extracting(e -> ((MalformedTokenException) e).code())
        .isEqualTo(ErrorCode.MALFORMED_TOKEN);
  }

  @Test
  void depth_upToTheMaximumPasses_oneMoreIsRefused() {
    // the NULL inside n SEQUENCEs sits at level n + 1
    assertThatCode(() -> DerLimits.check(nested(DerLimits.MAX_DEPTH - 1), LIMIT, "x"))
        .doesNotThrowAnyException();
    assertRefused(
        () -> DerLimits.check(nested(DerLimits.MAX_DEPTH), LIMIT, "x"),
        "x is nested deeper than 32 levels");
  }

  @Test
  void fourThousandNestedSequences_refusedWithoutAnError() {
    byte[] bomb = nested(4000);
    assertThat(bomb.length).isBetween(15_000, 16 * 1024); // under the CA's 16 KiB request limit
    assertRefused(() -> DerLimits.check(bomb, LIMIT, "certificate"), "nested deeper than 32");
    assertRefused(
        () -> DerLimits.check(HostileDer.nestedIndefinite(4000), LIMIT, "certificate"),
        "indefinite length");
  }

  @Test
  void lengths_mustBeDefiniteAndFitTheirContainer() {
    assertRefused(() -> DerLimits.check(new byte[] {0x30, (byte) 0x80, 0, 0}, LIMIT, "x"), "BER");
    assertRefused(() -> DerLimits.check(new byte[] {0x30, 0x05, 0x05, 0x00}, LIMIT, "x"), "past");
    assertRefused(
        () -> DerLimits.check(new byte[] {0x30, 0x03, 0x04, 0x05, 0x00}, LIMIT, "x"), "past");
    assertRefused(
        () -> DerLimits.check(new byte[] {0x30, (byte) 0x85, 0, 0, 0, 0, 1, 0}, LIMIT, "x"),
        "length field of 5 bytes");
    // a four-byte length claiming 2 GiB is compared with the bytes present, never allocated
    assertRefused(
        () ->
            DerLimits.check(
                new byte[] {0x04, (byte) 0x84, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0},
                LIMIT,
                "x"),
        "past");
    // DER lengths are minimal: no long form under 128, no leading zero byte
    assertRefused(
        () -> DerLimits.check(new byte[] {0x30, (byte) 0x81, 0x02, 0x05, 0x00}, LIMIT, "x"),
        "long-form length under 128");
    byte[] padded = new byte[4 + 200];
    padded[0] = 0x04;
    padded[1] = (byte) 0x82;
    padded[2] = 0x00;
    padded[3] = (byte) 200;
    assertRefused(() -> DerLimits.check(padded, LIMIT, "x"), "leading zero byte");
    byte[] minimal = new byte[3 + 200];
    minimal[0] = 0x04;
    minimal[1] = (byte) 0x81;
    minimal[2] = (byte) 200;
    assertThatCode(() -> DerLimits.check(minimal, LIMIT, "x")).doesNotThrowAnyException();
    assertRefused(() -> DerLimits.check(new byte[] {0x30}, LIMIT, "x"), "no length");
    assertRefused(() -> DerLimits.check(new byte[0], LIMIT, "x"), "x is empty");
    assertRefused(() -> DerLimits.check(null, LIMIT, "x"), "x is empty");
  }

  @Test
  void oneElement_orSeveralBackToBack() throws Exception {
    byte[] two = concat(nested(2), nested(3));
    assertRefused(() -> DerLimits.check(two, LIMIT, "x"), "8 bytes after the element");
    DerLimits.checkElements(two, LIMIT, "x");
    DerLimits.check(tlv(0x30, new byte[0]), LIMIT, "x"); // an empty SEQUENCE is fine
    // a high tag number (base 128) is read over
    DerLimits.check(
        tlv(0x30, concat(new byte[] {(byte) 0x9F, (byte) 0x81, 0x01, 0x00})), LIMIT, "x");
  }

  @Test
  void size_refusedBeforeTheWalk() {
    byte[] big = tlv(0x04, new byte[LIMIT]);
    assertRefused(
        () -> DerLimits.check(big, LIMIT, "token"),
        "token is " + big.length + " bytes, larger than the limit of " + LIMIT + " bytes");
  }

  @Test
  void encapsulatedDer_countsTowardsTheDepth_otherContentIsOpaque() throws Exception {
    // nesting hidden in an OCTET STRING (an extension value) or a BIT STRING (a public key)
    assertRefused(
        () -> DerLimits.check(tlv(0x30, tlv(0x04, nested(40))), LIMIT, "x"), "deeper than 32");
    assertRefused(
        () -> DerLimits.check(tlv(0x30, tlv(0x03, concat(new byte[] {0}, nested(40)))), LIMIT, "x"),
        "deeper than 32");
    // the levels add up across the encapsulation: 20 SEQUENCEs, an OCTET STRING, 20 inside it
    byte[] inner = tlv(0x30, tlv(0x04, nested(19)));
    byte[] outer = inner;
    for (int i = 0; i < 19; i++) {
      outer = tlv(0x30, outer);
    }
    byte[] deep = outer;
    assertRefused(() -> DerLimits.check(deep, LIMIT, "x"), "deeper than 32");
    // opaque bytes (a signature, ciphertext) pass however they start, even as broken DER
    Random random = new Random(7);
    for (int i = 0; i < 200; i++) {
      byte[] opaque = new byte[1 + random.nextInt(300)];
      random.nextBytes(opaque);
      DerLimits.check(tlv(0x30, concat(tlv(0x04, opaque), tlv(0x03, opaque))), LIMIT, "x");
    }
    DerLimits.check(tlv(0x04, new byte[] {0x30, (byte) 0x80, 0x05, 0x00, 0, 0}), LIMIT, "x");
    // a BIT STRING with unused bits is no DER container
    DerLimits.check(tlv(0x03, concat(new byte[] {1}, nested(40))), LIMIT, "x");
  }

  /**
   * The limit against what real inputs need: every DER structure among the TR-34 Annex B samples
   * and the PKITS certificates and CRLs passes, and none needs more than half of {@link
   * DerLimits#MAX_DEPTH}.
   */
  @Test
  void everySampleTokenCertificateAndCrl_passes() throws Exception {
    Path root = Vectors.root();
    assumeTrue(
        Files.isDirectory(root.resolve("tr34-2019")) && Files.isDirectory(root.resolve("pkits")),
        "test vectors not found at " + root + " (set -Dkeytransfer.vectors=...); skipping");
    List<Path> files = new ArrayList<>();
    for (String dir : List.of("tr34-2019", "pkits")) {
      try (Stream<Path> s = Files.walk(root.resolve(dir))) {
        s.filter(Files::isRegularFile)
            .filter(f -> f.toString().matches(".*\\.(der|crt|crl|pem|p12)$"))
            .forEach(files::add);
      }
    }
    int structures = 0;
    for (Path f : files) {
      for (byte[] der : derIn(f)) {
        DerLimits.checkElements(der, Pem.MAX_INPUT_LENGTH, f.toString());
        assertThat(depth(der, DerLimits.MAX_DEPTH / 2))
            .as(f.toString())
            .isLessThanOrEqualTo(DerLimits.MAX_DEPTH / 2);
        structures++;
      }
    }
    assertThat(structures).isGreaterThan(600);
  }

  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\R(.*?)-----END \\1-----", Pattern.DOTALL);

  private static List<byte[]> derIn(Path f) throws IOException {
    byte[] raw = Files.readAllBytes(f);
    if (!f.toString().endsWith(".pem")) {
      return List.of(raw);
    }
    List<byte[]> out = new ArrayList<>();
    Matcher m = PEM.matcher(new String(raw, StandardCharsets.US_ASCII));
    while (m.find()) {
      if (!m.group(2).contains(":")) { // a legacy encrypted key's headers: not base64
        out.add(Base64.getMimeDecoder().decode(m.group(2)));
      }
    }
    return out;
  }

  /** The depth {@link DerLimits} counts, found by asking it with smaller limits in turn. */
  private static int depth(byte[] der, int upTo) {
    for (int d = 1; d <= upTo; d++) {
      byte[] wrapped = der;
      for (int i = 0; i < DerLimits.MAX_DEPTH - d; i++) {
        wrapped = tlv(0x30, wrapped);
      }
      try {
        DerLimits.checkElements(wrapped, Integer.MAX_VALUE, "x");
        return d;
      } catch (MalformedTokenException tooDeep) {
        // deeper than d
      }
    }
    return upTo + 1;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
