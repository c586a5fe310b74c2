package dev.keytransfer.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytransfer.ca.CrlBuilder;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.handshake.EcdhSettings;
import dev.keytransfer.core.message.Abort;
import dev.keytransfer.core.message.BindingUpdated;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.KeyConfirmed;
import dev.keytransfer.core.message.KeyInstalled;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.message.PendingKey;
import dev.keytransfer.core.message.WorkingKeys;
import dev.keytransfer.core.message.WorkingKeysInstalled;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.EcdhKeyRequest;
import dev.keytransfer.core.spi.KeyTokenRequest;
import dev.keytransfer.crypto.Pem;
import dev.keytransfer.crypto.keyblock.KeyBlockVersion;
import dev.keytransfer.crypto.keyblock.OptionalBlock;
import dev.keytransfer.crypto.keyblock.Tr31Header;
import dev.keytransfer.crypto.pki.CertificationRequests;
import dev.keytransfer.crypto.testing.HostileDer;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.crypto.testing.Vectors;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The seed inputs of the fuzz targets (docs/FUZZING.md), one family per kind of input, written at
 * run time into {@code target/fuzz-seeds/FAMILY/} (system property {@code keytransfer.fuzzSeeds})
 * and read back from there as the {@code @MethodSource} of each {@code @FuzzTest}: regression mode
 * runs each file, fuzzing mode starts from them. Files named {@code sdk-*} are made by the SDK here
 * (tokens, frames, key blocks, keys, certificates, CRLs and CSRs of {@link FuzzMaterial}); files
 * named {@code vectors-*} are copies of the shared test vectors ({@code keytransfer.vectors}: the
 * TR-34 Annex B samples, NIST PKITS, the TR-31 vectors). The Annex B samples are copyrighted: they
 * are copied only below {@code target/}, never into the repository, and where the vectors folder is
 * absent those seeds are skipped with a message.
 */
public final class FuzzSeeds {
  private static final Map<String, List<Arguments>> written = new HashMap<>();
  private static final HexFormat HEX = HexFormat.of();

  /**
   * The longest KBPK a TR-31 input carries: its first byte is the KBPK's length - 1 (modulo this),
   * the KBPK follows, then the key block text ({@link #tr31Input}).
   */
  static final int MAX_KBPK = 32;

  private FuzzSeeds() {}

  /** The directory all families are written to. */
  static Path root() {
    return Path.of(System.getProperty("keytransfer.fuzzSeeds", "target/fuzz-seeds"))
        .toAbsolutePath()
        .normalize();
  }

  // ------------------------------------------------------------------ families

  /** Every TR-34 token: the SDK's in both profiles, and the Annex B samples. */
  public static Stream<Arguments> tr34Tokens() {
    return family("tr34-tokens", FuzzSeeds::writeTokens);
  }

  /** Frames of every message type. */
  public static Stream<Arguments> frames() {
    return family("frames", FuzzSeeds::writeFrames);
  }

  /** TR-31 key blocks, each prefixed by its KBPK ({@link Tr31FuzzTest#unwrap}). */
  public static Stream<Arguments> tr31Blocks() {
    return family("tr31-blocks", FuzzSeeds::writeTr31Blocks);
  }

  /** TR-31 / TR-34 key block headers as text. */
  public static Stream<Arguments> keyBlockHeaders() {
    return family("keyblock-headers", FuzzSeeds::writeHeaders);
  }

  /** RSA private keys in PEM: PKCS#8, PKCS#1, encrypted PKCS#8, a legacy encrypted one. */
  public static Stream<Arguments> privateKeys() {
    return family("private-keys", FuzzSeeds::writePrivateKeys);
  }

  /** X.509 certificates, DER and PEM. */
  public static Stream<Arguments> certificates() {
    return family("certificates", FuzzSeeds::writeCertificates);
  }

  /** X.509 CRLs, DER and PEM. */
  public static Stream<Arguments> crls() {
    return family("crls", FuzzSeeds::writeCrls);
  }

  /** PKCS#10 certification requests (DER). */
  public static Stream<Arguments> certificationRequests() {
    return family("certification-requests", FuzzSeeds::writeCertificationRequests);
  }

  // ------------------------------------------------------------------ writing and reading

  /** Where one family's seeds go. */
  static final class Sink {
    private final Path dir;

    private Sink(Path dir) {
      this.dir = dir;
    }

    /** A seed made by the SDK in this run. */
    void sdk(String name, byte[] content) {
      write("sdk-" + name, content);
    }

