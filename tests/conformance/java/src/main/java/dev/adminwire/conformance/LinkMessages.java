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
 * The cluster links' five request/response pairs (keys 30013-30017), written by hand from
 * protocol-specs/{CreateLink,DescribeLinks,AlterLink,PromoteMirror,DeleteLink}*.json and
 * docs/protocol.md ("Cluster links", "Messages"), as a client author would: one record per message
 * and struct. Every one has version 0 only, flexible (request header v2, response header v1:
 * compact strings and arrays, a tagged-field section after every struct). The tagged fields are
 * DescribeLinksResponse's {@code LagBytes} (tag 0 of a mirror and of a mirror partition, int64,
 * default -1) and a group's {@code Phase}, {@code MovedMs}, {@code SourceMembers} and {@code Held}
 * (tags 0-3), a mirror's {@code SourceWriters}, {@code UnroutedRecords}, {@code WritersWatched} and
 * {@code Switched} (tags 1-4), AlterLinkRequest's {@code Groups} and PromoteMirrorRequest's
 * {@code Force} (tag 0 each, written only when not the default); a reader
 * skips any other tag it is sent.
 *
 * <p>{@code fromMap}/{@code toMap} translate to and from the field-name maps the golden vectors
 * (and {@link Messages}) use; a field a map leaves out takes the spec's default, and a
 * non-nullable string without a default must be given.
 */
public final class LinkMessages {
    private LinkMessages() {}

    public static final int CREATE_LINK = 30013;
    public static final int DESCRIBE_LINKS = 30014;
    public static final int ALTER_LINK = 30015;
    public static final int PROMOTE_MIRROR = 30016;
    public static final int DELETE_LINK = 30017;

    public static boolean isLinkKey(int apiKey) {
        return apiKey >= CREATE_LINK && apiKey <= DELETE_LINK;
    }

    // -- CreateLink (30013) ------------------------------------------------------------------

    /**
     * {@code sourceMechanism}, {@code sourceUsername} and {@code sourcePassword} null for a source
     * without a login (the spec's defaults); {@code startPosition} "earliest", "latest" or
     * milliseconds since the epoch; {@code groupSyncMs} -1 for the sidecar's setting (the default).
     */
    public record CreateLinkRequest(
            String linkId,
            List<String> sourceBootstrap,
            String sourceMechanism,
            String sourceUsername,
            String sourcePassword,
            String startPosition,
            List<String> topics,
            List<String> groups,
            long groupSyncMs) {
        /** A link to a source that takes clients without a login, groups synced at the sidecar's pace. */
        public static CreateLinkRequest plain(String linkId, List<String> sourceBootstrap, String startPosition,
                List<String> topics, List<String> groups) {
            return new CreateLinkRequest(linkId, sourceBootstrap, null, null, null, startPosition, topics, groups, -1);
        }

        public byte[] encode() {
            Writer w = new Writer(true);
            w.string(notNull(linkId, "LinkId"));
            strings(w, sourceBootstrap, "SourceBootstrap");
            w.string(sourceMechanism).string(sourceUsername).string(sourcePassword); // nullable
            w.string(notNull(startPosition, "StartPosition"));
            strings(w, topics, "Topics");
            strings(w, groups, "Groups");
            w.int64(groupSyncMs);
            return w.tags().bytes();
        }

        public static CreateLinkRequest fromMap(Map<String, Object> v) {
            return new CreateLinkRequest(Messages.str(v, "LinkId", null), strs(v, "SourceBootstrap"),
                    (String) v.get("SourceMechanism"), (String) v.get("SourceUsername"),
                    (String) v.get("SourcePassword"), Messages.str(v, "StartPosition", null), strs(v, "Topics"),
                    strs(v, "Groups"), lng(v, "GroupSyncMs", -1));
        }

        /** Never shows the password (as DescribeLinks never answers it). */
        @Override
        public String toString() {
            return "CreateLinkRequest[linkId=" + linkId + ", sourceBootstrap=" + sourceBootstrap + ", sourceMechanism="
                    + sourceMechanism + ", sourceUsername=" + sourceUsername + ", sourcePassword="
                    + (sourcePassword == null ? "null" : "***") + ", startPosition=" + startPosition + ", topics="
                    + topics + ", groups=" + groups + ", groupSyncMs=" + groupSyncMs + "]";
        }
    }

