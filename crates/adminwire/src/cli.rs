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

    /// A Kafka client properties file, as Kafka's tools take it: `security.protocol`
    /// (PLAINTEXT or SASL_PLAINTEXT), `sasl.mechanism` (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512),
    /// `sasl.jaas.config`, and timeouts (`request.timeout.ms`, ...). --broker-list names the
    /// servers.
    #[arg(long, global = true, value_name = "FILE", display_order = 100)]
    pub command_config: Option<std::path::PathBuf>,

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
    /// Move partitions' replicas: as a reassignment JSON file says, or as a job onto --brokers
    /// (with --throttle, --execute-at, --estimate, --dry-run).
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
    /// List the reassignment jobs the sidecar knows, oldest first.
    #[command(long_flag = "list-jobs")]
    ListJobs,
    /// Describe a reassignment job: its state, bytes moved and partitions.
    #[command(long_flag = "describe-job")]
    DescribeJob(DescribeJobArgs),
    /// Pause a reassignment job: no new move starts; moves under way finish.
    #[command(long_flag = "pause-job")]
    PauseJob(JobArgs),
    /// Resume a paused reassignment job.
    #[command(long_flag = "resume-job")]
    ResumeJob(JobArgs),
    /// Cancel a reassignment job: moves under way are reverted, throttles restored.
    #[command(long_flag = "cancel-job")]
    CancelJob(JobArgs),
    /// Move a scheduled reassignment job's start to --execute-at.
    #[command(long_flag = "reschedule-job")]
    RescheduleJob(RescheduleJobArgs),
    /// Run an ended reassignment job again for the partitions it did not move, each planned
    /// from the replicas it has now.
    #[command(long_flag = "restart-job")]
    RestartJob(RestartJobArgs),
    /// Make a cluster link: mirror topics of another cluster here and carry groups' offsets over.
    #[command(long_flag = "create-link")]
    CreateLink(CreateLinkArgs),
    /// List the cluster links.
    #[command(long_flag = "list-links")]
    ListLinks,
    /// Describe a cluster link: its mirrors, each partition's copy, and its groups.
    #[command(long_flag = "describe-link")]
    DescribeLink(LinkArgs),
    /// Add or remove a link's topics and groups.
    #[command(long_flag = "alter-link")]
    AlterLink(AlterLinkArgs),
    /// Pause a cluster link: copying and carrying over stop where they are.
    #[command(long_flag = "pause-link")]
    PauseLink(LinkArgs),
    /// Resume a paused cluster link.
    #[command(long_flag = "resume-link")]
    ResumeLink(LinkArgs),
    /// Promote a mirror topic to an ordinary, writable one (--failover: at once).
    #[command(long_flag = "promote")]
    Promote(PromoteArgs),
    /// Hand a linked group over to the target now, without waiting for its source group to be
    /// empty (normally it is handed over by itself once its consumers there have stopped).
    #[command(long_flag = "hand-over")]
    HandOver(GroupMoveArgs),
    /// Hand a linked group back to the source: its offsets on the target are carried back once
    /// no member is left there, and its members joining the target are held again.
    #[command(long_flag = "hand-back")]
    HandBack(GroupMoveArgs),
    /// Delete a cluster link (--delete-mirrors: its mirror topics too).
    #[command(long_flag = "delete-link")]
    DeleteLink(DeleteLinkArgs),
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
            AdminCommand::ListJobs => "list-jobs",
            AdminCommand::DescribeJob(_) => "describe-job",
            AdminCommand::PauseJob(_) => "pause-job",
            AdminCommand::ResumeJob(_) => "resume-job",
            AdminCommand::CancelJob(_) => "cancel-job",
            AdminCommand::RescheduleJob(_) => "reschedule-job",
            AdminCommand::RestartJob(_) => "restart-job",
            AdminCommand::CreateLink(_) => "create-link",
            AdminCommand::ListLinks => "list-links",
            AdminCommand::DescribeLink(_) => "describe-link",
            AdminCommand::AlterLink(_) => "alter-link",
            AdminCommand::PauseLink(_) => "pause-link",
            AdminCommand::ResumeLink(_) => "resume-link",
            AdminCommand::Promote(_) => "promote",
            AdminCommand::HandOver(_) => "hand-over",
            AdminCommand::HandBack(_) => "hand-back",
            AdminCommand::DeleteLink(_) => "delete-link",
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

