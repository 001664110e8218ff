//! The interactive shell (`adminwire --shell`): the command line's commands without their
//! leading dashes, connected once, with a topic context, history, completion and help.
//!
//! ```text
//! Connected to Kafka Controller at 127.0.0.1:9101.
//! kafka> create-topic --topic my_topic --partitions 5 --replication-factor 3
//! Topic "my_topic" is created.
//! kafka> topic my_topic
//! Switched to "my_topic" topic.
//! kafka my_topic> describe-topic
//! ```

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use adminwire_client::AdminClient;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor, Helper, Highlighter, Hinter, Validator};
use tokio::runtime::Runtime;

use crate::cli::{AdminCommand, FILE_OPTIONS, OutputFormat, TOPIC_COMMANDS};
use crate::commands::Session;
use crate::progress;
use crate::report::Failure;
use crate::{print_failure, print_report};

/// How long tab completion waits for the cluster's topic names before it offers none.
const TOPIC_LIST_TIMEOUT: Duration = Duration::from_secs(2);

/// One line typed at the prompt.
#[derive(Debug, Parser)]
#[command(
    name = "kafka>",
    no_binary_name = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    subcommand_required = true,
    subcommand_value_name = "COMMAND"
)]
struct ShellLine {
    #[command(subcommand)]
    command: ShellCommand,
}

#[derive(Debug, Subcommand)]
enum ShellCommand {
    #[command(flatten)]
    Admin(AdminCommand),
    /// Switch to a topic: topic commands then apply to it without --topic. `topic` alone leaves
    /// it.
    Topic {
        /// The topic to switch to.
        name: Option<String>,
    },
    /// List the commands, or show one command's options (as `COMMAND --help` does).
    Help {
        /// The command to explain.
        command: Option<String>,
    },
    /// Leave the shell (Ctrl-D does too).
    #[command(visible_alias = "quit")]
    Exit,
}

/// Where history is kept: `ADMINWIRE_HISTORY_FILE`, else `~/.adminwire_history`.
fn history_file() -> Option<PathBuf> {
    match std::env::var_os("ADMINWIRE_HISTORY_FILE") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".adminwire_history")),
    }
}

