package dev.keytransfer.crypto.tr34;

/** Object identifiers of TR-34 tokens (docs/PROTOCOL.md, "OIDs"). */
final class Tr34Oids {
  private Tr34Oids() {}

  /** id-data: eContentType of credential tokens; attribute type of the key block header. */
  static final String DATA = "1.2.840.113549.1.7.1";

  static final String SIGNED_DATA = "1.2.840.113549.1.7.2";
  static final String ENVELOPED_DATA = "1.2.840.113549.1.7.3";
  static final String CONTENT_TYPE = "1.2.840.113549.1.9.3";
  static final String MESSAGE_DIGEST = "1.2.840.113549.1.9.4";
  static final String SIGNING_TIME = "1.2.840.113549.1.9.5";
  static final String RANDOM_NONCE = "1.2.840.113549.1.9.25.3";
  static final String CMS_ALGORITHM_PROTECTION = "1.2.840.113549.1.9.52";
  static final String RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
  static final String SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
  static final String RSAES_OAEP = "1.2.840.113549.1.1.7";
  static final String MGF1 = "1.2.840.113549.1.1.8";
  static final String P_SPECIFIED = "1.2.840.113549.1.1.9";
  static final String SHA256 = "2.16.840.1.101.3.4.2.1";
}
