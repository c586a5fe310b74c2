package dev.keytransfer.e2e.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.TransportException;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.core.tls.TlsSettings;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.crypto.testing.TlsCerts;
import dev.keytransfer.netty.NettyKeyServer;
import dev.keytransfer.transport.tcp.TcpTransport;
import java.io.DataOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The terminal's {@code TcpTransport} against {@code NettyKeyServer} over TLS 1.3, server-only and
 * mutual: a whole key delivery succeeds, and each TLS refusal (untrusted CA, wrong host name, no
 * client certificate, a TLS 1.2 client) fails on both sides with {@code TLS_FAILURE}, before any
 * session: nothing installed, nothing in the ledger.
 */
class TlsDeliveryTest {
  private static final Duration STEP = Duration.ofSeconds(5);
  private static final BcCryptoProvider crypto = new BcCryptoProvider();
  private static TestPki pki;
  private static InMemoryKeyLedger ledger;
  private static TlsCerts tlsCa;
  private static TlsCerts otherCa;
  private static TlsCerts.Identity client;
  private static NettyKeyServer<DeliveryReceipt> serverOnly;
  private static NettyKeyServer<DeliveryReceipt> mutual;
  private static NettyKeyServer<DeliveryReceipt> misnamed;
  private static final BlockingQueue<NettyKeyServer.SessionOutcome<DeliveryReceipt>> outcomes =
      new LinkedBlockingQueue<>();

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create("TLS delivery");
    TestPki.Leaf kdh = pki.validLeaf(Role.KDH, "TLS KDH");
    ledger = new InMemoryKeyLedger();
    KeyTransferHost host =
        KeyTransferHost.builder()
            .distributionTerminal(
                pki.host(
                    kdh,
                    pki::kdhPathCrls,
                    RandomKeySource.tdesMasterKeys(crypto.secureRandom()),
                    ledger))
            .cryptoProvider(crypto)
            .validationPolicy(pki.hostPolicy())
            .build();
    tlsCa = TlsCerts.create("Host");
    otherCa = TlsCerts.create("Other");
    TlsCerts.Identity local = tlsCa.localServer("kdh.local");
    client = tlsCa.client("pos TLS client");
    serverOnly = server(host, TlsCerts.serverSettings(local, null));
    mutual = server(host, TlsCerts.serverSettings(local, tlsCa.ca));
    misnamed =
        server(
            host,
            TlsCerts.serverSettings(
                tlsCa.server("kdh.example", List.of("kdh.example"), List.of()), null));
  }

  private static NettyKeyServer<DeliveryReceipt> server(KeyTransferHost host, TlsSettings tls)
      throws KeyTransferException {
    NettyKeyServer<DeliveryReceipt> s =
        NettyKeyServer.builder()
            .threads(1)
            .ioThreads(1)
            .stepTimeout(STEP)
            .frameTimeout(STEP)
            .tls(tls)
            .build(host::openSession, outcomes::add);
    return s.start();
  }

  @AfterAll
  static void stop() {
    for (NettyKeyServer<?> s : new NettyKeyServer<?>[] {serverOnly, mutual, misnamed}) {
      if (s != null) {
        s.close();
      }
    }
  }

  private static KeyTransferTerminal terminal(ReceivingTerminal device) {
    return KeyTransferTerminal.builder()
        .receivingTerminal(device)
        .cryptoProvider(crypto)
        .validationPolicy(pki.terminalPolicy())
        .stepTimeout(STEP)
        .build();
  }

  private static NettyKeyServer.SessionOutcome<DeliveryReceipt> nextOutcome() throws Exception {
    NettyKeyServer.SessionOutcome<DeliveryReceipt> o = outcomes.poll(10, TimeUnit.SECONDS);
    assertThat(o).as("host outcome").isNotNull();
    return o;
  }

  private static KeyReceipt deliver(
      NettyKeyServer<?> server, String host, TlsSettings tls, ReceivingTerminal device)
      throws KeyTransferException {
    try (TcpTransport t =
        TcpTransport.connect(
            host, server.port(), STEP, TcpTransport.DEFAULT_MAX_FRAME_LENGTH, tls)) {
      assertThat(t.toString()).contains("TLS");
      return terminal(device).receiveKey(t);
    }
  }

  private static void assertNothingDelivered(ReceivingTerminal device) {
    assertThat(device.keyStore().size()).as("no key installed").isZero();
    String subject = device.certificateChain().leaf().getSubjectX500Principal().getName();
    assertThat(ledger.entries()).noneMatch(e -> e.deviceSubject().equals(subject));
  }

  @Test
  void serverOnlyTls_deliversAConfirmedKey() throws Exception {
    outcomes.clear();
    ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "TLS POS 1"));
    KeyReceipt r = deliver(serverOnly, "127.0.0.1", tlsCa.clientSettings(null), device);
    assertThat(r.kcv()).isNotNull();
    assertThat(device.keyStore().size()).isEqualTo(1);
    assertThat(nextOutcome().succeeded()).isTrue();
    String subject = device.certificateChain().leaf().getSubjectX500Principal().getName();
    assertThat(ledger.entries())
        .filteredOn(e -> e.deviceSubject().equals(subject))
        .singleElement()
        .extracting(e -> e.status())
        .isEqualTo(DeliveryStatus.CONFIRMED);
  }

  @Test
  void serverOnlyTls_byDnsName_deliversAKey() throws Exception {
    outcomes.clear();
    ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "TLS POS dns"));
    KeyReceipt r = deliver(serverOnly, "localhost", tlsCa.clientSettings(null), device);
    assertThat(r.kcv()).isNotNull();
    assertThat(nextOutcome().succeeded()).isTrue();
  }

  @Test
  void mutualTls_withClientCertificate_deliversAKey() throws Exception {
    outcomes.clear();
    ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "TLS POS 2"));
    KeyReceipt r = deliver(mutual, "127.0.0.1", tlsCa.clientSettings(client), device);
    assertThat(r.kcv()).isNotNull();
    assertThat(device.keyStore().size()).isEqualTo(1);
    assertThat(nextOutcome().succeeded()).isTrue();
  }

  @Test
  void hostCertificateFromAnotherCa_isTlsFailure() throws Exception {
    outcomes.clear();
    ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "TLS POS 3"));
    assertThatThrownBy(() -> deliver(serverOnly, "127.0.0.1", otherCa.clientSettings(null), device))
        .isInstanceOf(TransportException.class)
        .hasFieldOrPropertyWithValue("code", ErrorCode.TLS_FAILURE)
        .hasMessageContaining("TLS refused")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThat(nextOutcome().failure().code()).isEqualTo(ErrorCode.TLS_FAILURE);
    assertNothingDelivered(device);
  }

  @Test
  void hostCertificateForAnotherName_isTlsFailure() throws Exception {
    outcomes.clear();
    ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "TLS POS 4"));
    assertThatThrownBy(() -> deliver(misnamed, "127.0.0.1", tlsCa.clientSettings(null), device))
        .isInstanceOf(TransportException.class)
        .hasFieldOrPropertyWithValue("code", ErrorCode.TLS_FAILURE)
        .hasMessageContaining("127.0.0.1");
    assertThat(nextOutcome().failure().code()).isEqualTo(ErrorCode.TLS_FAILURE);
    assertNothingDelivered(device);
    // the same certificate is accepted with the host name check turned off, explicitly
    TlsSettings unchecked =
        TlsSettings.builder().trust(List.of(tlsCa.ca)).hostnameVerification(false).build();
    assertThat(deliver(misnamed, "127.0.0.1", unchecked, device).kcv()).isNotNull();
    assertThat(nextOutcome().succeeded()).isTrue();
  }

  @Test
  void mutualTls_withoutClientCertificate_isTlsFailure() throws Exception {
    outcomes.clear();
    ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "TLS POS 5"));
    // TLS 1.3: the client's handshake ends before the host has checked its certificate, so the
    // refusal arrives at the terminal's first receive
    assertThatThrownBy(() -> deliver(mutual, "127.0.0.1", tlsCa.clientSettings(null), device))
        .isInstanceOf(TransportException.class)
        .hasFieldOrPropertyWithValue("code", ErrorCode.TLS_FAILURE);
    assertThat(nextOutcome().failure().code()).isEqualTo(ErrorCode.TLS_FAILURE);
    assertNothingDelivered(device);
  }

  @Test
  void mutualTls_withoutClientCertificate_sendsAfterTheRefusal_stillTlsFailure() throws Exception {
    outcomes.clear();
    // the host's refusal comes after the terminal's handshake ended (TLS 1.3): sends that come
    // later break on the closed connection, and the alert waiting behind them is what is reported
    try (TcpTransport t =
        TcpTransport.connect(
            "127.0.0.1",
            mutual.port(),
            STEP,
            TcpTransport.DEFAULT_MAX_FRAME_LENGTH,
            tlsCa.clientSettings(null))) {
      assertThat(nextOutcome().failure().code()).isEqualTo(ErrorCode.TLS_FAILURE);
      assertThatThrownBy(
              () -> {
                for (int i = 0; i < 20; i++) {
                  t.send(new byte[32]);
                  Thread.sleep(50);
                }
              })
          .isInstanceOf(TransportException.class)
          .hasFieldOrPropertyWithValue("code", ErrorCode.TLS_FAILURE);
    }
  }

  @Test
  void mutualTls_clientCertificateFromAnotherCa_isTlsFailure() throws Exception {
    outcomes.clear();
    ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "TLS POS 6"));
    TlsCerts.Identity stranger = otherCa.client("stranger");
    TlsSettings strangerSettings =
        TlsSettings.builder()
            .trust(List.of(tlsCa.ca))
            .identity(stranger.key(), stranger.chain())
            .build();
    assertThatThrownBy(() -> deliver(mutual, "127.0.0.1", strangerSettings, device))
        .isInstanceOf(TransportException.class)
        .hasFieldOrPropertyWithValue("code", ErrorCode.TLS_FAILURE);
    assertThat(nextOutcome().failure().code()).isEqualTo(ErrorCode.TLS_FAILURE);
    assertNothingDelivered(device);
  }

  @Test
  void aKeyThatIsNotTheCertificates_isRefusedWhenBuilt() {
    TlsCerts.Identity a = tlsCa.client("a");
    assertThatThrownBy(() -> TlsSettings.builder().identity(a.key(), client.chain()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not belong to");
    assertThat(TlsSettings.builder().identity(a.key(), a.chain()).build().toString())
        .contains("identity CN=a")
        .doesNotContain(a.key().toString());
  }

  @Test
  void tls12OnlyClient_isRefused() throws Exception {
    outcomes.clear();
    TrustManagerFactory tmf = tlsCa.clientSettings(null).trustManagerFactory();
    SSLContext tls12 = SSLContext.getInstance("TLSv1.2");
    tls12.init(null, tmf.getTrustManagers(), null);
    try (SSLSocket s =
        (SSLSocket) tls12.getSocketFactory().createSocket("127.0.0.1", serverOnly.port())) {
      s.setEnabledProtocols(new String[] {"TLSv1.2"});
      s.setSoTimeout(5_000);
      assertThatThrownBy(
              () -> {
                s.startHandshake();
                new DataOutputStream(s.getOutputStream()).writeInt(16);
              })
          .satisfies(
              e ->
                  assertThat(TlsSettings.failure(e, "TLS 1.2").code())
                      .isEqualTo(ErrorCode.TLS_FAILURE));
    }
    NettyKeyServer.SessionOutcome<DeliveryReceipt> o = nextOutcome();
    assertThat(o.failure().code()).isEqualTo(ErrorCode.TLS_FAILURE);
    assertThat(o.failure().getMessage()).containsIgnoringCase("protocol");
  }
}
