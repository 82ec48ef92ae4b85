package dev.cdcconnect.infer.schema;

import java.util.HashMap;
import java.util.Map;

/**
 * One key of the source documents and where its values go: a field of the output struct ({@code slot}) and,
 * when flattening, the keys of the objects it held ({@code children}). Names are worked out once, here, so
 * the per-record path joins no strings.
 */
final class SourceNode {

    final String path;
    final String outName;
    Slot slot;
    Map<String, SourceNode> children;

    SourceNode(String path, String outName) {
        this.path = path;
        this.outName = outName;
    }

    static SourceNode root(String path) {
        SourceNode root = new SourceNode(path, "");
        root.children = new HashMap<>();
        return root;
    }
}
