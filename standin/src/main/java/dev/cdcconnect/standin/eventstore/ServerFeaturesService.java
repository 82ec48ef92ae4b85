package dev.cdcconnect.standin.eventstore;

import io.grpc.stub.StreamObserver;
import io.kurrent.dbclient.proto.serverfeatures.ServerFeaturesGrpc;
import io.kurrent.dbclient.proto.serverfeatures.Serverfeatures.SupportedMethod;
import io.kurrent.dbclient.proto.serverfeatures.Serverfeatures.SupportedMethods;
import io.kurrent.dbclient.proto.shared.Shared;
import io.kurrentdb.protocol.v2.streams.StreamsServiceGrpc;

/**
 * {@code ServerFeatures/GetSupportedMethods}: the methods the stand-in serves, named as the server names them
 * (lower-cased gRPC method and service names), and the emulated version.
 */
final class ServerFeaturesService extends ServerFeaturesGrpc.ServerFeaturesImplBase {
    private static final String STREAMS = "event_store.client.streams.streams";

    private final SupportedMethods methods;

    ServerFeaturesService(ServerVersion version, boolean multiStreamAppend) {
        var builder = SupportedMethods.newBuilder().setEventStoreServerVersion(version.versionString())
                .addMethods(method("read", STREAMS).addFeatures("position").addFeatures("events"))
                .addMethods(method("append", STREAMS))
                .addMethods(method("delete", STREAMS))
                .addMethods(method("tombstone", STREAMS))
                .addMethods(method("getsupportedmethods", ServerFeaturesGrpc.SERVICE_NAME.toLowerCase()));
        if (multiStreamAppend) {
            builder.addMethods(method("appendsession", StreamsServiceGrpc.SERVICE_NAME.toLowerCase()));
        }
        this.methods = builder.build();
    }

    private static SupportedMethod.Builder method(String name, String service) {
        return SupportedMethod.newBuilder().setMethodName(name).setServiceName(service);
    }

    @Override
    public void getSupportedMethods(Shared.Empty request, StreamObserver<SupportedMethods> response) {
        response.onNext(methods);
        response.onCompleted();
    }
}
