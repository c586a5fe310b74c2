/**
 * The TR-34 token codec, certificate validation, PKCS#10 requests, TR-31 key blocks, DUKPT, the JCA
 * crypto provider and the two role front doors {@link dev.keytransfer.KeyTransferHost} and {@link
 * dev.keytransfer.KeyTransferTerminal}. Depends on the JDK and slf4j-api only, so that a terminal
 * needs nothing else.
 */
module dev.keytransfer.crypto {
  requires transitive dev.keytransfer.core;
  requires org.slf4j;

  exports dev.keytransfer;
  exports dev.keytransfer.crypto;
  exports dev.keytransfer.crypto.dukpt;
  exports dev.keytransfer.crypto.ecdh;
  exports dev.keytransfer.crypto.jca;
  exports dev.keytransfer.crypto.keyblock;
  exports dev.keytransfer.crypto.keysource;
  exports dev.keytransfer.crypto.pki;
  exports dev.keytransfer.crypto.tr34;
}
