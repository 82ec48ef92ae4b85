package dev.cdcconnect.eventstore;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A node that accepts connections and never answers a byte: what a hung server looks like to a client. */
final class SilentServer implements AutoCloseable {

    private final ServerSocket socket = new ServerSocket(0);
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    SilentServer() throws IOException {
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(socket.accept());
                }
            } catch (IOException e) {
                // closed
            }
        }, "silent-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A connection string to it, without TLS. */
    String connectionString() {
        return "kurrentdb://127.0.0.1:" + socket.getLocalPort() + "?tls=false";
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket connection : accepted) {
            connection.close();
        }
    }
}
