/**
 * The protocol model, one state machine per TR-34 role, the service provider interfaces and the
 * errors. Depends on the JDK and slf4j-api only.
 */
module dev.keytransfer.core {
  requires org.slf4j;

  exports dev.keytransfer.core;
  exports dev.keytransfer.core.handshake;
  exports dev.keytransfer.core.message;
  exports dev.keytransfer.core.spi;
  exports dev.keytransfer.core.store;
  exports dev.keytransfer.core.tls;
}
