package dev.keytransfer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import java.security.interfaces.ECPublicKey;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every part of the harness does complete, checked sessions (never a timing assertion: figures are
 * measured by hand, README "Performance").
 */
class HarnessTest {
  private static Fixtures fixtures;
  private static Fixtures ecdh;

  @BeforeAll
  static void fixtures() throws Exception {
    fixtures = Fixtures.create(new JcaCryptoProvider(), 2);
    ecdh = Fixtures.create(new JcaCryptoProvider(), Mode.ECDH, 2);
  }

  @Test
  void ecdhMode_p256Keys_everyPartDoesCheckedSessions() throws Exception {
    assertThat(ecdh.kdh().certificateChain().leaf().getPublicKey()).isInstanceOf(ECPublicKey.class);
    assertThat(ecdh.terminal(0).certificateChain().leaf().getPublicKey())
        .isInstanceOf(ECPublicKey.class);
    Floor floor = new Floor(ecdh);
    assertThat(floor.hostFloor()).isPositive();
    assertThat(floor.terminalFloor()).isEqualTo(32); // Z of P-256
    HostSide.Worker host = new HostSide(ecdh).worker(0);
    for (int i = 0; i < 3; i++) {
      var r = host.handshake();
      assertThat(ecdh.ledger().find(r.sessionId()).orElseThrow().status())
          .isEqualTo(DeliveryStatus.CONFIRMED);
    }
    TerminalSide.Worker terminal = new TerminalSide(ecdh).worker(1);
    for (int i = 0; i < TerminalSide.CYCLE + 2; i++) {
      assertThat(terminal.handshake().kcv()).isEqualTo(ecdh.kcvOf(1));
    }
    assertThat(new FullHandshake(ecdh).worker(0).handshake().kcv()).isEqualTo(ecdh.kcvOf(0));
    assertThat(Mode.of("ECDH")).isEqualTo(Mode.ECDH);
    assertThatThrownBy(() -> Mode.of("dh")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void floor_everyOpSetRuns() throws Exception {
    Floor floor = new Floor(fixtures);
    assertThat(floor.hostFloor()).isPositive();
    assertThat(floor.terminalFloor()).isEqualTo(24);
    assertThat(floor.fullFloor()).isPositive();
  }

  @Test
  void hostSide_sessionsEndConfirmedInTheLedger_eachFromTheNextCertificateOfTheFleet()
      throws Exception {
    HostSide.Worker w = new HostSide(fixtures).worker(0);
    List<CertificateChain> fleet = fixtures.fleet(0);
    assertThat(fleet).hasSize(Fixtures.FLEET_SIZE);
    assertThat(fleet.stream().map(c -> c.leaf().getSerialNumber()).distinct())
        .hasSize(fleet.size());
    assertThat(fleet.get(7).leaf().getPublicKey())
        .isEqualTo(fixtures.terminal(0).certificateChain().leaf().getPublicKey());
    // the worker's constructor ran one session on fleet certificate 0
    for (int i = 1; i < 4; i++) {
      var r = w.handshake();
      LedgerEntry e = fixtures.ledger().find(r.sessionId()).orElseThrow();
      assertThat(e.status()).isEqualTo(DeliveryStatus.CONFIRMED);
      assertThat(e.device()).isEqualTo(IssuerAndSerial.of(fleet.get(i).leaf()));
      assertThat(r.kcv()).contains(fixtures.keySource().kcvOf(fleet.get(i).leaf()));
    }
  }

  @Test
  void terminalSide_replaysMoreThanOneCycle_keyInstalledEachTime() throws Exception {
    TerminalSide.Worker w = new TerminalSide(fixtures).worker(1);
    for (int i = 0; i < TerminalSide.CYCLE + 2; i++) {
      assertThat(w.handshake().kcv()).isEqualTo(fixtures.kcvOf(1));
    }
  }

  @Test
  void fullHandshake_twoThreadsAtOnce_andAWorkerNeedsItsOwnTerminal() throws Exception {
    FullHandshake full = new FullHandshake(fixtures);
    FullHandshake.Worker a = full.worker(0);
    FullHandshake.Worker b = full.worker(1);
    try (TimedLoop loop = new TimedLoop(2)) {
      TimedLoop.Count c = loop.run(List.of(a::handshake, b::handshake), 200_000_000L);
      assertThat(c.ops()).isGreaterThanOrEqualTo(2);
    }
    assertThatThrownBy(() -> full.worker(2)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void timedLoop_aFailingOperationFailsTheRun() {
    try (TimedLoop loop = new TimedLoop(1)) {
      assertThatThrownBy(
              () ->
                  loop.run(
                      List.of(
                          () -> {
                            throw new IllegalStateException("broken session");
                          }),
                      1_000_000L))
          .hasMessageContaining("broken session");
    }
  }
}