    public record CreateLinkResponse(int errorCode, String errorMessage, String sourceClusterId) {
        public static CreateLinkResponse decode(byte[] body) {
            Reader r = new Reader(body, true);
            int errorCode = r.int16("ErrorCode");
            String errorMessage = r.string(true, "ErrorMessage");
            String clusterId = r.string(true, "SourceClusterId");
            r.tags("CreateLinkResponse", null);
            r.end("CreateLinkResponse");
            return new CreateLinkResponse(errorCode, errorMessage, clusterId);
        }

        public Map<String, Object> toMap() {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("ErrorCode", errorCode);
            v.put("ErrorMessage", errorMessage);
            v.put("SourceClusterId", sourceClusterId);
            return v;
        }
    }

    // -- DescribeLinks (30014) ---------------------------------------------------------------

    /** {@code linkIds} null for every link (the default); {@code includePartitions} defaults to true. */
    public record DescribeLinksRequest(List<String> linkIds, boolean includePartitions) {
        /** Every link, with each mirror's partitions (the spec's defaults). */
        public static DescribeLinksRequest all() {
            return new DescribeLinksRequest(null, true);
        }

        public byte[] encode() {
            Writer w = new Writer(true);
            if (linkIds == null) {
                w.arrayLength(-1);
            } else {
                strings(w, linkIds, "LinkIds");
            }
            return w.bool(includePartitions).tags().bytes();
        }

        public static DescribeLinksRequest fromMap(Map<String, Object> v) {
            return new DescribeLinksRequest(v.get("LinkIds") == null ? null : strs(v, "LinkIds"),
                    bool(v, "IncludePartitions", true));
        }
    }

    /** One partition's copy: {@code offsets} IDENTICAL, SHIFTED (by {@code shift}), MAPPED or EMPTY. */
    public record MirrorPartition(
            int partition,
            String offsets,
            long shift,
            int runs,
            long sourceNext,
            long sourceEnd,
            long targetNext,
            long lag,
            long lagBytes,
            long records,
            long bytes,
            long lost) {}

    /** A mirror topic; {@code partitions} empty when they were not asked for. */
    public record Mirror(
            String topic,
            String state,
            String error,
            int partitionCount,
            long lag,
            long lagBytes,
            long promotedMs,
            long notCopied,
            List<MirrorPartition> partitions,
            List<SourceWriter> sourceWriters,
            long unroutedRecords,
            boolean writersWatched,
            List<SwitchedClient> switched) {}

    public record SourceWriter(long producerId, long records, long lastMs) {}

    public record SwitchedClient(String clientId, String host, String principal, String software, long lastMs) {}

    public record GroupOffset(String topic, int partition, long offset) {}

    public record SourceMember(String clientId, String host) {}

    public record HeldMember(String clientId, String address, String principal, String software, long heldMs) {}

    public record LinkGroup(
            String group,
            long syncedMs,
            String waiting,
            List<GroupOffset> offsets,
            String phase,
            long movedMs,
            List<SourceMember> sourceMembers,
            List<HeldMember> held) {}

    /** One link asked for; {@code errorCode} 91 (and the rest empty) for an unknown id. */
    public record Link(
            String linkId,
            int errorCode,
            String errorMessage,
            String state,
            String error,
            List<String> sourceBootstrap,
            String sourceClusterId,
            String sourceUsername,
            String startPosition,
            boolean paused,
            long createdMs,
            String requestedBy,
            List<Mirror> mirrors,
            List<LinkGroup> groups) {}

