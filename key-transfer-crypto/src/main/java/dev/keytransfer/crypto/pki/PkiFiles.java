package dev.keytransfer.crypto.pki;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.spi.BindingStore;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.KeyLedger;
import dev.keytransfer.core.spi.KeySource;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.spi.TerminalKeyStore;
import dev.keytransfer.crypto.Pem;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.UnrecoverableKeyException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A role's identity and trust material read from PEM files laid out as {@code keytransfer ca}
 * writes them (S1): {@code root.crt.pem}, {@code kdh-ca.crt.pem}, {@code krd-ca.crt.pem}, the CRLs
 * {@code root.crl.pem}, {@code kdh-ca.crl.pem}, {@code krd-ca.crl.pem}, and for each device or host
 * {@code NAME.crt.pem} with its private key {@code NAME.key.pem}, which {@code keytransfer ca}
 * writes encrypted under the directory's passphrase (the overloads taking a {@code char[]}). No CA
 * private key is read.
 *
 * <p>What each side needs in its directory:
 *
 * <ul>
 *   <li>a key host (KDH): {@code NAME.key.pem}, {@code NAME.crt.pem}, the three CA certificates and
 *       the three CRLs (it sends the root and KDH CA CRLs in CT-KDH and checks terminals against
 *       the root and KRD CA CRLs);
 *   <li>a terminal (KRD): {@code NAME.key.pem}, {@code NAME.crt.pem} and the three CA certificates
 *       (the host's CRLs arrive in CT-KDH).
 * </ul>
 *
 * <p>Certificates and keys are read once, when asked for; CRL files are read again whenever they
 * change on disk, so a new CRL applies to the next session. A CRL file that is missing or
 * unreadable is left out, which the validator refuses (fail closed, {@code CRL_MISSING}).
 */
public final class PkiFiles {
  private static final Logger LOG = LoggerFactory.getLogger(PkiFiles.class);

  private final Path dir;

  private PkiFiles(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
  }

  /** The files in {@code dir}; nothing is read yet. */
  public static PkiFiles in(Path dir) {
    return new PkiFiles(dir);
  }

  /** The directory. */
  public Path dir() {
    return dir;
  }

  /** The trust anchor, {@code root.crt.pem}. */
  public X509Certificate rootCertificate() throws IOException, MalformedTokenException {
    return certificate(dir.resolve("root.crt.pem"));
  }

  /** The issuing CA of a role: {@code kdh-ca.crt.pem} or {@code krd-ca.crt.pem}. */
  public X509Certificate caCertificate(Role role) throws IOException, MalformedTokenException {
    return certificate(dir.resolve(caName(role) + ".crt.pem"));
  }

  /** {@code NAME.crt.pem} followed by its role's CA certificate. */
  public CertificateChain chain(String name, Role role)
      throws IOException, MalformedTokenException {
    return CertificateChain.of(certificate(dir.resolve(name + ".crt.pem")), caCertificate(role));
  }

  /**
   * The private key {@code NAME.key.pem} (PKCS#8, PKCS#1 or SEC 1 PEM, RSA or EC), unencrypted; an
   * encrypted one needs {@link #privateKey(String, char[])}.
   */
  public SoftwareKeyHandle privateKey(String name) throws IOException, MalformedTokenException {
    Path f = dir.resolve(name + ".key.pem");
    byte[] pem = read(f);
    try {
      return SoftwareKeyHandle.of(Pem.keyPair(pem), f.getFileName().toString());
    } catch (MalformedTokenException e) {
      throw new MalformedTokenException(e.code(), f.getFileName() + ": " + e.getMessage());
    } finally {
      java.util.Arrays.fill(pem, (byte) 0);
    }
  }

  /**
   * The private key {@code NAME.key.pem} encrypted under {@code passphrase}, as {@code keytransfer
   * ca} writes every key (PKCS#8 "ENCRYPTED PRIVATE KEY", {@link Pem#keyPair(byte[], char[])}); an
   * unencrypted one is read as well. The passphrase is not kept; the caller wipes its array.
   *
   * @throws UnrecoverableKeyException if the key does not decrypt with {@code passphrase}
   */
  public SoftwareKeyHandle privateKey(String name, char[] passphrase)
      throws IOException, MalformedTokenException, UnrecoverableKeyException {
    Path f = dir.resolve(name + ".key.pem");
    byte[] pem = read(f);
    try {
      return SoftwareKeyHandle.of(Pem.keyPair(pem, passphrase), f.getFileName().toString());
    } catch (MalformedTokenException e) {
      throw new MalformedTokenException(e.code(), f.getFileName() + ": " + e.getMessage());
    } catch (UnrecoverableKeyException e) {
      throw new UnrecoverableKeyException(f.getFileName() + ": " + e.getMessage());
    } finally {
      java.util.Arrays.fill(pem, (byte) 0);
    }
  }

  /**
   * The CRLs {@code NAME.crl.pem} for the given names (such as {@code "root"}, {@code "kdh-ca"}),
   * as they are on disk at each call.
   */
  public Supplier<List<X509CRL>> crls(String... names) {
    List<CrlFile> files = new ArrayList<>();
    for (String n : names) {
      files.add(new CrlFile(dir.resolve(n + ".crl.pem")));
    }
    return () -> {
      List<X509CRL> out = new ArrayList<>();
      for (CrlFile f : files) {
        X509CRL crl = f.current();
        if (crl != null) {
          out.add(crl);
        }
      }
      return out;
    };
  }

  /**
   * A policy trusting {@code root.crt.pem}, pinning each role to its CA ({@code kdh-ca.crt.pem},
   * {@code krd-ca.crt.pem}) and checking against the three CRL files as they are at each session (a
   * terminal has none: the host's arrive in CT-KDH); add to it or {@link
   * ValidationPolicy.Builder#build() build} it as it is.
   */
  public ValidationPolicy.Builder validationPolicy() throws IOException, MalformedTokenException {
    return ValidationPolicy.builder()
        .trustAnchor(rootCertificate())
        .roleIssuer(Role.KDH, caCertificate(Role.KDH))
        .roleIssuer(Role.KRD, caCertificate(Role.KRD))
        .crlSource(crls("root", "kdh-ca", "krd-ca"));
  }

  /**
   * The key host {@code NAME}: its chain, signing key, and the root and KDH CA CRLs it carries in
   * CT-KDH (TR-34 5.4.3), with the given key source, device policy and ledger.
   */
  public DistributionTerminal host(
      String name, KeySource keySource, DevicePolicy devicePolicy, KeyLedger ledger)
      throws IOException, MalformedTokenException {
    return DistributionTerminal.of(
        chain(name, Role.KDH),
        privateKey(name),
        crls("root", "kdh-ca"),
        keySource,
        devicePolicy,
        ledger);
  }

  /** The terminal {@code NAME}: its chain and key-transport key, with the given stores. */
  public ReceivingTerminal terminal(
      String name, TerminalKeyStore keyStore, BindingStore bindingStore)
      throws IOException, MalformedTokenException {
    return ReceivingTerminal.of(chain(name, Role.KRD), privateKey(name), keyStore, bindingStore);
  }

  /**
   * {@link #host(String, KeySource, DevicePolicy, KeyLedger)} with the private key encrypted under
   * {@code passphrase} ({@link #privateKey(String, char[])}).
   */
  public DistributionTerminal host(
      String name,
      char[] passphrase,
      KeySource keySource,
      DevicePolicy devicePolicy,
      KeyLedger ledger)
      throws IOException, MalformedTokenException, UnrecoverableKeyException {
    return DistributionTerminal.of(
        chain(name, Role.KDH),
        privateKey(name, passphrase),
        crls("root", "kdh-ca"),
        keySource,
        devicePolicy,
        ledger);
  }

  /**
   * {@link #terminal(String, TerminalKeyStore, BindingStore)} with the private key encrypted under
   * {@code passphrase} ({@link #privateKey(String, char[])}).
   */
  public ReceivingTerminal terminal(
      String name, char[] passphrase, TerminalKeyStore keyStore, BindingStore bindingStore)
      throws IOException, MalformedTokenException, UnrecoverableKeyException {
    return ReceivingTerminal.of(
        chain(name, Role.KRD), privateKey(name, passphrase), keyStore, bindingStore);
  }

  @Override
  public String toString() {
    return "PkiFiles[" + dir + "]";
  }

  private static String caName(Role role) {
    return role == Role.KDH ? "kdh-ca" : "krd-ca";
  }

  private static X509Certificate certificate(Path f) throws IOException, MalformedTokenException {
    try {
      return Pem.certificate(read(f));
    } catch (MalformedTokenException e) {
      throw new MalformedTokenException(e.code(), f.getFileName() + ": " + e.getMessage());
    }
  }

  /** Reads a file of at most {@link Pem#MAX_INPUT_LENGTH} bytes, saying why it cannot be read. */
  private static byte[] read(Path f) throws IOException {
    return Pem.readFile(f);
  }

  /**
   * One CRL file, read at every call (CRLs are small) and parsed again only when its bytes change,
   * so a re-issued CRL of the same size and time stamp is still seen.
   */
  private static final class CrlFile {
    private final Path file;
    private byte[] bytes;
    private X509CRL crl;
    private String problem;

    CrlFile(Path file) {
      this.file = file;
    }

    synchronized X509CRL current() {
      try {
        byte[] now = read(file);
        if (!java.util.Arrays.equals(now, bytes)) {
          crl = Pem.crl(now);
          bytes = now;
        }
        problem = null;
        return crl;
      } catch (IOException | MalformedTokenException e) {
        String p = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (!p.equals(problem)) {
          if (e instanceof NoSuchFileException) { // expected where a side has no such file
            LOG.debug("CRL file {} absent; certificates it would cover are refused", file);
          } else {
            LOG.warn("CRL file {} left out ({}); certificates it covers are refused", file, p);
          }
          problem = p;
        }
        crl = null;
        bytes = null;
        return null;
      }
    }
  }
}
