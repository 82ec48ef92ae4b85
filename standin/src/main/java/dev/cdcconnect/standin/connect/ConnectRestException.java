package dev.cdcconnect.standin.connect;

/** A Connect REST call answered with an error status; carries the status and the body the worker sent. */
public class ConnectRestException extends RuntimeException {

    private final int status;
    private final String body;

    public ConnectRestException(String method, String uri, int status, String body) {
        super(method + " " + uri + " -> HTTP " + status + ": " + body);
        this.status = status;
        this.body = body;
    }

    public int status() {
        return status;
    }

    public String body() {
        return body;
    }
}
