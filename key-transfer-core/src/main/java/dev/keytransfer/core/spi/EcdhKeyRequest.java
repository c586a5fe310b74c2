package dev.keytransfer.core.spi;

import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.SecretKeyMaterial;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * What the host's codec needs to build KT-KDH-ECDH (docs/ECDH.md): the host's certificate and key
 * (signing and key agreement), the validated terminal certificate, the terminal's fresh value from
 * RT-KRD, the host's own fresh value, the KDF and its hash, and the key with its TR-31 header. The
 * key stays the caller's: the codec neither keeps nor destroys it.
 */
public record EcdhKeyRequest(
    X509Certificate kdhCertificate,
    PrivateKeyHandle kdhKey,
    X509Certificate krdCertificate,
    Nonce krdRandom,
    byte[] kdhRandom,
    Algorithms.Kdf kdf,
    Algorithms.Hash hash,
    KeyBlockHeader header,
    SecretKeyMaterial key) {
  public EcdhKeyRequest {
    Objects.requireNonNull(kdhCertificate, "kdhCertificate");
    Objects.requireNonNull(kdhKey, "kdhKey");
    Objects.requireNonNull(krdCertificate, "krdCertificate");
    Objects.requireNonNull(krdRandom, "krdRandom");
    kdhRandom = Objects.requireNonNull(kdhRandom, "kdhRandom").clone();
    Objects.requireNonNull(kdf, "kdf");
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(key, "key");
  }

  @Override
  public byte[] kdhRandom() {
    return kdhRandom.clone();
  }

  @Override
  public String toString() {
    return "EcdhKeyRequest[" + kdf + "/" + hash + ", " + header.usageSummary() + "]";
  }
}
