//! The record batches a Fetch brings, as a reader that sees only committed data takes them
//! (Kafka's READ_COMMITTED): control batches (transaction markers) are skipped, and so are the
//! batches of transactions the fetch names as aborted. Batches are kept whole, as fetched, and
//! judged by their headers alone, so that a copier can pass them on without decompressing them;
//! [`Batch::records`] decodes one where that is needed. No I/O: the bytes of one partition's
//! `records` and its `aborted_transactions` in, batches and the next offset to fetch out.

use bytes::Bytes;
use kafka_protocol::records::{
    Compression, Record, RecordBatchDecoder, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
};

/// A transaction the broker says was aborted: the producer, and the first offset of its records
/// in this fetch's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aborted {
    pub producer_id: i64,
    pub first_offset: i64,
}

/// Where the fields of a batch's header are. The base offset (8 bytes) and the length of the rest
/// (4) lead every batch; the magic byte is at 16 in every format.
mod at {
    pub const LENGTH_END: usize = 12;
    pub const MAGIC: usize = 16;
    // Format 2 (magic 2) only:
    pub const ATTRIBUTES: usize = 21;
    pub const LAST_OFFSET_DELTA: usize = 23;
    pub const PRODUCER_ID: usize = 43;
    pub const RECORD_COUNT: usize = 57;
    pub const RECORDS: usize = 61;
}

/// Attribute bits of a format-2 batch.
const COMPRESSION_BITS: i16 = 0x07;
const LOG_APPEND_TIME: i16 = 0x08;
const TRANSACTIONAL: i16 = 0x10;
const CONTROL: i16 = 0x20;

/// One record batch, whole, as fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub raw: Bytes,
    pub base_offset: i64,
    pub last_offset: i64,
}

impl Batch {
    /// The batch's format: 2 for every batch written since Kafka 0.11.
    pub fn magic(&self) -> i8 {
        self.raw.get(at::MAGIC).map_or(-1, |m| *m as i8)
    }

    fn v2_i16(&self, from: usize) -> Option<i16> {
        let bytes = self.raw.get(from..from + 2)?;
        (self.magic() == 2).then(|| i16::from_be_bytes([bytes[0], bytes[1]]))
    }

