//! The command line, as clap sees it: the seed's commands (section 4 of the KIP-4 draft) with
//! their options ported from Kafka's `TopicCommand`, `ReassignPartitionsCommand` and
//! `PreferredReplicaLeaderElectionCommand`.
//!
//! Every command is a subcommand that is also a long flag, so that the seed's `adminwire
//! --create-topic --topic T ...` works as written, `adminwire --create-topic --help` shows that
//! command's options, and the shell (which has no dashes: `create-topic --topic T`) parses its
//! lines with the very same definitions.

use std::path::PathBuf;

use adminwire_client::ReplicaAssignment;
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

/// `adminwire`'s own command line.
#[derive(Debug, Parser)]
#[command(
    name = "adminwire",
    version,
    about = "Administer a Kafka cluster through its adminwire sidecar: topics, partition \
             reassignments and preferred replica leader elections, from the command line or an \
             interactive shell (--shell).",
    subcommand_required = true,
    arg_required_else_help = true,
    subcommand_value_name = "COMMAND",
    subcommand_help_heading = "Commands"
)]
pub struct Cli {
    /// Where the cluster's adminwire sidecar listens: one or more host:port, comma-separated.
    /// Every command needs it.
    #[arg(
        long,
        global = true,
        value_name = "HOST:PORT[,HOST:PORT]",
        value_delimiter = ',',
        display_order = 100
    )]
    pub broker_list: Vec<String>,

    /// How results are printed: tables and sentences for people, or one JSON document for
    /// scripts (docs/cli.md describes each).
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Human, display_order = 101)]
    pub output: OutputFormat,

    #[command(subcommand)]
    pub command: CliCommand,
}

/// The command-line-only commands, and the admin commands both modes share.
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    #[command(flatten)]
    Admin(AdminCommand),
    /// Start the interactive shell (prompt `kafka>`), connected to the cluster once.
    #[command(long_flag = "shell")]
    Shell,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Sentences and tables.
    Human,
    /// One JSON document on stdout; errors as JSON on stderr.
    Json,
}

/// The admin commands, the same on the command line and in the shell.
#[derive(Debug, Clone, Subcommand)]
pub enum AdminCommand {
    /// Create a topic: --partitions and --replication-factor, or --replica-assignment.
    #[command(long_flag = "create-topic")]
    CreateTopic(CreateTopicArgs),
    /// Add partitions to a topic, and set or delete its configs.
    #[command(long_flag = "alter-topic")]
    AlterTopic(AlterTopicArgs),
    /// Delete a topic.
    #[command(long_flag = "delete-topic")]
    DeleteTopic(TopicArgs),
    /// List the cluster's topics.
    #[command(long_flag = "list-topics")]
    ListTopics(ListTopicsArgs),
    /// Describe a topic: its partitions' leaders, replicas and in-sync replicas, and its configs.
    #[command(long_flag = "describe-topic")]
    DescribeTopic(TopicArgs),
    /// Move partitions' replicas as a reassignment JSON file says.
    #[command(long_flag = "reassign-partitions")]
    ReassignPartitions(ReassignArgs),
    /// Say how far the reassignment of a reassignment JSON file has come, per partition.
    #[command(long_flag = "verify-reassign-partitions")]
    VerifyReassignPartitions(PlanFileArgs),
    /// Make each partition's preferred replica (its first) its leader.
    #[command(long_flag = "preferred-replica-leader-election")]
    PreferredReplicaLeaderElection(ElectionArgs),
    /// Say whether each partition is led by its preferred replica.
    #[command(long_flag = "verify-preferred-replica-leader-election")]
    VerifyPreferredReplicaLeaderElection(ElectionFileArgs),
    /// Show the cluster's brokers and which one is the controller.
    #[command(long_flag = "cluster-metadata")]
    ClusterMetadata,
}

