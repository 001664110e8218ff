//! Streaming reader of the partition-list JSON that reassignment plans and election lists share:
//! `{"partitions":[{"topic":"t","partition":0,...},...],...}`.
//!
//! Built with serde visitors rather than a `serde_json::Value`, whose tree costs ~16 times the
//! text for an array of small numbers and more for objects. Here each entry is turned into its
//! caller's typed form as soon as its object closes, keys the reader does not use are skipped
//! without being built (`IgnoredAny`), and a value of the wrong type is described in a few words
//! (`"x"`, `a list`) instead of being kept. A partition's replica list is capped at
//! [`MAX_REPLICAS`] while it is read. What is wrong is reported precisely: the caller words the
//! message, from the first problem in document order.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

pub use super::assignment::MAX_REPLICAS;

/// A field's value as far as validation needs it: integers and (when the field wants one)
/// strings are kept; anything else is described, compound values skipped rather than built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Int(i128),
    Str(String),
    /// How the value looks in a message: a scalar as JSON (long strings cut), else `a list` or
    /// `an object`.
    Other(String),
}

impl fmt::Display for Piece {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Piece::Int(n) => write!(f, "{n}"),
            Piece::Str(s) => f.write_str(&quoted(s)),
            Piece::Other(shown) => f.write_str(shown),
        }
    }
}

/// A partition's `"replicas"`, checked as it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replicas {
    /// Broker ids, each once, in order (exactly as many allocated as there are).
    Ids(Vec<i32>),
    NotList,
    /// An element that is not a non-negative INT32, as shown.
    NotBrokerId(String),
    /// A broker listed more than once.
    Twice(i32),
    /// More than [`MAX_REPLICAS`] elements.
    TooMany,
}

/// The fields of one entry that the reader knows, each as last given.
#[derive(Debug, Default)]
pub struct Entry {
    pub topic: Option<Piece>,
    pub partition: Option<Piece>,
    pub replicas: Option<Replicas>,
}

/// What is wrong with the document, in the first place it goes wrong.
#[derive(Debug)]
pub enum Problem {
    /// Not JSON, or text after the document.
    Syntax(serde_json::Error),
    NotObject,
    /// `"version"` is not 1 (only looked at when asked for); the value as shown.
    Version(String),
    NoPartitions,
    PartitionsNotList,
    EntryNotObject(usize),
    /// The caller's message about an entry.
    Entry(String),
}

/// How the reader is used: whether entries have `"replicas"` and the document a `"version"` that
/// must be 1.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub replicas: bool,
    pub version: bool,
    /// The fewest bytes a valid entry can take; with the text's length, bounds the entries it can
    /// hold, which sizes the result once instead of letting it grow by doubling.
    pub min_entry_bytes: usize,
}

/// Reads `text` as a partition-list document, turning each entry into a `T` with `convert`
/// (given its index) as soon as it is read. An empty `"partitions"` list is returned empty.
pub fn read<T>(
    text: &str,
    shape: Shape,
    convert: impl FnMut(usize, Entry) -> Result<T, String>,
) -> Result<Vec<T>, Problem> {
    let problem = RefCell::new(None);
    let convert = RefCell::new(convert);
    // Entries named: occurrences of the key "topic" (an upper bound, counted in one cheap pass)
    // and no more than the text could hold.
    let entries =
        text.matches("\"topic\"").count().min(text.len() / shape.min_entry_bytes.max(1) + 1);
    let reader = Document { shape, problem: &problem, convert: &convert, entries };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let result = reader.deserialize(&mut deserializer).and_then(|entries| {
        deserializer.end()?;
        Ok(entries)
    });
    match result {
        Ok(entries) => Ok(entries),
        Err(e) => Err(problem.into_inner().unwrap_or(Problem::Syntax(e))),
    }
}

/// The index of the first entry whose (topic, partition) an earlier entry has, if any. One pass,
/// a hash set of borrowed keys sized once.
pub fn first_repeat<'a>(keys: impl ExactSizeIterator<Item = (&'a str, i32)>) -> Option<usize> {
    let mut seen = std::collections::HashSet::with_capacity(keys.len());
    keys.enumerate().find(|(_, key)| !seen.insert(*key)).map(|(index, _)| index)
}

