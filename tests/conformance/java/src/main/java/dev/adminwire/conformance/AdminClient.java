package dev.adminwire.conformance;

import static dev.adminwire.conformance.Messages.*;

import dev.adminwire.conformance.Types.Broker;
import dev.adminwire.conformance.Types.ConfigEntry;
import dev.adminwire.conformance.Types.DescribeTopicOutput;
import dev.adminwire.conformance.Types.PartitionDetails;
import dev.adminwire.conformance.Types.PreferredReplicaLeaderElectionResponse;
import dev.adminwire.conformance.Types.ReassignPartitionsResponse;
import dev.adminwire.conformance.Types.TopicPartition;
import dev.adminwire.conformance.Types.VerifyPreferredReplicaLeaderElectionResponse;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The KIP-4 draft's AdminClient (section 3), over plain sockets, from protocol-specs/ and
 * docs/protocol.md only.
 *
 * <p>Properties: {@code bootstrap.servers} (required, host:port[,...]), {@code client.id},
 * {@code admin.protocol.version} (0 or 1; default: the highest both sides support, from
 * ApiVersions), {@code request.timeout.ms} (socket reads, default 60000),
 * {@code poll.interval.ms} (how often the long-running futures verify, default 200) and
 * {@code failure.grace.ms} (how long a verify's -1 must last before the future fails; default 0,
 * since docs/protocol.md makes a -1 the cluster's settled state).
 *
 * <p>As the draft has it, admin commands go to the controller: the client asks ClusterMetadata,
 * connects to the controller's address, and asks again if a server answers 1001.
 */
public class AdminClient implements Closeable {
    public static final short NOT_CONTROLLER = 1001;

    private final List<String> bootstrap;
    private final String clientId;
    private final int readTimeoutMs;
    private final long pollMs;
    private final long failureGraceMs;
    private final Integer forcedVersion;
    private final ScheduledExecutorService poller;
    private final Map<Integer, short[]> offered = new HashMap<>();
    private Connection controller;
    private List<Broker> brokers = List.of();
    private Broker controllerBroker;

    public AdminClient(Properties properties) {
        String servers = properties.getProperty("bootstrap.servers");
        if (servers == null || servers.isBlank()) {
            throw new IllegalArgumentException("bootstrap.servers is required");
        }
        this.bootstrap = List.of(servers.split(","));
        this.clientId = properties.getProperty("client.id", "adminwire-conformance-java");
        this.readTimeoutMs = Integer.parseInt(properties.getProperty("request.timeout.ms", "60000"));
        this.pollMs = Long.parseLong(properties.getProperty("poll.interval.ms", "200"));
        this.failureGraceMs = Long.parseLong(properties.getProperty("failure.grace.ms", "0"));
        String version = properties.getProperty("admin.protocol.version");
        this.forcedVersion = version == null ? null : Integer.valueOf(version);
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "adminwire-admin-poller");
            t.setDaemon(true);
            return t;
        });
        try {
            updateClusterMetadata();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    // -- topics ------------------------------------------------------------------------------

    /** Create topic with given number of partitions and replication factor. */
    public void createTopic(String topicName, int partitions, int replicationFactor, List<ConfigEntry> configs) {
        create(topic(topicName, partitions, replicationFactor, "", configs));
    }

    /** Create topic with specified replica assignment (kafka-topics form, 1:2,2:3). */
    public void createTopic(String topicName, String replicaAssignment, List<ConfigEntry> configs) {
        create(topic(topicName, -1, -1, replicaAssignment, configs));
    }

    private static Map<String, Object> topic(String name, int partitions, int rf, String assignment, List<ConfigEntry> configs) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("Name", name);
        t.put("Partitions", partitions);
        t.put("ReplicationFactor", rf);
        t.put("ReplicaAssignment", assignment);
        t.put("Configs", configMaps(configs));
        return t;
    }

    private void create(Map<String, Object> topic) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("Topics", List.of(topic));
        Map<String, Object> response = sendAdminRequest(CREATE_TOPIC, request);
        check(response);
        perTopic(response, "Topics");
    }

    /** Alter existing topic partitions and/or replica assignment, and its configs. */
    public void alterTopic(String topicName, Integer partitions, String replicaAssignment,
                           List<ConfigEntry> addedConfigs, List<String> deletedConfigs) {
        Map<String, Object> alteration = new LinkedHashMap<>();
        alteration.put("Partitions", partitions == null ? -1 : partitions);
        alteration.put("ReplicaAssignment", replicaAssignment);
        alteration.put("AddedConfigs", configMaps(addedConfigs));
        alteration.put("DeletedConfigs", deletedConfigs == null ? List.of() : deletedConfigs);
        Map<String, Object> request = new LinkedHashMap<>();
        if (version(ALTER_TOPIC) == 0) {
            request.put("TopicName", topicName);
            request.putAll(alteration);
        } else {
            alteration.put("Name", topicName);
            request.put("Topics", List.of(alteration));
        }
        Map<String, Object> response = sendAdminRequest(ALTER_TOPIC, request);
        check(response);
        perTopic(response, "Topics");
    }

    /** Delete Kafka topic by name. */
    public void deleteTopic(String topicName) {
        Map<String, Object> response = sendAdminRequest(DELETE_TOPIC, oneTopic(DELETE_TOPIC, topicName));
        check(response);
        perTopic(response, "Topics");
    }

    /** List all existing topics in Kafka cluster. */
    public List<String> listTopics() {
        Map<String, Object> response = sendAdminRequest(LIST_TOPICS, new LinkedHashMap<>());
        check(response);
        List<String> topics = Messages.list(response, "Topics");
        return List.copyOf(topics);
    }

    /** Request replication information about Kafka topic. */
    @SuppressWarnings("unchecked")
    public DescribeTopicOutput describeTopic(String topicName) {
        Map<String, Object> response = sendAdminRequest(DESCRIBE_TOPIC, oneTopic(DESCRIBE_TOPIC, topicName));
        check(response);
        Map<String, Object> description;
        if (response.containsKey("Topics")) {
            Map<String, Object> entry = perTopic(response, "Topics");
            description = (Map<String, Object>) entry.get("TopicDescription");
        } else {
            description = (Map<String, Object>) response.get("TopicDescription");
        }
        if (description == null) {
            throw new ApiException(-1, "no description for " + topicName);
        }
        Map<String, Object> details = (Map<String, Object>) description.get("TopicConfigDetails");
        List<ConfigEntry> configs = new ArrayList<>();
        for (Map<String, Object> c : Messages.<Map<String, Object>>list(details, "Configs")) {
            configs.add(new ConfigEntry((String) c.get("Key"), (String) c.get("Value")));
        }
        List<PartitionDetails> partitions = new ArrayList<>();
        for (Map<String, Object> p : Messages.<Map<String, Object>>list(description, "TopicPartitionDetails")) {
            int leader = (Integer) p.get("Leader");
            partitions.add(new PartitionDetails(
                    (Integer) p.get("PartitionId"),
                    leader == -1 ? null : leader,
                    List.copyOf(Messages.list(p, "Replicas")),
                    List.copyOf(Messages.list(p, "Isr"))));
        }
        return new DescribeTopicOutput((String) description.get("TopicName"), (Integer) details.get("Partitions"),
                (Integer) details.get("ReplicationFactor"), configs, partitions);
    }

    private Map<String, Object> oneTopic(int apiKey, String topicName) {
        Map<String, Object> request = new LinkedHashMap<>();
        if (version(apiKey) == 0) {
            request.put("TopicName", topicName);
        } else {
            request.put("TopicNames", List.of(topicName));
        }
        return request;
    }

    // -- long-running commands ---------------------------------------------------------------

    /**
     * Initiate long-running reassign partitions procedure; the future completes once every
     * partition of the plan is at its new replicas, or fails (ApiException) if one cannot get there.
     */
    public Future<ReassignPartitionsResponse> reassignPartitions(String partitionsReassignment) {
        Map<String, Object> response =
                sendAdminRequest(REASSIGN_PARTITIONS, Map.of("ManualAssignment", partitionsReassignment));
        check(response);
        perPartition(response);
        short code = ((Integer) response.get("ErrorCode")).shortValue();
        String message = (String) response.get("ErrorMessage");
        return poll(() -> verifyReassignPartitions(partitionsReassignment),
                results -> new ReassignPartitionsResponse(code, message, results), "reassignment");
    }

    /** Check the interim status of the partitions reassignment: 1 completed, 0 in progress, -1 failed. */
    public Map<TopicPartition, Short> verifyReassignPartitions(String partitionsReassignment) {
        Map<String, Object> response =
                sendAdminRequest(VERIFY_REASSIGN_PARTITIONS, Map.of("ManualAssignment", partitionsReassignment));
        check(response);
        return resultCodes(response);
    }

    /** Initiate preferred replica leader election; the future completes once the preferred replicas lead. */
    public Future<PreferredReplicaLeaderElectionResponse> preferredReplicaLeaderElection(String partitions) {
        Map<String, Object> response =
                sendAdminRequest(PREFERRED_REPLICA_LEADER_ELECTION, Map.of("PartitionsSerialized", partitions));
        check(response);
        perPartition(response);
        short code = ((Integer) response.get("ErrorCode")).shortValue();
        String message = (String) response.get("ErrorMessage");
        return poll(() -> verifyPreferredReplicaLeaderElection(partitions).results(),
                results -> new PreferredReplicaLeaderElectionResponse(code, message, results), "election");
    }

    /** Check the interim status of the preferred replica leader election. */
    public VerifyPreferredReplicaLeaderElectionResponse verifyPreferredReplicaLeaderElection(String partitions) {
        Map<String, Object> response = sendAdminRequest(
                VERIFY_PREFERRED_REPLICA_LEADER_ELECTION, Map.of("PartitionsSerialized", partitions));
        check(response);
        Map<TopicPartition, Integer> leaders = new LinkedHashMap<>();
        Map<TopicPartition, Integer> preferred = new LinkedHashMap<>();
        for (Map<String, Object> r : Messages.<Map<String, Object>>list(response, "Results")) {
            if (r.containsKey("Leader")) {
                TopicPartition tp = new TopicPartition((String) r.get("Topic"), (Integer) r.get("Partition"));
                leaders.put(tp, (Integer) r.get("Leader"));
                preferred.put(tp, (Integer) r.get("PreferredLeader"));
            }
        }
        return new VerifyPreferredReplicaLeaderElectionResponse(resultCodes(response), leaders, preferred);
    }

    private interface Check {
        Map<TopicPartition, Short> get();
    }

    private interface Finish<T> {
        T apply(Map<TopicPartition, Short> results);
    }

    private <T> Future<T> poll(Check verify, Finish<T> finish, String what) {
        CompletableFuture<T> future = new CompletableFuture<>();
        Runnable[] step = new Runnable[1];
        long[] failingSince = {0};
        step[0] = () -> {
            if (future.isDone()) {
                return;
            }
            try {
                Map<TopicPartition, Short> results = verify.get();
                List<TopicPartition> failed = new ArrayList<>();
                boolean done = true;
                for (Map.Entry<TopicPartition, Short> e : results.entrySet()) {
                    if (e.getValue() == -1) {
                        failed.add(e.getKey());
                    } else if (e.getValue() != 1) {
                        done = false;
                    }
                }
                if (failed.isEmpty()) {
                    failingSince[0] = 0;
                } else if (failingSince[0] == 0) {
                    failingSince[0] = System.nanoTime();
                }
                boolean lastingFailure = failingSince[0] != 0
                        && System.nanoTime() - failingSince[0] >= TimeUnit.MILLISECONDS.toNanos(failureGraceMs);
                if (lastingFailure) {
                    future.completeExceptionally(new ApiException(-1, "the " + what + " failed for " + failed));
                } else if (done && failed.isEmpty()) {
                    future.complete(finish.apply(results));
                } else {
                    poller.schedule(step[0], pollMs, TimeUnit.MILLISECONDS);
                }
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        };
        poller.execute(step[0]);
        return future;
    }

    // -- plumbing ----------------------------------------------------------------------------

    /** The version this client sends {@code apiKey} in. */
    public int version(int apiKey) {
        short[] range = offered.get(apiKey);
        if (range == null) {
            throw new ApiException(35, "the server does not offer key " + apiKey + ": not an adminwire sidecar?");
        }
        // This client knows versions 0 and 1.
        int ours = forcedVersion == null ? Math.min(1, range[1]) : forcedVersion;
        if (ours < range[0] || ours > range[1] || ours > 1) {
            throw new ApiException(35, "the server offers key " + apiKey + " in " + range[0] + "-" + range[1]
                    + ", this client " + (forcedVersion == null ? "0-1" : forcedVersion));
        }
        return ours;
    }

    /** Refreshes cluster metadata: brokers and controller, and (re)connects to the controller. */
    @SuppressWarnings("unchecked")
    public synchronized void updateClusterMetadata() {
        RuntimeException last = null;
        for (String address : bootstrap) {
            try (Connection c = new Connection(address.trim(), clientId, readTimeoutMs)) {
                offered.clear();
                offered.putAll(c.apiVersions());
                Map<String, Object> metadata = c.request(CLUSTER_METADATA, version(CLUSTER_METADATA), Map.of());
                check(metadata);
                List<Broker> found = new ArrayList<>();
                for (Map<String, Object> b : Messages.<Map<String, Object>>list(metadata, "Brokers")) {
                    found.add(new Broker((Integer) b.get("NodeId"), (String) b.get("Host"), (Integer) b.get("Port")));
                }
                Map<String, Object> ctl = (Map<String, Object>) metadata.get("Controller");
                if (ctl == null) {
                    throw new ApiException(-1, "no controller known");
                }
                brokers = List.copyOf(found);
                controllerBroker = new Broker((Integer) ctl.get("NodeId"), (String) ctl.get("Host"), (Integer) ctl.get("Port"));
                if (controller != null) {
                    controller.close();
                }
                controller = new Connection(controllerBroker.address(), clientId, readTimeoutMs);
                return;
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw last;
    }

    public synchronized List<Broker> brokers() {
        return brokers;
    }

    public synchronized Broker controller() {
        return controllerBroker;
    }

    /** Sends an admin request to the controller; on 1001, refreshes metadata and tries once more. */
    private synchronized Map<String, Object> sendAdminRequest(int apiKey, Map<String, Object> request) {
        Map<String, Object> response = controller.request(apiKey, version(apiKey), request);
        if (((Integer) response.get("ErrorCode")) == NOT_CONTROLLER) {
            updateClusterMetadata();
            response = controller.request(apiKey, version(apiKey), request);
        }
        return response;
    }

    private static void check(Map<String, Object> response) {
        int code = (Integer) response.get("ErrorCode");
        if (code != 0) {
            throw new ApiException(code, (String) response.get("ErrorMessage"));
        }
    }

    /** Version 1: the single topic's own result (its error, if any, thrown). Version 0: nothing. */
    private static Map<String, Object> perTopic(Map<String, Object> response, String field) {
        if (!response.containsKey(field)) {
            return Map.of();
        }
        List<Map<String, Object>> results = Messages.list(response, field);
        if (results.size() != 1) {
            throw new ApiException(-1, "expected one result, got " + results.size());
        }
        check(results.get(0));
        return results.get(0);
    }

    /** Version 1: throws the first partition's error, if any. */
    private static void perPartition(Map<String, Object> response) {
        for (Map<String, Object> p : Messages.<Map<String, Object>>list(response, "Partitions")) {
            check(p);
        }
    }

    private static Map<TopicPartition, Short> resultCodes(Map<String, Object> response) {
        Map<TopicPartition, Short> out = new LinkedHashMap<>();
        for (Map<String, Object> r : Messages.<Map<String, Object>>list(response, "Results")) {
            out.put(new TopicPartition((String) r.get("Topic"), (Integer) r.get("Partition")),
                    ((Integer) r.get("ResultCode")).shortValue());
        }
        return out;
    }

    private static List<Map<String, Object>> configMaps(List<ConfigEntry> configs) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (configs != null) {
            for (ConfigEntry c : configs) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("Key", c.key());
                m.put("Value", c.value());
                out.add(m);
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        poller.shutdownNow();
        if (controller != null) {
            controller.close();
            controller = null;
        }
    }

    /** One TCP connection speaking Kafka framing; requests answered in order. */
    public static final class Connection implements Closeable {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;
        private final String clientId;
        private int correlation = 0;

        public Connection(String address, String clientId, int readTimeoutMs) {
            int colon = address.lastIndexOf(':');
            try {
                socket = new Socket();
                socket.connect(new InetSocketAddress(address.substring(0, colon),
                        Integer.parseInt(address.substring(colon + 1))), 10_000);
                socket.setSoTimeout(readTimeoutMs);
                socket.setTcpNoDelay(true);
                in = new DataInputStream(socket.getInputStream());
                out = socket.getOutputStream();
            } catch (IOException e) {
                throw new ApiException(8, "cannot connect to " + address + ": " + e);
            }
            this.clientId = clientId;
        }

        public void send(byte[] frame) {
            try {
                out.write(frame);
                out.flush();
            } catch (IOException e) {
                throw new ApiException(8, "send failed: " + e);
            }
        }

        /** The next frame's payload (after the size prefix). */
        public byte[] readFrame() throws IOException {
            int size = in.readInt();
            if (size < 0) {
                throw new IOException("negative frame size " + size);
            }
            byte[] payload = new byte[size];
            in.readFully(payload);
            return payload;
        }

        public int nextCorrelationId() {
            return ++correlation;
        }

        public Map<String, Object> request(int apiKey, int version, Map<String, Object> body) {
            int id = nextCorrelationId();
            send(requestFrame(apiKey, version, id, clientId, body));
            return receive(apiKey, version, id);
        }

        /** Sends {@code body} as a request of that key and version; the response's body. */
        public byte[] call(int apiKey, int version, byte[] body) {
            int id = nextCorrelationId();
            send(Wire.frame(Wire.requestHeader(apiKey, version, id, clientId, flexible(apiKey, version)), body));
            try {
                Wire.Reader r = new Wire.Reader(readFrame(), false);
                int got = responseCorrelationId(apiKey, version, r);
                if (got != id) {
                    throw new ApiException(-1, "correlation id " + got + ", expected " + id);
                }
                return r.raw(r.remaining(), "body");
            } catch (IOException e) {
                throw new ApiException(8, "receive failed: " + e);
            }
        }

        public Map<String, Object> receive(int apiKey, int version, int correlationId) {
            try {
                Wire.Reader r = new Wire.Reader(readFrame(), false);
                int got = responseCorrelationId(apiKey, version, r);
                if (got != correlationId) {
                    throw new ApiException(-1, "correlation id " + got + ", expected " + correlationId);
                }
                return decodeResponse(apiKey, version, r.raw(r.remaining(), "body"));
            } catch (IOException e) {
                throw new ApiException(8, "receive failed: " + e);
            }
        }

        /** Kafka's ApiVersions v0 (header v1, empty body; response header v0): key to [min, max]. */
        public Map<Integer, short[]> apiVersions() {
            int id = nextCorrelationId();
            send(Wire.frame(Wire.requestHeader(API_VERSIONS, 0, id, clientId, false)));
            try {
                Wire.Reader r = new Wire.Reader(readFrame(), false);
                if (r.int32("correlation_id") != id) {
                    throw new ApiException(-1, "ApiVersions: wrong correlation id");
                }
                int error = r.int16("ErrorCode");
                if (error != 0) {
                    throw new ApiException(error, "ApiVersions");
                }
                Map<Integer, short[]> keys = new HashMap<>();
                int n = r.arrayLength(false, "ApiKeys");
                for (int i = 0; i < n; i++) {
                    int key = r.int16("ApiKey");
                    keys.put(key, new short[] {(short) r.int16("MinVersion"), (short) r.int16("MaxVersion")});
                }
                r.end("ApiVersions v0");
                return keys;
            } catch (IOException e) {
                throw new ApiException(8, "ApiVersions failed: " + e);
            }
        }

        /** True if the server closes the connection (EOF or reset) within {@code ms}. */
        public boolean closedByServer(int ms) {
            try {
                socket.setSoTimeout(ms);
                return in.read() == -1;
            } catch (java.net.SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