/// `--reassign-partitions`: a plan file, or topics to place on brokers. A Kafka plan file alone
/// runs KIP-4's ReassignPartitions, as it always did; any job option, topics given by flags, or a
/// file in the job request's form runs it as a reassignment job of the sidecar.
#[derive(Debug, Clone, Args)]
#[command(group(
    ArgGroup::new("what").required(true).args(["reassignment_json_file", "topics"])
))]
pub struct ReassignArgs {
    /// What to move: kafka-reassign-partitions' plan,
    /// {"version":1,"partitions":[{"topic":"foo","partition":1,"replicas":[1,2,3]}]}, or a job
    /// request, {"reassignments":[{"topic":"foo","brokers":[1,2,3],"replication_factor":2}],
    /// "throttle":10000000} (docs/cli.md describes both).
    #[arg(long, value_name = "FILE")]
    pub reassignment_json_file: Option<PathBuf>,
    /// A topic to place on --brokers, as a job (repeat for more topics).
    #[arg(long = "topic", value_name = "TOPIC", requires = "brokers")]
    pub topics: Vec<String>,
    /// The brokers to place the --topic topics on, comma-separated.
    #[arg(long, value_name = "BROKER,BROKER", value_delimiter = ',', requires = "topics")]
    pub brokers: Vec<i32>,
    /// The --topic topics' replication factor after the move (default: as now).
    #[arg(long, value_name = "N", requires = "topics")]
    pub replication_factor: Option<u16>,
    /// Limit the job's replication to this many bytes a second per broker and direction.
    #[arg(long, value_name = "BYTES_PER_SEC", value_parser = clap::value_parser!(u64).range(1..))]
    pub throttle: Option<u64>,
    /// Balance the bytes each broker holds as well as its replica count.
    #[arg(long)]
    pub weigh_by_size: bool,
    /// Start the job then rather than now: milliseconds since the Unix epoch, or an RFC 3339
    /// time such as 2026-12-01T22:00:00Z.
    #[arg(long, value_name = "EPOCH_MS|RFC3339", value_parser = execute_at)]
    pub execute_at: Option<u64>,
    /// Only estimate how long it would take, with the bytes per broker; nothing moves.
    #[arg(long, conflicts_with_all = ["dry_run", "blocking"])]
    pub estimate: bool,
    /// Show each partition's replicas before and after, and the bytes it would copy; nothing
    /// moves.
    #[arg(long, conflicts_with = "blocking")]
    pub dry_run: bool,
    /// Wait until it is done, with a progress bar; Ctrl-C stops waiting (the reassignment goes
    /// on).
    #[arg(long)]
    pub blocking: bool,
}

impl ReassignArgs {
    /// Whether an option that only a job has was given (or topics by flag).
    pub fn wants_job(&self) -> bool {
        !self.topics.is_empty()
            || self.throttle.is_some()
            || self.weigh_by_size
            || self.execute_at.is_some()
            || self.estimate
            || self.dry_run
    }
}

#[derive(Debug, Clone, Args)]
pub struct JobArgs {
    /// The job's id, as --reassign-partitions printed it (or --list-jobs lists it).
    #[arg(long, required = true, value_name = "ID")]
    pub job: String,
}

#[derive(Debug, Clone, Args)]
pub struct LinkArgs {
    /// The link's id.
    #[arg(long, required = true, value_name = "ID")]
    pub link: String,
}

#[derive(Debug, Clone, Args)]
pub struct CreateLinkArgs {
    #[command(flatten)]
    pub link: LinkArgs,
    /// The source cluster's bootstrap servers.
    #[arg(long, required = true, value_name = "HOST:PORT,...", value_delimiter = ',')]
    pub source_bootstrap: Vec<String>,
    /// Kafka client properties to log in to the source with (security.protocol,
    /// sasl.mechanism, sasl.jaas.config), as Kafka's tools take --command-config.
    #[arg(long, value_name = "FILE")]
    pub source_command_config: Option<std::path::PathBuf>,
    /// A source topic to mirror (repeat for more).
    #[arg(long = "topic", value_name = "TOPIC")]
    pub topics: Vec<String>,
    /// A consumer group whose offsets to carry over (repeat for more).
    #[arg(long = "group", value_name = "GROUP")]
    pub groups: Vec<String>,
    /// Where each mirror's copy starts: earliest, latest, or a time (epoch ms or RFC 3339).
    #[arg(long, default_value = "earliest", value_name = "earliest|latest|TIME", value_parser = start_position)]
    pub start_position: adminwire_client::StartPosition,
}

