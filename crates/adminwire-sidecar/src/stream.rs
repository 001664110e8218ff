//! Passing one large broker response through to the client while the broker is still sending it,
//! instead of gathering it first.
//!
//! Gathering a multi-megabyte Fetch response before sending any of it holds the consumer up for
//! the whole transfer and copies every byte into the sidecar and out again. Streamed, the bytes
//! the sidecar need not read move socket to socket through a pipe (see `splice`), and the client
//! starts receiving at once.
//!
//! The size prefix goes out first, so nothing may change a response's length afterwards. Most
//! responses that are streamed pass untouched. A Fetch response of v16 or later is walked (see
//! `fetch_walk`) to find its tail, the one part that can carry broker addresses, which is held
//! back until it has all arrived and then rewritten to the same length.

use std::io;

use adminwire_protocol::SIZE_PREFIX_LEN;
use bytes::{Buf, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedReadHalf;
use tracing::debug;

use crate::fetch_walk::{FetchWalker, Part, retry_at};
use crate::rewrite::{self, Advertise, RewriteError, TailOutcome};
use crate::splice::{Pipe, SpliceError};
use crate::stall::ClientWriter;

/// At most this much is read at a time while looking for a Fetch response's next structure, so
/// that little of the record data that follows it passes through user space.
const STRUCTURE_READ: usize = 4096;

/// Structure gathered up to this much is sent on before more is read.
const SEND_FROM: usize = 64 * 1024;

/// What a streamed response needs on its way through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Nothing: it passes as it is.
    Untouched,
    /// A Fetch response of this version (16 or later), whose tail is rewritten.
    Fetch(i16),
}

/// Why a streamed response did not get through. Either way, part of it may have reached the
/// client, whose connection then cannot carry another response.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("broker i/o: {0}")]
    Upstream(io::Error),
    #[error("client i/o: {0}")]
    Client(io::Error),
    #[error("broker sent a Fetch response that does not parse: {0}")]
    Malformed(String),
    #[error(transparent)]
    Rewrite(#[from] RewriteError),
}

/// One response on its way: `buffered` holds the bytes of it read so far and not yet sent, from
/// `base`, its offset in the frame.
struct Passage<'a> {
    upstream: &'a mut OwnedReadHalf,
    client: &'a mut ClientWriter,
    pipe: &'a mut Pipe,
    buffered: &'a mut BytesMut,
    base: usize,
    frame_len: usize,
}

/// Passes a response of `frame_len` bytes (size prefix included), whose first bytes are in
/// `buffered`, from `upstream` to `client`. Reads nothing past its end; `buffered` ends empty.
pub async fn pass_through(
    upstream: &mut OwnedReadHalf,
    client: &mut ClientWriter,
    pipe: &mut Pipe,
    buffered: &mut BytesMut,
    frame_len: usize,
    shape: Shape,
    advertise: &(dyn Advertise + Sync),
) -> Result<(), StreamError> {
    let mut passage = Passage { upstream, client, pipe, buffered, base: 0, frame_len };
    match shape {
        Shape::Untouched => {
            passage.send(passage.buffered.len()).await?;
            passage.splice(frame_len - passage.base).await?;
        }
        Shape::Fetch(version) => passage.fetch(version, advertise).await?,
    }
    passage.client.flush().await.map_err(StreamError::Client)
}

