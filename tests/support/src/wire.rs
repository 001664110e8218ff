//! A bare Kafka connection for tests that need to send exact requests (or exact garbage) and see
//! exactly what comes back.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{ApiKey, RequestHeader, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};

/// A blocking connection with a read deadline.
#[derive(Debug)]
pub struct RawConnection {
    pub stream: TcpStream,
}

impl RawConnection {
    pub fn connect(address: &str) -> Self {
        let stream =
            TcpStream::connect(address).unwrap_or_else(|e| panic!("connect to {address}: {e}"));
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        stream.set_nodelay(true).unwrap();
        Self { stream }
    }

    /// Sends bytes as they are.
    pub fn send_bytes(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// Sends one Kafka request of `api` at `version`.
    pub fn send<R: Encodable>(&mut self, api: ApiKey, version: i16, correlation_id: i32, body: &R) {
        let header = RequestHeader::default()
            .with_request_api_key(api as i16)
            .with_request_api_version(version)
            .with_correlation_id(correlation_id)
            .with_client_id(Some(StrBytes::from_static_str("adminwire-test")));
        let mut buf = BytesMut::new();
        buf.put_i32(0);
        header.encode(&mut buf, api.request_header_version(version)).unwrap();
        body.encode(&mut buf, version).unwrap();
        let size = (buf.len() - 4) as i32;
        buf[..4].copy_from_slice(&size.to_be_bytes());
        self.send_bytes(&buf).unwrap();
    }

    /// Reads one response frame (without its size prefix), or the error that ended the connection
    /// (`UnexpectedEof` when it was closed).
    pub fn read_frame(&mut self) -> std::io::Result<Bytes> {
        let mut size = [0u8; 4];
        self.stream.read_exact(&mut size)?;
        let size = i32::from_be_bytes(size);
        assert!((0..=64 * 1024 * 1024).contains(&size), "response size {size}");
        let mut frame = vec![0; size as usize];
        self.stream.read_exact(&mut frame)?;
        Ok(Bytes::from(frame))
    }

    /// Reads one response of `api` at `version`: its correlation id and body.
    pub fn receive<R: Decodable>(&mut self, api: ApiKey, version: i16) -> (i32, R) {
        let mut frame = self.read_frame().expect("a response");
        let header =
            ResponseHeader::decode(&mut frame, api.response_header_version(version)).unwrap();
        let body = R::decode(&mut frame, version).unwrap();
        assert!(frame.is_empty(), "{} bytes after the {api:?} response", frame.len());
        (header.correlation_id, body)
    }

    /// True once the peer has closed the connection (reads end), within the read deadline.
    pub fn is_closed_by_peer(&mut self) -> bool {
        let mut byte = [0u8; 1];
        loop {
            match self.stream.read(&mut byte) {
                Ok(0) => return true,
                Ok(_) => continue,
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
                Err(_) => return false,
            }
        }
    }
}

impl RawConnection {
    /// Sends one request of the admin extension at `version` and returns its response, of the
    /// type that answers that request.
    pub fn call<R: adminwire_protocol::RequestMessage>(
        &mut self,
        request: R,
        version: i16,
    ) -> R::Response {
        expect(self.admin(request.into(), version))
    }

    /// Sends one request of the admin extension at `version` and returns its response.
    pub fn admin(
        &mut self,
        request: adminwire_protocol::AdminRequest,
        version: i16,
    ) -> adminwire_protocol::AdminResponse {
        let key = request.api_key();
        let mut frame = BytesMut::new();
        adminwire_protocol::encode_request(
            &request,
            version,
            4242,
            Some("adminwire-test"),
            &mut frame,
        )
        .expect("the request encodes in that version");
        self.send_bytes(&frame).unwrap();
        let payload = self.read_frame().expect("a response");
        let (header, response) = adminwire_protocol::decode_response(key, version, &payload)
            .unwrap_or_else(|e| panic!("a {key:?} v{version} response: {e}"));
        assert_eq!(header.correlation_id, 4242);
        response
    }
}

/// The response of type `R` that `response` holds; panics, saying what came instead, if it holds
/// another.
pub fn expect<R: adminwire_protocol::ResponseMessage>(
    response: adminwire_protocol::AdminResponse,
) -> R {
    R::try_from(response).unwrap_or_else(|other| {
        panic!("a {} answer, not {other:?}", <R as adminwire_protocol::Message>::NAME)
    })
}
