package dev.keytransfer.e2e.tcp;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy that understands the length-prefixed frames: it forwards frames between a
 * terminal and the key host, counting them across both directions, and before frame number {@code
 * cutAt} (1-based) either drops both connections or stalls (stops forwarding, keeps them open).
 * Records every frame it forwarded.
 */
final class FrameProxy implements AutoCloseable {
  enum Mode {
    DROP,
    STALL
  }

  private final ServerSocket listener;
  private final int targetPort;
  private final int cutAt;
  private final Mode mode;
  private final AtomicInteger frames = new AtomicInteger();
  private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
  final List<byte[]> forwarded = Collections.synchronizedList(new ArrayList<>());

  FrameProxy(int targetPort, int cutAt, Mode mode) throws IOException {
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.targetPort = targetPort;
    this.cutAt = cutAt;
    this.mode = mode;
    Thread t = new Thread(this::accept, "frame-proxy");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  private void accept() {
    try {
      while (true) {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.add(client);
        sockets.add(server);
        pump(client, server);
        pump(server, client);
      }
    } catch (IOException e) {
      // listener closed
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              try {
                DataInputStream in = new DataInputStream(from.getInputStream());
                DataOutputStream out = new DataOutputStream(to.getOutputStream());
                while (true) {
                  int len = in.readInt();
                  byte[] f = new byte[len];
                  in.readFully(f);
                  synchronized (frames) {
                    int n = frames.incrementAndGet();
                    if (n >= cutAt) {
                      if (mode == Mode.DROP) {
                        from.close();
                        to.close();
                      }
                      return; // STALL: keep both open, forward nothing more
                    }
                    forwarded.add(f);
                    out.writeInt(len);
                    out.write(f);
                    out.flush();
                  }
                }
              } catch (IOException e) {
                try {
                  from.close();
                  to.close();
                } catch (IOException ignored) {
                  // done
                }
              }
            },
            "frame-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    listener.close();
    synchronized (sockets) {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