impl AdminCommand {
    /// The command's name, as typed in the shell.
    pub fn name(&self) -> &'static str {
        match self {
            AdminCommand::CreateTopic(_) => "create-topic",
            AdminCommand::AlterTopic(_) => "alter-topic",
            AdminCommand::DeleteTopic(_) => "delete-topic",
            AdminCommand::ListTopics(_) => "list-topics",
            AdminCommand::DescribeTopic(_) => "describe-topic",
            AdminCommand::ReassignPartitions(_) => "reassign-partitions",
            AdminCommand::VerifyReassignPartitions(_) => "verify-reassign-partitions",
            AdminCommand::PreferredReplicaLeaderElection(_) => "preferred-replica-leader-election",
            AdminCommand::VerifyPreferredReplicaLeaderElection(_) => {
                "verify-preferred-replica-leader-election"
            }
            AdminCommand::ClusterMetadata => "cluster-metadata",
        }
    }

    /// The `--topic` of a topic command, to be filled in from the shell's topic context.
    pub fn topic_mut(&mut self) -> Option<&mut Option<String>> {
        match self {
            AdminCommand::CreateTopic(args) => Some(&mut args.topic),
            AdminCommand::AlterTopic(args) => Some(&mut args.topic),
            AdminCommand::DeleteTopic(args) | AdminCommand::DescribeTopic(args) => {
                Some(&mut args.topic)
            }
            _ => None,
        }
    }
}

/// The commands that take `--topic`: in the shell, a topic context stands in for it.
pub const TOPIC_COMMANDS: [&str; 4] =
    ["create-topic", "alter-topic", "delete-topic", "describe-topic"];

/// The options whose value is a file, for the shell's completion.
pub const FILE_OPTIONS: [&str; 2] =
    ["--reassignment-json-file", "--preferred-replica-leader-election-json-file"];

#[derive(Debug, Clone, Args)]
#[command(group(
    ArgGroup::new("layout").required(true).args(["partitions", "replica_assignment"])
))]
pub struct CreateTopicArgs {
    /// The topic to create.
    #[arg(long, required = true, value_name = "TOPIC")]
    pub topic: Option<String>,
    /// The number of partitions, placed by the cluster (needs --replication-factor).
    #[arg(long, value_name = "N", requires = "replication_factor")]
    pub partitions: Option<u32>,
    /// The replicas of each partition (needs --partitions).
    #[arg(long, value_name = "R", requires = "partitions")]
    pub replication_factor: Option<u16>,
    /// Where each partition's replicas go, preferred leader first: partitions separated by
    /// commas, brokers by colons (0:1:2,1:2:0). Instead of --partitions and
    /// --replication-factor.
    #[arg(
        long,
        value_name = "BROKER:BROKER,...",
        conflicts_with_all = ["partitions", "replication_factor"]
    )]
    pub replica_assignment: Option<ReplicaAssignment>,
    /// A topic config to set, e.g. retention.ms=86400000; repeat for more.
    #[arg(long = "config", value_name = "KEY=VALUE", value_parser = key_value)]
    pub configs: Vec<(String, String)>,
}

