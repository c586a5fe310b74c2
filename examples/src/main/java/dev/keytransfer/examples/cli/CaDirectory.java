package dev.keytransfer.examples.cli;

import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.crypto.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A certification authority kept as PEM files in one directory: {@code root.crt.pem}, {@code
 * kdh-ca.crt.pem}, {@code krd-ca.crt.pem}, their {@code .key.pem} private keys, and the CRLs {@code
 * root.crl.pem}, {@code kdh-ca.crl.pem}, {@code krd-ca.crl.pem}. Leaves live beside them as {@code
 * NAME.crt.pem} and {@code NAME.key.pem}.
 */
final class CaDirectory {
  static final String[] CAS = {"root", "kdh-ca", "krd-ca"};

  final Path dir;

  CaDirectory(Path dir) {
    this.dir = dir;
  }

  Path file(String name) {
    return dir.resolve(name);
  }

  boolean exists() {
    return Files.isRegularFile(file("root.crt.pem"));
  }

  void save(DefaultCertificateAuthority ca) {
    Inputs.privateDirectory(dir); // the CA's keys live here: 0700
    DefaultCertificateAuthority.State s = ca.exportState();
    Inputs.write(file("root.crt.pem"), Pem.encode(s.root()));
    Inputs.write(file("kdh-ca.crt.pem"), Pem.encode(s.kdhCa()));
    Inputs.write(file("krd-ca.crt.pem"), Pem.encode(s.krdCa()));
    Inputs.writeSecret(file("root.key.pem"), Pem.encode(s.rootKey()));
    Inputs.writeSecret(file("kdh-ca.key.pem"), Pem.encode(s.kdhCaKey()));
    Inputs.writeSecret(file("krd-ca.key.pem"), Pem.encode(s.krdCaKey()));
    saveCrls(ca);
  }

  void saveCrls(DefaultCertificateAuthority ca) {
    Inputs.write(file("root.crl.pem"), Pem.encode(ca.crls().get(0)));
    Inputs.write(file("kdh-ca.crl.pem"), Pem.encode(ca.crl(Role.KDH)));
    Inputs.write(file("krd-ca.crl.pem"), Pem.encode(ca.crl(Role.KRD)));
  }

  DefaultCertificateAuthority load() {
    requireCa();
    List<X509CRL> crls = new ArrayList<>();
    for (String n : CAS) {
      if (Files.isRegularFile(file(n + ".crl.pem"))) {
        crls.add(Inputs.crl(file(n + ".crl.pem")));
      }
    }
    DefaultCertificateAuthority.State s =
        new DefaultCertificateAuthority.State(
            Inputs.certificate(file("root.crt.pem")),
            Inputs.privateKey(file("root.key.pem")).privateKey(),
            Inputs.certificate(file("kdh-ca.crt.pem")),
            Inputs.privateKey(file("kdh-ca.key.pem")).privateKey(),
            Inputs.certificate(file("krd-ca.crt.pem")),
            Inputs.privateKey(file("krd-ca.key.pem")).privateKey(),
            crls);
    try {
      return DefaultCertificateAuthority.builder().clock(Clock.systemUTC()).restore(s).build();
    } catch (IllegalArgumentException e) {
      throw new CliException(dir + ": " + e.getMessage());
    }
  }

  void requireCa() {
    if (!exists()) {
      throw new CliException(
          "no certification authority in " + dir + " (run: keytransfer ca init --dir " + dir + ")");
    }
  }

  X509Certificate root() {
    requireCa();
    return Inputs.certificate(file("root.crt.pem"));
  }

  X509Certificate ca(Role role) {
    return Inputs.certificate(file(role == Role.KDH ? "kdh-ca.crt.pem" : "krd-ca.crt.pem"));
  }

  /** The CRL files as they are now (read again at every call, so a revocation applies at once). */
  List<X509CRL> crls(String... names) {
    List<X509CRL> out = new ArrayList<>();
    for (String n : names) {
      Path f = file(n + ".crl.pem");
      if (Files.isRegularFile(f)) {
        out.add(Inputs.crl(f));
      }
    }
    return out;
  }

  /** Trust the root, pin each role to its sub-CA. */
  ValidationPolicy.Builder policy() {
    return ValidationPolicy.builder()
        .trustAnchor(root())
        .roleIssuer(Role.KDH, ca(Role.KDH))
        .roleIssuer(Role.KRD, ca(Role.KRD));
  }

  X509Certificate leaf(String name) {
    requireCa();
    Path f = file(name + ".crt.pem");
    if (!Files.isRegularFile(f)) {
      throw new CliException(
          "no certificate "
              + f
              + " (run: keytransfer ca issue --dir "
              + dir
              + " --name "
              + name
              + " ...)");
    }
    return Inputs.certificate(f);
  }

  Path key(String name) {
    Path f = file(name + ".key.pem");
    if (!Files.isRegularFile(f)) {
      throw new CliException("no private key " + f);
    }
    return f;
  }
}
