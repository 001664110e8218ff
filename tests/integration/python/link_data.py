"""Data for cluster link tests, written and read with confluent-kafka (librdkafka) as an
independent witness.

  produce       keyed records with headers, spread over the topic's partitions, stamped a
                millisecond apart up to now (or each as it is written: --current-time), at most
                --rate records a second
  transactions  a transactional producer: committed and aborted transactions, one after another
                (--transactional-id, else one from the topic's name)
  try-transaction  one transaction writing --count records to the topic and one to --also,
                committed (aborted if refused so that it must be); reports {"committed": bool, "error": {"code", "name", "message",
                "fatal", "abortable"}} (a transaction that may be refused)
  dump          every committed record of the topic (read_committed, from the start), one JSON
                line each: partition, offset, key, value and headers (hex), timestamp
  commit        commits --offsets P:O,... of the topic for --group, as a consumer outside the group
  committed     the group's committed offsets of the topic: {"P": offset}
  hold          joins --group on the topic and stays in it for --seconds (an active member)
  consume       joins --group (--client-id) on the topic and reads --count records, committing
                each, one JSON line each (partition, offset, value); before them a line
                {"assigned_ms": ...}, the time its first partitions were assigned. With --stay it
                then stays in the group, reading no more, until its standard input closes; it gives
                up after --seconds in all
  delete-before deletes the records before --offsets P:O,... (DeleteRecords: the log start moves)
  txn-steps     a transactional producer (--transactional-id) driven by its standard input, once
                it prints {"ready": true}, a line each: "write" begins a transaction and writes --count records (each acknowledged),
                printing {"written": n}; "commit" and "abort" end it, printing {"ended": ...} or
                {"error": ...}
  try-produce   produces --count records and reports each one's fate: {"delivered": n, "errors":
                [{"code", "name", "message"}, ...]} (a write that may be refused)
  app-produce   an application's idempotent producer, writing until its standard input closes:
                values "<--name>-<sequence>" from --start on, keyed by the sequence modulo 10, at
                --rate records a second; a line {"acked": value, "partition", "offset", "ms"} for
                each record acknowledged (when, in ms since the epoch), {"failed": value, "error"} for each one given up on, and at the
                end {"next": sequence} once every record sent was acknowledged or failed
  app-consume   an application's consumer in --group (--client-id), reading until its standard
                input closes: a line {"partition", "offset", "value"} for each record, each batch
                committed (synchronously) before the next is read, so that everything printed is
                committed when it leaves the group; at the end {"records": n}
"""

import argparse
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition


def produce(args):
    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True,
                         "linger.ms": 5})
    base = int(time.time() * 1000) - args.count
    started = time.monotonic()
    for i in range(args.count):
        headers = [("n", str(i).encode()), ("empty", b"")] if i % 3 else None
        # One millisecond apart, ending now, unless --current-time (each stamped as it is
        # written: a time-based segment roll, segment.ms, goes by the records' timestamps).
        # Never far in the past: the brokers' retention would delete such records (from a mirror
        # or its source) whenever its check runs, in the middle of a test.
        timestamp = 0 if args.current_time else base + i
        producer.produce(args.topic, key=f"key-{i % 50}".encode(), value=f"value-{i}".encode() * (1 + i % 4),
                         headers=headers, timestamp=timestamp)
        if i % 1000 == 0:
            producer.poll(0)
            # --rate: at most that many records a second, so that a test can act while this runs.
            if args.rate:
                ahead = i / args.rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
    left = producer.flush(60)
    if left:
        sys.exit(f"{left} records not delivered")
    print(json.dumps({"produced": args.count}))


def transactions(args):
    producer = Producer({"bootstrap.servers": args.bootstrap,
                         "transactional.id": args.transactional_id or f"link-test-{args.topic}"})
    producer.init_transactions(60)
    committed = aborted = 0
    for t in range(args.count):
        producer.begin_transaction()
        for i in range(5):
            producer.produce(args.topic, key=f"t{t}-{i}".encode(), value=f"txn-{t}-{i}".encode(),
                             headers=[("txn", str(t).encode())])
        if t % 3 == 1:
            # Written first (each write acknowledged), so that the abort has records to undo.
            producer.flush(60)
            producer.abort_transaction(60)
            aborted += 5
        else:
            producer.commit_transaction(60)
            committed += 5
    print(json.dumps({"committed": committed, "aborted": aborted}))


