package dev.keytransfer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.spi.DeliverableKey;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.InstalledKey;
import dev.keytransfer.core.spi.KeySource;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.junit.jupiter.api.Test;

/**
 * The log canary (docs/SECURITY.md K6: no secret in any log): a full handshake, and a failed one,
 * with a recognisable key, every log line down to TRACE captured in a file; neither the key, the
 * clear key block, nor the wrapped key block appears in the log, in an exception message, or in a
 * {@code toString()}.
 */
class LogCanaryTest {
  /** A key no one would pick: easy to find if it leaks. */
  private static final byte[] CANARY =
      HexFormat.of().parseHex("C0FFEE11C0FFEE22C0FFEE33C0FFEE44C0FFEE55C0FFEE66");

  private static final String HEADER = "A0000K0TB00E0000";

  @Test
  void fullHandshake_logsNoKeyMaterial() throws Exception {
    Path log = Path.of(System.getProperty("keytransfer.testLog", "target/keytransfer-test.log"));
    BcCryptoProvider crypto = new BcCryptoProvider();
    TestPki pki = TestPki.create("Canary");
    TestPki.Leaf kdh = pki.validLeaf(Role.KDH, "Canary KDH");
    TestPki.Leaf krd = pki.validLeaf(Role.KRD, "Canary KRD");
    KeySource fixed =
        device ->
            new DeliverableKey(KeyBlockHeader.parse(HEADER), SecretKeyMaterial.copyOf(CANARY));
    List<String> texts = new ArrayList<>();
    List<byte[]> frames = new ArrayList<>();
    Wire.Interceptor record =
        (t, f) -> {
          frames.add(f);
          return f;
        };

    // a good session
    ReceivingTerminal device = pki.terminal(krd);
    InMemoryKeyLedger ledger = new InMemoryKeyLedger();
    DistributionTerminal dt =
        DistributionTerminal.of(
            kdh.chain(),
            kdh.key(),
            pki::kdhPathCrls,
            fixed,
            DevicePolicy.anyCertifiedDevice(),
            ledger);
    KeyTransferHost host =
        KeyTransferHost.builder()
            .distributionTerminal(dt)
            .cryptoProvider(crypto)
            .validationPolicy(pki.hostPolicy())
            .build();
    KeyTransferTerminal terminal =
        KeyTransferTerminal.builder()
            .receivingTerminal(device)
            .cryptoProvider(crypto)
            .validationPolicy(pki.terminalPolicy())
            .build();
    Wire.Outcome ok = Wire.run(terminal, host, record);
    assertThat(ok.terminalError()).isNull();
    texts.add(ok.terminalReceipt().toString());
    texts.add(ok.hostReceipt().toString());
    texts.add(ledger.entries().toString());
    try (InstalledKey k = device.keyStore().current().orElseThrow()) {
      assertThat(k.key().copyBytes()).isEqualTo(CANARY);
      texts.add(k.toString());
      texts.add(k.key().toString());
    }

    // a failed session: an authentic token whose ciphertext is broken
    ReceivingTerminal device2 = pki.terminal(pki.validLeaf(Role.KRD, "Canary KRD 2"));
    KeyTransferTerminal terminal2 =
        KeyTransferTerminal.builder()
            .receivingTerminal(device2)
            .cryptoProvider(crypto)
            .validationPolicy(pki.terminalPolicy())
            .build();
    Wire.Outcome bad =
        Wire.run(
            terminal2,
            host,
            Wire.onPayload(
                MessageType.KDH_KEY,
                t -> {
                  try {
                    return TokenSurgery.resign(
                        t,
                        env -> TokenSurgery.flipInside(env, TokenSurgery.encryptedContent(env)),
                        null,
                        kdh.key());
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                }));
    assertThat(bad.terminalError()).isNotNull();
    for (Throwable e = bad.terminalError(); e != null; e = e.getCause()) {
      texts.add(e.toString());
    }
    texts.add(String.valueOf(bad.hostError()));

    // what must never appear
    byte[] keyToken = null;
    for (byte[] f : frames) {
      if (f[1] == (byte) MessageType.KDH_KEY.wireValue()) {
        keyToken = java.util.Arrays.copyOfRange(f, 2, f.length);
      }
    }
    assertThat(keyToken).isNotNull();
    byte[] envelope = TokenSurgery.envelope(keyToken);
    List<String> secrets =
        List.of(
            HexFormat.of().withUpperCase().formatHex(CANARY),
            HexFormat.of().withUpperCase().formatHex(clearKeyBlock(kdh)),
            HexFormat.of().withUpperCase().formatHex(TokenSurgery.encryptedContent(envelope)),
            HexFormat.of().withUpperCase().formatHex(TokenSurgery.encryptedKey(envelope)),
            HexFormat.of().withUpperCase().formatHex(java.util.Arrays.copyOf(CANARY, 8)));

    String logText = Files.readString(log);
    // the capture works: INFO and DEBUG lines of both roles are in the file
    assertThat(logText)
        .contains("KRD installed key", "KDH session", "--KDH_KEY-->", "sending KDH_KEY frame");
    String all = (logText + String.join("\n", texts)).toUpperCase(Locale.ROOT);
    for (String secret : secrets) {
      assertThat(all).doesNotContain(secret);
    }
    assertThat(bad.terminalCode())
        .isIn(
            ErrorCode.KEY_TOKEN_INVALID,
            ErrorCode.KEY_BLOCK_ID_MISMATCH,
            ErrorCode.HEADER_MISMATCH);
  }

  /** TR-34 Annex D key block as the host encrypts it. */
  private static byte[] clearKeyBlock(TestPki.Leaf kdh) throws Exception {
    return new DERSequence(
            new ASN1Encodable[] {
              new ASN1Integer(1),
              new DERSequence(
                  new ASN1Encodable[] {
                    ASN1Primitive.fromByteArray(
                        kdh.certificate().getIssuerX500Principal().getEncoded()),
                    new ASN1Integer(kdh.certificate().getSerialNumber())
                  }),
              new DEROctetString(CANARY),
              new DERSequence(
                  new ASN1Encodable[] {
                    new ASN1ObjectIdentifier("1.2.840.113549.1.7.1"),
                    new DERSet(new DEROctetString(HEADER.getBytes("US-ASCII")))
                  })
            })
        .getEncoded("DER");
  }
}
