package dev.adminwire.javaclients;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The secured cluster (SASL/PLAIN, StandardAuthorizer; users admin, alice and bob): the same
 * script of operations runs directly against the cluster and through the sidecar, and every
 * outcome must be the same. The sidecar passes SASL through, so the broker decides.
 */
@Tag("secure")
@Timeout(300)
class SecuredClusterTest {
  private static final int RECORDS = 200;

  /** What one operation came to: "ok ..." or the exception's class name. */
  @FunctionalInterface
  interface Op {
    String run() throws Exception;
  }

  private static String outcome(Op op) {
    try {
      return op.run();
    } catch (ExecutionException e) {
      return e.getCause().getClass().getSimpleName();
    } catch (KafkaException e) {
      Throwable t = e;
      // The consumer and producer wrap some failures once more.
      while (t.getCause() instanceof KafkaException && t.getClass() == KafkaException.class) {
        t = t.getCause();
      }
      return t.getClass().getSimpleName();
    } catch (Exception e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  private static Admin admin(Properties props) {
    return Admin.create(props);
  }

  private static String describeClusterOutcome(Properties props, Set<String> expected)
      throws Exception {
    try (Admin a = admin(props)) {
      Collection<Node> nodes = a.describeCluster().nodes().get();
      Set<String> seen = nodes.stream().map(Env::address).collect(Collectors.toSet());
      return seen.equals(expected) ? "ok, " + nodes.size() + " nodes at the expected addresses" : "ok, but nodes at " + seen;
    }
  }

  private static String create(Properties props, String topic) throws Exception {
    try (Admin a = admin(props)) {
      a.createTopics(List.of(new NewTopic(topic, 3, (short) 3))).all().get();
      return "ok";
    }
  }

  private static String describe(Properties props, String topic) throws Exception {
    try (Admin a = admin(props)) {
      // Every topic the script describes exists: an unknown topic only means the broker asked has
      // not applied the creation yet (brokers apply metadata each on their own; seen on Kafka 3.9
      // right after createTopics), so that answer is waited out, within a bound. Any other
      // answer, an authorization failure included, is the outcome.
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (true) {
        try {
          int n = a.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
          return "ok, " + n + " partitions";
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() >= deadline) {
            throw e;
          }
          Thread.sleep(200);
        }
      }
    }
  }

  private static String visible(Properties props, String topic) throws Exception {
    try (Admin a = admin(props)) {
      return "ok, listed: " + a.listTopics().names().get().contains(topic);
    }
  }

  private static String delete(Properties props, String topic) throws Exception {
    try (Admin a = admin(props)) {
      a.deleteTopics(List.of(topic)).all().get();
      return "ok";
    }
  }

  private static String produce(Properties props, String topic) throws Exception {
    Properties p = new Properties();
    p.putAll(props);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      // One record first: a refused producer fails here once, not once per record (each send
      // waits up to max.block.ms for metadata it is not allowed to have).
      producer.send(new ProducerRecord<>(topic, "k0", "v0")).get();
      List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
      acks.add(java.util.concurrent.CompletableFuture.completedFuture(null));
      for (int i = 1; i < RECORDS; i++) {
        acks.add(producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)));
      }
      for (var ack : acks) {
        ack.get();
      }
      return "ok, " + acks.size() + " acknowledged";
    }
  }

  private static String consume(Properties props, String topic, String group) {
    Properties c = new Properties();
    c.putAll(props);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, Env.newestGroupProtocol());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of(topic));
      Set<String> values = new java.util.HashSet<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
      while (values.size() < RECORDS && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
      }
      consumer.commitSync();
      return "ok, " + values.size() + " distinct records";
    }
  }

  /** A client with no credentials at all (plaintext against a SASL listener). */
  private static Properties anonymous(String bootstrap) {
    Properties p = Env.client(bootstrap);
    p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
    p.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, "8000");
    p.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, "4000");
    return p;
  }

  /** Alice's credentials with a wrong password. */
  private static Properties wrongPassword(String bootstrap) {
    Properties p = Env.client(bootstrap, "alice");
    p.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"alice\" password=\"not-alices-password\";");
    return p;
  }

  /** The whole script against one bootstrap address. */
  private static Map<String, String> script(String bootstrap, Set<String> nodeAddresses) {
    String adminTopic = Env.unique("adminwire-secured");
    String aliceTopic = Env.unique("alice-secured");
    String aliceGroup = Env.unique("alice-group");
    String bobTopic = Env.unique("bob-secured");
    Properties admin = Env.client(bootstrap, "admin");
    Properties alice = Env.client(bootstrap, "alice");
    Properties bob = Env.client(bootstrap, "bob");
    Map<String, String> out = new LinkedHashMap<>();
    out.put("anonymous describeCluster", outcome(() -> describeClusterOutcome(anonymous(bootstrap), nodeAddresses)));
    out.put("wrong password describeCluster", outcome(() -> describeClusterOutcome(wrongPassword(bootstrap), nodeAddresses)));
    out.put("admin describeCluster", outcome(() -> describeClusterOutcome(admin, nodeAddresses)));
    out.put("admin create adminwire-*", outcome(() -> create(admin, adminTopic)));
    out.put("bob create bob-*", outcome(() -> create(bob, bobTopic)));
    out.put("bob describe adminwire-*", outcome(() -> describe(bob, adminTopic)));
    out.put("bob sees adminwire-* listed", outcome(() -> visible(bob, adminTopic)));
    out.put("bob produce adminwire-*", outcome(() -> produce(bob, adminTopic)));
    out.put("bob delete adminwire-*", outcome(() -> delete(bob, adminTopic)));
    out.put("alice describeCluster", outcome(() -> describeClusterOutcome(alice, nodeAddresses)));
    out.put("alice create alice-*", outcome(() -> create(alice, aliceTopic)));
    out.put("alice describe alice-*", outcome(() -> describe(alice, aliceTopic)));
    out.put("alice produce alice-*", outcome(() -> produce(alice, aliceTopic)));
    out.put("alice consume alice-* in group alice-*", outcome(() -> consume(alice, aliceTopic, aliceGroup)));
    out.put("alice consume alice-* in group adminwire-*", outcome(() -> consume(alice, aliceTopic, Env.unique("adminwire-group"))));
    out.put("alice create adminwire-*", outcome(() -> create(alice, Env.unique("adminwire-by-alice"))));
    out.put("alice describe adminwire-*", outcome(() -> describe(alice, adminTopic)));
    out.put("alice produce adminwire-*", outcome(() -> produce(alice, adminTopic)));
    out.put("admin describe alice-*", outcome(() -> describe(admin, aliceTopic)));
    out.put("admin produce adminwire-*", outcome(() -> produce(admin, adminTopic)));
    out.put("admin describeAcls", outcome(() -> {
      try (Admin a = admin(admin)) {
        return a.describeAcls(AclBindingFilter.ANY).values().get().isEmpty() ? "ok, none" : "ok, some";
      }
    }));
    out.put("alice delete alice-*", outcome(() -> delete(alice, aliceTopic)));
    out.put("admin delete adminwire-*", outcome(() -> delete(admin, adminTopic)));
    return out;
  }

  @Test
  void theBrokerDecidesThroughTheSidecarExactlyAsDirectly() {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("anonymous describeCluster", "TimeoutException");
    expected.put("wrong password describeCluster", "SaslAuthenticationException");
    expected.put("admin describeCluster", "ok, 3 nodes at the expected addresses");
    expected.put("admin create adminwire-*", "ok");
    expected.put("bob create bob-*", "TopicAuthorizationException");
    expected.put("bob describe adminwire-*", "TopicAuthorizationException");
    expected.put("bob sees adminwire-* listed", "ok, listed: false");
    expected.put("bob produce adminwire-*", "TopicAuthorizationException");
    expected.put("bob delete adminwire-*", "TopicAuthorizationException");
    expected.put("alice describeCluster", "ok, 3 nodes at the expected addresses");
    expected.put("alice create alice-*", "ok");
    expected.put("alice describe alice-*", "ok, 3 partitions");
    expected.put("alice produce alice-*", "ok, " + RECORDS + " acknowledged");
    expected.put("alice consume alice-* in group alice-*", "ok, " + RECORDS + " distinct records");
    expected.put("alice consume alice-* in group adminwire-*", "GroupAuthorizationException");
    expected.put("alice create adminwire-*", "TopicAuthorizationException");
    expected.put("alice describe adminwire-*", "TopicAuthorizationException");
    expected.put("alice produce adminwire-*", "TopicAuthorizationException");
    expected.put("admin describe alice-*", "ok, 3 partitions");
    expected.put("admin produce adminwire-*", "ok, " + RECORDS + " acknowledged");
    expected.put("admin describeAcls", "ok, some");
    expected.put("alice delete alice-*", "ok");
    expected.put("admin delete adminwire-*", "ok");

    Map<String, String> direct = script(Env.direct(), Env.addressesOf(Env.direct()));
    Map<String, String> viaSidecar =
        script(Env.sidecar(), Set.copyOf(Env.sidecarBrokers().values()));
    assertEquals(expected, direct, "directly against the cluster");
    assertEquals(direct, viaSidecar, "through the sidecar, compared with directly");
  }
}
