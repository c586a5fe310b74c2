package dev.keytransfer.core.spi;

/**
 * What a generated private key is for, so that a provider can give it only the roles it needs
 * (docs/SECURITY.md K4: a key never has both wrap/unwrap and encrypt/decrypt roles). A PKCS#11
 * provider turns this into the key's CKA_SIGN / CKA_DECRYPT attributes and CKA_ALLOWED_MECHANISMS;
 * software providers have no attribute to set and may ignore it.
 */
public enum KeyPurpose {
  /** The KDH signing key: signs key tokens and its own certification request; never decrypts. */
  SIGNING,
  /**
   * The KRD key-transport key: decrypts the content-encryption key of a key token (RSA-OAEP); also
   * signs its own certification request once, as proof of possession for the CA (TR-34 B.2.1).
   */
  KEY_TRANSPORT,
  /**
   * The KRD key-agreement key of the ECDH mode (docs/ECDH.md): derives the key-block protection key
   * with the KDH's key; also signs its own certification request once, as proof of possession.
   */
  KEY_AGREEMENT,
  /**
   * The KDH key of the ECDH mode (docs/ECDH.md): signs its answers and derives the key-block
   * protection key with the terminal's key; never decrypts.
   */
  SIGNING_AND_KEY_AGREEMENT
}
