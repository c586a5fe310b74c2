package dev.keytransfer.transport.tcp;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.Transport;

/**
 * Serves one connection, e.g. {@code host::serve} of a {@code KeyTransferHost}. Runs on a server
 * worker thread; the server closes the transport afterwards.
 *
 * @param <R> what a successful session returns (a delivery receipt)
 */
@FunctionalInterface
public interface SessionHandler<R> {
  R serve(Transport transport) throws KeyTransferException;
}
