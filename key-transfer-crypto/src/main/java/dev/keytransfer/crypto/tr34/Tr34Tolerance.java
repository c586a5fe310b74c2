package dev.keytransfer.crypto.tr34;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Named departures from RFC 5652 that the reader may accept, each for a published TR-34 sample
 * (docs/PROTOCOL.md pitfall 8). A {@link Tr34TokenCodec} is built with a set of them; {@link
 * #DEFAULTS} holds those that weaken nothing. Tolerances only widen what is parsed: every signature
 * and digest is still checked over the bytes as received, and no tolerance affects decryption.
 *
 * <p>Decided per Annex B sample:
 *
 * <ul>
 *   <li>B.10, B.11 (inner SignedData without its SEQUENCE): read through {@link
 *       #REBIND_CONTENT_WITHOUT_SEQUENCE}, on by default;
 *   <li>B.6 (crls after signerInfos): {@link #CRLS_AFTER_SIGNER_INFOS}, off by default; and B.6 is
 *       refused in any case because its KDH 1 certificate repeats extensions (refused, no
 *       tolerance);
 *   <li>B.13 (IASN(KRD) and IASN(KDH) concatenated without a SEQUENCE): that is the UBT-CA and
 *       RBT-CA content format itself (the codec builds it that way too), so no tolerance is needed;
 *   <li>B.2.2.3.2 (AES content encryption with an 8-byte IV): refused, no tolerance; an AES-CBC IV
 *       has 16 bytes and the sample's key transport cannot be decrypted anyway.
 * </ul>
 */
public enum Tr34Tolerance {
  /**
   * The content of a rebind token (eContentType signedData) is the inner SignedData's fields
   * without their SEQUENCE tag and length, as in Annex B B.10 and B.11. On by default: it is the
   * TR-34-2012 convention of writing an encapsulated content without its outer SEQUENCE, which the
   * reader already accepts for the key token's EnvelopedData (AWS emits it); the two layouts cannot
   * be confused (the fields start with an INTEGER, a SignedData with a SEQUENCE); and messageDigest
   * and the signature cover exactly the octets received.
   */
  REBIND_CONTENT_WITHOUT_SEQUENCE,

  /**
   * {@code crls [1]} after {@code signerInfos} in a SignedData, as in Annex B B.6. Off by default:
   * it breaks the SignedData field order, OpenSSL and RustCrypto refuse it, and no host is known to
   * emit it; a deployment that meets a host copying the sample may turn it on, since CRLs are
   * verified on their own and are outside the signature anyway.
   */
  CRLS_AFTER_SIGNER_INFOS;

  /** The tolerances on by default: those that weaken nothing. */
  public static final Set<Tr34Tolerance> DEFAULTS =
      Collections.unmodifiableSet(EnumSet.of(REBIND_CONTENT_WITHOUT_SEQUENCE));

  /**
   * No tolerance: strict RFC 5652 field order and content layouts (the key token dialects are still
   * read).
   */
  public static final Set<Tr34Tolerance> NONE =
      Collections.unmodifiableSet(EnumSet.noneOf(Tr34Tolerance.class));
}
