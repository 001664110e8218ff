package dev.adminwire.javaclients;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Node;

/**
 * What the Rust test that runs this module hands over as system properties. A missing property
 * fails the test (never a silent skip):
 *
 * <ul>
 *   <li>{@code adminwire.bootstrap}: the sidecar's bootstrap address, the only address clients get
 *   <li>{@code adminwire.brokers}: the sidecar's broker listeners, {@code 1=127.0.0.1:P,2=...}
 *   <li>{@code adminwire.direct}: the cluster's own bootstrap, used only to verify outcomes
 *   <li>{@code adminwire.clients}: (secured cluster) the folder with {@code USER.properties}
 *   <li>{@code adminwire.groupProtocols}: (optional) the group protocols the cluster offers
 * </ul>
 */
final class Env {
  private static final AtomicLong COUNTER = new AtomicLong();

  private Env() {}

  static String require(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("system property " + name + " is not set");
    }
    return value;
  }

  /** The sidecar's bootstrap address. */
  static String sidecar() {
    return require("adminwire.bootstrap");
  }

  /** The cluster's own bootstrap address (verification only). */
  static String direct() {
    return require("adminwire.direct");
  }

  /** The sidecar's broker listeners by node id. */
  static Map<Integer, String> sidecarBrokers() {
    Map<Integer, String> brokers = new TreeMap<>();
    for (String entry : require("adminwire.brokers").split(",")) {
      String[] kv = entry.split("=", 2);
      brokers.put(Integer.parseInt(kv[0].trim()), kv[1].trim());
    }
    return brokers;
  }

  /** Every address the sidecar serves on. */
  static Set<String> sidecarAddresses() {
    Set<String> all = new LinkedHashSet<>();
    all.add(sidecar());
    all.addAll(sidecarBrokers().values());
    return all;
  }

  /** The addresses of a bootstrap list. */
  static Set<String> addressesOf(String bootstrap) {
    return Arrays.stream(bootstrap.split(",")).map(String::trim).collect(Collectors.toSet());
  }

  static String address(Node node) {
    return node.host() + ":" + node.port();
  }

  /** A name no other test or run uses. */
  static String unique(String prefix) {
    return prefix
        + "-"
        + ProcessHandle.current().pid()
        + "-"
        + COUNTER.incrementAndGet()
        + "-"
        + Long.toHexString(System.nanoTime() & 0xffffffL);
  }

  /**
   * The consumer group protocols the cluster offers, from {@code adminwire.groupProtocols}
   * (comma-separated; Kafka 3.9 offers only "classic" by default, 4.x "consumer" too).
   */
  static List<String> groupProtocols() {
    return List.of(System.getProperty("adminwire.groupProtocols", "consumer,classic").split(","));
  }

  /** The newest group protocol the cluster offers: "consumer" where it is on, else "classic". */
  static String newestGroupProtocol() {
    return groupProtocols().contains("consumer") ? "consumer" : "classic";
  }

  /** Client settings for {@code bootstrap}, with short timeouts so that a failure is quick. */
  static Properties client(String bootstrap) {
    Properties p = new Properties();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(CommonClientConfigs.CLIENT_DNS_LOOKUP_CONFIG, "use_all_dns_ips");
    p.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, "15000");
    p.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    p.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
    return p;
  }

  /** Client settings for {@code bootstrap} as {@code user} (the cluster's USER.properties). */
  static Properties client(String bootstrap, String user) {
    Properties p = client(bootstrap);
    Path file = Path.of(require("adminwire.clients"), user + ".properties");
    try (Reader reader = Files.newBufferedReader(file)) {
      p.load(reader);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
    return p;
  }

  /** A check that is not satisfied yet: returns null, or throws. */
  @FunctionalInterface
  interface Check<T> {
    T get() throws Exception;
  }

  /**
   * Polls {@code check} until it returns non-null or {@code timeout} passes; then fails saying what
   * it waited for and what it last saw.
   */
  static <T> T waitFor(String what, Duration timeout, Check<T> check) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "nothing";
    while (true) {
      try {
        T value = check.get();
        if (value != null) {
          return value;
        }
        last = "not yet";
      } catch (ExecutionException e) {
        last = String.valueOf(e.getCause());
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        last = String.valueOf(e);
      }
      if (System.nanoTime() >= deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last: " + last);
      }
      Thread.sleep(200);
    }
  }

  /**
   * Waits until the leader of every partition of a new topic serves it (answers ListOffsets), not
   * only until some broker's metadata names a leader. An idempotent producer with several requests
   * in flight must not produce before that: if its first request reaches a leader that has not
   * applied the partition yet (NOT_LEADER_OR_FOLLOWER, retriable) and its second arrives just
   * after, the broker appends the second (it has no state for the producer, so it takes any first
   * sequence), and every retry of the first then fails with OUT_OF_ORDER_SEQUENCE_NUMBER until its
   * delivery timeout (KAFKA-15591, apache/kafka#23234, fixed in Kafka 4.5; the cluster runs 4.1).
   */
  static void waitForLeadersToServe(Admin admin, String topic, int partitions, Duration timeout)
      throws InterruptedException {
    Map<TopicPartition, OffsetSpec> ends = new TreeMap<>(Comparator.comparing(TopicPartition::partition));
    for (int p = 0; p < partitions; p++) {
      ends.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    waitFor(
        "every partition's leader to serve " + topic,
        timeout,
        () -> admin.listOffsets(ends).all().get().size() == partitions ? Boolean.TRUE : null);
  }

  /** A last-seen description for {@link #waitFor}: returns {@code value} if {@code ok}. */
  static <T> T when(boolean ok, T value, String lastSeen) throws NotYet {
    if (!ok) {
      throw new NotYet(lastSeen);
    }
    return value;
  }

  /** "Not yet, and this is what was seen." */
  static final class NotYet extends Exception {
    NotYet(String seen) {
      super(seen, null, false, false);
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }
}
