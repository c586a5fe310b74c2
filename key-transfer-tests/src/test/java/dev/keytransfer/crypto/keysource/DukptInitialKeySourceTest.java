package dev.keytransfer.crypto.keysource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.DeliverableKey;
import dev.keytransfer.core.spi.InstalledKey;
import dev.keytransfer.core.spi.KeySource;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.dukpt.AesDukpt;
import dev.keytransfer.crypto.dukpt.AesKsn;
import dev.keytransfer.crypto.dukpt.TdesDukpt;
import dev.keytransfer.crypto.dukpt.TdesKsn;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import dev.keytransfer.crypto.keyblock.KeyBlockVersion;
import dev.keytransfer.crypto.keyblock.Tr31Header;
import dev.keytransfer.crypto.testing.TestPki;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DUKPT initial keys per device (X9.24-1:2009 A.6, X9.24-3:2017 6.3.1; docs/SECURITY.md K1) and
 * their TR-34 delivery.
 */
class DukptInitialKeySourceTest {
  private static final TdesDukpt TDES_DUKPT = TdesDukpt.using(new JcaCryptoProvider());
  private static final AesDukpt AES_DUKPT = AesDukpt.using(new JcaCryptoProvider());
  private static final BcCryptoProvider CRYPTO = new BcCryptoProvider();
  private static final String TDES_BDK = "0123456789ABCDEFFEDCBA9876543210";
  private static final String AES_BDK = "FEDCBA9876543210F1F1F1F1F1F1F1F1";
  private static TestPki pki;
  private static TestPki.Leaf kdh;
  private static TestPki.Leaf krd1;
  private static TestPki.Leaf krd2;

  @BeforeAll
  static void setUp() {
    pki = TestPki.create("DUKPT");
    kdh = pki.validLeaf(Role.KDH, "DUKPT KDH");
    krd1 = pki.leaf(Role.KRD, "DUKPT POS 1").rsaBits(3072).build();
    krd2 = pki.validLeaf(Role.KRD, "DUKPT POS 2");
  }

  // K1: two devices never get the same initial key; each key is the X9.24 derivation for its
  // identifier
  @Test
  void tdesCounter_everyDeviceGetsItsOwnKsnAndIpek() throws Exception {
    try (SecretKeyMaterial bdk = bdk(TDES_BDK);
        DukptInitialKeySource source =
            DukptInitialKeySource.tdes(bdk, TdesKsn.parse("FFFF9876543210E00000"), CRYPTO)) {
      Set<String> ksns = new HashSet<>();
      Set<String> keys = new HashSet<>();
      for (int i = 0; i < 300; i++) {
        X509Certificate device = (i % 2 == 0 ? krd1 : krd2).certificate();
        try (DeliverableKey k = source.keyFor(device)) {
          Tr31Header h = Tr31Header.of(k.header());
          assertThat(h.version()).isEqualTo(KeyBlockVersion.A);
          assertThat(h.keyUsage()).isEqualTo("B1");
          assertThat(h.algorithm()).isEqualTo('T');
          assertThat(h.modeOfUse()).isEqualTo('X');
          assertThat(k.header().value()).hasSize(40).startsWith("A0000B1TX00N0100KS18FFFF98765432");
          TdesKsn ksn = TdesKsn.parse(h.optionalBlock("KS").orElseThrow().data());
          assertThat(ksn.counter()).isZero();
          try (SecretKeyMaterial expected = TDES_DUKPT.initialKey(bdk, ksn)) {
            assertThat(k.key().equalsKey(expected)).isTrue();
          }
          ksns.add(ksn.hex());
          keys.add(digest(k.key()));
        }
      }
      assertThat(ksns).hasSize(300);
      assertThat(keys).hasSize(300);
      assertThat(ksns).contains("FFFF9876543210E00000", "FFFF9876543211000000");
      assertThat(source.nextIdentifier())
          .contains("FFFF9876543236600000"); // device field 0x19087 + 300
    }
  }

