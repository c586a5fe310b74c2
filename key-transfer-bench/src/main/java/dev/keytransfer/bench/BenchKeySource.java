package dev.keytransfer.bench;

import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DeliverableKey;
import dev.keytransfer.core.spi.KeySource;
import dev.keytransfer.core.store.RandomKeySource;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A benchmark-only key source: each registered device gets the same 3-key TDES master key every
 * session, generated (with its KCV) when the device is registered, so a scripted terminal can send
 * the right key-installed confirmation without the RSA decryption a real terminal does. The host's
 * work per session is the same as with {@link RandomKeySource} (the key is copied instead of drawn,
 * the KCV is computed by the host as always). A device that was not registered gets a fresh random
 * key. Never for production: a host must hand out a fresh key each time (docs/SECURITY.md K1).
 */
public final class BenchKeySource implements KeySource {
  private final CryptoProvider crypto;
  private final KeyBlockHeader header;
  private final RandomKeySource random;
  private final Map<IssuerAndSerial, Known> known = new ConcurrentHashMap<>();

  private record Known(SecretKeyMaterial key, KeyCheckValue kcv) {}

  public BenchKeySource(CryptoProvider crypto) {
    this.crypto = crypto;
    this.random = RandomKeySource.tdesMasterKeys(crypto.secureRandom());
    try {
      this.header = KeyBlockHeader.parse(RandomKeySource.DEFAULT_TMK_HEADER);
    } catch (KeyTransferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Fixes the key of the device holding {@code krd} and returns its KCV. */
  public KeyCheckValue register(X509Certificate krd) throws KeyTransferException {
    Known k = known.get(IssuerAndSerial.of(krd));
    if (k != null) {
      return k.kcv();
    }
    try (DeliverableKey fresh = random.keyFor(krd)) {
      SecretKeyMaterial key = fresh.key().copy();
      KeyCheckValue kcv = crypto.keyCheckValue(key, header.kcvMethod());
      known.put(IssuerAndSerial.of(krd), new Known(key, kcv));
      return kcv;
    }
  }

  /** The KCV the device holding {@code krd} will confirm. */
  public KeyCheckValue kcvOf(X509Certificate krd) {
    Known k = known.get(IssuerAndSerial.of(krd));
    if (k == null) {
      throw new IllegalArgumentException("device not registered: " + krd.getSubjectX500Principal());
    }
    return k.kcv();
  }

  @Override
  public DeliverableKey keyFor(X509Certificate krdCertificate) {
    Known k = known.get(IssuerAndSerial.of(krdCertificate));
    if (k == null) {
      return random.keyFor(krdCertificate);
    }
    return new DeliverableKey(header, k.key().copy());
  }

  @Override
  public String toString() {
    return "BenchKeySource[" + known.size() + " devices]";
  }
}
