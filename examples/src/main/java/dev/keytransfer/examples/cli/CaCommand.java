package dev.keytransfer.examples.cli;

import dev.keytransfer.KeyType;
import dev.keytransfer.ca.DirectoryCertificateAuthority;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.UnrecoverableKeyException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * S1: the certification authority kept in a directory of PEM files ({@link
 * DirectoryCertificateAuthority}); every command that signs or writes a key takes the passphrase of
 * the directory's keys ({@link PassphraseOption}).
 */
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

  /** {@code --key}: {@code rsa-2048}, {@code rsa-3072}, {@code ec-p256}, ... ({@link KeyType}). */
  static final class KeyTypeConverter implements picocli.CommandLine.ITypeConverter<KeyType> {
    @Override
    public KeyType convert(String value) {
      try {
        return KeyType.named(value);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "expected one of " + String.join(", ", KeyType.names()) + " but was '" + value + "'");
      }
    }
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description =
          "Create root, KDH CA and KRD CA with their keys (encrypted under the passphrase) and CRLs"
              + " in DIR.")
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

    @Option(
        names = "--key",
        defaultValue = "rsa-2048",
        paramLabel = "TYPE",
        converter = KeyTypeConverter.class,
        description =
            "Key of the three CAs: rsa-2048, rsa-3072, ec-p256, ec-p384 or ec-p521 (an EC CA signs"
                + " with ECDSA and the hash of its curve). Default: ${DEFAULT-VALUE}.")
    KeyType key;

    @Mixin PassphraseOption passphrase;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (DirectoryCertificateAuthority.exists(dir) && !force) {
        throw new CliException(
            "a certification authority already exists in " + dir + " (use --force to replace it)");
      }
      char[] p = passphrase.read("the new keys in " + dir, true);
      DirectoryCertificateAuthority.Builder b =
          DirectoryCertificateAuthority.at(dir).namePrefix(name).caKey(key);
      if (force) {
        b.replaceExisting();
      }
      try (DirectoryCertificateAuthority ca = b.create(p)) {
        PrintWriter out = spec.commandLine().getOut();
        out.println(
            "root:   "
                + ca.rootCertificate().getSubjectX500Principal().getName()
                + " -> "
                + ca.certificateFile("root"));
        out.println(
            "KDH CA: "
                + ca.issuingCertificate(Role.KDH).getSubjectX500Principal().getName()
                + " -> "
                + ca.certificateFile("kdh-ca"));
        out.println(
            "KRD CA: "
                + ca.issuingCertificate(Role.KRD).getSubjectX500Principal().getName()
                + " -> "
                + ca.certificateFile("krd-ca"));
        out.println(
            "CRLs:   "
                + ca.crlFile("kdh-ca")
                + ", "
                + ca.crlFile("krd-ca")
                + ", "
                + ca.crlFile("root"));
        out.println("keys:   encrypted under the passphrase, owner-only (0600) in " + dir);
      } catch (IOException e) {
        throw CaDirectory.failure(e);
      } finally {
        PassphraseOption.wipe(p);
      }
      return 0;
    }
  }

  @Command(
      name = "issue",
      mixinStandardHelpOptions = true,
      description =
          "Issue DIR/NAME.crt.pem for a role; without --csr also create the key pair"
              + " DIR/NAME.key.pem (encrypted under the passphrase).")
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

    @Option(
        names = "--key",
        paramLabel = "TYPE",
        converter = KeyTypeConverter.class,
        description =
            "Key pair to create (not with --csr): rsa-2048, rsa-3072, ec-p256, ec-p384 or ec-p521."
                + " An EC KRD key gets keyUsage keyAgreement, an EC KDH key digitalSignature and"
                + " keyAgreement. Default: rsa-2048.")
    KeyType key;

    @Mixin PassphraseOption passphrase;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws KeyTransferException {
      CaDirectory.checkName(name);
      if (key != null && csr != null) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "--key makes a new key pair: not with --csr, whose key exists");
      }
      CaDirectory.requireCa(dir);
      Role r = role == RoleName.kdh ? Role.KDH : Role.KRD;
      KeyType keyType = key != null ? key : KeyType.RSA_2048;
      for (String existing : List.of(name + ".crt.pem", name + ".key.pem")) {
        if (Files.exists(dir.resolve(existing)) && !force) { // before asking for the passphrase
          throw new CliException(
              dir.resolve(existing) + " already exists (use --force to replace it and its key)");
        }
      }
      byte[] request = csr == null ? null : Inputs.binary(csr);
      DirectoryCertificateAuthority ca = CaDirectory.open(dir, passphrase).authority();
      CertificateChain chain;
      try {
        chain =
            request == null ? ca.issue(name, r, keyType, force) : ca.issue(name, r, request, force);
      } catch (IOException | UnrecoverableKeyException e) {
        throw CaDirectory.failure(e);
      } finally {
        ca.close();
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          r
              + " certificate "
              + chain.leaf().getSubjectX500Principal().getName()
              + " serial "
              + chain.leaf().getSerialNumber().toString(16)
              + " -> "
              + ca.certificateFile(name));
      if (request == null) {
        out.println("private key " + keyType + " -> " + ca.keyFile(name) + " (encrypted)");
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

    @Mixin PassphraseOption passphrase;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws KeyTransferException {
      CaDirectory.requireCa(dir);
      X509Certificate c = Inputs.certificate(cert);
      DirectoryCertificateAuthority ca = CaDirectory.open(dir, passphrase).authority();
      try {
        ca.revoke(c);
      } catch (IOException | UnrecoverableKeyException e) {
        throw CaDirectory.failure(e);
      } finally {
        ca.close();
      }
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
      description =
          "Re-issue the CRLs older than half their validity (run before they go stale) and write"
              + " all three.")
  static final class Crl implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "The CA directory.")
    Path dir;

    @Mixin PassphraseOption passphrase;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws KeyTransferException {
      DirectoryCertificateAuthority ca = CaDirectory.open(dir, passphrase).authority();
      List<X509CRL> crls;
      try {
        crls = ca.refreshCrls();
      } catch (IOException | UnrecoverableKeyException e) {
        throw CaDirectory.failure(e);
      } finally {
        ca.close();
      }
      spec.commandLine()
          .getOut()
          .println("CRLs valid until " + crls.get(1).getNextUpdate().toInstant() + " in " + dir);
      return 0;
    }
  }
}
