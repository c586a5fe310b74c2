/**
 * {@link dev.keytransfer.netty.NettyKeyServer}: the key host's TCP server for networks it does not
 * trust. It speaks the framing of {@code dev.keytransfer.transport.tcp.TcpTransport} (a 4-byte
 * big-endian length, then the frame), holds no thread while a peer is silent, and bounds what any
 * peer can take: absolute deadlines per frame and per session, caps on connections in total and per
 * address, and a bounded handshake pool that refuses new terminals with {@code PEER_TRY_LATER} at
 * once when it is full (docs/SECURITY.md A3).
 */
package dev.keytransfer.netty;
