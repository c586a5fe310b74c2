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
   * accepts the ShortKey cases, even the "incorrect wrapping" ones. BC's ECDH accepts a public key
   * on an unnamed curve with the cofactor left out (tc 359; the vectors' README records the same).
   * The SDK uses neither AES key wrap nor ECDH; if it ever does through this provider, it must
   * refuse wrapped keys shorter than 24 bytes and named-curve mismatches itself.
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
        "BC ECDH accepts an unnamed-curve public key without a cofactor");
  }
}
