package dev.keytransfer.crypto.bc;

import dev.keytransfer.crypto.WycheproofContractTest;
import dev.keytransfer.crypto.testing.JcaWycheproofEngine;
import dev.keytransfer.crypto.testing.WycheproofEngine;
import java.security.Provider;
import java.util.Map;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Wycheproof through the Bouncy Castle provider and, for what the SPI does not offer, its BC
 * engines.
 */
class BcWycheproofTest extends WycheproofContractTest {
  @Override
  protected WycheproofEngine newEngine() {
    Provider bc = new BouncyCastleProvider();
    return new JcaWycheproofEngine(
        new BcCryptoProvider(), new JcaWycheproofEngine.Engines(bc, bc, bc, bc, "AESWrap"));
  }

  /**
   * Bouncy Castle 1.83's AESWrap treats a 16-byte ciphertext (an 8-byte key, one semiblock) as a
   * single AES block instead of refusing it (RFC 3394 needs n >= 2; SP 800-38F forbids it), so it
   * accepts the ShortKey cases, even the "incorrect wrapping" ones. BC's EC key factory parses a
   * public key on an unnamed curve with the cofactor left out as a key with P-256's parameters (tc
   * 359; the vectors' README records the same), so {@code agree} sees a valid point on P-256 and
   * agrees: the leniency is in BC's SubjectPublicKeyInfo parsing, and the key it yields is a valid
   * P-256 key. The SDK uses no AES key wrap.
   */
  @Override
  protected Map<String, String> knownDeviations() {
    String kw = "BC AESWrap accepts a one-semiblock (8-byte) key wrap";
    return Map.of(
        "kw#12",
        kw,
        "kw#13",
        kw,
        "kw#54",
        kw,
        "kw#55",
        kw,
        "kw#109",
        kw,
        "kw#110",
        kw,
        "ecdh#359",
        "BC reads an unnamed-curve public key without a cofactor as a P-256 key",
        "ecdh-p384#799",
        "BC reads an unnamed-curve public key without a cofactor as a P-384 key",
        "ecdh-p521#660",
        "BC reads an unnamed-curve public key without a cofactor as a P-521 key");
  }
}
