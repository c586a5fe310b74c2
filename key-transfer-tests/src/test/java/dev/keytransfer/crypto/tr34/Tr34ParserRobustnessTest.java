package dev.keytransfer.crypto.tr34;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.spi.KeyTokenRequest;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * docs/SECURITY.md R5: the TR-34 decoders, verifiers, the inspector and the frame envelope answer
 * any corruption of a valid token (bit flips, byte changes, truncation, extension, length-byte
 * edits) with the SDK's checked exception and nothing else: no runtime exception, no error. Seeded,
 * so a failure reproduces.
 */
class Tr34ParserRobustnessTest {
  private static final int MUTATIONS_PER_TOKEN = 1500;

  @FunctionalInterface
  private interface Parse {
    void run(byte[] input) throws KeyTransferException;
  }

  @Test
  void mutatedTokens_onlyCheckedExceptions() throws Exception {
    BcCryptoProvider crypto = new BcCryptoProvider();
    Tr34TokenCodec codec = new Tr34TokenCodec(crypto);
    TestPki pki = TestPki.create("Robustness");
    TestPki.Leaf kdh = pki.validLeaf(Role.KDH, "Robust KDH");
    TestPki.Leaf krd = pki.validLeaf(Role.KRD, "Robust KRD");
    IssuerAndSerial krdId = IssuerAndSerial.of(krd.certificate());
    Nonce nonce = Nonce.random(crypto.secureRandom());
    KeyBlockHeader header = KeyBlockHeader.parse("A0000K0TB00E0000");
    Map<String, byte[]> samples = new LinkedHashMap<>();
    try (SecretKeyMaterial key = SecretKeyMaterial.copyOf(new byte[24])) {
      samples.put("CT-KRD", codec.encodeKrdCredential(krd.chain()).encoded());
      samples.put("CT-KDH", codec.encodeKdhCredential(kdh.chain(), pki.kdhPathCrls()).encoded());
      samples.put("RT-KRD", codec.encodeRandomToken(nonce).encoded());
      samples.put(
          "KT two-pass",
          codec
              .buildKeyToken(
                  KeyTokenRequest.twoPass(
                      kdh.certificate(),
                      kdh.key(),
                      krd.certificate(),
                      nonce,
                      header,
                      key,
                      pki.kdhPathCrls()))
              .encoded());
      samples.put(
          "KT 2012",
          new Tr34TokenCodec(crypto, Tr34Profile.TR34_2012)
              .buildKeyToken(
                  KeyTokenRequest.twoPass(
                      kdh.certificate(),
                      kdh.key(),
                      krd.certificate(),
                      nonce,
                      header,
                      key,
                      List.of()))
              .encoded());
      samples.put(
          "KT one-pass",
          codec
              .buildKeyToken(
                  KeyTokenRequest.onePass(
                      kdh.certificate(),
                      kdh.key(),
                      krd.certificate(),
                      Instant.now(),
                      header,
                      key,
                      pki.kdhPathCrls()))
              .encoded());
    }
    samples.put(
        "UBT-KDH",
        codec
            .buildKdhUnbindToken(kdh.certificate(), kdh.key(), krdId, nonce, pki.kdhPathCrls())
            .encoded());
    samples.put(
        "RBT-KDH",
        codec
            .buildKdhRebindToken(
                kdh.certificate(),
                kdh.key(),
                krdId,
                nonce,
                CertificateChain.of(kdh.certificate()),
                pki.kdhPathCrls())
            .encoded());

    List<Parse> parsers =
        List.of(
            codec::decodeKrdCredential,
            codec::decodeKdhCredential,
            codec::decodeRandomToken,
            b -> codec.verifyKeyToken(codec.decodeKeyToken(b), kdh.certificate()),
            b ->
                codec
                    .decryptKeyToken(
                        codec.verifyKeyToken(codec.decodeKeyToken(b), kdh.certificate()),
                        krd.key(),
                        krd.certificate())
                    .close(),
            b -> codec.verifyOnePassKeyToken(codec.decodeOnePassKeyToken(b), kdh.certificate()),
            b -> codec.verifyKdhUnbindToken(codec.decodeKdhUnbindToken(b), kdh.certificate()),
            b -> codec.verifyKdhRebindToken(codec.decodeKdhRebindToken(b), kdh.certificate()),
            Tr34TokenInspector::describe,
            b -> new MessageCodec(codec).decode(b));

    Random random = new Random(20261125L); // seeded: a failure reproduces
    List<String> failures = new ArrayList<>();
    int runs = 0;
    for (Map.Entry<String, byte[]> sample : samples.entrySet()) {
      for (int i = 0; i < MUTATIONS_PER_TOKEN; i++) {
        byte[] input = mutate(sample.getValue(), random);
        for (Parse p : parsers) {
          runs++;
          try {
            p.run(input);
          } catch (KeyTransferException expected) {
            // the only acceptable failure
          } catch (Throwable t) {
            if (failures.size() < 20) {
              failures.add(sample.getKey() + " mutation " + i + ": " + t);
            }
          }
        }
      }
    }
    System.out.println(
        "TR-34 parser robustness: "
            + runs
            + " parses of mutated tokens, "
            + failures.size()
            + " unchecked failures");
    assertThat(failures).isEmpty();
  }

  @Test
  void aRandomTokenWithANonMinimalLength_isNotDer_andRefused() throws Exception {
    BcCryptoProvider crypto = new BcCryptoProvider();
    Tr34TokenCodec codec = new Tr34TokenCodec(crypto);
    byte[] der = codec.encodeRandomToken(Nonce.random(crypto.secureRandom())).encoded();
    assertThat(der[1] & 0xFF).isLessThan(0x80); // short form: re-encode the outer length long
    byte[] ber = new byte[der.length + 1];
    ber[0] = der[0];
    ber[1] = (byte) 0x81;
    System.arraycopy(der, 1, ber, 2, der.length - 1);
    assertThat(codec.decodeRandomToken(der)).isNotNull();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> codec.decodeRandomToken(ber))
        .isInstanceOf(dev.keytransfer.core.MalformedTokenException.class)
        .hasMessageContaining("not DER");
  }

  private static byte[] mutate(byte[] valid, Random r) {
    byte[] b = valid.clone();
    switch (r.nextInt(6)) {
      case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
      case 1 -> b[r.nextInt(b.length)] = (byte) r.nextInt(256);
      case 2 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
      case 3 -> {
        byte[] tail = new byte[1 + r.nextInt(16)];
        r.nextBytes(tail);
        byte[] longer = java.util.Arrays.copyOf(b, b.length + tail.length);
        System.arraycopy(tail, 0, longer, b.length, tail.length);
        b = longer;
      }
      case 4 -> { // a length byte right after a tag: the parser must not trust it
        int at = r.nextInt(Math.max(1, b.length - 1));
        b[at + 1] = (byte) (0x80 | (1 + r.nextInt(4)));
      }
      default -> {
        for (int k = 0; k < 1 + r.nextInt(8); k++) {
          b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        }
      }
    }
    return b;
  }
}