/// Stops reading with `problem` (kept for the caller; the serde error only unwinds the parse).
fn stop<E: de::Error, T>(cell: &RefCell<Option<Problem>>, problem: Problem) -> Result<T, E> {
    cell.borrow_mut().get_or_insert(problem);
    Err(E::custom("invalid partition list"))
}

/// The visits of every JSON type not handled otherwise, each answered by `$answer` (a method of
/// the visitor taking the value as shown). Compound values are skipped element by element.
macro_rules! other_scalars {
    ($answer:ident) => {
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            self.$answer(v.to_string())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            self.$answer(v.to_string())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            self.$answer(v.to_string())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            self.$answer(v.to_string())
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            self.$answer(quoted(v))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            self.$answer("null".to_owned())
        }
    };
}
macro_rules! other_seq {
    ($answer:ident) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            self.$answer("a list".to_owned())
        }
    };
}
macro_rules! other_map {
    ($answer:ident) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            self.$answer("an object".to_owned())
        }
    };
}

/// A string as JSON, cut to its first 40 characters (a message quotes it; it need not be whole).
pub fn quoted(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", serde_json::Value::from(&s[..end])),
        None => serde_json::Value::from(s).to_string(),
    }
}

struct Document<'a, F> {
    shape: Shape,
    problem: &'a RefCell<Option<Problem>>,
    convert: &'a RefCell<F>,
    entries: usize,
}

impl<'de, T, F: FnMut(usize, Entry) -> Result<T, String>> DeserializeSeed<'de> for Document<'_, F> {
    type Value = Vec<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T, F: FnMut(usize, Entry) -> Result<T, String>> Visitor<'de> for Document<'_, F> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object with a \"partitions\" list")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
        let mut partitions = None;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Partitions => {
                    // A repeated key replaces the list read before: drop that one first, so two
                    // are never held at once.
                    drop(partitions.take());
                    let list = List {
                        shape: self.shape,
                        problem: self.problem,
                        convert: self.convert,
                        entries: self.entries,
                    };
                    partitions = Some(map.next_value_seed(list)?);
                }
                Key::Version if self.shape.version => {
                    match map.next_value_seed(PieceOf { keep_strings: false })? {
                        Piece::Int(1) => {}
                        other => return stop(self.problem, Problem::Version(other.to_string())),
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match partitions {
            Some(entries) => Ok(entries),
            None => stop(self.problem, Problem::NoPartitions),
        }
    }

    other_scalars!(not_object);
    other_seq!(not_object);
}

impl<T, F> Document<'_, F>
where
    F: FnMut(usize, Entry) -> Result<T, String>,
{
    fn not_object<E: de::Error>(self, _shown: String) -> Result<Vec<T>, E> {
        stop(self.problem, Problem::NotObject)
    }
}

/// The value of `"partitions"`.
struct List<'a, F> {
    shape: Shape,
    problem: &'a RefCell<Option<Problem>>,
    convert: &'a RefCell<F>,
    entries: usize,
}

impl<'de, T, F: FnMut(usize, Entry) -> Result<T, String>> DeserializeSeed<'de> for List<'_, F> {
    type Value = Vec<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T, F: FnMut(usize, Entry) -> Result<T, String>> Visitor<'de> for List<'_, F> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of partitions")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut converted = Vec::with_capacity(self.entries);
        // Reused for every entry's replicas, so that each list is allocated once at its size.
        let mut scratch = Vec::new();
        let mut index = 0;
        loop {
            let seed = EntrySeed { replicas: self.shape.replicas, scratch: &mut scratch };
            let entry = match seq.next_element_seed(seed)? {
                None => break,
                Some(Some(entry)) => entry,
                Some(None) => return stop(self.problem, Problem::EntryNotObject(index)),
            };
            match (self.convert.borrow_mut())(index, entry) {
                Ok(value) => converted.push(value),
                Err(message) => return stop(self.problem, Problem::Entry(message)),
            }
            index += 1;
        }
        Ok(converted)
    }

    other_scalars!(not_list);
    other_map!(not_list);
}