#[derive(Debug, Clone, Args)]
pub struct AlterLinkArgs {
    #[command(flatten)]
    pub link: LinkArgs,
    #[arg(long = "add-topic", value_name = "TOPIC")]
    pub add_topics: Vec<String>,
    #[arg(long = "remove-topic", value_name = "TOPIC")]
    pub remove_topics: Vec<String>,
    #[arg(long = "add-group", value_name = "GROUP")]
    pub add_groups: Vec<String>,
    #[arg(long = "remove-group", value_name = "GROUP")]
    pub remove_groups: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct PromoteArgs {
    #[command(flatten)]
    pub link: LinkArgs,
    /// The mirror topic.
    #[arg(long, required = true, value_name = "TOPIC")]
    pub topic: String,
    /// At once, whatever is not copied yet.
    #[arg(long)]
    pub failover: bool,
    /// Even though producers or consumer groups of the mirror are still on the source (the
    /// promotion is refused otherwise, naming them).
    #[arg(long, conflicts_with = "undo")]
    pub force: bool,
    /// Undo the mirror's promotion, as long as nothing has been written to it since.
    #[arg(long, conflicts_with = "failover")]
    pub undo: bool,
}

#[derive(Debug, Clone, Args)]
pub struct GroupMoveArgs {
    #[command(flatten)]
    pub link: LinkArgs,
    /// The linked consumer group.
    #[arg(long, required = true, value_name = "GROUP")]
    pub group: String,
}

#[derive(Debug, Clone, Args)]
pub struct DeleteLinkArgs {
    #[command(flatten)]
    pub link: LinkArgs,
    /// Delete its mirror topics that were not promoted, too (cannot be undone).
    #[arg(long)]
    pub delete_mirrors: bool,
}

#[derive(Debug, Clone, Args)]
pub struct RestartJobArgs {
    #[command(flatten)]
    pub job: JobArgs,
    /// Retry only the partitions that failed (otherwise also those skipped, reverted or never
    /// started).
    #[arg(long)]
    pub only_failed: bool,
}

#[derive(Debug, Clone, Args)]
pub struct RescheduleJobArgs {
    #[command(flatten)]
    pub job: JobArgs,
    /// The job's new start: epoch milliseconds, or RFC 3339 (`2026-12-01T22:00:00Z`).
    #[arg(long, required = true, value_name = "EPOCH_MS|RFC3339", value_parser = execute_at)]
    pub execute_at: u64,
}

#[derive(Debug, Clone, Args)]
pub struct DescribeJobArgs {
    #[command(flatten)]
    pub job: JobArgs,
    /// Wait until the job ends, with a progress bar; Ctrl-C stops waiting (the job goes on).
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

/// `--execute-at`: milliseconds since the Unix epoch (all digits), or an RFC 3339 time.
fn start_position(text: &str) -> Result<adminwire_client::StartPosition, String> {
    use adminwire_client::StartPosition;
    match text {
        "earliest" => Ok(StartPosition::Earliest),
        "latest" => Ok(StartPosition::Latest),
        time => execute_at(time)
            .map(StartPosition::Time)
            .map_err(|e| format!("not earliest, latest, or a time: {e}")),
    }
}

fn execute_at(text: &str) -> Result<u64, String> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map_err(|_| format!("{text} is too large for a time"));
    }
    rfc3339_epoch_ms(text).ok_or_else(|| {
        format!(
            "{text:?} is neither milliseconds since the Unix epoch nor an RFC 3339 time \
             (2026-12-01T22:00:00Z, 2026-12-01T23:00:00+01:00)"
        )
    })
}

