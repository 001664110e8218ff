package dev.adminwire.conformance;

import dev.adminwire.conformance.Wire.CodecException;
import dev.adminwire.conformance.Wire.Reader;
import dev.adminwire.conformance.Wire.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The eighteen request/response pairs of the extension, written by hand from protocol-specs/*.json
 * and docs/protocol.md ("Messages"): keys 30000-30009 in versions 0 (classic) and 1 (flexible)
 * here, the reassignment jobs' keys 30010-30012 (version 0, flexible) in {@link JobMessages}, the
 * cluster links' keys 30013-30017 (version 0, flexible) in {@link LinkMessages}. A message is a
 * map from the spec's field names to values (Integer, Boolean, String, List, nested maps, null),
 * which is also how the golden vectors write them; fields a request leaves out take the spec's
 * default.
 */
public final class Messages {
    private Messages() {}

    public static final int CLUSTER_METADATA = 30000;
    public static final int CREATE_TOPIC = 30001;
    public static final int ALTER_TOPIC = 30002;
    public static final int DELETE_TOPIC = 30003;
    public static final int DESCRIBE_TOPIC = 30004;
    public static final int LIST_TOPICS = 30005;
    public static final int REASSIGN_PARTITIONS = 30006;
    public static final int VERIFY_REASSIGN_PARTITIONS = 30007;
    public static final int PREFERRED_REPLICA_LEADER_ELECTION = 30008;
    public static final int VERIFY_PREFERRED_REPLICA_LEADER_ELECTION = 30009;
    public static final int API_VERSIONS = 18;

    /**
     * Keys 30000-30009 have versions 0 (classic) and 1 (flexible); the reassignment jobs' keys
     * 30010-30012 and the cluster links' 30013-30017 version 0 only, flexible.
     */
    public static boolean flexible(int apiKey, int version) {
        if (JobMessages.isJobKey(apiKey) || LinkMessages.isLinkKey(apiKey)) {
            if (version != 0) {
                throw new CodecException("key " + apiKey + " has no version " + version);
            }
            return true;
        }
        if (apiKey < CLUSTER_METADATA || apiKey > VERIFY_PREFERRED_REPLICA_LEADER_ELECTION) {
            throw new IllegalArgumentException("not an extension key: " + apiKey);
        }
        if (version != 0 && version != 1) {
            throw new CodecException("key " + apiKey + " has no version " + version);
        }
        return version == 1;
    }

    // -- requests ----------------------------------------------------------------------------

    public static byte[] encodeRequest(int apiKey, int version, Map<String, Object> v) {
        Writer w = new Writer(flexible(apiKey, version));
        if (JobMessages.isJobKey(apiKey)) {
            return JobMessages.encodeRequest(apiKey, v);
        }
        if (LinkMessages.isLinkKey(apiKey)) {
            return LinkMessages.encodeRequest(apiKey, v);
        }
        boolean v1 = version == 1;
        switch (apiKey) {
            case CLUSTER_METADATA -> {}
            case CREATE_TOPIC -> {
                List<Map<String, Object>> topics = list(v, "Topics");
                w.arrayLength(topics.size());
                for (Map<String, Object> t : topics) {
                    w.string(str(t, "Name", null));
                    w.int32(num(t, "Partitions", -1));
                    w.int32(num(t, "ReplicationFactor", -1));
                    w.string(str(t, "ReplicaAssignment", ""));
                    configs(w, list(t, "Configs"));
                    w.tags();
                }
                timeoutAndValidateOnly(w, v, v1);
            }
            case ALTER_TOPIC -> {
                if (v1) {
                    List<Map<String, Object>> topics = list(v, "Topics");
                    w.arrayLength(topics.size());
                    for (Map<String, Object> t : topics) {
                        alteration(w, t, "Name");
                        w.tags();
                    }
                    timeoutAndValidateOnly(w, v, true);
                } else {
                    refuseInV0(v, "Topics");
                    refuseInV0(v, "ValidateOnly");
                    alteration(w, v, "TopicName");
                }
            }
            case DELETE_TOPIC -> {
                if (v1) {
                    strings(w, list(v, "TopicNames"));
                    w.int32(num(v, "TimeoutMs", 30000));
                } else {
                    refuseInV0(v, "TopicNames");
                    w.string(str(v, "TopicName", null));
                }
            }
            case DESCRIBE_TOPIC -> {
                if (v1) {
                    strings(w, list(v, "TopicNames"));
                } else {
                    refuseInV0(v, "TopicNames");
                    w.string(str(v, "TopicName", null));
                }
            }
            case LIST_TOPICS -> {
                if (v1) {
                    w.bool(Boolean.TRUE.equals(v.get("ExcludeInternal")));
                } else {
                    refuseInV0(v, "ExcludeInternal");
                }
            }
            case REASSIGN_PARTITIONS, PREFERRED_REPLICA_LEADER_ELECTION -> {
                String field = apiKey == REASSIGN_PARTITIONS ? "ManualAssignment" : "PartitionsSerialized";
                w.string(str(v, field, apiKey == REASSIGN_PARTITIONS ? null : ""));
                if (v1) {
                    w.int32(num(v, "TimeoutMs", 30000));
                }
            }
            case VERIFY_REASSIGN_PARTITIONS -> w.string(str(v, "ManualAssignment", null));
            case VERIFY_PREFERRED_REPLICA_LEADER_ELECTION -> w.string(str(v, "PartitionsSerialized", ""));
            default -> throw new IllegalArgumentException("not an extension key: " + apiKey);
        }
        w.tags();
        return w.bytes();
    }

