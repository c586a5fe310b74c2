package dev.keytransfer.crypto.ecdh;

import static dev.keytransfer.crypto.internal.DerWriter.integer;
import static dev.keytransfer.crypto.internal.DerWriter.octetString;
import static dev.keytransfer.crypto.internal.DerWriter.oid;
import static dev.keytransfer.crypto.internal.DerWriter.sequence;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.handshake.EcdhSettings;
import dev.keytransfer.core.message.KdhEcdhKeyToken;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.EcdhKeyRequest;
import dev.keytransfer.core.spi.KeyBlock;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.core.spi.VerifiedEcdhKeyToken;
import dev.keytransfer.crypto.DerLimits;
import dev.keytransfer.crypto.internal.DerReader;
import dev.keytransfer.crypto.keyblock.Tr31Codec;
import dev.keytransfer.crypto.keyblock.Tr31Header;
import dev.keytransfer.crypto.keyblock.UnwrappedKey;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;

/**
 * KT-KDH-ECDH, the host's S4 answer in the ECDH mode, version 1 (docs/ECDH.md, "Wire format"):
 *
 * <pre>
 * KT-KDH-ECDH ::= SEQUENCE {
 *   content    EcdhKeyContent,            -- signed exactly as received
 *   signature  OCTET STRING }             -- ECDSA-Sig-Value (X9.62, DER) by the KDH
 * EcdhKeyContent ::= SEQUENCE {
 *   version    INTEGER (1),
 *   kdh        IssuerAndSerialNumber,     -- the signer
 *   krd        IssuerAndSerialNumber,     -- the terminal the answer is for
 *   kdf        INTEGER { nistSp800(1), ansiX963(2) },
 *   hash       OBJECT IDENTIFIER,         -- id-sha256, id-sha384 or id-sha512
 *   krdRandom  OCTET STRING (SIZE (16)),  -- the terminal's RT-KRD nonce, echoed
 *   kdhRandom  OCTET STRING (SIZE (16)),  -- the host's fresh value
 *   keyBlock   OCTET STRING }             -- the TR-31 version D key block, ASCII
 * </pre>
 *
 * The key-block protection key is {@code KDF(Z, krdRandom || kdhRandom)}, AES of the curve's
 * strength (16, 24 or 32 bytes for P-256, P-384, P-521), Z the ECDH secret of the KDH's key and the
 * KRD certificate's key. The signature uses the hash of the KDH key's curve whatever the token says
 * (docs/SECURITY.md P5). Thread-safe.
 */
public final class EcdhKeyTokens {
  /** The version this build writes and reads. */
  public static final int VERSION = 1;

  private static final String SHA256 = "2.16.840.1.101.3.4.2.1";
  private static final String SHA384 = "2.16.840.1.101.3.4.2.2";
  private static final String SHA512 = "2.16.840.1.101.3.4.2.3";

  /** Largest token accepted (a key block is at most 9999 characters). */
  private static final int MAX_LENGTH = 16 * 1024;

  private final CryptoProvider crypto;
  private final Tr31Codec tr31;

  public EcdhKeyTokens(CryptoProvider crypto) {
    this.crypto = Objects.requireNonNull(crypto, "crypto");
    this.tr31 = Tr31Codec.create(crypto);
  }

  /** Builds and signs the answer (see the class comment). */
  public KdhEcdhKeyToken build(EcdhKeyRequest r) throws KeyTransferException {
    Algorithms.Curve curve = sameCurve(r.kdhCertificate(), r.krdCertificate());
    byte[] sharedInfo = sharedInfo(r.krdRandom().bytes(), r.kdhRandom());
    String block;
    try (SecretKeyMaterial z = crypto.agree(r.kdhKey(), r.krdCertificate().getPublicKey());
        SecretKeyMaterial kbpk =
            KeyDerivation.derive(r.kdf(), r.hash(), z, sharedInfo, kbpkLength(curve))) {
      block = tr31.wrap(kbpk, Tr31Header.of(r.header()), r.key());
    }
    byte[] content =
        sequence(
            integer(VERSION),
            issuerAndSerial(IssuerAndSerial.of(r.kdhCertificate())),
            issuerAndSerial(IssuerAndSerial.of(r.krdCertificate())),
            integer(kdfValue(r.kdf())),
            oid(hashOid(r.hash())),
            octetString(r.krdRandom().bytes()),
            octetString(r.kdhRandom()),
            octetString(block.getBytes(StandardCharsets.US_ASCII)));
    byte[] signature = crypto.sign(r.kdhKey(), curve.signature(), content);
    return new KdhEcdhKeyToken(
        Bytes.copyOf(sequence(content, octetString(signature))),
        IssuerAndSerial.of(r.kdhCertificate()));
  }

