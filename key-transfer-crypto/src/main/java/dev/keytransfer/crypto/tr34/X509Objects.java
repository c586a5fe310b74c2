package dev.keytransfer.crypto.tr34;

import java.io.ByteArrayInputStream;
import java.lang.ref.SoftReference;
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
 * slot. These are parsed before anything is validated, from any peer, so what is kept is bounded
 * and can always be reclaimed: only encodings of at most {@value #MAX_KEPT} bytes are kept (a
 * certificate, a CRL of some hundred entries; a larger one is parsed each time), and each entry is
 * held through a {@link SoftReference}, which the collector clears before the heap runs out (a
 * parsed CRL takes over ten times its encoding). Thread-safe.
 */
final class X509Objects {
  private static final int SLOTS = 32; // a power of two

  /** The longest encoding kept. */
  static final int MAX_KEPT = 8192;

  private record Entry<T>(byte[] der, T parsed) {}

  private static final AtomicReferenceArray<SoftReference<Entry<X509Certificate>>> CERTIFICATES =
      new AtomicReferenceArray<>(SLOTS);
  private static final AtomicReferenceArray<SoftReference<Entry<X509CRL>>> CRLS =
      new AtomicReferenceArray<>(SLOTS);

  private X509Objects() {}

  /** The certificate whose DER encoding is {@code der}; {@code der} is kept and must be owned. */
  static X509Certificate certificate(byte[] der) throws CertificateException {
    X509Certificate kept = kept(CERTIFICATES, der);
    if (kept != null) {
      return kept;
    }
    X509Certificate c =
        (X509Certificate) factory().generateCertificate(new ByteArrayInputStream(der));
    keep(CERTIFICATES, der, c);
    return c;
  }

  /** The CRL whose DER encoding is {@code der}; {@code der} is kept and must be owned. */
  static X509CRL crl(byte[] der) throws CRLException, CertificateException {
    X509CRL kept = kept(CRLS, der);
    if (kept != null) {
      return kept;
    }
    X509CRL c = (X509CRL) factory().generateCRL(new ByteArrayInputStream(der));
    keep(CRLS, der, c);
    return c;
  }

  /** Whether a certificate or CRL of encoding {@code der} is kept now (tests). */
  static boolean isKept(byte[] der) {
    return kept(CERTIFICATES, der) != null || kept(CRLS, der) != null;
  }

  private static <T> T kept(AtomicReferenceArray<SoftReference<Entry<T>>> slots, byte[] der) {
    SoftReference<Entry<T>> ref = slots.get(slot(der));
    Entry<T> e = ref == null ? null : ref.get();
    return e != null && Arrays.equals(e.der(), der) ? e.parsed() : null;
  }

  private static <T> void keep(
      AtomicReferenceArray<SoftReference<Entry<T>>> slots, byte[] der, T parsed) {
    if (der.length <= MAX_KEPT) {
      slots.set(slot(der), new SoftReference<>(new Entry<>(der, parsed)));
    }
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
