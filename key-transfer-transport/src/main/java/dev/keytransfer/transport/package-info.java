/**
 * Frame transports: they move opaque, length-limited frames and never parse tokens (docs/DESIGN.md,
 * "Transports"). {@link dev.keytransfer.transport.InMemoryTransport} links two ends in one JVM.
 */
package dev.keytransfer.transport;
