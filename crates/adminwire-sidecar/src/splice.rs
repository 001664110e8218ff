//! Moving bytes from one socket to another (broker to client for a large response, client to
//! broker for a large request) without copying them through the sidecar: `splice(2)` into a pipe
//! and out of it again, so the kernel hands the pages over.
//!
//! Copying record data in and out of user space was most of the sidecar's CPU when consumers
//! fetch (the kernel's copy routines alone were about 40% of it); on a machine where the brokers
//! and clients share the cores, that CPU comes straight out of their throughput.
//!
//! A splice into a socket whose peer has gone raises SIGPIPE (it cannot ask for `MSG_NOSIGNAL`);
//! the Rust runtime ignores SIGPIPE in every binary it starts, so the splice fails with EPIPE.
//!
//! The pipe is emptied before each refill, so neither splice ever waits on the pipe: a splice into
//! it that would block means the source socket has nothing yet, and one out of it that would
//! block means the destination socket is full. Only the sockets' readiness is awaited.

use std::io;
use std::os::fd::OwnedFd;
use std::time::Duration;

use rustix::net::{SendFlags, send};
use rustix::pipe::{
    PipeFlags, SpliceFlags, fcntl_getpipe_size, fcntl_setpipe_size, pipe_with, splice,
};
use tokio::io::Interest;
use tokio::net::TcpStream;

/// The pipe's size asked of the kernel; it may give less (`/proc/sys/fs/pipe-max-size`).
const PIPE_SIZE: usize = 1024 * 1024;

/// One connection's pipe.
#[derive(Debug)]
pub struct Pipe {
    read: OwnedFd,
    write: OwnedFd,
    capacity: usize,
}

/// Which side of a splice failed.
#[derive(Debug)]
pub enum SpliceError {
    /// Reading the source socket failed, or it closed early.
    From(io::Error),
    /// Writing the destination socket failed.
    To(io::Error),
}

impl Pipe {
    /// A new, empty pipe.
    pub fn new() -> io::Result<Self> {
        let (read, write) = pipe_with(PipeFlags::NONBLOCK | PipeFlags::CLOEXEC)?;
        // A smaller pipe (the default is 64 KiB, less once a user's pipes hold
        // `pipe-user-pages-soft`) only means more splices.
        let capacity =
            fcntl_setpipe_size(&write, PIPE_SIZE).or_else(|_| fcntl_getpipe_size(&write))?;
        Ok(Self { read, write, capacity })
    }

    /// Moves exactly `len` bytes from `from` to `to`; fails if `to` takes none of them for
    /// `stall`.
    pub async fn forward(
        &mut self,
        from: &TcpStream,
        to: &TcpStream,
        mut len: usize,
        stall: Duration,
    ) -> Result<(), SpliceError> {
        while len > 0 {
            let filled = from
                .async_io(Interest::READABLE, || {
                    splice(&*from, None, &self.write, None, len.min(self.capacity), flags())
                        .map_err(io::Error::from)
                })
                .await
                .map_err(SpliceError::From)?;
            if filled == 0 {
                return Err(SpliceError::From(io::ErrorKind::UnexpectedEof.into()));
            }
            len -= filled;
            let mut in_pipe = filled;
            while in_pipe > 0 {
                let more = if len > 0 { SpliceFlags::MORE } else { SpliceFlags::empty() };
                let drain = to.async_io(Interest::WRITABLE, || {
                    splice(&self.read, None, &*to, None, in_pipe, flags() | more)
                        .map_err(io::Error::from)
                });
                let drained = match tokio::time::timeout(stall, drain).await {
                    Ok(drained) => drained.map_err(SpliceError::To)?,
                    Err(_) => {
                        return Err(SpliceError::To(io::Error::new(
                            io::ErrorKind::TimedOut,
                            format!("the destination took nothing for {stall:?}"),
                        )));
                    }
                };
                if drained == 0 {
                    return Err(SpliceError::To(io::ErrorKind::WriteZero.into()));
                }
                in_pipe -= drained;
            }
        }
        Ok(())
    }
}

/// Writes all of `bytes` to `to`, telling the kernel that more follows at once (`MSG_MORE`): the
/// head of a frame whose rest is spliced right after it then leaves in the same segments as that
/// rest, rather than in a small segment of its own that both ends' network stacks handle apart.
pub async fn write_head(to: &TcpStream, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        let sent = to
            .async_io(Interest::WRITABLE, || {
                send(to, bytes, SendFlags::MORE | SendFlags::NOSIGNAL).map_err(io::Error::from)
            })
            .await?;
        if sent == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        bytes = &bytes[sent..];
    }
    Ok(())
}

fn flags() -> SpliceFlags {
    SpliceFlags::NONBLOCK | SpliceFlags::MOVE
}
