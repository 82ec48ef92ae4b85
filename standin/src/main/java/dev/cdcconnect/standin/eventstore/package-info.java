/**
 * An EventStoreDB/KurrentDB stand-in for tests: {@link dev.cdcconnect.standin.eventstore.EventStoreStandIn} serves
 * the server's gRPC protocol on 127.0.0.1 so code under test uses the real {@code io.kurrent.dbclient} client.
 *
 * <pre>{@code
 * try (var server = EventStoreStandIn.start(EventStoreStandIn.Options.defaults()
 *         .withServerVersion(ServerVersion.V24_10))) {          // 1 MiB appends, no multi-stream append
 *     var client = KurrentDBClient.create(KurrentDBConnectionString.parseOrThrow(server.connectionString()));
 *     ... code under test writes ...
 *     server.restart();                                          // data kept, event-id cache lost
 *     server.setAppendLatency(Duration.ofMillis(5));
 *     assertThat(server.events("customers-1")).extracting(StoredEvent::eventType).containsExactly("created");
 * }
 * }</pre>
 */
package dev.cdcconnect.standin.eventstore;
