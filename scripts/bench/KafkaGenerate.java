// What `kafka-reassign-partitions --generate` proposes, computed with the placer it calls
// (Kafka's StripedReplicaPlacer, the controller's own placement for new topics), without a cluster.
// Reads from standard input:
//   brokers ID[:RACK] ...
//   topic NAME PARTITIONS REPLICATION_FACTOR
// and prints, per partition, "NAME PARTITION B1,B2,...". The placer starts at a random broker, as
// --generate does; SEED (an argument) fixes it.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.placement.ClusterDescriber;
import org.apache.kafka.metadata.placement.PartitionAssignment;
import org.apache.kafka.metadata.placement.PlacementSpec;
import org.apache.kafka.metadata.placement.StripedReplicaPlacer;
import org.apache.kafka.metadata.placement.TopicAssignment;
import org.apache.kafka.metadata.placement.UsableBroker;

public class KafkaGenerate {
    public static void main(String[] args) throws Exception {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : System.nanoTime();
        StripedReplicaPlacer placer = new StripedReplicaPlacer(new Random(seed));
        List<UsableBroker> brokers = new ArrayList<>();
        ClusterDescriber cluster = new ClusterDescriber() {
            @Override
            public Iterator<UsableBroker> usableBrokers() {
                return brokers.iterator();
            }

            @Override
            public Uuid defaultDir(int brokerId) {
                return Uuid.ZERO_UUID;
            }
        };
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        StringBuilder out = new StringBuilder();
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.trim().split("\\s+");
            if (words[0].equals("brokers")) {
                brokers.clear();
                for (int i = 1; i < words.length; i++) {
                    String[] idRack = words[i].split(":", 2);
                    Optional<String> rack = idRack.length > 1 ? Optional.of(idRack[1]) : Optional.empty();
                    brokers.add(new UsableBroker(Integer.parseInt(idRack[0]), rack, false));
                }
            } else if (words[0].equals("topic")) {
                int partitions = Integer.parseInt(words[2]);
                short factor = Short.parseShort(words[3]);
                TopicAssignment placed = placer.place(new PlacementSpec(0, partitions, factor), cluster);
                int p = 0;
                for (PartitionAssignment a : placed.assignments()) {
                    out.append(words[1]).append(' ').append(p++).append(' ')
                        .append(a.replicas().stream().map(String::valueOf).collect(Collectors.joining(",")))
                        .append('\n');
                }
            }
        }
        System.out.print(out);
    }
}
