/**
 * The TR-34 token codec, certificate validation, the certification authority, TR-31 key blocks,
 * DUKPT, the crypto providers (Bouncy Castle, JCA, PKCS#11) and the two role front doors {@link
 * dev.keytransfer.KeyTransferHost} and {@link dev.keytransfer.KeyTransferTerminal}.
 */
module dev.keytransfer.crypto {
  requires transitive dev.keytransfer.core;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.util;
  // no module name of its own: the automatic module named after its jar
  requires ipkcs11wrapper;
  requires org.slf4j;

  exports dev.keytransfer;
  exports dev.keytransfer.crypto;
  exports dev.keytransfer.crypto.bc;
  exports dev.keytransfer.crypto.dukpt;
  exports dev.keytransfer.crypto.jca;
  exports dev.keytransfer.crypto.keyblock;
  exports dev.keytransfer.crypto.keysource;
  exports dev.keytransfer.crypto.pkcs11;
  exports dev.keytransfer.crypto.pki;
  exports dev.keytransfer.crypto.tr34;
}