def dump(args):
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "link-test-dump",
                         "enable.auto.commit": False, "isolation.level": "read_committed",
                         "enable.partition.eof": True, "auto.offset.reset": "earliest"})
    metadata = consumer.list_topics(args.topic, timeout=30)
    partitions = sorted(metadata.topics[args.topic].partitions)
    consumer.assign([TopicPartition(args.topic, p, 0) for p in partitions])
    done = set()
    records = 0
    while len(done) < len(partitions):
        message = consumer.poll(30)
        if message is None:
            sys.exit(f"no record or end of partition within 30 s; ended: {sorted(done)}")
        if message.error():
            if message.error().code() == -191:  # _PARTITION_EOF
                done.add(message.partition())
                continue
            sys.exit(f"consume error: {message.error()}")
        headers = [[k, (v or b"").hex()] for k, v in (message.headers() or [])]
        print(json.dumps({"partition": message.partition(), "offset": message.offset(),
                          "key": (message.key() or b"").hex(), "value": (message.value() or b"").hex(),
                          "headers": headers, "timestamp": message.timestamp()[1]}))
        records += 1
    consumer.close()
    print(json.dumps({"records": records}))


def commit(args):
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group,
                         "enable.auto.commit": False})
    offsets = [TopicPartition(args.topic, int(p), int(o))
               for p, o in (pair.split(":") for pair in args.offsets.split(","))]
    consumer.commit(offsets=offsets, asynchronous=False)
    consumer.close()
    print(json.dumps({"committed": len(offsets)}))


def committed(args):
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group,
                         "enable.auto.commit": False})
    metadata = consumer.list_topics(args.topic, timeout=30)
    partitions = [TopicPartition(args.topic, p) for p in sorted(metadata.topics[args.topic].partitions)]
    found = consumer.committed(partitions, timeout=30)
    consumer.close()
    print(json.dumps({str(tp.partition): tp.offset for tp in found if tp.offset >= 0}))


def hold(args):
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group,
                         "enable.auto.commit": False, "auto.offset.reset": "latest"})
    consumer.subscribe([args.topic])
    until = time.time() + args.seconds
    print(json.dumps({"joined": True}), flush=True)
    while time.time() < until:
        consumer.poll(0.5)
    consumer.close()


def consume(args):
    import threading
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group,
                         "client.id": args.client_id, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest", "session.timeout.ms": 10000})
    assigned = []

    def on_assign(_consumer, partitions):
        if partitions and not assigned:
            assigned.append(int(time.time() * 1000))
            print(json.dumps({"assigned_ms": assigned[0]}), flush=True)

    consumer.subscribe([args.topic], on_assign=on_assign)
    deadline = time.time() + args.seconds
    read = 0
    while read < args.count:
        if time.time() > deadline:
            sys.exit(f"read {read} of {args.count} records within {args.seconds} s")
        message = consumer.poll(0.5)
        if message is None:
            continue
        if message.error():
            sys.exit(f"consume error: {message.error()}")
        print(json.dumps({"partition": message.partition(), "offset": message.offset(),
                          "value": (message.value() or b"").decode()}), flush=True)
        consumer.commit(message=message, asynchronous=False)
        read += 1
    if args.stay:
        consumer.pause(consumer.assignment())
        closed = threading.Event()
        threading.Thread(target=lambda: (sys.stdin.read(), closed.set()), daemon=True).start()
        while not closed.is_set() and time.time() < deadline:
            consumer.poll(0.2)
    consumer.close()
    print(json.dumps({"records": read}), flush=True)


def delete_before(args):
    from confluent_kafka import TopicPartition as TP
    from confluent_kafka.admin import AdminClient
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    offsets = [TP(args.topic, int(p), int(o)) for p, o in (pair.split(":") for pair in args.offsets.split(","))]
    for tp, future in admin.delete_records(offsets).items():
        future.result(30)
    print(json.dumps({"deleted_before": args.offsets}))


def try_transaction(args):
    producer = Producer({"bootstrap.servers": args.bootstrap,
                         "transactional.id": args.transactional_id or f"link-try-{args.topic}"})
    producer.init_transactions(60)
    producer.begin_transaction()
    try:
        for i in range(args.count):
            producer.produce(args.topic, value=f"try-{i}".encode())
        producer.produce(args.also, value=b"also")
        producer.commit_transaction(60)
        print(json.dumps({"committed": True}))
    except KafkaException as e:
        error = e.args[0]
        # As an application does: a transaction that needs it is aborted, not left open.
        aborted = None
        if error.txn_requires_abort():
            try:
                producer.abort_transaction(60)
                aborted = True
            except KafkaException as abort_error:
                aborted = abort_error.args[0].str()
        print(json.dumps({"committed": False, "aborted": aborted, "error": {
            "code": error.code(), "name": error.name(), "message": error.str(),
            "fatal": error.fatal(), "abortable": error.txn_requires_abort()}}))


