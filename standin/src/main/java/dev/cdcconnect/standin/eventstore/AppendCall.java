package dev.cdcconnect.standin.eventstore;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.function.Supplier;

/**
 * One append call of a Streams service (v1 Append, v2 AppendSession): the client sends requests, then completes the
 * call. The first bad request fails the call and later ones are ignored; a cancelled call writes nothing. A
 * completed call is written in one go, with the latency, timeouts and missing answers the stand-in was told to
 * give, then answered.
 *
 * @param <Q> the request message
 * @param <R> the response message
 */
abstract class AppendCall<Q, R> implements StreamObserver<Q> {
    private final StreamsBackend backend;
    protected final StreamObserver<R> response;
    private final Supplier<StatusRuntimeException> timeout;
    private boolean failed;

    /** @param timeout the protocol's answer to a write that timed out */
    AppendCall(StreamsBackend backend, StreamObserver<R> response, Supplier<StatusRuntimeException> timeout) {
        this.backend = backend;
        this.response = response;
        this.timeout = timeout;
    }

    /** Takes one request of the call; throws to fail the call with that status. */
    abstract void accept(Q request);

    /** The writes of the completed call, in order; throws to fail the call with that status. */
    abstract List<StreamStore.StreamWrite> writes();

    /** Answers the call with the outcome of its writes. */
    abstract void reply(StreamStore.WriteResult result);

    @Override
    public final void onNext(Q request) {
        if (failed) {
            return;
        }
        try {
            accept(request);
        } catch (StatusRuntimeException e) {
            fail(e);
        }
    }

    @Override
    public final void onError(Throwable t) {
        // The client cancelled or its deadline passed: nothing is written.
    }

    @Override
    public final void onCompleted() {
        if (failed) {
            return;
        }
        List<StreamStore.StreamWrite> writes;
        try {
            writes = writes();
        } catch (StatusRuntimeException e) {
            fail(e);
            return;
        }
        var faults = backend.faults();
        var responder = backend.responder();
        if (faults.takeTimeoutBeforeWrite()) {
            responder.afterAppendLatency(() -> response.onError(timeout.get()));
            return;
        }
        if (faults.takeUnansweredBeforeWrite()) {
            responder.afterAppendLatency(response::onCompleted);
            return;
        }
        var result = backend.store().append(writes);
        if (faults.takeTimeoutAfterWrite()) {
            responder.afterAppendLatency(() -> response.onError(timeout.get()));
            return;
        }
        if (faults.takeUnansweredAfterWrite()) {
            responder.afterAppendLatency(response::onCompleted);
            return;
        }
        responder.afterAppendLatency(() -> reply(result));
    }

    private void fail(StatusRuntimeException e) {
        failed = true;
        response.onError(e);
    }
}