/// Runs the shell until `exit` or Ctrl-D; returns the process's exit code.
pub fn run(runtime: &Runtime, session: Session, format: OutputFormat) -> u8 {
    let metadata = match runtime.block_on(session.client.cluster_metadata()) {
        Ok(metadata) => metadata,
        Err(error) => {
            print_failure(&Failure::from(error), format);
            return 1;
        }
    };
    match &metadata.controller {
        Some(controller) => println!("Connected to Kafka Controller at {}.", controller.address()),
        None => println!(
            "Connected to the cluster at {}; it has no controller right now.",
            session.client.config().bootstrap_servers.join(",")
        ),
    }

    let config = Config::builder()
        .auto_add_history(false)
        .history_ignore_dups(true)
        .and_then(|c| c.history_ignore_space(true).max_history_size(10_000))
        .map(|c| c.completion_type(CompletionType::List).build());
    let mut editor = match config.and_then(Editor::<ShellHelper, FileHistory>::with_config) {
        Ok(editor) => editor,
        Err(error) => {
            eprintln!("error: cannot start the line editor: {error}");
            return 1;
        }
    };
    editor.set_helper(Some(ShellHelper::new(session.client.clone(), runtime)));
    let history = history_file();
    if let Some(path) = &history {
        // A first run has no history yet; any other problem shows when saving.
        let _ = editor.load_history(path);
    }

    let mut topic: Option<String> = None;
    loop {
        let prompt = match &topic {
            Some(topic) => format!("kafka {topic}> "),
            None => "kafka> ".to_owned(),
        };
        let line = match editor.readline(&prompt) {
            Ok(line) => line,
            // Ctrl-C clears the line.
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(error) => {
                eprintln!("error: reading the command line failed: {error}");
                return 1;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let _ = editor.add_history_entry(line.as_str());
        if let Some(path) = &history
            && let Err(error) = editor.save_history(path)
        {
            eprintln!("warning: cannot save the history to {}: {error}", path.display());
        }
        let Some(words) = shlex::split(&line) else {
            eprintln!("error: unbalanced quotes");
            continue;
        };
        let command = match parse(&words, topic.is_some()) {
            Ok(command) => command,
            Err(error) => {
                // Help is printed on stdout, usage errors on stderr; the shell goes on.
                let _ = error.print();
                continue;
            }
        };
        match command {
            ShellCommand::Exit => break,
            ShellCommand::Help { command: None } => println!("{}", overview()),
            ShellCommand::Help { command: Some(name) } => {
                match parse(&[name.clone(), "--help".to_owned()], topic.is_some()) {
                    Err(help) => {
                        let _ = help.print();
                    }
                    Ok(_) => eprintln!("error: no command {name:?}; `help` lists them"),
                }
            }
            ShellCommand::Topic { name: Some(name) } => {
                println!("Switched to \"{name}\" topic.");
                topic = Some(name);
            }
            ShellCommand::Topic { name: None } => topic = None,
            ShellCommand::Admin(mut command) => {
                if let Some(slot) = command.topic_mut()
                    && slot.is_none()
                {
                    slot.clone_from(&topic);
                }
                execute(runtime, &session, command, format);
            }
        }
    }
    0
}

fn execute(runtime: &Runtime, session: &Session, command: AdminCommand, format: OutputFormat) {
    let name = command.name();
    let outcome = runtime.block_on(progress::unless_interrupted(session.execute(command)));
    match outcome {
        Some(Ok(report)) => {
            print_report(&report, format);
            if let Some(failure) = report.failure() {
                print_failure(&failure, format);
            }
        }
        Some(Err(failure)) => print_failure(&failure, format),
        None => print_failure(
            &Failure::Interrupted {
                description: format!(
                    "stopped waiting for {name}; the cluster may still carry it out"
                ),
            },
            format,
        ),
    }
}

/// Parses one line's words. In a topic context `--topic` is optional: the context supplies it.
fn parse(words: &[String], in_topic_context: bool) -> Result<ShellCommand, clap::Error> {
    let mut command = ShellLine::command();
    if in_topic_context {
        for name in TOPIC_COMMANDS {
            command =
                command.mut_subcommand(name, |sub| sub.mut_arg("topic", |a| a.required(false)));
        }
    }
    let matches = command.try_get_matches_from(words)?;
    ShellLine::from_arg_matches(&matches).map(|line| line.command)
}

/// `help`: every command with what it does.
fn overview() -> String {
    let command = ShellLine::command();
    let commands: Vec<(String, String)> = command
        .get_subcommands()
        .map(|sub| {
            let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
            (sub.get_name().to_owned(), about)
        })
        .collect();
    let width = commands.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    let mut text = String::from("Commands (`COMMAND --help` or `help COMMAND` for its options):\n");
    for (name, about) in commands {
        text.push_str(&format!("  {name:width$}  {about}\n"));
    }
    text.push_str(
        "Tab completes commands, options and topic names; Ctrl-C clears the line; Ctrl-D or `exit` quits.",
    );
    text
}

/// Tab completion: command names first, then the command's options, topic names (asked of the
/// cluster) after `--topic` and `topic`, and file names after the JSON file options.
#[derive(Helper, Hinter, Highlighter, Validator)]
struct ShellHelper {
    commands: Vec<(String, Vec<String>)>,
    topics: TopicNames,
    files: FilenameCompleter,
}

impl std::fmt::Debug for ShellHelper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShellHelper").field("commands", &self.commands).finish_non_exhaustive()
    }
}

