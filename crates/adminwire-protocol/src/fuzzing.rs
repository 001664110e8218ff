//! What each fuzz target under `fuzz/` runs, in one place, so that the cargo-fuzz targets (with
//! the `fuzzing` feature) and the stable corpus-replay test below run the same checks.
//!
//! Every function takes arbitrary bytes and panics only when an invariant of the codec breaks:
//! a decoder or the frame reader panicking on its own, a frame that is not exactly the
//! size-prefixed slice of the stream, or a decoded value that does not survive re-encoding.

use bytes::BytesMut;

use crate::frame::{
    DEFAULT_MAX_FRAME_SIZE, FrameError, FrameReader, SIZE_PREFIX_LEN, peek_correlation_id,
    peek_request_header,
};
use crate::{ApiKey, decode_request as decode_request_payload, encode_request, encode_response};

/// Which of the reader's methods takes frames off the buffer.
#[derive(Debug, Clone, Copy)]
enum Take {
    Request,
    Response,
    Frame,
}

/// `data[0]` picks the reader method (bits 0-1) and the small maximum frame size (bits 2-7);
/// `data[1]` how the rest is cut into chunks; the rest is the byte stream of a connection. The
/// stream is fed chunk by chunk, taking frames off after each chunk, to a reader with a small
/// maximum and then to one with the default maximum.
pub fn frame_reader(data: &[u8]) {
    let [flags, chunking, stream @ ..] = data else {
        return;
    };
    let take = match flags & 0b11 {
        0 => Take::Request,
        1 => Take::Response,
        _ => Take::Frame,
    };
    // 3: alternate between the three, as no connection's reader would, to show that they agree
    // on where frames end.
    let alternate = flags & 0b11 == 3;
    let small_max = 4 * usize::from(flags >> 2);
    for max in [small_max, DEFAULT_MAX_FRAME_SIZE] {
        read_stream(FrameReader::new(max), take, alternate, *chunking, stream);
    }
}

fn read_stream(reader: FrameReader, take: Take, alternate: bool, chunking: u8, stream: &[u8]) {
    assert!(reader.max_frame_size() <= DEFAULT_MAX_FRAME_SIZE);
    let mut buf = BytesMut::with_capacity(64);
    // Bytes of the stream taken off as frames so far.
    let mut consumed = 0;
    let mut fed = 0;
    let mut turn = 0usize;
    let mut chunk_no = 0usize;
    while fed < stream.len() {
        // Chunks of 1..=16 bytes, or the whole stream at once when `chunking` is 0.
        let len = match chunking {
            0 => stream.len(),
            c => 1 + (usize::from(c).wrapping_mul(chunk_no + 1) % 16),
        };
        let end = (fed + len).min(stream.len());
        buf.extend_from_slice(&stream[fed..end]);
        fed = end;
        chunk_no += 1;
        // Take every whole frame now in the buffer.
        loop {
            assert_eq!(&buf[..], &stream[consumed..fed], "the buffer is the unread stream");
            let expected = expected_frame(&reader, &buf);
            let method = if alternate {
                turn += 1;
                [Take::Request, Take::Response, Take::Frame][turn % 3]
            } else {
                take
            };
            let before = buf.clone();
            let taken = match method {
                Take::Request => reader.next_request(&mut buf).map(|f| {
                    f.map(|f| {
                        let header = peek_request_header(f.payload()).expect("peeked once already");
                        assert_eq!(f.header, header);
                        let payload = f.payload();
                        assert_eq!(i16::from_be_bytes([payload[0], payload[1]]), header.api_key);
                        assert_eq!(
                            i16::from_be_bytes([payload[2], payload[3]]),
                            header.api_version
                        );
                        assert_eq!(
                            i32::from_be_bytes([payload[4], payload[5], payload[6], payload[7]]),
                            header.correlation_id
                        );
                        f.bytes
                    })
                }),
                Take::Response => reader.next_response(&mut buf).map(|f| {
                    f.map(|f| {
                        let payload = f.payload();
                        assert_eq!(
                            i32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]),
                            f.correlation_id
                        );
                        f.bytes
                    })
                }),
                Take::Frame => reader.next_frame(&mut buf),
            };
            match (taken, expected) {
                (Ok(Some(frame)), Expected::Frame { len, .. }) => {
                    assert_eq!(frame.len(), len);
                    assert_eq!(&frame[..], &stream[consumed..consumed + len]);
                    consumed += len;
                }
                (Ok(None), Expected::Incomplete) => {
                    assert_eq!(buf, before, "an incomplete frame stays in the buffer");
                    break;
                }
                (Err(e), Expected::Frame { header_error, .. }) => {
                    assert_eq!(buf, before, "an error leaves the buffer as it was");
                    match (method, e) {
                        (Take::Request, FrameError::TooShort { needed: 8, size }) => {
                            assert_eq!(Some(FrameError::TooShort { needed: 8, size }), header_error)
                        }
                        (Take::Response, FrameError::TooShort { needed: 4, size }) => {
                            assert!(size < 4, "a {size}-byte frame holds a correlation id")
                        }
                        (method, e) => panic!("{method:?} failed on a whole frame: {e}"),
                    }
                    // A connection is closed on a frame error: nothing more to read.
                    return;
                }
                (Err(e), Expected::Error(expected)) => {
                    assert_eq!(e, expected);
                    assert_eq!(buf, before, "an error leaves the buffer as it was");
                    return;
                }
                (got, expected) => panic!("{method:?}: got {got:?}, expected {expected:?}"),
            }
        }
    }
}

