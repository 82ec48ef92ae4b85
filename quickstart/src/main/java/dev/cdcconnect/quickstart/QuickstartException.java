package dev.cdcconnect.quickstart;

/** A problem the user can act on; its message is shown as it is, without a stack trace. */
public class QuickstartException extends Exception {
    private static final long serialVersionUID = 1L;

    public QuickstartException(String message) {
        super(message);
    }

    public QuickstartException(String message, Throwable cause) {
        super(message, cause);
    }
}
