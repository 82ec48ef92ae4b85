package dev.cdcconnect.enrich.lookup;

/** A lookup key whose type can never match the source's keys (a string looked up in a table keyed by integers). */
public final class KeyTypeMismatchException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public KeyTypeMismatchException(String message) {
        super(message);
    }

    public KeyTypeMismatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
