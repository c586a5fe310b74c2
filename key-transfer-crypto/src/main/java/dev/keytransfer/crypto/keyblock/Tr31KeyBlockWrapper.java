package dev.keytransfer.crypto.keyblock;

import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DeliverableKey;
import dev.keytransfer.core.spi.KeyBlockWrapper;
import java.util.Objects;

/**
 * The protocol's {@link KeyBlockWrapper} on {@link Tr31Codec}: working keys travel as X9.143 key
 * blocks under the terminal master key (docs/KEYBLOCKS.md). The header's version decides the
 * binding (B for TDES, D for AES). Thread-safe.
 */
public final class Tr31KeyBlockWrapper implements KeyBlockWrapper {
  private final Tr31Codec codec;

  public Tr31KeyBlockWrapper(CryptoProvider crypto) {
    this.codec = Tr31Codec.create(Objects.requireNonNull(crypto, "crypto"));
  }

  @Override
  public String wrap(SecretKeyMaterial kbpk, KeyBlockHeader header, SecretKeyMaterial key)
      throws KeyTransferException {
    return codec.wrap(kbpk, Tr31Header.of(header), key);
  }

  @Override
  public DeliverableKey unwrap(SecretKeyMaterial kbpk, String keyBlock)
      throws KeyTransferException {
    try (UnwrappedKey k = codec.unwrap(kbpk, keyBlock)) {
      return new DeliverableKey(k.header().toKeyBlockHeader(), k.key().copy());
    }
  }

  @Override
  public String toString() {
    return "Tr31KeyBlockWrapper";
  }
}
