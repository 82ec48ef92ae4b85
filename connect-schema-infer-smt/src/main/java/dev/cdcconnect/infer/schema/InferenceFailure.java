package dev.cdcconnect.infer.schema;

/**
 * Why a document cannot be given a schema. Thrown without a stack trace: with {@code errors.tolerance=all} a
 * stream of bad records must not pay for one each; the transform adds the record's coordinates.
 */
public final class InferenceFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InferenceFailure(String reason) {
        super(reason, null, false, false);
    }

    static InferenceFailure tooDeep(String path, int maxDepth) {
        return new InferenceFailure((path.isEmpty() ? "the document" : "field '" + path + "'")
                + " nests deeper than max.depth=" + maxDepth);
    }
}
