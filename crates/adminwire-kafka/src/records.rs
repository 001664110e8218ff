//! The records a Fetch brings, as a reader that sees only committed data takes them (Kafka's
//! READ_COMMITTED): control batches (transaction markers) are skipped, and so are the batches of
//! transactions the fetch names as aborted. No I/O: the bytes of one partition's `records` and its
//! `aborted_transactions` in, records and the next offset to fetch out.

use bytes::Bytes;
use kafka_protocol::records::{Record, RecordBatchDecoder};

/// A transaction the broker says was aborted: the producer, and the first offset of its records
/// in this fetch's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aborted {
    pub producer_id: i64,
    pub first_offset: i64,
}

/// What one partition's records of a fetch hold for a committed reader.
#[derive(Debug, Clone, PartialEq)]
pub struct Committed {
    /// The data records at or after the offset fetched, in offset order.
    pub records: Vec<Record>,
    /// The offset after the last whole batch read (skipped ones included): the next fetch's.
    pub next_offset: i64,
}

/// A batch's header: its base offset (8 bytes) and the length of the rest (4) lead every batch;
/// in a v2 batch, the magic byte is at 16 and the last offset delta at 23.
const LENGTH_END: usize = 12;
const MAGIC_AT: usize = 16;
const LAST_DELTA_AT: usize = 23;

/// A control record's key: a version (int16) then the type, 0 for an abort and 1 for a commit.
const ABORT_MARKER: i16 = 0;

/// The committed data records of `records` at or after `from`, given the transactions the fetch
/// named as `aborted`. A batch cut short at the end (the fetch's size limit) is left for the next
/// fetch.
pub fn committed(mut records: Bytes, from: i64, aborted: &[Aborted]) -> Result<Committed, String> {
    let mut pending: Vec<Aborted> = aborted.to_vec();
    pending.sort_by_key(|a| std::cmp::Reverse(a.first_offset));
    // Producers whose transaction in progress at this point was aborted.
    let mut aborting: Vec<i64> = Vec::new();
    let mut out = Vec::new();
    let mut next_offset = from;
    while records.len() >= LENGTH_END {
        let base = i64::from_be_bytes(records[..8].try_into().map_err(|_| "a short batch")?);
        let length = i32::from_be_bytes(records[8..12].try_into().map_err(|_| "a short batch")?);
        let length = usize::try_from(length).map_err(|_| format!("a batch of length {length}"))?;
        if records.len() < LENGTH_END + length {
            break;
        }
        let raw = records.split_to(LENGTH_END + length);
        let v2 = raw.len() > LAST_DELTA_AT + 4 && raw[MAGIC_AT] == 2;
        let mut batch = raw.clone();
        let set = RecordBatchDecoder::decode(&mut batch).map_err(|e| e.to_string())?;
        let last = if v2 {
            let delta = &raw[LAST_DELTA_AT..LAST_DELTA_AT + 4];
            base + i64::from(i32::from_be_bytes(delta.try_into().map_err(|_| "a short batch")?))
        } else {
            set.records.last().map_or(base, |r| r.offset)
        };
        next_offset = next_offset.max(last + 1);
        // Transactions the broker names as aborted start counting at their first offset.
        while pending.last().is_some_and(|a| a.first_offset <= last) {
            if let Some(a) = pending.pop() {
                aborting.push(a.producer_id);
            }
        }
        let Some(first) = set.records.first() else { continue };
        let producer = first.producer_id;
        if first.control {
            // The marker ends the producer's transaction, aborted or not.
            if control_type(first) == Some(ABORT_MARKER) {
                aborting.retain(|p| *p != producer);
            }
            continue;
        }
        if first.transactional && aborting.contains(&producer) {
            continue;
        }
        out.extend(set.records.into_iter().filter(|r| r.offset >= from));
    }
    Ok(Committed { records: out, next_offset })
}

fn control_type(record: &Record) -> Option<i16> {
    let key = record.key.as_ref()?;
    (key.len() >= 4).then(|| i16::from_be_bytes([key[2], key[3]]))
}

#[cfg(test)]
mod tests {
    use bytes::BytesMut;
    use indexmap::IndexMap;
    use kafka_protocol::records::{
        Compression, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
    };

    use super::*;

