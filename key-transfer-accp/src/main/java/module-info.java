/**
 * The Amazon Corretto Crypto Provider (AWS-LC) crypto provider: {@link
 * dev.keytransfer.crypto.accp.AccpCryptoProvider}.
 */
module dev.keytransfer.accp {
  requires transitive dev.keytransfer.crypto;
  requires com.amazon.corretto.crypto.provider;

  exports dev.keytransfer.crypto.accp;
}
