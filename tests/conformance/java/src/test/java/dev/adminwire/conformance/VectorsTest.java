package dev.adminwire.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hand-written Java codec against every golden vector of protocol-specs/vectors: requests
 * encode to exactly {@code frameHex} (and the body to {@code bodyHex}), responses decode from
 * {@code frameHex} to exactly {@code value}.
 */
@Tag("conformance")
class VectorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    /** The last API key this codec implements (and the vectors cover): DeleteLink. */
    private static final int LAST_KEY = 30017;

    @SuppressWarnings("unchecked")
    static Stream<Arguments> vectors() throws IOException {
        List<Arguments> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(Env.specs().resolve("vectors"))) {
            for (Path file : files.sorted().toList()) {
                Map<String, Object> doc = JSON.readValue(file.toFile(), Map.class);
                List<Map<String, Object>> vectors = (List<Map<String, Object>>) doc.get("vectors");
                for (int i = 0; i < vectors.size(); i++) {
                    Map<String, Object> v = vectors.get(i);
                    out.add(Arguments.of(doc.get("message") + "[" + i + "] v" + v.get("version"), doc, v));
                }
            }
        }
        return out.stream();
    }

    @Test
    void everyMessageAndVersionHasVectors() throws IOException {
        List<Arguments> all = vectors().toList();
        assertEquals(89, all.size(), "the vectors this suite was written against; update if vectors are added");
        for (int key = 30000; key <= LAST_KEY; key++) {
            // The reassignment jobs' keys (30010-30012) and the cluster links' (30013-30017) have
            // version 0 only.
            for (int version = 0; version <= (key <= 30009 ? 1 : 0); version++) {
                for (String type : List.of("request", "response")) {
                    final int k = key;
                    final int ver = version;
                    assertTrue(all.stream().anyMatch(a -> {
                        Map<?, ?> doc = (Map<?, ?>) a.get()[1];
                        Map<?, ?> v = (Map<?, ?>) a.get()[2];
                        return doc.get("apiKey").equals(k) && doc.get("type").equals(type) && v.get("version").equals(ver);
                    }), "no " + type + " vector for " + key + " v" + version);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    @SuppressWarnings("unchecked")
    void vector(String name, Map<String, Object> doc, Map<String, Object> vector) {
        int apiKey = (Integer) doc.get("apiKey");
        int version = (Integer) vector.get("version");
        Map<String, Object> value = (Map<String, Object>) vector.get("value");
        byte[] frame = HEX.parseHex((String) vector.get("frameHex"));
        String bodyHex = (String) vector.get("bodyHex");
        if ("request".equals(doc.get("type"))) {
            byte[] encoded = Messages.requestFrame(apiKey, version, (Integer) vector.get("correlationId"),
                    (String) vector.get("clientId"), value);
            assertEquals(vector.get("frameHex"), HEX.formatHex(encoded), name);
            assertEquals(bodyHex, HEX.formatHex(Messages.encodeRequest(apiKey, version, value)), name);
        } else {
            Wire.Reader r = new Wire.Reader(java.util.Arrays.copyOfRange(frame, 4, frame.length), false);
            assertEquals(frame.length - 4, java.nio.ByteBuffer.wrap(frame).getInt(), "size prefix");
            assertEquals(vector.get("correlationId"), Messages.responseCorrelationId(apiKey, version, r));
            assertEquals(numbers(value), numbers(Messages.decodeResponse(apiKey, version, r.raw(r.remaining(), "body"))),
                    name);
            assertEquals(numbers(value), numbers(Messages.decodeResponse(apiKey, version, HEX.parseHex(bodyHex))), name);
            // Bounded decoding: no strict prefix of the body decodes.
            byte[] body = HEX.parseHex(bodyHex);
            for (int cut = 0; cut < body.length; cut++) {
                byte[] prefix = java.util.Arrays.copyOf(body, cut);
                assertThrows(Wire.CodecException.class, () -> Messages.decodeResponse(apiKey, version, prefix),
                        name + " cut at " + cut);
            }
        }
    }

    /**
     * The value with every integer as a Long: JSON has one number type, which Jackson reads as
     * Integer or Long by magnitude, while the codec gives INT64 fields as Long.
     */
    static Object numbers(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k, numbers(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(VectorsTest::numbers).toList();
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        return v;
    }

    @Test
    void version0RefusesWhatItCannotCarry() {
        Map<String, Object> topic = Map.of("Name", "t", "Partitions", 1, "ReplicationFactor", 1);
        // TimeoutMs is ignorable: dropped in version 0.
        assertEquals(HEX.formatHex(Messages.encodeRequest(30001, 0, Map.of("Topics", List.of(topic)))),
                HEX.formatHex(Messages.encodeRequest(30001, 0, Map.of("Topics", List.of(topic), "TimeoutMs", 5))));
        assertThrows(Wire.CodecException.class,
                () -> Messages.encodeRequest(30001, 0, Map.of("Topics", List.of(topic), "ValidateOnly", true)));
        assertThrows(Wire.CodecException.class,
                () -> Messages.encodeRequest(30005, 0, Map.of("ExcludeInternal", true)));
        assertThrows(Wire.CodecException.class,
                () -> Messages.encodeRequest(30006, 0, Map.of("ManualAssignment", "x".repeat(40_000))));
        assertEquals(40_000 + 3 + 4 + 1,
                Messages.encodeRequest(30006, 1, Map.of("ManualAssignment", "x".repeat(40_000))).length);
    }

    /**
     * The cluster links' requests (every vector gives every field): a field left out takes the
     * spec's default (nullable strings and LinkIds null, GroupSyncMs -1, IncludePartitions true,
     * Failover and DeleteMirrors false, arrays empty), a non-nullable string must be given, Action
     * must fit an INT8; a response's unknown tagged field is skipped.
     */
    @Test
    void linkRequestsTakeTheSpecDefaults() {
        // LinkId, SourceBootstrap, three null logins, StartPosition, no Topics, no Groups, -1, no tags.
        assertEquals("026c" + "0204683a31" + "000000" + "076c6174657374" + "01" + "01" + "ffffffffffffffff" + "00",
                HEX.formatHex(Messages.encodeRequest(30013, 0,
                        Map.of("LinkId", "l", "SourceBootstrap", List.of("h:1"), "StartPosition", "latest"))));
        assertEquals(HEX.formatHex(Messages.encodeRequest(30013, 0,
                        Map.of("LinkId", "l", "SourceBootstrap", List.of("h:1"), "StartPosition", "latest"))),
                HEX.formatHex(LinkMessages.CreateLinkRequest.plain("l", List.of("h:1"), "latest", List.of(), List.of())
                        .encode()));
        assertEquals("000100", HEX.formatHex(Messages.encodeRequest(30014, 0, Map.of())));
        assertEquals("000100", HEX.formatHex(LinkMessages.DescribeLinksRequest.all().encode()));
        assertEquals("026c010101010100",
                HEX.formatHex(Messages.encodeRequest(30015, 0, Map.of("LinkId", "l", "Action", 1))));
        assertEquals("026c02740000",
                HEX.formatHex(Messages.encodeRequest(30016, 0, Map.of("LinkId", "l", "Topic", "t"))));
        assertEquals("026c0000", HEX.formatHex(Messages.encodeRequest(30017, 0, Map.of("LinkId", "l"))));
        // Not nullable, no default: refused rather than sent as null or "".
        assertThrows(Wire.CodecException.class, () -> Messages.encodeRequest(30013, 0,
                Map.of("SourceBootstrap", List.of("h:1"), "StartPosition", "latest")));
        assertThrows(Wire.CodecException.class, () -> Messages.encodeRequest(30013, 0,
                Map.of("LinkId", "l", "SourceBootstrap", List.of("h:1"))));
        assertThrows(Wire.CodecException.class, () -> Messages.encodeRequest(30016, 0, Map.of("LinkId", "l")));
        assertThrows(Wire.CodecException.class, () -> Messages.encodeRequest(30017, 0, Map.of()));
        assertThrows(Wire.CodecException.class, () -> Messages.encodeRequest(30014, 0,
                Map.of("LinkIds", java.util.Arrays.asList("a", null))));
        assertThrows(Wire.CodecException.class,
                () -> Messages.encodeRequest(30015, 0, Map.of("LinkId", "l", "Action", 300)));
        // Version 0 only.
        assertThrows(Wire.CodecException.class, () -> Messages.encodeRequest(30017, 1, Map.of("LinkId", "l")));
        // ErrorCode 0, ErrorMessage null (DeletedTopics empty), then a tagged field (tag 5, 1 byte)
        // that no version of the spec has: skipped.
        assertEquals(new LinkMessages.DeleteLinkResponse(0, null, List.of()),
                LinkMessages.DeleteLinkResponse.decode(HEX.parseHex("00000001010501ff")));
        assertEquals(new LinkMessages.AlterLinkResponse(0, null),
                LinkMessages.AlterLinkResponse.decode(HEX.parseHex("0000000105016f")));
    }
}
