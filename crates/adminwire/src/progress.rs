//! Waiting for a long-running command (`--blocking`): a live progress bar of the partitions
//! completed, in progress and failed (or, for a reassignment job, of the bytes moved, with the
//! job's ETA), with the elapsed time; and Ctrl-C, which stops the waiting and never the command.

use std::future::Future;
use std::io::IsTerminal;
use std::time::Duration;

use adminwire_client::{JobProgress, Progress};
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
        let template =
            "{spinner} {prefix} [{elapsed_precise}] [{bar:30}] {pos}/{len} partitions done: {msg}";
        Self { bar: terminal_bar(label, template) }
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

/// The progress bar of a reassignment job: bytes moved of the job's total, its state, partitions
/// done and the ETA the sidecar computes from the recent rate. Drawn on stderr, only when stdout
/// is a terminal.
#[derive(Debug, Clone)]
pub struct JobBar {
    bar: Option<ProgressBar>,
}

impl JobBar {
    pub fn start(label: &str) -> Self {
        let template =
            "{spinner} {prefix} [{elapsed_precise}] [{bar:30}] {bytes}/{total_bytes} moved: {msg}";
        Self { bar: terminal_bar(label, template) }
    }

    /// Shows the job's latest description.
    pub fn update(&self, progress: &JobProgress) {
        if let Some(bar) = &self.bar {
            bar.set_length(progress.bytes_total);
            bar.set_position(progress.bytes_moved.min(progress.bytes_total));
            let eta = progress
                .eta
                .map_or_else(|| "ETA unknown".to_owned(), |eta| format!("ETA {}", duration(eta)));
            bar.set_message(format!(
                "{}, {}/{} partitions, {eta}",
                progress.state, progress.partitions_done, progress.partition_count
            ));
        }
    }

    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A duration for people: `45s`, `3m 20s`, `2h 5m`.
pub fn duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0..60 => format!("{seconds}s"),
        60..3600 => format!("{}m {}s", seconds / 60, seconds % 60),
        _ => format!("{}h {}m", seconds / 3600, seconds % 3600 / 60),
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

/// A bar labelled `label` drawn with `template`, if stdout is a terminal. It is drawn on stderr,
/// so that it never mixes with what a command prints on stdout.
fn terminal_bar(label: &str, template: &str) -> Option<ProgressBar> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let style = ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
        .with_style(style)
        .with_prefix(label.to_owned())
        .with_message("waiting for the first answer");
    // Drawn now, so that even a command done at the first poll shows that it was followed.
    bar.tick();
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}
