package dev.keytransfer.crypto.tr34;

/**
 * The output layout a KDH emits for a peer (PROTOCOL.md pitfall 1). The terminal side reads every
 * layout whatever the profile.
 */
public enum Tr34Profile {
  /**
   * TR-34-2019 with the corrigendum: standard RFC 5652 CMS (SignedData version 3 since the
   * eContentType is envelopedData, EnvelopedData with its SEQUENCE, encryptedContent after the
   * algorithm, RFC 4055 tagged OAEP parameters), signed attributes in DER order. The default.
   */
  TR34_2019
}
