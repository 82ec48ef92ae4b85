package dev.cdcconnect.cassandra.write;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.RequestThrottlingException;
import com.datastax.oss.driver.api.core.connection.BusyConnectionException;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.connection.HeartbeatException;
import com.datastax.oss.driver.api.core.servererrors.BootstrappingException;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.QueryConsistencyException;
import com.datastax.oss.driver.api.core.servererrors.ServerError;
import com.datastax.oss.driver.api.core.servererrors.TruncateException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Which write failures are worth retrying: the cluster could not take the write now (replicas unavailable,
 * timeouts, overload, bootstrapping, lost or busy connections). Everything else (invalid query, wrong type,
 * unauthorized) fails the same way every time, and is the record's fault or the setup's. A write not sent because
 * the thread was interrupted is retried too.
 */
final class Failures {

    private Failures() {
    }

    static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    static boolean isTransient(Throwable failure) {
        Throwable t = unwrap(failure);
        return t instanceof UnavailableException
                || t instanceof QueryConsistencyException
                || t instanceof OverloadedException
                || t instanceof BootstrappingException
                || t instanceof TruncateException
                || t instanceof ServerError
                || t instanceof DriverTimeoutException
                || t instanceof AllNodesFailedException
                || t instanceof BusyConnectionException
                || t instanceof ClosedConnectionException
                || t instanceof HeartbeatException
                || t instanceof RequestThrottlingException
                // not sent: the task is stopping
                || t instanceof InterruptedException;
    }

    static String describe(Throwable failure) {
        Throwable t = unwrap(failure);
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
