package dev.keytransfer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.handshake.EcdhSettings;
import dev.keytransfer.core.handshake.HostOperation;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.KeySource;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.keyblock.Tr31Codec;
import dev.keytransfer.crypto.keyblock.UnwrappedKey;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.crypto.testing.TestPki.Leaf;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.crypto.KeyAgreement;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ECDH mode end to end (docs/ECDH.md): each curve and KDF delivers a key that the terminal
 * installs and the host's ledger confirms, the key block on the wire opens under a key derived
 * independently from the documented formula, and every failure of the mode's matrix (wrong curve,
 * weak curve for the key, reused or zero-byte fresh values, bad signature, tampered block, wrong
 * echo) ends with its code, nothing installed and no confirmed delivery.
 */
class EcdhModeTest {
  private static final BcCryptoProvider crypto = new BcCryptoProvider();
  private static TestPki pki;
  private static final Map<Algorithms.Curve, Leaf> hosts = new EnumMap<>(Algorithms.Curve.class);
  private static Leaf otherHost;

  @BeforeAll
  static void setUp() throws Exception {
    pki = TestPki.create("ECDH");
    for (Algorithms.Curve c : Algorithms.Curve.values()) {
      hosts.put(c, ecLeaf(Role.KDH, "ECDH KDH " + c, c));
    }
    otherHost = ecLeaf(Role.KDH, "ECDH KDH other", Algorithms.Curve.P256);
  }

  /** An EC leaf with the role's ECDH key usage, issued by the test PKI's RSA role CA. */
  static Leaf ecLeaf(Role role, String cn, Algorithms.Curve curve) {
    return pki.ecLeaf(role, cn, curve);
  }