/// What the reader should do with `buf`, worked out from the bytes without the reader.
#[derive(Debug)]
enum Expected {
    Incomplete,
    Frame { len: usize, header_error: Option<FrameError> },
    Error(FrameError),
}

fn expected_frame(reader: &FrameReader, buf: &[u8]) -> Expected {
    if buf.len() < SIZE_PREFIX_LEN {
        assert_eq!(reader.frame_size(buf), Ok(None));
        return Expected::Incomplete;
    }
    let raw = i32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]);
    let expected = if raw < 0 {
        Err(FrameError::NegativeSize(raw))
    } else if raw as usize > reader.max_frame_size() {
        if buf[0] == 0x16 && buf[1] == 0x03 && buf[2] <= 0x04 {
            Err(FrameError::TlsHandshake)
        } else {
            Err(FrameError::TooLarge { size: raw as usize, max: reader.max_frame_size() })
        }
    } else {
        Ok(raw as usize)
    };
    assert_eq!(reader.frame_size(buf), expected.clone().map(Some));
    match expected {
        Err(e) => Expected::Error(e),
        Ok(size) if buf.len() < SIZE_PREFIX_LEN + size => Expected::Incomplete,
        Ok(size) => {
            let payload = &buf[SIZE_PREFIX_LEN..SIZE_PREFIX_LEN + size];
            let header_error = peek_request_header(payload).err();
            assert_eq!(header_error.is_none(), size >= 8);
            assert_eq!(peek_correlation_id(payload).is_ok(), size >= 4);
            Expected::Frame { len: SIZE_PREFIX_LEN + size, header_error }
        }
    }
}

/// Decodes a request payload (a frame without its size prefix); when it decodes, encodes the
/// request again and checks that the new frame decodes to the same header and request, and that
/// encoding is then stable.
pub fn decode_request(data: &[u8]) {
    let Ok((header, request)) = decode_request_payload(data) else {
        return;
    };
    assert_eq!(header.api_key, request.api_key() as i16);
    let mut frame = BytesMut::new();
    encode_request(
        &request,
        header.api_version,
        header.correlation_id,
        header.client_id.as_deref(),
        &mut frame,
    )
    .unwrap_or_else(|e| panic!("a decoded {:?} does not encode: {e}", request.api_key()));
    let prefix = i32::from_be_bytes([frame[0], frame[1], frame[2], frame[3]]);
    assert_eq!(prefix as usize, frame.len() - SIZE_PREFIX_LEN);
    let (header2, request2) = decode_request_payload(&frame[SIZE_PREFIX_LEN..])
        .unwrap_or_else(|e| panic!("a re-encoded {:?} does not decode: {e}", request.api_key()));
    assert_eq!(request2, request);
    assert_eq!(header2.api_key, header.api_key);
    assert_eq!(header2.api_version, header.api_version);
    assert_eq!(header2.correlation_id, header.correlation_id);
    assert_eq!(header2.client_id, header.client_id);
    // The header's unknown tagged fields are not carried by `encode_request`.
    assert!(header2.unknown_tagged_fields.is_empty());
    let mut again = BytesMut::new();
    encode_request(
        &request2,
        header2.api_version,
        header2.correlation_id,
        header2.client_id.as_deref(),
        &mut again,
    )
    .expect("encoded once already");
    assert_eq!(again, frame, "encoding a decoded request is stable");
}

