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
 * The crypto floor of a TR-34 two-pass handshake: the raw RSA operations of one {@link
 * CryptoProvider} that the protocol cannot do without, with nothing around them (no parsing, no
 * encoding, no validation logic, no ledger). One op-set per call:
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
 * The verifications check the fixtures' real certificates (real RSA-2048 issuer keys, certificate-
 * sized messages); the signature is over the host certificate's TBS bytes with the host's key; the
 * OAEP operations use the terminal's key on a 24-byte (TDES) content-encryption key. CRL signatures
 * are not in the floor (the protocol can carry none); whatever the handshake spends on them shows
 * in the ratio. Thread-safe: the provider is, and nothing here changes.
 */
public final class Floor {
  private static final Algorithms.Signature SIG = Algorithms.Signature.RSA_PKCS1_SHA256;
  private static final Algorithms.KeyTransport OAEP = Algorithms.KeyTransport.RSA_OAEP_SHA256;

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

  private record Verification(PublicKey key, byte[] data, byte[] signature) {}

  public Floor(Fixtures f) throws KeyTransferException {
    this.crypto = f.crypto();
    ReceivingTerminal terminal = f.terminal(0);
    List<X509Certificate> krd = terminal.certificateChain().certificates();
    List<X509Certificate> kdh = f.kdh().certificateChain().certificates();
    X509Certificate root = f.ca().rootCertificate();
    this.krdLeaf = certificate(krd.get(0), krd.get(1));
    this.krdCa = certificate(krd.get(1), root);
    this.kdhLeaf = certificate(kdh.get(0), kdh.get(1));
    this.kdhCa = certificate(kdh.get(1), root);
    this.hostKey = f.kdh().signingKey();
    this.message = tbs(kdh.get(0));
    this.keyToken =
        new Verification(kdh.get(0).getPublicKey(), message, crypto.sign(hostKey, SIG, message));
    this.terminalPublic = krd.get(0).getPublicKey();
    this.terminalKey = terminal.keyTransportKey();
    byte[] k = new byte[24];
    crypto.secureRandom().nextBytes(k);
    this.cek = SecretKeyMaterial.adopt(k);
    this.encryptedCek = crypto.encryptKey(terminalPublic, OAEP, cek);
    // a floor that does not work would measure failures: check each op-set once
    hostFloor();
    terminalFloor();
  }

  /** One host op-set; returns a value that depends on every result (for a black hole). */
  public int hostFloor() throws KeyTransferException {
    verify(krdLeaf);
    verify(krdCa);
    byte[] signature = crypto.sign(hostKey, SIG, message);
    byte[] encrypted = crypto.encryptKey(terminalPublic, OAEP, cek);
    return signature.length + encrypted.length;
  }

  /** One terminal op-set; returns a value that depends on every result. */
  public int terminalFloor() throws KeyTransferException {
    verify(kdhLeaf);
    verify(kdhCa);
    verify(keyToken);
    try (SecretKeyMaterial k = crypto.decryptKey(terminalKey, OAEP, encryptedCek)) {
      return k.length();
    }
  }

  /** Both op-sets. */
  public int fullFloor() throws KeyTransferException {
    return hostFloor() + terminalFloor();
  }

  private void verify(Verification v) throws KeyTransferException {
    crypto.verify(v.key(), SIG, v.data(), v.signature());
  }

  private static Verification certificate(X509Certificate cert, X509Certificate issuer) {
    return new Verification(issuer.getPublicKey(), tbs(cert), cert.getSignature());
  }

  private static byte[] tbs(X509Certificate cert) {
    try {
      return cert.getTBSCertificate();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