def txn_steps(args):
    producer = Producer({"bootstrap.servers": args.bootstrap,
                         "transactional.id": args.transactional_id or f"link-steps-{args.topic}"})
    producer.init_transactions(60)
    print(json.dumps({"ready": True}), flush=True)
    written = 0
    for line in sys.stdin:
        step = line.strip()
        try:
            if step == "write":
                producer.begin_transaction()
                for i in range(args.count):
                    producer.produce(args.topic, value=f"step-{written + i}".encode())
                left = producer.flush(60)
                written += args.count
                print(json.dumps({"written": args.count - left}), flush=True)
            elif step == "commit":
                producer.commit_transaction(60)
                print(json.dumps({"ended": "commit"}), flush=True)
            elif step == "abort":
                producer.abort_transaction(60)
                print(json.dumps({"ended": "abort"}), flush=True)
        except KafkaException as e:
            error = e.args[0]
            print(json.dumps({"error": {"code": error.code(), "name": error.name(),
                                        "message": error.str()}}), flush=True)


def try_produce(args):
    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": False,
                         "retries": 0, "message.timeout.ms": 30000})
    delivered = 0
    errors = []

    def report(err, _msg):
        nonlocal delivered
        if err is None:
            delivered += 1
        else:
            errors.append({"code": err.code(), "name": err.name(), "message": err.str()})

    for i in range(args.count):
        producer.produce(args.topic, value=f"try-{i}".encode(), on_delivery=report)
    left = producer.flush(60)
    print(json.dumps({"delivered": delivered, "errors": errors, "undecided": left}))


def until_stdin_closes():
    """An event set once standard input closes: how the test stops an application."""
    import threading
    closed = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), closed.set()), daemon=True).start()
    return closed


def app_produce(args):
    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True,
                         "client.id": args.client_id, "linger.ms": 5,
                         "message.timeout.ms": 180000})

    def report(err, msg):
        value = msg.value().decode()
        if err is None:
            line = {"acked": value, "partition": msg.partition(), "offset": msg.offset(),
                    "ms": int(time.time() * 1000)}
        else:
            line = {"failed": value, "error": err.str()}
        print(json.dumps(line), flush=True)

    closed = until_stdin_closes()
    rate = args.rate or 100.0
    sequence = args.start
    started = time.monotonic()
    while not closed.is_set():
        producer.produce(args.topic, key=f"key-{sequence % 10}".encode(),
                         value=f"{args.name}-{sequence:08d}".encode(), on_delivery=report)
        sequence += 1
        producer.poll(0)
        ahead = (sequence - args.start) / rate - (time.monotonic() - started)
        if ahead > 0:
            closed.wait(ahead)
    left = producer.flush(180)
    if left:
        sys.exit(f"{left} records neither acknowledged nor failed")
    print(json.dumps({"next": sequence}), flush=True)


def commit_batch(consumer):
    """Commits what was read, retrying for a while: a coordinator moving, or a sidecar restarting
    in between, is a retriable failure an application rides out."""
    deadline = time.monotonic() + 60
    while True:
        try:
            consumer.commit(asynchronous=False)
            return
        except KafkaException as e:
            if time.monotonic() > deadline:
                print(json.dumps({"commit_error": e.args[0].str()}), flush=True)
                return
            time.sleep(0.5)


def app_consume(args):
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group,
                         "client.id": args.client_id, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest", "session.timeout.ms": 10000})
    consumer.subscribe([args.topic])
    closed = until_stdin_closes()
    read = 0
    while not closed.is_set():
        messages = consumer.consume(500, 0.5)
        for message in messages:
            if message.error():
                sys.exit(f"consume error: {message.error()}")
            print(json.dumps({"partition": message.partition(), "offset": message.offset(),
                              "value": (message.value() or b"").decode()}), flush=True)
        if messages:
            commit_batch(consumer)
            read += len(messages)
    consumer.close()
    print(json.dumps({"records": read}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command",
                        choices=["produce", "transactions", "dump", "commit", "committed", "hold",
                                 "consume", "delete-before", "try-produce", "try-transaction",
                                 "txn-steps", "app-produce", "app-consume"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--group", default="link-test")
    parser.add_argument("--client-id", default="link-test-consumer")
    parser.add_argument("--stay", action="store_true",
                        help="consume: stay in the group after --count, until stdin closes")
    parser.add_argument("--offsets", default="")
    parser.add_argument("--transactional-id", default="")
    parser.add_argument("--also", default="", help="try-transaction: the other topic written")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rate", type=float, default=0,
                        help="produce: at most this many records a second (0: as fast as it can)")
    parser.add_argument("--current-time", action="store_true",
                        help="produce: records stamped now rather than with fixed timestamps")
    parser.add_argument("--name", default="app", help="app-produce: the values' prefix")
    parser.add_argument("--start", type=int, default=0, help="app-produce: the first sequence")
    args = parser.parse_args()
    commands = {"produce": produce, "transactions": transactions, "dump": dump, "commit": commit,
                "committed": committed, "hold": hold, "consume": consume,
                "delete-before": delete_before,
                "try-produce": try_produce, "try-transaction": try_transaction,
                "txn-steps": txn_steps, "app-produce": app_produce, "app-consume": app_consume}
    commands[args.command](args)


if __name__ == "__main__":
    main()
