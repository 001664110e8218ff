//! Waiting for a long-running command (`--blocking`): a live progress bar of the partitions
//! completed, in progress and failed, with the elapsed time; and Ctrl-C, which stops the waiting
//! and never the command.

use std::future::Future;
use std::io::IsTerminal;
use std::time::Duration;

use adminwire_client::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The progress bar of one wait; draws nothing when stdout is not a terminal (scripts, pipes,
/// files get the final summary only). Clones draw the same bar.
#[derive(Debug, Clone)]
pub struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    /// A bar labelled `label` ("Reassigning"), shown if stdout is a terminal. It is drawn on
    /// stderr, so that it never mixes with what a command prints on stdout.
    pub fn start(label: &str) -> Self {
        if !std::io::stdout().is_terminal() {
            return Self { bar: None };
        }
        let style = ProgressStyle::with_template(
            "{spinner} {prefix} [{elapsed_precise}] [{bar:30}] {pos}/{len} partitions done: {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
            .with_style(style)
            .with_prefix(label.to_owned())
            .with_message("waiting for the first answer");
        // Drawn now, so that even a command done at the first poll shows that it was followed.
        bar.tick();
        bar.enable_steady_tick(Duration::from_millis(200));
        Self { bar: Some(bar) }
    }

    /// Shows the latest answer of the verify request.
    pub fn update(&self, progress: &Progress) {
        if let Some(bar) = &self.bar {
            bar.set_length(progress.total() as u64);
            bar.set_position((progress.completed.len() + progress.failed.len()) as u64);
            bar.set_message(format!(
                "{} completed, {} in progress, {} failed",
                progress.completed.len(),
                progress.in_progress.len(),
                progress.failed.len()
            ));
        }
    }

    /// Removes the bar: the summary that follows says how it ended.
    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Runs `work` until it finishes or Ctrl-C is pressed (`None`). Dropping `work` only stops
/// waiting for it: what the cluster was asked to do goes on.
pub async fn unless_interrupted<T>(work: impl Future<Output = T>) -> Option<T> {
    tokio::select! {
        done = work => Some(done),
        // If the handler cannot be installed, this branch is disabled and the wait goes on.
        Ok(()) = tokio::signal::ctrl_c() => None,
    }
}
