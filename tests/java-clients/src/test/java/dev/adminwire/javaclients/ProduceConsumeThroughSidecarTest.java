package dev.adminwire.javaclients;

import static dev.adminwire.javaclients.Env.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An idempotent {@code acks=all} producer and a consumer group, both given only the sidecar's
 * bootstrap address; the broker's own offsets and group state confirm what happened.
 */
@Tag("plain")
@Timeout(180)
class ProduceConsumeThroughSidecarTest {
  private static final int RECORDS = 5_000;
  private static final int PARTITIONS = 3;
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** Every partition has a leader, and it is the sidecar's listener for that node. */
  private static void assertLeadersAreTheSidecars(List<PartitionInfo> partitions) {
    Map<Integer, String> brokers = Env.sidecarBrokers();
    assertEquals(PARTITIONS, partitions.size(), partitions.toString());
    for (PartitionInfo p : partitions) {
      assertTrue(p.leader() != null && p.leader().id() >= 0, "leader of " + p);
      assertEquals(brokers.get(p.leader().id()), Env.address(p.leader()), "leader of " + p);
      for (var replica : p.replicas()) {
        assertEquals(brokers.get(replica.id()), Env.address(replica), "replica of " + p);
      }
    }
  }

  private static List<PartitionInfo> waitForLeaders(String topic, Env.Check<List<PartitionInfo>> ask)
      throws InterruptedException {
    return Env.waitFor(
        "leaders for all partitions of " + topic,
        WAIT,
        () -> {
          List<PartitionInfo> ps = ask.get();
          boolean ready =
              ps != null
                  && ps.size() == PARTITIONS
                  && ps.stream().allMatch(p -> p.leader() != null && p.leader().id() >= 0);
          return when(ready, ps, String.valueOf(ps));
        });
  }

  static List<String> groupProtocols() {
    return Env.groupProtocols();
  }

  @ParameterizedTest(name = "group.protocol={0}")
  @MethodSource("groupProtocols")
  void idempotentProducerAndConsumerGroupRoundTrip(String protocol) throws Exception {
    String topic = Env.unique("java-records-" + protocol);
    String group = Env.unique("java-group-" + protocol);
    try (Admin sidecarAdmin = Admin.create(Env.client(Env.sidecar()));
        Admin direct = Admin.create(Env.client(Env.direct()))) {
      sidecarAdmin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 3))).all().get();
      Env.waitForLeadersToServe(direct, topic, PARTITIONS, WAIT);

      // Produce: acks=all, idempotent, through the sidecar only.
      Properties pp = Env.client(Env.sidecar());
      pp.put(ProducerConfig.ACKS_CONFIG, "all");
      pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
      pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      Map<TopicPartition, List<String>> sentByPartition = new HashMap<>();
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
        assertLeadersAreTheSidecars(waitForLeaders(topic, () -> producer.partitionsFor(topic)));
        List<Future<RecordMetadata>> acks = new ArrayList<>(RECORDS);
        for (int i = 0; i < RECORDS; i++) {
          acks.add(producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i)));
        }
        producer.flush();
        for (int i = 0; i < RECORDS; i++) {
          RecordMetadata md = acks.get(i).get();
          TopicPartition tp = new TopicPartition(md.topic(), md.partition());
          List<String> sent = sentByPartition.computeIfAbsent(tp, k -> new ArrayList<>());
          assertEquals(sent.size(), md.offset(), "offset of value-" + i + " in " + tp);
          sent.add("value-" + i);
        }
        // The producer's metadata also names only the sidecar's listeners.
        assertLeadersAreTheSidecars(producer.partitionsFor(topic));
      }

      // The broker holds exactly what was acknowledged: no duplicates, nothing missing.
      Map<TopicPartition, OffsetSpec> latest =
          sentByPartition.keySet().stream()
              .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
      var ends = direct.listOffsets(latest).all().get();
      long total = 0;
      for (var e : ends.entrySet()) {
        assertEquals(sentByPartition.get(e.getKey()).size(), e.getValue().offset(), "end of " + e.getKey());
        total += e.getValue().offset();
      }
      assertEquals(RECORDS, total);

      // Consume in a group through the sidecar; each partition in order, everything once.
      Properties cp = Env.client(Env.sidecar());
      cp.put(ConsumerConfig.GROUP_ID_CONFIG, group);
      cp.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
      cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      Map<TopicPartition, List<String>> received = new HashMap<>();
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
        consumer.subscribe(List.of(topic));
        long deadline = System.nanoTime() + WAIT.toNanos();
        int count = 0;
        while (count < RECORDS && System.nanoTime() < deadline) {
          ConsumerRecords<String, String> batch = consumer.poll(Duration.ofMillis(500));
          for (ConsumerRecord<String, String> r : batch) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            List<String> got = received.computeIfAbsent(tp, k -> new ArrayList<>());
            assertEquals(got.size(), r.offset(), "offset in " + tp);
            assertEquals("key-" + r.value().substring("value-".length()), r.key());
            got.add(r.value());
            count++;
          }
        }
        assertEquals(RECORDS, count, "records read back");
        assertEquals(sentByPartition, received, "each partition's records, in order");
        assertLeadersAreTheSidecars(consumer.partitionsFor(topic));
        consumer.commitSync();

        // The broker's group coordinator saw this member, with the protocol asked for.
        ConsumerGroupDescription description =
            direct.describeConsumerGroups(List.of(group)).all().get().get(group);
        GroupType expected = protocol.equals("consumer") ? GroupType.CONSUMER : GroupType.CLASSIC;
        assertEquals(expected, description.type(), description.toString());
        assertEquals(1, description.members().size(), description.toString());
        assertEquals(
            PARTITIONS,
            description.members().iterator().next().assignment().topicPartitions().size(),
            description.toString());
      }

      // The committed offsets reached the broker.
      Map<TopicPartition, OffsetAndMetadata> committed =
          direct.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      assertEquals(
          RECORDS, committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum(),
          committed.toString());

      sidecarAdmin.deleteTopics(List.of(topic)).all().get();
      try {
        direct.deleteConsumerGroups(List.of(group)).all().get();
      } catch (ExecutionException e) {
        // Deleting the topic deletes the group's offsets, and a broker may then remove the empty
        // group by itself before this call (seen on Kafka 3.9): gone either way.
        if (!(e.getCause() instanceof GroupIdNotFoundException)) {
          throw e;
        }
      }
    }
  }
}
