package dev.keytransfer.e2e;

import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import java.util.function.UnaryOperator;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.EnvelopedData;
import org.bouncycastle.asn1.cms.KeyTransRecipientInfo;
import org.bouncycastle.asn1.cms.RecipientInfo;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.cms.SignerInfo;

/**
 * Test-only surgery on two-pass key tokens: locate the parts of a token, flip bits in them, and
 * re-sign a modified token with the KDH's own key (a host that is authentic but sends a broken or
 * inconsistent token).
 */
final class TokenSurgery {
  private TokenSurgery() {}

  static byte[] flipBit(byte[] data, int index) {
    byte[] out = data.clone();
    out[index] ^= 0x01;
    return out;
  }

  /** Flips a bit in the middle of the first occurrence of {@code part} inside {@code data}. */
  static byte[] flipInside(byte[] data, byte[] part) {
    int at = indexOf(data, part);
    if (at < 0) {
      throw new IllegalArgumentException("part not found");
    }
    return flipBit(data, at + part.length / 2);
  }

  static int indexOf(byte[] data, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= data.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (data[i + j] != part[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  static byte[] envelope(byte[] token) {
    SignedData sd = SignedData.getInstance(ContentInfo.getInstance(token).getContent());
    return ASN1OctetString.getInstance(sd.getEncapContentInfo().getContent()).getOctets();
  }

  static byte[] encryptedKey(byte[] envelope) {
    EnvelopedData ed = EnvelopedData.getInstance(envelope);
    return KeyTransRecipientInfo.getInstance(
            RecipientInfo.getInstance(ed.getRecipientInfos().getObjectAt(0)).getInfo())
        .getEncryptedKey()
        .getOctets();
  }

  static byte[] encryptedContent(byte[] envelope) {
    return EnvelopedData.getInstance(envelope)
        .getEncryptedContentInfo()
        .getEncryptedContent()
        .getOctets();
  }

  /**
   * Rebuilds {@code token} with its envelope changed by {@code envelopeChange} and, if {@code
   * header} is not null, another signed header attribute; recomputes messageDigest and signs again
   * with {@code kdhKey}.
   */
  static byte[] resign(
      byte[] token, UnaryOperator<byte[]> envelopeChange, String header, SoftwareKeyHandle kdhKey)
      throws Exception {
    BcCryptoProvider crypto = new BcCryptoProvider();
    SignedData sd = SignedData.getInstance(ContentInfo.getInstance(token).getContent());
    byte[] env = envelopeChange.apply(envelope(token));
    SignerInfo si = SignerInfo.getInstance(sd.getSignerInfos().getObjectAt(0));
    ASN1EncodableVector attrs = new ASN1EncodableVector();
    for (ASN1Encodable e : si.getAuthenticatedAttributes()) {
      Attribute a = Attribute.getInstance(e);
      if (a.getAttrType().equals(CMSAttributes.messageDigest)) {
        a =
            new Attribute(
                CMSAttributes.messageDigest, new DERSet(new DEROctetString(crypto.sha256(env))));
      } else if (header != null && a.getAttrType().equals(CMSObjectIdentifiers.data)) {
        a =
            new Attribute(
                CMSObjectIdentifiers.data,
                new DERSet(new DEROctetString(header.getBytes("US-ASCII"))));
      }
      attrs.add(a);
    }
    DERSet signed = new DERSet(attrs);
    byte[] sig =
        crypto.sign(kdhKey, Algorithms.Signature.RSA_PKCS1_SHA256, signed.getEncoded("DER"));
    SignerInfo resigned =
        new SignerInfo(
            si.getSID(),
            si.getDigestAlgorithm(),
            signed,
            si.getDigestEncryptionAlgorithm(),
            new DEROctetString(sig),
            null);
    SignedData out =
        new SignedData(
            sd.getDigestAlgorithms(),
            new ContentInfo(CMSObjectIdentifiers.envelopedData, new DEROctetString(env)),
            null,
            sd.getCRLs(),
            new DERSet(resigned));
    return new ContentInfo(CMSObjectIdentifiers.signedData, out).getEncoded("DER");
  }
}