#[derive(Debug, Clone, Args)]
#[command(group(
    ArgGroup::new("change").required(true).multiple(true).args(["partitions", "configs", "delete_configs"])
))]
pub struct AlterTopicArgs {
    /// The topic to alter.
    #[arg(long, required = true, value_name = "TOPIC")]
    pub topic: Option<String>,
    /// The new number of partitions (more than now: partitions cannot be removed).
    #[arg(long, value_name = "N")]
    pub partitions: Option<u32>,
    /// Where the added partitions' replicas go (needs --partitions), e.g. 1:2,2:3 for two more.
    #[arg(long, value_name = "BROKER:BROKER,...", requires = "partitions")]
    pub replica_assignment: Option<ReplicaAssignment>,
    /// A topic config to set, e.g. retention.ms=86400000; repeat for more.
    #[arg(long = "config", value_name = "KEY=VALUE", value_parser = key_value)]
    pub configs: Vec<(String, String)>,
    /// A topic config to remove (back to the cluster's default); repeat for more.
    #[arg(long = "delete-config", value_name = "KEY")]
    pub delete_configs: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct TopicArgs {
    /// The topic.
    #[arg(long, required = true, value_name = "TOPIC")]
    pub topic: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ListTopicsArgs {
    /// Leave out internal topics such as __consumer_offsets.
    #[arg(long)]
    pub exclude_internal: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ReassignArgs {
    #[command(flatten)]
    pub plan: PlanFileArgs,
    /// Wait until every partition is done, with a progress bar; Ctrl-C stops waiting (the
    /// reassignment goes on).
    #[arg(long)]
    pub blocking: bool,
}

#[derive(Debug, Clone, Args)]
pub struct PlanFileArgs {
    /// The reassignment plan, as kafka-reassign-partitions writes it:
    /// {"version":1,"partitions":[{"topic":"foo","partition":1,"replicas":[1,2,3]}]}
    #[arg(long, required = true, value_name = "FILE")]
    pub reassignment_json_file: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct ElectionArgs {
    #[command(flatten)]
    pub file: ElectionFileArgs,
    /// Wait until every partition is led by its preferred replica, with a progress bar; Ctrl-C
    /// stops waiting (the election goes on).
    #[arg(long)]
    pub blocking: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ElectionFileArgs {
    /// The partitions, {"partitions":[{"topic":"foo","partition":1}]}; without it, every
    /// partition of the cluster.
    #[arg(long, visible_alias = "path-to-json-file", value_name = "FILE")]
    pub preferred_replica_leader_election_json_file: Option<PathBuf>,
}

/// `KEY=VALUE`, split at the first `=`; the value may be empty, the key may not.
fn key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_owned(), value.to_owned()))
        }
        _ => Err(format!("{text:?} is not KEY=VALUE")),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("adminwire").chain(args.iter().copied()))
    }

    #[test]
    fn the_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_seeds_command_lines_parse() {
        let cli = parse(&[
            "--create-topic",
            "--topic",
            "my_topic",
            "--partitions",
            "5",
            "--replication-factor",
            "3",
            "--config",
            "key=value",
            "--broker-list",
            "h:1,h:2",
        ])
        .unwrap();
        assert_eq!(cli.broker_list, ["h:1", "h:2"]);
        let CliCommand::Admin(AdminCommand::CreateTopic(args)) = cli.command else {
            panic!("{:?}", cli.command)
        };
        assert_eq!((args.partitions, args.replication_factor), (Some(5), Some(3)));
        assert_eq!(args.configs, [("key".to_owned(), "value".to_owned())]);
        assert!(parse(&["--alter-topic", "--topic", "t", "--partitions", "10"]).is_ok());
        assert!(
            parse(&["--reassign-partitions", "--reassignment-json-file", "f", "--blocking"])
                .is_ok()
        );
        assert!(parse(&["--broker-list", "h:1", "--shell"]).is_ok());
    }

    #[test]
    fn wrong_combinations_are_usage_errors() {
        let kind = |args: &[&str]| parse(args).map(|_| ()).unwrap_err().kind();
        assert_eq!(
            kind(&["--create-topic", "--topic", "t", "--partitions", "3"]),
            ErrorKind::MissingRequiredArgument
        );
        assert_eq!(
            kind(&[
                "--create-topic",
                "--topic",
                "t",
                "--partitions",
                "1",
                "--replication-factor",
                "1",
                "--replica-assignment",
                "1"
            ]),
            ErrorKind::ArgumentConflict
        );
        assert_eq!(kind(&["--create-topic", "--topic", "t"]), ErrorKind::MissingRequiredArgument);
        assert_eq!(kind(&["--alter-topic", "--topic", "t"]), ErrorKind::MissingRequiredArgument);
        assert_eq!(kind(&["--describe-topic"]), ErrorKind::MissingRequiredArgument);
        assert_eq!(
            kind(&["--create-topic", "--topic", "t", "--replica-assignment", "1:x"]),
            ErrorKind::ValueValidation
        );
        assert_eq!(
            kind(&["--alter-topic", "--topic", "t", "--config", "novalue"]),
            ErrorKind::ValueValidation
        );
    }
}
