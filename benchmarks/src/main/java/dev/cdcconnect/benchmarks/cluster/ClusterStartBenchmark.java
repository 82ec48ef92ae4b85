package dev.cdcconnect.benchmarks.cluster;

import dev.cdcconnect.benchmarks.Benchmark;
import dev.cdcconnect.benchmarks.Results;
import dev.cdcconnect.benchmarks.Statistics;
import dev.cdcconnect.testkit.connect.ConnectCluster;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;

/**
 * Start time of the test kit's embedded distributed Connect cluster (one KRaft broker, two workers loading the
 * built plugins from plugin.path with {@code plugin.discovery=service_load}) against baseline {@code bare-broker}:
 * the same KRaft broker alone. Both are started and stopped in turns in one JVM after a warm-up round; the
 * medians are reported. {@code -Drounds=N} sets the number of measured rounds (default 3).
 */
public final class ClusterStartBenchmark implements Benchmark {

    @Override
    public String name() {
        return "cluster-start";
    }

    @Override
    public String description() {
        return "embedded 2-worker Connect cluster start time vs baseline bare-broker (a KRaft broker alone)";
    }

    @Override
    public void run(Results results) {
        int rounds = Integer.getInteger("rounds", 3);
        startBroker();
        startCluster();
        List<Double> broker = new ArrayList<>();
        List<Double> cluster = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            broker.add(startBroker());
            cluster.add(startCluster());
        }
        double brokerMedian = Statistics.median(broker);
        double clusterMedian = Statistics.median(cluster);
        results.report("cluster-start.bare-broker", "seconds", brokerMedian, "bare-broker", brokerMedian);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("seconds", clusterMedian);
        metrics.put("rounds", (double) rounds);
        results.report("cluster-start", metrics, "bare-broker", brokerMedian);
    }

    private static double startBroker() {
        long start = System.nanoTime();
        EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(1, new Properties());
        kafka.start();
        kafka.verifyClusterReadiness();
        double seconds = (System.nanoTime() - start) / 1e9;
        kafka.stop();
        return seconds;
    }

    private static double startCluster() {
        long start = System.nanoTime();
        ConnectCluster cluster = ConnectCluster.start(ConnectCluster.Options.defaults().name("bench-" + System.nanoTime()));
        double seconds = (System.nanoTime() - start) / 1e9;
        cluster.close();
        return seconds;
    }
}
