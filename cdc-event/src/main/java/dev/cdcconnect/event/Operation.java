package dev.cdcconnect.event;

import java.util.Optional;

/** The operation of a Debezium change event, from the envelope's {@code op} code. */
public enum Operation {
    CREATE("c"),
    UPDATE("u"),
    DELETE("d"),
    /** A row read by a snapshot (initial, incremental or blocking). */
    READ("r"),
    TRUNCATE("t"),
    /** A logical decoding message (Postgres {@code pg_logical_emit_message}). */
    MESSAGE("m");

    private final String code;

    Operation(String code) {
        this.code = code;
    }

    /** The single-letter code Debezium writes in {@code op}. */
    public String code() {
        return code;
    }

    /** The operation for a Debezium {@code op} code, or empty when the code is unknown. */
    public static Optional<Operation> fromCode(String code) {
        if (code == null) {
            return Optional.empty();
        }
        return switch (code) {
            case "c" -> Optional.of(CREATE);
            case "u" -> Optional.of(UPDATE);
            case "d" -> Optional.of(DELETE);
            case "r" -> Optional.of(READ);
            case "t" -> Optional.of(TRUNCATE);
            case "m" -> Optional.of(MESSAGE);
            default -> Optional.empty();
        };
    }
}
