package dev.keytransfer.e2e.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.netty.NettyKeyServer;
import dev.keytransfer.transport.tcp.TcpTransport;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The key host under attack: 1,000 terminals fetch their keys over real loopback sockets, with the
 * SDK's own terminal client and real TR-34 handshakes, from a {@code NettyKeyServer} with its
 * default limits, while 100 hostile connections stay open against it: silent, dripping one byte at
 * a time into a 64 KiB frame, announcing a frame of 2 GiB, or sending garbage. Each kind of attack
 * gets a quarter of the terminals (after 100 with no attack at all); every terminal must get its
 * key, the ledger must confirm each, and none may wait more than 10 s for it, retries after {@code
 * PEER_TRY_LATER} included. The latencies per attack are printed, for the README. The terminals are
 * 1,000 certificates on one RSA key, so that the test spends its time on handshakes, not key
 * generation.
 */
@Tag("slow")
class UnderAttackTest {
  private static final int HOSTILE = 100;
  private static final int CLIENTS = 8;
  private static final int WARM_UP = 30;
  private static final int BASELINE = 100;
  private static final int PER_ATTACK = 225;
  private static final Duration MAX_WAIT = Duration.ofSeconds(10);
  private static final BcCryptoProvider crypto = new BcCryptoProvider();

  enum Attack {
    NONE,
    IDLE,
    DRIP,
    OVERSIZED,
    GARBAGE
  }

  /** What one phase measured. */
  private record Phase(
      Attack attack,
      List<Long> latenciesMillis,
      int retries,
      long hostileConnections,
      Map<ErrorCode, Integer> hostileOutcomes,
      long elapsedMillis) {
    long percentile(double p) {
      List<Long> sorted = new ArrayList<>(latenciesMillis);
      Collections.sort(sorted);
      int i = (int) Math.ceil(p * sorted.size()) - 1;
      return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
  }

  private final List<NettyKeyServer.SessionOutcome<DeliveryReceipt>> outcomes =
      new CopyOnWriteArrayList<>();

  @Test
  void thousandTerminals_underHundredHostileConnections_allServedWithinTenSeconds()
      throws Exception {
    TestPki pki = TestPki.create("Attack");
    List<X509CRL> crls = pki.crls(); // issued once: the host reads the same CRLs every session
    InMemoryKeyLedger ledger = new InMemoryKeyLedger();
    KeyTransferHost host =
        KeyTransferHost.builder()
            .distributionTerminal(
                pki.host(
                    pki.validLeaf(Role.KDH, "Attack KDH"),
                    () -> crls.subList(0, 2),
                    RandomKeySource.tdesMasterKeys(crypto.secureRandom()),
                    ledger))
            .cryptoProvider(crypto)
            .validationPolicy(
                ValidationPolicy.builder()
                    .trustAnchor(pki.root)
                    .roleIssuer(Role.KDH, pki.kdhCa)
                    .roleIssuer(Role.KRD, pki.krdCa)
                    .crlSource(() -> crls)
                    .build())
            .build();
    KeyPair shared = TestPki.rsa(2048);
    int total = WARM_UP + BASELINE + 4 * PER_ATTACK;
    List<ReceivingTerminal> devices = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      devices.add(
          pki.terminal(
              pki.leaf(Role.KRD, String.format("Attack POS %04d", i)).keys(shared).build()));
    }
    ValidationPolicy terminalPolicy = pki.terminalPolicy();

    List<Phase> phases = new ArrayList<>();
    try (NettyKeyServer<DeliveryReceipt> server =
        NettyKeyServer.builder().build(host::openSession, outcomes::add)) {
      server.start();
      int next = 0;
      run(server, devices.subList(next, next += WARM_UP), terminalPolicy, Attack.NONE);
      phases.add(run(server, devices.subList(next, next += BASELINE), terminalPolicy, Attack.NONE));
      for (Attack attack : List.of(Attack.IDLE, Attack.DRIP, Attack.OVERSIZED, Attack.GARBAGE)) {
        phases.add(run(server, devices.subList(next, next += PER_ATTACK), terminalPolicy, attack));
      }
      System.out.println(report(phases, server));
    }

    for (Phase p : phases) {
      assertThat(p.latenciesMillis())
          .as("%s: every terminal served", p.attack())
          .hasSize(p.attack() == Attack.NONE ? BASELINE : PER_ATTACK);
      assertThat(p.percentile(1.0))
          .as("%s: the longest wait for service, in ms", p.attack())
          .isLessThan(MAX_WAIT.toMillis());
    }
    assertThat(ledger.entries())
        .hasSize(total)
        .allMatch(e -> e.status() == DeliveryStatus.CONFIRMED);
    for (ReceivingTerminal d : devices) {
      assertThat(d.keyStore().current()).isPresent();
    }
    // the attacks were met where they should be: at the frame, not in a handshake
    assertThat(phaseOf(phases, Attack.OVERSIZED).hostileOutcomes())
        .containsKey(ErrorCode.FRAME_TOO_LARGE);
    assertThat(phaseOf(phases, Attack.DRIP).hostileOutcomes()).containsKey(ErrorCode.TIMEOUT);
    // garbage that frames correctly costs a handshake task each: when those fill the queue, new
    // connections (garbage or not) are refused with PEER_TRY_LATER, as designed
    assertThat(phaseOf(phases, Attack.GARBAGE).hostileOutcomes().keySet())
        .isNotEmpty()
        .allMatch(c -> c.publicCode() == ErrorCode.PEER_PROTOCOL_ERROR || c == ErrorCode.HOST_BUSY);
    long served =
        outcomes.stream().filter(o -> o.succeeded() && o.peer().contains("/127.0.0.1:")).count();
    assertThat(served).as("one outcome per terminal session").isEqualTo(total);
  }

