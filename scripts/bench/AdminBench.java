// The direct half of scripts/bench/admin: with Kafka's Java Admin, creates COUNT topics
// (1 partition, replication factor 3) in one createTopics call, describes them with one
// describeTopics and one describeConfigs call (the extension's DescribeTopic returns configs too),
// deletes them in one deleteTopics call, and prints the wall-clock milliseconds of each phase as
// "create MS describe MS delete MS", timed inside the JVM once the client is connected.
//
//   java -cp "$KAFKA_LIBS/*" scripts/bench/AdminBench.java BOOTSTRAP PREFIX COUNT
//
// The same as crates/adminwire-protocol/examples/admin_bench.rs does through the extension: one
// untimed warm-up cycle first; between creation and description, and after deletion, an untimed
// wait until every topic is described (with a leader) or gone, then 500 ms.

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;

public class AdminBench {
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: AdminBench BOOTSTRAP PREFIX COUNT");
            System.exit(2);
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        int count = Integer.parseInt(args[2]);
        try (Admin admin = Admin.create(props)) {
            admin.describeCluster().nodes().get(); // connected
            cycle(admin, names(args[1] + "-warm", count));
            double[] ms = cycle(admin, names(args[1], count));
            System.out.printf("create %.1f describe %.1f delete %.1f%n", ms[0], ms[1], ms[2]);
        }
    }

    static List<String> names(String prefix, int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(prefix + "-" + i);
        }
        return names;
    }

    static double ms(long start) {
        return (System.nanoTime() - start) / 1e6;
    }

    static double[] cycle(Admin admin, List<String> names) throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : names) {
            topics.add(new NewTopic(name, 1, (short) 3));
        }
        long start = System.nanoTime();
        admin.createTopics(topics).all().get();
        double create = ms(start);
        settle(admin, names, true);

        List<ConfigResource> resources = new ArrayList<>();
        for (String name : names) {
            resources.add(new ConfigResource(ConfigResource.Type.TOPIC, name));
        }
        start = System.nanoTime();
        Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();
        double describe = ms(start);
        if (described.size() != names.size() || configs.size() != names.size()) {
            throw new IllegalStateException("described " + described.size() + " topics and "
                + configs.size() + " configs of " + names.size());
        }

        start = System.nanoTime();
        admin.deleteTopics(names).all().get();
        double delete = ms(start);
        settle(admin, names, false);
        return new double[] {create, describe, delete};
    }

    // Untimed: until every topic is described with leaders (present) or none is listed (!present).
    static void settle(Admin admin, List<String> names, boolean present) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            boolean done;
            if (present) {
                try {
                    done = admin.describeTopics(names).allTopicNames().get().values().stream()
                        .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null));
                } catch (ExecutionException e) {
                    done = false;
                }
            } else {
                Set<String> listed = admin.listTopics().names().get();
                done = names.stream().noneMatch(listed::contains);
            }
            if (done) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics not settled (present: " + present + ")");
            }
            Thread.sleep(50);
        }
        Thread.sleep(500);
    }
}
