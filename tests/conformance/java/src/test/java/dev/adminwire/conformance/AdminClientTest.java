package dev.adminwire.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adminwire.conformance.Types.Broker;
import dev.adminwire.conformance.Types.ConfigEntry;
import dev.adminwire.conformance.Types.DescribeTopicOutput;
import dev.adminwire.conformance.Types.PartitionDetails;
import dev.adminwire.conformance.Types.PreferredReplicaLeaderElectionResponse;
import dev.adminwire.conformance.Types.ReassignPartitionsResponse;
import dev.adminwire.conformance.Types.TopicPartition;
import dev.adminwire.conformance.Types.VerifyPreferredReplicaLeaderElectionResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every call of the seed's AdminClient, in version 0 and in version 1, through the sidecar in
 * front of the real cluster; each outcome checked with Kafka's own Java {@code Admin} talking to
 * the cluster directly (never through the sidecar).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminClientTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private Admin direct;
    private final List<String> created = new ArrayList<>();
    private int calls;

    @BeforeAll
    void connectDirectly() {
        direct = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, Env.cluster()));
    }

    @AfterAll
    void cleanUp() throws Exception {
        Set<String> left = direct.listTopics().names().get();
        List<String> mine = created.stream().filter(left::contains).toList();
        if (!mine.isEmpty()) {
            direct.deleteTopics(mine).all().get(60, TimeUnit.SECONDS);
        }
        direct.close();
        System.out.println("extension calls made through the AdminClient: " + calls);
    }

    private AdminClient client(int version) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", Env.sidecar());
        p.setProperty("admin.protocol.version", Integer.toString(version));
        return new AdminClient(p);
    }

    private <T> T call(Supplier<T> s) {
        calls++;
        return s.get();
    }

    private void call(Runnable r) {
        calls++;
        r.run();
    }

    private TopicDescription described(String topic) throws Exception {
        return eventually("the cluster to describe " + topic,
                () -> direct.describeTopics(List.of(topic)).allTopicNames().get().get(topic));
    }

    /** The cluster's description once it has {@code partitions} partitions (metadata propagates). */
    private TopicDescription described(String topic, int partitions) throws Exception {
        return eventually(topic + " with " + partitions + " partitions", () -> {
            TopicDescription d = direct.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            return d.partitions().size() == partitions ? d : null;
        });
    }

    private Map<String, String> topicConfigs(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = direct.describeConfigs(List.of(resource)).all().get().get(resource);
        return config.entries().stream()
                .filter(e -> e.source() == org.apache.kafka.clients.admin.ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                .collect(Collectors.toMap(org.apache.kafka.clients.admin.ConfigEntry::name,
                        org.apache.kafka.clients.admin.ConfigEntry::value));
    }

    private static List<Integer> ids(List<org.apache.kafka.common.Node> nodes) {
        return nodes.stream().map(org.apache.kafka.common.Node::id).toList();
    }

    interface Attempt<T> {
        T get() throws Exception;
    }

    /** Retries until the attempt returns a non-null, non-false value without throwing. */
    static <T> T eventually(String what, Attempt<T> attempt) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Object last = null;
        while (System.nanoTime() < deadline) {
            try {
                T v = attempt.get();
                if (v != null && !Boolean.FALSE.equals(v)) {
                    return v;
                }
                last = v;
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting for " + what + "; last: " + last);
    }

    @ParameterizedTest(name = "version {0}")
    @ValueSource(ints = {0, 1})
    void everyCallThroughTheSidecarCheckedOnTheCluster(int version) throws Exception {
        String a = Env.prefix() + "-v" + version + "-a";
        String b = Env.prefix() + "-v" + version + "-b";
        created.addAll(List.of(a, b));
        try (AdminClient admin = client(version)) {
            // The client found the brokers and the controller through ClusterMetadata: the
            // sidecar's listeners, and it sends its commands to the controller's.
            Map<Integer, String> brokers = new HashMap<>();
            for (Broker broker : admin.brokers()) {
                brokers.put(broker.nodeId(), broker.address());
            }
            assertEquals(Env.sidecarBrokers(), brokers);
            assertEquals(brokers.get(admin.controller().nodeId()), admin.controller().address());
            for (int key = 30000; key <= 30009; key++) {
                assertEquals(version, admin.version(key));
            }

            // createTopic, both forms
            call(() -> admin.createTopic(a, 3, 2, List.of(new ConfigEntry("cleanup.policy", "compact"))));
            call(() -> admin.createTopic(b, "1:2,2:3", List.of()));
            TopicDescription da = described(a, 3);
            assertTrue(da.partitions().stream().allMatch(p -> p.replicas().size() == 2));
            // Any broker may answer the configs, and it may not have applied the creation yet.
            eventually("the created topic's configs", () -> topicConfigs(a).equals(Map.of("cleanup.policy", "compact")));
            assertEquals(List.of(List.of(1, 2), List.of(2, 3)),
                    described(b).partitions().stream().map(p -> ids(p.replicas())).toList());
            ApiException exists = assertThrows(ApiException.class,
                    () -> call(() -> admin.createTopic(a, 1, 1, List.of())));
            assertEquals(1002, exists.code());
            ApiException badFactor = assertThrows(ApiException.class,
                    () -> call(() -> admin.createTopic(Env.prefix() + "-never", 1, 0, List.of())));
            assertEquals(1005, badFactor.code());

            // listTopics: ours, exactly as the cluster lists them (internal topics included)
            // The sidecar lists what its broker's metadata holds, which may trail the creation.
            List<String> listed = eventually("the new topics to be listed", () -> {
                List<String> now = call(admin::listTopics);
                return now.containsAll(List.of(a, b)) ? now : null;
            });
            String prefix = Env.prefix();
            List<String> ours = listed.stream().filter(t -> t.startsWith(prefix) || t.startsWith("__")).toList();
            // The broker the cluster's own client asks may trail too.
            eventually("the cluster to list the same", () -> {
                Set<String> cluster = direct.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
                return cluster.stream().filter(t -> t.startsWith(prefix) || t.startsWith("__")).sorted().toList()
                        .equals(ours);
            });

            // describeTopic against the cluster's own description
            DescribeTopicOutput out = call(() -> admin.describeTopic(a));
            assertEquals(a, out.topicName());
            assertEquals(3, out.partitions());
            assertEquals(2, out.replicationFactor());
            assertEquals(List.of(new ConfigEntry("cleanup.policy", "compact")), out.configs());
            assertSamePartitions(described(a), out);
            ApiException unknown = assertThrows(ApiException.class,
                    () -> call(() -> admin.describeTopic(Env.prefix() + "-missing")));
            assertEquals(3, unknown.code());

            // alterTopic: partitions and configs, then a placed partition, then a refused decrease
            call(() -> admin.alterTopic(a, 4, null, List.of(new ConfigEntry("retention.ms", "3600000")),
                    List.of("cleanup.policy")));
            described(a, 4);
            eventually("the configs to change", () -> topicConfigs(a).equals(Map.of("retention.ms", "3600000")));
            call(() -> admin.alterTopic(b, 3, "3:1", List.of(), List.of()));
            assertEquals(List.of(3, 1), ids(described(b, 3).partitions().get(2).replicas()));
            ApiException decrease = assertThrows(ApiException.class,
                    () -> call(() -> admin.alterTopic(a, 2, null, List.of(), List.of())));
            assertEquals(1004, decrease.code());
            assertSamePartitions(described(b), call(() -> admin.describeTopic(b)));

            // reassignPartitions: the future completes when the cluster has the plan's replicas
            String plan = "{\"version\":1,\"partitions\":[{\"topic\":\"" + b + "\",\"partition\":0,\"replicas\":[2,3]},"
                    + "{\"topic\":\"" + b + "\",\"partition\":2,\"replicas\":[1,3]}]}";
            ReassignPartitionsResponse moved = call(() -> admin.reassignPartitions(plan))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            TopicPartition b0 = new TopicPartition(b, 0);
            TopicPartition b2 = new TopicPartition(b, 2);
            assertEquals(Map.of(b0, (short) 1, b2, (short) 1), moved.results());
            assertEquals(0, moved.errorCode());
            eventually("the cluster's metadata to show the plan", () -> {
                List<TopicPartitionInfo> now = described(b).partitions();
                return ids(now.get(0).replicas()).equals(List.of(2, 3)) && ids(now.get(2).replicas()).equals(List.of(1, 3));
            });
            // The sidecar's broker, not the one asked above, answers the verify: it may trail a moment.
            eventually("the verify to say completed", () ->
                    call(() -> admin.verifyReassignPartitions(plan)).equals(Map.of(b0, (short) 1, b2, (short) 1)));
            String reversed = plan.replace("[2,3]", "[3,2]");
            assertEquals((short) -1, call(() -> admin.verifyReassignPartitions(reversed)).get(b0));
            ApiException badPlan = assertThrows(ApiException.class,
                    () -> call(() -> admin.reassignPartitions("{\"partitions\":[]}")));
            assertEquals(1006, badPlan.code());

            // preferredReplicaLeaderElection: the future completes when the first replicas lead
            String election = "{\"partitions\":[{\"topic\":\"" + b + "\",\"partition\":0},"
                    + "{\"topic\":\"" + b + "\",\"partition\":1},{\"topic\":\"" + b + "\",\"partition\":2}]}";
            PreferredReplicaLeaderElectionResponse elected = call(() -> admin.preferredReplicaLeaderElection(election))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(0, elected.errorCode());
            assertEquals(3, elected.results().size());
            assertTrue(elected.results().values().stream().allMatch(c -> c == 1), elected.toString());
            Map<Integer, Integer> firstReplicas = new HashMap<>();
            for (TopicPartitionInfo p : eventually("the preferred replicas to lead", () -> {
                List<TopicPartitionInfo> now = described(b).partitions();
                return now.stream().allMatch(p -> p.leader() != null && p.leader().id() == p.replicas().get(0).id())
                        ? now : null;
            })) {
                firstReplicas.put(p.partition(), p.replicas().get(0).id());
            }
            // Answered from the sidecar's broker's metadata, which may trail the one asked above.
            VerifyPreferredReplicaLeaderElectionResponse verified = eventually("the verify to say done", () -> {
                VerifyPreferredReplicaLeaderElectionResponse now =
                        call(() -> admin.verifyPreferredReplicaLeaderElection(election));
                return now.results().size() == 3 && now.results().values().stream().allMatch(c -> c == 1)
                        ? now : null;
            });
            if (version == 1) {
                for (int p = 0; p < 3; p++) {
                    TopicPartition tp = new TopicPartition(b, p);
                    assertEquals(firstReplicas.get(p), verified.leaders().get(tp));
                    assertEquals(firstReplicas.get(p), verified.preferredLeaders().get(tp));
                }
            } else {
                assertTrue(verified.leaders().isEmpty());
            }
            ApiException badElection = assertThrows(ApiException.class,
                    () -> call(() -> admin.preferredReplicaLeaderElection("{\"partitions\":")));
            assertEquals(1009, badElection.code());

            // deleteTopic
            call(() -> admin.deleteTopic(a));
            call(() -> admin.deleteTopic(b));
            eventually("the topics to go", () -> {
                Set<String> names = direct.listTopics().names().get();
                return !names.contains(a) && !names.contains(b);
            });
            eventually("the sidecar to list neither", () -> {
                List<String> now = call(admin::listTopics);
                return !now.contains(a) && !now.contains(b);
            });
            ApiException gone = assertThrows(ApiException.class, () -> call(() -> admin.deleteTopic(a)));
            assertEquals(3, gone.code());
        }
    }

    /** The AdminClient's partitions are the cluster's: replicas in order, leader, ISR. */
    private static void assertSamePartitions(TopicDescription cluster, DescribeTopicOutput out) {
        assertEquals(cluster.partitions().size(), out.partitionDetails().size());
        for (TopicPartitionInfo p : cluster.partitions()) {
            PartitionDetails ours = out.partitionDetails().get(p.partition());
            assertEquals(p.partition(), ours.partitionId());
            assertEquals(ids(p.replicas()), ours.replicas());
            assertEquals(Set.copyOf(ids(p.isr())), Set.copyOf(ours.isr()));
            if (p.leader() == null) {
                assertNull(ours.leader());
            } else {
                assertNotNull(ours.leader());
                assertEquals(p.leader().id(), ours.leader().intValue());
            }
        }
    }
}
