//! The interactive shell, driven through a pseudo-terminal against a real sidecar in front of
//! the real cluster: the seed's session (connect, create, alter, switch topic, describe, leave
//! the topic), tab completion of commands, options and topic names, history across sessions,
//! Ctrl-C, errors that leave the shell running, help, and Ctrl-D.

mod support;

use adminwire_test_support::sidecar::TestSidecar;
use adminwire_test_support::{Cluster, unique_topic};
use support::Terminal;

#[test]
fn the_seeds_session_with_completion_context_history_and_errors() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    sidecar.wait_for_brokers(3);
    let history = std::env::temp_dir().join(unique_topic("shell-history"));
    let topic = unique_topic("shell");
    let bootstrap = sidecar.bootstrap();

    let mut shell = Terminal::start(&["--shell", "--broker-list", &bootstrap], &history);
    shell.expect("Connected to Kafka Controller at 127.0.0.1:");
    shell.expect(".\r\n");
    shell.expect("kafka> ");

    shell.command(
        &format!("create-topic --topic {topic} --partitions 2 --replication-factor 3"),
        &format!("Topic \"{topic}\" is created."),
        "kafka> ",
    );
    shell.command(
        &format!("alter-topic --topic {topic} --partitions 3"),
        &format!("Topic \"{topic}\" is changed."),
        "kafka> ",
    );

    // The topic context: commands apply to it without --topic.
    shell.command(
        &format!("topic {topic}"),
        &format!("Switched to \"{topic}\" topic."),
        &format!("kafka {topic}> "),
    );
    shell.command(
        "describe-topic",
        &format!("Topic: {topic}  Partitions: 3  Replication factor: 3"),
        &format!("kafka {topic}> "),
    );
    shell.command(
        "alter-topic --config retention.ms=3600000",
        &format!("Topic \"{topic}\" is changed."),
        &format!("kafka {topic}> "),
    );
    // Leaving the context: --topic is needed again, and its absence is a usage error that
    // leaves the shell running.
    shell.type_keys("topic\r");
    shell.expect("kafka> ");
    shell.command(
        "describe-topic",
        "the following required arguments were not provided",
        "kafka> ",
    );

    // Completion: a command from its start, an option, a topic name asked of the cluster. The
    // line only works if each completion filled in the rest.
    let prefix = &topic[..topic.len() - 3];
    // `desc` alone would stop at `describe-`, shared by describe-topic and describe-job.
    shell.type_keys("describe-t\t");
    shell.type_keys("--to\t");
    shell.type_keys(&format!("{prefix}\t"));
    shell.type_keys("\r");
    shell.expect(&format!("\"{topic}\" details:"));
    shell.expect("Configs: retention.ms=3600000");
    shell.expect("kafka> ");
    // Completing `topic` switches context with a completed name too.
    shell.type_keys(&format!("topic {prefix}\t\r"));
    shell.expect(&format!("Switched to \"{topic}\" topic."));
    shell.expect(&format!("kafka {topic}> "));
    shell.type_keys("topic\r");
    shell.expect("kafka> ");

    // Errors print and the shell goes on.
    let missing = unique_topic("shell-missing");
    shell.command(
        &format!("describe-topic --topic {missing}"),
        &format!("error: UNKNOWN_TOPIC_OR_PARTITION (3): Topic '{missing}' does not exist."),
        "kafka> ",
    );
    shell.command("no-such-command", "unrecognized subcommand 'no-such-command'", "kafka> ");
    shell.command("create-topic --topic 'unbalanced", "error: unbalanced quotes", "kafka> ");

    // Help: the command list, and one command's options.
    shell.command("help", "verify-reassign-partitions", "kafka> ");
    shell.command("help create-topic", "--replication-factor <R>", "kafka> ");
    shell.command("list-topics --help", "--exclude-internal", "kafka> ");

    // Ctrl-C clears the line: what was typed before it is not run.
    shell.type_keys("list-top");
    shell.type_keys("\x03");
    shell.expect("kafka> ");
    shell.command("cluster-metadata", "Controller: 127.0.0.1:", "kafka> ");

    // History: Up recalls the last command.
    shell.type_keys("\x1b[A\r");
    shell.expect("Controller: 127.0.0.1:");
    shell.expect("kafka> ");
    shell.type_keys("exit\r");
    assert_eq!(shell.exit_code(), 0);

    let saved = std::fs::read_to_string(&history).expect("the history file");
    let lines: Vec<&str> = saved.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(lines.contains(&format!("topic {topic}").as_str()), "{saved}");
    assert!(lines.contains(&"cluster-metadata"), "{saved}");
    assert_eq!(lines.last(), Some(&"exit"), "{saved}");

    // A new shell has the history of the last: Up twice is cluster-metadata (before `exit`).
    let mut shell = Terminal::start(&["--shell", "--broker-list", &bootstrap], &history);
    shell.expect("kafka> ");
    shell.type_keys("\x1b[A\x1b[A\r");
    shell.expect("Controller: 127.0.0.1:");
    shell.expect("kafka> ");
    shell.command(
        &format!("delete-topic --topic {topic}"),
        &format!("Topic \"{topic}\" is deleted."),
        "kafka> ",
    );
    // Ctrl-D quits.
    shell.type_keys("\x04");
    assert_eq!(shell.exit_code(), 0);
    let _ = std::fs::remove_file(history);
}

#[test]
fn the_shell_prints_json_when_asked_and_exits_1_if_it_cannot_connect() {
    let cluster = Cluster::plain();
    let sidecar = TestSidecar::start(cluster);
    let history = std::env::temp_dir().join(unique_topic("shell-history"));
    let mut shell = Terminal::start(
        &["--shell", "--output", "json", "--broker-list", &sidecar.bootstrap()],
        &history,
    );
    shell.expect("kafka> ");
    let topic = unique_topic("shell-json");
    shell.command(
        &format!("create-topic --topic {topic} --replica-assignment 1:2"),
        &format!(r#"{{"result":"created","topic":"{topic}"}}"#),
        "kafka> ",
    );
    shell.command(
        &format!("delete-topic --topic {topic}"),
        &format!(r#"{{"result":"deleted","topic":"{topic}"}}"#),
        "kafka> ",
    );
    shell.type_keys("quit\r");
    assert_eq!(shell.exit_code(), 0);

    let nowhere = format!("127.0.0.1:{}", adminwire_test_support::sidecar::free_port());
    let mut shell = Terminal::start(&["--shell", "--broker-list", &nowhere], &history);
    shell.expect(&format!("error: ConnectionError: connection to {nowhere} failed"));
    assert_eq!(shell.exit_code(), 1);
    let _ = std::fs::remove_file(history);
}