    /** A whole request frame: size, header (v1 or v2) and body. */
    public static byte[] requestFrame(int apiKey, int version, int correlationId, String clientId, Map<String, Object> v) {
        byte[] body = encodeRequest(apiKey, version, v);
        return Wire.frame(
                Wire.requestHeader(apiKey, version, correlationId, clientId, flexible(apiKey, version)), body);
    }

    private static void timeoutAndValidateOnly(Writer w, Map<String, Object> v, boolean v1) {
        if (v1) {
            w.int32(num(v, "TimeoutMs", 30000));
            w.bool(Boolean.TRUE.equals(v.get("ValidateOnly")));
        } else {
            // TimeoutMs is ignorable (dropped); ValidateOnly is not (refused).
            refuseInV0(v, "ValidateOnly");
        }
    }

    private static void alteration(Writer w, Map<String, Object> t, String nameField) {
        w.string(str(t, nameField, null));
        w.int32(num(t, "Partitions", -1));
        w.string((String) t.get("ReplicaAssignment")); // nullable, default null
        configs(w, list(t, "AddedConfigs"));
        List<Object> deleted = list(t, "DeletedConfigs");
        strings(w, deleted);
    }

    private static void configs(Writer w, List<Map<String, Object>> configs) {
        w.arrayLength(configs.size());
        for (Map<String, Object> c : configs) {
            w.string(str(c, "Key", null));
            w.string(str(c, "Value", null));
            w.tags();
        }
    }

    private static void strings(Writer w, List<?> names) {
        w.arrayLength(names.size());
        for (Object n : names) {
            if (n == null) {
                throw new CodecException("a null string in a list of strings");
            }
            w.string((String) n);
        }
    }

    private static void refuseInV0(Map<String, Object> v, String field) {
        Object value = v.get(field);
        boolean unset = value == null || Boolean.FALSE.equals(value);
        if (!unset) {
            throw new CodecException(field + " cannot be sent in version 0");
        }
    }

    // -- responses ---------------------------------------------------------------------------

