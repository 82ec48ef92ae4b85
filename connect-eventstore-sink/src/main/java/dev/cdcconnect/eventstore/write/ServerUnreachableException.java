package dev.cdcconnect.eventstore.write;

/**
 * No call was made: the server cannot be reached (the connection check says why), so no new client is created to
 * find that out again, which would only fill the log with the client's own retries. Transient.
 */
final class ServerUnreachableException extends RuntimeException {

    ServerUnreachableException(String problem) {
        super(problem);
    }
}
