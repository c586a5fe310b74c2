package dev.keytransfer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.message.KdhKeyToken;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.KeySource;
import dev.keytransfer.core.spi.KeyTokenRequest;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.crypto.testing.TestPki.Leaf;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The failure matrix: every case ends with its stable error code on the side that detects it, the
 * peer told with a generic abort, no key installed on the terminal, and no delivery shown as
 * confirmed in the host's ledger (docs/SECURITY.md C1-C11, P1-P7, K2, R1).
 */
class FailureMatrixTest {
  private static final BcCryptoProvider crypto = new BcCryptoProvider();
  private static final Tr34TokenCodec codec = new Tr34TokenCodec(crypto);
  private static TestPki pki;
  private static TestPki other;
  private static Leaf kdh;
  private static Leaf kdh2;

  @BeforeAll
  static void setUp() {
    pki = TestPki.create("Matrix");
    other = TestPki.create("Rogue");
    kdh = pki.validLeaf(Role.KDH, "Matrix KDH 1");
    kdh2 = pki.validLeaf(Role.KDH, "Matrix KDH 2");
  }

  /** One session's set-up; every field has a good default. */
  private static final class Scenario {
    Leaf krd = pki.validLeaf(Role.KRD, "Matrix KRD");
    Leaf host = kdh;
    Supplier<List<X509CRL>> hostCrls = pki::kdhPathCrls;
    KeySource keys = RandomKeySource.tdesMasterKeys(crypto.secureRandom());
    DevicePolicy devices = DevicePolicy.anyCertifiedDevice();
    Wire.Interceptor wire = Wire.PASS;
    ReceivingTerminal device;
    final InMemoryKeyLedger ledger = new InMemoryKeyLedger();

    Wire.Outcome run() throws Exception {
      if (device == null) {
        device = pki.terminal(krd);
      }
      DistributionTerminal dt =
          DistributionTerminal.of(host.chain(), host.key(), hostCrls, keys, devices, ledger);
      KeyTransferHost h =
          KeyTransferHost.builder()
              .distributionTerminal(dt)
              .cryptoProvider(crypto)
              .validationPolicy(pki.hostPolicy())
              .stepTimeout(Wire.STEP)
              .build();
      KeyTransferTerminal t =
          KeyTransferTerminal.builder()
              .receivingTerminal(device)
              .cryptoProvider(crypto)
              .validationPolicy(pki.terminalPolicy())
              .stepTimeout(Wire.STEP)
              .build();
      return Wire.run(t, h, wire);
    }
  }

  private static void assertNothingInstalled(Scenario s, int keysBefore) {
    assertThat(s.device.keyStore().size()).as("keys installed").isEqualTo(keysBefore);
    assertThat(s.ledger.entries())
        .as("ledger")
        .noneMatch(e -> e.status() == DeliveryStatus.CONFIRMED);
  }

  /** The host refused the terminal (S2): nothing issued at all. */
  private static void assertHostRefused(Scenario s, Wire.Outcome o, ErrorCode code) {
    assertThat(o.hostCode()).isEqualTo(code);
    assertThat(o.terminalCode()).isEqualTo(code.publicCode()); // the wire carries only the class
    assertNothingInstalled(s, 0);
    assertThat(s.ledger.entries()).isEmpty();
  }

  /** The terminal refused (S3 or S4): nothing installed; a delivered key is marked REJECTED. */
  private static void assertTerminalRefused(
      Scenario s, Wire.Outcome o, ErrorCode code, int keysBefore) {
    assertThat(o.terminalCode()).isEqualTo(code);
    assertThat(o.hostCode()).isEqualTo(code.publicCode()); // the wire carries only the class
    assertNothingInstalled(s, keysBefore);
    assertThat(s.ledger.entries()).allMatch(e -> e.status() == DeliveryStatus.REJECTED);
  }

  // ------------------------------------------------------------ certificates (C1-C8)