  @Test
  void aesCounter_everyDeviceGetsItsOwnInitialKeyId_inAnIkBlock() throws Exception {
    try (SecretKeyMaterial bdk = bdk(AES_BDK);
        DukptInitialKeySource source =
            DukptInitialKeySource.aes(bdk, AesKsn.parse("1234567890123456"), CRYPTO)) {
      Set<String> keys = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        try (DeliverableKey k = source.keyFor(krd1.certificate())) {
          Tr31Header h = Tr31Header.of(k.header());
          assertThat(h.version()).isEqualTo(KeyBlockVersion.D);
          assertThat(h.algorithm()).isEqualTo('A');
          assertThat(h.optionalBlock("KS")).isEmpty(); // docs/KEYBLOCKS.md pitfall 11
          assertThat(h.isAligned()).isTrue();
          AesKsn ikid = AesKsn.parse(h.optionalBlock("IK").orElseThrow().data());
          assertThat(ikid.bdkId()).isEqualTo(0x12345678);
          assertThat(ikid.derivationId()).isEqualTo(0x90123456 + i);
          try (SecretKeyMaterial expected = AES_DUKPT.initialKey(bdk, ikid)) {
            assertThat(k.key().equalsKey(expected)).isTrue();
          }
          if (i == 0) {
            assertThat(HexFormat.of().withUpperCase().formatHex(k.key().copyBytes()))
                .isEqualTo("1273671EA26AC29AFA4D1084127652A1");
          }
          keys.add(digest(k.key()));
        }
      }
      assertThat(keys).hasSize(200);
    }
  }

  @Test
  void assigner_sameIdForAnotherDevice_refused_sameDeviceAgainAllowed() throws Exception {
    TdesKsn fixed = TdesKsn.parse("FFFF9876543210E00000");
    try (SecretKeyMaterial bdk = bdk(TDES_BDK);
        DukptInitialKeySource source = DukptInitialKeySource.tdes(bdk, d -> fixed, CRYPTO)) {
      try (DeliverableKey a = source.keyFor(krd1.certificate());
          DeliverableKey again = source.keyFor(krd1.certificate())) {
        assertThat(a.key().equalsKey(again.key())).isTrue();
      }
      KeyTransferException e =
          catchThrowableOfType(KeyTransferException.class, () -> source.keyFor(krd2.certificate()));
      assertThat(e.code()).isEqualTo(ErrorCode.DUKPT_KEY_ID_REUSED);
      assertThat(source.nextIdentifier()).isEmpty();
    }
  }

  @Test
  void counters_runOut_withExhausted() throws Exception {
    try (SecretKeyMaterial tdesBdk = bdk(TDES_BDK);
        SecretKeyMaterial aesBdk = bdk(AES_BDK);
        DukptInitialKeySource tdes =
            DukptInitialKeySource.tdes(tdesBdk, TdesKsn.parse("FFFF987654FFFFE00000"), CRYPTO);
        DukptInitialKeySource aes =
            DukptInitialKeySource.aes(aesBdk, AesKsn.ofInitialKeyId(7, -1), CRYPTO)) {
      for (DukptInitialKeySource s : List.of(tdes, aes)) {
        s.keyFor(krd1.certificate()).close();
        KeyTransferException e =
            catchThrowableOfType(KeyTransferException.class, () -> s.keyFor(krd1.certificate()));
        assertThat(e.code()).isEqualTo(ErrorCode.DUKPT_KEY_ID_EXHAUSTED);
      }
    }
  }

  // S4 with a DUKPT key source: the terminal installs the IPEK with its KS header, and derives the
  // same transaction keys as the host derives from the BDK
  @Test
  void tr34Session_tdesInitialKey_installedWithKs_terminalAndHostAgree() throws Exception {
    try (SecretKeyMaterial bdk = bdk(TDES_BDK);
        DukptInitialKeySource source =
            DukptInitialKeySource.tdes(bdk, TdesKsn.parse("FFFF9876543210E00000"), CRYPTO)) {
      ReceivingTerminal device = session(source, krd2);
      try (InstalledKey ik = device.keyStore().current().orElseThrow()) {
        TdesKsn ksn =
            TdesKsn.parse(Tr31Header.of(ik.header()).optionalBlock("KS").orElseThrow().data())
                .withCounter(1);
        try (SecretKeyMaterial t = TDES_DUKPT.transactionKey(ik.key(), ksn);
            SecretKeyMaterial terminalPin = TDES_DUKPT.workingKey(t, TdesDukpt.Variant.PIN);
            SecretKeyMaterial hostPin =
                TDES_DUKPT.workingKeyFromBdk(bdk, ksn, TdesDukpt.Variant.PIN)) {
          assertThat(terminalPin.equalsKey(hostPin)).isTrue();
          assertThat(HexFormat.of().withUpperCase().formatHex(hostPin.copyBytes()))
              .isEqualTo("042666B49184CF5C68DE9628D0397B36");
        }
      }
    }
  }

  @Test
  void tr34Session_aesInitialKey_installedWithIk() throws Exception {
    try (SecretKeyMaterial bdk = bdk(AES_BDK);
        DukptInitialKeySource source =
            DukptInitialKeySource.aes(bdk, AesKsn.parse("1234567890123456"), CRYPTO)) {
      ReceivingTerminal device =
          session(source, krd1); // RSA-3072: strong enough for an AES-128 key (K2)
      try (InstalledKey ik = device.keyStore().current().orElseThrow()) {
        AesKsn ksn =
            AesKsn.parse(Tr31Header.of(ik.header()).optionalBlock("IK").orElseThrow().data())
                .withCounter(1);
        try (SecretKeyMaterial pin =
            AES_DUKPT.workingKey(
                ik.key(), ksn, AesDukpt.KeyUsage.PIN_ENCRYPTION, AesDukpt.KeyType.AES_128)) {
          assertThat(HexFormat.of().withUpperCase().formatHex(pin.copyBytes()))
              .isEqualTo("AF8CB133A78F8DC2D1359F18527593FB");
        }
      }
    }
  }

  private static ReceivingTerminal session(KeySource source, TestPki.Leaf krd)
      throws KeyTransferException {
    return Tr34Sessions.run(pki, kdh, krd, source);
  }

  private static SecretKeyMaterial bdk(String hex) {
    return SecretKeyMaterial.adopt(HexFormat.of().parseHex(hex));
  }

  private static String digest(SecretKeyMaterial key) throws Exception {
    byte[] k = key.copyBytes();
    try {
      return HexFormat.of()
          .withUpperCase()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(k));
    } finally {
      java.util.Arrays.fill(k, (byte) 0);
    }
  }
}
