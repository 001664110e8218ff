package dev.adminwire.javaclients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several idempotent producers ({@code acks=all}, five requests in flight) under stress: request
 * timeouts short enough that clients give up on requests mid-stream and reconnect, requests both
 * small (gathered by the sidecar) and over 64 KiB (streamed by it) on the same connections, a
 * broker killed and restarted in the middle and the CPU starved (both done by the Rust test that
 * runs this, {@code tests/integration/tests/java_stress.rs}). Afterwards every record is read back
 * from the cluster directly: each acknowledged record is in the log exactly once, at the offset it
 * was acknowledged with, and each producer's records are in the order it sent them in every
 * partition. A record that failed (its delivery timed out) may or may not be in the log, but at
 * most once and in order. An {@code OUT_OF_ORDER_SEQUENCE_NUMBER} fails the test with its details.
 *
 * <p>Clients use {@code adminwire.bootstrap}: the sidecar's address, or the cluster's own for the
 * control run. Besides the properties of {@link Env}:
 *
 * <ul>
 *   <li>{@code adminwire.stress.dir}: a folder to talk with the Rust side through: this test
 *       writes {@code progress} ({@code acked=N failed=M}) as records are acknowledged; the Rust
 *       side writes {@code restarted} once the broker it killed is back
 *   <li>{@code adminwire.stress.via}: a label for the report ({@code sidecar} or {@code direct})
 * </ul>
 */
@Tag("stress")
@Timeout(300)
class IdempotentProducersUnderStressTest {
  private static final int PRODUCERS = 4;
  private static final int PARTITIONS = 6;
  /** A large burst: records that make a batch of 8 x 16 KiB, so requests of over 64 KiB. */
  private static final int LARGE_RECORDS = 8;

  private static final int LARGE_SIZE = 16 * 1024;
  /** A small burst: records that make requests of a few KiB, which the sidecar gathers. */
  private static final int SMALL_RECORDS = 20;

  private static final int SMALL_SIZE = 100;
  /** The pause after each burst. */
  private static final long PACE_MS = 60;
  /** Bytes a producer may have sent but not had answered; bounds what the run writes. */
  private static final int OUTSTANDING_BYTES = 2 * 1024 * 1024;
  /** Records each producer gets acknowledged after the restarted broker is back. */
  private static final long AFTER_RESTART = 400;
  /** The whole produce phase, restart included, ends by then even if the Rust side never signals. */
  private static final Duration PRODUCE_LIMIT = Duration.ofSeconds(120);
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** One record a producer sent: which producer, its number in that producer's sequence. */
  private record Sent(int producer, long seq, int partition) {}

  /** What became of a record: acknowledged at an offset, or failed with an exception. */
  private record Outcome(Sent sent, long offset, Exception error, long atMillis) {}

  private static String value(int producer, long seq, int size) {
    String head = "p" + producer + "-" + seq + "-";
    return head + "x".repeat(Math.max(0, size - head.length()));
  }

  /** (producer, seq) from a record value written by {@link #value}. */
  private static long[] parse(byte[] value) {
    String text = new String(value, 0, Math.min(value.length, 40), StandardCharsets.US_ASCII);
    String[] parts = text.split("-", 3);
    return new long[] {Long.parseLong(parts[0].substring(1)), Long.parseLong(parts[1])};
  }