impl ShellHelper {
    fn new(client: AdminClient, runtime: &Runtime) -> Self {
        let commands = ShellLine::command()
            .get_subcommands()
            .map(|sub| {
                let options = sub
                    .get_arguments()
                    .filter(|arg| !arg.is_hide_set())
                    .filter_map(|arg| arg.get_long().map(|long| format!("--{long}")))
                    .chain(["--help".to_owned()])
                    .collect();
                (sub.get_name().to_owned(), options)
            })
            .collect();
        Self {
            commands,
            topics: TopicNames {
                client,
                runtime: runtime.handle().clone(),
                last: Mutex::default(),
            },
            files: FilenameCompleter::new(),
        }
    }

    fn candidates(&self, previous: &[&str]) -> Vec<String> {
        let command_names = || self.commands.iter().map(|(name, _)| name.clone()).collect();
        match previous {
            [] | ["help"] => command_names(),
            ["topic"] => self.topics.fetch(),
            [.., "--topic"] => self.topics.fetch(),
            [command, given @ ..] => {
                let Some((_, options)) = self.commands.iter().find(|(name, _)| name == command)
                else {
                    return Vec::new();
                };
                let repeatable = ["--config", "--delete-config"];
                options
                    .iter()
                    .filter(|o| repeatable.contains(&o.as_str()) || !given.contains(&o.as_str()))
                    .cloned()
                    .collect()
            }
        }
    }
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let word = &before[start..];
        let previous: Vec<&str> = before[..start].split_whitespace().collect();
        if previous.last().is_some_and(|option| FILE_OPTIONS.contains(option)) {
            return self.files.complete(line, pos, ctx);
        }
        let pairs = self
            .candidates(&previous)
            .into_iter()
            .filter(|candidate| candidate.starts_with(word))
            .map(|candidate| Pair { replacement: format!("{candidate} "), display: candidate })
            .collect();
        Ok((start, pairs))
    }
}

/// The cluster's topic names, asked for at each completion (topics come and go), with the last
/// answer kept for when the cluster does not answer in time.
struct TopicNames {
    client: AdminClient,
    runtime: tokio::runtime::Handle,
    last: Mutex<Vec<String>>,
}

impl TopicNames {
    fn fetch(&self) -> Vec<String> {
        // The line editor runs outside the runtime, so blocking on it here is allowed.
        // The timeout is made inside the runtime: its timer belongs to it.
        let answer = self.runtime.block_on(async {
            tokio::time::timeout(TOPIC_LIST_TIMEOUT, self.client.list_topics()).await
        });
        let mut last = self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Ok(Ok(topics)) = answer {
            *last = topics;
        }
        last.clone()
    }
}

impl std::fmt::Debug for TopicNames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TopicNames").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        shlex::split(line).unwrap()
    }

    #[test]
    fn lines_parse_without_dashes_and_topic_comes_from_the_context() {
        let parsed =
            parse(&words("create-topic --topic t --partitions 5 --replication-factor 3"), false);
        assert!(matches!(parsed, Ok(ShellCommand::Admin(AdminCommand::CreateTopic(_)))));
        assert!(
            parse(&words("describe-topic"), false).is_err(),
            "--topic is needed outside a topic"
        );
        let Ok(ShellCommand::Admin(AdminCommand::DescribeTopic(args))) =
            parse(&words("describe-topic"), true)
        else {
            panic!("describe-topic in a topic context")
        };
        assert_eq!(args.topic, None, "the shell fills it in from the context");
        assert!(matches!(parse(&words("topic"), false), Ok(ShellCommand::Topic { name: None })));
        assert!(matches!(parse(&words("quit"), false), Ok(ShellCommand::Exit)));
        assert!(parse(&words("--broker-list h:1 list-topics"), false).is_err());
    }

    #[test]
    fn help_lists_every_command() {
        let text = overview();
        for name in ["create-topic", "verify-reassign-partitions", "topic", "help", "exit"] {
            assert!(text.contains(&format!("  {name} ")), "{name}: {text}");
        }
    }
}