/// `data[0]` picks the API key (an index into [`ApiKey::ALL`], modulo its length), `data[1..3]`
/// the version (big-endian; only 0 and 1 exist, others must fail), the rest is a response
/// payload. When it decodes, encodes the response again and checks that it decodes to the same.
pub fn decode_response(data: &[u8]) {
    let [key, v0, v1, payload @ ..] = data else {
        return;
    };
    let api_key = ApiKey::ALL[usize::from(*key) % ApiKey::ALL.len()];
    let version = i16::from_be_bytes([*v0, *v1]);
    let decoded = crate::decode_response(api_key, version, payload);
    let (lo, hi) = api_key.versions();
    let Ok((header, response)) = decoded else {
        return;
    };
    assert!((lo..=hi).contains(&version), "decoded {api_key:?} in version {version}");
    assert_eq!(response.api_key(), api_key);
    let mut frame = BytesMut::new();
    encode_response(&response, version, header.correlation_id, &mut frame)
        .unwrap_or_else(|e| panic!("a decoded {api_key:?} v{version} does not encode: {e}"));
    let prefix = i32::from_be_bytes([frame[0], frame[1], frame[2], frame[3]]);
    assert_eq!(prefix as usize, frame.len() - SIZE_PREFIX_LEN);
    let (header2, response2) = crate::decode_response(api_key, version, &frame[SIZE_PREFIX_LEN..])
        .unwrap_or_else(|e| panic!("a re-encoded {api_key:?} v{version} does not decode: {e}"));
    assert_eq!(response2, response);
    assert_eq!(header2.correlation_id, header.correlation_id);
    assert!(header2.unknown_tagged_fields.is_empty());
    let mut again = BytesMut::new();
    encode_response(&response2, version, header2.correlation_id, &mut again)
        .expect("encoded once already");
    assert_eq!(again, frame, "encoding a decoded response is stable");
}

/// The stable side of the fuzz targets: replays the committed corpora (and any regressions) on
/// every `cargo test`, and writes the seed corpora on request.
// ---- seeds ----
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

use crate::{AdminRequest, AdminResponse};

/// Requests and responses of every key and version: the default value, then values drawn
/// from the property-test strategies (deterministically).
fn messages(per_version: usize) -> Vec<(i16, AdminRequest, AdminResponse)> {
    let mut runner = TestRunner::deterministic();
    let mut out = Vec::new();
    for &key in ApiKey::ALL {
        let (lo, hi) = key.versions();
        for version in lo..=hi {
            for _ in 0..per_version {
                let request = AdminRequest::arbitrary(key, version)
                    .new_tree(&mut runner)
                    .expect("a request")
                    .current();
                let response = AdminResponse::arbitrary(key, version)
                    .new_tree(&mut runner)
                    .expect("a response")
                    .current();
                out.push((version, request, response));
            }
        }
    }
    out
}

