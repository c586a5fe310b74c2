package dev.keytransfer.bench;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.core.spi.ReceivingTerminal;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The crypto floor of a two-pass handshake: the raw public-key operations of one {@link
 * CryptoProvider} that the protocol cannot do without, with nothing around them (no parsing, no
 * encoding, no validation logic, no ledger, no symmetric cipher or KDF). One op-set per call, in
 * the RSA mode (TR-34):
 *
 * <ul>
 *   <li>{@link #hostFloor()}: 2 signature verifications (the terminal's certificate and its KRD CA,
 *       SHA256withRSA), 1 signature (the key token), 1 RSA-OAEP-SHA256 encryption (the
 *       content-encryption key to the terminal);
 *   <li>{@link #terminalFloor()}: 3 verifications (the host's certificate, its KDH CA, the key
 *       token's signature), 1 OAEP decryption;
 *   <li>{@link #fullFloor()}: both.
 * </ul>
 *
 * In the ECDH mode (docs/ECDH.md) the key token's signature is ECDSA on the host's P-256 key
 * (SHA-256) and the OAEP operation is replaced by one ECDH agreement on each side (the host's key
 * with the terminal's, the terminal's with the host's); the certificate verifications stay RSA (the
 * CA is RSA-2048 in both modes).
 *
 * <p>The verifications check the fixtures' real certificates (real RSA-2048 issuer keys,
 * certificate-sized messages); the signature is over the host certificate's TBS bytes with the
 * host's key; the OAEP operations use the terminal's key on a 24-byte (TDES) content-encryption
 * key. CRL signatures are not in the floor (the protocol can carry none); whatever the handshake
 * spends on them shows in the ratio. Thread-safe: the provider is, and nothing here changes.
 */
public final class Floor {
  private static final Algorithms.Signature CERT_SIG = Algorithms.Signature.RSA_PKCS1_SHA256;
  private static final Algorithms.KeyTransport OAEP = Algorithms.KeyTransport.RSA_OAEP_SHA256;

  private final boolean ecdh;
  private final Algorithms.Signature tokenSig;
  private final PublicKey hostPublic;

  private final CryptoProvider crypto;
  private final Verification krdLeaf;
  private final Verification krdCa;
  private final Verification kdhLeaf;
  private final Verification kdhCa;
  private final Verification keyToken;
  private final PrivateKeyHandle hostKey;
  private final byte[] message;
  private final PublicKey terminalPublic;
  private final PrivateKeyHandle terminalKey;
  private final SecretKeyMaterial cek;
  private final byte[] encryptedCek;

  private record Verification(
      PublicKey key, Algorithms.Signature algorithm, byte[] data, byte[] signature) {}

  public Floor(Fixtures f) throws KeyTransferException {
    this.crypto = f.crypto();
    this.ecdh = f.mode() == Mode.ECDH;
    ReceivingTerminal terminal = f.terminal(0);
    List<X509Certificate> krd = terminal.certificateChain().certificates();
    List<X509Certificate> kdh = f.kdh().certificateChain().certificates();
    X509Certificate root = f.ca().rootCertificate();
    this.krdLeaf = certificate(krd.get(0), krd.get(1));
    this.krdCa = certificate(krd.get(1), root);
    this.kdhLeaf = certificate(kdh.get(0), kdh.get(1));
    this.kdhCa = certificate(kdh.get(1), root);
    this.hostKey = f.kdh().signingKey();
    this.hostPublic = kdh.get(0).getPublicKey();
    this.tokenSig = ecdh ? Algorithms.Curve.of(hostPublic).signature() : CERT_SIG;
    this.message = tbs(kdh.get(0));
    this.keyToken =
        new Verification(hostPublic, tokenSig, message, crypto.sign(hostKey, tokenSig, message));
    this.terminalPublic = krd.get(0).getPublicKey();
    this.terminalKey = terminal.keyTransportKey();
    byte[] k = new byte[24];
    crypto.secureRandom().nextBytes(k);
    this.cek = SecretKeyMaterial.adopt(k);
    this.encryptedCek = ecdh ? null : crypto.encryptKey(terminalPublic, OAEP, cek);
    // a floor that does not work would measure failures: check each op-set once
    hostFloor();
    terminalFloor();
  }

  /** One host op-set; returns a value that depends on every result (for a black hole). */
  public int hostFloor() throws KeyTransferException {
    verify(krdLeaf);
    verify(krdCa);
    byte[] signature = crypto.sign(hostKey, tokenSig, message);
    if (ecdh) {
      try (SecretKeyMaterial z = crypto.agree(hostKey, terminalPublic)) {
        return signature.length + z.length();
      }
    }
    byte[] encrypted = crypto.encryptKey(terminalPublic, OAEP, cek);
    return signature.length + encrypted.length;
  }

  /** One terminal op-set; returns a value that depends on every result. */
  public int terminalFloor() throws KeyTransferException {
    verify(kdhLeaf);
    verify(kdhCa);
    verify(keyToken);
    try (SecretKeyMaterial k =
        ecdh
            ? crypto.agree(terminalKey, hostPublic)
            : crypto.decryptKey(terminalKey, OAEP, encryptedCek)) {
      return k.length();
    }
  }

  /** Both op-sets. */
  public int fullFloor() throws KeyTransferException {
    return hostFloor() + terminalFloor();
  }

  private void verify(Verification v) throws KeyTransferException {
    crypto.verify(v.key(), v.algorithm(), v.data(), v.signature());
  }

  private static Verification certificate(X509Certificate cert, X509Certificate issuer) {
    return new Verification(issuer.getPublicKey(), CERT_SIG, tbs(cert), cert.getSignature());
  }

  private static byte[] tbs(X509Certificate cert) {
    try {
      return cert.getTBSCertificate();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
