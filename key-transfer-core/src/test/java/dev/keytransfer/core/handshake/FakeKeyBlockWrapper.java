package dev.keytransfer.core.handshake;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.DeliverableKey;
import dev.keytransfer.core.spi.KeyBlockWrapper;
import java.util.HexFormat;

/**
 * "Wraps" a working key as its header, the protection key's hex and the key's hex: unwrapping under
 * another master key fails, which is all the terminal's machine needs to see. Test keys only.
 */
final class FakeKeyBlockWrapper implements KeyBlockWrapper {
  @Override
  public String wrap(SecretKeyMaterial kbpk, KeyBlockHeader header, SecretKeyMaterial key) {
    return header.value()
        + ":"
        + HexFormat.of().formatHex(kbpk.copyBytes())
        + ":"
        + HexFormat.of().formatHex(key.copyBytes());
  }

  @Override
  public DeliverableKey unwrap(SecretKeyMaterial kbpk, String keyBlock)
      throws KeyTransferException {
    String[] parts = keyBlock.split(":");
    if (parts.length != 3 || !parts[1].equals(HexFormat.of().formatHex(kbpk.copyBytes()))) {
      throw new KeyTokenException(ErrorCode.KEY_BLOCK_MAC_INVALID, "fake key block MAC invalid");
    }
    return new DeliverableKey(
        KeyBlockHeader.parse(parts[0]), SecretKeyMaterial.adopt(HexFormat.of().parseHex(parts[2])));
  }
}
