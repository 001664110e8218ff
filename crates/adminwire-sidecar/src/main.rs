//! `adminwire-sidecar`: runs the sidecar until SIGTERM or SIGINT, then drains and stops.

use std::process::ExitCode;

use clap::Parser;
use tracing::{error, info};

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let flags = adminwire_sidecar::Flags::parse();
    let config = match adminwire_sidecar::Config::load(&flags) {
        Ok(config) => config,
        Err(e) => {
            error!("{e:#}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.runtime.worker_threads())
        .enable_all()
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(serve(config)),
        Err(e) => {
            error!("starting the runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: adminwire_sidecar::Config) -> ExitCode {
    let running = match adminwire_sidecar::start(config).await {
        Ok(running) => running,
        Err(e) => {
            error!("{e:#}");
            return ExitCode::FAILURE;
        }
    };
    wait_for_signal().await;
    info!("stopping: no new connections; draining those open");
    running.shutdown().await;
    info!("stopped");
    ExitCode::SUCCESS
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("installing the SIGTERM handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
