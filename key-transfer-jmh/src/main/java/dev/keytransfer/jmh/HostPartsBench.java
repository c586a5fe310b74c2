package dev.keytransfer.jmh;

import dev.keytransfer.Enrollment;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.crypto.pki.PkixCertificateValidator;
import java.io.ByteArrayInputStream;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Parts of a host handshake that are not in its crypto floor, each alone, to bound what the host
 * can reach against the floor ({@link HostParts}, README "Performance"):
 *
 * <ul>
 *   <li>{@link #parse}: the platform's X.509 factory parsing a terminal certificate it has not kept
 *       (the host's first step with every CT-KRD: the SDK's own small cache of encodings misses
 *       across a fleet);
 *   <li>{@link #parseAndValidate}: that, then {@link PkixCertificateValidator} as the host runs it
 *       (the KRD CA validated before, so RFC 5280 on the leaf alone, with its CRL);
 *   <li>{@link #verifyLeaf}: the leaf's signature verified by the benchmark's provider, the floor's
 *       operation that the validation contains (by the platform's default provider there);
 *   <li>{@link #symmetric}: the host's symmetric work of a session, with keys it has not used
 *       before: the key token's TDES-CBC encryption of a key block under a new content-encryption
 *       key, and the legacy TDES check value of the transported key (the floor has no symmetric
 *       cipher; a key schedule costs more on a new key than on one just used).
 * </ul>
 *
 * Each thread cycles through a {@link dev.keytransfer.bench.Fixtures#fleet} of 1,024 certificates,
 * more than the platform's factory keeps, so each is parsed, and verified by a new object.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HostPartsBench {
  /** One thread's fleet encodings, the host's validator and the keys of the symmetric work. */
  @State(Scope.Thread)
  public static class Parts {
    byte[][] encodings;
    byte[][] tbs;
    byte[][] signatures;
    X509Certificate issuer;
    PublicKey issuerKey;
    PkixCertificateValidator validator;
    CertificateFactory factory;
    SecretKeyMaterial[] keys;
    byte[] iv = new byte[8];
    byte[] keyBlock = new byte[64];
    int next;
    int nextKey;

    @Setup(Level.Trial)
    public void setUp(BenchState s, ThreadParams threads) throws Exception {
      List<CertificateChain> fleet =
          s.fixtures.fleet(threads.getThreadIndex() % s.fixtures.terminalCount());
      encodings = new byte[fleet.size()][];
      tbs = new byte[fleet.size()][];
      signatures = new byte[fleet.size()][];
      for (int i = 0; i < fleet.size(); i++) {
        X509Certificate leaf = fleet.get(i).leaf();
        encodings[i] = leaf.getEncoded();
        tbs[i] = leaf.getTBSCertificate();
        signatures[i] = leaf.getSignature();
      }
      issuer = fleet.get(0).certificates().get(1);
      issuerKey = issuer.getPublicKey();
      validator = new PkixCertificateValidator(Enrollment.hostPolicy(s.fixtures.ca()));
      factory = CertificateFactory.getInstance("X.509");
      keys = new SecretKeyMaterial[2 * fleet.size()];
      for (int i = 0; i < keys.length; i++) {
        byte[] k = new byte[24];
        s.crypto.secureRandom().nextBytes(k);
        keys[i] = SecretKeyMaterial.adopt(k);
      }
      validate(parse()); // the issuing CA enters the validation cache, as after a host's first
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      for (SecretKeyMaterial k : keys) {
        k.close();
      }
    }

    X509Certificate parse() throws Exception {
      byte[] der = encodings[next];
      next = (next + 1) % encodings.length;
      return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
    }

    CertificateChain validate(X509Certificate leaf) throws Exception {
      return validator.validate(new CertificateChain(List.of(leaf, issuer)), Role.KRD, List.of());
    }
  }

  @Benchmark
  public Object parse(Parts p) throws Exception {
    return p.parse();
  }

  @Benchmark
  public Object parseAndValidate(Parts p) throws Exception {
    return p.validate(p.parse());
  }

  @Benchmark
  public int verifyLeaf(BenchState s, Parts p) throws Exception {
    int i = p.next;
    p.next = (i + 1) % p.tbs.length;
    s.crypto.verify(p.issuerKey, Algorithms.Signature.RSA_PKCS1_SHA256, p.tbs[i], p.signatures[i]);
    return i;
  }

  @Benchmark
  public Object symmetric(BenchState s, Parts p) throws Exception {
    int i = p.nextKey;
    p.nextKey = (i + 2) % p.keys.length;
    byte[] token =
        s.crypto.encrypt(Algorithms.ContentEncryption.TDES_CBC, p.keys[i], p.iv, p.keyBlock);
    return s.crypto.keyCheckValue(p.keys[i + 1], KeyCheckValue.Method.LEGACY_TDES).hashCode()
        + token.length;
  }
}
