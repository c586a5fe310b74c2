package dev.keytransfer.core.tls;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.TransportException;
import java.io.IOException;
import java.math.BigInteger;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * The optional TLS layer of the TCP transport: TLS 1.3 only, no fallback (docs/SECURITY.md A3). One
 * immutable value serves both ends:
 *
 * <ul>
 *   <li>the host ({@code NettyKeyServer}, {@code TcpKeyServer}) needs its {@linkplain
 *       Builder#identity identity} (certificate chain and private key); with {@linkplain
 *       Builder#trust trusted CAs} it requires a client certificate issued under one of them
 *       (mutual TLS);
 *   <li>the terminal ({@code TcpTransport}) needs the CAs it trusts for the host's certificate
 *       (never the JDK's default trust store unless {@link Builder#trustJdkDefaults} asks for it),
 *       checks that the certificate names the host it dialled (its subjectAltName, as HTTPS does;
 *       on by default), and presents an identity of its own if it has one.
 * </ul>
 *
 * <p>TLS is defence in depth: the TR-34 tokens are signed and encrypted end to end whether or not
 * it is on, and nothing in the handshake depends on it. {@link #toString()} names certificate
 * subjects only, never the key.
 */
public final class TlsSettings {
  /** The one protocol offered and accepted. */
  public static final String PROTOCOL = "TLSv1.3";

  private final List<X509Certificate> chain;
  private final PrivateKey key;
  private final List<X509Certificate> trusted;
  private final boolean jdkDefaults;
  private final boolean hostnameVerification;
  private final KeyManagerFactory keyManagers;
  private final TrustManagerFactory trustManagers;

  private TlsSettings(Builder b) {
    this.chain = List.copyOf(b.chain);
    this.key = b.key;
    this.trusted = List.copyOf(b.trusted);
    this.jdkDefaults = b.jdkDefaults;
    this.hostnameVerification = b.hostnameVerification;
    try {
      this.keyManagers = key == null ? null : keyManagers(key, chain);
      this.trustManagers = trusted.isEmpty() && !jdkDefaults ? null : trustManagers(trusted);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot use the TLS key or certificates: " + e, e);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The identity's certificate chain, leaf first; empty without an identity. */
  public List<X509Certificate> certificateChain() {
    return chain;
  }

  /** True if this side presents a certificate. */
  public boolean hasIdentity() {
    return key != null;
  }

  /** The CA certificates trusted for the peer's certificate (empty: none, or the JDK's). */
  public List<X509Certificate> trustedCertificates() {
    return trusted;
  }

  /**
   * On a server: a client certificate is required (mutual TLS), because CAs to check it against
   * were given.
   */
  public boolean requiresClientCertificate() {
    return trustManagers != null;
  }

  /** On a client: the host's certificate must name the host dialled (default true). */
  public boolean hostnameVerification() {
    return hostnameVerification;
  }

  /**
   * The key managers of the identity, for a TLS engine configured elsewhere (Netty's {@code
   * SslContextBuilder}); null without an identity.
   */
  public KeyManagerFactory keyManagerFactory() {
    return keyManagers;
  }

  /** The trust managers for the peer's certificate; null if no CA is trusted. */
  public TrustManagerFactory trustManagerFactory() {
    return trustManagers;
  }

  /** A TLS 1.3 context with this identity and trust. */
  public SSLContext sslContext() {
    try {
      SSLContext ctx = SSLContext.getInstance(PROTOCOL);
      ctx.init(
          keyManagers == null ? null : keyManagers.getKeyManagers(),
          trustManagers == null ? null : trustManagers.getTrustManagers(),
          null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make a TLS 1.3 context: " + e, e);
    }
  }

  /**
   * The parameters of a client socket: TLS 1.3 only, the host name checked unless turned off.
   *
   * @throws IllegalStateException if no CA is trusted: a client must check the host's certificate
   */
  public SSLParameters clientParameters(SSLContext ctx) {
    if (trustManagers == null) {
      throw new IllegalStateException("a TLS client needs the CA certificates it trusts");
    }
    SSLParameters p = ctx.getDefaultSSLParameters();
    p.setProtocols(new String[] {PROTOCOL});
    if (hostnameVerification) {
      p.setEndpointIdentificationAlgorithm("HTTPS");
    }
    return p;
  }

  /**
   * The parameters of a server socket: TLS 1.3 only, a client certificate required when CAs are
   * trusted.
   *
   * @throws IllegalStateException without an identity
   */
  public SSLParameters serverParameters(SSLContext ctx) {
    if (key == null) {
      throw new IllegalStateException("a TLS server needs a certificate and its private key");
    }
    SSLParameters p = ctx.getDefaultSSLParameters();
    p.setProtocols(new String[] {PROTOCOL});
    p.setNeedClientAuth(requiresClientCertificate());
    return p;
  }

  /**
   * A TLS or connection failure as the SDK's exception, with a one-line message: {@code TIMEOUT}
   * for a timeout, {@code TLS_FAILURE} for any TLS refusal (certificate, host name, missing client
   * certificate, protocol version), {@code TRANSPORT_FAILURE} otherwise. The JDK's messages name
   * certificates and alerts, never key material.
   */
  public static TransportException failure(Throwable e, String context) {
    Throwable t = e;
    for (int i = 0; i < 8 && t != null; i++) {
      if (t instanceof SocketTimeoutException) {
        return new TransportException(ErrorCode.TIMEOUT, context + ": timed out");
      }
      if (t instanceof SSLException) {
        return new TransportException(
            ErrorCode.TLS_FAILURE, context + ": TLS refused: " + oneLine(rootMessage(t)));
      }
      t = t.getCause();
    }
    return new TransportException(ErrorCode.TRANSPORT_FAILURE, context + ": " + oneLine(e));
  }

  /** The innermost message of an SSL exception chain, which says what was refused. */
  private static Throwable rootMessage(Throwable t) {
    Throwable best = t;
    for (Throwable c = t.getCause(); c != null && c != best; c = c.getCause()) {
      if (c.getMessage() != null) {
        best = c;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return best;
  }

  private static String oneLine(Throwable t) {
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int nl = m.indexOf('\n');
    if (nl >= 0) {
      m = m.substring(0, nl);
    }
    return m.length() > 200 ? m.substring(0, 200) + "..." : m;
  }

  private static KeyManagerFactory keyManagers(PrivateKey key, List<X509Certificate> chain)
      throws GeneralSecurityException, IOException {
    char[] password = new char[20];
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < password.length; i++) {
      password[i] = (char) ('a' + random.nextInt(26));
    }
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("tls", key, password, chain.toArray(new Certificate[0]));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, password);
      return kmf;
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  private static TrustManagerFactory trustManagers(List<X509Certificate> trusted)
      throws GeneralSecurityException, IOException {
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    if (trusted.isEmpty()) {
      tmf.init((KeyStore) null); // the JDK's default trust store, asked for
      return tmf;
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    int i = 0;
    for (X509Certificate c : trusted) {
      ks.setCertificateEntry("ca" + i++, c);
    }
    tmf.init(ks);
    return tmf;
  }

  @Override
  public String toString() {
    return "TlsSettings["
        + PROTOCOL
        + (chain.isEmpty() ? "" : ", identity " + chain.get(0).getSubjectX500Principal().getName())
        + (trusted.isEmpty() ? "" : ", " + trusted.size() + " trusted CA(s)")
        + (jdkDefaults ? ", JDK default trust" : "")
        + (hostnameVerification ? "" : ", no host name check")
        + "]";
  }

  /** Builder; nothing is set by default and the host name check is on. */
  public static final class Builder {
    private List<X509Certificate> chain = List.of();
    private PrivateKey key;
    private final List<X509Certificate> trusted = new ArrayList<>();
    private boolean jdkDefaults;
    private boolean hostnameVerification = true;

    private Builder() {}

    /**
     * This side's certificate chain, leaf first, and the leaf's private key.
     *
     * @throws IllegalArgumentException if the chain is empty or, for RSA, the key is not the leaf's
     */
    public Builder identity(PrivateKey privateKey, List<X509Certificate> certificateChain) {
      Objects.requireNonNull(privateKey, "private key");
      List<X509Certificate> c = List.copyOf(certificateChain);
      if (c.isEmpty()) {
        throw new IllegalArgumentException("the TLS certificate chain is empty");
      }
      if (privateKey instanceof RSAKey k
          && c.get(0).getPublicKey() instanceof RSAKey pub
          && !modulus(k).equals(modulus(pub))) {
        throw new IllegalArgumentException(
            "the TLS private key does not belong to "
                + c.get(0).getSubjectX500Principal().getName());
      }
      this.key = privateKey;
      this.chain = c;
      return this;
    }

    /**
     * The identity from a key store entry (e.g. a PKCS#12 file loaded by the caller).
     *
     * @throws IllegalArgumentException if the alias holds no private key with a certificate chain
     */
    public Builder identity(KeyStore keyStore, String alias, char[] password) {
      try {
        if (!(keyStore.getKey(alias, password) instanceof PrivateKey k)) {
          throw new IllegalArgumentException("no private key under alias " + alias);
        }
        Certificate[] certs = keyStore.getCertificateChain(alias);
        if (certs == null) {
          throw new IllegalArgumentException("no certificate chain under alias " + alias);
        }
        List<X509Certificate> c = new ArrayList<>();
        for (Certificate cert : certs) {
          c.add((X509Certificate) cert);
        }
        return identity(k, c);
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("cannot read alias " + alias + ": " + e, e);
      }
    }

    /**
     * CA certificates trusted for the peer's certificate: on a client, the host's CA; on a server,
     * the CAs of the client certificates it then requires (mutual TLS).
     */
    public Builder trust(Collection<X509Certificate> caCertificates) {
      for (X509Certificate c : caCertificates) {
        trusted.add(Objects.requireNonNull(c, "CA certificate"));
      }
      return this;
    }

    /** As {@link #trust(Collection)}, for the trusted certificate entries of a key store. */
    public Builder trust(KeyStore keyStore) {
      try {
        for (String alias : Collections.list(keyStore.aliases())) {
          if (keyStore.isCertificateEntry(alias)
              && keyStore.getCertificate(alias) instanceof X509Certificate c) {
            trusted.add(c);
          }
        }
        return this;
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("cannot read the trust store: " + e, e);
      }
    }

    /**
     * Trust the JDK's default trust store instead of given CAs (a host with a certificate from a
     * public CA). Off by default: a terminal should trust its own CA only.
     */
    public Builder trustJdkDefaults() {
      this.jdkDefaults = true;
      return this;
    }

    /**
     * Whether a client checks that the host's certificate names the host dialled (its
     * subjectAltName DNS name or IP address). On by default; turning it off accepts any certificate
     * of a trusted CA.
     */
    public Builder hostnameVerification(boolean on) {
      this.hostnameVerification = on;
      return this;
    }

    /**
     * @throws IllegalArgumentException for CAs given together with the JDK defaults
     */
    public TlsSettings build() {
      if (jdkDefaults && !trusted.isEmpty()) {
        throw new IllegalArgumentException("trust either given CAs or the JDK defaults, not both");
      }
      return new TlsSettings(this);
    }

    private static BigInteger modulus(RSAKey k) {
      return k.getModulus();
    }
  }
}
