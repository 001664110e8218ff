package dev.adminwire.javaclients;

import static dev.adminwire.javaclients.Env.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kafka's {@code Admin} client given only the sidecar's bootstrap address. A second {@code Admin}
 * on the cluster's own address checks that each operation really happened.
 */
@Tag("plain")
@Timeout(180)
class AdminThroughSidecarTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static Admin sidecar;
  private static Admin direct;

  @BeforeAll
  static void open() {
    sidecar = Admin.create(Env.client(Env.sidecar()));
    direct = Admin.create(Env.client(Env.direct()));
  }

  @AfterAll
  static void close() {
    if (sidecar != null) {
      sidecar.close(Duration.ofSeconds(10));
    }
    if (direct != null) {
      direct.close(Duration.ofSeconds(10));
    }
  }

  private static TopicDescription describe(Admin admin, String topic) throws Exception {
    return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
  }

  private static List<Integer> ids(Collection<Node> nodes) {
    return nodes.stream().map(Node::id).collect(Collectors.toList());
  }

  /** Every replica, ISR member and leader of every partition is one of the sidecar's listeners. */
  private static void assertSidecarNodes(TopicDescription description) {
    Map<Integer, String> brokers = Env.sidecarBrokers();
    for (TopicPartitionInfo p : description.partitions()) {
      List<Node> nodes = new ArrayList<>(p.replicas());
      nodes.addAll(p.isr());
      if (p.leader() != null) {
        nodes.add(p.leader());
      }
      for (Node node : nodes) {
        assertEquals(brokers.get(node.id()), Env.address(node), "node " + node + " of " + p);
      }
    }
  }

  /** Waits until every partition of {@code topic} has a leader and all its replicas in sync. */
  private static TopicDescription waitSettled(Admin admin, String topic, int partitions)
      throws InterruptedException {
    return Env.waitFor(
        topic + " with " + partitions + " settled partitions",
        WAIT,
        () -> {
          TopicDescription d = describe(admin, topic);
          boolean settled =
              d.partitions().size() == partitions
                  && d.partitions().stream()
                      .allMatch(
                          p ->
                              p.leader() != null
                                  && p.leader().id() >= 0
                                  && new TreeSet<>(ids(p.isr()))
                                      .equals(new TreeSet<>(ids(p.replicas()))));
          return when(settled, d, d.toString());
        });
  }

  @Test
  void describeClusterNamesOnlyTheSidecarsListeners() throws Exception {
    Map<Integer, String> brokers = Env.sidecarBrokers();
    DescribeClusterResult result = sidecar.describeCluster();
    Collection<Node> nodes = result.nodes().get();
    assertEquals(brokers.keySet(), new TreeSet<>(ids(nodes)), "node ids: " + nodes);
    for (Node node : nodes) {
      assertEquals(brokers.get(node.id()), Env.address(node), "address of node " + node.id());
      assertNotNull(node.rack(), "racks pass through: " + node);
    }
    Node controller = result.controller().get();
    assertTrue(Env.sidecarAddresses().contains(Env.address(controller)), "controller " + controller);
    assertEquals(direct.describeCluster().clusterId().get(), result.clusterId().get());
    // The broker's own view, for contrast: its nodes are not the sidecar's.
    for (Node node : direct.describeCluster().nodes().get()) {
      assertFalse(Env.sidecarAddresses().contains(Env.address(node)), "direct " + node);
    }
  }

  @Test
  void topicLifecycleCreateDescribeConfigureGrowDelete() throws Exception {
    String topic = Env.unique("java-admin");
    sidecar.createTopics(List.of(new NewTopic(topic, 3, (short) 3))).all().get();

    TopicDescription seen = waitSettled(sidecar, topic, 3);
    assertSidecarNodes(seen);
    for (TopicPartitionInfo p : seen.partitions()) {
      assertEquals(3, p.replicas().size(), "RF 3: " + p);
    }
    TopicDescription truth = waitSettled(direct, topic, 3);
    assertEquals(truth.topicId(), seen.topicId());
    for (int i = 0; i < 3; i++) {
      assertEquals(
          ids(truth.partitions().get(i).replicas()), ids(seen.partitions().get(i).replicas()));
    }

    // incrementalAlterConfigs: set two, then delete one; read back from the broker itself.
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    sidecar
        .incrementalAlterConfigs(
            Map.of(
                resource,
                List.of(
                    new AlterConfigOp(
                        new ConfigEntry("retention.ms", "7654321"), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(
                        new ConfigEntry("max.message.bytes", "654321"),
                        AlterConfigOp.OpType.SET))))
        .all()
        .get();
    // Brokers apply metadata changes a moment after the controller commits them.
    Env.waitFor(
        "both overrides on the broker",
        WAIT,
        () -> {
          Config c = direct.describeConfigs(List.of(resource)).all().get().get(resource);
          ConfigEntry retention = c.get("retention.ms");
          boolean set =
              retention.value().equals("7654321")
                  && retention.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG
                  && c.get("max.message.bytes").value().equals("654321");
          return when(set, c, c.toString());
        });
    sidecar
        .incrementalAlterConfigs(
            Map.of(
                resource,
                List.of(
                    new AlterConfigOp(
                        new ConfigEntry("max.message.bytes", ""), AlterConfigOp.OpType.DELETE))))
        .all()
        .get();
    Env.waitFor(
        "max.message.bytes back to its default, retention.ms kept",
        WAIT,
        () -> {
          Config c = direct.describeConfigs(List.of(resource)).all().get().get(resource);
          boolean done =
              c.get("retention.ms").value().equals("7654321")
                  && c.get("max.message.bytes").source()
                      != ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG;
          return when(done, c, c.toString());
        });
    Env.waitFor(
        "the same configuration read through the sidecar",
        WAIT,
        () -> {
          Config c = sidecar.describeConfigs(List.of(resource)).all().get().get(resource);
          boolean same =
              c.get("retention.ms").value().equals("7654321")
                  && c.get("max.message.bytes").source()
                      != ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG;
          return when(same, c, c.toString());
        });

    // createPartitions: 3 -> 6, seen by the broker and through the sidecar.
    sidecar.createPartitions(Map.of(topic, NewPartitions.increaseTo(6))).all().get();
    waitSettled(direct, topic, 6);
    assertSidecarNodes(waitSettled(sidecar, topic, 6));

    // deleteTopics: gone on the broker.
    sidecar.deleteTopics(List.of(topic)).all().get();
    Env.waitFor(
        topic + " deleted",
        WAIT,
        () -> {
          Set<String> names = direct.listTopics().names().get();
          return when(!names.contains(topic), true, "still listed");
        });
  }

  @Test
  void reassignReplicasThenElectThePreferredLeader() throws Exception {
    List<Integer> nodes = new ArrayList<>(Env.sidecarBrokers().keySet());
    assertTrue(nodes.size() >= 3, "three brokers: " + nodes);
    int a = nodes.get(0);
    int b = nodes.get(1);
    int c = nodes.get(2);
    String topic = Env.unique("java-reassign");
    TopicPartition tp = new TopicPartition(topic, 0);
    sidecar.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(a, b))))).all().get();
    TopicDescription before = waitSettled(direct, topic, 1);
    assertEquals(List.of(a, b), ids(before.partitions().get(0).replicas()));

    // Move the replica on b to c, with c first (the preferred leader); a stays.
    sidecar
        .alterPartitionReassignments(
            Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(c, a)))))
        .all()
        .get();
    Env.waitFor(
        "the reassignment of " + tp + " to finish",
        WAIT,
        () -> {
          Map<TopicPartition, PartitionReassignment> ongoing =
              sidecar.listPartitionReassignments(Set.of(tp)).reassignments().get();
          TopicPartitionInfo p = describe(direct, topic).partitions().get(0);
          boolean done =
              ongoing.isEmpty()
                  && ids(p.replicas()).equals(List.of(c, a))
                  && new TreeSet<>(ids(p.isr())).equals(new TreeSet<>(List.of(a, c)));
          return when(done, true, "ongoing " + ongoing + ", partition " + p);
        });
    assertTrue(sidecar.listPartitionReassignments().reassignments().get().keySet().stream()
        .noneMatch(t -> t.topic().equals(topic)));

    int leaderBefore = describe(direct, topic).partitions().get(0).leader().id();
    Map<TopicPartition, Optional<Throwable>> elected =
        sidecar.electLeaders(ElectionType.PREFERRED, Set.of(tp)).partitions().get();
    if (leaderBefore == c) {
      assertInstanceOf(ElectionNotNeededException.class, elected.get(tp).orElse(null));
    } else {
      assertEquals(Optional.empty(), elected.get(tp), "election of " + tp);
    }
    Env.waitFor(
        "node " + c + " to lead " + tp,
        WAIT,
        () -> {
          TopicPartitionInfo p = describe(direct, topic).partitions().get(0);
          return when(p.leader() != null && p.leader().id() == c, true, p.toString());
        });
    TopicDescription after =
        Env.waitFor(
            "node " + c + " to lead " + tp + " as seen through the sidecar",
            WAIT,
            () -> {
              TopicDescription d = describe(sidecar, topic);
              TopicPartitionInfo p = d.partitions().get(0);
              return when(p.leader() != null && p.leader().id() == c, d, p.toString());
            });
    assertSidecarNodes(after);

    sidecar.deleteTopics(List.of(topic)).all().get();
  }

  @Test
  void errorsComeBackAsTheBrokerSentThem() throws Exception {
    String missing = Env.unique("java-missing");
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> describe(sidecar, missing));
    assertInstanceOf(
        org.apache.kafka.common.errors.UnknownTopicOrPartitionException.class, e.getCause());
  }
}
