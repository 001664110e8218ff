package dev.adminwire.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.adminwire.conformance.AdminClient.Connection;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/protocol.md, "What a server does with a bad request": an undecodable extension request is
 * answered 42 with the response type of its key and version and the connection stays usable; a
 * bad frame, a version the extension lacks or an unlisted key closes the connection, and a fresh
 * connection is served.
 */
class NegativeTest {
    private static final String CLIENT = "adminwire-conformance-java";
    private static final int INVALID_REQUEST = 42;

    private static Connection connect() {
        return new Connection(Env.sidecar(), CLIENT, 30_000);
    }

    /** One golden request body per key and version, to corrupt. */
    @SuppressWarnings("unchecked")
    static Map<String, byte[]> bodies() throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.list(Env.specs().resolve("vectors"))) {
            for (Path file : files.filter(f -> f.toString().endsWith("Request.json")).toList()) {
                Map<String, Object> doc = json.readValue(file.toFile(), Map.class);
                for (Map<String, Object> v : (List<Map<String, Object>>) doc.get("vectors")) {
                    out.putIfAbsent(doc.get("apiKey") + "/" + v.get("version"),
                            HexFormat.of().parseHex((String) v.get("bodyHex")));
                }
            }
        }
        return out;
    }

    static Stream<Arguments> pairs() throws Exception {
        return bodies().entrySet().stream().map(e -> {
            String[] kv = e.getKey().split("/");
            return Arguments.of(Integer.parseInt(kv[0]), Integer.parseInt(kv[1]), e.getValue());
        });
    }

    /**
     * A request header v2 for a flexible key and version (every reassignment job and cluster link
     * key, any v1), else v1.
     */
    private static byte[] raw(int apiKey, int version, int correlationId, byte[] body) {
        boolean flexible = version == 1 || (apiKey >= 30010 && apiKey <= 30017 && version == 0);
        return Wire.frame(Wire.requestHeader(apiKey, version, correlationId, CLIENT, flexible), body);
    }

    private static void assertServing() {
        try (Connection c = connect()) {
            assertTrue(c.apiVersions().containsKey(30000));
            assertEquals(0, c.request(30005, 1, Map.of("ExcludeInternal", true)).get("ErrorCode"));
        }
    }

    @Test
    void everyKeyAndVersionHasABodyToCorrupt() throws Exception {
        // Keys 30000-30009 in versions 0 and 1, the reassignment jobs' 30010-30012 and the cluster
        // links' 30013-30017 in version 0.
        assertEquals(28, bodies().size());
    }

    @ParameterizedTest(name = "key {0} v{1}")
    @MethodSource("pairs")
    void trailingAndTruncatedBodiesAnswerInvalidRequest(int apiKey, int version, byte[] body) {
        try (Connection c = connect()) {
            byte[] longer = java.util.Arrays.copyOf(body, body.length + 1);
            List<byte[]> bad = body.length > 0
                    ? List.of(longer, java.util.Arrays.copyOf(body, body.length - 1))
                    : List.of(longer);
            for (byte[] corrupt : bad) {
                int id = c.nextCorrelationId();
                c.send(raw(apiKey, version, id, corrupt));
                Map<String, Object> answer = c.receive(apiKey, version, id);
                assertEquals(INVALID_REQUEST, answer.get("ErrorCode"), answer.toString());
                if (!(apiKey == 30000 && version == 0)) { // the draft's schema has no ErrorMessage
                    assertNotNull(answer.get("ErrorMessage"), answer.toString());
                }
            }
            // The same connection is still in step.
            assertEquals(0, c.request(30000, version, Map.of()).get("ErrorCode"));
        }
    }

    @Test
    void malformedFieldsAnswerInvalidRequest() {
        Object[][] cases = {
            {30003, 0, new byte[] {0, 100, 'a', 'b', 'c'}}, // string length past the end
            {30003, 0, new byte[] {0, 2, (byte) 0xc3, 0x28}}, // invalid UTF-8
            {30005, 1, new byte[] {2, 0}}, // boolean byte 2
            {30004, 1, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 0}}, // 6-byte varint
        };
        try (Connection c = connect()) {
            for (Object[] k : cases) {
                int apiKey = (Integer) k[0];
                int version = (Integer) k[1];
                int id = c.nextCorrelationId();
                c.send(raw(apiKey, version, id, (byte[]) k[2]));
                Map<String, Object> answer = c.receive(apiKey, version, id);
                assertEquals(INVALID_REQUEST, answer.get("ErrorCode"), apiKey + " v" + version + ": " + answer);
                assertNotNull(answer.get("ErrorMessage"));
            }
        }
    }

    static Stream<Arguments> closing() {
        ByteBuffer sevenBytes = ByteBuffer.allocate(11).putInt(7).putShort((short) 30005).putShort((short) 0)
                .putShort((short) 0).put((byte) 1);
        Stream<Arguments> frames = Stream.of(
                Arguments.of("a size over 100 MiB", ByteBuffer.allocate(4).putInt(100 * 1024 * 1024 + 1).array()),
                Arguments.of("a negative size", ByteBuffer.allocate(4).putInt(-5).array()),
                Arguments.of("a frame of 7 bytes", sevenBytes.array()),
                Arguments.of("the unlisted key 30018", raw(30018, 0, 1, new byte[0])));
        Stream<Arguments> versions = Stream.iterate(30000, k -> k <= 30009, k -> k + 1)
                .map(k -> Arguments.of("key " + k + " version 2", raw(k, 2, 1, new byte[] {0})));
        // The reassignment jobs' and the cluster links' keys have version 0 only: 1 and -1 close.
        Stream<Arguments> jobVersions = Stream.iterate(30010, k -> k <= 30017, k -> k + 1)
                .flatMap(k -> Stream.of(
                        Arguments.of("key " + k + " version 1", raw(k, 1, 1, new byte[] {0})),
                        Arguments.of("key " + k + " version -1", raw(k, -1, 1, new byte[] {0}))));
        return Stream.concat(Stream.concat(frames, versions), jobVersions);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("closing")
    void theSidecarClosesTheConnection(String what, byte[] data) {
        try (Connection c = connect()) {
            c.send(data);
            assertTrue(c.closedByServer(30_000), what + ": the connection stayed open");
        }
        assertServing();
    }

    @Test
    void describeTopicWithAnEmptyNameOrList() {
        try (Connection c = connect()) {
            Map<String, Object> v0 = c.request(30004, 0, Map.of("TopicName", ""));
            assertEquals(17, v0.get("ErrorCode"), v0.toString());
            assertNull(v0.get("TopicDescription"));
            Map<String, Object> v1 = c.request(30004, 1, Map.of("TopicNames", List.of("")));
            @SuppressWarnings("unchecked")
            Map<String, Object> entry = ((List<Map<String, Object>>) v1.get("Topics")).get(0);
            assertEquals(17, entry.get("ErrorCode"), v1.toString());
            Map<String, Object> empty = c.request(30004, 1, Map.of("TopicNames", List.of()));
            assertEquals(INVALID_REQUEST, empty.get("ErrorCode"), empty.toString());
            assertEquals(List.of(), empty.get("Topics"));
        }
    }
}