    public static Map<String, Object> decodeResponse(int apiKey, int version, byte[] body) {
        Reader r = new Reader(body, flexible(apiKey, version));
        if (JobMessages.isJobKey(apiKey)) {
            return JobMessages.decodeResponse(apiKey, body);
        }
        if (LinkMessages.isLinkKey(apiKey)) {
            return LinkMessages.decodeResponse(apiKey, body);
        }
        boolean v1 = version == 1;
        Map<String, Object> v = new LinkedHashMap<>();
        switch (apiKey) {
            case CLUSTER_METADATA -> {
                v.put("ErrorCode", r.int16("ErrorCode"));
                if (v1) {
                    v.put("ErrorMessage", r.string(true, "ErrorMessage"));
                }
                int n = r.arrayLength(false, "Brokers");
                List<Object> brokers = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    brokers.add(broker(r, v1));
                }
                v.put("Brokers", brokers);
                v.put("Controller", r.present("Controller") ? broker(r, v1) : null);
                if (v1) {
                    v.put("ClusterId", null);
                    r.tags("ClusterMetadataResponse", (tag, tr) -> {
                        if (tag != 0) {
                            return false;
                        }
                        v.put("ClusterId", tr.string(true, "ClusterId"));
                        tr.end("ClusterId");
                        return true;
                    });
                }
            }
            case CREATE_TOPIC, ALTER_TOPIC, DELETE_TOPIC -> {
                error(r, v);
                if (v1) {
                    v.put("Topics", results(r, "Name", false));
                }
            }
            case DESCRIBE_TOPIC -> {
                error(r, v);
                if (v1) {
                    int n = r.arrayLength(false, "Topics");
                    List<Object> topics = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        Map<String, Object> t = new LinkedHashMap<>();
                        t.put("Name", r.string(false, "Name"));
                        error(r, t);
                        t.put("TopicDescription", r.present("TopicDescription") ? description(r) : null);
                        r.tags("DescribedTopic", null);
                        topics.add(t);
                    }
                    v.put("Topics", topics);
                } else {
                    v.put("TopicDescription", r.present("TopicDescription") ? description(r) : null);
                }
            }
            case LIST_TOPICS -> {
                error(r, v);
                int n = r.arrayLength(true, "Topics");
                List<Object> topics = n < 0 ? null : new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    topics.add(r.string(false, "Topics"));
                }
                v.put("Topics", topics);
            }
            case REASSIGN_PARTITIONS, PREFERRED_REPLICA_LEADER_ELECTION -> {
                error(r, v);
                if (v1) {
                    v.put("Partitions", results(r, "Topic", true));
                }
            }
            case VERIFY_REASSIGN_PARTITIONS, VERIFY_PREFERRED_REPLICA_LEADER_ELECTION -> {
                int n = r.arrayLength(false, "Results");
                List<Object> results = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("Topic", r.string(false, "Topic"));
                    p.put("Partition", r.int32("Partition"));
                    p.put("ResultCode", r.int16("ResultCode"));
                    if (v1 && apiKey == VERIFY_PREFERRED_REPLICA_LEADER_ELECTION) {
                        p.put("Leader", r.int32("Leader"));
                        p.put("PreferredLeader", r.int32("PreferredLeader"));
                    }
                    r.tags("Results", null);
                    results.add(p);
                }
                v.put("Results", results);
                error(r, v);
            }
            default -> throw new IllegalArgumentException("not an extension key: " + apiKey);
        }
        if (apiKey != CLUSTER_METADATA) {
            r.tags("response", null);
        }
        r.end("response body");
        return v;
    }

    /** A response frame's payload (after the size): header v0 or v1, then the body. */
    public static int responseCorrelationId(int apiKey, int version, Reader payload) {
        int correlationId = payload.int32("correlation_id");
        if (flexible(apiKey, version)) {
            payload.tagSection("response header", null);
        }
        return correlationId;
    }

    private static void error(Reader r, Map<String, Object> v) {
        v.put("ErrorCode", r.int16("ErrorCode"));
        v.put("ErrorMessage", r.string(true, "ErrorMessage"));
    }

    private static Map<String, Object> broker(Reader r, boolean v1) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("NodeId", r.int32("NodeId"));
        b.put("Host", r.string(false, "Host"));
        b.put("Port", r.int32("Port"));
        if (v1) {
            b.put("Rack", r.string(true, "Rack"));
        }
        r.tags("Broker", null);
        return b;
    }

    private static List<Object> results(Reader r, String nameField, boolean withPartition) {
        int n = r.arrayLength(false, "results");
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put(nameField, r.string(false, nameField));
            if (withPartition) {
                t.put("Partition", r.int32("Partition"));
            }
            error(r, t);
            r.tags("result", null);
            out.add(t);
        }
        return out;
    }

    private static Map<String, Object> description(Reader r) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("TopicName", r.string(false, "TopicName"));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("Partitions", r.int32("Partitions"));
        details.put("ReplicationFactor", r.int32("ReplicationFactor"));
        int n = r.arrayLength(false, "Configs");
        List<Object> configs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("Key", r.string(false, "Key"));
            c.put("Value", r.string(false, "Value"));
            r.tags("ConfigEntry", null);
            configs.add(c);
        }
        details.put("Configs", configs);
        r.tags("TopicConfigDetails", null);
        d.put("TopicConfigDetails", details);
        int parts = r.arrayLength(false, "TopicPartitionDetails");
        List<Object> partitions = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("PartitionId", r.int32("PartitionId"));
            p.put("Leader", r.int32("Leader"));
            p.put("Replicas", ints(r, "Replicas"));
            p.put("Isr", ints(r, "Isr"));
            r.tags("TopicPartitionDetails", null);
            partitions.add(p);
        }
        d.put("TopicPartitionDetails", partitions);
        r.tags("TopicDescription", null);
        return d;
    }

    private static List<Object> ints(Reader r, String what) {
        int n = r.arrayLength(false, what);
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(r.int32(what));
        }
        return out;
    }

    // -- map access --------------------------------------------------------------------------

    static int num(Map<String, Object> m, String key, int def) {
        Object v = m.get(key);
        return v == null ? def : ((Number) v).intValue();
    }

    static String str(Map<String, Object> m, String key, String def) {
        Object v = m.containsKey(key) ? m.get(key) : def;
        if (v == null) {
            throw new CodecException(key + " is null but not nullable");
        }
        return (String) v;
    }

    @SuppressWarnings("unchecked")
    /** A long from a map: {@code def} when left out (the field's default). */
    static long lng(Map<String, Object> m, String key, long def) {
        Object v = m.get(key);
        return v == null ? def : ((Number) v).longValue();
    }

    /** A boolean from a map: {@code def} when left out (the field's default). */
    static boolean bool(Map<String, Object> m, String key, boolean def) {
        Object v = m.get(key);
        return v == null ? def : (Boolean) v;
    }

    /** A value for a field that is not nullable: refused when null. */
    static String notNull(String s, String field) {
        if (s == null) {
            throw new Wire.CodecException(field + " is null but not nullable");
        }
        return s;
    }

    static <T> List<T> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? List.of() : (List<T>) v;
    }
}