impl<T, F> List<'_, F>
where
    F: FnMut(usize, Entry) -> Result<T, String>,
{
    fn not_list<E: de::Error>(self, _shown: String) -> Result<Vec<T>, E> {
        stop(self.problem, Problem::PartitionsNotList)
    }
}

/// One element of `"partitions"`: its fields, or `None` if it is not an object.
struct EntrySeed<'a> {
    replicas: bool,
    scratch: &'a mut Vec<i32>,
}

impl<'de> DeserializeSeed<'de> for EntrySeed<'_> {
    type Value = Option<Entry>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Entry>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EntrySeed<'_> {
    type Value = Option<Entry>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a partition object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Entry>, A::Error> {
        let mut entry = Entry::default();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Topic => {
                    entry.topic = Some(map.next_value_seed(PieceOf { keep_strings: true })?)
                }
                Key::Partition => {
                    entry.partition = Some(map.next_value_seed(PieceOf { keep_strings: false })?);
                }
                Key::Replicas if self.replicas => {
                    entry.replicas =
                        Some(map.next_value_seed(ReplicasSeed { scratch: &mut *self.scratch })?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Some(entry))
    }

    other_scalars!(none);
    other_seq!(none);
}

impl EntrySeed<'_> {
    fn none<E: de::Error>(self, _shown: String) -> Result<Option<Entry>, E> {
        Ok(None)
    }
}

/// Any value, kept as a [`Piece`].
struct PieceOf {
    keep_strings: bool,
}

