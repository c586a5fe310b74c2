/**
 * The PKCS#11 crypto provider: {@link dev.keytransfer.crypto.pkcs11.Pkcs11CryptoProvider}, keys
 * generated and used inside a token.
 */
module dev.keytransfer.pkcs11 {
  requires transitive dev.keytransfer.crypto;
  // ipkcs11wrapper has no module name of its own: the automatic module named after its jar
  requires ipkcs11wrapper;
  requires org.slf4j;

  exports dev.keytransfer.crypto.pkcs11;
}
