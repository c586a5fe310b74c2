package dev.keytransfer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.keysource.FixedKeySource;
import dev.keytransfer.crypto.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.EncryptedContentInfo;
import org.bouncycastle.asn1.cms.EnvelopedData;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.cms.KeyTransRecipientInfo;
import org.bouncycastle.asn1.cms.RecipientIdentifier;
import org.bouncycastle.asn1.cms.RecipientInfo;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAESOAEPparams;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Found by attack (docs/SECURITY.md K2): the host never sends a key under a weaker content key, and
 * now neither does the terminal accept one. An authentic host (KDH 1's own signature, this
 * session's nonce) sends an AES-128 key with its key block encrypted under a TDES content key; the
 * terminal refuses with KEY_STRENGTH_POLICY and installs nothing.
 */
class WrappingStrengthOnReceiptTest {
  private static final BcCryptoProvider crypto = new BcCryptoProvider();
  private static final String AES_128_HEADER = "D0000K0AB00E0000";
  private static final byte[] AES_KEY = new byte[16];
  private static TestPki pki;
  private static TestPki.Leaf kdh;

  @BeforeAll
  static void setUp() {
    pki = TestPki.create("Strength");
    kdh = pki.validLeaf(Role.KDH, "Strength KDH");
    new SecureRandom().nextBytes(AES_KEY);
  }

  /** EnvelopedData for {@code krd} holding the key block, content encrypted with 3-key TDES. */
  private static byte[] tdesEnvelope(X509Certificate krd) throws Exception {
    byte[] keyBlock =
        new DERSequence(
                new ASN1Encodable[] {
                  new ASN1Integer(1),
                  iasn(kdh.certificate()),
                  new DEROctetString(AES_KEY),
                  new DERSequence(
                      new ASN1Encodable[] {
                        CMSObjectIdentifiers.data,
                        new DERSet(
                            new DEROctetString(AES_128_HEADER.getBytes(StandardCharsets.US_ASCII)))
                      })
                })
            .getEncoded("DER");
    SecureRandom random = new SecureRandom();
    byte[] cek = new byte[24];
    byte[] iv = new byte[8];
    random.nextBytes(cek);
    random.nextBytes(iv);
    Cipher tdes = Cipher.getInstance("DESede/CBC/PKCS5Padding");
    tdes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(cek, "DESede"), new IvParameterSpec(iv));
    byte[] encryptedContent = tdes.doFinal(keyBlock);
    Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
    oaep.init(
        Cipher.ENCRYPT_MODE,
        krd.getPublicKey(),
        new OAEPParameterSpec(
            "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
    byte[] encryptedKey = oaep.doFinal(cek);
    AlgorithmIdentifier sha256 =
        new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE);
    AlgorithmIdentifier oaepAlg =
        new AlgorithmIdentifier(
            PKCSObjectIdentifiers.id_RSAES_OAEP,
            new RSAESOAEPparams(
                sha256,
                new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, sha256),
                RSAESOAEPparams.DEFAULT_P_SOURCE_ALGORITHM));
    KeyTransRecipientInfo ktri =
        new KeyTransRecipientInfo(
            new RecipientIdentifier(iasn(krd)), oaepAlg, new DEROctetString(encryptedKey));
    EncryptedContentInfo eci =
        new EncryptedContentInfo(
            CMSObjectIdentifiers.data,
            new AlgorithmIdentifier(PKCSObjectIdentifiers.des_EDE3_CBC, new DEROctetString(iv)),
            new DEROctetString(encryptedContent));
    return new EnvelopedData(null, new DERSet(new RecipientInfo(ktri)), eci, (DERSet) null)
        .getEncoded("DER");
  }

  private static IssuerAndSerialNumber iasn(X509Certificate c) {
    return new IssuerAndSerialNumber(
        X500Name.getInstance(c.getIssuerX500Principal().getEncoded()), c.getSerialNumber());
  }

  @Test
  void aes128KeyUnderTdesContentKey_fromAuthenticHost_refused_nothingInstalled() throws Exception {
    // RSA-3072 (128 bits): strong enough for AES-128, so only the content key is too weak
    ReceivingTerminal device =
        pki.terminal(pki.leaf(Role.KRD, "Strength POS").rsaBits(3072).build());
    InMemoryKeyLedger ledger = new InMemoryKeyLedger();
    KeyTransferHost host =
        KeyTransferHost.builder()
            .distributionTerminal(
                pki.host(
                    kdh,
                    pki::kdhPathCrls,
                    FixedKeySource.insecureForTestsOnly(
                        KeyBlockHeader.parse(AES_128_HEADER), SecretKeyMaterial.copyOf(AES_KEY)),
                    ledger))
            .cryptoProvider(crypto)
            .validationPolicy(pki.hostPolicy())
            .stepTimeout(Wire.STEP)
            .build();
    KeyTransferTerminal terminal =
        KeyTransferTerminal.builder()
            .receivingTerminal(device)
            .cryptoProvider(crypto)
            .validationPolicy(pki.terminalPolicy())
            .stepTimeout(Wire.STEP)
            .build();
    byte[] weakEnvelope = tdesEnvelope(device.certificateChain().leaf());
    Wire.Outcome o =
        Wire.run(
            terminal,
            host,
            Wire.onPayload(
                MessageType.KDH_KEY,
                token -> {
                  try {
                    return TokenSurgery.resign(token, env -> weakEnvelope, null, kdh.key());
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                }));
    assertThat(o.terminalCode()).isEqualTo(ErrorCode.KEY_STRENGTH_POLICY);
    assertThat(device.keyStore().size()).isZero();
    assertThat(ledger.entries()).noneMatch(e -> e.status() == DeliveryStatus.CONFIRMED);
  }
}