impl Passage<'_> {
    async fn fetch(
        &mut self,
        version: i16,
        advertise: &(dyn Advertise + Sync),
    ) -> Result<(), StreamError> {
        let mut walker = FetchWalker::default();
        // How far into the frame the walk has got.
        let mut walked = SIZE_PREFIX_LEN;
        loop {
            let end = self.base + self.buffered.len();
            let part = walker
                .next(&self.buffered[walked - self.base..])
                .map_err(|e| StreamError::Malformed(e.to_string()))?;
            match part {
                None if end == self.frame_len => {
                    return Err(StreamError::Malformed("the frame ends inside a field".into()));
                }
                None => {
                    if self.buffered.len() >= SEND_FROM {
                        self.send(walked - self.base).await?;
                    }
                    let stalled = end - walked;
                    let left = self.frame_len - end;
                    let wanted = (retry_at(stalled) - stalled).min(left);
                    self.read_at_least(wanted, left.min(wanted.max(STRUCTURE_READ))).await?;
                }
                Some(Part::Structure(len)) => walked += len,
                Some(Part::Records(len)) => {
                    if len > self.frame_len - walked {
                        return Err(StreamError::Malformed("records run past the frame".into()));
                    }
                    walked += len;
                    if walked > end {
                        self.send(self.buffered.len()).await?;
                        self.splice(walked - end).await?;
                    }
                }
                Some(Part::Tail) => {
                    self.read_exactly(self.frame_len - end).await?;
                    let tail = &mut self.buffered[walked - self.base..];
                    if rewrite::rewrite_fetch_tail(tail, version, advertise)?
                        == TailOutcome::Dropped
                    {
                        debug!("NodeEndpoints did not fit once rewritten; dropped");
                    }
                    return self.send(self.buffered.len()).await;
                }
            }
        }
    }

    /// Reads up to `limit` more bytes (at least one) into the buffer.
    async fn read(&mut self, limit: usize) -> Result<(), StreamError> {
        self.buffered.reserve(limit);
        let read = (&mut *self.upstream)
            .take(limit as u64)
            .read_buf(self.buffered)
            .await
            .map_err(StreamError::Upstream)?;
        if read == 0 {
            return Err(StreamError::Upstream(io::ErrorKind::UnexpectedEof.into()));
        }
        Ok(())
    }

    async fn read_exactly(&mut self, len: usize) -> Result<(), StreamError> {
        self.read_at_least(len, len).await
    }

    /// Reads `at_least` more bytes and at most `limit` (not less than `at_least`).
    async fn read_at_least(&mut self, at_least: usize, limit: usize) -> Result<(), StreamError> {
        let target = self.buffered.len() + at_least;
        let limit = self.buffered.len() + limit;
        while self.buffered.len() < target {
            self.read(limit - self.buffered.len()).await?;
        }
        Ok(())
    }

    /// Sends the first `len` buffered bytes to the client.
    async fn send(&mut self, len: usize) -> Result<(), StreamError> {
        self.client.write_all(&self.buffered[..len]).await.map_err(StreamError::Client)?;
        self.buffered.advance(len);
        self.base += len;
        Ok(())
    }

    /// Moves the next `len` bytes of the frame, none of them buffered, from broker to client
    /// without reading them.
    async fn splice(&mut self, len: usize) -> Result<(), StreamError> {
        debug_assert!(self.buffered.is_empty());
        self.client.flush().await.map_err(StreamError::Client)?;
        let stall = self.client.get_ref().limit();
        let client = self.client.get_ref().get_ref().as_ref();
        self.pipe.forward(self.upstream.as_ref(), client, len, stall).await.map_err(
            |e| match e {
                SpliceError::From(e) => StreamError::Upstream(e),
                SpliceError::To(e) => StreamError::Client(e),
            },
        )?;
        self.base += len;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;
    use tokio::net::{TcpListener, TcpStream};

    use super::*;
    use crate::fetch_walk::tests::{fetch_response, frame, walk};

    struct Sidecar;

    impl Advertise for Sidecar {
        fn advertise(&self, node_id: i32, _: &str, _: i32) -> Option<(String, i32)> {
            Some(("sidecar".into(), 9100 + node_id))
        }
    }

    async fn connected_pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let near = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        let (far, _) = listener.accept().await.unwrap();
        (near, far)
    }

    /// What the client receives when `sent` — a frame, then `AFTER` — comes from the broker in
    /// uneven pieces and the sidecar has already read the first `read_ahead` bytes; and what the
    /// broker's connection still holds after the pass.
    async fn pass(
        sent: Vec<u8>,
        frame_len: usize,
        read_ahead: usize,
        shape: Shape,
    ) -> (Result<(), StreamError>, Vec<u8>, Vec<u8>) {
        let (mut broker, upstream) = connected_pair().await;
        let (client_side, mut client) = connected_pair().await;
        let (mut upstream, _upstream_write) = upstream.into_split();
        let (_client_read, client_write) = client_side.into_split();
        let mut client_write = tokio::io::BufWriter::new(crate::stall::StallGuard::new(
            client_write,
            std::time::Duration::from_secs(30),
        ));

        let writer = tokio::spawn(async move {
            for (i, piece) in sent.chunks(7919).enumerate() {
                if broker.write_all(piece).await.is_err() {
                    break;
                }
                if i % 5 == 0 {
                    tokio::task::yield_now().await;
                }
            }
            // Closing tells the sidecar nothing more is coming.
        });
        let mut buffered = BytesMut::new();
        while buffered.len() < read_ahead {
            (&mut upstream)
                .take((read_ahead - buffered.len()) as u64)
                .read_buf(&mut buffered)
                .await
                .unwrap();
        }
        let mut pipe = Pipe::new().unwrap();
        let reading = tokio::spawn(async move {
            let mut received = Vec::new();
            let _ = client.read_to_end(&mut received).await;
            received
        });
        let result = pass_through(
            &mut upstream,
            &mut client_write,
            &mut pipe,
            &mut buffered,
            frame_len,
            shape,
            &Sidecar,
        )
        .await;
        assert!(buffered.is_empty() || result.is_err(), "nothing left over");
        drop(client_write);
        let received = reading.await.unwrap();
        writer.await.unwrap();
        let mut rest = Vec::new();
        let _ = upstream.read_to_end(&mut rest).await;
        (result, received, rest)
    }

    const AFTER: &[u8] = b"the next response";

    #[tokio::test]
    async fn an_untouched_response_arrives_whole_and_nothing_after_it_is_read() {
        let mut frame: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let size = (frame.len() - 4) as i32;
        frame[..4].copy_from_slice(&size.to_be_bytes());
        for read_ahead in [8, 70_000] {
            let sent = [&frame[..], AFTER].concat();
            let (result, received, rest) =
                pass(sent, frame.len(), read_ahead, Shape::Untouched).await;
            result.unwrap();
            assert!(received == frame, "read ahead {read_ahead}");
            assert_eq!(rest, AFTER);
        }
    }

    #[tokio::test]
    async fn a_fetch_response_passes_with_its_endpoints_rewritten() {
        let big = |seed: u8| Some((0..400_000u32).map(|i| (i as u8) ^ seed).collect::<Vec<_>>());
        let topics = [
            vec![(big(1), Some(2), false), (None, None, true), (Some(vec![]), None, false)],
            vec![(big(2), None, false), (Some(b"small".to_vec()), Some(0), false)],
        ];
        for version in crate::fetch_walk::VERSIONS {
            let response = fetch_response(&topics, &[(1, "kafka-1"), (2, "kafka-2")]);
            let frame = frame(version, &response);
            let mut expected = frame.clone();
            let (_, tail) = walk(&frame, &[1 << 20]).unwrap();
            rewrite::rewrite_fetch_tail(&mut expected[tail..], version, &Sidecar).unwrap();
            assert_ne!(expected, frame);
            for read_ahead in [8, 100, 65_536] {
                let sent = [&frame[..], AFTER].concat();
                let (result, received, rest) =
                    pass(sent, frame.len(), read_ahead, Shape::Fetch(version)).await;
                result.unwrap();
                assert!(received == expected, "v{version}, read ahead {read_ahead}");
                assert_eq!(rest, AFTER);
            }
        }
    }

    #[tokio::test]
    async fn a_broker_that_stops_mid_response_is_an_upstream_error() {
        let topics = [vec![(Some(vec![9; 500_000]), None, false)]];
        let frame = frame(17, &fetch_response(&topics, &[]));
        for shape in [Shape::Untouched, Shape::Fetch(17)] {
            let sent = frame[..300_000].to_vec();
            let (result, received, _) = pass(sent, frame.len(), 8, shape).await;
            assert!(matches!(result, Err(StreamError::Upstream(_))), "{shape:?}: {result:?}");
            assert!(received.len() < frame.len());
        }
    }

    #[tokio::test]
    async fn a_fetch_response_that_does_not_parse_is_refused() {
        // A valid size prefix, then zeros: correlation id 0, no tags, and at offset 19, after
        // throttle time, error code and session id, a null topic array.
        let mut frame = vec![0u8; 200_000];
        frame[..4].copy_from_slice(&(200_000 - 4i32).to_be_bytes());
        let (result, _, _) = pass(frame.clone(), frame.len(), 8, Shape::Fetch(17)).await;
        assert!(matches!(result, Err(StreamError::Malformed(_))), "{result:?}");
    }
}
