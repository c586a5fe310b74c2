package dev.keytransfer.crypto.tr34;

/**
 * The kinds of TR-34 token (TR-34 Annex B), as {@link Tr34TokenInspector#classify} tells them
 * apart.
 */
public enum Tr34TokenType {
  /** CT-KRD (B.7): degenerate SignedData with the terminal's key-transport certificate. */
  CT_KRD("CT-KRD credential token", "B.7"),
  /** CT-KDH (B.6): degenerate SignedData with the host's signing certificate and its CA's CRL. */
  CT_KDH("CT-KDH credential token", "B.6"),
  /** A degenerate SignedData whose leaf is neither (for example the CA tokens B.3-B.5). */
  CREDENTIAL("credential token (degenerate SignedData)", "B.3-B.7"),
  /** RT-KRD (B.12): a bare randomNonce attribute. */
  RT_KRD("RT-KRD random number token", "B.12"),
  /** Two-pass KT-KDH (B.9): key token with the terminal's nonce. */
  KT_KDH_TWO_PASS("KT-KDH two-pass key token", "B.9"),
  /** One-pass KT-KDH (B.8): key token with a signingTime. */
  KT_KDH_ONE_PASS("KT-KDH one-pass key token", "B.8"),
  /** UBT-KDH (B.14): the KDH's unbind, content IASN(KRD). */
  UBT_KDH("UBT-KDH unbind token", "B.14"),
  /** UBT-CA (B.13): the authority's unbind, content IASN(KRD) || IASN(KDH). */
  UBT_CA("UBT-CA unbind token", "B.13"),
  /** RBT-KDH (B.11): the KDH's rebind, inner content IASN(KRD) and the new KDH certificate. */
  RBT_KDH("RBT-KDH rebind token", "B.11"),
  /**
   * RBT-CA (B.10): the authority's rebind, inner content IASN(KRD) || IASN(old KDH) and the new KDH
   * certificate.
   */
  RBT_CA("RBT-CA rebind token", "B.10");

  private final String label;
  private final String clause;

  Tr34TokenType(String label, String clause) {
    this.label = label;
    this.clause = clause;
  }

  /** E.g. "UBT-CA unbind token". */
  public String label() {
    return label;
  }

  /** The Annex B clause of its sample, e.g. "B.13". */
  public String clause() {
    return clause;
  }

  @Override
  public String toString() {
    return label + " (TR-34 " + clause + ")";
  }
}