    public record DescribeLinksResponse(int errorCode, String errorMessage, List<Link> links) {
        public static DescribeLinksResponse decode(byte[] body) {
            Reader r = new Reader(body, true);
            int errorCode = r.int16("ErrorCode");
            String errorMessage = r.string(true, "ErrorMessage");
            int n = r.arrayLength(false, "Links");
            List<Link> links = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String linkId = r.string(false, "LinkId");
                int code = r.int16("ErrorCode");
                String message = r.string(true, "ErrorMessage");
                String state = r.string(false, "State");
                String error = r.string(true, "Error");
                List<String> bootstrap = readStrings(r, "SourceBootstrap");
                String clusterId = r.string(true, "SourceClusterId");
                String username = r.string(true, "SourceUsername");
                String start = r.string(false, "StartPosition");
                boolean paused = r.bool("Paused");
                long created = r.int64("CreatedMs");
                String requestedBy = r.string(true, "RequestedBy");
                int mirrorCount = r.arrayLength(false, "Mirrors");
                List<Mirror> mirrors = new ArrayList<>();
                for (int j = 0; j < mirrorCount; j++) {
                    String topic = r.string(false, "Topic");
                    String mirrorState = r.string(false, "State");
                    String mirrorError = r.string(true, "Error");
                    int partitionCount = r.int32("PartitionCount");
                    long lag = r.int64("Lag");
                    long promoted = r.int64("PromotedMs");
                    long notCopied = r.int64("NotCopied");
                    int partCount = r.arrayLength(false, "Partitions");
                    List<MirrorPartition> partitions = new ArrayList<>();
                    for (int k = 0; k < partCount; k++) {
                        int partition = r.int32("Partition");
                        String offsets = r.string(false, "Offsets");
                        long shift = r.int64("Shift");
                        int runs = r.int32("Runs");
                        long sourceNext = r.int64("SourceNext");
                        long sourceEnd = r.int64("SourceEnd");
                        long targetNext = r.int64("TargetNext");
                        long partLag = r.int64("Lag");
                        long records = r.int64("Records");
                        long bytes = r.int64("Bytes");
                        long lost = r.int64("Lost");
                        long partLagBytes = lagBytes(r, "MirrorPartition");
                        partitions.add(new MirrorPartition(partition, offsets, shift, runs, sourceNext, sourceEnd,
                                targetNext, partLag, partLagBytes, records, bytes, lost));
                    }
                    long[] lagBytes = {-1};
                    long[] unrouted = {0};
                    boolean[] watched = {false};
                    List<SourceWriter> writers = new ArrayList<>();
                    List<SwitchedClient> switched = new ArrayList<>();
                    r.tags("Mirror", (tag, tr) -> {
                        if (tag == 0) {
                            lagBytes[0] = tr.int64("LagBytes");
                        } else if (tag == 1) {
                            int count = tr.arrayLength(false, "SourceWriters");
                            for (int k = 0; k < count; k++) {
                                writers.add(new SourceWriter(tr.int64("ProducerId"), tr.int64("Records"), tr.int64("LastMs")));
                                tr.tags("SourceWriter", null);
                            }
                        } else if (tag == 2) {
                            unrouted[0] = tr.int64("UnroutedRecords");
                        } else if (tag == 3) {
                            watched[0] = tr.bool("WritersWatched");
                        } else if (tag == 4) {
                            int count = tr.arrayLength(false, "Switched");
                            for (int k = 0; k < count; k++) {
                                switched.add(new SwitchedClient(tr.string(false, "ClientId"), tr.string(false, "Host"),
                                        tr.string(true, "Principal"), tr.string(true, "Software"), tr.int64("LastMs")));
                                tr.tags("SwitchedClient", null);
                            }
                        } else {
                            return false;
                        }
                        tr.end("Mirror tag " + tag);
                        return true;
                    });
                    mirrors.add(new Mirror(topic, mirrorState, mirrorError, partitionCount, lag, lagBytes[0], promoted,
                            notCopied, partitions, writers, unrouted[0], watched[0], switched));
                }
                int groupCount = r.arrayLength(false, "Groups");
                List<LinkGroup> groups = new ArrayList<>();
                for (int j = 0; j < groupCount; j++) {
                    String group = r.string(false, "Group");
                    long synced = r.int64("SyncedMs");
                    String waiting = r.string(true, "Waiting");
                    int offsetCount = r.arrayLength(false, "Offsets");
                    List<GroupOffset> offsets = new ArrayList<>();
                    for (int k = 0; k < offsetCount; k++) {
                        offsets.add(new GroupOffset(r.string(false, "Topic"), r.int32("Partition"), r.int64("Offset")));
                        r.tags("GroupOffset", null);
                    }
                    String[] phase = {""};
                    long[] moved = {-1};
                    List<SourceMember> sourceMembers = new ArrayList<>();
                    List<HeldMember> held = new ArrayList<>();
                    r.tags("LinkGroup", (tag, tr) -> {
                        if (tag == 0) {
                            phase[0] = tr.string(false, "Phase");
                        } else if (tag == 1) {
                            moved[0] = tr.int64("MovedMs");
                        } else if (tag == 2) {
                            int members = tr.arrayLength(false, "SourceMembers");
                            for (int k = 0; k < members; k++) {
                                sourceMembers.add(new SourceMember(tr.string(false, "ClientId"), tr.string(false, "Host")));
                                tr.tags("SourceMember", null);
                            }
                        } else if (tag == 3) {
                            int helds = tr.arrayLength(false, "Held");
                            for (int k = 0; k < helds; k++) {
                                held.add(new HeldMember(tr.string(false, "ClientId"), tr.string(false, "Address"),
                                        tr.string(true, "Principal"), tr.string(true, "Software"), tr.int64("HeldMs")));
                                tr.tags("HeldMember", null);
                            }
                        } else {
                            return false;
                        }
                        tr.end("LinkGroup tag " + tag);
                        return true;
                    });
                    groups.add(new LinkGroup(group, synced, waiting, offsets, phase[0], moved[0], sourceMembers, held));
                }
                r.tags("Link", null);
                links.add(new Link(linkId, code, message, state, error, bootstrap, clusterId, username, start, paused,
                        created, requestedBy, mirrors, groups));
            }
            r.tags("DescribeLinksResponse", null);
            r.end("DescribeLinksResponse");
            return new DescribeLinksResponse(errorCode, errorMessage, links);
        }

