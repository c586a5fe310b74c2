package dev.keytransfer.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.message.KdhCredentialToken;
import dev.keytransfer.core.message.KdhEcdhKeyToken;
import dev.keytransfer.core.message.KrdCredentialToken;
import dev.keytransfer.core.message.KrdRandomToken;
import dev.keytransfer.core.message.Tr34Token;
import dev.keytransfer.core.spi.KeyBlock;
import dev.keytransfer.core.spi.TokenCodec;
import dev.keytransfer.core.spi.VerifiedEcdhKeyToken;
import dev.keytransfer.core.spi.VerifiedKeyToken;
import dev.keytransfer.crypto.tr34.Tr34TokenInspector;
import dev.keytransfer.crypto.tr34.Tr34TokenType;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The TR-34 token decoders of {@link TokenCodec} (as {@code Tr34TokenCodec} implements them), their
 * verify and decrypt steps, and {@link Tr34TokenInspector}, on any bytes (docs/SECURITY.md R5,
 * docs/FUZZING.md). Each decoder runs on the terminal's default codec and on one with every
 * tolerance; a clean outcome is a value or the refusal its javadoc names. Properties checked on
 * every accepted input: a decoded token keeps its exact bytes, the tolerant codec accepts what the
 * strict one accepts and reads the same, and the credential and random tokens' decoded values
 * re-encode to a token that decodes to the same values (for RT-KRD, to the same bytes: it is DER).
 * The seeds are signed by the fuzz KDH ({@link FuzzMaterial}), so a mutation that keeps the
 * signature goes on to verification and decryption with the keys a terminal holds.
 */
class Tr34TokenFuzzTest {
  @FunctionalInterface
  private interface Decoder<T extends Tr34Token> {
    T decode(TokenCodec codec, byte[] token) throws MalformedTokenException;
  }

  /**
   * Decodes with the strict and the tolerant codec; the token if the strict one accepted it, empty
   * if it refused (after checking the refusal and the tolerant codec's agreement).
   */
  private static <T extends Tr34Token> Optional<T> decode(Decoder<T> decoder, byte[] input) {
    FuzzMaterial m = FuzzMaterial.get();
    T strict = null;
    try {
      strict = decoder.decode(m.codec, input);
    } catch (MalformedTokenException e) {
      Refusals.check(e, Refusals.MALFORMED_TOKEN);
    }
    T tolerant = null;
    try {
      tolerant = decoder.decode(m.tolerant, input);
    } catch (MalformedTokenException e) {
      Refusals.check(e, Refusals.MALFORMED_TOKEN);
      if (strict != null) {
        throw new AssertionError("the tolerant codec refuses what the strict one reads", e);
      }
    }
    for (T t : Arrays.asList(strict, tolerant)) {
      if (t != null && !Arrays.equals(t.encoded(), input)) {
        throw new AssertionError("a decoded token does not keep the bytes it was read from");
      }
    }
    if (strict != null && !sameContent(strict, tolerant)) {
      throw new AssertionError("the tolerant codec reads the token differently: " + tolerant);
    }
    return Optional.ofNullable(strict);
  }

  /** Equal records (a token's {@code Bytes} compare by content). */
  private static boolean sameContent(Tr34Token a, Tr34Token b) {
    return a.getClass() == b.getClass() && a.equals(b);
  }

  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#tr34Tokens")
  @FuzzTest(maxDuration = "30s")
  void krdCredential(byte[] input) throws KeyTransferException {
    Optional<KrdCredentialToken> t = decode(TokenCodec::decodeKrdCredential, input);
    if (t.isPresent()) {
      TokenCodec codec = FuzzMaterial.get().codec;
      KrdCredentialToken again =
          codec.decodeKrdCredential(codec.encodeKrdCredential(t.get().chain()).encoded());
      if (!again.chain().equals(t.get().chain())) {
        throw new AssertionError("CT-KRD chain does not survive re-encoding");
      }
    }
  }

  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#tr34Tokens")
  @FuzzTest(maxDuration = "30s")
  void kdhCredential(byte[] input) throws KeyTransferException {
    Optional<KdhCredentialToken> t = decode(TokenCodec::decodeKdhCredential, input);
    if (t.isPresent()) {
      TokenCodec codec = FuzzMaterial.get().codec;
      KdhCredentialToken again =
          codec.decodeKdhCredential(
              codec.encodeKdhCredential(t.get().chain(), t.get().crls()).encoded());
      if (!again.chain().equals(t.get().chain()) || !again.crls().equals(t.get().crls())) {
        throw new AssertionError("CT-KDH chain or CRLs do not survive re-encoding");
      }
    }
  }

  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#tr34Tokens")
  @FuzzTest(maxDuration = "30s")
  void randomToken(byte[] input) throws KeyTransferException {
    Optional<KrdRandomToken> t = decode(TokenCodec::decodeRandomToken, input);
    if (t.isPresent()) {
      byte[] encoded = FuzzMaterial.get().codec.encodeRandomToken(t.get().nonce()).encoded();
      if (!Arrays.equals(encoded, input)) {
        throw new AssertionError("RT-KRD does not re-encode to the DER it was read from");
      }
    }
  }

  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#tr34Tokens")
  @FuzzTest(maxDuration = "30s")
  void keyToken(byte[] input) {
    FuzzMaterial m = FuzzMaterial.get();
    decode(TokenCodec::decodeKeyToken, input)
        .ifPresent(t -> verifyAndDecrypt(() -> m.codec.verifyKeyToken(t, kdh())));
  }

  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#tr34Tokens")
  @FuzzTest(maxDuration = "30s")
  void onePassKeyToken(byte[] input) {
    FuzzMaterial m = FuzzMaterial.get();
    decode(TokenCodec::decodeOnePassKeyToken, input)
        .ifPresent(t -> verifyAndDecrypt(() -> m.codec.verifyOnePassKeyToken(t, kdh())));
  }

  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#tr34Tokens")
  @FuzzTest(maxDuration = "30s")
  void kdhUnbindToken(byte[] input) {
    FuzzMaterial m = FuzzMaterial.get();
    decode(TokenCodec::decodeKdhUnbindToken, input)
        .ifPresent(t -> verify(() -> m.codec.verifyKdhUnbindToken(t, kdh())));
  }

  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#tr34Tokens")
  @FuzzTest(maxDuration = "30s")
  void caUnbindToken(byte[] input) {
    FuzzMaterial m = FuzzMaterial.get();
    decode(TokenCodec::decodeCaUnbindToken, input)
        .ifPresent(t -> verify(() -> m.codec.verifyCaUnbindToken(t, m.pki.krdCa)));
  }

  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#tr34Tokens")
  @FuzzTest(maxDuration = "30s")
  void kdhRebindToken(byte[] input) {
    FuzzMaterial m = FuzzMaterial.get();
    decode(TokenCodec::decodeKdhRebindToken, input)
        .ifPresent(t -> verify(() -> m.codec.verifyKdhRebindToken(t, kdh())));
  }

  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#tr34Tokens")
  @FuzzTest(maxDuration = "30s")
  void caRebindToken(byte[] input) {
    FuzzMaterial m = FuzzMaterial.get();
    decode(TokenCodec::decodeCaRebindToken, input)
        .ifPresent(t -> verify(() -> m.codec.verifyCaRebindToken(t, m.pki.krdCa)));
  }

