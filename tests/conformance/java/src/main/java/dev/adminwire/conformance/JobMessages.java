package dev.adminwire.conformance;

import static dev.adminwire.conformance.Messages.bool;
import static dev.adminwire.conformance.Messages.lng;
import static dev.adminwire.conformance.Messages.notNull;

import dev.adminwire.conformance.Wire.CodecException;
import dev.adminwire.conformance.Wire.Reader;
import dev.adminwire.conformance.Wire.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reassignment jobs' three request/response pairs (keys 30010-30012), written by hand from
 * protocol-specs/{SubmitReassignment,DescribeReassignmentJobs,AlterReassignmentJob}*.json and
 * docs/protocol.md ("Messages"), as a client author would: one record per message and struct.
 * Every one has version 0 only, flexible (request header v2, response header v1: compact strings
 * and arrays, a tagged-field section after every struct).
 *
 * <p>{@code fromMap}/{@code toMap} translate to and from the field-name maps the golden vectors
 * (and {@link Messages}) use.
 */
public final class JobMessages {
    private JobMessages() {}

    public static final int SUBMIT_REASSIGNMENT = 30010;
    public static final int DESCRIBE_REASSIGNMENT_JOBS = 30011;
    public static final int ALTER_REASSIGNMENT_JOB = 30012;

    public static boolean isJobKey(int apiKey) {
        return apiKey >= SUBMIT_REASSIGNMENT && apiKey <= ALTER_REASSIGNMENT_JOB;
    }

    // -- SubmitReassignment (30010) ----------------------------------------------------------

    /** Manual: the replicas of one partition, preferred leader first. */
    public record TopicAssignment(int partition, List<Integer> partitionBrokers) {}

    /** One topic: automatic (brokers, replicationFactor; -1 keeps it) or manual (assignment). */
    public record PartitionReassignEntity(
            String topic, List<Integer> brokers, int replicationFactor, List<TopicAssignment> assignment) {
        public static PartitionReassignEntity automatic(String topic, List<Integer> brokers, int replicationFactor) {
            return new PartitionReassignEntity(topic, brokers, replicationFactor, List.of());
        }

        public static PartitionReassignEntity manual(String topic, List<TopicAssignment> assignment) {
            return new PartitionReassignEntity(topic, List.of(), -1, assignment);
        }
    }

    public record SubmitReassignmentRequest(
            List<PartitionReassignEntity> reassignments,
            long throttle,
            boolean isSchedule,
            long executeAt,
            boolean timeEstimate,
            boolean weighBySize) {
        /** Run now, no throttle (the spec's defaults). */
        public static SubmitReassignmentRequest now(List<PartitionReassignEntity> reassignments) {
            return new SubmitReassignmentRequest(reassignments, -1, false, -1, false, false);
        }

        public SubmitReassignmentRequest estimate() {
            return new SubmitReassignmentRequest(reassignments, throttle, isSchedule, executeAt, true, weighBySize);
        }

        public byte[] encode() {
            Writer w = new Writer(true);
            w.arrayLength(reassignments.size());
            for (PartitionReassignEntity e : reassignments) {
                w.string(notNull(e.topic(), "Topic"));
                int32s(w, e.brokers(), "Brokers");
                w.int32(e.replicationFactor());
                w.arrayLength(e.assignment().size());
                for (TopicAssignment a : e.assignment()) {
                    w.int32(a.partition());
                    int32s(w, a.partitionBrokers(), "PartitionBrokers");
                    w.tags();
                }
                w.tags();
            }
            w.int64(throttle).bool(isSchedule).int64(executeAt).bool(timeEstimate).bool(weighBySize);
            return w.tags().bytes();
        }

        public static SubmitReassignmentRequest fromMap(Map<String, Object> v) {
            List<PartitionReassignEntity> entities = new ArrayList<>();
            for (Map<String, Object> e : Messages.<Map<String, Object>>list(v, "Reassignments")) {
                List<TopicAssignment> assignment = new ArrayList<>();
                for (Map<String, Object> a : Messages.<Map<String, Object>>list(e, "Assignment")) {
                    assignment.add(new TopicAssignment(Messages.num(a, "Partition", 0), ints(a, "PartitionBrokers")));
                }
                entities.add(new PartitionReassignEntity(Messages.str(e, "Topic", null), ints(e, "Brokers"),
                        Messages.num(e, "ReplicationFactor", -1), assignment));
            }
            return new SubmitReassignmentRequest(entities, lng(v, "Throttle", -1), bool(v, "IsSchedule", false),
                    lng(v, "ExecuteAt", -1), bool(v, "TimeEstimate", false), bool(v, "WeighBySize", false));
        }
    }