    void sdk(String name, String content) {
      sdk(name, content.getBytes(StandardCharsets.US_ASCII));
    }

    /** A seed derived from a vector file (for example framed, or with its KBPK). */
    void vector(String name, byte[] content) {
      write("vectors-" + name, content);
    }

    /** Copies every regular file of a vectors folder; false if the folder is absent. */
    boolean vectorFiles(String relativeDir, String suffix) {
      Path from = Vectors.root().resolve(relativeDir);
      if (!Files.isDirectory(from)) {
        return false;
      }
      try (Stream<Path> files = Files.list(from)) {
        for (Path f : files.sorted().toList()) {
          if (Files.isRegularFile(f) && f.getFileName().toString().endsWith(suffix)) {
            vector(relativeDir.replace('/', '_') + "_" + f.getFileName(), Files.readAllBytes(f));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return true;
    }

    private void write(String name, byte[] content) {
      try {
        Files.write(dir.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_")), content);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static synchronized Stream<Arguments> family(String name, Consumer<Sink> writer) {
    List<Arguments> seeds = written.get(name);
    if (seeds == null) {
      Path dir = root().resolve(name);
      try {
        if (Files.isDirectory(dir)) {
          try (Stream<Path> old = Files.list(dir)) {
            for (Path f : old.toList()) {
              Files.delete(f);
            }
          }
        }
        Files.createDirectories(dir);
        writer.accept(new Sink(dir));
        seeds = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
          for (Path f : files.sorted().toList()) {
            seeds.add(Arguments.of(Named.of(f.getFileName().toString(), Files.readAllBytes(f))));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (Exception e) {
        throw new IllegalStateException("could not write the " + name + " seeds", e);
      }
      written.put(name, List.copyOf(seeds));
    }
    return seeds.stream();
  }

  private static void vectorsMissing(String what) {
    System.out.println(
        "fuzz seeds: test vectors not found at "
            + Vectors.root()
            + " (set -Dkeytransfer.vectors=...); "
            + what
            + " seeded from the SDK's own inputs only");
  }

  // ------------------------------------------------------------------ the families' content

  private static void writeTokens(Sink out) {
    FuzzMaterial m = FuzzMaterial.get();
    try {
      for (Tr34TokenCodec codec : List.of(m.codec, m.codec2012)) {
        String p = codec.profile().name().toLowerCase() + "-";
        for (Map.Entry<MessageType, byte[]> t : tokens(m, codec).entrySet()) {
          out.sdk(p + t.getKey().name().toLowerCase() + ".der", t.getValue());
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    hostileTokens(out);
    boolean found = out.vectorFiles("tr34-2019/tokens", ".der");
    out.vectorFiles("tr34-2019/original-2019-prints", ".der");
    out.vectorFiles("tr34-2019/supplementary/repaired-annexb", ".der");
    out.vectorFiles("tr34-2019/supplementary/clover-generated", ".der");
    if (!found) {
      vectorsMissing("the TR-34 token targets are");
    }
  }

  /** One token of each TR-34 message type, built by {@code codec} with the fuzz PKI. */
  static Map<MessageType, byte[]> tokens(FuzzMaterial m, Tr34TokenCodec codec) throws Exception {
    Map<MessageType, byte[]> out = new java.util.LinkedHashMap<>();
    List<X509CRL> crls = m.pki.kdhPathCrls();
    out.put(MessageType.KRD_CREDENTIAL, codec.encodeKrdCredential(m.krd.chain()).encoded());
    out.put(MessageType.KDH_CREDENTIAL, codec.encodeKdhCredential(m.kdh.chain(), crls).encoded());
    out.put(MessageType.KRD_RANDOM, codec.encodeRandomToken(m.nonce).encoded());
    KeyBlockHeader header = KeyBlockHeader.parse("A0000K0TB00E0000");
    try (SecretKeyMaterial key = SecretKeyMaterial.copyOf(tdesKey(24))) {
      out.put(
          MessageType.KDH_KEY,
          codec
              .buildKeyToken(
                  KeyTokenRequest.twoPass(
                      m.kdh.certificate(),
                      m.kdh.key(),
                      m.krd.certificate(),
                      m.nonce,
                      header,
                      key,
                      crls))
              .encoded());
      out.put(
          MessageType.KDH_KEY_ONE_PASS,
          codec
              .buildKeyToken(
                  KeyTokenRequest.onePass(
                      m.kdh.certificate(),
                      m.kdh.key(),
                      m.krd.certificate(),
                      Instant.now(),
                      header,
                      key,
                      crls))
              .encoded());
    }
    byte[] kdhRandom = new byte[EcdhSettings.FRESH_VALUE_LENGTH];
    Nonce.fillWithoutZeroBytes(m.crypto.secureRandom(), kdhRandom);
    try (SecretKeyMaterial key = SecretKeyMaterial.copyOf(tdesKey(24))) {
      out.put(
          MessageType.KDH_ECDH_KEY,
          codec
              .buildEcdhKeyToken(
                  new EcdhKeyRequest(
                      m.kdhEc.certificate(),
                      m.kdhEc.key(),
                      m.krdEc.certificate(),
                      Nonce.randomWithoutZeroBytes(m.crypto.secureRandom()),
                      kdhRandom,
                      Algorithms.Kdf.NIST_SP800,
                      Algorithms.Hash.SHA256,
                      KeyBlockHeader.parse("D0000K0TB00E0000"),
                      key))
              .bytes()
              .toByteArray());
    }
    out.put(
        MessageType.KDH_UNBIND,
        codec
            .buildKdhUnbindToken(m.kdh.certificate(), m.kdh.key(), m.krdId, m.nonce, crls)
            .encoded());
    out.put(
        MessageType.CA_UNBIND,
        codec.buildCaUnbindToken(m.pki.krdCa, m.authorityKey, m.krdId, m.kdhId).encoded());
    out.put(
        MessageType.KDH_REBIND,
        codec
            .buildKdhRebindToken(
                m.kdh.certificate(), m.kdh.key(), m.krdId, m.nonce, m.newKdhChain, crls)
            .encoded());
    out.put(
        MessageType.CA_REBIND,
        codec
            .buildCaRebindToken(
                m.pki.krdCa,
                m.authorityKey,
                m.krdId,
                m.kdhId,
                m.newKdhChain,
                Instant.now(),
                List.of())
            .encoded());
    return out;
  }

  /** A TDES key of {@code length} bytes with odd parity, distinct halves. */
  private static byte[] tdesKey(int length) {
    byte[] k = new byte[length];
    for (int i = 0; i < length; i++) {
      k[i] = (byte) (0x10 + 0x13 * i);
      if (Integer.bitCount(k[i] & 0xFF) % 2 == 0) {
        k[i] ^= 1;
      }
    }
    return k;
  }

  private static void writeFrames(Sink out) {
    FuzzMaterial m = FuzzMaterial.get();
    MessageCodec frames = m.frames;
    try {
      for (Map.Entry<MessageType, byte[]> t : tokens(m, m.codec).entrySet()) {
        out.sdk(t.getKey().name().toLowerCase() + ".frame", frame(t.getKey(), t.getValue()));
      }
      KeyCheckValue tdes = KeyCheckValue.of(KeyCheckValue.Method.LEGACY_TDES, new byte[] {1, 2, 3});
      KeyCheckValue aes =
          KeyCheckValue.of(KeyCheckValue.Method.CMAC_AES, new byte[] {1, 2, 3, 4, 5});
      List<HandshakeMessage> project =
          List.of(
              new KeyInstalled(tdes),
              new KeyInstalled(aes, true),
              new WorkingKeys(List.copyOf(sdkBlocks(m).values())),
              new WorkingKeysInstalled(
                  List.of(
                      WorkingKeysInstalled.Result.installed(tdes),
                      WorkingKeysInstalled.Result.failed(ErrorCode.KEY_BLOCK_MAC_INVALID))),
              new BindingUpdated(true),
              new KeyConfirmed(true, tdes),
              new KeyConfirmed(false, aes),
              new PendingKey(tdes),
              new Abort(ErrorCode.PEER_PROTOCOL_ERROR));
      out.sdk(
          "hostile-krd_credential.frame",
          frame(MessageType.KRD_CREDENTIAL, HostileDer.signedData(null, HostileDer.nested())));
      int i = 0;
      for (HandshakeMessage msg : project) {
        out.sdk(msg.type().name().toLowerCase() + "-" + i++ + ".frame", frames.encode(msg));
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    // the Annex B tokens in the frame their type travels in
    Map<String, MessageType> annexB =
        Map.of(
            "B.6_", MessageType.KDH_CREDENTIAL,
            "B.7_", MessageType.KRD_CREDENTIAL,
            "B.8_", MessageType.KDH_KEY_ONE_PASS,
            "B.9_", MessageType.KDH_KEY,
            "B.10_", MessageType.CA_REBIND,
            "B.11_", MessageType.KDH_REBIND,
            "B.12_", MessageType.KRD_RANDOM,
            "B.13_", MessageType.CA_UNBIND,
            "B.14_", MessageType.KDH_UNBIND);
    Path tokens = Vectors.root().resolve("tr34-2019/tokens");
    if (!Files.isDirectory(tokens)) {
      vectorsMissing("the frame target is");
      return;
    }
    try (Stream<Path> files = Files.list(tokens)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        for (Map.Entry<String, MessageType> e : annexB.entrySet()) {
          if (name.startsWith(e.getKey())) {
            out.vector(name + ".frame", frame(e.getValue(), Files.readAllBytes(f)));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] frame(MessageType type, byte[] payload) {
    byte[] f = new byte[payload.length + 2];
    f[0] = (byte) MessageCodec.PROTOCOL_VERSION;
    f[1] = (byte) type.wireValue();
    System.arraycopy(payload, 0, f, 2, payload.length);
    return f;
  }

  /** TR-31 blocks the SDK wraps here, by name, under {@link #sdkKbpk(KeyBlockVersion)}. */
  private static Map<String, String> sdkBlocks(FuzzMaterial m) throws Exception {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (KeyBlockVersion v : List.of(KeyBlockVersion.A, KeyBlockVersion.B, KeyBlockVersion.C)) {
      try (SecretKeyMaterial kbpk = SecretKeyMaterial.copyOf(sdkKbpk(v));
          SecretKeyMaterial key = SecretKeyMaterial.copyOf(tdesKey(16))) {
        Tr31Header h = Tr31Header.builder(v).keyUsage("P0").algorithm('T').modeOfUse('E').build();
        out.put("tdes-" + v, m.tr31.wrap(kbpk, h, key));
      }
    }
    try (SecretKeyMaterial kbpk = SecretKeyMaterial.copyOf(sdkKbpk(KeyBlockVersion.D));
        SecretKeyMaterial key = SecretKeyMaterial.copyOf(new byte[16])) {
      Tr31Header plain =
          Tr31Header.builder(KeyBlockVersion.D)
              .keyUsage("D0")
              .algorithm('A')
              .modeOfUse('B')
              .build();
      out.put("aes-D", m.tr31.wrap(kbpk, plain, key));
      Tr31Header withBlocks =
          Tr31Header.builder(KeyBlockVersion.D)
              .keyUsage("B1")
              .algorithm('A')
              .modeOfUse('X')
              .addOptionalBlock(OptionalBlock.IK, "1234567890123456")
              .addOptionalBlock(OptionalBlock.timestamp(Instant.parse("2026-01-02T03:04:05Z")))
              .build();
      out.put("aes-D-optional-blocks", m.tr31.wrap(kbpk, withBlocks, key));
    }
    return out;
  }

  private static byte[] sdkKbpk(KeyBlockVersion v) {
    byte[] k = v == KeyBlockVersion.D ? new byte[32] : tdesKey(24);
    if (v == KeyBlockVersion.D) {
      for (int i = 0; i < k.length; i++) {
        k[i] = (byte) (i * 7 + 1);
      }
    }
    return k;
  }

  /** The TR-31 target's input: KBPK length - 1, the KBPK, then the key block text. */
  static byte[] tr31Input(byte[] kbpk, String block) {
    byte[] text = block.getBytes(StandardCharsets.ISO_8859_1);
    byte[] in = new byte[1 + kbpk.length + text.length];
    in[0] = (byte) (kbpk.length - 1);
    System.arraycopy(kbpk, 0, in, 1, kbpk.length);
    System.arraycopy(text, 0, in, 1 + kbpk.length, text.length);
    return in;
  }

  private static void writeTr31Blocks(Sink out) {
    FuzzMaterial m = FuzzMaterial.get();
    try {
      for (Map.Entry<String, String> b : sdkBlocks(m).entrySet()) {
        KeyBlockVersion v = KeyBlockVersion.of(b.getValue().charAt(0));
        out.sdk(b.getKey() + ".tr31", tr31Input(sdkKbpk(v), b.getValue()));
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    for (String file : List.of("tr31/keyblocks.json", "tr31/negative.json")) {
      Optional<JsonNode> json = json(file);
      if (json.isEmpty()) {
        vectorsMissing("the TR-31 unwrap target is");
        return;
      }
      for (JsonNode v : json.get().get("vectors")) {
        byte[] kbpk = HEX.parseHex(v.get("kbpk").asText());
        if (kbpk.length >= 1 && kbpk.length <= MAX_KBPK) {
          out.vector(
              file.replace('/', '_') + "_" + v.get("id").asText() + ".tr31",
              tr31Input(kbpk, v.get("key_block").asText()));
        }
      }
    }
  }

  private static void writeHeaders(Sink out) {
    FuzzMaterial m = FuzzMaterial.get();
    out.sdk("tr34-tdes.hdr", "A0000K0TB00E0000");
    out.sdk("tr34-aes.hdr", "D0256K0AB00E0000");
    try {
      for (Map.Entry<String, String> b : sdkBlocks(m).entrySet()) {
        Tr31Header h = Tr31Header.parse(b.getValue().substring(0, headerLength(b.getValue())));
        out.sdk(b.getKey() + ".hdr", h.encode(0));
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    Optional<JsonNode> blocks = json("tr31/keyblocks.json");
    Optional<JsonNode> built = json("tr31/header_build.json");
    if (blocks.isEmpty() || built.isEmpty()) {
      vectorsMissing("the key block header targets are");
      return;
    }
    for (JsonNode v : blocks.get().get("vectors")) {
      String block = v.get("key_block").asText();
      int n = v.path("expected_header").path("header_length_chars").asInt(16);
      out.vector(
          "keyblocks_" + v.get("id").asText() + ".hdr",
          block.substring(0, n).getBytes(StandardCharsets.US_ASCII));
    }
    for (JsonNode v : built.get().get("vectors")) {
      JsonNode h = v.get("expected_header");
      if (h != null && h.isTextual()) {
        out.vector(
            "header_build_" + v.get("id").asText() + ".hdr",
            h.asText().getBytes(StandardCharsets.US_ASCII));
      }
    }
  }

  /** The header length of a block the SDK wrote: 16 plus its optional blocks. */
  private static int headerLength(String block) {
    int count = Integer.parseInt(block.substring(12, 14));
    int pos = 16;
    for (int i = 0; i < count; i++) {
      pos += Integer.parseInt(block.substring(pos + 2, pos + 4), 16);
    }
    return pos;
  }

  private static Optional<JsonNode> json(String relative) {
    Path f = Vectors.root().resolve(relative);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ObjectMapper().readTree(f.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The passphrase of the encrypted private key seeds. */
  static final char[] PASSPHRASE = "fuzz passphrase".toCharArray();

  private static void writePrivateKeys(Sink out) {
    FuzzMaterial m = FuzzMaterial.get();
    KeyPair pair = TestPki.rsa(2048);
    out.sdk("pkcs8.pem", Pem.encode(pair.getPrivate()));
    try {
      byte[] pkcs1 =
          PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded())
              .parsePrivateKey()
              .toASN1Primitive()
              .getEncoded();
      out.sdk("pkcs1.pem", Pem.encode("RSA PRIVATE KEY", pkcs1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.sdk(
        "pkcs8-encrypted.pem",
        Pem.encodeEncrypted(pair.getPrivate(), PASSPHRASE, 1_000, m.crypto.secureRandom()));
    out.sdk(
        "krd-pkcs8-encrypted.pem",
        Pem.encodeEncrypted(m.krd.key().privateKey(), PASSPHRASE, 1_000, m.crypto.secureRandom()));
    out.sdk(
        "legacy-encrypted.pem",
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
            + "DEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\n"
            + Pem.encode("X", new byte[48]).lines().skip(1).findFirst().orElseThrow()
            + "\n-----END RSA PRIVATE KEY-----\n");
    out.sdk("hostile-nested-pkcs8.pem", HostileDer.pem("PRIVATE KEY", HostileDer.nested()));
    out.sdk(
        "hostile-nested-encrypted.pem",
        HostileDer.pem("ENCRYPTED PRIVATE KEY", HostileDer.nested()));
    if (!out.vectorFiles("tr34-2019/keys", ".key.pem")) {
      vectorsMissing("the private key targets are");
    }
    out.vectorFiles("tr34-2019/supplementary/clover-generated", ".key.pem");
  }

  private static void writeCertificates(Sink out) {
    FuzzMaterial m = FuzzMaterial.get();
    List<X509Certificate> all =
        List.of(
            m.pki.root,
            m.pki.kdhCa,
            m.pki.krdCa,
            m.kdh.certificate(),
            m.krd.certificate(),
            m.newKdh.certificate());
    try {
      int i = 0;
      for (X509Certificate c : all) {
        out.sdk("cert-" + i + ".der", c.getEncoded());
        out.sdk("cert-" + i++ + ".pem", Pem.encode(c));
      }
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
    StringBuilder bundle = new StringBuilder();
    for (X509Certificate c : all) {
      bundle.append(Pem.encode(c));
    }
    out.sdk("bundle.pem", bundle.toString());
    hostileDer(out, "CERTIFICATE");
    if (!out.vectorFiles("tr34-2019/keys", ".crt.pem")) {
      vectorsMissing("the certificate target is");
    }
    out.vectorFiles("tr34-2019/supplementary/clover-generated", ".crt.pem");
    out.vectorFiles("pkits/certs", "");
  }

  private static void writeCrls(Sink out) {
    FuzzMaterial m = FuzzMaterial.get();
    List<X509CRL> crls = new ArrayList<>(m.pki.crls());
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    crls.add( // one with an entry, which the PKI's own CRLs have not
        CrlBuilder.issuedBy(m.pki.kdhCa, m.pki.caKey(m.pki.kdhCa))
            .thisUpdate(now.minusSeconds(60))
            .nextUpdate(now.plusSeconds(86_400))
            .crlNumber(java.math.BigInteger.valueOf(1_000))
            .revoke(m.newKdh.certificate().getSerialNumber(), now.minusSeconds(120))
            .build());
    try {
      int i = 0;
      for (X509CRL c : crls) {
        out.sdk("crl-" + i + ".der", c.getEncoded());
        out.sdk("crl-" + i++ + ".pem", Pem.encode(c));
      }
    } catch (java.security.cert.CRLException e) {
      throw new IllegalStateException(e);
    }
    hostileDer(out, "X509 CRL");
    if (!out.vectorFiles("tr34-2019/keys", ".crl.der")) {
      vectorsMissing("the CRL target is");
    }
    out.vectorFiles("tr34-2019/keys", ".crl.pem");
    out.vectorFiles("pkits/crls", "");
  }

  private static void writeCertificationRequests(Sink out) {
    FuzzMaterial m = FuzzMaterial.get();
    try {
      out.sdk(
          "krd.csr",
          CertificationRequests.create(m.crypto, m.krd.key(), TestPki.dn("Fuzz CSR terminal")));
      out.sdk(
          "kdh.csr",
          CertificationRequests.create(m.crypto, m.kdh.key(), TestPki.dn("Fuzz CSR host")));
      // a request with an extensionRequest attribute, as OpenSSL and Bouncy Castle write them
      KeyPair pair = TestPki.rsa(2048);
      Extensions ext =
          new Extensions(
              new Extension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyEncipherment).getEncoded()));
      out.sdk(
          "with-extensions.csr",
          new JcaPKCS10CertificationRequestBuilder(TestPki.dn("Fuzz CSR ext"), pair.getPublic())
              .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext)
              .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate()))
              .getEncoded());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    out.sdk("hostile-nested.csr", HostileDer.nested());
    out.sdk(
        "hostile-nested-in-request.csr",
        HostileDer.tlv(
            0x30, HostileDer.tlv(0x30, HostileDer.tlv(0x02, new byte[] {0}), HostileDer.nested())));
  }

  /**
   * Inputs of the shape that overflowed the JDK's and Bouncy Castle's recursive parsers before the
   * depth limit (docs/SECURITY.md R5, "Input limits"): SEQUENCEs nested {@link HostileDer#LEVELS}
   * deep, with definite and with indefinite lengths, as DER and as PEM; and nested one level past
   * and at the limit, where mutations probe its edge.
   */
  private static void hostileDer(Sink out, String pemLabel) {
    out.sdk("hostile-nested.der", HostileDer.nested());
    out.sdk("hostile-nested-indefinite.der", HostileDer.nestedIndefinite(HostileDer.LEVELS));
    out.sdk("hostile-nested.pem", HostileDer.pem(pemLabel, HostileDer.nested()));
    out.sdk("hostile-nested-33.der", HostileDer.nested(33));
    out.sdk("hostile-nested-32.der", HostileDer.nested(32));
  }

  /** SignedData tokens carrying hostile nesting as their content or as their certificates. */
  private static void hostileTokens(Sink out) {
    out.sdk("hostile-nested-content.der", HostileDer.signedData(HostileDer.nested(), null));
    out.sdk("hostile-nested-certificate.der", HostileDer.signedData(null, HostileDer.nested()));
    out.sdk(
        "hostile-certificate-near-limit.der", HostileDer.signedData(null, HostileDer.nested(28)));
  }
}
