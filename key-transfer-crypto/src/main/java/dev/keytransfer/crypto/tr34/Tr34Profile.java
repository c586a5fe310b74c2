package dev.keytransfer.crypto.tr34;

/**
 * The output layout a KDH emits for a peer (docs/PROTOCOL.md pitfall 1). The terminal side reads
 * every layout whatever the profile.
 */
public enum Tr34Profile {
  /**
   * TR-34-2019 with the corrigendum: standard RFC 5652 CMS (SignedData version 3 when the
   * eContentType is not id-data, EnvelopedData with its SEQUENCE, encryptedContent after the
   * algorithm, RFC 4055 tagged OAEP parameters, rebind content as a complete SignedData), signed
   * attributes in DER order, CRLs carried as given. The default.
   */
  TR34_2019,

  /**
   * TR-34-2012, the layout AWS Payment Cryptography imports and emits ({@code X9_TR34_2012};
   * docs/PROTOCOL.md, "Profiles") and the Annex B samples use. Key tokens (B.8, B.9): the eContent
   * octets are the EnvelopedData fields without the outer SEQUENCE and messageDigest is the SHA-256
   * of those octets; {@code [0] encryptedContent} sits inside the contentEncryptionAlgorithm
   * SEQUENCE; the OAEP parameters are SHA-256 / MGF1-SHA-256 / pSpecified(empty) without their
   * context tags; the signed attributes are in the order contentType, randomNonce (two-pass) or
   * signingTime (one-pass), key block header, messageDigest, which is not DER order; SignedData
   * version 1 with rsaEncryption; no CRL (CRLs given for a key token are not carried) and no
   * certificates. Rebind tokens (B.10, B.11) carry their inner SignedData without its SEQUENCE, as
   * the samples do; all tokens are SignedData version 1 with the attributes in the samples' order
   * (contentType, nonce or signingTime, messageDigest).
   */
  TR34_2012
}
