//! The Kafka wire primitives the generated messages are made of: fixed-width integers, booleans,
//! classic and compact strings and arrays, nullable structs and tagged fields.
//!
//! Decoders are nom parsers over `&[u8]`. Every length read off the wire is checked against the
//! bytes actually remaining before anything is allocated for it, so a hostile length costs an
//! error, never memory.
//!
//! That alone still lets memory grow many times the input: an empty compact string is 1 byte on
//! the wire and a 24-byte `String` in memory, an empty struct of five fields is a handful of bytes
//! and a hundred in memory. A caller that must bound memory by the input's size (the sidecar, for
//! requests from any client) decodes under [`within_memory`], which charges every allocation the
//! decoders make against a budget and fails with [`DecodeErrorKind::OverMemoryBudget`] before
//! making one that would pass it.

use std::cell::Cell;
use std::collections::BTreeMap;

use bytes::{BufMut, BytesMut};
use nom::IResult;
use nom::number::complete::{be_i8, be_i16, be_i32, be_i64, be_u8};

use crate::error::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind};

/// The result of a parser: the rest of the input and the value, or why it failed.
pub type PResult<'a, T> = IResult<&'a [u8], T, DecodeError>;

/// Tagged fields a decoder did not know, kept by tag so that re-encoding preserves them.
pub type UnknownTaggedFields = BTreeMap<u32, Vec<u8>>;

/// The longest string a classic (int16) length prefix can carry.
pub const MAX_CLASSIC_STRING: usize = i16::MAX as usize;
/// The longest string or array a compact (varint) or int32 length prefix can carry here.
pub const MAX_LONG_LENGTH: usize = i32::MAX as usize - 1;

/// Room reserved up front for an array, whatever its declared length: the rest grows only as
/// elements really decode, so a large declared count cannot reserve memory the input lacks.
const MAX_PREALLOCATED_BYTES: usize = 64 * 1024;

fn fail<T>(kind: DecodeErrorKind) -> Result<T, nom::Err<DecodeError>> {
    Err(nom::Err::Failure(DecodeError::new(kind)))
}

/// The memory budget of the decoding running on this thread: (bytes left, bytes allowed), or
/// `None` outside [`within_memory`]. A thread-local rather than a parameter because the generated
/// message decoders call these primitives without a context to pass it in; decoding is
/// synchronous, so the decoding that set it is the only one that can see it.
#[derive(Clone, Copy)]
struct Budget {
    left: usize,
    allowed: usize,
}

thread_local! {
    static BUDGET: Cell<Option<Budget>> = const { Cell::new(None) };
}

/// Runs `decode` (a call of this module's decoders, such as `decode_request`) allowing its
/// decoders to allocate at most `budget` bytes in all; past that it fails with
/// [`DecodeErrorKind::OverMemoryBudget`], having allocated no more than the budget.
///
/// What is charged: each array's elements (`count * size_of::<T>()`, allocated at exactly that
/// capacity, so no growth overshoot), each string's bytes, and each unknown tagged field's bytes
/// and its share of the map that keeps it. The value decoded itself (the top-level struct, held
/// by the caller) is not, nor are error values. Charges are an upper bound of what the allocator
/// is asked for (crates/adminwire-sidecar/tests/admin_memory.rs checks it with a counting
/// allocator).
pub fn within_memory<T>(
    budget: usize,
    decode: impl FnOnce() -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    /// Puts back the budget in force before, however `decode` ends.
    struct Restore(Option<Budget>);
    impl Drop for Restore {
        fn drop(&mut self) {
            BUDGET.with(|b| b.set(self.0));
        }
    }
    let previous = BUDGET.with(|b| b.replace(Some(Budget { left: budget, allowed: budget })));
    let _restore = Restore(previous);
    decode()
}

/// Charges `bytes` to the budget in force. `Ok(true)` if there is one (and it had room),
/// `Ok(false)` if decoding is not budgeted.
fn charge(bytes: usize) -> Result<bool, nom::Err<DecodeError>> {
    BUDGET.with(|cell| match cell.get() {
        None => Ok(false),
        Some(budget) if bytes > budget.left => {
            fail(DecodeErrorKind::OverMemoryBudget { budget: budget.allowed })
        }
        Some(budget) => {
            cell.set(Some(Budget { left: budget.left - bytes, ..budget }));
            Ok(true)
        }
    })
}

