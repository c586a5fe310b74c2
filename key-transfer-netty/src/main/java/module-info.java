/**
 * The non-blocking key host server on Netty: the host side of the TCP transport's framing, with
 * absolute deadlines, connection caps, accept back-off, and the handshakes on a bounded pool
 * (docs/SECURITY.md A3). A terminal needs none of it: its client is {@code TcpTransport} of {@code
 * dev.keytransfer.transport}, on the JDK alone.
 */
module dev.keytransfer.netty {
  requires transitive dev.keytransfer.core;
  requires io.netty.common;
  requires io.netty.buffer;
  requires io.netty.transport;
  requires io.netty.codec;
  requires io.netty.handler;
  requires org.slf4j;

  exports dev.keytransfer.netty;
}
