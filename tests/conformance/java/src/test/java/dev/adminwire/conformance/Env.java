package dev.adminwire.conformance;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where the sidecar and the cluster are (set by tests/integration/tests/conformance.rs). */
final class Env {
    private Env() {}

    static String need(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(name + " is not set: run through tests/integration/tests/conformance.rs"
                    + " or see tests/conformance/README.md");
        }
        return v;
    }

    /** The sidecar's bootstrap listener. */
    static String sidecar() {
        return need("ADMINWIRE_SIDECAR_BOOTSTRAP");
    }

    /** The sidecar's broker listeners by node id. */
    static Map<Integer, String> sidecarBrokers() {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (String item : need("ADMINWIRE_SIDECAR_BROKERS").split(",")) {
            String[] kv = item.split("=", 2);
            out.put(Integer.parseInt(kv[0]), kv[1]);
        }
        return out;
    }

    /** The cluster's own bootstrap, for Kafka's Admin to check outcomes directly. */
    static String cluster() {
        return need("ADMINWIRE_CLUSTER_BOOTSTRAP");
    }

    static String prefix() {
        String p = System.getenv("ADMINWIRE_TOPIC_PREFIX");
        return (p == null || p.isBlank() ? "conf-java-" + ProcessHandle.current().pid() : p) + "-java";
    }

    static Path specs() {
        return Path.of(System.getProperty("adminwire.specs", "../../../protocol-specs"));
    }
}
