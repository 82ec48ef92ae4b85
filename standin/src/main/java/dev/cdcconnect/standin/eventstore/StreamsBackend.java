package dev.cdcconnect.standin.eventstore;

/** What the Streams services serve from: the store, the faults set from tests, the size limits and the replier. */
record StreamsBackend(StreamStore store, Faults faults, Limits limits, Responder responder) {
}
