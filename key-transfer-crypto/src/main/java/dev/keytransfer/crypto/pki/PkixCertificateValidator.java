package dev.keytransfer.crypto.pki;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.CertificateValidationException;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.spi.CertificateValidator;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Security;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The SDK's certificate validator (S2: the host validates the KRD; S3: the terminal validates the
 * KDH), under a {@link ValidationPolicy}. The platform's PKIX engine, found by algorithm (on a JDK
 * the {@code SUN} provider's, unless the application installed another PKIX provider ahead of it),
 * runs the RFC 5280 algorithm; this class adds what it does not do (docs/SECURITY.md "What Java 17
 * PKIX does and does not check"):
 *
 * <ol>
 *   <li>C7: a leaf with basicConstraints cA=true, or a trust anchor presented as leaf, is refused
 *       ({@code CERTIFICATE_CA_AS_LEAF}).
 *   <li>C1: the path is assembled from the policy's intermediates and then the presented
 *       certificates, in that order, by issuer name <em>and</em> signature, up to a trust anchor
 *       and no longer than {@link ValidationPolicy#maxChainLength()} ({@code
 *       CERTIFICATE_UNTRUSTED}); a peer may present at most that many certificates plus the anchor.
 *       A candidate issuer's key must pass {@link AlgorithmPolicy#keyWeakness} before it checks any
 *       signature, so a peer's certificates with huge RSA exponents or moduli cost nothing
 *       (docs/SECURITY.md, "Input limits"); the presented certificates off the path never reach the
 *       PKIX engine.
 *   <li>C8: every certificate in the path, the anchor included, must hold an RSA key of at least
 *       {@link ValidationPolicy#minRsaBits()} bits and at most {@link AlgorithmPolicy#MAX_RSA_BITS}
 *       with a public exponent below 2^32 (or EC on P-256, P-384 or P-521) and be signed with
 *       SHA-256 or better ({@code CERTIFICATE_WEAK_KEY}, {@code CERTIFICATE_WEAK_SIGNATURE}).
 *   <li>C6: the leaf's keyUsage must fit the role (TR-34 B.2.1: KDH digitalSignature, KRD
 *       keyEncipherment, never both) and, when the policy pins role issuers, the leaf's issuer must
 *       be one of them ({@code CERTIFICATE_WRONG_ROLE}).
 *   <li>C2: the trust anchor itself must be within its validity period.
 *   <li>C1-C5, C9: RFC 5280 path validation at the policy clock's time, with revocation checked
 *       against CRLs only (the policy's local CRLs plus those passed in), no OCSP, no network, and
 *       no soft fail: a missing, stale or badly signed CRL rejects the path ({@code CRL_MISSING},
 *       {@code CRL_STALE}, {@code CRL_INVALID}).
 * </ol>
 *
 * <p>A CA path that passed is remembered, and a later leaf of that CA is checked against it alone
 * while nothing above the leaf has changed ({@code ValidatedIssuers}, docs/SECURITY.md "Validation
 * cache"): the leaf's own signature, dates, extensions and revocation are checked every time.
 *
 * <p>Exception messages name the failing certificate's subject and the reason; they hold no secret.
 * Thread-safe; its only state is that cache.
 */
public final class PkixCertificateValidator implements CertificateValidator {
  /**
   * Checks that {@code cert} is signed by {@code issuer}'s key; the one place path building
   * verifies a signature, so that a test can see which keys were used.
   */
  @FunctionalInterface
  interface IssuerSignature {
    boolean verifies(X509Certificate cert, X509Certificate issuer);
  }

  private final ValidationPolicy policy;
  private final IssuerSignature issuerSignature;
  private final ValidatedIssuers issuers = new ValidatedIssuers();

  public PkixCertificateValidator(ValidationPolicy policy) {
    this(policy, PkixCertificateValidator::signedBy);
  }

  /** With the signature check of path building replaced (tests that count the checks). */
  PkixCertificateValidator(ValidationPolicy policy, IssuerSignature issuerSignature) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.issuerSignature = Objects.requireNonNull(issuerSignature, "issuerSignature");
  }

  /** Issuing CAs held by the validation cache (tests). */
  int cachedIssuers() {
    return issuers.size();
  }

  @Override
  public CertificateChain validate(CertificateChain presented, Role role, Collection<X509CRL> crls)
      throws CertificateValidationException {
    Objects.requireNonNull(presented, "presented");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(crls, "crls");
    Instant at = policy.clock().instant();
    X509Certificate leaf = presented.leaf();

    // C7: the leaf must be an end entity, and not a trust anchor
    if (leaf.getBasicConstraints() != -1) {
      throw fail(
          ErrorCode.CERTIFICATE_CA_AS_LEAF,
          leaf,
          "a CA certificate (basicConstraints cA=true) presented as leaf");
    }
    for (X509Certificate anchor : policy.trustAnchors()) {
      if (sameSubjectAndKey(leaf, anchor)) {
        throw fail(ErrorCode.CERTIFICATE_CA_AS_LEAF, leaf, "the trust anchor presented as leaf");
      }
    }

    // C1: chain to a configured trust anchor, by name and signature; the peer may add the anchor
    if (presented.certificates().size() > policy.maxChainLength() + 1) {
      throw fail(
          ErrorCode.CERTIFICATE_UNTRUSTED,
          leaf,
          "the presented chain has "
              + presented.certificates().size()
              + " certificates, more than the maximum chain length of "
              + policy.maxChainLength()
              + " plus the anchor");
    }
    // the configured CAs are tried before anything the peer sent (docs/SECURITY.md C1)
    List<X509Certificate> candidates = new ArrayList<>(new LinkedHashSet<>(policy.intermediates()));
    for (X509Certificate c : presented.issuers()) {
      if (!candidates.contains(c)) {
        candidates.add(c);
      }
    }
    List<X509CRL> allCrls = new ArrayList<>(policy.localCrls());
    allCrls.addAll(crls);
    Optional<CertificateChain> cached = viaValidatedIssuer(leaf, role, candidates, allCrls, at);
    if (cached.isPresent()) {
      return cached.get();
    }
    List<X509Certificate> path = new ArrayList<>();
    X509Certificate anchor = buildPath(leaf, candidates, at, path);

    // C8: key size and signature hash on every certificate, anchor included
    List<X509Certificate> all = new ArrayList<>(path);
    all.add(anchor);
    for (X509Certificate c : all) {
      String weakKey = AlgorithmPolicy.keyWeakness(c.getPublicKey(), policy.minRsaBits());
      if (weakKey != null) {
        throw fail(ErrorCode.CERTIFICATE_WEAK_KEY, c, weakKey);
      }
      String weakSig = AlgorithmPolicy.signatureWeakness(c.getSigAlgOID(), c.getSigAlgParams());
      if (weakSig != null) {
        throw fail(ErrorCode.CERTIFICATE_WEAK_SIGNATURE, c, weakSig);
      }
    }

    // C6: the leaf fits its role, and comes from the role's CA when pinned
    checkRole(leaf, role);
    List<X509Certificate> pinned = policy.roleIssuers(role);
    if (!pinned.isEmpty()) {
      X509Certificate leafIssuer = path.size() > 1 ? path.get(1) : anchor;
      if (pinned.stream().noneMatch(p -> sameSubjectAndKey(p, leafIssuer))) {
        throw fail(
            ErrorCode.CERTIFICATE_WRONG_ROLE,
            leaf,
            "issued by "
                + leafIssuer.getSubjectX500Principal().getName()
                + ", which is not a "
                + role
                + " issuing CA");
      }
    }

    // C2 for the anchor (RFC 5280 does not check the anchor's dates; the SDK does)
    try {
      anchor.checkValidity(Date.from(at));
    } catch (CertificateExpiredException e) {
      throw fail(ErrorCode.CERTIFICATE_EXPIRED, anchor, "the trust anchor has expired");
    } catch (CertificateNotYetValidException e) {
      throw fail(ErrorCode.CERTIFICATE_NOT_YET_VALID, anchor, "the trust anchor is not yet valid");
    }

    // C1-C5, C9: RFC 5280 with CRL revocation, failing closed
    // C3, C8 for CRLs: those of the path's CAs are held to the signature policy and a bounded life
    checkCrls(all, allCrls);
    // the peer's certificates that are not on the path stay out of the PKIX engine's store
    validateRfc5280(path, anchor, allCrls, policy.intermediates(), at, PkixSettings.DEFAULT);
    issuers.remember(path, anchor, allCrls, at);
    return new CertificateChain(path);
  }

  /**
   * The issuer path building tries first for {@code cert} among {@code candidates}: the first of
   * its issuer name within its dates, if no trust anchor has that name (else null, as when there is
   * none).
   */
  private X509Certificate firstChoice(
      X509Certificate cert, List<X509Certificate> candidates, Instant at) {
    for (X509Certificate a : policy.trustAnchors()) {
      if (a.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
        return null;
      }
    }
    for (X509Certificate c : candidates) {
      if (c.getSubjectX500Principal().equals(cert.getIssuerX500Principal()) && validAt(c, at)) {
        return c;
      }
    }
    return null;
  }

  /**
   * The leaf checked under an issuing CA validated before (docs/SECURITY.md, "Validation cache"):
   * C8 and C6 on the leaf, the CA's CRLs held to the CRL policy, and RFC 5280 on the leaf alone
   * with the CA as its trust anchor, so the leaf's signature, dates, extensions and revocation are
   * checked as on the full path. Only the issuer the full path would try first qualifies (the first
   * candidate of the leaf's issuer name within its dates, no trust anchor of that name). Empty when
   * there is no such entry or any check fails: the full validation then decides, and says why.
   */
  private Optional<CertificateChain> viaValidatedIssuer(
      X509Certificate leaf,
      Role role,
      List<X509Certificate> candidates,
      List<X509CRL> allCrls,
      Instant at) {
    X509Certificate first = firstChoice(leaf, candidates, at);
    if (first == null) {
      return Optional.empty();
    }
    Optional<ValidatedIssuers.Entry> entry = issuers.find(first, allCrls, at);
    if (entry.isEmpty()) {
      return Optional.empty();
    }
    // the path above must be the one path building would take now, from what is at hand now
    List<X509Certificate> caPath = entry.get().caPath();
    for (int i = 1; i < caPath.size(); i++) {
      if (!caPath.get(i).equals(firstChoice(caPath.get(i - 1), candidates, at))) {
        return Optional.empty();
      }
    }
    X509Certificate top = caPath.get(caPath.size() - 1);
    X509Certificate anchor = null;
    for (X509Certificate a : policy.trustAnchors()) {
      if (a.getSubjectX500Principal().equals(top.getIssuerX500Principal()) && validAt(a, at)) {
        anchor = a;
        break;
      }
    }
    if (anchor == null || !anchor.equals(entry.get().anchor())) {
      return Optional.empty();
    }
    X509Certificate issuer = entry.get().issuer();
    boolean[] issuerUsage = issuer.getKeyUsage();
    if (issuerUsage != null && !bit(issuerUsage, CRL_SIGN)) {
      return Optional.empty(); // as the CRL's signer the anchored check would not ask for cRLSign
    }
    try {
      if (AlgorithmPolicy.keyWeakness(leaf.getPublicKey(), policy.minRsaBits()) != null
          || AlgorithmPolicy.signatureWeakness(leaf.getSigAlgOID(), leaf.getSigAlgParams())
              != null) {
        return Optional.empty();
      }
      checkRole(leaf, role);
      List<X509Certificate> pinned = policy.roleIssuers(role);
      if (!pinned.isEmpty() && pinned.stream().noneMatch(p -> sameSubjectAndKey(p, issuer))) {
        return Optional.empty();
      }
      checkCrls(List.of(issuer), allCrls);
      validateRfc5280(List.of(leaf), issuer, allCrls, List.of(), at, PkixSettings.DEFAULT);
    } catch (CertificateValidationException | RuntimeException e) {
      return Optional.empty();
    }
    List<X509Certificate> path = new ArrayList<>(1 + entry.get().caPath().size());
    path.add(leaf);
    path.addAll(entry.get().caPath());
    return Optional.of(new CertificateChain(path));
  }

  /**
   * The CRLs issued by a CA of {@code pathAndAnchor} (by name) must be signed with SHA-256 or
   * better (as certificates, C8), carry a nextUpdate, and declare a validity period no longer than
   * {@link ValidationPolicy#maxCrlValidity()}; otherwise the path is refused with {@code
   * CRL_INVALID}.
   */
  private void checkCrls(List<X509Certificate> pathAndAnchor, List<X509CRL> crls)
      throws CertificateValidationException {
    for (X509CRL crl : crls) {
      X509Certificate issuer = null;
      for (X509Certificate c : pathAndAnchor) {
        if (c.getSubjectX500Principal().equals(crl.getIssuerX500Principal())) {
          issuer = c;
          break;
        }
      }
      if (issuer == null) {
        continue; // not about this path
      }
      String weak = AlgorithmPolicy.signatureWeakness(crl.getSigAlgOID(), crl.getSigAlgParams());
      if (weak != null) {
        throw fail(
            ErrorCode.CRL_INVALID, issuer, "its CRL is signed with a weak algorithm: " + weak);
      }
      if (crl.getNextUpdate() == null) {
        throw fail(ErrorCode.CRL_INVALID, issuer, "its CRL has no nextUpdate");
      }
      java.time.Duration validity =
          java.time.Duration.between(
              crl.getThisUpdate().toInstant(), crl.getNextUpdate().toInstant());
      if (validity.compareTo(policy.maxCrlValidity()) > 0) {
        throw fail(
            ErrorCode.CRL_INVALID,
            issuer,
            "its CRL is valid for "
                + validity.toDays()
                + " days, more than the policy maximum of "
                + policy.maxCrlValidity().toDays());
      }
    }
  }

  /**
   * Fills {@code path} (leaf first) and returns the anchor. Each step takes the first trust anchor,
   * else the first candidate (configured CAs before the peer's certificates), whose subject equals
   * the current certificate's issuer and whose key verifies its signature, preferring candidates
   * valid at {@code at}. A certificate whose key {@link AlgorithmPolicy#keyWeakness} refuses is
   * never used to check a signature; if no issuer is found and one was passed over for its key, the
   * path is refused for that key ({@code CERTIFICATE_WEAK_KEY}).
   */
  private X509Certificate buildPath(
      X509Certificate leaf,
      List<X509Certificate> candidates,
      Instant at,
      List<X509Certificate> path)
      throws CertificateValidationException {
    path.add(leaf);
    X509Certificate current = leaf;
    while (true) {
      IssuerSearch search = new IssuerSearch();
      X509Certificate anchor = findIssuer(current, policy.trustAnchors(), List.of(), at, search);
      if (anchor != null) {
        return anchor;
      }
      if (path.size() >= policy.maxChainLength()) {
        throw noIssuer(
            search,
            current,
            fail(
                ErrorCode.CERTIFICATE_UNTRUSTED,
                leaf,
                "no trust anchor within the maximum chain length of " + policy.maxChainLength()));
      }
      X509Certificate next = findIssuer(current, candidates, path, at, search);
      if (next == null) {
        throw noIssuer(
            search,
            current,
            fail(
                ErrorCode.CERTIFICATE_UNTRUSTED,
                leaf,
                "does not chain to a trust anchor: no issuer found for "
                    + current.getSubjectX500Principal().getName()));
      }
      path.add(next);
      current = next;
    }
  }

  /**
   * Why no issuer of {@code current} was found: the key of a candidate passed over (C8), else
   * {@code otherwise}.
   */
  private static CertificateValidationException noIssuer(
      IssuerSearch search, X509Certificate current, CertificateValidationException otherwise) {
    if (search.refused == null) {
      return otherwise;
    }
    return fail(
        ErrorCode.CERTIFICATE_WEAK_KEY,
        search.refused,
        search.why
            + " (not used to check the signature of "
            + current.getSubjectX500Principal().getName()
            + ")");
  }

  /** The first issuer candidate of one step passed over for its key, and why. */
  private static final class IssuerSearch {
    X509Certificate refused;
    String why;
  }

  private X509Certificate findIssuer(
      X509Certificate cert,
      List<X509Certificate> candidates,
      List<X509Certificate> exclude,
      Instant at,
      IssuerSearch search) {
    X509Certificate fallback = null;
    for (X509Certificate c : candidates) {
      if (exclude.contains(c)
          || !c.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
        continue;
      }
      // parameters before any signature check: a huge exponent or modulus only costs time
      String weakKey = AlgorithmPolicy.keyWeakness(c.getPublicKey(), policy.minRsaBits());
      if (weakKey != null) {
        if (search.refused == null) {
          search.refused = c;
          search.why = weakKey;
        }
        continue;
      }
      if (!issuerSignature.verifies(cert, c)) {
        continue;
      }
      if (validAt(c, at)) {
        return c;
      }
      if (fallback == null) {
        fallback = c;
      }
    }
    return fallback;
  }

  private static boolean signedBy(X509Certificate cert, X509Certificate issuer) {
    try {
      cert.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static boolean validAt(X509Certificate c, Instant at) {
    Date d = Date.from(at);
    return !d.before(c.getNotBefore()) && !d.after(c.getNotAfter());
  }

  private static boolean sameSubjectAndKey(X509Certificate a, X509Certificate b) {
    return a.getSubjectX500Principal().equals(b.getSubjectX500Principal())
        && MessageDigest.isEqual(a.getPublicKey().getEncoded(), b.getPublicKey().getEncoded());
  }

  // keyUsage bit positions, RFC 5280 4.2.1.3
  private static final int DIGITAL_SIGNATURE = 0;
  private static final int NON_REPUDIATION = 1;
  private static final int KEY_ENCIPHERMENT = 2;
  private static final int DATA_ENCIPHERMENT = 3;
  private static final int KEY_AGREEMENT = 4;
  private static final int CRL_SIGN = 6;
  // CRL entry extensions that RFC 5280 5.3 defines
  private static final String REASON_CODE = "2.5.29.21";
  private static final String CERTIFICATE_ISSUER = "2.5.29.29";

  /**
   * docs/SECURITY.md C6, TR-34 B.2.1: a KDH certificate signs (digitalSignature; no encipherment or
   * key agreement), a KRD certificate decrypts the transported key (keyEncipherment; no signing
   * bits). For an EC leaf key (the ECDH mode, docs/ECDH.md) a KRD certificate agrees keys only
   * (keyAgreement; no signing or encipherment bits) and a KDH certificate signs and agrees keys
   * (digitalSignature and keyAgreement; no encipherment).
   */
  private static void checkRole(X509Certificate leaf, Role role)
      throws CertificateValidationException {
    boolean[] ku = leaf.getKeyUsage();
    if (ku == null) {
      throw fail(
          ErrorCode.CERTIFICATE_WRONG_ROLE, leaf, "no keyUsage extension, so no " + role + " role");
    }
    boolean ec = leaf.getPublicKey() instanceof ECPublicKey;
    boolean ok;
    String rule;
    if (ec && role == Role.KDH) {
      ok =
          bit(ku, DIGITAL_SIGNATURE)
              && bit(ku, KEY_AGREEMENT)
              && !bit(ku, KEY_ENCIPHERMENT)
              && !bit(ku, DATA_ENCIPHERMENT);
      rule = "EC key: digitalSignature and keyAgreement required, no encipherment";
    } else if (ec) {
      ok =
          bit(ku, KEY_AGREEMENT)
              && !bit(ku, DIGITAL_SIGNATURE)
              && !bit(ku, NON_REPUDIATION)
              && !bit(ku, KEY_ENCIPHERMENT)
              && !bit(ku, DATA_ENCIPHERMENT);
      rule = "EC key: keyAgreement required, no digitalSignature, nonRepudiation or encipherment";
    } else if (role == Role.KDH) {
      ok =
          bit(ku, DIGITAL_SIGNATURE)
              && !bit(ku, KEY_ENCIPHERMENT)
              && !bit(ku, DATA_ENCIPHERMENT)
              && !bit(ku, KEY_AGREEMENT);
      rule = "digitalSignature required, no encipherment or keyAgreement";
    } else {
      ok = bit(ku, KEY_ENCIPHERMENT) && !bit(ku, DIGITAL_SIGNATURE) && !bit(ku, NON_REPUDIATION);
      rule = "keyEncipherment required, no digitalSignature or nonRepudiation";
    }
    if (!ok) {
      throw fail(
          ErrorCode.CERTIFICATE_WRONG_ROLE,
          leaf,
          "keyUsage does not fit the " + role + " role (" + rule + ")");
    }
  }

  private static boolean bit(boolean[] ku, int i) {
    return i < ku.length && ku[i];
  }

  /**
   * The generic RFC 5280 layer alone: the platform's PKIX validator over {@code pathLeafFirst}
   * (without the anchor) at {@code at}, revocation checked on every certificate from CRLs only (no
   * OCSP, no download, no soft fail), with a collection store of the path, the anchor, {@code
   * extraCerts} and {@code crls}. Failures get the same error codes as {@link #validate}. Used by
   * {@link #validate} and by the PKITS suite.
   */
  static void validateRfc5280(
      List<X509Certificate> pathLeafFirst,
      X509Certificate anchor,
      Collection<X509CRL> crls,
      Collection<X509Certificate> extraCerts,
      Instant at,
      PkixSettings settings)
      throws CertificateValidationException {
    requireOfflineRevocationSettings();
    CertPath certPath;
    try {
      certPath = CertificateFactory.getInstance("X.509").generateCertPath(pathLeafFirst);
    } catch (CertificateException e) {
      throw fail(ErrorCode.CERTIFICATE_INVALID, pathLeafFirst.get(0), "the path cannot be encoded");
    }
    CertPathValidator validator;
    PKIXParameters params;
    try {
      validator = CertPathValidator.getInstance("PKIX");
      params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
      params.setDate(Date.from(at));
      // C3: the JDK's built-in revocation checker, CRLs only and failing closed. Deliberately no
      // PKIXRevocationChecker: one supplied explicitly always downloads CRLs from the URIs in a
      // certificate's cRLDistributionPoints (verified on JDK 17), whatever its options.
      params.setRevocationEnabled(true);
      List<Object> store = new ArrayList<>(pathLeafFirst);
      store.add(anchor);
      store.addAll(extraCerts);
      store.addAll(crls);
      params.setCertStores(
          List.of(CertStore.getInstance("Collection", new CollectionCertStoreParameters(store))));
      params.setInitialPolicies(settings.initialPolicies());
      params.setExplicitPolicyRequired(settings.explicitPolicyRequired());
      params.setPolicyMappingInhibited(settings.policyMappingInhibited());
      params.setAnyPolicyInhibited(settings.anyPolicyInhibited());
    } catch (NoSuchAlgorithmException | InvalidAlgorithmParameterException e) {
      throw new IllegalStateException("the platform's PKIX CertPathValidator is unavailable", e);
    }
    try {
      validator.validate(certPath, params);
    } catch (CertPathValidatorException e) {
      throw map(e, pathLeafFirst, anchor, crls, at);
    } catch (InvalidAlgorithmParameterException e) {
      throw new IllegalStateException("invalid PKIX parameters", e);
    }
  }

  /**
   * The JDK's built-in revocation checker reads three JVM-wide switches. Each would break a promise
   * of this class (no network access, every certificate of the path checked), so validation refuses
   * to run while one is on, rather than silently weakening (docs/SECURITY.md C3; strict by
   * default).
   *
   * @throws IllegalStateException if {@code ocsp.enable} or {@code
   *     com.sun.security.onlyCheckRevocationOfEECert} (security properties) or {@code
   *     com.sun.security.enableCRLDP} or {@code org.bouncycastle.x509.enableCRLDP} (system
   *     properties) is true
   */
  static void requireOfflineRevocationSettings() {
    if ("true".equalsIgnoreCase(Security.getProperty("ocsp.enable"))) {
      throw new IllegalStateException(
          "security property ocsp.enable=true would make certificate validation "
              + "query OCSP responders over the network; key-transfer validates against CRLs only");
    }
    if (Boolean.getBoolean("org.bouncycastle.x509.enableCRLDP")) {
      // the switch of Bouncy Castle's PKIX, should an application install BC ahead of the JDK
      throw new IllegalStateException(
          "system property org.bouncycastle.x509.enableCRLDP=true would make certificate"
              + " validation download CRLs over the network; key-transfer validates against the"
              + " CRLs it is given");
    }
    if (Boolean.getBoolean("com.sun.security.enableCRLDP")) {
      throw new IllegalStateException(
          "system property com.sun.security.enableCRLDP=true would make certificate validation"
              + " download CRLs over the network; key-transfer validates against the CRLs it is"
              + " given");
    }
    if ("true"
        .equalsIgnoreCase(Security.getProperty("com.sun.security.onlyCheckRevocationOfEECert"))) {
      throw new IllegalStateException(
          "security property com.sun.security.onlyCheckRevocationOfEECert=true would "
              + "skip the revocation check of CA certificates (docs/SECURITY.md C3)");
    }
  }

  private static CertificateValidationException map(
      CertPathValidatorException e,
      List<X509Certificate> path,
      X509Certificate anchor,
      Collection<X509CRL> crls,
      Instant at) {
    int index = e.getIndex();
    X509Certificate failing = index >= 0 && index < path.size() ? path.get(index) : null;
    String detail = e.getMessage() == null ? e.getReason().toString() : e.getMessage();
    CertPathValidatorException.Reason reason = e.getReason();
    ErrorCode code;
    if (reason == CertPathValidatorException.BasicReason.EXPIRED) {
      code = ErrorCode.CERTIFICATE_EXPIRED;
    } else if (reason == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
      code = ErrorCode.CERTIFICATE_NOT_YET_VALID;
    } else if (reason == CertPathValidatorException.BasicReason.REVOKED) {
      code = ErrorCode.CERTIFICATE_REVOKED;
    } else if (reason == CertPathValidatorException.BasicReason.UNDETERMINED_REVOCATION_STATUS) {
      if (failing != null) {
        X509Certificate issuer = index + 1 < path.size() ? path.get(index + 1) : anchor;
        CrlDiagnosis d = diagnose(failing, issuer, crls, at);
        code = d.code;
        detail = detail + ": " + d.why;
      } else {
        // no index: take the first certificate, from the anchor down, without a usable CRL
        code = ErrorCode.CRL_MISSING;
        for (int i = path.size() - 1; i >= 0; i--) {
          CrlDiagnosis d =
              diagnose(path.get(i), i + 1 < path.size() ? path.get(i + 1) : anchor, crls, at);
          if (d.code != ErrorCode.CRL_MISSING || d.noCrlAtAll) {
            failing = path.get(i);
            code = d.code;
            detail = detail + ": " + d.why;
            break;
          }
        }
      }
    } else if (reason == PKIXReason.NO_TRUST_ANCHOR) {
      code = ErrorCode.CERTIFICATE_UNTRUSTED;
    } else if (failing != null
        && reason == CertPathValidatorException.BasicReason.UNSPECIFIED
        && hasUnrecognizedCriticalEntryExtension(failing, crls)) {
      // RFC 5280 5.3: a CRL entry with an unknown critical extension makes the CRL unusable (PKITS
      // 4.4.8)
      code = ErrorCode.CRL_INVALID;
    } else {
      code = ErrorCode.CERTIFICATE_INVALID;
    }
    String subject = failing != null ? failing.getSubjectX500Principal().getName() : "the path";
    return new CertificateValidationException(
        code, "certificate " + subject + ": " + detail + " [" + reason + "]", e);
  }

  private record CrlDiagnosis(ErrorCode code, String why, boolean noCrlAtAll) {}

  /**
   * Why no CRL settled the revocation status of {@code cert}: none from its issuer at all
   * (CRL_MISSING); none whose signature verifies under the issuer's key (CRL_INVALID); only
   * authentic ones outside their thisUpdate..nextUpdate window (CRL_STALE); else CRL_MISSING.
   */
  private static CrlDiagnosis diagnose(
      X509Certificate cert, X509Certificate issuer, Collection<X509CRL> crls, Instant at) {
    String issuerName = cert.getIssuerX500Principal().getName();
    List<X509CRL> fromIssuer = new ArrayList<>();
    for (X509CRL crl : crls) {
      if (crl.getIssuerX500Principal().equals(cert.getIssuerX500Principal())) {
        fromIssuer.add(crl);
      }
    }
    if (fromIssuer.isEmpty()) {
      return new CrlDiagnosis(ErrorCode.CRL_MISSING, "no CRL from " + issuerName, true);
    }
    List<X509CRL> authentic = new ArrayList<>();
    for (X509CRL crl : fromIssuer) {
      try {
        crl.verify(issuer.getPublicKey());
        authentic.add(crl);
      } catch (GeneralSecurityException | RuntimeException ex) {
        // not signed by the issuer's key
      }
    }
    if (authentic.isEmpty()) {
      return new CrlDiagnosis(
          ErrorCode.CRL_INVALID, "no CRL from " + issuerName + " verifies under its key", false);
    }
    boolean[] issuerUsage = issuer.getKeyUsage();
    if (issuerUsage != null && !bit(issuerUsage, CRL_SIGN)) {
      // C5: a CA key without cRLSign cannot vouch for the revocation status of what it issued
      return new CrlDiagnosis(
          ErrorCode.CERTIFICATE_INVALID, issuerName + " has no cRLSign key usage", false);
    }
    Date when = Date.from(at);
    boolean allOutOfWindow =
        authentic.stream()
            .allMatch(
                crl ->
                    crl.getThisUpdate().after(when)
                        || (crl.getNextUpdate() != null && crl.getNextUpdate().before(when)));
    if (allOutOfWindow) {
      return new CrlDiagnosis(
          ErrorCode.CRL_STALE, "the CRLs from " + issuerName + " are not current", false);
    }
    return new CrlDiagnosis(ErrorCode.CRL_MISSING, "no usable CRL from " + issuerName, false);
  }

  private static boolean hasUnrecognizedCriticalEntryExtension(
      X509Certificate cert, Collection<X509CRL> crls) {
    for (X509CRL crl : crls) {
      if (!crl.getIssuerX500Principal().equals(cert.getIssuerX500Principal())) {
        continue;
      }
      X509CRLEntry entry = crl.getRevokedCertificate(cert.getSerialNumber());
      Set<String> critical = entry == null ? null : entry.getCriticalExtensionOIDs();
      if (critical != null) {
        Set<String> unknown = new HashSet<>(critical);
        unknown.remove(REASON_CODE);
        unknown.remove(CERTIFICATE_ISSUER);
        if (!unknown.isEmpty()) {
          return true;
        }
      }
    }
    return false;
  }

  private static CertificateValidationException fail(
      ErrorCode code, X509Certificate cert, String why) {
    return new CertificateValidationException(
        code, "certificate " + cert.getSubjectX500Principal().getName() + ": " + why);
  }

  @Override
  public List<X509Certificate> trustAnchors() {
    return policy.trustAnchors();
  }

  @Override
  public String toString() {
    return "PkixCertificateValidator[" + policy.trustAnchors().size() + " trust anchor(s)]";
  }
}