  static Stream<Arguments> badCertificates() {
    Instant now = Instant.now();
    return Stream.of(
        Arguments.of(
            "untrusted",
            (Function<Role, Leaf>) r -> other.validLeaf(r, "untrusted"),
            ErrorCode.CERTIFICATE_UNTRUSTED),
        Arguments.of(
            "expired",
            (Function<Role, Leaf>)
                r ->
                    pki.leaf(r, "expired")
                        .validity(now.minus(Duration.ofDays(400)), now.minus(Duration.ofDays(1)))
                        .build(),
            ErrorCode.CERTIFICATE_EXPIRED),
        Arguments.of(
            "not yet valid",
            (Function<Role, Leaf>)
                r ->
                    pki.leaf(r, "future")
                        .validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(400)))
                        .build(),
            ErrorCode.CERTIFICATE_NOT_YET_VALID),
        Arguments.of(
            "revoked",
            (Function<Role, Leaf>)
                r -> {
                  Leaf l = pki.validLeaf(r, "revoked");
                  pki.revoke(l.certificate());
                  return l;
                },
            ErrorCode.CERTIFICATE_REVOKED),
        Arguments.of(
            "wrong role (other role's certificate)",
            (Function<Role, Leaf>)
                r -> pki.validLeaf(r == Role.KDH ? Role.KRD : Role.KDH, "other role"),
            ErrorCode.CERTIFICATE_WRONG_ROLE),
        Arguments.of(
            "wrong role (right key usage, other role's CA)",
            (Function<Role, Leaf>)
                r ->
                    pki.leaf(r, "other CA").issuedBy(r == Role.KDH ? pki.krdCa : pki.kdhCa).build(),
            ErrorCode.CERTIFICATE_WRONG_ROLE),
        Arguments.of(
            "RSA-1024",
            (Function<Role, Leaf>) r -> pki.leaf(r, "rsa1024").rsaBits(1024).build(),
            ErrorCode.CERTIFICATE_WEAK_KEY),
        Arguments.of(
            "SHA-1 signed",
            (Function<Role, Leaf>)
                r -> pki.leaf(r, "sha1").signatureAlgorithm("SHA1withRSA").build(),
            ErrorCode.CERTIFICATE_WEAK_SIGNATURE),
        Arguments.of(
            "CA certificate as leaf",
            (Function<Role, Leaf>) r -> pki.leaf(r, "ca leaf").ca(true).build(),
            ErrorCode.CERTIFICATE_CA_AS_LEAF));
  }

  @ParameterizedTest(name = "terminal certificate {0}")
  @MethodSource("badCertificates")
  void terminalCertificate_bad_hostRefusesAtS2(
      String name, Function<Role, Leaf> make, ErrorCode code) throws Exception {
    Scenario s = new Scenario();
    s.krd = make.apply(Role.KRD);
    assertHostRefused(s, s.run(), code);
  }

  @ParameterizedTest(name = "host certificate {0}")
  @MethodSource("badCertificates")
  void hostCertificate_bad_terminalRefusesAtS3(
      String name, Function<Role, Leaf> make, ErrorCode code) throws Exception {
    Scenario s = new Scenario();
    s.host = make.apply(Role.KDH);
    Wire.Outcome o = s.run();
    assertTerminalRefused(s, o, code, 0);
    assertThat(s.ledger.entries()).isEmpty();
    assertThat(s.device.bindingStore().boundKdh()).as("no binding to a refused host").isEmpty();
  }

  @Test
  void terminal_notInDeviceInventory_hostRefuses() throws Exception {
    Scenario s = new Scenario();
    s.devices = DevicePolicy.allowList(Set.of(TestPki.dn("someone else")));
    assertHostRefused(s, s.run(), ErrorCode.DEVICE_NOT_AUTHORIZED);
  }

  // ------------------------------------------------------------ CRLs (C3)

  @Test
  void crl_missing_terminalFailsClosed() throws Exception {
    Scenario s = new Scenario();
    s.hostCrls = List::of;
    assertTerminalRefused(s, s.run(), ErrorCode.CRL_MISSING, 0);
  }

  @Test
  void crl_stale_terminalFailsClosed() throws Exception {
    Scenario s = new Scenario();
    Instant now = Instant.now();
    s.hostCrls =
        () ->
            List.of(
                pki.crl(
                    pki.root,
                    now.minus(Duration.ofDays(10)),
                    now.minus(Duration.ofDays(3)),
                    pki.caKey(pki.root)),
                pki.crl(
                    pki.kdhCa,
                    now.minus(Duration.ofDays(10)),
                    now.minus(Duration.ofDays(3)),
                    pki.caKey(pki.kdhCa)));
    assertTerminalRefused(s, s.run(), ErrorCode.CRL_STALE, 0);
  }

  @Test
  void crl_badlySigned_terminalFailsClosed() throws Exception {
    Scenario s = new Scenario();
    Instant now = Instant.now();
    s.hostCrls =
        () ->
            List.of(
                pki.crl(
                    pki.root,
                    now.minusSeconds(60),
                    now.plus(Duration.ofDays(7)),
                    pki.caKey(pki.root)),
                pki.crl(
                    pki.kdhCa,
                    now.minusSeconds(60),
                    now.plus(Duration.ofDays(7)),
                    pki.caKey(pki.krdCa)));
    assertTerminalRefused(s, s.run(), ErrorCode.CRL_INVALID, 0);
  }

  // ------------------------------------------------------------ freshness and integrity (P1-P7)

  @Test
  void nonce_changedOnTheWay_terminalRefusesKeyToken() throws Exception {
    Scenario s = new Scenario();
    s.wire = Wire.onPayload(MessageType.KRD_RANDOM, p -> TokenSurgery.flipBit(p, p.length - 1));
    assertTerminalRefused(s, s.run(), ErrorCode.NONCE_MISMATCH, 0);
    assertThat(s.ledger.entries())
        .singleElement()
        .extracting(e -> e.status())
        .isEqualTo(DeliveryStatus.REJECTED);
  }

  @Test
  void keyToken_replayedFromEarlierSession_isRefused() throws Exception {
    Scenario first = new Scenario();
    AtomicReference<byte[]> recorded = new AtomicReference<>();
    first.wire =
        (t, f) -> {
          if (t == MessageType.KDH_KEY) {
            recorded.set(f);
          }
          return f;
        };
    Wire.Outcome ok = first.run();
    assertThat(ok.terminalError()).isNull();
    assertThat(first.device.keyStore().size()).isEqualTo(1);

    Scenario replay = new Scenario();
    replay.device = first.device; // same terminal, same bound host, new session
    replay.wire = (t, f) -> t == MessageType.KDH_KEY ? recorded.get() : f;
    assertTerminalRefused(replay, replay.run(), ErrorCode.NONCE_MISMATCH, 1);
  }

  @Test
  void keyToken_signedByAnotherHost_isRefused() throws Exception {
    Scenario s = new Scenario();
    AtomicReference<Nonce> nonce = new AtomicReference<>();
    s.wire =
        (t, f) -> {
          MessageCodec mc = new MessageCodec(codec);
          if (t == MessageType.KRD_RANDOM) {
            nonce.set(
                codec.decodeRandomToken(java.util.Arrays.copyOfRange(f, 2, f.length)).nonce());
            return f;
          }
          if (t == MessageType.KDH_KEY) {
            try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(new byte[24])) {
              KdhKeyToken forged =
                  (KdhKeyToken)
                      codec.buildKeyToken(
                          KeyTokenRequest.twoPass(
                              kdh2.certificate(),
                              kdh2.key(),
                              s.krd.certificate(),
                              nonce.get(),
                              KeyBlockHeader.parse("A0000K0TB00E0000"),
                              k,
                              pki.kdhPathCrls()));
              return mc.encode(forged);
            }
          }
          return f;
        };
    assertTerminalRefused(s, s.run(), ErrorCode.SIGNER_NOT_BOUND, 0);
  }

  static Stream<Arguments> bitFlips() {
    return Stream.of(
        Arguments.of(
            "signature", (Function<byte[], byte[]>) t -> TokenSurgery.flipBit(t, t.length - 1)),
        Arguments.of(
            "signed attributes (header)",
            (Function<byte[], byte[]>)
                t ->
                    TokenSurgery.flipInside(
                        t,
                        "A0000K0TB00E0000".getBytes(java.nio.charset.StandardCharsets.US_ASCII))),
        Arguments.of(
            "encrypted key",
            (Function<byte[], byte[]>)
                t ->
                    TokenSurgery.flipInside(
                        t, TokenSurgery.encryptedKey(TokenSurgery.envelope(t)))),
        Arguments.of(
            "ciphertext",
            (Function<byte[], byte[]>)
                t ->
                    TokenSurgery.flipInside(
                        t, TokenSurgery.encryptedContent(TokenSurgery.envelope(t)))));
  }

  @ParameterizedTest(name = "one bit flipped in the {0}")
  @MethodSource("bitFlips")
  void keyToken_bitFlipped_refusedBeforeDecryption(String part, Function<byte[], byte[]> flip)
      throws Exception {
    Scenario s = new Scenario();
    s.wire = Wire.onPayload(MessageType.KDH_KEY, flip::apply);
    assertTerminalRefused(s, s.run(), ErrorCode.SIGNATURE_INVALID, 0);
  }

  static Stream<Arguments> authenticButBroken() {
    return Stream.of(
        // the last CBC block carries the padding: garbling it fails decryption itself
        Arguments.of(
            "last ciphertext block flipped, re-signed",
            (Function<byte[], byte[]>)
                t ->
                    resign(
                        t, env -> lastByteFlipped(env, TokenSurgery.encryptedContent(env)), null),
            ErrorCode.KEY_TOKEN_INVALID),
        Arguments.of(
            "encrypted key flipped, re-signed",
            (Function<byte[], byte[]>)
                t ->
                    resign(
                        t,
                        env -> TokenSurgery.flipInside(env, TokenSurgery.encryptedKey(env)),
                        null),
            ErrorCode.KEY_TOKEN_INVALID),
        Arguments.of(
            "signed header differs from key block header",
            (Function<byte[], byte[]>) t -> resign(t, env -> env, "A0000K0TB00N0000"),
            ErrorCode.HEADER_MISMATCH),
        Arguments.of(
            "truncated token",
            (Function<byte[], byte[]>) t -> java.util.Arrays.copyOf(t, t.length / 2),
            ErrorCode.MALFORMED_TOKEN));
  }

  private static byte[] lastByteFlipped(byte[] env, byte[] ciphertext) {
    return TokenSurgery.flipBit(env, TokenSurgery.indexOf(env, ciphertext) + ciphertext.length - 1);
  }

  @Test
  void keyToken_ciphertextFlippedMidway_resigned_isRefusedWithNothingInstalled() throws Exception {
    // CBC: a flipped block decrypts to garbage that may still parse; the content checks after
    // decryption (idKDH, header) or the parser refuse it, and nothing is installed either way
    Scenario s = new Scenario();
    s.wire =
        Wire.onPayload(
            MessageType.KDH_KEY,
            t ->
                resign(
                    t,
                    env -> TokenSurgery.flipInside(env, TokenSurgery.encryptedContent(env)),
                    null));
    Wire.Outcome o = s.run();
    assertThat(o.terminalCode())
        .isIn(
            ErrorCode.KEY_TOKEN_INVALID,
            ErrorCode.KEY_BLOCK_ID_MISMATCH,
            ErrorCode.HEADER_MISMATCH);
    assertNothingInstalled(s, 0);
    assertThat(s.ledger.entries())
        .singleElement()
        .extracting(e -> e.status())
        .isEqualTo(DeliveryStatus.REJECTED);
  }

  private static byte[] resign(
      byte[] token, java.util.function.UnaryOperator<byte[]> env, String header) {
    try {
      return TokenSurgery.resign(token, env, header, kdh.key());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("authenticButBroken")
  void keyToken_fromBoundHostButBroken_isRefused(
      String name, Function<byte[], byte[]> change, ErrorCode code) throws Exception {
    Scenario s = new Scenario();
    s.wire = Wire.onPayload(MessageType.KDH_KEY, change::apply);
    assertTerminalRefused(s, s.run(), code, 0);
  }

  @Test
  void keyToken_decryptionFailures_areIndistinguishable() throws Exception {
    String[] messages = new String[2];
    int i = 0;
    for (Arguments a : authenticButBroken().limit(2).toList()) {
      Scenario s = new Scenario();
      @SuppressWarnings("unchecked")
      Function<byte[], byte[]> change = (Function<byte[], byte[]>) a.get()[1];
      s.wire = Wire.onPayload(MessageType.KDH_KEY, change::apply);
      Wire.Outcome o = s.run();
      assertThat(o.terminalError().getCause()).isNull();
      messages[i++] = o.terminalError().getMessage();
    }
    assertThat(messages[0]).isEqualTo(messages[1]);
  }

  @Test
  void keyStrength_aes128ToRsa2048Terminal_hostRefusesToWrap() throws Exception {
    Scenario s = new Scenario();
    s.keys =
        new RandomKeySource(crypto.secureRandom(), KeyBlockHeader.parse("D0000K0AB00E0000"), 16);
    Wire.Outcome o = s.run();
    assertThat(o.hostCode()).isEqualTo(ErrorCode.KEY_STRENGTH_POLICY);
    assertThat(o.terminalCode()).isEqualTo(ErrorCode.PEER_REFUSED_TOKEN);
    assertNothingInstalled(s, 0);
    assertThat(s.ledger.entries()).isEmpty();
  }

  @Test
  void header_bdkAsMasterKey_hostRefusesToSendIt() throws Exception {
    // P7: a base derivation key never goes to a terminal
    Scenario s = new Scenario();
    s.keys =
        new RandomKeySource(crypto.secureRandom(), KeyBlockHeader.parse("A0000B0TX00N0000"), 24);
    Wire.Outcome o = s.run();
    assertThat(o.hostCode()).isEqualTo(ErrorCode.HEADER_MISMATCH);
    assertNothingInstalled(s, 0);
    assertThat(s.ledger.entries()).isEmpty();
  }

  @Test
  void header_authenticTokenDeclaringABdk_terminalRefusesToInstall() throws Exception {
    Scenario s = new Scenario();
    AtomicReference<Nonce> nonce = new AtomicReference<>();
    s.wire =
        (t, f) -> {
          if (t == MessageType.KRD_RANDOM) {
            nonce.set(
                codec.decodeRandomToken(java.util.Arrays.copyOfRange(f, 2, f.length)).nonce());
          } else if (t == MessageType.KDH_KEY) {
            try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(new byte[24])) {
              return new MessageCodec(codec)
                  .encode(
                      codec.buildKeyToken(
                          KeyTokenRequest.twoPass(
                              kdh.certificate(),
                              kdh.key(),
                              s.krd.certificate(),
                              nonce.get(),
                              KeyBlockHeader.parse("A0000B0TX00N0000"),
                              k,
                              pki.kdhPathCrls())));
            }
          }
          return f;
        };
    assertTerminalRefused(s, s.run(), ErrorCode.HEADER_MISMATCH, 0);
  }

  // ------------------------------------------------------------ order

  @Test
  void outOfOrder_randomTokenFirst_hostRefuses() throws Exception {
    Scenario s = new Scenario();
    s.wire =
        (t, f) ->
            t == MessageType.KRD_CREDENTIAL
                ? new MessageCodec(codec)
                    .encode(codec.encodeRandomToken(Nonce.random(crypto.secureRandom())))
                : f;
    assertHostRefused(s, s.run(), ErrorCode.UNEXPECTED_MESSAGE);
  }

  @Test
  void outOfOrder_confirmationInsteadOfHostCredential_terminalRefuses() throws Exception {
    Scenario s = new Scenario();
    s.wire =
        (t, f) ->
            t == MessageType.KDH_CREDENTIAL
                ? new MessageCodec(codec)
                    .encode(
                        new dev.keytransfer.core.message.KeyInstalled(
                            dev.keytransfer.core.KeyCheckValue.of(
                                dev.keytransfer.core.KeyCheckValue.Method.LEGACY_TDES,
                                new byte[3])))
                : f;
    assertTerminalRefused(s, s.run(), ErrorCode.UNEXPECTED_MESSAGE, 0);
  }

  @Test
  void confirmation_wrongKcv_ledgerRejected() throws Exception {
    Scenario s = new Scenario();
    s.wire = Wire.onPayload(MessageType.KEY_INSTALLED, p -> TokenSurgery.flipBit(p, p.length - 1));
    Wire.Outcome o = s.run();
    assertThat(o.hostCode()).isEqualTo(ErrorCode.KCV_MISMATCH);
    assertThat(s.ledger.entries())
        .singleElement()
        .extracting(e -> e.status())
        .isEqualTo(DeliveryStatus.REJECTED);
  }
}
