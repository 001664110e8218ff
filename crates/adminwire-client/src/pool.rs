//! Idle connections kept per broker address for the next call.
//!
//! A call takes an idle connection (or opens one), uses it alone, and gives it back when it got
//! its response. Concurrent calls to one broker each get their own connection; at most
//! [`MAX_IDLE_PER_ADDRESS`] are kept once they are done.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::config::AdminClientConfig;
use crate::connection::Connection;
use crate::error::Error;

/// Idle connections kept per address; more are closed when given back.
const MAX_IDLE_PER_ADDRESS: usize = 4;

#[derive(Debug, Default)]
pub(crate) struct Pool {
    state: Mutex<PoolState>,
}

#[derive(Debug, Default)]
struct PoolState {
    idle: HashMap<String, Vec<Connection>>,
    closed: bool,
}

impl Pool {
    /// An idle connection to `address` that is still open, or a new one.
    pub(crate) async fn take(
        &self,
        address: &str,
        config: &AdminClientConfig,
    ) -> Result<Connection, Error> {
        loop {
            let idle = {
                let mut state = self.lock();
                if state.closed {
                    return Err(Error::Closed);
                }
                state.idle.get_mut(address).and_then(Vec::pop)
            };
            match idle {
                Some(connection) if connection.is_reusable() => return Ok(connection),
                // Closed by the server while idle (or out of step): drop it, try the next.
                Some(_) => continue,
                None => break,
            }
        }
        Connection::open(address, config).await
    }

    /// Gives a connection back after a complete exchange.
    pub(crate) fn put(&self, connection: Connection) {
        let mut state = self.lock();
        if state.closed {
            return;
        }
        let idle = state.idle.entry(connection.address().to_owned()).or_default();
        if idle.len() < MAX_IDLE_PER_ADDRESS {
            idle.push(connection);
        }
    }

    /// Closes every idle connection and refuses new ones.
    pub(crate) fn close(&self) {
        let idle = {
            let mut state = self.lock();
            state.closed = true;
            std::mem::take(&mut state.idle)
        };
        drop(idle);
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.lock().closed
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PoolState> {
        // The state stays consistent even if a holder panicked: each change is one statement.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
