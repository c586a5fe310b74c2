package dev.keytransfer.crypto.pki;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.core.CertificateValidationException;
import dev.keytransfer.core.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * NIST PKITS (2011 edition) against the generic RFC 5280 layer of {@link PkixCertificateValidator}
 * (docs/SECURITY.md C1-C5, C9). Every row of {@code pkits/manifest.tsv} is run with the single
 * trust anchor, the manifest's chain, all certificates and all CRLs of the suite in the store, at
 * 2022-03-14, and with the row's RFC 5280 user inputs (settings1..10 of the manifest README). All
 * disagreements are collected and reported together.
 */
class PkitsTest {
  private static final Instant VALIDATION_TIME = Instant.parse("2022-03-14T00:00:00Z");
  private static final String POLICY_ARC = "2.16.840.1.101.3.2.1.48.";
  private static final String ANCHOR = "TrustAnchorRootCertificate.crt";

  /**
   * Rows on which the JDK's PKIX engine cannot agree with the expected PKITS verdict, with the
   * reason. Empty: the JDK agrees with every row of the manifest.
   */
  private static final Map<String, String> KNOWN_DISAGREEMENTS = Map.of();

  private static Path pkits;
  private static Map<String, X509Certificate> certs;
  private static List<X509CRL> crls;

  @BeforeAll
  static void load() throws IOException, CertificateException, CRLException {
    String vectors = System.getProperty("keytransfer.vectors", "../../shared/vectors");
    pkits = Paths.get(vectors, "pkits");
    Assumptions.assumeTrue(
        Files.isRegularFile(pkits.resolve("manifest.tsv")),
        "PKITS vectors not found at "
            + pkits.toAbsolutePath()
            + " (set -Dkeytransfer.vectors); skipping the PKITS suite");
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    certs = new TreeMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(pkits.resolve("certs"), "*.crt")) {
      for (Path p : ds) {
        try (InputStream in = Files.newInputStream(p)) {
          certs.put(p.getFileName().toString(), (X509Certificate) cf.generateCertificate(in));
        }
      }
    }
    crls = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(pkits.resolve("crls"), "*.crl")) {
      for (Path p : ds) {
        try (InputStream in = Files.newInputStream(p)) {
          crls.add((X509CRL) cf.generateCRL(in));
        }
      }
    }
  }

  /** The manifest's settings column as RFC 5280 6.1.1 inputs (manifest README). */
  static PkixSettings settings(String name) {
    switch (name) {
      case "default":
        return PkixSettings.DEFAULT;
      case "settings1":
        return new PkixSettings(Set.of(), true, false, false);
      case "settings2":
        return new PkixSettings(policies(1), true, false, false);
      case "settings3":
        return new PkixSettings(policies(2), true, false, false);
      case "settings4":
        return new PkixSettings(policies(1, 2), true, false, false);
      case "settings5":
        return new PkixSettings(policies(1), false, false, false);
      case "settings6":
        return new PkixSettings(policies(2), false, false, false);
      case "settings7":
        return new PkixSettings(policies(3), false, false, false);
      case "settings8":
        return new PkixSettings(Set.of(), false, true, false);
      case "settings9":
        return new PkixSettings(policies(6), false, false, false);
      case "settings10":
        return new PkixSettings(Set.of(), false, false, true);
      default:
        throw new IllegalArgumentException("unknown PKITS settings " + name);
    }
  }

  private static Set<String> policies(int... n) {
    Set<String> s = new TreeSet<>();
    for (int i : n) {
      s.add(POLICY_ARC + i);
    }
    return s;
  }

  /**
   * The error code a PKITS expected_reason label should map to, or null when any failure code will
   * do.
   */
  static Set<ErrorCode> codesFor(String expectedReason) {
    switch (expectedReason) {
      case "CertificateRevoked":
        return Set.of(ErrorCode.CERTIFICATE_REVOKED);
      case "InvalidNotAfterDate":
        return Set.of(ErrorCode.CERTIFICATE_EXPIRED);
      case "InvalidNotBeforeDate":
        return Set.of(ErrorCode.CERTIFICATE_NOT_YET_VALID);
      case "RevocationStatusNotDetermined":
        return Set.of(ErrorCode.CRL_MISSING, ErrorCode.CRL_STALE, ErrorCode.CRL_INVALID);
      case "NameChainingFailure":
        return Set.of(ErrorCode.CERTIFICATE_INVALID, ErrorCode.CERTIFICATE_UNTRUSTED);
      default:
        return Set.of(ErrorCode.CERTIFICATE_INVALID);
    }
  }

  @Test
  void pkits_allManifestRows_agreeWithExpectedVerdict() throws IOException {
    List<String> lines = Files.readAllLines(pkits.resolve("manifest.tsv"), StandardCharsets.UTF_8);
    List<String> header = Arrays.asList(lines.get(0).split("\t"));
    int cId = header.indexOf("test_id");
    int cSection = header.indexOf("section");
    int cEe = header.indexOf("end_entity_cert");
    int cExpected = header.indexOf("expected");
    int cReason = header.indexOf("expected_reason");
    int cSettings = header.indexOf("settings");
    int cChain = header.indexOf("chain_anchor_to_issuer");

    X509Certificate anchor = certs.get(ANCHOR);
    List<X509Certificate> extra = new ArrayList<>(certs.values());
    Map<String, int[]> perSection = new TreeMap<>(PkitsTest::compareSections);
    Map<String, String> disagreements = new TreeMap<>();
    List<String> reasonMismatches = new ArrayList<>();
    int rows = 0;
    int rejectedAgreeing = 0;
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      rows++;
      String[] f = line.split("\t", -1);
      String id = f[cId];
      boolean expectValid = f[cExpected].equals("valid");
      List<String> chain = Arrays.asList(f[cChain].trim().split(" "));
      assertThat(chain.get(0)).as("row %s starts at the trust anchor", id).isEqualTo(ANCHOR);
      List<X509Certificate> path = new ArrayList<>();
      path.add(cert(f[cEe]));
      for (int i = chain.size() - 1; i >= 1; i--) {
        path.add(cert(chain.get(i)));
      }
      ErrorCode got = null;
      String message = null;
      try {
        PkixCertificateValidator.validateRfc5280(
            path, anchor, crls, extra, VALIDATION_TIME, settings(f[cSettings]));
      } catch (CertificateValidationException e) {
        got = e.code();
        message = e.getMessage();
      }
      boolean agree = expectValid == (got == null);
      int[] counts = perSection.computeIfAbsent(f[cSection], k -> new int[2]);
      counts[1]++;
      if (agree) {
        counts[0]++;
        if (got != null) {
          rejectedAgreeing++;
          if (!codesFor(f[cReason]).contains(got)) {
            reasonMismatches.add(id + " (" + f[cReason] + " -> " + got + ")");
          }
        }
      } else {
        disagreements.put(
            id,
            "expected "
                + f[cExpected]
                + " ("
                + f[cReason]
                + "), got "
                + (got == null ? "valid" : got + ": " + message));
      }
    }

    int agreeing = rows - disagreements.size();
    System.out.println("PKITS: " + agreeing + "/" + rows + " agree");
    perSection.forEach(
        (s, c) -> System.out.println("  PKITS " + s + ": " + c[0] + "/" + c[1] + " agree"));
    disagreements.forEach(
        (id, why) -> System.out.println("  PKITS disagreement " + id + ": " + why));
    System.out.println(
        "  PKITS error code fits expected_reason: "
            + (rejectedAgreeing - reasonMismatches.size())
            + "/"
            + rejectedAgreeing
            + " rejected rows"
            + (reasonMismatches.isEmpty() ? "" : "; mismatches: " + reasonMismatches));

    assertThat(rows).as("manifest rows").isEqualTo(199);
    assertThat(disagreements.keySet())
        .as("PKITS disagreements: %s", disagreements)
        .containsExactlyInAnyOrderElementsOf(KNOWN_DISAGREEMENTS.keySet());
    assertThat(reasonMismatches)
        .as("error codes that do not match the PKITS expected_reason")
        .isEmpty();
  }

  private static X509Certificate cert(String name) {
    X509Certificate c = certs.get(name);
    if (c == null) {
      throw new IllegalStateException(
          "PKITS certificate " + name + " not found in " + pkits.resolve("certs"));
    }
    return c;
  }

  /** Orders "4.2" before "4.10". */
  private static int compareSections(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }
}