    fn v2_i32(&self, from: usize) -> Option<i32> {
        let bytes = self.raw.get(from..from + 4)?;
        (self.magic() == 2).then(|| i32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn attributes(&self) -> i16 {
        self.v2_i16(at::ATTRIBUTES).unwrap_or(0)
    }

    pub fn producer_id(&self) -> i64 {
        match self.raw.get(at::PRODUCER_ID..at::PRODUCER_ID + 8) {
            Some(bytes) if self.magic() == 2 => {
                i64::from_be_bytes(bytes.try_into().unwrap_or([0xff; 8]))
            }
            _ => -1,
        }
    }

    pub fn is_transactional(&self) -> bool {
        self.attributes() & TRANSACTIONAL != 0
    }

    pub fn is_control(&self) -> bool {
        self.attributes() & CONTROL != 0
    }

    /// Its timestamps are the broker's append time, not the producer's.
    pub fn is_log_append_time(&self) -> bool {
        self.attributes() & LOG_APPEND_TIME != 0
    }

    /// The compression codec: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd.
    pub fn compression(&self) -> i16 {
        self.attributes() & COMPRESSION_BITS
    }

    /// How many records it holds (format 2).
    pub fn record_count(&self) -> Option<i32> {
        self.v2_i32(at::RECORD_COUNT)
    }

    /// A format-2 batch whose records have consecutive offsets (none compacted away), as the
    /// Produce API takes them.
    pub fn is_dense(&self) -> bool {
        self.record_count().is_some_and(|n| i64::from(n) == self.last_offset - self.base_offset + 1)
    }

    /// Its records, decoded (decompressed where they are compressed).
    pub fn records(&self) -> Result<Vec<Record>, String> {
        let mut raw = self.raw.clone();
        let set = RecordBatchDecoder::decode(&mut raw).map_err(|e| e.to_string())?;
        Ok(set.records)
    }

    /// The bytes a format-2 batch's CRC covers and its records: from its attributes on.
    pub fn after_crc(&self) -> Option<&[u8]> {
        (self.magic() == 2).then(|| self.raw.get(at::ATTRIBUTES..)).flatten()
    }
}

/// What one partition's records of a fetch hold for a committed reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    /// The committed data batches that hold an offset at or after the one fetched, in order.
    pub batches: Vec<Batch>,
    /// The offset after the last whole batch read (skipped ones included): the next fetch's.
    pub next_offset: i64,
}

/// The committed data batches of `records` holding offsets at or after `from`, given the
/// transactions the fetch named as `aborted`. A batch cut short at the end (the fetch's size
/// limit) is left for the next fetch.
pub fn committed(mut records: Bytes, from: i64, aborted: &[Aborted]) -> Result<Committed, String> {
    let mut pending: Vec<Aborted> = aborted.to_vec();
    pending.sort_by_key(|a| std::cmp::Reverse(a.first_offset));
    // Producers whose transaction in progress at this point was aborted.
    let mut aborting: Vec<i64> = Vec::new();
    let mut batches = Vec::new();
    let mut next_offset = from;
    while records.len() >= at::LENGTH_END {
        let base = i64::from_be_bytes(records[..8].try_into().map_err(|_| "a short batch")?);
        let length = i32::from_be_bytes(records[8..12].try_into().map_err(|_| "a short batch")?);
        let length = usize::try_from(length).map_err(|_| format!("a batch of length {length}"))?;
        if records.len() < at::LENGTH_END + length {
            break;
        }
        let raw = records.split_to(at::LENGTH_END + length);
        if raw.len() <= at::MAGIC {
            return Err(format!("a batch of {} bytes", raw.len()));
        }
        let mut batch = Batch { raw, base_offset: base, last_offset: base };
        batch.last_offset = match batch.v2_i32(at::LAST_OFFSET_DELTA) {
            Some(delta) if batch.raw.len() >= at::RECORDS => base + i64::from(delta),
            Some(_) => return Err(format!("a batch of {} bytes", batch.raw.len())),
            // The formats before 2 hold their offsets in their records only.
            None => batch.records()?.last().map_or(base, |r| r.offset),
        };
        next_offset = next_offset.max(batch.last_offset + 1);
        // Transactions the broker names as aborted count from their first offset on.
        while pending.last().is_some_and(|a| a.first_offset <= batch.last_offset) {
            if let Some(a) = pending.pop() {
                aborting.push(a.producer_id);
            }
        }
        let producer = batch.producer_id();
        if batch.is_control() {
            // A producer's marker ends its transaction: of those aborting, the abort marker.
            aborting.retain(|p| *p != producer);
            continue;
        }
        if batch.last_offset < from || (batch.is_transactional() && aborting.contains(&producer)) {
            continue;
        }
        batches.push(batch);
    }
    Ok(Committed { batches, next_offset })
}

/// A producer's identity, as an idempotent producer's batches carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Producer {
    pub id: i64,
    pub epoch: i16,
}

/// The source offsets of an outgoing batch's records, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sources {
    /// Consecutive: `first` to `last`, both included.
    Range { first: i64, last: i64 },
    /// As listed (some were left out, or the batch had gaps).
    List(Vec<i64>),
}