  /** Parses the token far enough to name its claimed signer. */
  public KdhEcdhKeyToken decode(byte[] token) throws MalformedTokenException {
    return new KdhEcdhKeyToken(Bytes.copyOf(token), parse(token).kdhId);
  }

  /** Verifies the signature with {@code kdh}'s key, then returns the content. */
  public VerifiedEcdhKeyToken verify(KdhEcdhKeyToken token, X509Certificate kdh)
      throws SignatureInvalidException, MalformedTokenException {
    byte[] bytes = token.bytes().toByteArray();
    Parsed p = parse(bytes);
    if (!p.kdhId.identifies(kdh)) {
      throw new SignatureInvalidException(
          ErrorCode.SIGNER_NOT_BOUND, "key token is not signed by the given KDH");
    }
    Algorithms.Curve curve = Algorithms.Curve.of(kdh.getPublicKey());
    if (curve == null) {
      throw new SignatureInvalidException(
          ErrorCode.SIGNATURE_INVALID, "the KDH's key is not an EC key on a NIST curve");
    }
    crypto.verify(kdh.getPublicKey(), curve.signature(), p.content, p.signature);
    return new VerifiedEcdhKeyToken(
        token.bytes(),
        p.kdhId,
        p.krdId,
        p.kdf,
        p.hash,
        Bytes.copyOf(p.krdRandom),
        Bytes.copyOf(p.kdhRandom),
        p.keyBlock);
  }

  /** Derives the protection key and unwraps the verified token's key block. */
  public KeyBlock open(
      VerifiedEcdhKeyToken token, PrivateKeyHandle krdKey, X509Certificate krd, X509Certificate kdh)
      throws KeyTransferException {
    Algorithms.Curve curve = sameCurve(kdh, krd);
    byte[] sharedInfo =
        sharedInfo(token.krdRandom().toByteArray(), token.kdhRandom().toByteArray());
    try (SecretKeyMaterial z = crypto.agree(krdKey, kdh.getPublicKey());
        SecretKeyMaterial kbpk =
            KeyDerivation.derive(token.kdf(), token.hash(), z, sharedInfo, kbpkLength(curve));
        UnwrappedKey k = tr31.unwrap(kbpk, token.keyBlock())) {
      return new KeyBlock(
          VERSION, token.kdhId(), k.key().copy(), k.header().toKeyBlockHeader(), null);
    }
  }

  /** The protection key's length for {@code curve}: AES of the curve's strength. */
  public static int kbpkLength(Algorithms.Curve curve) {
    return curve.strengthBits() / 8;
  }

  /** SharedInfo (X9.63) or FixedInfo (SP 800-56C): the terminal's value, then the host's. */
  public static byte[] sharedInfo(byte[] krdRandom, byte[] kdhRandom) {
    byte[] out = new byte[krdRandom.length + kdhRandom.length];
    System.arraycopy(krdRandom, 0, out, 0, krdRandom.length);
    System.arraycopy(kdhRandom, 0, out, krdRandom.length, kdhRandom.length);
    return out;
  }

  private static Algorithms.Curve sameCurve(X509Certificate kdh, X509Certificate krd)
      throws KeyTransferException {
    Algorithms.Curve curve = Algorithms.Curve.of(kdh.getPublicKey());
    if (curve == null || Algorithms.Curve.of(krd.getPublicKey()) != curve) {
      throw new dev.keytransfer.core.KeyTokenException(
          ErrorCode.ECDH_CURVE_MISMATCH, "the KDH's and the KRD's keys are not on one NIST curve");
    }
    return curve;
  }