/// Seed inputs for each target (target, name, bytes), built from real encoded messages of every
/// key and version; `examples/write_fuzz_seeds.rs` writes them into `fuzz/corpus/`.
pub fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut seeds = Vec::new();
    for (i, (version, request, response)) in messages(8).into_iter().enumerate() {
        let key = request.api_key();
        let tag = format!("{}-v{version}-{i:03}", key.name());
        let client_id = ["adminwire", "", "c"][i % 3];
        let client_id = (i % 5 != 4).then_some(client_id);
        let mut request_frame = BytesMut::new();
        encode_request(&request, version, i as i32, client_id, &mut request_frame).unwrap();
        let mut response_frame = BytesMut::new();
        encode_response(&response, version, i as i32, &mut response_frame).unwrap();

        seeds.push(("decode_request", tag.clone(), request_frame[4..].to_vec()));

        let index = ApiKey::ALL.iter().position(|k| *k == key).unwrap() as u8;
        let mut input = vec![index];
        input.extend_from_slice(&version.to_be_bytes());
        input.extend_from_slice(&response_frame[4..]);
        seeds.push(("decode_response", tag.clone(), input));

        // A request and its response back to back, read each way, chunked or whole, with a
        // small maximum that some of them exceed.
        let mode = (i % 4) as u8;
        let small_max = [16u8, 63][i % 2] << 2;
        let chunking = [0u8, 1, 7, 13][(i / 4) % 4];
        let mut input = vec![mode | small_max, chunking];
        input.extend_from_slice(&request_frame);
        input.extend_from_slice(&response_frame);
        seeds.push(("frame_reader", tag, input));
    }
    seeds
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::seeds;
    use crate::ApiKey;

    type Target = fn(&[u8]);

    const TARGETS: [(&str, Target); 3] = [
        ("frame_reader", super::frame_reader),
        ("decode_request", super::decode_request),
        ("decode_response", super::decode_response),
    ];

    fn fuzz_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
    }

    /// The files of `dir`, sorted; none if it does not exist.
    fn files(dir: &Path) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .map(|e| e.expect("a readable corpus entry").path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        files
    }

    /// Runs `target` on every file, returning how many ran; panics naming every file that failed.
    fn replay(name: &str, target: Target, files: &[PathBuf]) -> usize {
        let mut failed = Vec::new();
        for file in files {
            let data = std::fs::read(file).expect("a readable corpus file");
            if std::panic::catch_unwind(|| target(&data)).is_err() {
                failed.push(file.display().to_string());
            }
        }
        assert!(failed.is_empty(), "{name} failed on {} inputs: {failed:#?}", failed.len());
        files.len()
    }

    /// Every committed corpus file and every committed regression input passes its target's
    /// checks. The corpora are what `cargo fuzz cmin` kept after the fuzz runs; see
    /// `fuzz/README.md`.
    #[test]
    fn committed_fuzz_corpora_replay_cleanly() {
        for (name, target) in TARGETS {
            let corpus = files(&fuzz_dir().join("corpus").join(name));
            let replayed = replay(name, target, &corpus);
            // Not vacuous: the minimized corpora hold 73 (frame_reader), 559 (decode_request) and
            // 887 (decode_response) files.
            assert!(replayed >= 50, "only {replayed} corpus files for {name}: is fuzz/ there?");
            let regressions = files(&fuzz_dir().join("regressions").join(name));
            replay(name, target, &regressions);
        }
    }

    /// The seeds themselves pass every target's checks, so the replay test above checks real
    /// messages even before any fuzzing.
    #[test]
    fn seeds_pass_their_targets() {
        for (target, name, bytes) in seeds() {
            let (_, run) = TARGETS.iter().find(|(t, _)| *t == target).unwrap();
            let ok = std::panic::catch_unwind(|| run(&bytes)).is_ok();
            assert!(ok, "{target} failed on seed {name}");
        }
    }

    /// Every seed of the decoders really decodes (a seed that fails early would teach the fuzzer
    /// nothing about the deeper fields).
    #[test]
    fn decoder_seeds_decode() {
        for (target, name, bytes) in seeds() {
            match target {
                "decode_request" => {
                    crate::decode_request(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
                }
                "decode_response" => {
                    let key = ApiKey::ALL[usize::from(bytes[0])];
                    let version = i16::from_be_bytes([bytes[1], bytes[2]]);
                    crate::decode_response(key, version, &bytes[3..])
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                }
                _ => {}
            }
        }
    }
}
