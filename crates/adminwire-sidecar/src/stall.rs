//! A write side that gives up on a reader that stopped reading: a client that takes none of its
//! responses' bytes for the write timeout is closed, instead of holding its responses (and the
//! broker's, behind them) forever.
//!
//! The timeout counts from the last progress, not from the start of a write: a large response to
//! a slow but reading client is not cut off, however long it takes.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::{AsyncWrite, BufWriter};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::time::Sleep;

/// A client connection's write side: buffered, and closed on a client that stops reading.
pub type ClientWriter = BufWriter<StallGuard<OwnedWriteHalf>>;

#[derive(Debug)]
pub struct StallGuard<W> {
    inner: W,
    limit: Duration,
    /// Running while a write or flush waits; reset by any progress.
    waiting: Option<Pin<Box<Sleep>>>,
}

impl<W> StallGuard<W> {
    pub fn new(inner: W, limit: Duration) -> Self {
        Self { inner, limit, waiting: None }
    }

    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// `poll` made no progress: times out once it has waited the limit since the last progress.
    fn stalled<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let limit = self.limit;
        let timer = self.waiting.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        ready!(timer.as_mut().poll(cx));
        self.waiting = None;
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("the client read none of its responses for {limit:?}"),
        )))
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for StallGuard<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write(cx, buf) {
            Poll::Ready(result) => {
                self.waiting = None;
                Poll::Ready(result)
            }
            Poll::Pending => self.stalled(cx),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.inner).poll_flush(cx) {
            Poll::Ready(result) => {
                self.waiting = None;
                Poll::Ready(result)
            }
            Poll::Pending => self.stalled(cx),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;

    async fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let near = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        let (far, _) = listener.accept().await.unwrap();
        (near, far)
    }

    #[tokio::test]
    async fn a_reader_that_stops_reading_times_the_writer_out() {
        let (near, _far) = pair().await;
        let mut writer = StallGuard::new(near, Duration::from_millis(200));
        let chunk = vec![7u8; 1 << 20];
        let error = loop {
            if let Err(e) = writer.write_all(&chunk).await {
                break e;
            }
        };
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }

    #[tokio::test]
    async fn a_slow_reader_that_keeps_reading_is_not_timed_out() {
        let (near, mut far) = pair().await;
        // Generous, so a busy machine's scheduling gaps are not taken for a stall.
        let mut writer = StallGuard::new(near, Duration::from_secs(2));
        let total = 4 << 20;
        let reader = tokio::spawn(async move {
            let mut got = 0;
            let mut buf = vec![0u8; 64 * 1024];
            while got < total {
                // Slower than the writer, but never stopping for the limit.
                tokio::time::sleep(Duration::from_millis(20)).await;
                got += far.read(&mut buf).await.unwrap();
            }
            got
        });
        writer.write_all(&vec![1u8; total]).await.expect("progress keeps the writer going");
        writer.flush().await.unwrap();
        assert_eq!(reader.await.unwrap(), total);
    }
}
