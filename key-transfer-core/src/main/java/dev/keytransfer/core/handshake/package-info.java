/**
 * The S1-S4 handshake as one state machine per role (TR-34 clause 5.4; patent CN108401493 S1-S4).
 *
 * <pre>
 *   Receiving terminal (KRD)                          Distribution terminal (KDH)
 *   S1  certificate from the CA (KRD sub-CA)          certificate from the CA (KDH sub-CA)
 *   S2  CT-KRD (own chain)          ───────────────▶  validate KRD for role KRD, device policy
 *   S3  validate KDH chain + CRL,   ◀───────────────  CT-KDH (own chain + CRL)
 *       bind to that KDH
 *   S4  RT-KRD (fresh nonce)        ───────────────▶  key source; two-pass KT-KDH: EnvelopedData
 *       signer = bound KDH, signature, CRL,  ◀──────  to the KRD, signed, echoing the nonce
 *       nonce, decrypt, idKDH, header; install
 *       KEY_INSTALLED (KCV)         ───────────────▶  ledger DELIVERED → CONFIRMED
 * </pre>
 */
package dev.keytransfer.core.handshake;