    public record BrokerLoad(int brokerId, long bytesIn, long bytesOut) {}

    public record PlannedPartition(
            String topic, int partition, List<Integer> replicas, List<Integer> targetReplicas, long bytes) {}

    public record SubmitReassignmentResponse(
            int errorCode,
            String errorMessage,
            String jobId,
            long reassignmentTime,
            long bytesToMove,
            long rate,
            int waves,
            int slowestBroker,
            List<BrokerLoad> brokers,
            List<PlannedPartition> partitions,
            List<String> rackUnawareTopics) {
        public static SubmitReassignmentResponse decode(byte[] body) {
            Reader r = new Reader(body, true);
            int errorCode = r.int16("ErrorCode");
            String errorMessage = r.string(true, "ErrorMessage");
            String jobId = r.string(true, "JobId");
            long time = r.int64("ReassignmentTime");
            long bytesToMove = r.int64("BytesToMove");
            long rate = r.int64("Rate");
            int waves = r.int32("Waves");
            int slowest = r.int32("SlowestBroker");
            int n = r.arrayLength(false, "Brokers");
            List<BrokerLoad> brokers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                brokers.add(new BrokerLoad(r.int32("BrokerId"), r.int64("BytesIn"), r.int64("BytesOut")));
                r.tags("BrokerLoad", null);
            }
            n = r.arrayLength(false, "Partitions");
            List<PlannedPartition> partitions = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                partitions.add(new PlannedPartition(r.string(false, "Topic"), r.int32("Partition"),
                        readInt32s(r, "Replicas"), readInt32s(r, "TargetReplicas"), r.int64("Bytes")));
                r.tags("PlannedPartition", null);
            }
            n = r.arrayLength(false, "RackUnawareTopics");
            List<String> rackUnaware = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                rackUnaware.add(r.string(false, "RackUnawareTopics"));
            }
            r.tags("SubmitReassignmentResponse", null);
            r.end("SubmitReassignmentResponse");
            return new SubmitReassignmentResponse(errorCode, errorMessage, jobId, time, bytesToMove, rate, waves,
                    slowest, brokers, partitions, rackUnaware);
        }

        public Map<String, Object> toMap() {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("ErrorCode", errorCode);
            v.put("ErrorMessage", errorMessage);
            v.put("JobId", jobId);
            v.put("ReassignmentTime", reassignmentTime);
            v.put("BytesToMove", bytesToMove);
            v.put("Rate", rate);
            v.put("Waves", waves);
            v.put("SlowestBroker", slowestBroker);
            List<Object> b = new ArrayList<>();
            for (BrokerLoad l : brokers) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("BrokerId", l.brokerId());
                m.put("BytesIn", l.bytesIn());
                m.put("BytesOut", l.bytesOut());
                b.add(m);
            }
            v.put("Brokers", b);
            List<Object> p = new ArrayList<>();
            for (PlannedPartition pp : partitions) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("Topic", pp.topic());
                m.put("Partition", pp.partition());
                m.put("Replicas", new ArrayList<Object>(pp.replicas()));
                m.put("TargetReplicas", new ArrayList<Object>(pp.targetReplicas()));
                m.put("Bytes", pp.bytes());
                p.add(m);
            }
            v.put("Partitions", p);
            v.put("RackUnawareTopics", new ArrayList<Object>(rackUnawareTopics));
            return v;
        }
    }

    // -- DescribeReassignmentJobs (30011) ----------------------------------------------------

    /** {@code jobIds} null for every job, oldest first. */
    public record DescribeReassignmentJobsRequest(List<String> jobIds, boolean includePartitions) {
        public byte[] encode() {
            Writer w = new Writer(true);
            if (jobIds == null) {
                w.arrayLength(-1);
            } else {
                w.arrayLength(jobIds.size());
                for (String id : jobIds) {
                    w.string(notNull(id, "JobIds"));
                }
            }
            return w.bool(includePartitions).tags().bytes();
        }

        @SuppressWarnings("unchecked")
        public static DescribeReassignmentJobsRequest fromMap(Map<String, Object> v) {
            return new DescribeReassignmentJobsRequest((List<String>) v.get("JobIds"), bool(v, "IncludePartitions", true));
        }
    }

    public record JobPartition(
            String topic,
            int partition,
            List<Integer> replicas,
            List<Integer> targetReplicas,
            String state,
            String reason,
            long bytesTotal,
            long bytesMoved) {}

    public record Job(
            String jobId,
            int errorCode,
            String errorMessage,
            String state,
            long throttle,
            long createdMs,
            long executeAt,
            long startedMs,
            long finishedMs,
            long bytesTotal,
            long bytesMoved,
            long etaSeconds,
            int partitionCount,
            int partitionsDone,
            boolean cleanupPending,
            String error,
            String requestedBy,
            long startedLateMs,
            List<JobPartition> partitions) {}

    public record DescribeReassignmentJobsResponse(int errorCode, String errorMessage, List<Job> jobs) {
        public static DescribeReassignmentJobsResponse decode(byte[] body) {
            Reader r = new Reader(body, true);
            int errorCode = r.int16("ErrorCode");
            String errorMessage = r.string(true, "ErrorMessage");
            int n = r.arrayLength(false, "Jobs");
            List<Job> jobs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String jobId = r.string(false, "JobId");
                int code = r.int16("ErrorCode");
                String message = r.string(true, "ErrorMessage");
                String state = r.string(false, "State");
                long throttle = r.int64("Throttle");
                long created = r.int64("CreatedMs");
                long executeAt = r.int64("ExecuteAt");
                long started = r.int64("StartedMs");
                long finished = r.int64("FinishedMs");
                long total = r.int64("BytesTotal");
                long moved = r.int64("BytesMoved");
                long eta = r.int64("EtaSeconds");
                int count = r.int32("PartitionCount");
                int done = r.int32("PartitionsDone");
                boolean cleanup = r.bool("CleanupPending");
                String error = r.string(true, "Error");
                int parts = r.arrayLength(false, "Partitions");
                List<JobPartition> partitions = new ArrayList<>();
                for (int j = 0; j < parts; j++) {
                    partitions.add(new JobPartition(r.string(false, "Topic"), r.int32("Partition"),
                            readInt32s(r, "Replicas"), readInt32s(r, "TargetReplicas"), r.string(false, "State"),
                            r.string(true, "Reason"), r.int64("BytesTotal"), r.int64("BytesMoved")));
                    r.tags("JobPartition", null);
                }
                // Tagged: 0 RequestedBy (nullable string, default null), 1 StartedLateMs (int64, default -1).
                String[] requestedBy = {null};
                long[] startedLate = {-1};
                r.tags("Job", (tag, tr) -> {
                    if (tag == 0) {
                        requestedBy[0] = tr.string(true, "RequestedBy");
                        tr.end("RequestedBy");
                        return true;
                    }
                    if (tag == 1) {
                        startedLate[0] = tr.int64("StartedLateMs");
                        tr.end("StartedLateMs");
                        return true;
                    }
                    return false;
                });
                jobs.add(new Job(jobId, code, message, state, throttle, created, executeAt, started, finished, total,
                        moved, eta, count, done, cleanup, error, requestedBy[0], startedLate[0], partitions));
            }
            r.tags("DescribeReassignmentJobsResponse", null);
            r.end("DescribeReassignmentJobsResponse");
            return new DescribeReassignmentJobsResponse(errorCode, errorMessage, jobs);
        }

        public Map<String, Object> toMap() {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("ErrorCode", errorCode);
            v.put("ErrorMessage", errorMessage);
            List<Object> out = new ArrayList<>();
            for (Job j : jobs) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("JobId", j.jobId());
                m.put("ErrorCode", j.errorCode());
                m.put("ErrorMessage", j.errorMessage());
                m.put("State", j.state());
                m.put("Throttle", j.throttle());
                m.put("CreatedMs", j.createdMs());
                m.put("ExecuteAt", j.executeAt());
                m.put("StartedMs", j.startedMs());
                m.put("FinishedMs", j.finishedMs());
                m.put("BytesTotal", j.bytesTotal());
                m.put("BytesMoved", j.bytesMoved());
                m.put("EtaSeconds", j.etaSeconds());
                m.put("PartitionCount", j.partitionCount());
                m.put("PartitionsDone", j.partitionsDone());
                m.put("CleanupPending", j.cleanupPending());
                m.put("Error", j.error());
                m.put("RequestedBy", j.requestedBy());
                m.put("StartedLateMs", j.startedLateMs());
                List<Object> parts = new ArrayList<>();
                for (JobPartition p : j.partitions()) {
                    Map<String, Object> pm = new LinkedHashMap<>();
                    pm.put("Topic", p.topic());
                    pm.put("Partition", p.partition());
                    pm.put("Replicas", new ArrayList<Object>(p.replicas()));
                    pm.put("TargetReplicas", new ArrayList<Object>(p.targetReplicas()));
                    pm.put("State", p.state());
                    pm.put("Reason", p.reason());
                    pm.put("BytesTotal", p.bytesTotal());
                    pm.put("BytesMoved", p.bytesMoved());
                    parts.add(pm);
                }
                m.put("Partitions", parts);
                out.add(m);
            }
            v.put("Jobs", out);
            return v;
        }
    }

    // -- AlterReassignmentJob (30012) --------------------------------------------------------

    public static final int PAUSE = 0;
    public static final int RESUME = 1;
    public static final int CANCEL = 2;

    public record AlterReassignmentJobRequest(String jobId, int action, long executeAt, boolean onlyFailed) {
        public AlterReassignmentJobRequest(String jobId, int action) {
            this(jobId, action, -1, false);
        }

        /**
         * Tagged fields, each sent only when it is not its default: 0 ExecuteAt (int64, -1),
         * 1 OnlyFailed (bool, false).
         */
        public byte[] encode() {
            Writer w = new Writer(true).string(notNull(jobId, "JobId")).int8(action);
            int count = (executeAt != -1 ? 1 : 0) + (onlyFailed ? 1 : 0);
            if (count == 0) {
                return w.tags().bytes();
            }
            w.uvarint(count);
            if (executeAt != -1) {
                byte[] value = new Writer(true).int64(executeAt).bytes();
                w.uvarint(0).uvarint(value.length).raw(value);
            }
            if (onlyFailed) {
                byte[] value = new Writer(true).bool(true).bytes();
                w.uvarint(1).uvarint(value.length).raw(value);
            }
            return w.bytes();
        }

        public static AlterReassignmentJobRequest fromMap(Map<String, Object> v) {
            Object at = v.get("ExecuteAt");
            return new AlterReassignmentJobRequest(Messages.str(v, "JobId", null), Messages.num(v, "Action", 0),
                    at == null ? -1 : ((Number) at).longValue(), Boolean.TRUE.equals(v.get("OnlyFailed")));
        }
    }

    public record AlterReassignmentJobResponse(int errorCode, String errorMessage, String state, int retried) {
        /** Tagged: 0 Retried (int32, default -1). */
        public static AlterReassignmentJobResponse decode(byte[] body) {
            Reader r = new Reader(body, true);
            int errorCode = r.int16("ErrorCode");
            String errorMessage = r.string(true, "ErrorMessage");
            String state = r.string(false, "State");
            int[] retried = {-1};
            r.tags("AlterReassignmentJobResponse", (tag, tr) -> {
                if (tag == 0) {
                    retried[0] = tr.int32("Retried");
                    tr.end("Retried");
                    return true;
                }
                return false;
            });
            r.end("AlterReassignmentJobResponse");
            return new AlterReassignmentJobResponse(errorCode, errorMessage, state, retried[0]);
        }

        public Map<String, Object> toMap() {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("ErrorCode", errorCode);
            v.put("ErrorMessage", errorMessage);
            v.put("State", state);
            v.put("Retried", retried);
            return v;
        }
    }

    // -- dispatch, for Messages (maps) and for a Connection (records) -------------------------

    static byte[] encodeRequest(int apiKey, Map<String, Object> v) {
        return switch (apiKey) {
            case SUBMIT_REASSIGNMENT -> SubmitReassignmentRequest.fromMap(v).encode();
            case DESCRIBE_REASSIGNMENT_JOBS -> DescribeReassignmentJobsRequest.fromMap(v).encode();
            case ALTER_REASSIGNMENT_JOB -> AlterReassignmentJobRequest.fromMap(v).encode();
            default -> throw new IllegalArgumentException("not a reassignment job key: " + apiKey);
        };
    }

    static Map<String, Object> decodeResponse(int apiKey, byte[] body) {
        return switch (apiKey) {
            case SUBMIT_REASSIGNMENT -> SubmitReassignmentResponse.decode(body).toMap();
            case DESCRIBE_REASSIGNMENT_JOBS -> DescribeReassignmentJobsResponse.decode(body).toMap();
            case ALTER_REASSIGNMENT_JOB -> AlterReassignmentJobResponse.decode(body).toMap();
            default -> throw new IllegalArgumentException("not a reassignment job key: " + apiKey);
        };
    }

    public static SubmitReassignmentResponse submit(AdminClient.Connection c, SubmitReassignmentRequest request) {
        return SubmitReassignmentResponse.decode(c.call(SUBMIT_REASSIGNMENT, 0, request.encode()));
    }

    public static DescribeReassignmentJobsResponse describe(AdminClient.Connection c, DescribeReassignmentJobsRequest request) {
        return DescribeReassignmentJobsResponse.decode(c.call(DESCRIBE_REASSIGNMENT_JOBS, 0, request.encode()));
    }

    public static AlterReassignmentJobResponse alter(AdminClient.Connection c, AlterReassignmentJobRequest request) {
        return AlterReassignmentJobResponse.decode(c.call(ALTER_REASSIGNMENT_JOB, 0, request.encode()));
    }

    // -- helpers -----------------------------------------------------------------------------

    private static void int32s(Writer w, List<Integer> values, String field) {
        if (values == null) {
            throw new CodecException(field + " is null but not nullable");
        }
        w.arrayLength(values.size());
        for (Integer i : values) {
            w.int32(i);
        }
    }

    private static List<Integer> readInt32s(Reader r, String what) {
        int n = r.arrayLength(false, what);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(r.int32(what));
        }
        return out;
    }

    private static List<Integer> ints(Map<String, Object> m, String key) {
        List<Integer> out = new ArrayList<>();
        for (Object o : Messages.list(m, key)) {
            out.add(((Number) o).intValue());
        }
        return out;
    }
}
