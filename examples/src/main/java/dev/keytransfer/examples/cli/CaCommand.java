package dev.keytransfer.examples.cli;

import dev.keytransfer.Enrollment;
import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.crypto.Pem;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** S1: the certification authority kept in a directory of PEM files. */
@Command(
    name = "ca",
    mixinStandardHelpOptions = true,
    description = "S1: a certification authority in a directory.",
    subcommands = {
      CaCommand.Init.class,
      CaCommand.Issue.class,
      CaCommand.Revoke.class,
      CaCommand.Crl.class
    })
final class CaCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: init, issue, revoke, crl");
  }

  enum RoleName {
    kdh,
    krd
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = "Create root, KDH CA and KRD CA with their keys and CRLs in DIR.")
  static final class Init implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "Directory to create the CA in.")
    Path dir;

    @Option(
        names = "--name",
        defaultValue = "key-transfer",
        description = "Name prefix of the CAs (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--force", description = "Replace an existing CA in DIR.")
    boolean force;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      CaDirectory d = new CaDirectory(dir);
      if (d.exists() && !force) {
        throw new CliException(
            "a certification authority already exists in " + dir + " (use --force to replace it)");
      }
      DefaultCertificateAuthority ca = DefaultCertificateAuthority.create(name, Clock.systemUTC());
      d.save(ca);
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          "root:   "
              + ca.rootCertificate().getSubjectX500Principal().getName()
              + " -> "
              + d.file("root.crt.pem"));
      out.println(
          "KDH CA: "
              + ca.issuingCertificate(Role.KDH).getSubjectX500Principal().getName()
              + " -> "
              + d.file("kdh-ca.crt.pem"));
      out.println(
          "KRD CA: "
              + ca.issuingCertificate(Role.KRD).getSubjectX500Principal().getName()
              + " -> "
              + d.file("krd-ca.crt.pem"));
      out.println(
          "CRLs:   "
              + d.file("kdh-ca.crl.pem")
              + ", "
              + d.file("krd-ca.crl.pem")
              + ", "
              + d.file("root.crl.pem"));
      return 0;
    }
  }

  @Command(
      name = "issue",
      mixinStandardHelpOptions = true,
      description =
          "Issue DIR/NAME.crt.pem for a role; without --csr also create the key pair"
              + " DIR/NAME.key.pem.")
  static final class Issue implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "The CA directory.")
    Path dir;

    @Option(
        names = "--role",
        required = true,
        description = "kdh (key host: signs) or krd (terminal: decrypts).")
    RoleName role;

    @Option(
        names = "--name",
        required = true,
        description = "Name of the certificate holder (file name and CN).")
    String name;

    @Option(
        names = "--csr",
        description = "A PKCS#10 request (PEM or DER) whose key stays with its holder.")
    Path csr;

    @Option(
        names = "--force",
        description = "Replace an existing NAME.crt.pem (and NAME.key.pem) in DIR.")
    boolean force;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws KeyTransferException {
      if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new CliException("--name must be 1-64 letters, digits, '.', '_' or '-'");
      }
      CaDirectory d = new CaDirectory(dir);
      DefaultCertificateAuthority ca = d.load();
      Role r = role == RoleName.kdh ? Role.KDH : Role.KRD;
      for (Path existing : List.of(d.file(name + ".crt.pem"), d.file(name + ".key.pem"))) {
        if (Files.exists(existing) && !force) {
          throw new CliException(
              existing + " already exists (use --force to replace it and its key)");
        }
      }
      CertificateChain chain;
      if (csr != null) {
        chain = ca.issue(Inputs.binary(csr), r);
      } else {
        BcCryptoProvider crypto = new BcCryptoProvider();
        SoftwareKeyHandle key =
            (SoftwareKeyHandle) crypto.generateRsaKeyPair(Enrollment.DEFAULT_RSA_BITS, name);
        chain = Enrollment.certify(ca, crypto, key, name, r);
        Inputs.writeSecret(d.file(name + ".key.pem"), Pem.encode(key.privateKey()));
      }
      Inputs.write(d.file(name + ".crt.pem"), Pem.encode(chain.leaf()));
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          r
              + " certificate "
              + chain.leaf().getSubjectX500Principal().getName()
              + " serial "
              + chain.leaf().getSerialNumber().toString(16)
              + " -> "
              + d.file(name + ".crt.pem"));
      if (csr == null) {
        out.println("private key -> " + d.file(name + ".key.pem"));
      }
      return 0;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Revoke a certificate and re-issue its CA's CRL.")
  static final class Revoke implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "The CA directory.")
    Path dir;

    @Option(
        names = "--cert",
        required = true,
        description = "The certificate to revoke (PEM or DER).")
    Path cert;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws KeyTransferException {
      CaDirectory d = new CaDirectory(dir);
      DefaultCertificateAuthority ca = d.load();
      var c = Inputs.certificate(cert);
      ca.revoke(c);
      d.saveCrls(ca);
      spec.commandLine()
          .getOut()
          .println(
              "revoked "
                  + c.getSubjectX500Principal().getName()
                  + " serial "
                  + c.getSerialNumber().toString(16)
                  + "; CRLs re-issued in "
                  + dir);
      return 0;
    }
  }

  @Command(
      name = "crl",
      mixinStandardHelpOptions = true,
      description = "Re-issue the three CRLs (run before they go stale).")
  static final class Crl implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "The CA directory.")
    Path dir;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      CaDirectory d = new CaDirectory(dir);
      DefaultCertificateAuthority ca = d.load();
      d.saveCrls(ca);
      spec.commandLine()
          .getOut()
          .println(
              "CRLs valid until " + ca.crl(Role.KDH).getNextUpdate().toInstant() + " in " + dir);
      return 0;
    }
  }
}
