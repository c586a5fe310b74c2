package dev.keytransfer.crypto.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** DerWriter's lengths at every boundary of the definite form, read back by DerReader. */
class DerWriterTest {
  @Test
  void lengthsAtEachBoundary_useTheMinimalForm_andReadBack() throws Exception {
    int[] lengths = {0, 1, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000, 0x10001};
    for (int n : lengths) {
      byte[] content = new byte[n];
      Arrays.fill(content, (byte) 0x5A);
      byte[] written = DerWriter.octetString(content);
      byte[] expected = encodeByHand(DerReader.OCTET_STRING, content);
      assertThat(written).as("length %d", n).isEqualTo(expected);
      assertThat(DerWriter.header(DerReader.OCTET_STRING, n))
          .isEqualTo(Arrays.copyOf(expected, expected.length - n));
      DerReader.Tlv read = new DerReader(written).read();
      assertThat(read.tag()).isEqualTo(DerReader.OCTET_STRING);
      assertThat(read.value()).isEqualTo(content);
    }
  }

  @Test
  void tlvAndConcat_joinTheirPartsInOrder() {
    byte[] a = {1, 2};
    byte[] b = {};
    byte[] c = {3};
    assertThat(DerWriter.concat(a, b, c)).containsExactly(1, 2, 3);
    assertThat(DerWriter.concat()).isEmpty();
    assertThat(DerWriter.sequence(a, b, c)).containsExactly(0x30, 3, 1, 2, 3);
    assertThat(DerWriter.contextConstructed(1, a)).containsExactly(0xA1, 2, 1, 2);
  }

  @Test
  void explicitHeader_inFrontOfTheContents_isTheNestedElement() {
    int[] lengths = {
      0, 1, 0x7D, 0x7E, 0x7F, 0x80, 0xFD, 0xFE, 0xFF, 0x100, 0xFFFC, 0xFFFF, 0x10000
    };
    for (int n : lengths) {
      byte[] content = new byte[n];
      Arrays.fill(content, (byte) 0x3C);
      byte[] nested = DerWriter.contextConstructed(0, DerWriter.octetString(content));
      assertThat(DerWriter.concat(DerWriter.explicitHeader(0, DerReader.OCTET_STRING, n), content))
          .as("length %d", n)
          .isEqualTo(nested);
    }
    assertThat(DerWriter.length(new byte[3], new byte[0], new byte[5])).isEqualTo(8);
  }

  /** X.690 8.1.3 written out: short form below 128, else 0x80 | count and big-endian octets. */
  private static byte[] encodeByHand(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else {
      byte[] len = java.math.BigInteger.valueOf(n).toByteArray();
      int skip = len[0] == 0 ? 1 : 0;
      out.write(0x80 | (len.length - skip));
      out.write(len, skip, len.length - skip);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }
}
