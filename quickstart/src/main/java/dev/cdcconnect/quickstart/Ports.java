package dev.cdcconnect.quickstart;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The TCP ports the servers will listen on: checked free before anything starts, 0 resolved to a free port. */
public final class Ports {

    /** One port a server needs: what it is for and the option that changes it. */
    public record Need(String what, String option, int port) {
    }

    private Ports() {
    }

    /**
     * Resolves each port (0 becomes a free port) and checks that none is in use.
     *
     * @return the ports in the order given
     * @throws QuickstartException naming every port in use, what it was for and the option to change it
     */
    public static List<Integer> claim(List<Need> needs) throws QuickstartException {
        List<String> problems = new ArrayList<>();
        Map<Integer, String> taken = new LinkedHashMap<>();
        List<Integer> resolved = new ArrayList<>();
        for (Need need : needs) {
            int port = need.port() == 0 ? freePort(taken) : need.port();
            if (taken.containsKey(port)) {
                problems.add("port " + port + " is asked for twice (" + taken.get(port) + " and " + need.what()
                        + "): change " + need.option());
            } else if (!isFree(port)) {
                problems.add("port " + port + " (" + need.what() + ") is in use on this machine: stop what listens "
                        + "there, or choose another with " + need.option() + " N (0 takes any free port)");
            }
            taken.put(port, need.what());
            resolved.add(port);
        }
        if (!problems.isEmpty()) {
            throw new QuickstartException(String.join("\n", problems));
        }
        return resolved;
    }

    /** Whether nothing listens on the port, on any local address. */
    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort(Map<Integer, String> taken) throws QuickstartException {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket socket = new ServerSocket(0)) {
                int port = socket.getLocalPort();
                if (!taken.containsKey(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new QuickstartException("cannot find a free TCP port: " + e.getMessage());
            }
        }
        throw new QuickstartException("cannot find a free TCP port");
    }
}
