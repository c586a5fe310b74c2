/** The Bouncy Castle crypto provider: {@link dev.keytransfer.crypto.bc.BcCryptoProvider}. */
module dev.keytransfer.bc {
  requires transitive dev.keytransfer.crypto;
  requires org.bouncycastle.provider;

  exports dev.keytransfer.crypto.bc;
}
