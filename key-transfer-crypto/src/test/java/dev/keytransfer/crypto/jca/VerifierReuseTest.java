package dev.keytransfer.crypto.jca;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.spi.Algorithms;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;

/** The verifier a thread reuses (docs/SECURITY.md K5) survives a failed first use. */
class VerifierReuseTest {
  @Test
  void aVerifierWhoseFirstInitFailed_isReplaced_soTheNextGoodSignatureVerifies() throws Exception {
    KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
    rsaGen.initialize(2048);
    KeyPair rsa = rsaGen.generateKeyPair();
    KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
    ecGen.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ec = ecGen.generateKeyPair();
    byte[] data = "signed".getBytes(StandardCharsets.US_ASCII);
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(rsa.getPrivate());
    s.update(data);
    byte[] sig = s.sign();
    JcaCryptoProvider p = new JcaCryptoProvider();

    // an EC key makes the delegating RSA engine's first init fail on this thread
    assertThatThrownBy(
            () -> p.verify(ec.getPublic(), Algorithms.Signature.RSA_PKCS1_SHA256, data, sig))
        .isInstanceOf(SignatureInvalidException.class);
    assertThatCode(
            () -> p.verify(rsa.getPublic(), Algorithms.Signature.RSA_PKCS1_SHA256, data, sig))
        .doesNotThrowAnyException();
  }
}
