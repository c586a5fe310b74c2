package dev.keytransfer.crypto.tr34;

import java.io.ByteArrayInputStream;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The certificates and CRLs a SignedData carries (RFC 5652 5.1), parsed by the platform's X.509
 * {@link CertificateFactory} and kept by their exact DER encoding, so a CRL or certificate seen
 * again is not parsed again. The platform's factory keeps such a cache too, but reaches it only
 * after copying the input through a stream and hashing all of it, which costs more per CRL than the
 * TDES content decryption of a key token.
 *
 * <p>What is kept is what the factory returns for those bytes, immutable and shared as the
 * factory's own cache shares it: a hit needs the whole encoding to be equal, nothing about validity
 * is kept, and every caller still validates what it gets. Each kind has a fixed number of slots,
 * chosen by the encoding's last bytes (its signature); a new encoding replaces whatever was in its
 * slot, so the memory held is bounded by the slots times the largest accepted element. Thread-safe.
 */
final class X509Objects {
  private static final int SLOTS = 32; // a power of two

  private record Entry<T>(byte[] der, T parsed) {}

  private static final AtomicReferenceArray<Entry<X509Certificate>> CERTIFICATES =
      new AtomicReferenceArray<>(SLOTS);
  private static final AtomicReferenceArray<Entry<X509CRL>> CRLS =
      new AtomicReferenceArray<>(SLOTS);

  private X509Objects() {}

  /** The certificate whose DER encoding is {@code der}; {@code der} is kept and must be owned. */
  static X509Certificate certificate(byte[] der) throws CertificateException {
    int slot = slot(der);
    Entry<X509Certificate> e = CERTIFICATES.get(slot);
    if (e != null && Arrays.equals(e.der(), der)) {
      return e.parsed();
    }
    X509Certificate c =
        (X509Certificate) factory().generateCertificate(new ByteArrayInputStream(der));
    CERTIFICATES.set(slot, new Entry<>(der, c));
    return c;
  }

  /** The CRL whose DER encoding is {@code der}; {@code der} is kept and must be owned. */
  static X509CRL crl(byte[] der) throws CRLException, CertificateException {
    int slot = slot(der);
    Entry<X509CRL> e = CRLS.get(slot);
    if (e != null && Arrays.equals(e.der(), der)) {
      return e.parsed();
    }
    X509CRL c = (X509CRL) factory().generateCRL(new ByteArrayInputStream(der));
    CRLS.set(slot, new Entry<>(der, c));
    return c;
  }

  private static CertificateFactory factory() throws CertificateException {
    return CertificateFactory.getInstance("X.509");
  }

  /** A slot from the length and the last eight bytes: the end of the issuer's signature. */
  private static int slot(byte[] der) {
    int h = der.length;
    for (int i = Math.max(0, der.length - 8); i < der.length; i++) {
      h = 31 * h + der[i];
    }
    return (h ^ (h >>> 16)) & (SLOTS - 1);
  }
}
