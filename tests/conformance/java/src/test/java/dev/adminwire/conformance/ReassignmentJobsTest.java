package dev.adminwire.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adminwire.conformance.AdminClient.Connection;
import dev.adminwire.conformance.JobMessages.AlterReassignmentJobRequest;
import dev.adminwire.conformance.JobMessages.AlterReassignmentJobResponse;
import dev.adminwire.conformance.JobMessages.DescribeReassignmentJobsRequest;
import dev.adminwire.conformance.JobMessages.DescribeReassignmentJobsResponse;
import dev.adminwire.conformance.JobMessages.Job;
import dev.adminwire.conformance.JobMessages.JobPartition;
import dev.adminwire.conformance.JobMessages.PartitionReassignEntity;
import dev.adminwire.conformance.JobMessages.PlannedPartition;
import dev.adminwire.conformance.JobMessages.SubmitReassignmentRequest;
import dev.adminwire.conformance.JobMessages.SubmitReassignmentResponse;
import dev.adminwire.conformance.JobMessages.TopicAssignment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The reassignment jobs (keys 30010-30012, version 0) through {@link JobMessages}' records over a
 * plain connection to the sidecar in front of the real cluster; each outcome checked with Kafka's
 * own Java {@code Admin} talking to the cluster directly. The tests run in order and share two
 * topics (made here, deleted at the end).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReassignmentJobsTest {
    private static final Pattern JOB_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Set<String> JOB_STATES =
            Set.of("SCHEDULED", "RUNNING", "PAUSED", "COMPLETED", "FAILED", "CANCELLED");
    private static final Set<String> ENDED = Set.of("COMPLETED", "FAILED", "CANCELLED");
    private static final String UNKNOWN_JOB = "f".repeat(32);
    /** The estimate's topic: 3 partitions on broker 1; the job's: 2 partitions on broker 1. */
    private static final Map<Integer, List<Integer>> EST = Map.of(0, List.of(1), 1, List.of(1), 2, List.of(1));
    private static final Map<Integer, List<Integer>> RUN = Map.of(0, List.of(1), 1, List.of(1));

    private Admin direct;
    private Connection conn;
    private final String est = Env.prefix() + "-jobs-est";
    private final String run = Env.prefix() + "-jobs-run";
    private String jobId;
    private Map<Integer, List<Integer>> targets;

    @BeforeAll
    void setUp() throws Exception {
        direct = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, Env.cluster()));
        direct.createTopics(List.of(new NewTopic(est, EST), new NewTopic(run, RUN))).all().get(60, TimeUnit.SECONDS);
        settled(est, EST);
        settled(run, RUN);
        // A little data to move.
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Env.cluster(), ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 40; i++) {
                producer.send(new ProducerRecord<>(run, i % 2, null, new byte[100]));
            }
            producer.flush();
        }
        conn = new Connection(Env.sidecar(), "adminwire-conformance-java", 60_000);
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (conn != null) {
            conn.close();
        }
        direct.deleteTopics(List.of(est, run)).all().get(60, TimeUnit.SECONDS);
        AdminClientTest.eventually("the jobs' topics to go", () -> {
            Set<String> names = direct.listTopics().names().get();
            return !names.contains(est) && !names.contains(run);
        });
        direct.close();
    }

    private Map<Integer, List<Integer>> replicas(String topic) throws Exception {
        TopicDescription d = direct.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        Map<Integer, List<Integer>> out = new TreeMap<>();
        for (TopicPartitionInfo p : d.partitions()) {
            out.put(p.partition(), p.replicas().stream().map(org.apache.kafka.common.Node::id).toList());
        }
        return out;
    }

    /** Waits (bounded) until the cluster shows these replicas, every partition led. */
    private void settled(String topic, Map<Integer, List<Integer>> expected) throws Exception {
        AdminClientTest.eventually(topic + " at " + expected, () -> {
            TopicDescription d = direct.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            boolean led = d.partitions().stream().allMatch(p -> p.leader() != null);
            return led && replicas(topic).equals(new TreeMap<>(expected));
        });
    }

    /** Nothing under way on the controller for the topic, and the topic where it was. */
    private void assertNothingMoved(String topic, Map<Integer, List<Integer>> placement) throws Exception {
        Set<TopicPartition> parts = new HashSet<>();
        placement.keySet().forEach(p -> parts.add(new TopicPartition(topic, p)));
        assertEquals(Map.of(), direct.listPartitionReassignments(parts).reassignments().get(), topic + " is moving");
        assertEquals(new TreeMap<>(placement), replicas(topic));
    }

    private DescribeReassignmentJobsResponse describe(List<String> ids, boolean partitions) {
        return JobMessages.describe(conn, new DescribeReassignmentJobsRequest(ids, partitions));
    }

    @Test
    @Order(1)
    void theSidecarOffersTheJobKeysInVersion0() {
        Map<Integer, short[]> offered = conn.apiVersions();
        for (int key = 30010; key <= 30012; key++) {
            assertNotNull(offered.get(key), "key " + key + " not offered");
            assertEquals(0, offered.get(key)[0]);
            assertEquals(0, offered.get(key)[1]);
        }
    }

    @Test
    @Order(2)
    void anEstimateMovesNothing() throws Exception {
        SubmitReassignmentResponse r = JobMessages.submit(conn, SubmitReassignmentRequest.now(
                List.of(PartitionReassignEntity.automatic(est, List.of(1, 2, 3), 2))).estimate());
        assertEquals(0, r.errorCode(), r.toString());
        assertNull(r.errorMessage());
        assertNull(r.jobId(), r.toString());
        assertTrue(r.reassignmentTime() >= 0, r.toString());
        assertTrue(r.rate() > 0, r.toString());
        Map<Integer, PlannedPartition> planned = new TreeMap<>();
        r.partitions().forEach(p -> planned.put(p.partition(), p));
        assertEquals(Set.of(0, 1, 2), planned.keySet(), r.toString());
        for (PlannedPartition p : planned.values()) {
            assertEquals(est, p.topic());
            assertEquals(EST.get(p.partition()), p.replicas(), p.toString());
            assertEquals(2, p.targetReplicas().size(), p.toString());
            assertEquals(2, Set.copyOf(p.targetReplicas()).size(), p.toString());
            assertTrue(Set.of(1, 2, 3).containsAll(p.targetReplicas()), p.toString());
        }
        assertEquals(r.bytesToMove(), r.brokers().stream().mapToLong(b -> b.bytesIn()).sum(), r.toString());
        assertNothingMoved(est, EST);
        for (Job j : describe(null, true).jobs()) {
            assertTrue(j.partitions().stream().noneMatch(p -> p.topic().equals(est)), "a job for " + est + ": " + j);
        }
    }

    @Test
    @Order(3)
    void aJobRunsToCompletion() throws Exception {
        // Manual: partition 0 to broker 2, partition 1 to broker 3.
        SubmitReassignmentResponse r = JobMessages.submit(conn, SubmitReassignmentRequest.now(List.of(
                PartitionReassignEntity.manual(run, List.of(
                        new TopicAssignment(0, List.of(2)), new TopicAssignment(1, List.of(3)))))));
        assertEquals(0, r.errorCode(), r.toString());
        assertNull(r.errorMessage());
        assertNotNull(r.jobId(), r.toString());
        assertTrue(JOB_ID.matcher(r.jobId()).matches(), r.jobId());
        assertEquals(-1, r.reassignmentTime());
        assertEquals(List.of(), r.partitions());
        jobId = r.jobId();
        List<String> seen = new ArrayList<>();
        Job job = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            DescribeReassignmentJobsResponse d = describe(List.of(jobId), true);
            assertEquals(0, d.errorCode(), d.toString());
            assertEquals(1, d.jobs().size());
            job = d.jobs().get(0);
            assertEquals(jobId, job.jobId());
            assertEquals(0, job.errorCode(), job.toString());
            assertTrue(JOB_STATES.contains(job.state()), job.toString());
            seen.add(job.state());
            // docs/protocol.md: a client waiting for a job waits until it is final and not CleanupPending.
            if (ENDED.contains(job.state()) && !job.cleanupPending()) {
                break;
            }
            Thread.sleep(500);
        }
        assertNotNull(job);
        assertEquals("COMPLETED", job.state(), seen + " " + job);
        assertNull(job.error());
        assertEquals(-1, job.throttle());
        assertEquals(-1, job.executeAt());
        assertTrue(0 < job.createdMs() && job.createdMs() <= job.startedMs() && job.startedMs() <= job.finishedMs(),
                job.toString());
        assertEquals(2, job.partitionCount());
        assertEquals(2, job.partitionsDone());
        assertFalse(job.cleanupPending());
        targets = new TreeMap<>();
        for (JobPartition p : job.partitions()) {
            assertEquals(run, p.topic());
            assertEquals("DONE", p.state(), p.toString());
            assertEquals(RUN.get(p.partition()), p.replicas(), p.toString());
            targets.put(p.partition(), p.targetReplicas());
        }
        assertEquals(Map.of(0, List.of(2), 1, List.of(3)), targets);
        // The cluster has the described target replicas.
        settled(run, targets);
        assertNothingMoved(run, targets);
    }

    @Test
    @Order(4)
    void describeListsTheJobAndAnswersAnUnknownOne() {
        assertNotNull(jobId, "needs aJobRunsToCompletion");
        DescribeReassignmentJobsResponse all = describe(null, false);
        assertEquals(0, all.errorCode(), all.toString());
        List<Job> ours = all.jobs().stream().filter(j -> j.jobId().equals(jobId)).toList();
        assertEquals(1, ours.size(), all.toString());
        assertEquals("COMPLETED", ours.get(0).state());
        assertEquals(List.of(), ours.get(0).partitions(), "partitions left out when not asked for");
        DescribeReassignmentJobsResponse two = describe(List.of(jobId, UNKNOWN_JOB), true);
        assertEquals(0, two.errorCode(), two.toString());
        assertEquals(List.of(jobId, UNKNOWN_JOB), two.jobs().stream().map(Job::jobId).toList());
        Job unknown = two.jobs().get(1);
        assertEquals(91, unknown.errorCode(), unknown.toString());
        assertNotNull(unknown.errorMessage());
        assertEquals("", unknown.state());
        assertEquals(0, two.jobs().get(0).errorCode());
    }

    @Test
    @Order(5)
    void alterAnswersUnknownEndedAndInvalid() {
        assertNotNull(jobId, "needs aJobRunsToCompletion");
        AlterReassignmentJobResponse unknown = JobMessages.alter(conn, new AlterReassignmentJobRequest(UNKNOWN_JOB, JobMessages.PAUSE));
        assertEquals(91, unknown.errorCode(), unknown.toString());
        assertNotNull(unknown.errorMessage());
        for (int action : new int[] {JobMessages.PAUSE, JobMessages.RESUME, JobMessages.CANCEL}) {
            AlterReassignmentJobResponse ended = JobMessages.alter(conn, new AlterReassignmentJobRequest(jobId, action));
            assertEquals(85, ended.errorCode(), ended.toString());
            assertEquals("COMPLETED", ended.state(), ended.toString());
            assertNotNull(ended.errorMessage());
        }
        AlterReassignmentJobResponse bad = JobMessages.alter(conn, new AlterReassignmentJobRequest(jobId, 7));
        assertEquals(42, bad.errorCode(), bad.toString());
        assertNotNull(bad.errorMessage());
        assertEquals("COMPLETED", describe(List.of(jobId), false).jobs().get(0).state());
    }

    @Test
    @Order(6)
    void invalidSubmissionsMoveNothing() throws Exception {
        List<PartitionReassignEntity> automatic = List.of(PartitionReassignEntity.automatic(est, List.of(1, 2, 3), 2));
        Object[][] cases = {
            {"an unknown broker", 1006, SubmitReassignmentRequest.now(List.of(PartitionReassignEntity.manual(est,
                    List.of(new TopicAssignment(0, List.of(999))))))},
            {"a replication factor of 0", 1005, SubmitReassignmentRequest.now(List.of(
                    PartitionReassignEntity.automatic(est, List.of(1, 2, 3), 0)))},
            {"an unknown topic", 3, SubmitReassignmentRequest.now(List.of(PartitionReassignEntity.automatic(
                    Env.prefix() + "-jobs-missing", List.of(1, 2, 3), -1)))},
            {"a throttle of 0", 42, new SubmitReassignmentRequest(automatic, 0, false, -1, false, false)},
            {"a schedule without a time", 42, new SubmitReassignmentRequest(automatic, -1, true, -1, false, false)},
        };
        for (Object[] c : cases) {
            SubmitReassignmentResponse r = JobMessages.submit(conn, (SubmitReassignmentRequest) c[2]);
            assertEquals(c[1], r.errorCode(), c[0] + ": " + r);
            assertNotNull(r.errorMessage(), c[0] + ": " + r);
            assertNull(r.jobId(), c[0] + ": " + r);
            if (r.errorCode() == 1005) {
                assertTrue(r.errorMessage().contains(est), r.errorMessage());
            }
            if (r.errorCode() == 3) {
                assertTrue(r.errorMessage().contains(Env.prefix() + "-jobs-missing"), r.errorMessage());
            }
            if (r.errorCode() == 1006) {
                // "for an invalid request it names the topic and partition at fault"
                assertTrue(r.errorMessage().contains(est)
                        && Pattern.compile("partition\\D{0,3}0\\b").matcher(r.errorMessage()).find(), r.errorMessage());
            }
            assertNothingMoved(est, EST);
        }
        if (targets != null) {
            assertEquals(targets, replicas(run));
        }
    }
}