/// What keeping one unknown tagged field is charged besides its bytes: its key and vector in a
/// B-tree node. Nodes of `BTreeMap<u32, Vec<u8>>` hold up to 11 entries in 320 bytes (a leaf) or
/// 416 (an internal node) and all but the root are at least half full, so 96 bytes an entry
/// covers them; the first entry of a map is charged a whole node on top.
const UNKNOWN_TAG_ENTRY_BYTES: usize = 96;
const UNKNOWN_TAG_FIRST_NODE_BYTES: usize = 512;

/// Runs a parser for `field`, adding the field's name to any error it returns.
pub fn in_field<'a, T>(field: &'static str, result: PResult<'a, T>) -> PResult<'a, T> {
    result.map_err(|e| e.map(|e| e.in_field(field)))
}

/// Adds `field` to an encode error's path.
pub fn encode_field(
    field: &'static str,
    result: Result<(), EncodeError>,
) -> Result<(), EncodeError> {
    result.map_err(|e| e.in_field(field))
}

// ---- decoding ----

pub fn int8(input: &[u8]) -> PResult<'_, i8> {
    be_i8(input)
}

pub fn int16(input: &[u8]) -> PResult<'_, i16> {
    be_i16(input)
}

pub fn int32(input: &[u8]) -> PResult<'_, i32> {
    be_i32(input)
}

pub fn int64(input: &[u8]) -> PResult<'_, i64> {
    be_i64(input)
}

/// A boolean: 0 or 1; any other byte is an error so that decoding and re-encoding agree.
pub fn boolean(input: &[u8]) -> PResult<'_, bool> {
    let (rest, byte) = be_u8(input)?;
    match byte {
        0 => Ok((rest, false)),
        1 => Ok((rest, true)),
        other => fail(DecodeErrorKind::InvalidBool(other)),
    }
}

/// An unsigned LEB128 varint of at most five bytes (a u32).
pub fn unsigned_varint(input: &[u8]) -> PResult<'_, u32> {
    let mut value: u32 = 0;
    for (i, &byte) in input.iter().enumerate().take(5) {
        let bits = u32::from(byte & 0x7f);
        if i == 4 && bits > 0x0f {
            return fail(DecodeErrorKind::VarintOverflow);
        }
        value |= bits << (7 * i);
        if byte & 0x80 == 0 {
            return Ok((&input[i + 1..], value));
        }
    }
    if input.len() >= 5 {
        fail(DecodeErrorKind::VarintOverflow)
    } else {
        fail(DecodeErrorKind::Truncated { remaining: input.len() })
    }
}

/// The length of a string or array: `None` for null. Classic strings carry an int16, classic
/// arrays an int32, compact ones an unsigned varint holding length + 1.
fn length(input: &[u8], flexible: bool, classic_int16: bool) -> PResult<'_, Option<usize>> {
    let (rest, raw): (&[u8], i64) = if flexible {
        let (rest, n) = unsigned_varint(input)?;
        (rest, i64::from(n) - 1)
    } else if classic_int16 {
        let (rest, n) = int16(input)?;
        (rest, i64::from(n))
    } else {
        let (rest, n) = int32(input)?;
        (rest, i64::from(n))
    };
    match raw {
        -1 => Ok((rest, None)),
        n if n < -1 => fail(DecodeErrorKind::NegativeLength(n)),
        // Every string byte and every array element takes at least one byte, so a length beyond
        // the input is wrong however the elements are encoded.
        n if n as u64 > rest.len() as u64 => {
            fail(DecodeErrorKind::LengthExceedsInput { length: n as u64, remaining: rest.len() })
        }
        n => Ok((rest, Some(n as usize))),
    }
}

fn utf8(bytes: &[u8]) -> Result<String, nom::Err<DecodeError>> {
    match std::str::from_utf8(bytes) {
        Ok(s) => {
            charge(s.len())?;
            Ok(s.to_owned())
        }
        Err(_) => fail(DecodeErrorKind::InvalidUtf8),
    }
}

pub fn nullable_string(flexible: bool) -> impl Fn(&[u8]) -> PResult<'_, Option<String>> {
    move |input| match length(input, flexible, true)? {
        (rest, None) => Ok((rest, None)),
        (rest, Some(n)) => Ok((&rest[n..], Some(utf8(&rest[..n])?))),
    }
}

pub fn string(flexible: bool) -> impl Fn(&[u8]) -> PResult<'_, String> {
    move |input| match nullable_string(flexible)(input)? {
        (rest, Some(s)) => Ok((rest, s)),
        (_, None) => fail(DecodeErrorKind::NullNotAllowed),
    }
}