    /// One batch of `count` records from `base`; transactional for `producer` >= 0.
    fn batch(buf: &mut BytesMut, base: i64, count: i64, producer: i64, control: Option<i16>) {
        let records: Vec<Record> = (0..count)
            .map(|i| Record {
                transactional: producer >= 0,
                control: control.is_some(),
                partition_leader_epoch: 0,
                producer_id: producer,
                producer_epoch: if producer >= 0 { 0 } else { -1 },
                timestamp_type: TimestampType::Creation,
                offset: base + i,
                // The encoder starts a new batch where offset minus sequence changes.
                sequence: (base + i) as i32,
                timestamp: 1_000 + base + i,
                key: Some(match control {
                    Some(kind) => Bytes::from([0u8, 0, 0, kind as u8].to_vec()),
                    None => Bytes::from(format!("k{}", base + i)),
                }),
                value: (control.is_none()).then(|| Bytes::from(format!("v{}", base + i))),
                headers: IndexMap::new(),
                delete_horizon: false,
            })
            .collect();
        let options = RecordEncodeOptions { version: 2, compression: Compression::None };
        RecordBatchEncoder::encode(buf, &records, &options).unwrap();
    }

    fn offsets(c: &Committed) -> Vec<i64> {
        c.records.iter().map(|r| r.offset).collect()
    }

    #[test]
    fn plain_batches_are_read_from_the_offset_asked_for() {
        let mut buf = BytesMut::new();
        batch(&mut buf, 0, 3, -1, None);
        batch(&mut buf, 3, 2, -1, None);
        let read = committed(buf.freeze(), 1, &[]).unwrap();
        assert_eq!(offsets(&read), [1, 2, 3, 4]);
        assert_eq!(read.next_offset, 5);
        assert_eq!(read.records[0].key.as_deref(), Some(&b"k1"[..]));
        assert_eq!(read.records[0].timestamp, 1_001);
    }

    #[test]
    fn aborted_transactions_and_markers_are_skipped_committed_ones_kept() {
        let mut buf = BytesMut::new();
        batch(&mut buf, 0, 2, 7, None); // producer 7's transaction, committed at 2
        batch(&mut buf, 2, 1, 7, Some(1));
        batch(&mut buf, 3, 2, 8, None); // producer 8's, aborted at 6
        batch(&mut buf, 5, 1, -1, None); // a plain record in between
        batch(&mut buf, 6, 1, 8, Some(0));
        batch(&mut buf, 7, 1, 8, None); // producer 8's next transaction, committed
        batch(&mut buf, 8, 1, 8, Some(1));
        let aborted = [Aborted { producer_id: 8, first_offset: 3 }];
        let read = committed(buf.freeze(), 0, &aborted).unwrap();
        assert_eq!(offsets(&read), [0, 1, 5, 7]);
        assert_eq!(read.next_offset, 9, "past the last marker");
    }

    #[test]
    fn a_batch_cut_short_is_left_for_the_next_fetch() {
        let mut buf = BytesMut::new();
        batch(&mut buf, 0, 2, -1, None);
        batch(&mut buf, 2, 2, -1, None);
        let whole = buf.freeze();
        let cut = whole.slice(..whole.len() - 5);
        let read = committed(cut, 0, &[]).unwrap();
        assert_eq!((offsets(&read), read.next_offset), (vec![0, 1], 2));
        assert!(committed(Bytes::new(), 4, &[]).unwrap().records.is_empty());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut bytes = vec![0u8; 12];
        bytes[11] = 20;
        bytes.extend([0xff; 20]);
        assert!(committed(Bytes::from(bytes), 0, &[]).is_err());
        let mut negative = vec![0u8; 12];
        negative[8] = 0x80;
        assert!(committed(Bytes::from(negative), 0, &[]).is_err());
    }

    proptest::proptest! {
        /// Whatever a broker sends, an answer or an error: never a panic.
        #[test]
        fn any_bytes_are_read_or_refused(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let _ = committed(Bytes::from(bytes), 0, &[Aborted { producer_id: 1, first_offset: 0 }]);
        }

        /// A valid batch with bytes flipped after its length: read or refused.
        #[test]
        fn corrupted_batches_are_read_or_refused(at in 12usize..80, value in proptest::num::u8::ANY) {
            let mut buf = BytesMut::new();
            batch(&mut buf, 0, 3, 5, None);
            let mut bytes = buf.to_vec();
            if at < bytes.len() {
                bytes[at] = value;
            }
            let _ = committed(Bytes::from(bytes), 0, &[]);
        }
    }
}
