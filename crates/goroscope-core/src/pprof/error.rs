//! `ProfileError`: everything that can go wrong reading, validating or combining a profile, each
//! variant naming what is wrong and where (byte offset, field, id).

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ProfileError {
    #[error("empty input file")]
    Empty,

    #[error("decompressing profile: {0}")]
    Gzip(#[from] crate::source::GzipError),

    #[error("profile has {count} {what}, more than the limit of {limit}")]
    TooMany { what: &'static str, count: usize, limit: usize },

    #[error("this is a goroutine dump, not a profile")]
    GoroutineDump,

    #[error("parsing profile: bad varint at byte offset {offset}")]
    BadVarint { offset: usize },

    #[error("parsing profile: {what} at byte offset {offset} runs past the end of its message")]
    Truncated { offset: usize, what: &'static str },

    #[error("parsing profile: unsupported wire type {wire_type} (groups are not allowed) for field {field} at byte offset {offset}")]
    BadWireType { offset: usize, field: u64, wire_type: u8 },

    #[error("parsing profile: type mismatch: {message}.{field} has wire type {got}, expected {expected} (byte offset {offset})")]
    TypeMismatch {
        offset: usize,
        message: &'static str,
        field: &'static str,
        got: u8,
        expected: u8,
    },

    #[error("parsing profile: string_table[0] must be '' (byte offset {offset})")]
    StringTableHead { offset: usize },

    #[error("parsing profile: malformed profile format: {field} refers to string {index} but the string table has {len} entries")]
    StringIndex { field: &'static str, index: i64, len: usize },

    #[error("parsing profile: concatenated profiles detected (second time_nanos at byte offset {offset})")]
    Concatenated { offset: usize },

    #[error("malformed profile: sample {sample} refers to location id {id}, which does not exist")]
    UnknownLocation { sample: usize, id: u64 },

    #[error("malformed profile: location id: {location} has a line with nil function (function id {function})")]
    NilFunction { location: u64, function: u64 },

    #[error("malformed profile: missing sample type information")]
    MissingSampleType,

    #[error("malformed profile: mismatch: sample {sample} has {got} values vs. {want} types")]
    SampleValues { sample: usize, got: usize, want: usize },

    #[error("malformed profile: found {kind} with reserved id=0")]
    ZeroId { kind: &'static str },

    #[error("malformed profile: multiple {kind}s with same id: {id}")]
    DuplicateId { kind: &'static str, id: u64 },

    #[error("malformed profile: {what} index {index} out of range ({len} {kind}s)")]
    BadIndex { what: String, index: usize, len: usize, kind: &'static str },

    #[error("parsing profile: unrecognized profile format (not profile.proto: {proto}; no legacy text/binary format matched)")]
    Unrecognized { proto: Box<ProfileError> },

    #[error("parsing {format} profile: line {line}: {msg}")]
    Legacy { format: &'static str, line: usize, msg: String },

    #[error("parsing {format} profile: {msg}")]
    LegacyBinary { format: &'static str, msg: String },

    #[error("{0}")]
    Merge(String),

    #[error("sample index: {0}")]
    SampleIndex(String),

    #[error("bad regexp {pattern:?} in {field}: {msg}")]
    Regex { field: &'static str, pattern: String, msg: String },
}

impl ProfileError {
    /// The byte offset in the (decompressed) input the error is at, when it has one.
    pub fn offset(&self) -> Option<u64> {
        use ProfileError::*;
        match self {
            BadVarint { offset }
            | Truncated { offset, .. }
            | BadWireType { offset, .. }
            | TypeMismatch { offset, .. }
            | StringTableHead { offset }
            | Concatenated { offset } => Some(*offset as u64),
            Unrecognized { proto } => proto.offset(),
            _ => None,
        }
    }

    /// The line of a legacy text profile the error is on.
    pub fn line(&self) -> Option<u64> {
        match self {
            ProfileError::Legacy { line, .. } => Some(*line as u64),
            _ => None,
        }
    }

    pub(crate) fn legacy(format: &'static str, line: usize, msg: impl Into<String>) -> Self {
        ProfileError::Legacy { format, line, msg: msg.into() }
    }
}