pub fn nullable_array<'a, T>(
    flexible: bool,
    element: impl Fn(&'a [u8]) -> PResult<'a, T>,
) -> impl Fn(&'a [u8]) -> PResult<'a, Option<Vec<T>>> {
    move |input| {
        let (mut rest, count) = match length(input, flexible, false)? {
            (rest, None) => return Ok((rest, None)),
            (rest, Some(n)) => (rest, n),
        };
        let element_bytes = std::mem::size_of::<T>();
        // Under a budget the whole array is charged and allocated at once, at exactly its size;
        // otherwise only a bounded part is reserved up front (the count is checked against the
        // input's length, but elements may be much larger in memory than on the wire).
        let budgeted = charge(count.saturating_mul(element_bytes))?;
        let cap =
            if budgeted { count } else { count.min(MAX_PREALLOCATED_BYTES / element_bytes.max(1)) };
        let mut items = Vec::with_capacity(cap);
        for _ in 0..count {
            let (next, item) = element(rest)?;
            items.push(item);
            rest = next;
        }
        Ok((rest, Some(items)))
    }
}

pub fn array<'a, T>(
    flexible: bool,
    element: impl Fn(&'a [u8]) -> PResult<'a, T>,
) -> impl Fn(&'a [u8]) -> PResult<'a, Vec<T>> {
    let nullable = nullable_array(flexible, element);
    move |input| match nullable(input)? {
        (rest, Some(items)) => Ok((rest, items)),
        (_, None) => fail(DecodeErrorKind::NullNotAllowed),
    }
}

/// A nullable struct: a presence byte (-1 null, 1 present) before the struct.
pub fn nullable_struct<'a, T>(
    element: impl Fn(&'a [u8]) -> PResult<'a, T>,
) -> impl Fn(&'a [u8]) -> PResult<'a, Option<T>> {
    move |input| {
        let (rest, presence) = int8(input)?;
        match presence {
            -1 => Ok((rest, None)),
            1 => {
                let (rest, value) = element(rest)?;
                Ok((rest, Some(value)))
            }
            other => fail(DecodeErrorKind::InvalidPresence(other)),
        }
    }
}

/// The tagged-field section of a flexible struct. `known` decodes the value of a tag the struct
/// knows in this version and returns `false` for one it does not; those are kept verbatim.
pub fn tagged_fields<'a>(
    input: &'a [u8],
    mut known: impl FnMut(u32, &'a [u8]) -> Result<bool, nom::Err<DecodeError>>,
) -> PResult<'a, UnknownTaggedFields> {
    let (mut rest, count) = unsigned_varint(input)?;
    if count as usize > rest.len() {
        return fail(DecodeErrorKind::LengthExceedsInput {
            length: u64::from(count),
            remaining: rest.len(),
        });
    }
    let mut unknown = UnknownTaggedFields::new();
    let mut previous: Option<u32> = None;
    for _ in 0..count {
        let (after_tag, tag) = in_field("_tagged_fields", unsigned_varint(rest))?;
        if previous.is_some_and(|p| tag <= p) {
            return fail(DecodeErrorKind::TagOutOfOrder { tag });
        }
        previous = Some(tag);
        let (after_size, size) = in_field("_tagged_fields", unsigned_varint(after_tag))?;
        let size = size as usize;
        if size > after_size.len() {
            return fail(DecodeErrorKind::LengthExceedsInput {
                length: size as u64,
                remaining: after_size.len(),
            });
        }
        let (value, next) = after_size.split_at(size);
        if !known(tag, value)? {
            let node = if unknown.is_empty() { UNKNOWN_TAG_FIRST_NODE_BYTES } else { 0 };
            charge(node + UNKNOWN_TAG_ENTRY_BYTES + value.len())?;
            unknown.insert(tag, value.to_vec());
        }
        rest = next;
    }
    Ok((rest, unknown))
}

/// Skips a tagged-field section without keeping anything of it: for walking a message whose
/// tagged fields do not matter to the walker.
pub fn skip_tagged_fields(input: &[u8]) -> PResult<'_, ()> {
    let (mut input, count) = unsigned_varint(input)?;
    for _ in 0..count {
        let (rest, _tag) = unsigned_varint(input)?;
        let (rest, size) = unsigned_varint(rest)?;
        let (rest, _value) = nom::bytes::complete::take(size)(rest)?;
        input = rest;
    }
    Ok((input, ()))
}

/// Decodes a known tagged field's value, which must fill exactly the bytes it declared.
pub fn tagged_value<'a, T>(
    tag: u32,
    value: &'a [u8],
    parser: impl Fn(&'a [u8]) -> PResult<'a, T>,
) -> Result<T, nom::Err<DecodeError>> {
    let (rest, decoded) = parser(value)?;
    if rest.is_empty() {
        Ok(decoded)
    } else {
        fail(DecodeErrorKind::TaggedFieldSize {
            tag,
            declared: value.len(),
            used: value.len() - rest.len(),
        })
    }
}

// ---- encoding ----

pub fn put_int8(buf: &mut BytesMut, v: i8) {
    buf.put_i8(v);
}

pub fn put_int16(buf: &mut BytesMut, v: i16) {
    buf.put_i16(v);
}

pub fn put_int32(buf: &mut BytesMut, v: i32) {
    buf.put_i32(v);
}

pub fn put_int64(buf: &mut BytesMut, v: i64) {
    buf.put_i64(v);
}

pub fn put_bool(buf: &mut BytesMut, v: bool) {
    buf.put_u8(u8::from(v));
}

pub fn put_unsigned_varint(buf: &mut BytesMut, mut v: u32) {
    while v >= 0x80 {
        buf.put_u8((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    buf.put_u8(v as u8);
}

fn put_length(
    buf: &mut BytesMut,
    len: Option<usize>,
    flexible: bool,
    classic_max: usize,
    too_long: impl Fn(usize, usize) -> EncodeErrorKind,
) -> Result<(), EncodeError> {
    let max = if flexible { MAX_LONG_LENGTH } else { classic_max };
    match len {
        Some(n) if n > max => Err(EncodeError::new(too_long(n, max))),
        Some(n) if flexible => {
            put_unsigned_varint(buf, n as u32 + 1);
            Ok(())
        }
        None if flexible => {
            put_unsigned_varint(buf, 0);
            Ok(())
        }
        Some(n) if classic_max == MAX_CLASSIC_STRING => {
            buf.put_i16(n as i16);
            Ok(())
        }
        Some(n) => {
            buf.put_i32(n as i32);
            Ok(())
        }
        None if classic_max == MAX_CLASSIC_STRING => {
            buf.put_i16(-1);
            Ok(())
        }
        None => {
            buf.put_i32(-1);
            Ok(())
        }
    }
}

pub fn put_nullable_string(
    buf: &mut BytesMut,
    v: Option<&str>,
    flexible: bool,
) -> Result<(), EncodeError> {
    put_length(buf, v.map(str::len), flexible, MAX_CLASSIC_STRING, |len, max| {
        EncodeErrorKind::StringTooLong { len, max }
    })?;
    if let Some(s) = v {
        buf.put_slice(s.as_bytes());
    }
    Ok(())
}

pub fn put_string(buf: &mut BytesMut, v: &str, flexible: bool) -> Result<(), EncodeError> {
    put_nullable_string(buf, Some(v), flexible)
}

pub fn put_nullable_array<T>(
    buf: &mut BytesMut,
    items: Option<&[T]>,
    flexible: bool,
    mut element: impl FnMut(&mut BytesMut, &T) -> Result<(), EncodeError>,
) -> Result<(), EncodeError> {
    put_length(buf, items.map(<[T]>::len), flexible, MAX_LONG_LENGTH, |len, max| {
        EncodeErrorKind::ArrayTooLong { len, max }
    })?;
    for item in items.unwrap_or_default() {
        element(buf, item)?;
    }
    Ok(())
}

pub fn put_array<T>(
    buf: &mut BytesMut,
    items: &[T],
    flexible: bool,
    element: impl FnMut(&mut BytesMut, &T) -> Result<(), EncodeError>,
) -> Result<(), EncodeError> {
    put_nullable_array(buf, Some(items), flexible, element)
}

pub fn put_nullable_struct<T>(
    buf: &mut BytesMut,
    value: Option<&T>,
    element: impl FnOnce(&mut BytesMut, &T) -> Result<(), EncodeError>,
) -> Result<(), EncodeError> {
    match value {
        None => {
            buf.put_i8(-1);
            Ok(())
        }
        Some(v) => {
            buf.put_i8(1);
            element(buf, v)
        }
    }
}

/// One tagged field ready to write: its tag and its encoded value.
pub type TaggedField = (u32, Vec<u8>);

/// Encodes a known tagged field's value on its own, so that its size can precede it.
pub fn tagged(
    tag: u32,
    encode: impl FnOnce(&mut BytesMut) -> Result<(), EncodeError>,
) -> Result<TaggedField, EncodeError> {
    let mut value = BytesMut::new();
    encode(&mut value)?;
    Ok((tag, value.to_vec()))
}

/// Writes the tagged-field section: the known fields set in this version and the unknown ones
/// kept from decoding, merged in ascending tag order.
pub fn put_tagged_fields(
    buf: &mut BytesMut,
    known: Vec<TaggedField>,
    unknown: &UnknownTaggedFields,
) {
    let mut all: Vec<(u32, &[u8])> = known
        .iter()
        .map(|(t, v)| (*t, v.as_slice()))
        .chain(unknown.iter().map(|(t, v)| (*t, v.as_slice())))
        .collect();
    all.sort_by_key(|(tag, _)| *tag);
    put_unsigned_varint(buf, all.len() as u32);
    for (tag, value) in all {
        put_unsigned_varint(buf, tag);
        put_unsigned_varint(buf, value.len() as u32);
        buf.put_slice(value);
    }
}

/// The error for a field set to a non-default value in a version that lacks it.
pub fn not_in_version(field: &'static str, version: i16) -> EncodeError {
    EncodeError::new(EncodeErrorKind::FieldNotInVersion(version)).in_field(field)
}

/// The error for null on a field that is not nullable in this version.
pub fn null_not_allowed(field: &'static str, version: i16) -> EncodeError {
    EncodeError::new(EncodeErrorKind::NullNotAllowed(version)).in_field(field)
}

/// Wraps a nullable parser for a field that may be null only in some versions.
pub fn non_null_unless<'a, T>(
    nullable: bool,
    parser: impl Fn(&'a [u8]) -> PResult<'a, Option<T>>,
) -> impl Fn(&'a [u8]) -> PResult<'a, Option<T>> {
    move |input| match parser(input)? {
        (_, None) if !nullable => fail(DecodeErrorKind::NullNotAllowed),
        ok => Ok(ok),
    }
}

/// Adds a tagged field's name to an error from its value.
pub fn in_tagged_field<T>(
    field: &'static str,
    result: Result<T, nom::Err<DecodeError>>,
) -> Result<T, nom::Err<DecodeError>> {
    result.map_err(|e| e.map(|e| e.in_field(field)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AdminRequest, DeleteTopicRequest, decode_request, encode_request};

    fn delete_request(names: usize) -> Vec<u8> {
        let request = AdminRequest::from(DeleteTopicRequest {
            topic_names: vec![String::new(); names],
            ..Default::default()
        });
        let mut buf = BytesMut::new();
        encode_request(&request, 1, 1, None, &mut buf).unwrap();
        buf[4..].to_vec()
    }

    #[test]
    fn a_budget_refuses_arrays_larger_in_memory_than_it_allows_and_is_then_lifted() {
        let payload = delete_request(10_000);
        // 10,000 empty names: 10,000 bytes on the wire, 240,000 in memory.
        let refused = within_memory(200_000, || decode_request(&payload)).unwrap_err();
        assert_eq!(refused.kind, DecodeErrorKind::OverMemoryBudget { budget: 200_000 });
        assert_eq!(refused.path, vec!["TopicNames"]);
        assert!(within_memory(250_000, || decode_request(&payload)).is_ok());
        // Outside a budget, no limit but the input's length.
        assert!(decode_request(&payload).is_ok());
        // Nested budgets: the inner one holds inside, the outer one again after it.
        let nested = within_memory(1_000_000, || {
            assert!(within_memory(10, || decode_request(&payload)).is_err());
            decode_request(&payload)
        });
        assert!(nested.is_ok());
    }

    #[test]
    fn strings_and_unknown_tagged_fields_are_charged() {
        let request = AdminRequest::from(DeleteTopicRequest {
            topic_names: vec!["x".repeat(1000)],
            unknown_tagged_fields: BTreeMap::from([(9, vec![0; 100])]),
            ..Default::default()
        });
        let mut buf = BytesMut::new();
        encode_request(&request, 1, 1, None, &mut buf).unwrap();
        let payload = &buf[4..];
        // One String (24) + its 1000 bytes + the tagged field (512 + 96 + 100).
        let needed = 24 + 1000 + 512 + 96 + 100;
        assert!(within_memory(needed, || decode_request(payload)).is_ok());
        assert!(within_memory(needed - 1, || decode_request(payload)).is_err());
    }
}
