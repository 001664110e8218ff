//! `adminwire`: the command line and interactive shell of section 4 of the KIP-4 draft, on top of
//! the admin client library. `adminwire --help` lists the commands; docs/cli.md shows a session.

mod cli;
mod commands;
mod progress;
mod report;
mod request_file;
mod shell;

use std::io::Write;
use std::process::ExitCode;

use adminwire_client::{AdminClient, AdminClientConfig};
use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

use crate::cli::{Cli, CliCommand, OutputFormat};
use crate::commands::{Mode, Session};
use crate::report::{Failure, Report};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.broker_list.is_empty() {
        // Not a required clap argument because it is global (given before or after the command),
        // and clap does not allow required global arguments; the error reads the same.
        Cli::command()
            .error(
                ErrorKind::MissingRequiredArgument,
                "the following required arguments were not provided:\n  --broker-list <HOST:PORT[,HOST:PORT]>",
            )
            .exit();
    }
    let runtime =
        match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
            Ok(runtime) => runtime,
            Err(error) => {
                eprintln!("error: cannot start the async runtime: {error}");
                return ExitCode::FAILURE;
            }
        };
    let config = match client_config(&cli) {
        Ok(config) => config,
        Err(error) => {
            print_failure(&Failure::from(error), cli.output);
            return ExitCode::FAILURE;
        }
    };
    let mut connection_options = format!("--broker-list {}", cli.broker_list.join(","));
    if let Some(file) = &cli.command_config {
        let file = file.to_string_lossy();
        let quoted = shlex::try_quote(&file).map_or_else(|_| file.to_string(), |q| q.into_owned());
        connection_options.push_str(&format!(" --command-config {quoted}"));
    }
    let client = match runtime.block_on(AdminClient::connect(config)) {
        Ok(client) => client,
        Err(error) => {
            print_failure(&Failure::from(error), cli.output);
            return ExitCode::FAILURE;
        }
    };
    let code = match cli.command {
        CliCommand::Shell => {
            shell::run(&runtime, Session { client, mode: Mode::Shell }, cli.output)
        }
        CliCommand::Admin(command) => {
            let session = Session { client, mode: Mode::CommandLine { connection_options } };
            match runtime.block_on(session.execute(command)) {
                Ok(report) => {
                    print_report(&report, cli.output);
                    match report.failure() {
                        Some(failure) => {
                            print_failure(&failure, cli.output);
                            failure.exit_code()
                        }
                        None => 0,
                    }
                }
                Err(failure) => {
                    print_failure(&failure, cli.output);
                    failure.exit_code()
                }
            }
        }
    };
    ExitCode::from(code)
}

/// The client's settings: --broker-list's servers, and what --command-config's file says (as
/// Kafka's tools, --broker-list names the servers even when the file has `bootstrap.servers`).
fn client_config(cli: &Cli) -> Result<AdminClientConfig, adminwire_client::Error> {
    let Some(file) = &cli.command_config else {
        return Ok(AdminClientConfig::new(cli.broker_list.clone()).client_id("adminwire-cli"));
    };
    let mut properties = adminwire_client::read_properties_file(file)?;
    properties.retain(|(key, _)| key != "bootstrap.servers");
    if !properties.iter().any(|(key, _)| key == "client.id") {
        properties.push(("client.id".to_owned(), "adminwire-cli".to_owned()));
    }
    properties.push(("bootstrap.servers".to_owned(), cli.broker_list.join(",")));
    AdminClientConfig::from_properties(properties)
}

/// Prints a report on stdout. A closed stdout (`adminwire ... | head -1`) is not an error of the
/// command, so it is not reported.
pub(crate) fn print_report(report: &Report, format: OutputFormat) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", report.render(format));
    let _ = out.flush();
}

/// Prints a failure on stderr.
pub(crate) fn print_failure(failure: &Failure, format: OutputFormat) {
    let _ = writeln!(std::io::stderr().lock(), "{}", failure.render(format));
}
