//! Input bytes: a memory-mapped file, or an owned buffer (gzip output, a Node Buffer copy), and
//! the core's one gunzip with its one cap, [`MaxDecompressed`].
//!
//! gzip is detected by its magic bytes ([`crate::sniff::is_gzip`]) and inflated transparently, so
//! every parser sees plain bytes and never needs to know where they came from. Messages name the
//! input and the limit, never an option of a front end (the binding adds that hint).

use std::io::Read;
use std::path::Path;

use memmap2::Mmap;

use crate::sniff::is_gzip;

/// The largest size a gzipped input may inflate to, for dumps and profiles alike (README
/// "Limits"). A crafted stream inflates ~1000×, so the cap bounds what a small file can cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MaxDecompressed(pub u64);

impl MaxDecompressed {
    /// 4 GiB.
    pub const DEFAULT: MaxDecompressed = MaxDecompressed(4 << 30);
}

impl Default for MaxDecompressed {
    fn default() -> Self {
        MaxDecompressed::DEFAULT
    }
}

/// Why a gzip stream could not be inflated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GzipError {
    /// The stream ends early (a cut download or copy).
    #[error("gzip stream is truncated after {inflated} bytes of output")]
    Truncated { inflated: u64 },
    /// The stream is damaged (bad header, data or checksum).
    #[error("gzip stream is damaged after {inflated} bytes of output: {reason}")]
    Damaged { inflated: u64, reason: String },
    /// The output would exceed the [`MaxDecompressed`] cap.
    #[error("decompressed size exceeds {limit} bytes")]
    TooLarge { limit: u64 },
}

/// Errors reading input, before any parsing.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: {source}")]
    Gzip { path: String, source: GzipError },
}

/// Inflates a (possibly multi-member) gzip stream, refusing to produce more than `max` bytes.
pub fn gunzip(data: &[u8], max: MaxDecompressed) -> Result<Vec<u8>, GzipError> {
    let cap = max.0;
    // ISIZE of the last member is a good size hint for single-member streams; a crafted one
    // cannot make us reserve more than the cap or 64× the input.
    let isize = match data.len() {
        n if n >= 18 => u32::from_le_bytes(data[n - 4..].try_into().unwrap()) as u64,
        _ => 0,
    };
    let hint = isize.min(cap).min((data.len() as u64).saturating_mul(64) + 4096) as usize;
    let mut out = Vec::with_capacity(hint);
    // One byte over the cap tells "exactly the cap" from "more".
    let mut dec = flate2::read::MultiGzDecoder::new(data).take(cap.saturating_add(1));
    match dec.read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > cap => Err(GzipError::TooLarge { limit: cap }),
        Ok(_) => Ok(out),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            Err(GzipError::Truncated { inflated: out.len() as u64 })
        }
        Err(e) => Err(GzipError::Damaged { inflated: out.len() as u64, reason: e.to_string() }),
    }
}

/// Inflates at most the first `n` bytes of a gzip stream: what a sniffer needs to look inside.
/// A damaged or cut stream gives what inflated before the damage.
pub fn gunzip_head(stream: impl Read, n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n.min(1 << 20));
    let _ = flate2::read::MultiGzDecoder::new(stream).take(n as u64).read_to_end(&mut out);
    out
}

pub enum Source {
    Mapped(Mmap),
    Owned(Vec<u8>),
}

impl Source {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Source::Mapped(m) => m,
            Source::Owned(v) => v,
        }
    }

    /// Open `path`: mmap plain files, inflate gzip ones (at most [`MaxDecompressed::DEFAULT`]).
    pub fn open(path: &Path) -> Result<Source, SourceError> {
        Source::open_limited(path, MaxDecompressed::DEFAULT)
    }

    /// [`Source::open`], refusing to inflate a gzip file to more than `max` bytes.
    pub fn open_limited(path: &Path, max: MaxDecompressed) -> Result<Source, SourceError> {
        let name = path.display().to_string();
        let map = Source::map(path)?;
        if is_gzip(map.bytes()) {
            return inflate(map.bytes(), &name, max);
        }
        Ok(map)
    }

    /// `path` as it is, memory-mapped (gzip is not inflated).
    pub fn map(path: &Path) -> Result<Source, SourceError> {
        let io = |e| SourceError::Io { path: path.display().to_string(), source: e };
        let file = std::fs::File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        if len == 0 {
            return Ok(Source::Owned(Vec::new()));
        }
        // SAFETY: the map is read-only; a file truncated under us by another process is the
        // documented hazard of mmap, accepted here as every mmap-based tool (ripgrep) does.
        let map = unsafe { Mmap::map(&file) }.map_err(io)?;
        #[cfg(unix)]
        let _ = map.advise(memmap2::Advice::Sequential);
        Ok(Source::Mapped(map))
    }

    /// Take ownership of `bytes`, inflating them if they are gzip (at most
    /// [`MaxDecompressed::DEFAULT`]).
    pub fn from_bytes(bytes: Vec<u8>, name: &str) -> Result<Source, SourceError> {
        Source::from_bytes_limited(bytes, name, MaxDecompressed::DEFAULT)
    }

    /// [`Source::from_bytes`], refusing to inflate to more than `max` bytes.
    pub fn from_bytes_limited(bytes: Vec<u8>, name: &str, max: MaxDecompressed) -> Result<Source, SourceError> {
        if is_gzip(&bytes) {
            return inflate(&bytes, name, max);
        }
        Ok(Source::Owned(bytes))
    }
}

fn inflate(b: &[u8], name: &str, max: MaxDecompressed) -> Result<Source, SourceError> {
    gunzip(b, max).map(Source::Owned).map_err(|source| SourceError::Gzip { path: name.to_string(), source })
}