  private static void writeAtomically(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The sum of one producer metric over all producers. */
  private static long metricTotal(List<KafkaProducer<String, String>> producers, String name) {
    double total = 0;
    for (KafkaProducer<String, String> producer : producers) {
      for (var e : producer.metrics().entrySet()) {
        if (e.getKey().name().equals(name)
            && e.getKey().group().equals("producer-metrics")
            && e.getValue().metricValue() instanceof Double v) {
          total += v;
        }
      }
    }
    return (long) total;
  }

  /**
   * What the Rust side waits on: records acknowledged and failed, records retried, and
   * connections closed (by the client on a request timeout, or by the other side).
   */
  private static String progressLine(
      List<KafkaProducer<String, String>> producers, AtomicLong acked, AtomicLong failed) {
    return "acked=" + acked.get() + " failed=" + failed.get()
        + " retries=" + metricTotal(producers, "record-retry-total")
        + " closes=" + metricTotal(producers, "connection-close-total");
  }

  private static Properties producerConfig(int id) {
    Properties p = Env.client(Env.sidecar());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "stress-producer-" + id);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    // Short enough that requests time out on a starved machine and around the restart: the
    // client then drops its connection with requests on it and sends them again on a new one.
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
    p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "50");
    p.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, "50");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(8 * 1024 * 1024));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
    p.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, "5000");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return p;
  }

  @Test
  void everyAcknowledgedRecordIsInTheLogOnceAndInOrder() throws Exception {
    String via = System.getProperty("adminwire.stress.via", "sidecar");
    Path dir = Path.of(Env.require("adminwire.stress.dir"));
    Path progress = dir.resolve("progress");
    Path restarted = dir.resolve("restarted");
    String topic = Env.unique("stress-" + via);
    try (Admin direct = Admin.create(Env.client(Env.direct()))) {
      direct.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 3))).all().get();
      writeAtomically(dir.resolve("topic"), topic);
      Env.waitForLeadersToServe(direct, topic, PARTITIONS, WAIT);
      Env.waitFor(
          "leaders for every partition of " + topic,
          WAIT,
          () -> {
            TopicDescription d = direct.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            boolean led =
                d.partitions().size() == PARTITIONS
                    && d.partitions().stream().allMatch(p -> p.leader() != null && p.isr().size() == 3);
            return Env.when(led, d, d.partitions().toString());
          });

      Map<Sent, Outcome> outcomes = new ConcurrentHashMap<>();
      ConcurrentLinkedQueue<String> outOfOrder = new ConcurrentLinkedQueue<>();
      AtomicLong acked = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      AtomicBoolean stop = new AtomicBoolean();
      long start = System.nanoTime();
      long[] sentCounts = new long[PRODUCERS];
      List<Thread> threads = new ArrayList<>();
      List<Throwable> crashes = Collections.synchronizedList(new ArrayList<>());
      List<KafkaProducer<String, String>> producers = new ArrayList<>();
      String finalCounts = "";
      try {
        for (int id = 0; id < PRODUCERS; id++) {
          producers.add(new KafkaProducer<>(producerConfig(id)));
        }
        for (int id = 0; id < PRODUCERS; id++) {
          int producerId = id;
          KafkaProducer<String, String> producer = producers.get(id);
          Thread thread =
              new Thread(
                  () -> {
                    Semaphore outstanding = new Semaphore(OUTSTANDING_BYTES);
                    long seq = 0;
                    try {
                      for (long burst = 0; !stop.get(); burst++) {
                        // Bursts alternate between large and small records, and producers start at
                        // different partitions, so requests of both kinds follow each other on
                        // every connection.
                        boolean large = (burst + producerId) % 2 == 0;
                        int partition = (int) ((burst + producerId) % PARTITIONS);
                        int count = large ? LARGE_RECORDS : SMALL_RECORDS;
                        int size = large ? LARGE_SIZE : SMALL_SIZE;
                        for (int i = 0; i < count; i++, seq++) {
                          if (!outstanding.tryAcquire(size, 60, TimeUnit.SECONDS)) {
                            throw new AssertionError("producer " + producerId + ": no acks for 60 s");
                          }
                          long thisSeq = seq;
                          Sent sent = new Sent(producerId, thisSeq, partition);
                          producer.send(
                              new ProducerRecord<>(topic, partition, "p" + producerId, value(producerId, seq, size)),
                              (md, e) -> {
                                outstanding.release(size);
                                long at = (System.nanoTime() - start) / 1_000_000;
                                if (e == null) {
                                  outcomes.put(sent, new Outcome(sent, md.offset(), null, at));
                                  acked.incrementAndGet();
                                } else {
                                  outcomes.put(sent, new Outcome(sent, -1, e, at));
                                  failed.incrementAndGet();
                                  if (e instanceof OutOfOrderSequenceException
                                      || String.valueOf(e).contains("OUT_OF_ORDER")
                                      || String.valueOf(e.getCause()).contains("OutOfOrderSequence")) {
                                    outOfOrder.add(
                                        "producer " + producerId + " partition " + partition + " seq " + thisSeq
                                            + " at " + at + " ms: " + e);
                                  }
                                }
                              });
                        }
                        sentCounts[producerId] = seq;
                        // Pacing, not a wait: about 1 MB/s per producer keeps what a run writes
                        // (and reads back) to a few hundred MB however long the restart takes.
                        Thread.sleep(PACE_MS);
                      }
                    } catch (Throwable t) {
                      crashes.add(t);
                    }
                  },
                  "stress-producer-" + id);
          threads.add(thread);
          thread.start();
        }

        // Report progress to the Rust side; once it says the broker is back, produce some more,
        // then stop.
        long deadline = start + PRODUCE_LIMIT.toNanos();
        long ackedAtRestart = -1;
        while (System.nanoTime() < deadline && crashes.isEmpty()) {
          writeAtomically(progress, progressLine(producers, acked, failed) + "\n");
          if (ackedAtRestart < 0 && Files.exists(restarted)) {
            ackedAtRestart = acked.get();
          }
          if (ackedAtRestart >= 0 && acked.get() >= ackedAtRestart + AFTER_RESTART * PRODUCERS) {
            break;
          }
          // The reporting interval; the loop itself waits for the conditions above.
          Thread.sleep(100);
        }
        stop.set(true);
        for (Thread thread : threads) {
          thread.join(WAIT.toMillis());
          assertTrue(!thread.isAlive(), thread.getName() + " still sending");
        }
        for (KafkaProducer<String, String> producer : producers) {
          producer.flush();
        }
        writeAtomically(progress, progressLine(producers, acked, failed) + " done\n");
        assertTrue(crashes.isEmpty(), "a producer thread failed: " + crashes);
        assertTrue(ackedAtRestart >= 0, "the Rust side never said the broker was back");
        finalCounts = progressLine(producers, acked, failed);
      } finally {
        for (KafkaProducer<String, String> producer : producers) {
          producer.close(Duration.ofSeconds(30));
        }
      }

      long sentTotal = 0;
      for (long n : sentCounts) {
        sentTotal += n;
      }
      Map<String, Long> failures =
          outcomes.values().stream()
              .filter(o -> o.error() != null)
              .collect(
                  Collectors.groupingBy(
                      o -> o.error().getClass().getSimpleName(), TreeMap::new, Collectors.counting()));
      String summary =
          "via " + via + ": sent " + sentTotal + ", acked " + acked.get() + ", failed " + failed.get()
              + " " + failures + " in " + (System.nanoTime() - start) / 1_000_000 + " ms; "
              + finalCounts;
      System.out.println("STRESS " + summary);
      if (!outOfOrder.isEmpty()) {
        fail(
            "OUT_OF_ORDER_SEQUENCE_NUMBER " + summary + "\n"
                + outOfOrder.stream().limit(30).collect(Collectors.joining("\n")));
      }
      assertEquals(sentTotal, outcomes.size(), "every record sent has an outcome (" + summary + ")");

      verifyLog(direct, topic, outcomes, summary);
      direct.deleteTopics(List.of(topic)).all().get();
    }
  }

  /** Reads the whole topic from the cluster directly and checks it against the outcomes. */
  private static void verifyLog(Admin direct, String topic, Map<Sent, Outcome> outcomes, String summary)
      throws Exception {
    List<TopicPartition> partitions = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      partitions.add(new TopicPartition(topic, p));
    }
    Map<TopicPartition, Long> ends =
        direct
            .listOffsets(partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
            .all()
            .get()
            .entrySet()
            .stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    Properties cp = Env.client(Env.direct());
    cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    cp.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(4 * 1024 * 1024));
    cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    // (producer, seq) -> every offset it was found at, and per (partition, producer) the last seq.
    Map<Sent, List<Long>> found = new HashMap<>();
    List<String> problems = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(cp)) {
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<String, Long> lastSeq = new HashMap<>();
      Map<TopicPartition, Long> position = new HashMap<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (partitions.stream().anyMatch(tp -> position.getOrDefault(tp, 0L) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          fail("read back only up to " + position + " of " + ends + " in 120 s (" + summary + ")");
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          position.put(tp, r.offset() + 1);
          long[] ps = parse(r.value());
          Sent sent = new Sent((int) ps[0], ps[1], r.partition());
          found.computeIfAbsent(sent, k -> new ArrayList<>()).add(r.offset());
          String stream = "partition " + r.partition() + " producer " + ps[0];
          Long previous = lastSeq.put(stream, ps[1]);
          if (previous != null && previous >= ps[1]) {
            problems.add(stream + ": seq " + ps[1] + " at offset " + r.offset() + " after seq " + previous);
          }
        }
      }
    }
    long ackedChecked = 0;
    long failedInLog = 0;
    for (Outcome o : outcomes.values()) {
      List<Long> at = found.getOrDefault(o.sent(), List.of());
      if (o.error() == null) {
        ackedChecked++;
        if (!at.equals(List.of(o.offset()))) {
          problems.add("acknowledged " + o.sent() + " at offset " + o.offset() + " found at " + at);
        }
      } else if (!at.isEmpty()) {
        failedInLog++;
        if (at.size() > 1) {
          problems.add("failed " + o.sent() + " (" + o.error() + ") found " + at.size() + " times: " + at);
        }
      }
    }
    Set<Sent> unknown =
        found.keySet().stream().filter(s -> !outcomes.containsKey(s)).collect(Collectors.toSet());
    if (!unknown.isEmpty()) {
      problems.add(unknown.size() + " records in the log that were never sent, e.g. " + unknown.iterator().next());
    }
    System.out.println(
        "STRESS checked " + ackedChecked + " acknowledged records; " + failedInLog
            + " failed records are in the log anyway (once each)");
    if (!problems.isEmpty()) {
      fail(
          problems.size() + " problems (" + summary + "):\n"
              + problems.stream().limit(40).collect(Collectors.joining("\n")));
    }
  }
}
