package dev.keytransfer.fuzz;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import dev.keytransfer.crypto.keyblock.Tr31Codec;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.crypto.tr34.Tr34Profile;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import dev.keytransfer.crypto.tr34.Tr34Tolerance;
import java.security.KeyPair;
import java.util.EnumSet;

/**
 * The keys, certificates and codecs the fuzz targets and their seeds share, generated once per JVM
 * ({@link TestPki}, no pasted keys). The seeds are tokens signed by this KDH and addressed to this
 * KRD, so a mutation that keeps a signature valid reaches the checks behind it (verification,
 * decryption) with the keys a terminal would use.
 */
final class FuzzMaterial {
  private static volatile FuzzMaterial instance;

  final JcaCryptoProvider crypto = new JcaCryptoProvider();
  final TestPki pki = TestPki.create("Fuzz");
  final TestPki.Leaf kdh = pki.validLeaf(Role.KDH, "Fuzz KDH");
  final TestPki.Leaf newKdh = pki.validLeaf(Role.KDH, "Fuzz KDH 2");
  final TestPki.Leaf krd = pki.validLeaf(Role.KRD, "Fuzz KRD");

  /** The ECDH mode's pair (docs/ECDH.md): P-256 keys, the seeds' KT-KDH-ECDH between them. */
  final TestPki.Leaf kdhEc = pki.ecLeaf(Role.KDH, "Fuzz KDH EC", Algorithms.Curve.P256);

  final TestPki.Leaf krdEc = pki.ecLeaf(Role.KRD, "Fuzz KRD EC", Algorithms.Curve.P256);

  /** The KRD CA as the higher-level authority of UBT-CA and RBT-CA (B.13, B.10). */
  final SoftwareKeyHandle authorityKey =
      SoftwareKeyHandle.of(
          new KeyPair(pki.krdCa.getPublicKey(), pki.caKey(pki.krdCa)), "Fuzz KRD CA");

  final IssuerAndSerial krdId = IssuerAndSerial.of(krd.certificate());
  final IssuerAndSerial kdhId = IssuerAndSerial.of(kdh.certificate());
  final CertificateChain newKdhChain = newKdh.chain();
  final Nonce nonce = Nonce.random(crypto.secureRandom());

  /** The terminal's default codec: TR34_2019, no tolerance. */
  final Tr34TokenCodec codec = new Tr34TokenCodec(crypto);

  /** The same codec with every named tolerance, which reads the Annex B layouts. */
  final Tr34TokenCodec tolerant =
      new Tr34TokenCodec(crypto, Tr34Profile.TR34_2019, EnumSet.allOf(Tr34Tolerance.class));

  final Tr34TokenCodec codec2012 = new Tr34TokenCodec(crypto, Tr34Profile.TR34_2012);
  final MessageCodec frames = new MessageCodec(codec);
  final Tr31Codec tr31 = Tr31Codec.create(crypto);
  final Tr31Codec strictTr31 = tr31.withStrictImport();

  private FuzzMaterial() {}

  static FuzzMaterial get() {
    FuzzMaterial m = instance;
    if (m == null) {
      synchronized (FuzzMaterial.class) {
        m = instance;
        if (m == null) {
          m = new FuzzMaterial();
          instance = m;
        }
      }
    }
    return m;
  }
}
