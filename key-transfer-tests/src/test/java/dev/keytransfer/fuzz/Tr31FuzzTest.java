package dev.keytransfer.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.crypto.keyblock.KeyBlockException;
import dev.keytransfer.crypto.keyblock.Tr31Codec;
import dev.keytransfer.crypto.keyblock.Tr31Header;
import dev.keytransfer.crypto.keyblock.UnwrappedKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TR-31 / X9.143 key blocks ({@link Tr31Codec#unwrap}, lenient and strict), their headers ({@link
 * Tr31Header#parse}) and the TR-34 key block header of core ({@link KeyBlockHeader#parse}), on any
 * input (docs/KEYBLOCKS.md, docs/SECURITY.md R5, docs/FUZZING.md).
 */
class Tr31FuzzTest {
  /**
   * Input: one byte (KBPK length - 1, modulo 32), the KBPK, then the key block as ISO-8859-1 text
   * ({@link FuzzSeeds#tr31Input}), so that a seed's own KBPK lets a mutation reach the checks after
   * the MAC. Properties: strict unwrap accepts only what lenient unwrap accepts, with the same
   * header and key; a key that unwraps wraps again under its header (or strict wrap refuses it with
   * a documented code), and that block unwraps to the same header and key.
   */
  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#tr31Blocks")
  @FuzzTest(maxDuration = "30s")
  void unwrap(byte[] input) throws KeyTransferException {
    if (input.length == 0) {
      return; // no KBPK length: nothing for the codec to see
    }
    int n = 1 + (input[0] & 0xFF) % FuzzSeeds.MAX_KBPK;
    byte[] kbpkBytes = Arrays.copyOfRange(input, 1, Math.min(input.length, 1 + n));
    if (kbpkBytes.length == 0) {
      kbpkBytes = new byte[1];
    }
    String block =
        new String(
            input,
            Math.min(input.length, 1 + n),
            Math.max(0, input.length - 1 - n),
            StandardCharsets.ISO_8859_1);
    FuzzMaterial m = FuzzMaterial.get();
    try (SecretKeyMaterial kbpk = SecretKeyMaterial.copyOf(kbpkBytes);
        UnwrappedKey lenient = unwrap(m.tr31, kbpk, block).orElse(null);
        UnwrappedKey strict = unwrap(m.strictTr31, kbpk, block).orElse(null)) {
      if (strict != null) {
        if (lenient == null) {
          throw new AssertionError("strict unwrap accepts a block lenient unwrap refuses");
        }
        if (!strict.header().equals(lenient.header()) || !strict.key().equalsKey(lenient.key())) {
          throw new AssertionError("strict and lenient unwrap read the block differently");
        }
      }
      if (lenient != null) {
        rewrap(m, kbpk, lenient);
      }
    }
  }

  private static Optional<UnwrappedKey> unwrap(Tr31Codec codec, SecretKeyMaterial kbpk, String b) {
    try {
      return Optional.of(codec.unwrap(kbpk, b));
    } catch (KeyBlockException e) {
      Refusals.check(e, Refusals.TR31_UNWRAP);
      return Optional.empty();
    }
  }

  private static void rewrap(FuzzMaterial m, SecretKeyMaterial kbpk, UnwrappedKey k)
      throws KeyBlockException {
    String again;
    try {
      again = m.tr31.wrap(kbpk, k.header(), k.key());
    } catch (KeyBlockException e) {
      Refusals.check(e, Refusals.TR31_WRAP); // wrap holds the header to the strict rules
      return;
    }
    try (UnwrappedKey back = m.tr31.unwrap(kbpk, again)) {
      if (!back.header().equals(k.header()) || !back.key().equalsKey(k.key())) {
        throw new AssertionError("a re-wrapped key block unwraps to another header or key");
      }
    }
  }

  /**
   * {@link Tr31Header#parse} of the text; an accepted header re-encodes, with the length field it
   * was read with, to text that parses to an equal header and re-encodes to itself
   * (decode(encode(x)) == x for the header value).
   */
  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#keyBlockHeaders")
  @FuzzTest(maxDuration = "30s")
  void header(byte[] input) throws KeyBlockException {
    String text = new String(input, StandardCharsets.ISO_8859_1);
    Tr31Header h;
    try {
      h = Tr31Header.parse(text);
    } catch (KeyBlockException e) {
      Refusals.check(e, Refusals.TR31_HEADER);
      return;
    }
    // not always the text read: lenient parsing also reads lower-case hex and the extended length
    // form spelt 02 (docs/KEYBLOCKS.md pitfall 2) or used for a short block, which the encoder
    // writes in their one X9.143 form; that form parses to the same header and re-encodes to itself
    String encoded = h.encode(Integer.parseInt(text.substring(1, 5)));
    Tr31Header again = Tr31Header.parse(encoded);
    if (!again.equals(h) || !again.encode(Integer.parseInt(text.substring(1, 5))).equals(encoded)) {
      throw new AssertionError("re-encoded header parses to another header");
    }
    try {
      Objects.requireNonNull(h.toKeyBlockHeader());
    } catch (KeyBlockException e) {
      Refusals.check(e, EnumSet.of(ErrorCode.KEY_BLOCK_HEADER_INVALID));
    }
  }

  /**
   * {@link KeyBlockHeader#parse(byte[])}, the header a TR-34 key token signs: an accepted header
   * keeps its bytes, and every accessor and check the terminal applies to it (docs/SECURITY.md P7)
   * answers with a value or {@code HEADER_MISMATCH}.
   */
  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#keyBlockHeaders")
  @FuzzTest(maxDuration = "30s")
  void keyBlockHeader(byte[] input) throws MalformedTokenException {
    KeyBlockHeader h;
    try {
      h = KeyBlockHeader.parse(input);
    } catch (MalformedTokenException e) {
      Refusals.check(e, Refusals.MALFORMED_TOKEN);
      return;
    }
    if (!Arrays.equals(h.toBytes(), input) || !KeyBlockHeader.parse(h.value()).equals(h)) {
      throw new AssertionError("key block header does not keep its bytes");
    }
    Objects.requireNonNull(h.keyUsage());
    Objects.requireNonNull(h.keyVersion());
    Objects.requireNonNull(h.optionalBlocks());
    Objects.requireNonNull(h.usageSummary());
    Objects.requireNonNull(h.kcvMethod());
    h.versionId();
    h.algorithm();
    h.modeOfUse();
    h.exportability();
    h.optionalBlockCount();
    for (int length : new int[] {8, 16, 24, 32}) {
      try {
        h.checkKeyLength(length);
        h.checkInstallable(length);
      } catch (KeyTransferException e) {
        Refusals.check(e, EnumSet.of(ErrorCode.HEADER_MISMATCH));
      }
    }
    try {
      Objects.requireNonNull(Tr31Header.of(h));
    } catch (KeyBlockException e) {
      Refusals.check(e, Refusals.TR31_HEADER);
    }
  }
}
