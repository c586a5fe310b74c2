package dev.keytransfer.core.handshake;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.CertificateValidationException;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.BindingStore;
import dev.keytransfer.core.spi.CrlMark;
import java.math.BigInteger;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * docs/SECURITY.md C14: revocation cannot be rolled back. The terminal refuses a CRL older than the
 * newest one it accepted from the same issuer (lower cRLNumber, or earlier thisUpdate), and after a
 * successful validation remembers the CRLs that verify under a key of the validated path or a trust
 * anchor. The state lives in the {@link BindingStore}; the rule lives here, used by {@link
 * KrdHandshake}.
 */
final class CrlFreshness {
  private static final String CRL_NUMBER = "2.5.29.20";

  private CrlFreshness() {}

  /** Refuses any CRL in {@code crls} older than the newest accepted from its issuer. */
  static void requireNotSuperseded(BindingStore store, Collection<X509CRL> crls)
      throws CertificateValidationException {
    for (X509CRL crl : crls) {
      Optional<CrlMark> newest = store.newestCrl(crl.getIssuerX500Principal());
      if (newest.isEmpty()) {
        continue;
      }
      Optional<BigInteger> number = number(crl);
      boolean older =
          crl.getThisUpdate().toInstant().isBefore(newest.get().thisUpdate())
              || (number.isPresent()
                  && newest.get().number().isPresent()
                  && number.get().compareTo(newest.get().number().get()) < 0);
      if (older) {
        throw new CertificateValidationException(
            ErrorCode.CRL_SUPERSEDED,
            "CRL of "
                + crl.getIssuerX500Principal().getName()
                + number.map(n -> " number " + n).orElse("")
                + " is older than the newest one accepted"
                + newest.get().number().map(n -> " (number " + n + ")").orElse(""));
      }
    }
  }

  /** Of {@code earlier} and {@code later}, per issuer only the newest CRL (later wins a tie). */
  static List<X509CRL> newestPerIssuer(List<X509CRL> earlier, List<X509CRL> later)
      throws CertificateValidationException {
    java.util.Map<javax.security.auth.x500.X500Principal, X509CRL> newest =
        new java.util.LinkedHashMap<>();
    List<X509CRL> all = new ArrayList<>(earlier);
    all.addAll(later);
    for (X509CRL crl : all) {
      X509CRL other = newest.get(crl.getIssuerX500Principal());
      if (other == null || !isOlder(crl, other)) {
        newest.put(crl.getIssuerX500Principal(), crl);
      }
    }
    return new ArrayList<>(newest.values());
  }

  private static boolean isOlder(X509CRL a, X509CRL b) throws CertificateValidationException {
    Optional<BigInteger> na = number(a);
    Optional<BigInteger> nb = number(b);
    if (na.isPresent() && nb.isPresent()) {
      return na.get().compareTo(nb.get()) < 0;
    }
    return a.getThisUpdate().before(b.getThisUpdate());
  }

  /** After a successful validation: remember the authentic CRLs in {@code crls}. */
  static void remember(
      BindingStore store,
      Collection<X509CRL> crls,
      CertificateChain validated,
      List<X509Certificate> anchors)
      throws KeyTransferException {
    List<X509Certificate> issuers = new ArrayList<>(validated.certificates());
    issuers.addAll(anchors);
    for (X509CRL crl : crls) {
      if (!authentic(crl, issuers)) {
        continue;
      }
      Optional<CrlMark> newest = store.newestCrl(crl.getIssuerX500Principal());
      Optional<BigInteger> number = number(crl);
      CrlMark mark = new CrlMark(number, crl.getThisUpdate().toInstant());
      if (newest.isPresent()) {
        CrlMark old = newest.get();
        Optional<BigInteger> max =
            number.isPresent() && old.number().isPresent()
                ? Optional.of(number.get().max(old.number().get()))
                : number.isPresent() ? number : old.number();
        mark =
            new CrlMark(
                max,
                mark.thisUpdate().isAfter(old.thisUpdate()) ? mark.thisUpdate() : old.thisUpdate());
        if (mark.equals(old)) {
          continue;
        }
      }
      store.recordNewestCrl(crl.getIssuerX500Principal(), mark);
    }
  }

  private static boolean authentic(X509CRL crl, List<X509Certificate> issuers) {
    for (X509Certificate c : issuers) {
      if (c.getSubjectX500Principal().equals(crl.getIssuerX500Principal())) {
        try {
          crl.verify(c.getPublicKey());
          return true;
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
          // not this key
        }
      }
    }
    return false;
  }

  /** The cRLNumber extension (OCTET STRING holding an INTEGER), if present. */
  static Optional<BigInteger> number(X509CRL crl) throws CertificateValidationException {
    byte[] ext = crl.getExtensionValue(CRL_NUMBER);
    if (ext == null) {
      return Optional.empty();
    }
    byte[] inner = value(ext, 0x04);
    byte[] integer = inner == null ? null : value(inner, 0x02);
    if (integer == null || integer.length == 0) {
      throw new CertificateValidationException(
          ErrorCode.CRL_INVALID,
          "CRL of " + crl.getIssuerX500Principal().getName() + " has a malformed cRLNumber");
    }
    return Optional.of(new BigInteger(integer));
  }

  /** The value of a single DER TLV with {@code tag} filling {@code der}, or null. */
  private static byte[] value(byte[] der, int tag) {
    if (der.length < 2 || (der[0] & 0xFF) != tag) {
      return null;
    }
    int len = der[1] & 0xFF;
    int at = 2;
    if (len > 0x80) {
      int n = len - 0x80;
      if (n > 2 || der.length < 2 + n) {
        return null;
      }
      len = 0;
      for (int i = 0; i < n; i++) {
        len = (len << 8) | (der[2 + i] & 0xFF);
      }
      at = 2 + n;
    } else if (len == 0x80) {
      return null;
    }
    if (at + len != der.length) {
      return null;
    }
    return java.util.Arrays.copyOfRange(der, at, der.length);
  }
}