impl Sources {
    pub fn len(&self) -> usize {
        match self {
            Self::Range { first, last } => usize::try_from(last - first + 1).unwrap_or(0),
            Self::List(offsets) => offsets.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A batch ready for an idempotent producer's Produce request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub bytes: Bytes,
    pub sources: Sources,
    /// The producer id of the batch it was made from (-1: written without one), which tells who
    /// wrote the records on the source.
    pub writer: i64,
}

/// More fields of a format-2 header, for rewriting one.
mod rewrite_at {
    pub const PARTITION_LEADER_EPOCH: usize = 12;
    pub const CRC: usize = 17;
    pub const MAX_TIMESTAMP: usize = 35;
    pub const PRODUCER_EPOCH: usize = 51;
    pub const BASE_SEQUENCE: usize = 53;
}

/// What a producer's single format-2 batch (a Produce request's records for one partition) says
/// of itself, read from its header alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProducedBatch {
    /// The idempotent producer that wrote it, if one did.
    pub producer: Option<Producer>,
    pub transactional: bool,
    /// How many offsets it takes (its last offset delta + 1).
    pub offsets: i64,
    /// The producer's sequence number of its first record (-1 without a producer).
    pub base_sequence: i32,
    /// Whether its CRC is the one its bytes have.
    pub crc_valid: bool,
}

/// Reads `records` as one whole format-2 batch; `None` if it is anything else (the broker then
/// refuses it as it is).
pub fn produced_batch(records: &[u8]) -> Option<ProducedBatch> {
    let int =
        |at: usize| records.get(at..at + 4).map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    if records.len() < at::RECORDS || records.get(at::MAGIC) != Some(&2) {
        return None;
    }
    let length = usize::try_from(int(8)?).ok()?;
    if length.checked_add(at::LENGTH_END)? != records.len() {
        return None;
    }
    let attributes = i16::from_be_bytes([records[at::ATTRIBUTES], records[at::ATTRIBUTES + 1]]);
    let id = i64::from_be_bytes(records[at::PRODUCER_ID..at::PRODUCER_ID + 8].try_into().ok()?);
    let epoch = rewrite_at::PRODUCER_EPOCH;
    let epoch = i16::from_be_bytes([records[epoch], records[epoch + 1]]);
    let crc = u32::from_be_bytes(records[rewrite_at::CRC..rewrite_at::CRC + 4].try_into().ok()?);
    Some(ProducedBatch {
        producer: (id >= 0).then_some(Producer { id, epoch }),
        transactional: attributes & TRANSACTIONAL != 0,
        offsets: i64::from(int(at::LAST_OFFSET_DELTA)?) + 1,
        base_sequence: int(rewrite_at::BASE_SEQUENCE)?,
        crc_valid: crc == crc32c::crc32c(&records[at::ATTRIBUTES..]),
    })
}

/// `records` (one format-2 batch, as [`produced_batch`] read it) as `producer`'s: its producer id
/// and epoch replaced and its CRC computed again; its sequence and records untouched. `None` for
/// bytes too short to be a batch.
pub fn as_producer(records: &[u8], producer: Producer) -> Option<Bytes> {
    if records.len() < at::RECORDS {
        return None;
    }
    let mut bytes = bytes::BytesMut::from(records);
    bytes[at::PRODUCER_ID..at::PRODUCER_ID + 8].copy_from_slice(&producer.id.to_be_bytes());
    let at_epoch = rewrite_at::PRODUCER_EPOCH;
    bytes[at_epoch..at_epoch + 2].copy_from_slice(&producer.epoch.to_be_bytes());
    let crc = crc32c::crc32c(&bytes[at::ATTRIBUTES..]);
    bytes[rewrite_at::CRC..rewrite_at::CRC + 4].copy_from_slice(&crc.to_be_bytes());
    Some(bytes.freeze())
}

/// What a Produce sends for a partition to have the broker authorize a transactional write of
/// `producer` without writing anything: two empty transactional batches. A broker checks the
/// transactional id (only for a request whose first batch is transactional), then the topic, then
/// refuses the partition as `INVALID_RECORD` (one batch per partition allowed), before any append.
pub fn transactional_probe(producer: Producer) -> Bytes {
    let mut batch = [0u8; at::RECORDS];
    batch[8..12].copy_from_slice(&((at::RECORDS - at::LENGTH_END) as i32).to_be_bytes());
    batch[12..16].copy_from_slice(&(-1i32).to_be_bytes());
    batch[at::MAGIC] = 2;
    batch[at::ATTRIBUTES..at::ATTRIBUTES + 2].copy_from_slice(&TRANSACTIONAL.to_be_bytes());
    batch[at::PRODUCER_ID..at::PRODUCER_ID + 8].copy_from_slice(&producer.id.to_be_bytes());
    let at_epoch = rewrite_at::PRODUCER_EPOCH;
    batch[at_epoch..at_epoch + 2].copy_from_slice(&producer.epoch.to_be_bytes());
    let crc = crc32c::crc32c(&batch[at::ATTRIBUTES..]);
    batch[rewrite_at::CRC..rewrite_at::CRC + 4].copy_from_slice(&crc.to_be_bytes());
    let mut two = bytes::BytesMut::with_capacity(2 * at::RECORDS);
    two.extend_from_slice(&batch);
    two.extend_from_slice(&batch);
    two.freeze()
}

/// `batch`'s records at or after `from`, as `producer`'s batch starting at `base_sequence`; none
/// if it holds none of them. A dense format-2 batch wholly at or after `from` is passed on as it
/// is, its records untouched (not even decompressed): only its header is rewritten (offsets from
/// 0, the producer's id, epoch and sequence, not transactional, a new CRC). Any other is decoded
/// and encoded anew, uncompressed: records before `from` left out, the others given consecutive
/// offsets, and a batch of broker append times given those times as its records' own.
pub fn for_producer(
    batch: &Batch,
    from: i64,
    producer: Producer,
    base_sequence: i32,
) -> Result<Option<Outgoing>, String> {
    if batch.last_offset < from || batch.is_control() {
        return Ok(None);
    }
    if batch.is_dense() && batch.base_offset >= from && !batch.is_log_append_time() {
        let mut bytes = bytes::BytesMut::from(&batch.raw[..]);
        bytes[..8].copy_from_slice(&0i64.to_be_bytes());
        let epoch = rewrite_at::PARTITION_LEADER_EPOCH;
        bytes[epoch..epoch + 4].copy_from_slice(&(-1i32).to_be_bytes());
        let attributes = batch.attributes() & !TRANSACTIONAL;
        bytes[at::ATTRIBUTES..at::ATTRIBUTES + 2].copy_from_slice(&attributes.to_be_bytes());
        bytes[at::PRODUCER_ID..at::PRODUCER_ID + 8].copy_from_slice(&producer.id.to_be_bytes());
        let at_epoch = rewrite_at::PRODUCER_EPOCH;
        bytes[at_epoch..at_epoch + 2].copy_from_slice(&producer.epoch.to_be_bytes());
        let at_sequence = rewrite_at::BASE_SEQUENCE;
        bytes[at_sequence..at_sequence + 4].copy_from_slice(&base_sequence.to_be_bytes());
        let crc = crc32c::crc32c(&bytes[at::ATTRIBUTES..]);
        bytes[rewrite_at::CRC..rewrite_at::CRC + 4].copy_from_slice(&crc.to_be_bytes());
        let sources = Sources::Range { first: batch.base_offset, last: batch.last_offset };
        return Ok(Some(Outgoing { bytes: bytes.freeze(), sources, writer: batch.producer_id() }));
    }
    let append_time = if batch.is_log_append_time() {
        let bytes = batch.raw.get(rewrite_at::MAX_TIMESTAMP..rewrite_at::MAX_TIMESTAMP + 8);
        bytes.map(|b| i64::from_be_bytes(b.try_into().unwrap_or([0; 8])))
    } else {
        None
    };
    let mut records: Vec<Record> =
        batch.records()?.into_iter().filter(|r| r.offset >= from).collect();
    if records.is_empty() {
        return Ok(None);
    }
    let sources: Vec<i64> = records.iter().map(|r| r.offset).collect();
    for (i, record) in records.iter_mut().enumerate() {
        let i = i32::try_from(i).map_err(|_| "a batch of more than 2^31 records")?;
        record.offset = i64::from(i);
        record.sequence = base_sequence.wrapping_add(i);
        record.producer_id = producer.id;
        record.producer_epoch = producer.epoch;
        record.transactional = false;
        record.control = false;
        record.partition_leader_epoch = -1;
        record.timestamp_type = TimestampType::Creation;
        if let Some(at) = append_time {
            record.timestamp = at;
        }
    }
    let mut bytes = bytes::BytesMut::new();
    let options = RecordEncodeOptions { version: 2, compression: Compression::None };
    RecordBatchEncoder::encode(&mut bytes, &records, &options).map_err(|e| e.to_string())?;
    let sources = match (sources.first(), sources.last()) {
        (Some(&first), Some(&last)) if last - first + 1 == sources.len() as i64 => {
            Sources::Range { first, last }
        }
        _ => Sources::List(sources),
    };
    Ok(Some(Outgoing { bytes: bytes.freeze(), sources, writer: batch.producer_id() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BytesMut;
    use indexmap::IndexMap;

    /// One batch of `count` records from `base`; transactional for `producer` >= 0.
    fn batch(buf: &mut BytesMut, base: i64, count: i64, producer: i64, control: Option<u8>) {
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
                    Some(kind) => Bytes::from(vec![0u8, 0, 0, kind]),
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
        let records = c.batches.iter().flat_map(|b| b.records().unwrap());
        records.map(|r| r.offset).collect()
    }

    #[test]
    fn plain_batches_are_kept_whole_from_the_one_holding_the_offset_asked_for() {
        let mut buf = BytesMut::new();
        batch(&mut buf, 0, 3, -1, None);
        batch(&mut buf, 3, 2, -1, None);
        let read = committed(buf.freeze(), 4, &[]).unwrap();
        assert_eq!(offsets(&read), [3, 4], "the batch holding 4, whole");
        assert_eq!(read.next_offset, 5);
        let read = committed(read.batches[0].raw.clone(), 3, &[]).unwrap();
        let batch = &read.batches[0];
        assert_eq!((batch.base_offset, batch.last_offset), (3, 4));
        assert_eq!((batch.magic(), batch.record_count(), batch.is_dense()), (2, Some(2), true));
        assert!(!batch.is_transactional() && !batch.is_control() && !batch.is_log_append_time());
        let records = batch.records().unwrap();
        assert_eq!(records[0].key.as_deref(), Some(&b"k3"[..]));
        assert_eq!(records[0].timestamp, 1_003);
    }

    #[test]
    fn a_transactional_probe_is_two_empty_transactional_batches_of_the_producer() {
        let producer = Producer { id: 4242, epoch: 7 };
        let probe = transactional_probe(producer);
        assert_eq!(probe.len(), 2 * at::RECORDS);
        let first = produced_batch(&probe[..at::RECORDS]).expect("a batch");
        assert!(first.transactional && first.crc_valid);
        assert_eq!(first.producer, Some(producer));
        assert_eq!(&probe[..at::RECORDS], &probe[at::RECORDS..]);
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
        assert!(read.batches[0].is_transactional());
        assert_eq!(read.batches[0].producer_id(), 7);
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
        assert!(committed(Bytes::new(), 4, &[]).unwrap().batches.is_empty());
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

    const PRODUCER: Producer = Producer { id: 4242, epoch: 3 };

    /// Reads `outgoing` back as the broker would: one batch, its CRC right, its records.
    fn read_back(outgoing: &Outgoing) -> (Batch, Vec<Record>) {
        let read = committed(outgoing.bytes.clone(), 0, &[]).unwrap();
        assert_eq!(read.batches.len(), 1);
        let batch = read.batches[0].clone();
        let crc = u32::from_be_bytes(batch.raw[17..21].try_into().unwrap());
        assert_eq!(crc, crc32c::crc32c(batch.after_crc().unwrap()), "the CRC is right");
        let records = batch.records().unwrap();
        (batch, records)
    }

    #[test]
    fn a_dense_batch_is_passed_on_with_the_producers_header() {
        let mut buf = BytesMut::new();
        batch(&mut buf, 10, 3, 7, None);
        let source = committed(buf.freeze(), 10, &[]).unwrap().batches.remove(0);
        let out = for_producer(&source, 10, PRODUCER, 50).unwrap().unwrap();
        assert_eq!(out.sources, Sources::Range { first: 10, last: 12 });
        assert_eq!(out.bytes.len(), source.raw.len(), "records untouched");
        assert_eq!(out.bytes[at::RECORDS..], source.raw[at::RECORDS..]);
        let (batch, records) = read_back(&out);
        assert_eq!((batch.base_offset, batch.last_offset), (0, 2));
        assert!(!batch.is_transactional());
        assert_eq!(batch.producer_id(), 4242);
        let sequences: Vec<i32> = records.iter().map(|r| r.sequence).collect();
        assert_eq!(sequences, [50, 51, 52]);
        assert!(records.iter().all(|r| r.producer_epoch == 3 && !r.transactional));
        assert_eq!(records[2].key.as_deref(), Some(&b"k12"[..]));
        assert_eq!(records[2].timestamp, 1_012);
    }

    #[test]
    fn a_batch_begun_before_the_offset_is_encoded_anew_without_the_earlier_records() {
        let mut buf = BytesMut::new();
        batch(&mut buf, 0, 4, -1, None);
        let source = committed(buf.freeze(), 2, &[]).unwrap().batches.remove(0);
        let out = for_producer(&source, 2, PRODUCER, 0).unwrap().unwrap();
        assert_eq!(out.sources, Sources::Range { first: 2, last: 3 });
        let (_, records) = read_back(&out);
        let keys: Vec<_> = records.iter().map(|r| r.key.clone().unwrap()).collect();
        assert_eq!(keys, [Bytes::from("k2"), Bytes::from("k3")]);
        assert_eq!(records.iter().map(|r| r.offset).collect::<Vec<_>>(), [0, 1]);
        assert!(for_producer(&source, 4, PRODUCER, 0).unwrap().is_none(), "nothing left");
    }

    proptest::proptest! {
        /// Whatever a broker sends, batches or an error: never a panic.
        #[test]
        fn any_bytes_are_read_or_refused(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600),
        ) {
            let aborted = [Aborted { producer_id: 1, first_offset: 0 }];
            if let Ok(read) = committed(Bytes::from(bytes), 0, &aborted) {
                for batch in &read.batches {
                    let _ = (batch.records(), batch.is_dense(), batch.after_crc());
                }
            }
        }

        /// A valid batch with a byte changed after its length: read or refused.
        #[test]
        fn corrupted_batches_are_read_or_refused(at in 12usize..80, value in proptest::num::u8::ANY) {
            let mut buf = BytesMut::new();
            batch(&mut buf, 0, 3, 5, None);
            let mut bytes = buf.to_vec();
            if at < bytes.len() {
                bytes[at] = value;
            }
            if let Ok(read) = committed(Bytes::from(bytes), 0, &[]) {
                for batch in &read.batches {
                    let _ = (batch.records(), batch.is_dense(), batch.producer_id());
                }
            }
        }
    }

    #[test]
    fn a_producers_batch_is_read_and_given_to_another_producer_with_a_valid_crc() {
        let records: Vec<Record> = (0..3)
            .map(|i| Record {
                transactional: false,
                control: false,
                partition_leader_epoch: 0,
                producer_id: 7,
                producer_epoch: 1,
                timestamp_type: TimestampType::Creation,
                offset: i,
                sequence: 5 + i as i32,
                timestamp: 1_000 + i,
                key: None,
                value: Some(Bytes::from(format!("v{i}"))),
                headers: IndexMap::new(),
                delete_horizon: false,
            })
            .collect();
        let mut buf = BytesMut::new();
        let options = RecordEncodeOptions { version: 2, compression: Compression::None };
        RecordBatchEncoder::encode(&mut buf, &records, &options).unwrap();
        let read = produced_batch(&buf).expect("one batch");
        assert_eq!(read.producer, Some(Producer { id: 7, epoch: 1 }));
        assert!(!read.transactional);
        assert_eq!(read.offsets, 3);
        assert_eq!(read.base_sequence, 5);
        assert!(read.crc_valid);
        let mut corrupt = buf.clone();
        let last = corrupt.len() - 1;
        corrupt[last] ^= 1;
        assert!(!produced_batch(&corrupt).unwrap().crc_valid);

        let rewritten = as_producer(&buf, Producer { id: 99, epoch: 3 }).unwrap();
        // The decoder checks the CRC.
        let mut bytes = rewritten.clone();
        let decoded = RecordBatchDecoder::decode(&mut bytes).expect("a valid batch");
        let ids: Vec<(i64, i16, i32)> =
            decoded.records.iter().map(|r| (r.producer_id, r.producer_epoch, r.sequence)).collect();
        assert_eq!(ids, [(99, 3, 5), (99, 3, 6), (99, 3, 7)]);
        assert_eq!(
            produced_batch(&rewritten).unwrap().producer,
            Some(Producer { id: 99, epoch: 3 })
        );

        // Anything but one whole format-2 batch is not read: cut short, or two batches.
        assert_eq!(produced_batch(&buf[..buf.len() - 1]), None);
        let mut two = buf.clone();
        two.extend_from_slice(&buf);
        assert_eq!(produced_batch(&two), None);
        assert_eq!(produced_batch(&[]), None);
        assert_eq!(as_producer(&buf[..20], Producer { id: 1, epoch: 0 }), None);
    }
}
