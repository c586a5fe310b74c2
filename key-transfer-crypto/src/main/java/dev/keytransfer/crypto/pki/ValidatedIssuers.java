package dev.keytransfer.crypto.pki;

import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The issuing CAs a {@link PkixCertificateValidator} has validated, each with the part of its path
 * above the leaf and the CRLs that vouched for it (docs/SECURITY.md, "Validation cache"). A leaf
 * issued by a cached CA is then checked by the PKIX engine with that CA as its trust anchor: the
 * leaf's signature, dates, extensions and revocation (against the CA's current CRL) every time, the
 * CA's own path only when something above the leaf changed.
 *
 * <p>An entry serves only while every certificate of its path and its anchor are within their
 * dates, while the CRLs about the path above the leaf are the very ones it was validated with
 * (equal encodings; every CRL but the issuing CA's own) and all within their
 * thisUpdate..nextUpdate, and only for CA paths free of the extensions whose effect on a leaf the
 * anchored check would miss (name constraints, policy constraints and mappings, inhibitAnyPolicy).
 * Anything else takes the full validation, so an entry never accepts what the full validation would
 * refuse.
 */
final class ValidatedIssuers {
  /** A bound on entries: only CAs that chained to a trust anchor get one. */
  static final int MAX_ENTRIES = 64;

  /** RFC 5280 extensions of a CA path that constrain the certificates below it. */
  private static final List<String> CONSTRAINING =
      List.of(
          "2.5.29.30", // nameConstraints
          "2.5.29.36", // policyConstraints
          "2.5.29.33", // policyMappings
          "2.5.29.54"); // inhibitAnyPolicy

  /**
   * One validated CA: {@code caPath} from the leaf's issuer up to (not including) {@code anchor};
   * {@code upperCrls} every CRL not issued by the issuing CA when it was validated; served within
   * {@code notBefore..notAfter}.
   */
  record Entry(
      List<X509Certificate> caPath,
      X509Certificate anchor,
      List<X509CRL> upperCrls,
      Instant notBefore,
      Instant notAfter) {
    X509Certificate issuer() {
      return caPath.get(0);
    }

    boolean servesAt(Instant at) {
      return !at.isBefore(notBefore) && at.isBefore(notAfter);
    }
  }

  private final ConcurrentHashMap<X509Certificate, Entry> entries = new ConcurrentHashMap<>();

  /**
   * The entry for {@code issuer} that serves at {@code at} with these CRLs (those above the issuer
   * the same objects or equal encodings, in the same order), if any.
   */
  Optional<Entry> find(X509Certificate issuer, List<X509CRL> crls, Instant at) {
    Entry e = entries.get(issuer);
    if (e == null || !e.servesAt(at) || !e.upperCrls().equals(upperCrls(e, crls))) {
      return Optional.empty();
    }
    return Optional.of(e);
  }

  /**
   * Remembers the CA of a path that just passed the full validation at {@code at}, if it can serve:
   * {@code path} is leaf first, without the anchor.
   */
  void remember(
      List<X509Certificate> path, X509Certificate anchor, List<X509CRL> crls, Instant at) {
    if (path.size() < 2) {
      return; // the leaf's issuer is the anchor: nothing above the leaf to keep
    }
    List<X509Certificate> caPath = List.copyOf(path.subList(1, path.size()));
    for (X509Certificate c : caPath) {
      for (String oid : CONSTRAINING) {
        if (c.getExtensionValue(oid) != null) {
          return;
        }
      }
    }
    Instant notBefore = anchor.getNotBefore().toInstant();
    Instant notAfter = anchor.getNotAfter().toInstant();
    for (X509Certificate c : caPath) {
      notBefore = later(notBefore, c.getNotBefore().toInstant());
      notAfter = earlier(notAfter, c.getNotAfter().toInstant());
    }
    Entry draft = new Entry(caPath, anchor, List.of(), notBefore, notAfter);
    List<X509CRL> upper = upperCrls(draft, crls);
    for (X509CRL crl : upper) {
      if (crl.getNextUpdate() == null) {
        return; // refused by the full validation already; never kept
      }
      notBefore = later(notBefore, crl.getThisUpdate().toInstant());
      notAfter = earlier(notAfter, crl.getNextUpdate().toInstant());
    }
    Entry e = new Entry(caPath, anchor, upper, notBefore, notAfter);
    if (!e.servesAt(at)) {
      return;
    }
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear();
    }
    entries.put(e.issuer(), e);
  }

  /** Entries held (tests). */
  int size() {
    return entries.size();
  }

  /**
   * Every CRL among {@code crls} but those of {@code e}'s issuing CA: the ones that may vouch for
   * the path above the leaf, by name or as an indirect CRL (a cRLIssuer in a distribution point,
   * which the PKIX engine follows), compared whole so that no change of them goes unseen.
   */
  private static List<X509CRL> upperCrls(Entry e, List<X509CRL> crls) {
    List<X509CRL> out = new ArrayList<>();
    for (X509CRL crl : crls) {
      if (!crl.getIssuerX500Principal().equals(e.issuer().getSubjectX500Principal())) {
        out.add(crl);
      }
    }
    return out;
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant earlier(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
