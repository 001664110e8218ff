package dev.adminwire.conformance;

import java.util.List;
import java.util.Map;

/** The value types of the seed's AdminClient interface (KIP-4 draft, section 3). */
public final class Types {
    private Types() {}

    /** A topic-level config. */
    public record ConfigEntry(String key, String value) {}

    /** A partition of a topic. */
    public record TopicPartition(String topic, int partition) {
        @Override
        public String toString() {
            return topic + "-" + partition;
        }
    }

    /** A broker as ClusterMetadata gives it. */
    public record Broker(int nodeId, String host, int port) {
        public String address() {
            return host + ":" + port;
        }
    }

    /** DescribeTopic's answer for one topic. */
    public record DescribeTopicOutput(
            String topicName,
            int partitions,
            int replicationFactor,
            List<ConfigEntry> configs,
            List<PartitionDetails> partitionDetails) {}

    /** One partition of a described topic; {@code leader} is null when it has none (-1). */
    public record PartitionDetails(int partitionId, Integer leader, List<Integer> replicas, List<Integer> isr) {}

    /**
     * What {@code reassignPartitions}'s future completes with: the start's answer and the final
     * verify result of every partition of the plan (all 1, completed).
     */
    public record ReassignPartitionsResponse(short errorCode, String errorMessage, Map<TopicPartition, Short> results) {}

    /** What {@code preferredReplicaLeaderElection}'s future completes with. */
    public record PreferredReplicaLeaderElectionResponse(
            short errorCode, String errorMessage, Map<TopicPartition, Short> results) {}

    /**
     * VerifyPreferredReplicaLeaderElection's answer: per partition 1 (the preferred replica leads),
     * 0 (not yet), -1 (it cannot lead); leaders only in version 1 (else empty).
     */
    public record VerifyPreferredReplicaLeaderElectionResponse(
            Map<TopicPartition, Short> results,
            Map<TopicPartition, Integer> leaders,
            Map<TopicPartition, Integer> preferredLeaders) {}
}
