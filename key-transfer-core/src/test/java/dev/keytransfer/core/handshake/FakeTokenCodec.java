package dev.keytransfer.core.handshake;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.message.CaRebindToken;
import dev.keytransfer.core.message.CaUnbindToken;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.KdhCredentialToken;
import dev.keytransfer.core.message.KdhEcdhKeyToken;
import dev.keytransfer.core.message.KdhKeyToken;
import dev.keytransfer.core.message.KdhOnePassKeyToken;
import dev.keytransfer.core.message.KdhRebindToken;
import dev.keytransfer.core.message.KdhUnbindToken;
import dev.keytransfer.core.message.KrdCredentialToken;
import dev.keytransfer.core.message.KrdRandomToken;
import dev.keytransfer.core.message.Tr34Token;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.EcdhKeyRequest;
import dev.keytransfer.core.spi.KeyBlock;
import dev.keytransfer.core.spi.KeyTokenRequest;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.core.spi.SignerRole;
import dev.keytransfer.core.spi.TokenCodec;
import dev.keytransfer.core.spi.VerifiedEcdhKeyToken;
import dev.keytransfer.core.spi.VerifiedKeyToken;
import dev.keytransfer.core.spi.VerifiedRebind;
import dev.keytransfer.core.spi.VerifiedUnbind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A token codec without cryptography for the machine tests (the machines need no real cryptography
 * to be tested). A token is an opaque serial number; what it says is kept in this codec's memory,
 * so a token "verifies" under a certificate only if that certificate's owner built it, and a token
 * whose bytes were changed is unknown and fails as a bad signature. Every parse, verification and
 * decryption is counted in {@link #calls}, so tests can tell what the machine looked at and in
 * which order.
 */
final class FakeTokenCodec implements TokenCodec {
  /** What a built token says: its signer and the fields the verified forms return. */
  private record Content(
      X509Certificate signer,
      Optional<X509Certificate> recipient,
      Optional<Nonce> nonce,
      Optional<Instant> signingTime,
      Optional<KeyBlockHeader> header,
      Optional<byte[]> key,
      Optional<IssuerAndSerial> krdId,
      Optional<IssuerAndSerial> kdhId,
      Optional<CertificateChain> newKdh,
      List<X509CRL> crls) {}

  private final Map<ByteBuffer, Content> contents = new HashMap<>();
  private final Map<ByteBuffer, HandshakeMessage> issued = new HashMap<>();
  private final Map<ByteBuffer, byte[]> ecdhFresh = new HashMap<>();
  private int serial;

  /** The name of every parse ({@code decode...}), verification and decryption, in call order. */
  final List<String> calls = new ArrayList<>();

  private byte[] next(String kind) {
    return (kind + "#" + ++serial).getBytes(StandardCharsets.UTF_8);
  }

  private <M extends HandshakeMessage> M remember(M message, byte[] encoded, Content content) {
    issued.put(ByteBuffer.wrap(encoded), message);
    if (content != null) {
      contents.put(ByteBuffer.wrap(encoded), content);
    }
    return message;
  }

  /** The number of payloads this codec parsed. */
  long parses() {
    return calls.stream().filter(c -> c.startsWith("decode")).count();
  }

  private <M extends HandshakeMessage> M parse(String call, byte[] token, Class<M> type)
      throws MalformedTokenException {
    calls.add(call);
    HandshakeMessage m = issued.get(ByteBuffer.wrap(token));
    if (!type.isInstance(m)) {
      throw new MalformedTokenException(ErrorCode.MALFORMED_TOKEN, "unknown fake token");
    }
    return type.cast(m);
  }

  private Content verified(String call, byte[] encoded, X509Certificate signer)
      throws SignatureInvalidException {
    calls.add(call);
    Content c = contents.get(ByteBuffer.wrap(encoded));
    if (c == null || !c.signer().equals(signer)) {
      throw new SignatureInvalidException(ErrorCode.SIGNATURE_INVALID, "fake signature invalid");
    }
    return c;
  }

  private static Content signed(
      X509Certificate signer,
      Optional<Nonce> nonce,
      Optional<Instant> at,
      IssuerAndSerial krdId,
      IssuerAndSerial kdhId,
      Optional<CertificateChain> newKdh,
      List<X509CRL> crls) {
    return new Content(
        signer,
        Optional.empty(),
        nonce,
        at,
        Optional.empty(),
        Optional.empty(),
        Optional.of(krdId),
        Optional.ofNullable(kdhId),
        newKdh,
        List.copyOf(crls));
  }

  // ------------------------------------------------------------------------ credentials, nonce

  @Override
  public KrdCredentialToken encodeKrdCredential(CertificateChain chain) {
    byte[] e = next("CT-KRD");
    return remember(new KrdCredentialToken(Bytes.copyOf(e), chain), e, null);
  }

  @Override
  public KrdCredentialToken decodeKrdCredential(byte[] token) throws MalformedTokenException {
    return parse("decodeKrdCredential", token, KrdCredentialToken.class);
  }

  @Override
  public KdhCredentialToken encodeKdhCredential(CertificateChain chain, List<X509CRL> crls) {
    byte[] e = next("CT-KDH");
    return remember(new KdhCredentialToken(Bytes.copyOf(e), chain, crls), e, null);
  }

  @Override
  public KdhCredentialToken decodeKdhCredential(byte[] token) throws MalformedTokenException {
    return parse("decodeKdhCredential", token, KdhCredentialToken.class);
  }

  @Override
  public KrdRandomToken encodeRandomToken(Nonce nonce) {
    byte[] e = next("RT-KRD");
    return remember(new KrdRandomToken(Bytes.copyOf(e), nonce), e, null);
  }

  @Override
  public KrdRandomToken decodeRandomToken(byte[] token) throws MalformedTokenException {
    return parse("decodeRandomToken", token, KrdRandomToken.class);
  }

  // ------------------------------------------------------------------------ key tokens

  @Override
  public Tr34Token buildKeyToken(KeyTokenRequest r) {
    boolean twoPass = r.freshness() instanceof KeyTokenRequest.TwoPass;
    byte[] e = next(twoPass ? "KT-KDH" : "KT-KDH-1");
    IssuerAndSerial signer = IssuerAndSerial.of(r.kdhCertificate());
    Content content =
        keyContent(
            r.kdhCertificate(),
            r.krdCertificate(),
            twoPass
                ? Optional.of(((KeyTokenRequest.TwoPass) r.freshness()).nonce())
                : Optional.empty(),
            twoPass
                ? Optional.empty()
                : Optional.of(((KeyTokenRequest.OnePass) r.freshness()).signingTime()),
            r.header(),
            r.key(),
            r.crls());
    return twoPass
        ? remember(new KdhKeyToken(Bytes.copyOf(e), signer), e, content)
        : remember(new KdhOnePassKeyToken(Bytes.copyOf(e), signer), e, content);
  }

  private static Content keyContent(
      X509Certificate kdh,
      X509Certificate krd,
      Optional<Nonce> nonce,
      Optional<Instant> at,
      KeyBlockHeader header,
      SecretKeyMaterial key,
      List<X509CRL> crls) {
    return new Content(
        kdh,
        Optional.of(krd),
        nonce,
        at,
        Optional.of(header),
        Optional.of(key.copyBytes()),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        List.copyOf(crls));
  }

  @Override
  public KdhKeyToken decodeKeyToken(byte[] token) throws MalformedTokenException {
    return parse("decodeKeyToken", token, KdhKeyToken.class);
  }

  @Override
  public KdhOnePassKeyToken decodeOnePassKeyToken(byte[] token) throws MalformedTokenException {
    return parse("decodeOnePassKeyToken", token, KdhOnePassKeyToken.class);
  }

  @Override
  public VerifiedKeyToken verifyKeyToken(KdhKeyToken token, X509Certificate kdh)
      throws SignatureInvalidException {
    return verifiedKey(verified("verifyKeyToken", token.encoded(), kdh), token.encoded());
  }

  @Override
  public VerifiedKeyToken verifyOnePassKeyToken(KdhOnePassKeyToken token, X509Certificate kdh)
      throws SignatureInvalidException {
    return verifiedKey(verified("verifyOnePassKeyToken", token.encoded(), kdh), token.encoded());
  }

  private static VerifiedKeyToken verifiedKey(Content c, byte[] encoded) {
    return new VerifiedKeyToken(
        Bytes.copyOf(encoded),
        IssuerAndSerial.of(c.signer()),
        c.nonce(),
        c.signingTime(),
        c.header().orElseThrow(),
        c.crls(),
        Bytes.copyOf(encoded));
  }

  @Override
  public KeyBlock decryptKeyToken(
      VerifiedKeyToken token, PrivateKeyHandle krdKey, X509Certificate krdCertificate)
      throws KeyTokenException {
    calls.add("decryptKeyToken");
    Content c = contents.get(ByteBuffer.wrap(token.encoded()));
    if (c == null || !c.recipient().orElseThrow().equals(krdCertificate)) {
      throw new KeyTokenException(ErrorCode.KEY_TOKEN_INVALID, "fake key token not for this KRD");
    }
    return new KeyBlock(
        1,
        IssuerAndSerial.of(c.signer()),
        SecretKeyMaterial.copyOf(c.key().orElseThrow()),
        c.header().orElseThrow(),
        Algorithms.ContentEncryption.AES_128_CBC);
  }

  // ------------------------------------------------------------------------ ECDH mode

  @Override
  public KdhEcdhKeyToken buildEcdhKeyToken(EcdhKeyRequest r) {
    byte[] e = next("KT-KDH-ECDH");
    Content content =
        keyContent(
            r.kdhCertificate(),
            r.krdCertificate(),
            Optional.of(r.krdRandom()),
            Optional.empty(),
            r.header(),
            r.key(),
            List.of());
    ecdhFresh.put(ByteBuffer.wrap(e), r.kdhRandom());
    return remember(
        new KdhEcdhKeyToken(Bytes.copyOf(e), IssuerAndSerial.of(r.kdhCertificate())), e, content);
  }

  @Override
  public KdhEcdhKeyToken decodeEcdhKeyToken(byte[] token) throws MalformedTokenException {
    return parse("decodeEcdhKeyToken", token, KdhEcdhKeyToken.class);
  }

  @Override
  public VerifiedEcdhKeyToken verifyEcdhKeyToken(KdhEcdhKeyToken token, X509Certificate kdh)
      throws SignatureInvalidException {
    Content c = verified("verifyEcdhKeyToken", token.payload(), kdh);
    return new VerifiedEcdhKeyToken(
        token.bytes(),
        IssuerAndSerial.of(c.signer()),
        IssuerAndSerial.of(c.recipient().orElseThrow()),
        Algorithms.Kdf.NIST_SP800,
        Algorithms.Hash.SHA256,
        Bytes.copyOf(c.nonce().orElseThrow().bytes()),
        Bytes.copyOf(ecdhFresh.get(ByteBuffer.wrap(token.payload()))),
        "fake key block");
  }

  @Override
  public KeyBlock openEcdhKeyToken(
      VerifiedEcdhKeyToken token,
      PrivateKeyHandle krdKey,
      X509Certificate krdCertificate,
      X509Certificate kdhCertificate)
      throws KeyTokenException {
    calls.add("openEcdhKeyToken");
    Content c = contents.get(ByteBuffer.wrap(token.bytes().toByteArray()));
    if (c == null || !c.recipient().orElseThrow().equals(krdCertificate)) {
      throw new KeyTokenException(ErrorCode.KEY_TOKEN_INVALID, "fake key token not for this KRD");
    }
    return new KeyBlock(
        1,
        IssuerAndSerial.of(c.signer()),
        SecretKeyMaterial.copyOf(c.key().orElseThrow()),
        c.header().orElseThrow(),
        null);
  }

  // ------------------------------------------------------------------------ unbind (B.14, B.13)

  @Override
  public KdhUnbindToken buildKdhUnbindToken(
      X509Certificate kdh,
      PrivateKeyHandle key,
      IssuerAndSerial krdId,
      Nonce nonce,
      List<X509CRL> crls) {
    byte[] e = next("UBT-KDH");
    return remember(
        new KdhUnbindToken(Bytes.copyOf(e), IssuerAndSerial.of(kdh)),
        e,
        signed(
            kdh,
            Optional.of(nonce),
            Optional.empty(),
            krdId,
            IssuerAndSerial.of(kdh),
            Optional.empty(),
            crls));
  }

  @Override
  public KdhUnbindToken decodeKdhUnbindToken(byte[] token) throws MalformedTokenException {
    return parse("decodeKdhUnbindToken", token, KdhUnbindToken.class);
  }

  @Override
  public VerifiedUnbind verifyKdhUnbindToken(KdhUnbindToken token, X509Certificate kdh)
      throws SignatureInvalidException {
    return unbind(verified("verifyKdhUnbindToken", token.encoded(), kdh), token, SignerRole.KDH);
  }

  @Override
  public CaUnbindToken buildCaUnbindToken(
      X509Certificate authority,
      PrivateKeyHandle key,
      IssuerAndSerial krdId,
      IssuerAndSerial kdhId) {
    byte[] e = next("UBT-CA");
    return remember(
        new CaUnbindToken(Bytes.copyOf(e), IssuerAndSerial.of(authority)),
        e,
        signed(
            authority,
            Optional.empty(),
            Optional.empty(),
            krdId,
            kdhId,
            Optional.empty(),
            List.of()));
  }

  @Override
  public CaUnbindToken decodeCaUnbindToken(byte[] token) throws MalformedTokenException {
    return parse("decodeCaUnbindToken", token, CaUnbindToken.class);
  }

  @Override
  public VerifiedUnbind verifyCaUnbindToken(CaUnbindToken token, X509Certificate authority)
      throws SignatureInvalidException {
    return unbind(
        verified("verifyCaUnbindToken", token.encoded(), authority), token, SignerRole.CA);
  }

  private static VerifiedUnbind unbind(Content c, HandshakeMessage token, SignerRole role) {
    return new VerifiedUnbind(
        Bytes.copyOf(token.payload()),
        role,
        IssuerAndSerial.of(c.signer()),
        c.nonce(),
        c.signingTime(),
        c.krdId().orElseThrow(),
        c.kdhId().orElseThrow(),
        c.crls());
  }

  // ------------------------------------------------------------------------ rebind (B.11, B.10)

  @Override
  public KdhRebindToken buildKdhRebindToken(
      X509Certificate kdh,
      PrivateKeyHandle key,
      IssuerAndSerial krdId,
      Nonce nonce,
      CertificateChain newKdh,
      List<X509CRL> crls) {
    byte[] e = next("RBT-KDH");
    return remember(
        new KdhRebindToken(Bytes.copyOf(e), IssuerAndSerial.of(kdh)),
        e,
        signed(
            kdh,
            Optional.of(nonce),
            Optional.empty(),
            krdId,
            IssuerAndSerial.of(kdh),
            Optional.of(newKdh),
            crls));
  }

  @Override
  public KdhRebindToken decodeKdhRebindToken(byte[] token) throws MalformedTokenException {
    return parse("decodeKdhRebindToken", token, KdhRebindToken.class);
  }

  @Override
  public VerifiedRebind verifyKdhRebindToken(KdhRebindToken token, X509Certificate kdh)
      throws SignatureInvalidException {
    return rebind(verified("verifyKdhRebindToken", token.encoded(), kdh), token, SignerRole.KDH);
  }

  @Override
  public CaRebindToken buildCaRebindToken(
      X509Certificate authority,
      PrivateKeyHandle key,
      IssuerAndSerial krdId,
      IssuerAndSerial oldKdhId,
      CertificateChain newKdh,
      Instant signingTime,
      List<X509CRL> crls) {
    byte[] e = next("RBT-CA");
    return remember(
        new CaRebindToken(Bytes.copyOf(e), IssuerAndSerial.of(authority)),
        e,
        signed(
            authority,
            Optional.empty(),
            Optional.of(signingTime),
            krdId,
            oldKdhId,
            Optional.of(newKdh),
            crls));
  }

  @Override
  public CaRebindToken decodeCaRebindToken(byte[] token) throws MalformedTokenException {
    return parse("decodeCaRebindToken", token, CaRebindToken.class);
  }

  @Override
  public VerifiedRebind verifyCaRebindToken(CaRebindToken token, X509Certificate authority)
      throws SignatureInvalidException {
    return rebind(
        verified("verifyCaRebindToken", token.encoded(), authority), token, SignerRole.CA);
  }

  private static VerifiedRebind rebind(Content c, HandshakeMessage token, SignerRole role) {
    return new VerifiedRebind(
        Bytes.copyOf(token.payload()),
        role,
        IssuerAndSerial.of(c.signer()),
        c.nonce(),
        c.signingTime(),
        c.krdId().orElseThrow(),
        c.kdhId().orElseThrow(),
        c.newKdh().orElseThrow(),
        c.crls());
  }
}
