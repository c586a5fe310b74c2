package dev.keytransfer.core;

/**
 * The two parties of TR-34 (clause 5): the Key Distribution Host, which signs, and the Key
 * Receiving Device, which decrypts. A certificate is issued for exactly one role and is never
 * accepted for the other (docs/SECURITY.md C6).
 */
public enum Role {
  /**
   * Key Distribution Host: the distribution terminal. Its certificate signs (KU digitalSignature);
   * an EC certificate of the ECDH mode (docs/ECDH.md) also agrees keys (KU digitalSignature and
   * keyAgreement).
   */
  KDH,
  /**
   * Key Receiving Device: the receiving terminal (POS). Its certificate decrypts (KU
   * keyEncipherment); an EC certificate of the ECDH mode (docs/ECDH.md) agrees keys only (KU
   * keyAgreement, no signing bits).
   */
  KRD
}