        public Map<String, Object> toMap() {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("ErrorCode", errorCode);
            v.put("ErrorMessage", errorMessage);
            List<Object> out = new ArrayList<>();
            for (Link l : links) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("LinkId", l.linkId());
                m.put("ErrorCode", l.errorCode());
                m.put("ErrorMessage", l.errorMessage());
                m.put("State", l.state());
                m.put("Error", l.error());
                m.put("SourceBootstrap", new ArrayList<Object>(l.sourceBootstrap()));
                m.put("SourceClusterId", l.sourceClusterId());
                m.put("SourceUsername", l.sourceUsername());
                m.put("StartPosition", l.startPosition());
                m.put("Paused", l.paused());
                m.put("CreatedMs", l.createdMs());
                m.put("RequestedBy", l.requestedBy());
                List<Object> mirrors = new ArrayList<>();
                for (Mirror mi : l.mirrors()) {
                    Map<String, Object> mm = new LinkedHashMap<>();
                    mm.put("Topic", mi.topic());
                    mm.put("State", mi.state());
                    mm.put("Error", mi.error());
                    mm.put("PartitionCount", mi.partitionCount());
                    mm.put("Lag", mi.lag());
                    mm.put("LagBytes", mi.lagBytes());
                    mm.put("PromotedMs", mi.promotedMs());
                    mm.put("NotCopied", mi.notCopied());
                    List<Object> parts = new ArrayList<>();
                    for (MirrorPartition p : mi.partitions()) {
                        Map<String, Object> pm = new LinkedHashMap<>();
                        pm.put("Partition", p.partition());
                        pm.put("Offsets", p.offsets());
                        pm.put("Shift", p.shift());
                        pm.put("Runs", p.runs());
                        pm.put("SourceNext", p.sourceNext());
                        pm.put("SourceEnd", p.sourceEnd());
                        pm.put("TargetNext", p.targetNext());
                        pm.put("Lag", p.lag());
                        pm.put("LagBytes", p.lagBytes());
                        pm.put("Records", p.records());
                        pm.put("Bytes", p.bytes());
                        pm.put("Lost", p.lost());
                        parts.add(pm);
                    }
                    mm.put("Partitions", parts);
                    List<Object> writers = new ArrayList<>();
                    for (SourceWriter w : mi.sourceWriters()) {
                        Map<String, Object> wm = new LinkedHashMap<>();
                        wm.put("ProducerId", w.producerId());
                        wm.put("Records", w.records());
                        wm.put("LastMs", w.lastMs());
                        writers.add(wm);
                    }
                    mm.put("SourceWriters", writers);
                    mm.put("UnroutedRecords", mi.unroutedRecords());
                    mm.put("WritersWatched", mi.writersWatched());
                    List<Object> switchedOut = new ArrayList<>();
                    for (SwitchedClient c : mi.switched()) {
                        Map<String, Object> cm = new LinkedHashMap<>();
                        cm.put("ClientId", c.clientId());
                        cm.put("Host", c.host());
                        cm.put("Principal", c.principal());
                        cm.put("Software", c.software());
                        cm.put("LastMs", c.lastMs());
                        switchedOut.add(cm);
                    }
                    mm.put("Switched", switchedOut);
                    mirrors.add(mm);
                }
                m.put("Mirrors", mirrors);
                List<Object> groups = new ArrayList<>();
                for (LinkGroup g : l.groups()) {
                    Map<String, Object> gm = new LinkedHashMap<>();
                    gm.put("Group", g.group());
                    gm.put("SyncedMs", g.syncedMs());
                    gm.put("Waiting", g.waiting());
                    List<Object> offsets = new ArrayList<>();
                    for (GroupOffset o : g.offsets()) {
                        Map<String, Object> om = new LinkedHashMap<>();
                        om.put("Topic", o.topic());
                        om.put("Partition", o.partition());
                        om.put("Offset", o.offset());
                        offsets.add(om);
                    }
                    gm.put("Offsets", offsets);
                    gm.put("Phase", g.phase());
                    gm.put("MovedMs", g.movedMs());
                    List<Object> members = new ArrayList<>();
                    for (SourceMember sm : g.sourceMembers()) {
                        Map<String, Object> smm = new LinkedHashMap<>();
                        smm.put("ClientId", sm.clientId());
                        smm.put("Host", sm.host());
                        members.add(smm);
                    }
                    gm.put("SourceMembers", members);
                    List<Object> held = new ArrayList<>();
                    for (HeldMember h : g.held()) {
                        Map<String, Object> hm = new LinkedHashMap<>();
                        hm.put("ClientId", h.clientId());
                        hm.put("Address", h.address());
                        hm.put("Principal", h.principal());
                        hm.put("Software", h.software());
                        hm.put("HeldMs", h.heldMs());
                        held.add(hm);
                    }
                    gm.put("Held", held);
                    groups.add(gm);
                }
                m.put("Groups", groups);
                out.add(m);
            }
            v.put("Links", out);
            return v;
        }
    }

    /** A struct's tagged-field section that may hold {@code LagBytes} (tag 0; -1 when absent). */
    private static long lagBytes(Reader r, String struct) {
        long[] lagBytes = {-1};
        r.tags(struct, (tag, tr) -> {
            if (tag != 0) {
                return false;
            }
            lagBytes[0] = tr.int64("LagBytes");
            tr.end("LagBytes");
            return true;
        });
        return lagBytes[0];
    }

    // -- AlterLink (30015) -------------------------------------------------------------------

    public static final int PAUSE = 0;
    public static final int RESUME = 1;
    /** Change the link's topics and groups as the request's lists say. */
    public static final int CHANGE = 2;
    /** Hand the groups named in {@code groups} over to the target now. */
    public static final int HAND_OVER = 3;
    /** Hand the groups named in {@code groups} back to the source. */
    public static final int HAND_BACK = 4;

    public record AlterLinkRequest(
            String linkId,
            int action,
            List<String> addTopics,
            List<String> removeTopics,
            List<String> addGroups,
            List<String> removeGroups,
            List<String> groups) {
        /** Action 0 or 1 (or any other, for a server to refuse), every list empty. */
        public AlterLinkRequest(String linkId, int action) {
            this(linkId, action, List.of(), List.of(), List.of(), List.of(), List.of());
        }

        public byte[] encode() {
            if (action < Byte.MIN_VALUE || action > Byte.MAX_VALUE) {
                throw new CodecException("Action " + action + " does not fit an INT8");
            }
            Writer w = new Writer(true).string(notNull(linkId, "LinkId")).int8(action);
            strings(w, addTopics, "AddTopics");
            strings(w, removeTopics, "RemoveTopics");
            strings(w, addGroups, "AddGroups");
            strings(w, removeGroups, "RemoveGroups");
            if (groups == null || groups.isEmpty()) {
                return w.tags().bytes();
            }
            // Tag 0, Groups: the field's own bytes, sized.
            Writer tagged = new Writer(true);
            strings(tagged, groups, "Groups");
            byte[] field = tagged.bytes();
            return w.uvarint(1).uvarint(0).uvarint(field.length).raw(field).bytes();
        }

        public static AlterLinkRequest fromMap(Map<String, Object> v) {
            return new AlterLinkRequest(Messages.str(v, "LinkId", null), Messages.num(v, "Action", 0),
                    strs(v, "AddTopics"), strs(v, "RemoveTopics"), strs(v, "AddGroups"), strs(v, "RemoveGroups"),
                    strs(v, "Groups"));
        }
    }

    public record AlterLinkResponse(int errorCode, String errorMessage) {
        public static AlterLinkResponse decode(byte[] body) {
            Reader r = new Reader(body, true);
            AlterLinkResponse out = new AlterLinkResponse(r.int16("ErrorCode"), r.string(true, "ErrorMessage"));
            r.tags("AlterLinkResponse", null);
            r.end("AlterLinkResponse");
            return out;
        }

        public Map<String, Object> toMap() {
            return errorMap(errorCode, errorMessage);
        }
    }

    // -- PromoteMirror (30016) ---------------------------------------------------------------

    /** {@code failover} false (the default) for a promotion once everything is copied. */
    public record PromoteMirrorRequest(String linkId, String topic, boolean failover, boolean force, boolean undo) {
        public PromoteMirrorRequest(String linkId, String topic, boolean failover) {
            this(linkId, topic, failover, false, false);
        }

        public byte[] encode() {
            Writer w = new Writer(true).string(notNull(linkId, "LinkId")).string(notNull(topic, "Topic")).bool(failover);
            // Tags 0 (Force) and 1 (Undo), each one byte, written only when true.
            w.uvarint((force ? 1 : 0) + (undo ? 1 : 0));
            if (force) {
                w.uvarint(0).uvarint(1).bool(true);
            }
            if (undo) {
                w.uvarint(1).uvarint(1).bool(true);
            }
            return w.bytes();
        }

        public static PromoteMirrorRequest fromMap(Map<String, Object> v) {
            return new PromoteMirrorRequest(Messages.str(v, "LinkId", null), Messages.str(v, "Topic", null),
                    bool(v, "Failover", false), bool(v, "Force", false), bool(v, "Undo", false));
        }
    }

    public record PromoteMirrorResponse(int errorCode, String errorMessage) {
        public static PromoteMirrorResponse decode(byte[] body) {
            Reader r = new Reader(body, true);
            PromoteMirrorResponse out = new PromoteMirrorResponse(r.int16("ErrorCode"), r.string(true, "ErrorMessage"));
            r.tags("PromoteMirrorResponse", null);
            r.end("PromoteMirrorResponse");
            return out;
        }

        public Map<String, Object> toMap() {
            return errorMap(errorCode, errorMessage);
        }
    }

    // -- DeleteLink (30017) ------------------------------------------------------------------

    /** {@code deleteMirrors} false (the default) keeps the link's mirror topics. */
    public record DeleteLinkRequest(String linkId, boolean deleteMirrors) {
        public byte[] encode() {
            return new Writer(true).string(notNull(linkId, "LinkId")).bool(deleteMirrors).tags().bytes();
        }

        public static DeleteLinkRequest fromMap(Map<String, Object> v) {
            return new DeleteLinkRequest(Messages.str(v, "LinkId", null), bool(v, "DeleteMirrors", false));
        }
    }

    public record DeleteLinkResponse(int errorCode, String errorMessage, List<String> deletedTopics) {
        public static DeleteLinkResponse decode(byte[] body) {
            Reader r = new Reader(body, true);
            int errorCode = r.int16("ErrorCode");
            String errorMessage = r.string(true, "ErrorMessage");
            List<String> deleted = readStrings(r, "DeletedTopics");
            r.tags("DeleteLinkResponse", null);
            r.end("DeleteLinkResponse");
            return new DeleteLinkResponse(errorCode, errorMessage, deleted);
        }

        public Map<String, Object> toMap() {
            Map<String, Object> v = errorMap(errorCode, errorMessage);
            v.put("DeletedTopics", new ArrayList<Object>(deletedTopics));
            return v;
        }
    }

    // -- dispatch, for Messages (maps) and for a Connection (records) -------------------------

    static byte[] encodeRequest(int apiKey, Map<String, Object> v) {
        return switch (apiKey) {
            case CREATE_LINK -> CreateLinkRequest.fromMap(v).encode();
            case DESCRIBE_LINKS -> DescribeLinksRequest.fromMap(v).encode();
            case ALTER_LINK -> AlterLinkRequest.fromMap(v).encode();
            case PROMOTE_MIRROR -> PromoteMirrorRequest.fromMap(v).encode();
            case DELETE_LINK -> DeleteLinkRequest.fromMap(v).encode();
            default -> throw new IllegalArgumentException("not a cluster link key: " + apiKey);
        };
    }

    static Map<String, Object> decodeResponse(int apiKey, byte[] body) {
        return switch (apiKey) {
            case CREATE_LINK -> CreateLinkResponse.decode(body).toMap();
            case DESCRIBE_LINKS -> DescribeLinksResponse.decode(body).toMap();
            case ALTER_LINK -> AlterLinkResponse.decode(body).toMap();
            case PROMOTE_MIRROR -> PromoteMirrorResponse.decode(body).toMap();
            case DELETE_LINK -> DeleteLinkResponse.decode(body).toMap();
            default -> throw new IllegalArgumentException("not a cluster link key: " + apiKey);
        };
    }

    public static CreateLinkResponse create(AdminClient.Connection c, CreateLinkRequest request) {
        return CreateLinkResponse.decode(c.call(CREATE_LINK, 0, request.encode()));
    }

    public static DescribeLinksResponse describe(AdminClient.Connection c, DescribeLinksRequest request) {
        return DescribeLinksResponse.decode(c.call(DESCRIBE_LINKS, 0, request.encode()));
    }

    public static AlterLinkResponse alter(AdminClient.Connection c, AlterLinkRequest request) {
        return AlterLinkResponse.decode(c.call(ALTER_LINK, 0, request.encode()));
    }

    public static PromoteMirrorResponse promote(AdminClient.Connection c, PromoteMirrorRequest request) {
        return PromoteMirrorResponse.decode(c.call(PROMOTE_MIRROR, 0, request.encode()));
    }

    public static DeleteLinkResponse delete(AdminClient.Connection c, DeleteLinkRequest request) {
        return DeleteLinkResponse.decode(c.call(DELETE_LINK, 0, request.encode()));
    }

    // -- helpers -----------------------------------------------------------------------------

    private static Map<String, Object> errorMap(int errorCode, String errorMessage) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("ErrorCode", errorCode);
        v.put("ErrorMessage", errorMessage);
        return v;
    }

    /** A non-nullable COMPACT_ARRAY of non-nullable COMPACT_STRING. */
    private static void strings(Writer w, List<String> values, String field) {
        if (values == null) {
            throw new CodecException(field + " is null but not nullable");
        }
        w.arrayLength(values.size());
        for (String s : values) {
            w.string(notNull(s, field));
        }
    }

    private static List<String> readStrings(Reader r, String what) {
        int n = r.arrayLength(false, what);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(r.string(false, what));
        }
        return out;
    }

    /** A list of strings from a map: empty when left out (an array's default). */
    private static List<String> strs(Map<String, Object> m, String key) {
        List<String> out = new ArrayList<>();
        for (Object o : Messages.list(m, key)) {
            out.add((String) o);
        }
        return out;
    }
}
