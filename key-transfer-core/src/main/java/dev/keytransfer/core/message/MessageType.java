package dev.keytransfer.core.message;

/** The message types of the frame envelope, with stable wire values. */
public enum MessageType {
  /** CT-KRD, TR-34 B.7 (S2). */
  KRD_CREDENTIAL(1),
  /** CT-KDH, TR-34 B.6 (S3). */
  KDH_CREDENTIAL(2),
  /** RT-KRD, TR-34 B.12 (S4 request). */
  KRD_RANDOM(3),
  /** Two-pass KT-KDH, TR-34 B.9 (S4 answer). */
  KDH_KEY(4),
  /** The terminal's key-installed confirmation with its KCV (project envelope). */
  KEY_INSTALLED(5),
  /** Working keys as TR-31 key blocks under the new master key, after S4 (project envelope). */
  WORKING_KEYS(6),
  /** The terminal's per-key outcome for {@link #WORKING_KEYS} (project envelope). */
  WORKING_KEYS_INSTALLED(7),
  /** One-pass KT-KDH, TR-34 B.8 (signingTime instead of a nonce). */
  KDH_KEY_ONE_PASS(8),
  /** UBT-KDH, TR-34 B.14: the bound KDH unbinds the terminal. */
  KDH_UNBIND(9),
  /** UBT-CA, TR-34 B.13: the higher-level authority unbinds the terminal. */
  CA_UNBIND(10),
  /** RBT-KDH, TR-34 B.11: the bound KDH rebinds the terminal to a new KDH. */
  KDH_REBIND(11),
  /** RBT-CA, TR-34 B.10: the higher-level authority rebinds the terminal to a new KDH. */
  CA_REBIND(12),
  /** The terminal applied an unbind or rebind token (project envelope). */
  BINDING_UPDATED(13),
  /** The host's acknowledgement of a key confirmation, or its answer to PENDING_KEY. */
  KEY_CONFIRMED(14),
  /** The terminal reports a master key whose confirmation was never acknowledged. */
  PENDING_KEY(15),
  /** The host's S4 answer in the ECDH mode: KT-KDH-ECDH (docs/ECDH.md). */
  KDH_ECDH_KEY(16),
  /** Either side aborts the session with a generic error code (project envelope). */
  ABORT(0x7F);

  private final int wireValue;

  MessageType(int wireValue) {
    this.wireValue = wireValue;
  }

  public int wireValue() {
    return wireValue;
  }

  /** Every type, once: {@code values()} copies its array on each call, and every frame asks. */
  private static final MessageType[] ALL = values();

  /** The type for a wire value, or null. */
  public static MessageType fromWireValue(int v) {
    for (MessageType t : ALL) {
      if (t.wireValue == v) {
        return t;
      }
    }
    return null;
  }
}
