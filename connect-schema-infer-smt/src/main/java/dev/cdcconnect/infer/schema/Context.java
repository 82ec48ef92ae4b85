package dev.cdcconnect.infer.schema;

/** What every part of one learned schema shares. */
record Context(InferenceSettings settings, JsonText json) {
}
