package dev.keytransfer.crypto.tr34;

import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.crypto.internal.DerReader;
import dev.keytransfer.crypto.internal.DerReader.Tlv;

/**
 * The parts of an EnvelopedData in any of the three layouts, read without the product parser's
 * checks (IV length, OAEP parameters, recipient choice): for tests that take samples apart or build
 * other dialects from them.
 *
 * @param recipientId the first recipient's IssuerAndSerialNumber, DER
 * @param inside true if {@code [0] encryptedContent} sits inside the algorithm SEQUENCE
 */
record EnvelopeFields(
    byte[] recipientId,
    byte[] encryptedKey,
    String algorithm,
    byte[] iv,
    byte[] encryptedContent,
    boolean inside) {
  static EnvelopeFields of(byte[] env) throws MalformedTokenException {
    DerReader r =
        (env[0] & 0xFF) == DerReader.SEQUENCE ? new DerReader(env).sequence() : new DerReader(env);
    r.smallInteger();
    DerReader ktri = r.expect(DerReader.SET).contents().sequence();
    ktri.smallInteger();
    Tlv rid = ktri.expect(DerReader.SEQUENCE);
    ktri.sequence();
    byte[] ek = ktri.octetString();
    DerReader eci = r.sequence();
    eci.oid();
    DerReader alg = eci.sequence();
    String oid = alg.oid();
    byte[] iv = alg.octetString();
    boolean inside = alg.hasMore();
    Tlv c = inside ? alg.read() : eci.read();
    return new EnvelopeFields(rid.encoded(), ek, oid, iv, c.value(), inside);
  }
}