  private static Phase phaseOf(List<Phase> phases, Attack attack) {
    return phases.stream().filter(p -> p.attack() == attack).findFirst().orElseThrow();
  }

  /** Serves {@code devices} with {@link #CLIENTS} terminals at a time, under {@code attack}. */
  private Phase run(
      NettyKeyServer<DeliveryReceipt> server,
      List<ReceivingTerminal> devices,
      ValidationPolicy terminalPolicy,
      Attack attack)
      throws Exception {
    int outcomesBefore = outcomes.size();
    long start = System.nanoTime();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger retries = new AtomicInteger();
    try (Hostile hostile = new Hostile(attack, server.port())) {
      hostile.awaitOpen();
      AtomicInteger next = new AtomicInteger();
      ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
      List<Future<?>> runs = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        runs.add(
            clients.submit(
                () -> {
                  for (int i = next.getAndIncrement();
                      i < devices.size();
                      i = next.getAndIncrement()) {
                    latencies.add(fetch(devices.get(i), terminalPolicy, server.port(), retries));
                  }
                  return null;
                }));
      }
      for (Future<?> f : runs) {
        f.get(5, TimeUnit.MINUTES);
      }
      clients.shutdown();
      if (attack == Attack.DRIP) { // long enough for the drippers to meet their frame deadline
        long left = TimeUnit.SECONDS.toNanos(11) - (System.nanoTime() - start);
        if (left > 0) {
          TimeUnit.NANOSECONDS.sleep(left);
        }
      }
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      Map<ErrorCode, Integer> hostileOutcomes = new EnumMap<>(ErrorCode.class);
      for (NettyKeyServer.SessionOutcome<DeliveryReceipt> o :
          outcomes.subList(outcomesBefore, outcomes.size())) {
        if (!o.succeeded() && o.peer().contains("/127.0.2.")) {
          hostileOutcomes.merge(o.failure().code(), 1, Integer::sum);
        }
      }
      return new Phase(
          attack, latencies, retries.get(), hostile.opened.get(), hostileOutcomes, elapsed);
    }
  }

  /**
   * One terminal's key: the wait from its first connect to its receipt, retries after {@code
   * PEER_TRY_LATER} (a short random pause, as a real terminal would) included.
   */
  private static long fetch(
      ReceivingTerminal device, ValidationPolicy policy, int port, AtomicInteger retries)
      throws Exception {
    KeyTransferTerminal terminal =
        KeyTransferTerminal.builder()
            .receivingTerminal(device)
            .cryptoProvider(crypto)
            .validationPolicy(policy)
            .build();
    long start = System.nanoTime();
    for (int attempt = 0; ; attempt++) {
      try (TcpTransport t =
          TcpTransport.connect(
              "127.0.0.1", port, Duration.ofSeconds(10), TcpTransport.DEFAULT_MAX_FRAME_LENGTH)) {
        terminal.receiveKey(t);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      } catch (KeyTransferException e) {
        if (e.code() != ErrorCode.PEER_TRY_LATER || attempt >= 50) {
          throw e;
        }
        retries.incrementAndGet();
        Thread.sleep(20 + new SecureRandom().nextInt(80));
      }
    }
  }

  /**
   * {@link #HOSTILE} connections of one kind, from 127.0.2.1-4 (25 each, within the per-address
   * cap), each reopened 100 ms after the host closes it, until closed.
   */
  private static final class Hostile implements AutoCloseable {
    private final Attack attack;
    private final int port;
    private final List<Thread> threads = new ArrayList<>();
    private final Map<Integer, Socket> open = new ConcurrentHashMap<>();
    private final AtomicLong opened = new AtomicLong();
    private volatile boolean stop;

    Hostile(Attack attack, int port) {
      this.attack = attack;
      this.port = port;
      if (attack == Attack.NONE) {
        return;
      }
      for (int i = 0; i < HOSTILE; i++) {
        int slot = i;
        Thread t = new Thread(() -> loop(slot), "hostile-" + attack + "-" + i);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
    }

    void awaitOpen() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (attack != Attack.NONE && opened.get() < HOSTILE && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }

    private void loop(int slot) {
      SecureRandom random = new SecureRandom();
      while (!stop) {
        try (Socket s = new Socket()) {
          s.bind(new InetSocketAddress(InetAddress.getByName("127.0.2." + (1 + slot % 4)), 0));
          s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
          open.put(slot, s);
          opened.incrementAndGet();
          behave(s, random);
        } catch (IOException | InterruptedException closed) {
          // the host closed it (or the test is over): open the next
        } finally {
          open.remove(slot);
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private void behave(Socket s, SecureRandom random) throws IOException, InterruptedException {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      InputStream in = s.getInputStream();
      switch (attack) {
        case IDLE -> drain(in);
        case DRIP -> {
          out.writeInt(64 * 1024); // the largest frame allowed, one byte every 500 ms
          while (!stop) {
            Thread.sleep(500);
            out.write(0);
            out.flush();
          }
        }
        case OVERSIZED -> {
          out.writeInt(Integer.MAX_VALUE);
          out.flush();
          drain(in);
        }
        case GARBAGE -> {
          byte[] junk = new byte[1 + random.nextInt(200)];
          random.nextBytes(junk);
          out.writeInt(junk.length);
          out.write(junk);
          out.flush();
          drain(in);
        }
        default -> throw new IllegalStateException(attack.name());
      }
    }

    private static void drain(InputStream in) throws IOException {
      byte[] b = new byte[256];
      while (in.read(b) >= 0) {
        // whatever the host answers (an abort), until it closes
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      for (Socket s : open.values()) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
      for (Thread t : threads) {
        t.interrupt();
        t.join(5000);
      }
    }
  }

  private static String report(List<Phase> phases, NettyKeyServer<?> server) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%nGood terminals under attack (%d hostile connections, %d terminals at a time,"
                + " NettyKeyServer defaults)%n",
            HOSTILE,
            CLIENTS));
    b.append(
        String.format(
            Locale.ROOT,
            "%-10s %9s %7s %7s %7s %8s %9s %8s  %s%n",
            "attack",
            "terminals",
            "p50 ms",
            "p99 ms",
            "max ms",
            "retries",
            "hostile",
            "phase s",
            "hostile outcomes"));
    for (Phase p : phases) {
      b.append(
          String.format(
              Locale.ROOT,
              "%-10s %9d %7d %7d %7d %8d %9d %8.1f  %s%n",
              p.attack().name().toLowerCase(Locale.ROOT),
              p.latenciesMillis().size(),
              p.percentile(0.50),
              p.percentile(0.99),
              p.percentile(1.0),
              p.retries(),
              p.hostileConnections(),
              p.elapsedMillis() / 1000.0,
              new TreeMap<>(p.hostileOutcomes())));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "server: %d sessions completed, %d failed, %d refused busy, %d over the caps%n",
            server.completedSessions(),
            server.failedSessions(),
            server.busyRefusals(),
            server.refusedConnections()));
    return b.toString();
  }
}