  /**
   * KT-KDH-ECDH (docs/ECDH.md): decoded (keeping its bytes), verified with the fuzz EC KDH and, if
   * the signature holds, opened with the EC KRD's key as a terminal does.
   */
  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#tr34Tokens")
  @FuzzTest(maxDuration = "30s")
  void ecdhKeyToken(byte[] input) {
    FuzzMaterial m = FuzzMaterial.get();
    KdhEcdhKeyToken token;
    try {
      token = m.codec.decodeEcdhKeyToken(input);
    } catch (MalformedTokenException e) {
      Refusals.check(e, Refusals.MALFORMED_TOKEN);
      return;
    }
    if (!Arrays.equals(token.bytes().toByteArray(), input)) {
      throw new AssertionError("a decoded KT-KDH-ECDH does not keep the bytes it was read from");
    }
    Optional<VerifiedEcdhKeyToken> v =
        verify(() -> m.codec.verifyEcdhKeyToken(token, m.kdhEc.certificate()));
    if (v.isEmpty()) {
      return;
    }
    try (KeyBlock block =
        m.codec.openEcdhKeyToken(
            v.get(), m.krdEc.key(), m.krdEc.certificate(), m.kdhEc.certificate())) {
      Objects.requireNonNull(block.header(), "an opened key block without a header");
    } catch (KeyTransferException e) {
      Refusals.check(e, Refusals.ECDH_OPEN);
    }
  }

  /** {@code keytransfer token inspect}: classifies and describes any token without keys. */
  @MethodSource("dev.keytransfer.fuzz.FuzzSeeds#tr34Tokens")
  @FuzzTest(maxDuration = "30s")
  void inspect(byte[] input) {
    try {
      Tr34TokenType type = Tr34TokenInspector.classify(input);
      Objects.requireNonNull(type, "classify returned null");
    } catch (MalformedTokenException e) {
      Refusals.check(e, Refusals.MALFORMED_TOKEN);
    }
    try {
      List<String> lines = Tr34TokenInspector.describe(input);
      if (lines.isEmpty()) {
        throw new AssertionError("describe accepted a token and said nothing about it");
      }
    } catch (MalformedTokenException e) {
      Refusals.check(e, Refusals.MALFORMED_TOKEN);
    }
  }

  private static X509Certificate kdh() {
    return FuzzMaterial.get().kdh.certificate();
  }

  @FunctionalInterface
  private interface Step<T> {
    T run() throws KeyTransferException;
  }

  private static <T> Optional<T> verify(Step<T> verification) {
    try {
      return Optional.of(verification.run());
    } catch (KeyTransferException e) {
      Refusals.check(e, Refusals.VERIFY);
      return Optional.empty();
    }
  }

  /** Verifies with the KDH; if that holds, decrypts with the KRD's key as a terminal does. */
  private static void verifyAndDecrypt(Step<VerifiedKeyToken> verification) {
    FuzzMaterial m = FuzzMaterial.get();
    Optional<VerifiedKeyToken> v = verify(verification);
    if (v.isEmpty()) {
      return;
    }
    try (KeyBlock block = m.codec.decryptKeyToken(v.get(), m.krd.key(), m.krd.certificate())) {
      Objects.requireNonNull(block.header(), "a decrypted key block without a header");
    } catch (KeyTransferException e) {
      Refusals.check(e, Refusals.DECRYPT);
    }
  }
}
