//! Typed errors of decoding and encoding. A decoder never panics: every malformed input ends in a
//! [`DecodeError`] that says what was wrong and in which field.

use std::fmt;

/// Why bytes could not be decoded, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// What was wrong.
    pub kind: DecodeErrorKind,
    /// The fields being decoded when it went wrong, outermost first (`Topics.Configs.Key`).
    pub path: Vec<&'static str>,
}

/// What was wrong with the bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeErrorKind {
    /// The input ended before the value did.
    #[error("input ended early ({remaining} bytes left)")]
    Truncated {
        /// Bytes that were left when more were needed.
        remaining: usize,
    },
    /// A length prefix below -1 (or -1 where null is not allowed in this position).
    #[error("negative length {0}")]
    NegativeLength(i64),
    /// A length prefix larger than the bytes that follow it.
    #[error("length {length} exceeds the {remaining} bytes remaining")]
    LengthExceedsInput {
        /// The declared length (bytes for strings, elements for arrays).
        length: u64,
        /// Bytes that were left.
        remaining: usize,
    },
    /// A string that is not UTF-8.
    #[error("string is not valid UTF-8")]
    InvalidUtf8,
    /// An unsigned varint longer than five bytes.
    #[error("unsigned varint is longer than 5 bytes")]
    VarintOverflow,
    /// A boolean byte other than 0 or 1.
    #[error("invalid boolean byte {0}")]
    InvalidBool(u8),
    /// A nullable struct's presence byte other than -1 (null) or 1 (present).
    #[error("invalid presence byte {0} for a nullable struct")]
    InvalidPresence(i8),
    /// Null where this version does not allow it.
    #[error("null is not allowed here in this version")]
    NullNotAllowed,
    /// Tagged fields must come in strictly ascending tag order, each tag once.
    #[error("tagged field {tag} is out of order or repeated")]
    TagOutOfOrder {
        /// The offending tag.
        tag: u32,
    },
    /// A known tagged field whose value did not fill exactly its declared size.
    #[error("tagged field {tag} declared {declared} bytes but its value used {used}")]
    TaggedFieldSize {
        /// The tag.
        tag: u32,
        /// The size the field declared.
        declared: usize,
        /// The bytes its value took.
        used: usize,
    },
    /// An API key outside the extension.
    #[error("unknown api key {0}")]
    UnknownApiKey(i16),
    /// A version the message does not have.
    #[error("{name} has no version {version}")]
    UnsupportedVersion {
        /// The message's name.
        name: &'static str,
        /// The version asked for.
        version: i16,
    },
    /// Bytes left after the message ended.
    #[error("{0} trailing bytes after the message")]
    TrailingBytes(usize),
    /// Decoding under [`crate::wire::within_memory`] would take more memory than it allows: the
    /// input holds many elements that are small on the wire but not in memory (empty strings,
    /// say, 1 byte on the wire and 24 in memory).
    #[error(
        "decoded, the message would take more than the {budget} bytes of memory allowed for it"
    )]
    OverMemoryBudget {
        /// The bytes allowed.
        budget: usize,
    },
    /// A parser failure with no more specific kind (should not happen; kept rather than panicking).
    #[error("malformed input ({0:?})")]
    Malformed(nom::error::ErrorKind),
}

impl DecodeError {
    /// An error of this kind, not yet inside any field.
    pub fn new(kind: DecodeErrorKind) -> Self {
        Self { kind, path: Vec::new() }
    }

    /// Marks the error as having happened inside `field`.
    pub(crate) fn in_field(mut self, field: &'static str) -> Self {
        self.path.insert(0, field);
        self
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}: {}", self.path.join("."), self.kind)
        }
    }
}

impl std::error::Error for DecodeError {}

impl<'a> nom::error::ParseError<&'a [u8]> for DecodeError {
    fn from_error_kind(input: &'a [u8], kind: nom::error::ErrorKind) -> Self {
        match kind {
            nom::error::ErrorKind::Eof => {
                Self::new(DecodeErrorKind::Truncated { remaining: input.len() })
            }
            other => Self::new(DecodeErrorKind::Malformed(other)),
        }
    }

    fn append(_: &'a [u8], _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

/// Why a value could not be encoded in the version asked for. Encoding never truncates or drops
/// a value silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError {
    /// What was wrong.
    pub kind: EncodeErrorKind,
    /// The field being encoded, outermost first.
    pub path: Vec<&'static str>,
}

/// What could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeErrorKind {
    /// A string longer than its length prefix can say (32,767 bytes in classic versions).
    #[error("string of {len} bytes is longer than the {max} this version allows")]
    StringTooLong {
        /// The string's length in bytes.
        len: usize,
        /// The most this version can carry.
        max: usize,
    },
    /// An array with more elements than its length prefix can say.
    #[error("array of {len} elements is longer than the {max} this version allows")]
    ArrayTooLong {
        /// The array's length.
        len: usize,
        /// The most this version can carry.
        max: usize,
    },
    /// A value set on a field that this version does not have.
    #[error("field is not in version {0}; leave it at its default or use a newer version")]
    FieldNotInVersion(i16),
    /// Null on a field that is not nullable in this version.
    #[error("null is not allowed in version {0}")]
    NullNotAllowed(i16),
    /// A version the message does not have.
    #[error("{name} has no version {version}")]
    UnsupportedVersion {
        /// The message's name.
        name: &'static str,
        /// The version asked for.
        version: i16,
    },
    /// The whole frame is larger than a Kafka size prefix can say.
    #[error("frame of {0} bytes is too large")]
    FrameTooLarge(usize),
}

impl EncodeError {
    /// An error of this kind, not yet inside any field.
    pub fn new(kind: EncodeErrorKind) -> Self {
        Self { kind, path: Vec::new() }
    }

    pub(crate) fn in_field(mut self, field: &'static str) -> Self {
        self.path.insert(0, field);
        self
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}: {}", self.path.join("."), self.kind)
        }
    }
}

impl std::error::Error for EncodeError {}
