/**
 * Frame transports (in memory and TCP) and the embeddable TCP key host server. Transports move
 * opaque, length-limited frames and never parse tokens.
 */
module dev.keytransfer.transport {
  requires transitive dev.keytransfer.core;
  requires org.slf4j;

  exports dev.keytransfer.transport;
  exports dev.keytransfer.transport.tcp;
}