impl<'de> DeserializeSeed<'de> for PieceOf {
    type Value = Piece;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Piece, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PieceOf {
    type Value = Piece;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Piece, E> {
        Ok(Piece::Int(i128::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Piece, E> {
        Ok(Piece::Int(i128::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Piece, E> {
        Ok(Piece::Other(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Piece, E> {
        Ok(Piece::Other(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Piece, E> {
        Ok(Piece::Other("null".to_owned()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Piece, E> {
        Ok(if self.keep_strings { Piece::Str(v.to_owned()) } else { Piece::Other(quoted(v)) })
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Piece, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Piece::Other("a list".to_owned()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Piece, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Piece::Other("an object".to_owned()))
    }
}

/// A `"replicas"` value, checked while read: at most [`MAX_REPLICAS`] non-negative INT32s, each
/// once. After the first problem the rest of the list is skipped.
struct ReplicasSeed<'a> {
    scratch: &'a mut Vec<i32>,
}

impl<'de> DeserializeSeed<'de> for ReplicasSeed<'_> {
    type Value = Replicas;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Replicas, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ReplicasSeed<'_> {
    type Value = Replicas;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of broker ids")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Replicas, A::Error> {
        let ids = self.scratch;
        ids.clear();
        let mut problem = None;
        while let Some(piece) = seq.next_element_seed(PieceOf { keep_strings: false })? {
            if ids.len() == MAX_REPLICAS {
                problem = Some(Replicas::TooMany);
                break;
            }
            match piece {
                Piece::Int(n) if (0..=i128::from(i32::MAX)).contains(&n) => ids.push(n as i32),
                other => {
                    problem = Some(Replicas::NotBrokerId(other.to_string()));
                    break;
                }
            }
        }
        if let Some(problem) = problem {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(problem);
        }
        // Sorted copy for the duplicate check: O(k log k) with k at most MAX_REPLICAS.
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
            return Ok(Replicas::Twice(pair[0]));
        }
        // `to_vec` allocates exactly the ids' length; the scratch keeps its room for the next.
        Ok(Replicas::Ids(ids.to_vec()))
    }

    other_scalars!(not_list);
    other_map!(not_list);
}

impl ReplicasSeed<'_> {
    fn not_list<E: de::Error>(self, _shown: String) -> Result<Replicas, E> {
        Ok(Replicas::NotList)
    }
}

/// The keys the reader knows; any other is skipped.
enum Key {
    Partitions,
    Version,
    Topic,
    Partition,
    Replicas,
    Other,
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        d.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(match v {
            "partitions" => Key::Partitions,
            "version" => Key::Version,
            "topic" => Key::Topic,
            "partition" => Key::Partition,
            "replicas" => Key::Replicas,
            _ => Key::Other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: Shape = Shape { replicas: true, version: true, min_entry_bytes: 43 };

    type Fields = (Option<Piece>, Option<Piece>, Option<Replicas>);

    fn entries(text: &str) -> Result<Vec<Fields>, Problem> {
        read(text, PLAN, |_, e| Ok((e.topic, e.partition, e.replicas)))
    }

    #[test]
    fn values_of_other_types_are_described_not_kept() {
        let got = entries(
            r#"{"partitions":[{"topic":[1,2,{"a":[]}],"partition":"0","replicas":{"x":1},"log_dirs":["any"]},
                {"topic":"t","partition":1.5,"replicas":[1,null]},{"topic":null,"partition":true,"replicas":[]}]}"#,
        )
        .unwrap();
        assert_eq!(got[0].0, Some(Piece::Other("a list".into())));
        assert_eq!(got[0].1, Some(Piece::Other("\"0\"".into())));
        assert_eq!(got[0].2, Some(Replicas::NotList));
        assert_eq!(got[1].0, Some(Piece::Str("t".into())));
        assert_eq!(got[1].1, Some(Piece::Other("1.5".into())));
        assert_eq!(got[1].2, Some(Replicas::NotBrokerId("null".into())));
        assert_eq!(got[2].0, Some(Piece::Other("null".into())));
        assert_eq!(got[2].1, Some(Piece::Other("true".into())));
        assert_eq!(got[2].2, Some(Replicas::Ids(vec![])));
    }

    #[test]
    fn long_strings_are_quoted_short() {
        let text = format!(r#"{{"partitions":[{{"partition":"{}"}}]}}"#, "x".repeat(1 << 20));
        let got = entries(&text).unwrap();
        let Some(Piece::Other(shown)) = &got[0].1 else { panic!("{:?}", got[0].1) };
        assert_eq!(shown, &format!("\"{}\"…", "x".repeat(40)));
    }

    #[test]
    fn replicas_past_the_cap_are_refused_and_the_rest_skipped() {
        let ids: Vec<String> = (0..200_000).map(|i| i.to_string()).collect();
        let text = format!(
            r#"{{"partitions":[{{"topic":"t","partition":0,"replicas":[{}]}}]}}"#,
            ids.join(",")
        );
        assert_eq!(entries(&text).unwrap()[0].2, Some(Replicas::TooMany));
        let text = format!(
            r#"{{"partitions":[{{"topic":"t","partition":0,"replicas":[{}]}}]}}"#,
            ids[..MAX_REPLICAS].join(",")
        );
        let Some(Replicas::Ids(got)) = &entries(&text).unwrap()[0].2 else { panic!() };
        assert_eq!(got.len(), MAX_REPLICAS);
        assert_eq!(got.capacity(), MAX_REPLICAS);
    }

    #[test]
    fn document_problems() {
        assert!(matches!(entries("{"), Err(Problem::Syntax(_))));
        assert!(matches!(entries(r#"{"partitions":[]} x"#), Err(Problem::Syntax(_))));
        assert!(matches!(entries("7"), Err(Problem::NotObject)));
        assert!(matches!(entries("[{}]"), Err(Problem::NotObject)));
        assert!(matches!(entries("{}"), Err(Problem::NoPartitions)));
        assert!(matches!(entries(r#"{"partitions":"x"}"#), Err(Problem::PartitionsNotList)));
        assert!(matches!(entries(r#"{"partitions":[{},2]}"#), Err(Problem::EntryNotObject(1))));
        assert!(
            matches!(entries(r#"{"version":"1","partitions":[]}"#), Err(Problem::Version(v)) if v == "\"1\"")
        );
        assert_eq!(entries(r#"{"version":1,"partitions":[]}"#).unwrap().len(), 0);
        // The last of a repeated key counts, as in a JSON object read whole.
        let got = entries(r#"{"partitions":[{"topic":"a","topic":"b"}]}"#).unwrap();
        assert_eq!(got[0].0, Some(Piece::Str("b".into())));
    }
}
