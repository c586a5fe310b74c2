package dev.keytransfer.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.handshake.KdhHandshake;
import dev.keytransfer.core.handshake.KrdHandshake;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.InstalledKey;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import dev.keytransfer.crypto.pkcs11.Pkcs11CryptoProvider;
import dev.keytransfer.crypto.testing.ProviderHandshake;
import dev.keytransfer.crypto.testing.SoftHsm;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Providers mix: a terminal on one provider and a host on another complete S1-S4 in every pairing
 * of bc, jca and pkcs11 (3 x 3), each side with its keys generated in its own provider (in the
 * token for pkcs11) and certified from a CSR signed there. The KCV the host recorded, computed by
 * the host's provider, must equal the one the terminal confirmed, computed by the terminal's.
 */
@Tag("hsm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProviderPairingTest {
  private final Map<String, CryptoProvider> providers = new LinkedHashMap<>();
  private final Map<String, ProviderHandshake.Party> terminals = new LinkedHashMap<>();
  private final Map<String, ProviderHandshake.Party> hosts = new LinkedHashMap<>();
  private DefaultCertificateAuthority ca;

  @BeforeAll
  void enrollEverySide() throws Exception {
    providers.put("bc", new BcCryptoProvider());
    providers.put("jca", new JcaCryptoProvider());
    providers.put("pkcs11", Pkcs11CryptoProvider.open(SoftHsm.token()));
    ca = DefaultCertificateAuthority.create("Pairing", Clock.systemUTC());
    for (Map.Entry<String, CryptoProvider> p : providers.entrySet()) {
      terminals.put(
          p.getKey(),
          ProviderHandshake.enroll(ca, p.getValue(), Role.KRD, "Pairing KRD " + p.getKey()));
      hosts.put(
          p.getKey(),
          ProviderHandshake.enroll(ca, p.getValue(), Role.KDH, "Pairing KDH " + p.getKey()));
    }
  }

  @AfterAll
  void closeToken() throws Exception {
    Pkcs11CryptoProvider p11 = (Pkcs11CryptoProvider) providers.get("pkcs11");
    if (p11 != null) {
      p11.destroyKey(terminals.get("pkcs11").key());
      p11.destroyKey(hosts.get("pkcs11").key());
      p11.close();
    }
  }

  @Test
  void everyTerminalProvider_withEveryHostProvider_completes() throws Exception {
    List<String> failures = new ArrayList<>();
    StringBuilder matrix = new StringBuilder("terminal \\ host |");
    hosts.keySet().forEach(h -> matrix.append(String.format(" %-7s|", h)));
    for (String t : terminals.keySet()) {
      matrix.append(String.format("%n%-16s |", t));
      for (String h : hosts.keySet()) {
        String result;
        try {
          ProviderHandshake.Outcome o = ProviderHandshake.run(ca, terminals.get(t), hosts.get(h));
          InstalledKey key = o.keyStore().current().orElseThrow();
          boolean ok =
              o.krd().state() == KrdHandshake.State.COMPLETED
                  && o.kdh().state() == KdhHandshake.State.COMPLETED
                  && o.ledger().entries().size() == 1
                  && o.ledger().entries().get(0).status() == DeliveryStatus.CONFIRMED
                  && o.ledger().entries().get(0).kcv().equals(key.kcv());
          result = ok ? "ok" : "FAILED";
        } catch (Exception e) {
          result = "FAILED";
          failures.add(t + " terminal with " + h + " host: " + e);
        }
        if (!result.equals("ok")
            && failures.stream().noneMatch(f -> f.startsWith(t + " terminal with " + h))) {
          failures.add(t + " terminal with " + h + " host: machines did not both complete");
        }
        matrix.append(String.format(" %-7s|", result));
      }
    }
    System.out.println("Provider pairing (terminal rows, host columns):\n" + matrix);
    assertThat(failures).isEmpty();
  }
}
