//! pprof profiles: the model, the decoders (profile.proto and the legacy text formats Go still
//! writes), the encoder, merging and filtering. Nothing here knows about reports.
//!
//! Entry point: [`parse`] (gzip → proto → legacy fallback → [`check_valid`]); the gzip check and
//! the "this is a goroutine dump" diagnosis are [`crate::sniff`]'s, the inflating [`crate::source`]'s.

pub mod aggregate;
pub mod bytes;
pub mod decode;
pub mod encode;
pub mod error;
pub mod filter;
pub mod legacy;
pub mod merge;
pub mod model;
pub mod prune;
pub mod raw;

pub use error::ProfileError;
pub use model::*;

use crate::sniff;
use crate::source::{self, MaxDecompressed};

/// Resource limits for [`parse`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted size of a gzipped input once decompressed (default 4 GiB).
    pub max_decompressed: MaxDecompressed,
    /// Most samples a profile.proto may hold (default 20 000 000): an empty sample is 2 bytes
    /// of input but ~72 bytes of memory, so this bounds what a crafted file can allocate.
    pub max_samples: usize,
    /// Most locations, and most functions, a profile.proto may hold (default 20 000 000).
    pub max_locations: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_decompressed: MaxDecompressed::DEFAULT, max_samples: 20_000_000, max_locations: 20_000_000 }
    }
}

/// Parses a profile: gzip (multi-member) or raw profile.proto, else one of the legacy formats
/// pprof still reads; then validates it like pprof's `CheckValid`. `name` is only used in messages.
pub fn parse(data: &[u8], name: &str, limits: &Limits) -> Result<Profile, ProfileError> {
    let _ = name;
    let owned;
    let data = if sniff::is_gzip(data) {
        owned = source::gunzip(data, limits.max_decompressed)?;
        &owned[..]
    } else {
        data
    };
    let p = parse_uncompressed_limited(data, limits)?;
    check_valid(&p)?;
    Ok(p)
}

/// Proto, then legacy formats (no gzip, no validation).
pub fn parse_uncompressed(data: &[u8]) -> Result<Profile, ProfileError> {
    parse_uncompressed_limited(data, &Limits::default())
}

/// [`parse_uncompressed`] with the record limits of `limits`.
pub fn parse_uncompressed_limited(data: &[u8], limits: &Limits) -> Result<Profile, ProfileError> {
    if data.is_empty() {
        return Err(ProfileError::Empty);
    }
    match decode::decode_limited(data, limits) {
        Ok(p) => Ok(p),
        Err(e @ (ProfileError::Empty | ProfileError::Concatenated { .. } | ProfileError::TooMany { .. })) => Err(e),
        Err(proto_err) => {
            if sniff::sniff(data) == sniff::InputKind::GoroutineDump {
                return Err(ProfileError::GoroutineDump);
            }
            match legacy::parse_legacy(data)? {
                Some(p) if p.samples.len() > limits.max_samples => {
                    Err(ProfileError::TooMany { what: "samples", count: p.samples.len(), limit: limits.max_samples })
                }
                Some(p) => Ok(p),
                None => Err(ProfileError::Unrecognized { proto: Box::new(proto_err) }),
            }
        }
    }
}

/// pprof's `CheckValid`: sample values match the sample types, ids are non-zero and unique, every
/// index points into its table.
pub fn check_valid(p: &Profile) -> Result<(), ProfileError> {
    let n = p.sample_types.len();
    if n == 0 && !p.samples.is_empty() {
        return Err(ProfileError::MissingSampleType);
    }
    let nloc = p.locations.len();
    for (i, s) in p.samples.iter().enumerate() {
        if s.values.len() != n {
            return Err(ProfileError::SampleValues { sample: i, got: s.values.len(), want: n });
        }
        if let Some(&l) = s.locations.iter().find(|&&l| l as usize >= nloc) {
            return Err(ProfileError::BadIndex {
                what: format!("sample {i} location"),
                index: l as usize,
                len: nloc,
                kind: "location",
            });
        }
    }
    unique_ids(p.mappings.iter().map(|m| m.id), "mapping")?;
    unique_ids(p.functions.iter().map(|f| f.id), "function")?;
    unique_ids(p.locations.iter().map(|l| l.id), "location")?;
    for l in &p.locations {
        if let Some(m) = l.mapping {
            if m as usize >= p.mappings.len() {
                return Err(ProfileError::BadIndex {
                    what: format!("location id {} mapping", l.id),
                    index: m as usize,
                    len: p.mappings.len(),
                    kind: "mapping",
                });
            }
        }
        for ln in &l.lines {
            if ln.function as usize >= p.functions.len() {
                return Err(ProfileError::NilFunction { location: l.id, function: 0 });
            }
        }
    }
    let ns = p.strings.len();
    if ns == 0 || !p.strings[0].is_empty() {
        return Err(ProfileError::StringTableHead { offset: 0 });
    }
    Ok(())
}

fn unique_ids(ids: impl ExactSizeIterator<Item = u64>, kind: &'static str) -> Result<(), ProfileError> {
    decode::IdMap::build(ids, kind).map(|_| ())
}

/// pprof's driver (`locateBinaries`): a profile without mappings gets a fake mapping id 1 that
/// every location points to (Go runtime profiles before 1.x; it shows in `-raw`).
pub fn add_fake_mapping_if_none(p: &mut Profile) {
    if p.mappings.is_empty() {
        p.mappings.push(Mapping { id: 1, ..Mapping::default() });
        for l in &mut p.locations {
            l.mapping = Some(0);
        }
    }
}

impl Profile {
    /// Adds `s` to the string table (linear search for an existing copy is avoided by callers that
    /// intern many strings: see [`Interner`]).
    pub fn intern(&mut self, s: &str) -> Str {
        if s.is_empty() {
            return 0;
        }
        if let Some(i) = self.strings.iter().position(|x| x == s) {
            return i as Str;
        }
        self.strings.push(s.to_owned());
        (self.strings.len() - 1) as Str
    }

    /// The column chosen when no sample index is given: `default_sample_type` if it names a sample
    /// type, else the last one.
    pub fn default_sample_index(&self) -> usize {
        let d = self.str(self.default_sample_type);
        if !d.is_empty() {
            if let Some(i) = self.sample_types.iter().position(|st| self.str(st.kind) == d) {
                return i;
            }
        }
        self.sample_types.len().saturating_sub(1)
    }
}

/// A string → index map for building a profile's string table quickly.
#[derive(Default)]
pub struct Interner {
    map: rustc_hash::FxHashMap<String, Str>,
}

impl Interner {
    /// Starts from the profile's current table.
    pub fn new(p: &Profile) -> Self {
        let mut map = rustc_hash::FxHashMap::default();
        for (i, s) in p.strings.iter().enumerate().rev() {
            map.insert(s.clone(), i as Str);
        }
        Interner { map }
    }

    pub fn intern(&mut self, p: &mut Profile, s: &str) -> Str {
        if let Some(&i) = self.map.get(s) {
            return i;
        }
        let i = p.strings.len() as Str;
        p.strings.push(s.to_owned());
        self.map.insert(s.to_owned(), i);
        i
    }
}
