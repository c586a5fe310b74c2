package dev.keytransfer.crypto.testing;

import dev.keytransfer.core.tls.TlsSettings;
import dev.keytransfer.crypto.Pem;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A TLS CA generated in code, separate from the TR-34 PKI of {@link TestPki}: server certificates
 * with subjectAltNames, client certificates, all RSA-2048 signed with SHA-256.
 */
public final class TlsCerts {
  private static final AtomicLong SERIAL = new AtomicLong(1);

  public final KeyPair caKeys;
  public final X509Certificate ca;

  /** A TLS certificate and its key. */
  public record Identity(PrivateKey key, X509Certificate certificate) {
    public List<X509Certificate> chain() {
      return List.of(certificate);
    }
  }

  private TlsCerts(String name) {
    caKeys = TestPki.rsa(2048);
    ca = sign(name + " TLS CA", caKeys, caKeys, true, null, null);
  }

  public static TlsCerts create(String name) {
    return new TlsCerts(name);
  }

  /** A server certificate for {@code dnsNames} and {@code ips} (subjectAltName), serverAuth. */
  public Identity server(String cn, List<String> dnsNames, List<String> ips) {
    GeneralName[] names = new GeneralName[dnsNames.size() + ips.size()];
    int i = 0;
    for (String d : dnsNames) {
      names[i++] = new GeneralName(GeneralName.dNSName, d);
    }
    for (String ip : ips) {
      names[i++] = new GeneralName(GeneralName.iPAddress, ip);
    }
    KeyPair k = TestPki.rsa(2048);
    return new Identity(
        k.getPrivate(),
        sign(cn, k, caKeys, false, new GeneralNames(names), KeyPurposeId.id_kp_serverAuth));
  }

  /** The usual local host: DNS localhost and IP 127.0.0.1. */
  public Identity localServer(String cn) {
    return server(cn, List.of("localhost"), List.of("127.0.0.1"));
  }

  /** A client certificate (clientAuth). */
  public Identity client(String cn) {
    KeyPair k = TestPki.rsa(2048);
    return new Identity(
        k.getPrivate(), sign(cn, k, caKeys, false, null, KeyPurposeId.id_kp_clientAuth));
  }

  /** Server settings: this identity, and client certificates under {@code clientCa} if not null. */
  public static TlsSettings serverSettings(Identity id, X509Certificate clientCa) {
    TlsSettings.Builder b = TlsSettings.builder().identity(id.key(), id.chain());
    if (clientCa != null) {
      b.trust(List.of(clientCa));
    }
    return b.build();
  }

  /** Client settings trusting this CA, with {@code id} as the client certificate if not null. */
  public TlsSettings clientSettings(Identity id) {
    TlsSettings.Builder b = TlsSettings.builder().trust(List.of(ca));
    if (id != null) {
      b.identity(id.key(), id.chain());
    }
    return b.build();
  }

  /** Writes the certificate and the (plain PKCS#8) key as PEM files: {@code NAME.crt.pem} etc. */
  public static Path[] write(Identity id, Path dir, String name) throws IOException {
    Path cert = dir.resolve(name + ".crt.pem");
    Path key = dir.resolve(name + ".key.pem");
    Files.writeString(cert, Pem.encode(id.certificate()));
    Files.writeString(key, Pem.encode(id.key()));
    return new Path[] {cert, key};
  }

  /** Writes the CA certificate as PEM. */
  public Path writeCa(Path file) throws IOException {
    Files.writeString(file, Pem.encode(ca));
    return file;
  }

  private X509Certificate sign(
      String cn,
      KeyPair subject,
      KeyPair issuer,
      boolean isCa,
      GeneralNames sans,
      KeyPurposeId purpose) {
    try {
      Instant now = Instant.now();
      X500Name issuerName = isCa ? new X500Name("CN=" + cn) : new X500Name("CN=" + caName());
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              issuerName,
              BigInteger.valueOf(SERIAL.getAndIncrement()),
              Date.from(now.minus(1, ChronoUnit.HOURS)),
              Date.from(now.plus(1, ChronoUnit.DAYS)),
              new X500Name("CN=" + cn),
              subject.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      b.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(
              isCa
                  ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                  : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      if (sans != null) {
        b.addExtension(Extension.subjectAlternativeName, false, sans);
      }
      if (purpose != null) {
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      }
      return new JcaX509CertificateConverter()
          .getCertificate(
              b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuer.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a TLS test certificate", e);
    }
  }

  private String caName() {
    return ca.getSubjectX500Principal().getName().substring(3);
  }
}