/// An RFC 3339 date-time (`2026-12-01T22:00:00.5+01:00`) as milliseconds since the Unix epoch;
/// `None` if it is not one, or is before 1970.
pub fn rfc3339_epoch_ms(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = bytes.get(range)?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let separator = |at: usize, allowed: &[u8]| bytes.get(at).is_some_and(|b| allowed.contains(b));
    let separators: [(usize, &[u8]); 5] =
        [(4, b"-"), (7, b"-"), (10, b"Tt "), (13, b":"), (16, b":")];
    if !separators.iter().all(|(at, allowed)| separator(*at, allowed)) {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    // 60 is a leap second; it is counted as the next second, as Unix time has none.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &text[19..];
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        // Milliseconds: the first three digits, padded; finer digits are dropped.
        let first_three = format!("{:0<3}", &fraction[..digits.min(3)]);
        millis = first_three.parse::<i64>().ok()?;
        rest = &fraction[digits..];
    }
    let offset_minutes = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digit = |d: &u8| d.is_ascii_digit().then(|| i64::from(d - b'0'));
            let (hours, minutes) = (digit(h1)? * 10 + digit(h2)?, digit(m1)? * 10 + digit(m2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let minutes = hours * 60 + minutes;
            if *sign == b'-' { -minutes } else { minutes }
        }
        _ => return None,
    };
    let days = days_since_epoch(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    u64::try_from(seconds * 1_000 + millis).ok()
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar: whole 400-year eras
/// (146,097 days each) counted from March, so that the leap day ends a year.
fn days_since_epoch(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
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
    fn job_flags_parse() {
        let cli = parse(&[
            "--reassign-partitions",
            "--topic",
            "a",
            "--topic",
            "b",
            "--brokers",
            "1,2,3",
            "--replication-factor",
            "2",
            "--throttle",
            "1000000",
            "--weigh-by-size",
            "--execute-at",
            "2026-12-01T22:00:00Z",
            "--blocking",
        ])
        .unwrap();
        let CliCommand::Admin(AdminCommand::ReassignPartitions(args)) = cli.command else {
            panic!("{:?}", cli.command)
        };
        assert_eq!(args.topics, ["a", "b"]);
        assert_eq!(args.brokers, [1, 2, 3]);
        assert_eq!(args.replication_factor, Some(2));
        assert_eq!(args.throttle, Some(1_000_000));
        assert_eq!(args.execute_at, Some(1_796_162_400_000));
        assert!(args.weigh_by_size && args.blocking && args.wants_job());

        let file_only = parse(&["--reassign-partitions", "--reassignment-json-file", "f"]).unwrap();
        let CliCommand::Admin(AdminCommand::ReassignPartitions(args)) = file_only.command else {
            panic!()
        };
        assert!(!args.wants_job(), "a plan file alone is KIP-4's reassignment");
        for command in
            ["--describe-job", "--pause-job", "--resume-job", "--cancel-job", "--restart-job"]
        {
            assert!(parse(&[command, "--job", "abc"]).is_ok(), "{command}");
        }
        assert!(parse(&["--restart-job", "--job", "abc", "--only-failed"]).is_ok());
        assert!(parse(&["--describe-job", "--job", "abc", "--blocking"]).is_ok());
        assert!(parse(&["--list-jobs"]).is_ok());
    }

    #[test]
    fn wrong_job_flags_are_usage_errors() {
        let kind = |args: &[&str]| parse(args).map(|_| ()).unwrap_err().kind();
        let topic = ["--reassign-partitions", "--topic", "t", "--brokers", "1"];
        assert_eq!(kind(&["--reassign-partitions"]), ErrorKind::MissingRequiredArgument);
        assert_eq!(
            kind(&["--reassign-partitions", "--topic", "t"]),
            ErrorKind::MissingRequiredArgument
        );
        assert_eq!(
            kind(&[&topic[..], &["--reassignment-json-file", "f"]].concat()),
            ErrorKind::ArgumentConflict
        );
        assert_eq!(
            kind(&[&topic[..], &["--estimate", "--dry-run"]].concat()),
            ErrorKind::ArgumentConflict
        );
        assert_eq!(
            kind(&[&topic[..], &["--dry-run", "--blocking"]].concat()),
            ErrorKind::ArgumentConflict
        );
        assert_eq!(kind(&[&topic[..], &["--throttle", "0"]].concat()), ErrorKind::ValueValidation);
        assert_eq!(kind(&[&topic[..], &["--brokers", "x"]].concat()), ErrorKind::ValueValidation);
        assert_eq!(
            kind(&[&topic[..], &["--execute-at", "tomorrow"]].concat()),
            ErrorKind::ValueValidation
        );
        assert_eq!(kind(&["--pause-job"]), ErrorKind::MissingRequiredArgument);
    }

    #[test]
    fn execute_at_takes_epoch_milliseconds_or_rfc_3339() {
        assert_eq!(execute_at("1796162400000"), Ok(1_796_162_400_000));
        assert_eq!(execute_at("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(execute_at("2026-12-01T22:00:00Z"), Ok(1_796_162_400_000));
        assert_eq!(execute_at("2026-12-01t23:00:00+01:00"), Ok(1_796_162_400_000));
        assert_eq!(execute_at("2026-12-01 21:30:00-00:30"), Ok(1_796_162_400_000));
        assert_eq!(execute_at("2026-12-01T22:00:00.25Z"), Ok(1_796_162_400_250));
        assert_eq!(execute_at("2026-12-01T22:00:00.123456Z"), Ok(1_796_162_400_123));
        assert_eq!(execute_at("2024-02-29T00:00:00Z"), Ok(1_709_164_800_000), "a leap day");
        assert_eq!(execute_at("2000-03-01T00:00:00Z"), Ok(951_868_800_000));
        for bad in [
            "",
            "2026-12-01",
            "2026-12-01T22:00:00",
            "2026-13-01T22:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-12-01T24:00:00Z",
            "2026-12-01T22:00:00.Z",
            "2026-12-01T22:00:00+1:00",
            "1969-12-31T23:59:59Z",
            "99999999999999999999999",
        ] {
            assert!(execute_at(bad).is_err(), "{bad:?}");
        }
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