  private record Parsed(
      byte[] content,
      byte[] signature,
      IssuerAndSerial kdhId,
      IssuerAndSerial krdId,
      Algorithms.Kdf kdf,
      Algorithms.Hash hash,
      byte[] krdRandom,
      byte[] kdhRandom,
      String keyBlock) {}

  private static Parsed parse(byte[] token) throws MalformedTokenException {
    if (token == null) {
      throw DerReader.malformed("no KT-KDH-ECDH");
    }
    DerLimits.check(token, MAX_LENGTH, "token");
    DerReader outer = new DerReader(token);
    DerReader top = outer.sequence();
    outer.end();
    DerReader.Tlv contentTlv = top.expect(DerReader.SEQUENCE);
    byte[] signature = top.octetString();
    top.end();
    DerReader c = contentTlv.contents();
    if (c.smallInteger() != VERSION) {
      throw DerReader.malformed("KT-KDH-ECDH version is not " + VERSION);
    }
    IssuerAndSerial kdhId = issuerAndSerial(c.sequence());
    IssuerAndSerial krdId = issuerAndSerial(c.sequence());
    Algorithms.Kdf kdf =
        switch (c.smallInteger()) {
          case 1 -> Algorithms.Kdf.NIST_SP800;
          case 2 -> Algorithms.Kdf.ANSI_X963;
          default -> throw DerReader.malformed("unknown KDF in KT-KDH-ECDH");
        };
    Algorithms.Hash hash =
        switch (c.oid()) {
          case SHA256 -> Algorithms.Hash.SHA256;
          case SHA384 -> Algorithms.Hash.SHA384;
          case SHA512 -> Algorithms.Hash.SHA512;
          default -> throw DerReader.malformed("unknown KDF hash in KT-KDH-ECDH");
        };
    byte[] krdRandom = c.octetString();
    byte[] kdhRandom = c.octetString();
    byte[] block = c.octetString();
    c.end();
    if (krdRandom.length != EcdhSettings.FRESH_VALUE_LENGTH
        || kdhRandom.length != EcdhSettings.FRESH_VALUE_LENGTH) {
      throw DerReader.malformed(
          "KT-KDH-ECDH fresh values must be " + EcdhSettings.FRESH_VALUE_LENGTH + " bytes");
    }
    if (block.length == 0 || block.length > Tr31Codec.MAX_LENGTH) {
      throw DerReader.malformed("KT-KDH-ECDH key block is empty or too long");
    }
    for (byte b : block) {
      if (b < 0x20 || b > 0x7E) {
        throw DerReader.malformed("KT-KDH-ECDH key block is not printable ASCII");
      }
    }
    return new Parsed(
        contentTlv.encoded(),
        signature,
        kdhId,
        krdId,
        kdf,
        hash,
        krdRandom,
        kdhRandom,
        new String(block, StandardCharsets.US_ASCII));
  }

  private static IssuerAndSerial issuerAndSerial(DerReader r) throws MalformedTokenException {
    DerReader.Tlv name = r.expect(DerReader.SEQUENCE);
    BigInteger serial = r.integer();
    r.end();
    try {
      return new IssuerAndSerial(new X500Principal(name.encoded()), serial);
    } catch (IllegalArgumentException e) {
      throw DerReader.malformed("issuer name is not well formed");
    }
  }

  private static byte[] issuerAndSerial(IssuerAndSerial id) {
    return sequence(id.issuer().getEncoded(), integer(id.serialNumber()));
  }

  private static int kdfValue(Algorithms.Kdf kdf) {
    return kdf == Algorithms.Kdf.NIST_SP800 ? 1 : 2;
  }

  private static String hashOid(Algorithms.Hash hash) {
    return switch (hash) {
      case SHA256 -> SHA256;
      case SHA384 -> SHA384;
      case SHA512 -> SHA512;
    };
  }

  @Override
  public String toString() {
    return "EcdhKeyTokens[v" + VERSION + ", " + crypto.name() + "]";
  }
}
