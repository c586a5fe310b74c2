package dev.keytransfer.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

class IssuerAndSerialTest {
  private static final BigInteger SERIAL = BigInteger.valueOf(0x1234);

  /** CN=Bench KDH CA as a PrintableString: the same name as a UTF8String, encoded differently. */
  private static final byte[] PRINTABLE_NAME = {
    0x30, 0x17, 0x31, 0x15, 0x30, 0x13, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x0c, 'B', 'e', 'n',
    'c', 'h', ' ', 'K', 'D', 'H', ' ', 'C', 'A'
  };

  @Test
  void aNameParsedAgainFromItsEncoding_matches() {
    X500Principal name = new X500Principal("CN=Bench KDH CA, O=key-transfer");
    IssuerAndSerial a = new IssuerAndSerial(name, SERIAL);
    IssuerAndSerial b = new IssuerAndSerial(new X500Principal(name.getEncoded()), SERIAL);
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
  }

  @Test
  void theSameNameEncodedDifferently_matchesUnderX500NameMatching() {
    X500Principal utf8 = new X500Principal("CN=bench kdh ca");
    X500Principal printable = new X500Principal(PRINTABLE_NAME);
    assertThat(utf8.getEncoded()).isNotEqualTo(printable.getEncoded());
    IssuerAndSerial a = new IssuerAndSerial(utf8, SERIAL);
    IssuerAndSerial b = new IssuerAndSerial(printable, SERIAL);
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(b).isEqualTo(a);
  }

  @Test
  void anotherSerialOrAnotherIssuer_doesNotMatch() {
    X500Principal name = new X500Principal("CN=Bench KDH CA");
    IssuerAndSerial a = new IssuerAndSerial(name, SERIAL);
    assertThat(a).isNotEqualTo(new IssuerAndSerial(name, SERIAL.add(BigInteger.ONE)));
    assertThat(a).isNotEqualTo(new IssuerAndSerial(new X500Principal("CN=Bench KRD CA"), SERIAL));
    assertThat(a).isNotEqualTo(new IssuerAndSerial(new X500Principal("CN=Bench KDH CB"), SERIAL));
    assertThat(a).isNotEqualTo(null);
    assertThat(a).isNotEqualTo(name);
  }
}