  static KeySource keys(String header, int length) {
    try {
      return new RandomKeySource(crypto.secureRandom(), KeyBlockHeader.parse(header), length);
    } catch (dev.keytransfer.core.KeyTransferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One host, kept across sessions (its memory of fresh values is per host). */
  private static final class Host {
    final InMemoryKeyLedger ledger = new InMemoryKeyLedger();
    final KeyTransferHost host;

    Host(Leaf kdh, KeySource keys, EcdhSettings settings) {
      this(kdh, keys, settings, null);
    }

    Host(Leaf kdh, KeySource keys, EcdhSettings settings, HostOperation operation) {
      DistributionTerminal dt =
          DistributionTerminal.of(
              kdh.chain(),
              kdh.key(),
              pki::kdhPathCrls,
              keys,
              DevicePolicy.anyCertifiedDevice(),
              ledger);
      KeyTransferHost.Builder b =
          KeyTransferHost.builder()
              .distributionTerminal(dt)
              .cryptoProvider(crypto)
              .validationPolicy(pki.hostPolicy())
              .ecdh(settings)
              .stepTimeout(Wire.STEP);
      if (operation != null) {
        b.operations(krd -> operation);
      }
      host = b.build();
    }

    Host(Leaf kdh, KeySource keys) {
      this(kdh, keys, EcdhSettings.defaults());
    }

    Wire.Outcome run(ReceivingTerminal device, Wire.Interceptor wire) throws Exception {
      KeyTransferTerminal t =
          KeyTransferTerminal.builder()
              .receivingTerminal(device)
              .cryptoProvider(crypto)
              .validationPolicy(pki.terminalPolicy())
              .stepTimeout(Wire.STEP)
              .build();
      return Wire.run(t, host, wire);
    }
  }

  // ------------------------------------------------------------------ deliveries

  static Stream<Arguments> deliveries() {
    return Stream.of(
        Arguments.of(
            Algorithms.Curve.P256, Algorithms.Kdf.NIST_SP800, null, "A0000K0TB00E0000", 24),
        Arguments.of(
            Algorithms.Curve.P256,
            Algorithms.Kdf.ANSI_X963,
            Algorithms.Hash.SHA256,
            "D0000K0AB00E0000",
            16),
        Arguments.of(
            Algorithms.Curve.P384, Algorithms.Kdf.NIST_SP800, null, "D0000K0AB00E0000", 24),
        Arguments.of(
            Algorithms.Curve.P384,
            Algorithms.Kdf.ANSI_X963,
            Algorithms.Hash.SHA512,
            "D0000K0AB00E0000",
            16),
        Arguments.of(Algorithms.Curve.P521, Algorithms.Kdf.ANSI_X963, null, "D0000K0AB00E0000", 32),
        Arguments.of(
            Algorithms.Curve.P521,
            Algorithms.Kdf.NIST_SP800,
            Algorithms.Hash.SHA256,
            "D0000K0AB00E0000",
            32));
  }

  @ParameterizedTest(name = "{0} {1} {2}: {3}, {4} bytes")
  @MethodSource("deliveries")
  void delivery_installedConfirmed_andTheBlockOpensUnderTheDocumentedDerivation(
      Algorithms.Curve curve, Algorithms.Kdf kdf, Algorithms.Hash hash, String header, int length)
      throws Exception {
    Leaf krd = ecLeaf(Role.KRD, "ECDH KRD " + curve, curve);
    ReceivingTerminal device = pki.terminal(krd);
    Host h = new Host(hosts.get(curve), keys(header, length), new EcdhSettings(kdf, hash, 16));
    AtomicReference<byte[]> answer = new AtomicReference<>();
    AtomicReference<byte[]> request = new AtomicReference<>();
    Wire.Outcome o =
        h.run(
            device,
            (t, f) -> {
              if (t == MessageType.KDH_ECDH_KEY) {
                answer.set(Arrays.copyOfRange(f, 2, f.length));
              }
              if (t == MessageType.KRD_RANDOM) {
                request.set(Arrays.copyOfRange(f, 2, f.length));
              }
              return f;
            });

    assertThat(o.terminalError()).isNull();
    assertThat(o.hostError()).isNull();
    assertThat(o.terminalReceipt().kcv()).isEqualTo(o.hostReceipt().kcv().orElseThrow());
    assertThat(o.terminalReceipt().header().versionId()).isEqualTo('D');
    assertThat(device.keyStore().size()).isEqualTo(1);
    assertThat(h.ledger.entries())
        .singleElement()
        .matches(e -> e.status() == DeliveryStatus.CONFIRMED);

    // the wire: the terminal's nonce has no zero byte, and the block opens under a key derived
    // from the documented formula with the platform's ECDH, not the provider under test
    ASN1Sequence token = ASN1Sequence.getInstance(answer.get());
    ASN1Sequence content = ASN1Sequence.getInstance(token.getObjectAt(0));
    assertThat(ASN1Integer.getInstance(content.getObjectAt(0)).intValueExact()).isEqualTo(1);
    assertThat(ASN1Integer.getInstance(content.getObjectAt(3)).intValueExact())
        .isEqualTo(kdf == Algorithms.Kdf.NIST_SP800 ? 1 : 2);
    byte[] krdRandom = octets(content, 5);
    byte[] kdhRandom = octets(content, 6);
    assertThat(krdRandom).hasSize(16).doesNotContain((byte) 0);
    assertThat(kdhRandom).hasSize(16).doesNotContain((byte) 0);
    assertThat(request.get()).containsSequence(krdRandom);
    KeyAgreement ka = KeyAgreement.getInstance("ECDH");
    ka.init(((dev.keytransfer.crypto.SoftwareKeyHandle) krd.key()).privateKey());
    ka.doPhase(hosts.get(curve).certificate().getPublicKey(), true);
    byte[] z = ka.generateSecret();
    byte[] kbpk =
        referenceKdf(
            kdf,
            (hash != null ? hash : curve.hash()).jcaName(),
            z,
            concat(krdRandom, kdhRandom),
            curve.strengthBits() / 8);
    String block = new String(octets(content, 7), StandardCharsets.US_ASCII);
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(kbpk);
        UnwrappedKey opened = Tr31Codec.create(crypto).unwrap(k, block)) {
      assertThat(opened.key().length()).isEqualTo(length);
      assertThat(crypto.keyCheckValue(opened.key(), o.hostReceipt().kcv().orElseThrow().method()))
          .isEqualTo(o.hostReceipt().kcv().orElseThrow());
    }
  }

  /** The two KDFs written out from docs/ECDH.md, independently of the production class. */
  static byte[] referenceKdf(Algorithms.Kdf kdf, String hash, byte[] z, byte[] info, int length)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int counter = 1; out.size() < length; counter++) {
      MessageDigest md = MessageDigest.getInstance(hash);
      byte[] c = BigInteger.valueOf(counter).toByteArray();
      byte[] c4 = new byte[4];
      System.arraycopy(c, 0, c4, 4 - c.length, c.length);
      if (kdf == Algorithms.Kdf.NIST_SP800) {
        md.update(c4);
        md.update(z);
      } else {
        md.update(z);
        md.update(c4);
      }
      md.update(info);
      out.write(md.digest());
    }
    return Arrays.copyOf(out.toByteArray(), length);
  }

  @Test
  void workingKeys_afterAnEcdhMasterKey_installed() throws Exception {
    // the mode changes S4 only: what follows (KEY_CONFIRMED, the ledger) is as in the RSA mode
    Leaf krd = ecLeaf(Role.KRD, "ECDH KRD twice", Algorithms.Curve.P256);
    ReceivingTerminal device = pki.terminal(krd);
    Host h = new Host(hosts.get(Algorithms.Curve.P256), keys("D0000K0AB00E0000", 16));
    assertThat(h.run(device, Wire.PASS).terminalError()).isNull();
    Wire.Outcome second = h.run(device, Wire.PASS);
    assertThat(second.terminalError()).isNull();
    assertThat(h.ledger.entries()).hasSize(2).allMatch(e -> e.status() == DeliveryStatus.CONFIRMED);
  }

  // ------------------------------------------------------------------ the host refuses

  private static void assertHostRefusedBeforeDelivery(
      Host h, ReceivingTerminal device, Wire.Outcome o, ErrorCode code) {
    assertThat(o.hostCode()).isEqualTo(code);
    assertThat(o.terminalCode()).isEqualTo(code.publicCode());
    assertThat(device.keyStore().size()).isZero();
    assertThat(h.ledger.entries()).noneMatch(e -> e.status() == DeliveryStatus.CONFIRMED);
  }

  @Test
  void terminalOnAnotherCurve_hostRefuses_curveMismatch() throws Exception {
    ReceivingTerminal device =
        pki.terminal(ecLeaf(Role.KRD, "ECDH KRD P-384", Algorithms.Curve.P384));
    Host h = new Host(hosts.get(Algorithms.Curve.P256), keys("D0000K0AB00E0000", 16));
    Wire.Outcome o = h.run(device, Wire.PASS);
    assertHostRefusedBeforeDelivery(h, device, o, ErrorCode.ECDH_CURVE_MISMATCH);
    assertThat(h.ledger.entries()).isEmpty();
  }

  @Test
  void rsaTerminal_ecHost_hostRefuses_curveMismatch() throws Exception {
    ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "RSA KRD"));
    Host h = new Host(hosts.get(Algorithms.Curve.P256), keys("D0000K0AB00E0000", 16));
    Wire.Outcome o = h.run(device, Wire.PASS);
    assertHostRefusedBeforeDelivery(h, device, o, ErrorCode.ECDH_CURVE_MISMATCH);
    assertThat(h.ledger.entries()).isEmpty();
  }

  @Test
  void ecTerminal_rsaHost_hostRefuses_curveMismatch_beforeAKeyIsChosen() throws Exception {
    ReceivingTerminal device =
        pki.terminal(ecLeaf(Role.KRD, "ECDH KRD for an RSA host", Algorithms.Curve.P256));
    Host h = new Host(pki.validLeaf(Role.KDH, "RSA KDH"), keys("D0000K0AB00E0000", 16));
    Wire.Outcome o = h.run(device, Wire.PASS);
    assertHostRefusedBeforeDelivery(h, device, o, ErrorCode.ECDH_CURVE_MISMATCH);
    assertThat(h.ledger.entries()).isEmpty();
  }

  /** TR-34's one-pass, unbind and rebind tokens are RSA CMS: an EC host refuses them up front. */
  @ParameterizedTest
  @MethodSource("rsaOnlyOperations")
  void rsaOnlyOperation_ecHost_refusedBeforeAnyToken(HostOperation operation) throws Exception {
    ReceivingTerminal device =
        pki.terminal(ecLeaf(Role.KRD, "ECDH KRD " + operation.auditName(), Algorithms.Curve.P256));
    Host h =
        new Host(
            hosts.get(Algorithms.Curve.P256),
            keys("D0000K0AB00E0000", 16),
            EcdhSettings.defaults(),
            operation);
    Wire.Outcome o = h.run(device, Wire.PASS);
    assertThat(o.hostCode()).isEqualTo(ErrorCode.CRYPTO_FAILURE);
    assertThat(device.keyStore().size()).isZero();
    assertThat(h.ledger.entries()).isEmpty();
  }

  static Stream<HostOperation> rsaOnlyOperations() {
    return Stream.of(
        new HostOperation.DeliverKeyOnePass(),
        new HostOperation.Unbind(),
        new HostOperation.Rebind(hosts.get(Algorithms.Curve.P384).chain()));
  }

  @Test
  void aes256KeyToAP256Terminal_hostRefuses_weakCurve() throws Exception {
    ReceivingTerminal device =
        pki.terminal(ecLeaf(Role.KRD, "ECDH KRD weak", Algorithms.Curve.P256));
    Host h = new Host(hosts.get(Algorithms.Curve.P256), keys("D0000K0AB00E0000", 32));
    Wire.Outcome o = h.run(device, Wire.PASS);
    assertHostRefusedBeforeDelivery(h, device, o, ErrorCode.KEY_STRENGTH_POLICY);
    assertThat(h.ledger.entries()).isEmpty();
  }

  @Test
  void aes192KeyToAP384Terminal_delivered_butNotToP256() throws Exception {
    Host h384 = new Host(hosts.get(Algorithms.Curve.P384), keys("D0000K0AB00E0000", 24));
    ReceivingTerminal ok = pki.terminal(ecLeaf(Role.KRD, "ECDH KRD 384", Algorithms.Curve.P384));
    assertThat(h384.run(ok, Wire.PASS).terminalError()).isNull();
    Host h256 = new Host(hosts.get(Algorithms.Curve.P256), keys("D0000K0AB00E0000", 24));
    ReceivingTerminal weak = pki.terminal(ecLeaf(Role.KRD, "ECDH KRD 256", Algorithms.Curve.P256));
    assertHostRefusedBeforeDelivery(
        h256, weak, h256.run(weak, Wire.PASS), ErrorCode.KEY_STRENGTH_POLICY);
  }

  @Test
  void terminalValueWithAZeroByte_hostRefuses_sharedInfoInvalid() throws Exception {
    ReceivingTerminal device =
        pki.terminal(ecLeaf(Role.KRD, "ECDH KRD zero", Algorithms.Curve.P256));
    Host h = new Host(hosts.get(Algorithms.Curve.P256), keys("D0000K0AB00E0000", 16));
    Wire.Outcome o =
        h.run(
            device,
            Wire.onPayload(
                MessageType.KRD_RANDOM,
                p -> {
                  byte[] out = p.clone();
                  out[out.length - 1] = 0; // the nonce is the token's last bytes
                  return out;
                }));
    assertHostRefusedBeforeDelivery(h, device, o, ErrorCode.SHARED_INFO_INVALID);
    assertThat(h.ledger.entries()).isEmpty();
  }

  @Test
  void terminalValueReplayed_hostRefuses_sharedInfoReused() throws Exception {
    ReceivingTerminal device =
        pki.terminal(ecLeaf(Role.KRD, "ECDH KRD replay", Algorithms.Curve.P256));
    Host h = new Host(hosts.get(Algorithms.Curve.P256), keys("D0000K0AB00E0000", 16));
    AtomicReference<byte[]> first = new AtomicReference<>();
    Wire.Outcome o1 =
        h.run(
            device,
            (t, f) -> {
              if (t == MessageType.KRD_RANDOM) {
                first.set(f.clone());
              }
              return f;
            });
    assertThat(o1.terminalError()).isNull();
    int installed = device.keyStore().size();
    Wire.Outcome o2 = h.run(device, (t, f) -> t == MessageType.KRD_RANDOM ? first.get() : f);
    assertThat(o2.hostCode()).isEqualTo(ErrorCode.SHARED_INFO_REUSED);
    assertThat(device.keyStore().size()).isEqualTo(installed);
    assertThat(h.ledger.entries()).hasSize(1);
  }

  // ------------------------------------------------------------------ the terminal refuses

  /** Rewrites the answer's content and signs it again with {@code signer}'s key. */
  private static UnaryOperator<byte[]> resigned(Leaf signer, UnaryOperator<ASN1Encodable[]> edit) {
    return payload -> {
      try {
        ASN1Sequence token = ASN1Sequence.getInstance(payload);
        ASN1Sequence content = ASN1Sequence.getInstance(token.getObjectAt(0));
        ASN1Encodable[] fields = edit.apply(content.toArray());
        byte[] c = new DERSequence(fields).getEncoded("DER");
        Algorithms.Curve curve = Algorithms.Curve.of(signer.certificate().getPublicKey());
        byte[] sig = crypto.sign(signer.key(), curve.signature(), c);
        ASN1EncodableVector v = new ASN1EncodableVector();
        v.add(ASN1Sequence.getInstance(c));
        v.add(new DEROctetString(sig));
        return new DERSequence(v).getEncoded("DER");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }

  private static byte[] octets(ASN1Sequence s, int i) {
    return ASN1OctetString.getInstance(s.getObjectAt(i)).getOctets();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static Stream<Arguments> tamperedAnswers() {
    Leaf kdh = hostsFor();
    return Stream.of(
        Arguments.of(
            "signature bit flipped",
            (UnaryOperator<byte[]>) p -> TokenSurgery.flipBit(p, p.length - 1),
            ErrorCode.SIGNATURE_INVALID),
        Arguments.of(
            "key block flipped, signature kept",
            (UnaryOperator<byte[]>) p -> TokenSurgery.flipBit(p, p.length - 80),
            ErrorCode.SIGNATURE_INVALID),
        Arguments.of(
            "key block MAC tampered, signed again by the host",
            resigned(
                kdh,
                f -> {
                  byte[] b = ASN1OctetString.getInstance(f[7]).getOctets();
                  b[b.length - 1] = (byte) (b[b.length - 1] == '0' ? '1' : '0');
                  f[7] = new DEROctetString(b);
                  return f;
                }),
            ErrorCode.KEY_BLOCK_MAC_INVALID),
        Arguments.of(
            "host value with a zero byte, signed again",
            resigned(
                kdh,
                f -> {
                  byte[] b = ASN1OctetString.getInstance(f[6]).getOctets();
                  b[3] = 0;
                  f[6] = new DEROctetString(b);
                  return f;
                }),
            ErrorCode.SHARED_INFO_INVALID),
        Arguments.of(
            "host value repeating the terminal's, signed again",
            resigned(
                kdh,
                f -> {
                  f[6] = f[5];
                  return f;
                }),
            ErrorCode.SHARED_INFO_REUSED),
        Arguments.of(
            "another nonce echoed, signed again",
            resigned(
                kdh,
                f -> {
                  byte[] b = ASN1OctetString.getInstance(f[5]).getOctets();
                  b[0] ^= 0x01;
                  if (b[0] == 0) {
                    b[0] = 2;
                  }
                  f[5] = new DEROctetString(b);
                  return f;
                }),
            ErrorCode.NONCE_MISMATCH),
        Arguments.of(
            "addressed to another terminal, signed again",
            resigned(
                kdh,
                f -> {
                  ASN1Sequence id = ASN1Sequence.getInstance(f[2]);
                  f[2] =
                      new DERSequence(
                          new ASN1Encodable[] {
                            id.getObjectAt(0),
                            new ASN1Integer(
                                ASN1Integer.getInstance(id.getObjectAt(1))
                                    .getValue()
                                    .add(BigInteger.ONE))
                          });
                  return f;
                }),
            ErrorCode.SIGNER_NOT_BOUND),
        Arguments.of(
            "version 2, signed again",
            resigned(
                kdh,
                f -> {
                  f[0] = new ASN1Integer(2);
                  return f;
                }),
            ErrorCode.MALFORMED_TOKEN),
        Arguments.of(
            "signed by another KDH of the same CA",
            resigned(otherHost, f -> f),
            ErrorCode.SIGNATURE_INVALID),
        Arguments.of(
            "truncated",
            (UnaryOperator<byte[]>) p -> Arrays.copyOf(p, p.length - 3),
            ErrorCode.MALFORMED_TOKEN));
  }

  private static Leaf hostsFor() {
    return hosts.get(Algorithms.Curve.P256);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tamperedAnswers")
  void tamperedAnswer_terminalRefuses_nothingInstalled(
      String name, UnaryOperator<byte[]> change, ErrorCode code) throws Exception {
    ReceivingTerminal device =
        pki.terminal(
            ecLeaf(Role.KRD, "ECDH KRD tampered " + name.hashCode(), Algorithms.Curve.P256));
    Host h = new Host(hosts.get(Algorithms.Curve.P256), keys("D0000K0AB00E0000", 16));
    Wire.Outcome o = h.run(device, Wire.onPayload(MessageType.KDH_ECDH_KEY, change));
    assertThat(o.terminalCode()).as(name).isEqualTo(code);
    assertThat(o.hostCode()).isEqualTo(code.publicCode());
    assertThat(device.keyStore().size()).isZero();
    assertThat(device.bindingStore().boundKdh()).as("no binding from a refused answer").isEmpty();
    assertThat(h.ledger.entries()).allMatch(e -> e.status() == DeliveryStatus.REJECTED);
  }
}
