package dev.keytransfer.core.handshake;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.TransportException;
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
import dev.keytransfer.core.spi.Transport;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the core machine tests share: sessions brought into a state, samples, a one-frame wire. */
final class Scenarios {
  private Scenarios() {}

  static final IssuerAndSerial KRD_ID = IssuerAndSerial.of(FakePki.KRD_1.leaf());
  static final IssuerAndSerial KDH_ID = IssuerAndSerial.of(FakePki.KDH_1.leaf());

  /**
   * A session whose terminal holds a master key from the host whose acknowledgement was lost (the
   * ledger shows it CONFIRMED): the next session reports it with PENDING_KEY.
   */
  static FakeSession.Devices withPendingKey() throws KeyTransferException {
    FakeSession.Devices d = new FakeSession.Devices();
    FakeSession first =
        new FakeSession(d, new FakeTokenCodec(), HostOperations.deliverKeys(), false, false);
    first.start();
    first.toHost();
    first.toTerminal();
    first.toHost();
    first.toTerminal(); // KEY_INSTALLED: the key is pending
    first.toHost(); // the host's KEY_CONFIRMED is lost
    return d;
  }

  /** The operation that makes the host answer the nonce with a message of {@code type}. */
  static HostOperation operationSending(MessageType type, FakeTokenCodec codec)
      throws KeyTransferException {
    return switch (type) {
      case KDH_KEY_ONE_PASS -> new HostOperation.DeliverKeyOnePass();
      case KDH_UNBIND -> new HostOperation.Unbind();
      case KDH_REBIND -> new HostOperation.Rebind(FakePki.KDH_2);
      case CA_UNBIND ->
          new HostOperation.RelayAuthorityToken(
              codec.buildCaUnbindToken(
                  FakePki.KRD_CA, FakePki.key(FakePki.KRD_CA), KRD_ID, KDH_ID));
      case CA_REBIND ->
          new HostOperation.RelayAuthorityToken(
              codec.buildCaRebindToken(
                  FakePki.KRD_CA,
                  FakePki.key(FakePki.KRD_CA),
                  KRD_ID,
                  KDH_ID,
                  FakePki.KDH_2,
                  Instant.now(),
                  List.of()));
      default -> HostOperation.deliverKey();
    };
  }

  /** One message of each type, from a codec no session shares: refused before it is parsed. */
  static Map<MessageType, HandshakeMessage> samples() throws KeyTransferException {
    FakeTokenCodec c = new FakeTokenCodec();
    Nonce nonce = Nonce.random(new SecureRandom());
    KeyBlockHeader header = KeyBlockHeader.parse("A0000K0TB00E0000");
    KeyCheckValue kcv = KeyCheckValue.of(KeyCheckValue.Method.CMAC_TDES, new byte[5]);
    Map<MessageType, HandshakeMessage> m = new EnumMap<>(MessageType.class);
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(new byte[16])) {
      m.put(MessageType.KRD_CREDENTIAL, c.encodeKrdCredential(FakePki.KRD_1));
      m.put(MessageType.KDH_CREDENTIAL, c.encodeKdhCredential(FakePki.KDH_1, List.of()));
      m.put(MessageType.KRD_RANDOM, c.encodeRandomToken(nonce));
      m.put(
          MessageType.KDH_KEY,
          c.buildKeyToken(
              KeyTokenRequest.twoPass(
                  FakePki.KDH_1.leaf(),
                  FakePki.key(FakePki.KDH_1.leaf()),
                  FakePki.KRD_1.leaf(),
                  nonce,
                  header,
                  k,
                  List.of())));
      m.put(
          MessageType.KDH_KEY_ONE_PASS,
          c.buildKeyToken(
              KeyTokenRequest.onePass(
                  FakePki.KDH_1.leaf(),
                  FakePki.key(FakePki.KDH_1.leaf()),
                  FakePki.KRD_1.leaf(),
                  Instant.now(),
                  header,
                  k,
                  List.of())));
      m.put(
          MessageType.KDH_ECDH_KEY,
          c.buildEcdhKeyToken(
              new EcdhKeyRequest(
                  FakePki.KDH_EC.leaf(),
                  FakePki.key(FakePki.KDH_EC.leaf()),
                  FakePki.KRD_EC.leaf(),
                  nonce,
                  new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
                  Algorithms.Kdf.NIST_SP800,
                  Algorithms.Hash.SHA256,
                  KeyBlockHeader.parse("D0000K0TB00E0000"),
                  k)));
    }
    m.put(
        MessageType.KDH_UNBIND,
        c.buildKdhUnbindToken(
            FakePki.KDH_1.leaf(), FakePki.key(FakePki.KDH_1.leaf()), KRD_ID, nonce, List.of()));
    m.put(
        MessageType.KDH_REBIND,
        c.buildKdhRebindToken(
            FakePki.KDH_1.leaf(),
            FakePki.key(FakePki.KDH_1.leaf()),
            KRD_ID,
            nonce,
            FakePki.KDH_2,
            List.of()));
    for (MessageType t : List.of(MessageType.CA_UNBIND, MessageType.CA_REBIND)) {
      m.put(t, ((HostOperation.RelayAuthorityToken) operationSending(t, c)).token());
    }
    m.put(MessageType.KEY_INSTALLED, new KeyInstalled(kcv));
    m.put(MessageType.WORKING_KEYS, new WorkingKeys(List.of("B0000P0TE00N0000:00:00")));
    m.put(
        MessageType.WORKING_KEYS_INSTALLED,
        new WorkingKeysInstalled(List.of(WorkingKeysInstalled.Result.installed(kcv))));
    m.put(MessageType.BINDING_UPDATED, new BindingUpdated(false));
    m.put(MessageType.KEY_CONFIRMED, new KeyConfirmed(true, kcv));
    m.put(MessageType.PENDING_KEY, new PendingKey(kcv));
    m.put(MessageType.ABORT, new Abort(ErrorCode.CERTIFICATE_REVOKED));
    return m;
  }

  /** A wire that delivers the given frames, then times out; it keeps what the machine sent. */
  static final class Wire implements Transport {
    private final Deque<byte[]> incoming = new ArrayDeque<>();
    final List<byte[]> sent = new ArrayList<>();

    Wire(byte[]... frames) {
      incoming.addAll(List.of(frames));
    }

    @Override
    public void send(byte[] frame) {
      sent.add(frame.clone());
    }

    @Override
    public byte[] receive(Duration timeout) throws TransportException {
      if (incoming.isEmpty()) {
        throw new TransportException(ErrorCode.TIMEOUT, "no more frames");
      }
      return incoming.poll();
    }

    @Override
    public int maxFrameLength() {
      return 65536;
    }

    @Override
    public void close() {}
  }

  /**
   * Feeds {@code message} to {@code machine} the way the front doors do, through {@link
   * SessionDriver}: the frame's type is looked up before the payload is parsed.
   *
   * @return the failure, or empty if the machine took the frame
   */
  static Optional<KeyTransferException> drive(
      Handshake machine, FakeTokenCodec codec, HandshakeMessage message, Wire[] wireOut) {
    MessageCodec frames = new MessageCodec(codec);
    Wire wire = new Wire(frames.encode(message));
    wireOut[0] = wire;
    try {
      new SessionDriver(frames, Duration.ofSeconds(1)).run(machine, Optional.empty(), wire);
      return Optional.empty();
    } catch (KeyTransferException e) {
      return Optional.of(e);
    }
  }
}
