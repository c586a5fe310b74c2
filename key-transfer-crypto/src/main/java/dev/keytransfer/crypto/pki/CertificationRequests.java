package dev.keytransfer.crypto.pki;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;

/**
 * PKCS#10 certification requests (RFC 2986) for S1: a KDH or KRD asks the CA of TR-34 B.2.1 for its
 * certificate. The request is signed inside the {@link CryptoProvider} that holds the key, so the
 * private key never leaves it (a software keystore, an HSM token); the signature is the proof of
 * possession the CA checks. Stateless; thread-safe.
 */
public final class CertificationRequests {
  private CertificationRequests() {}

  /**
   * Creates a DER PKCS#10 request for the public key of {@code key}, subject {@code subject},
   * signed with sha256WithRSAEncryption by {@code provider}.
   *
   * @return the DER encoding of the request
   * @throws KeyTransferException what {@code provider.sign} throws ({@code CRYPTO_FAILURE} if the
   *     handle is not the provider's), or {@code CRYPTO_FAILURE} if the request cannot be encoded
   */
  public static byte[] create(CryptoProvider provider, PrivateKeyHandle key, X500Principal subject)
      throws KeyTransferException {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(subject, "subject");
    ProviderSigner signer = new ProviderSigner(provider, key);
    try {
      SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(key.publicKey().getEncoded());
      X500Name name = X500Name.getInstance(subject.getEncoded());
      return new PKCS10CertificationRequestBuilder(name, spki).build(signer).getEncoded();
    } catch (SigningFailure e) {
      throw e.failure;
    } catch (IOException | RuntimeException e) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE,
          "cannot create a certification request for "
              + key.label()
              + ": "
              + e.getClass().getSimpleName(),
          e);
    }
  }

  /** Carries the provider's checked exception out of {@link ContentSigner#getSignature()}. */
  private static final class SigningFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient KeyTransferException failure;

    SigningFailure(KeyTransferException failure) {
      super(failure.getMessage(), failure, false, false);
      this.failure = failure;
    }
  }

  /** A ContentSigner whose signature is made by a CryptoProvider over a key handle. */
  private static final class ProviderSigner implements ContentSigner {
    private static final AlgorithmIdentifier SHA256_WITH_RSA =
        new AlgorithmIdentifier(PKCSObjectIdentifiers.sha256WithRSAEncryption, DERNull.INSTANCE);
    private final CryptoProvider provider;
    private final PrivateKeyHandle key;
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    ProviderSigner(CryptoProvider provider, PrivateKeyHandle key) {
      this.provider = provider;
      this.key = key;
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
      return SHA256_WITH_RSA;
    }

    @Override
    public OutputStream getOutputStream() {
      return data;
    }

    @Override
    public byte[] getSignature() {
      try {
        return provider.sign(key, Algorithms.Signature.RSA_PKCS1_SHA256, data.toByteArray());
      } catch (KeyTransferException e) {
        throw new SigningFailure(e);
      }
    }
  }
}
