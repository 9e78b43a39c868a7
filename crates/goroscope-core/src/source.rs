//! Input bytes: a memory-mapped file, or an owned buffer (gzip output, a Node Buffer copy).
//!
//! gzip is detected by its magic bytes and inflated transparently, so every parser sees plain
//! bytes and never needs to know where they came from.

use std::io::Read;
use std::path::Path;

use memmap2::Mmap;

/// Errors reading input, before any parsing.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: gzip stream is damaged or truncated after {inflated} bytes of output: {source}")]
    Gzip { path: String, inflated: u64, source: std::io::Error },
    #[error("{path}: decompressed size exceeds {limit} bytes (limit: maxDecompressed / --max-decompressed)")]
    TooLarge { path: String, limit: u64 },
}

/// Default cap on the size of a gzipped input once inflated (4 GiB).
pub const DEFAULT_MAX_DECOMPRESSED: u64 = 4 << 30;

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

    /// Open `path`: mmap plain files, inflate gzip ones (at most [`DEFAULT_MAX_DECOMPRESSED`]).
    pub fn open(path: &Path) -> Result<Source, SourceError> {
        Source::open_limited(path, DEFAULT_MAX_DECOMPRESSED)
    }

    /// [`Source::open`], refusing to inflate a gzip file to more than `max_decompressed` bytes.
    pub fn open_limited(path: &Path, max_decompressed: u64) -> Result<Source, SourceError> {
        let name = path.display().to_string();
        let io = |e| SourceError::Io { path: name.clone(), source: e };
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
        if is_gzip(&map) {
            return inflate(&map, &name, max_decompressed);
        }
        Ok(Source::Mapped(map))
    }

    /// Take ownership of `bytes`, inflating them if they are gzip (at most
    /// [`DEFAULT_MAX_DECOMPRESSED`]).
    pub fn from_bytes(bytes: Vec<u8>, name: &str) -> Result<Source, SourceError> {
        Source::from_bytes_limited(bytes, name, DEFAULT_MAX_DECOMPRESSED)
    }

    /// [`Source::from_bytes`], refusing to inflate to more than `max_decompressed` bytes.
    pub fn from_bytes_limited(bytes: Vec<u8>, name: &str, max_decompressed: u64) -> Result<Source, SourceError> {
        if is_gzip(&bytes) {
            return inflate(&bytes, name, max_decompressed);
        }
        Ok(Source::Owned(bytes))
    }
}

pub fn is_gzip(b: &[u8]) -> bool {
    b.len() >= 2 && b[0] == 0x1f && b[1] == 0x8b
}

fn inflate(b: &[u8], name: &str, cap: u64) -> Result<Source, SourceError> {
    let hint = (b.len() as u64).saturating_mul(4).min(cap).min(1 << 30) as usize;
    let mut out = Vec::with_capacity(hint);
    // One byte over the cap tells "exactly the cap" from "more".
    let mut dec = flate2::read::MultiGzDecoder::new(b).take(cap.saturating_add(1));
    match dec.read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > cap => Err(SourceError::TooLarge { path: name.to_string(), limit: cap }),
        Ok(_) => Ok(Source::Owned(out)),
        Err(e) => Err(SourceError::Gzip { path: name.to_string(), inflated: out.len() as u64, source: e }),
    }
}
