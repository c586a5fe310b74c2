package dev.keytransfer.crypto.tr34;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.message.KdhKeyToken;
import dev.keytransfer.core.spi.KeyBlock;
import dev.keytransfer.core.spi.VerifiedKeyToken;
import dev.keytransfer.crypto.Pem;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import dev.keytransfer.crypto.testing.Vectors;
import java.io.ByteArrayOutputStream;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.api.Test;

/**
 * The codec against the TR-34-2019 Annex B material in {@code ../shared/vectors/tr34-2019}: the
 * repaired two-pass token (B.9 with a decryptable key transport) and the clover-generated token.
 */
class Tr34TokenCodecVectorsTest {
  private final JcaCryptoProvider bc = new JcaCryptoProvider();
  private final Tr34TokenCodec codec = new Tr34TokenCodec(bc);

  @Test
  void repairedB9_openedWithKrd1_yieldsAnnexBKeyBlock() throws Exception {
    byte[] token =
        Vectors.read("tr34-2019/supplementary/repaired-annexb/B.9-repaired_kt_kdh_2pass.der");
    X509Certificate kdh1 = Vectors.annexBKdh1();
    X509Certificate krd1 = Vectors.certificate("tr34-2019/keys/B.2.1.7_krd1.crt.pem");
    SoftwareKeyHandle krdKey =
        SoftwareKeyHandle.of(
            Pem.rsaKeyPair(Vectors.read("tr34-2019/keys/B.2.1.7_krd1.key.pem")), "krd1");

    KdhKeyToken kt = codec.decodeKeyToken(token);
    assertThat(kt.claimedSigner()).isEqualTo(IssuerAndSerial.of(kdh1));
    VerifiedKeyToken v = codec.verifyKeyToken(kt, kdh1);
    // TR-34 B.9: the nonce echoes B.12's RT-KRD; the header is A0256K0TB00E0000
    assertThat(v.nonce())
        .contains(Nonce.of(HexFormat.of().parseHex("167EB0E72781E4940112233445566778")));
    assertThat(v.header().value()).isEqualTo("A0256K0TB00E0000");
    assertThat(v.crls()).hasSize(1);

    try (KeyBlock block = codec.decryptKeyToken(v, krdKey, krd1)) {
      assertThat(block.version()).isEqualTo(1);
      assertThat(block.kdhId()).isEqualTo(IssuerAndSerial.of(kdh1));
      assertThat(block.header()).isEqualTo(v.header());
      assertThat(HexFormat.of().withUpperCase().formatHex(block.key().copyBytes()))
          .isEqualTo("0123456789ABCDEFFEDCBA9876543210");
      // re-encode the decoded key block and compare with B.2.2.2.1 byte for byte
      assertThat(reencode(block, kdh1))
          .isEqualTo(Vectors.read("tr34-2019/tokens/B.2.2.2.1_tdea_keyblock.der"));
    }
  }

  @Test
  void repairedB9_verifiedWithAnotherCertificateOfSameSerial_isRefused() throws Exception {
    // CA KRD has serial ...06 like KDH 1: matching on the serial alone would be wrong (pitfall 7)
    byte[] token =
        Vectors.read("tr34-2019/supplementary/repaired-annexb/B.9-repaired_kt_kdh_2pass.der");
    X509Certificate caKrd = Vectors.certificate("tr34-2019/keys/B.2.1.4_ca_krd.crt.pem");
    assertThatThrownBy(() -> codec.verifyKeyToken(codec.decodeKeyToken(token), caKrd))
        .isInstanceOf(SignatureInvalidException.class)
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.SIGNER_NOT_BOUND);
  }

  @Test
  void errataB9_unsortedSignedAttributes_verifyOverReceivedBytes() throws Exception {
    // B.9 signs its attributes in non-DER order; the signature holds only over the bytes as sent
    byte[] token = Vectors.read("tr34-2019/tokens/B.9_kt_kdh_2pass.der");
    VerifiedKeyToken v = codec.verifyKeyToken(codec.decodeKeyToken(token), Vectors.annexBKdh1());
    assertThat(v.nonce())
        .contains(Nonce.of(HexFormat.of().parseHex("167EB0E72781E4940112233445566778")));
    assertThat(v.envelope())
        .isEqualTo(Vectors.read("tr34-2019/tokens/B.2.2.3.1_tdea_envelopeddata.der"));
  }

  @Test
  void cloverToken_openedWithCloverKrd_yieldsExpectedKeyBlock() throws Exception {
    String dir = "tr34-2019/supplementary/clover-generated/";
    byte[] token = Vectors.read(dir + "clover_kt_kdh_2pass.der");
    X509Certificate kdh = Vectors.certificate(dir + "clover_kdh1.crt.pem");
    X509Certificate krd = Vectors.certificate(dir + "clover_krd1.crt.pem");
    SoftwareKeyHandle krdKey =
        SoftwareKeyHandle.of(
            Pem.rsaKeyPair(Vectors.read(dir + "clover_krd1.key.pem")), "clover-krd1");

    VerifiedKeyToken v = codec.verifyKeyToken(codec.decodeKeyToken(token), kdh);
    assertThat(v.nonce())
        .contains(Nonce.of(HexFormat.of().parseHex("6E3BBE46AA7AD4A36F212D5E3444FBDD")));
    assertThat(v.header().value()).isEqualTo("D0000K1AD00N0000");
    assertThat(v.signingTime()).isPresent(); // BC-based hosts add signingTime
    try (KeyBlock block = codec.decryptKeyToken(v, krdKey, krd)) {
      assertThat(HexFormat.of().withUpperCase().formatHex(block.key().copyBytes()))
          .isEqualTo("9BB0093732BE863471B4F3697BEBFE14");
      assertThat(reencode(block, kdh))
          .isEqualTo(Vectors.read(dir + "clover_kt_kdh_2pass.keyblock.der"));
    }
  }

  @Test
  void cloverToken_otherNonceThanSent_isVisibleBeforeDecryption() throws Exception {
    String dir = "tr34-2019/supplementary/clover-generated/";
    VerifiedKeyToken v =
        codec.verifyKeyToken(
            codec.decodeKeyToken(Vectors.read(dir + "clover_kt_kdh_2pass.der")),
            Vectors.certificate(dir + "clover_kdh1.crt.pem"));
    assertThat(
            v.nonce()
                .get()
                .matches(Nonce.of(HexFormat.of().parseHex("167EB0E72781E4940112233445566778"))))
        .isFalse();
  }

  /** DER of the key block as TR-34 Annex D writes it, from the decoded fields. */
  private static byte[] reencode(KeyBlock block, X509Certificate kdh) throws Exception {
    DERSequence iasn =
        new DERSequence(
            new ASN1Encodable[] {
              ASN1Primitive.fromByteArray(kdh.getIssuerX500Principal().getEncoded()),
              new ASN1Integer(kdh.getSerialNumber())
            });
    DERSequence header =
        new DERSequence(
            new ASN1Encodable[] {
              new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.2.840.113549.1.7.1"),
              new org.bouncycastle.asn1.DERSet(
                  new org.bouncycastle.asn1.DEROctetString(block.header().toBytes()))
            });
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(
        new DERSequence(
                new ASN1Encodable[] {
                  new ASN1Integer(block.version()),
                  iasn,
                  new org.bouncycastle.asn1.DEROctetString(block.key().copyBytes()),
                  header
                })
            .getEncoded("DER"));
    return out.toByteArray();
  }
}
