//! Why an input with no goroutine is not a dump, and the recognition of a pprof protobuf given
//! by mistake (the error then says which command reads it).

use memchr::memchr;

use super::lines::{excerpt, trim_end};

/// Explain why `input` (with no goroutine in it) is not a dump: (line, offset, why).
pub(super) fn not_a_dump(input: &[u8]) -> (u64, u64, String) {
    if looks_like_pprof(input) {
        return (1, 0, "looks like a pprof protobuf profile (profile.proto), not a text goroutine dump; use `goroscope top`".to_string());
    }
    let head = &input[..input.len().min(4096)];
    let bad = match memchr(0, head) {
        Some(i) => Some(i),
        None => match std::str::from_utf8(head) {
            Err(e) if e.error_len().is_some() => Some(e.valid_up_to()),
            _ => None,
        },
    };
    if let Some(off) = bad {
        let line = memchr::memchr_iter(b'\n', &input[..off]).count() as u64 + 1;
        return (line, off as u64, "binary data (NUL bytes or invalid UTF-8), not a text goroutine dump".to_string());
    }
    // First non-blank line.
    let mut pos = 0;
    let mut line = 1u64;
    while pos < input.len() {
        let le = memchr(b'\n', &input[pos..]).map_or(input.len(), |i| pos + i);
        let t = trim_end(&input[pos..le]);
        if t.iter().any(|&c| c != b' ' && c != b'\t') {
            let why = format!(
                "no `goroutine N [status]:` header, `goroutine profile: total N` line or race report found; first line: `{}`",
                excerpt(t)
            );
            return (line, pos as u64, why);
        }
        pos = le + 1;
        line += 1;
    }
    (1, 0, "no goroutine found".to_string())
}

/// How many bytes of top-level fields [`looks_like_pprof`] walks before it decides.
const PPROF_SNIFF: usize = 64 << 10;

/// A serialized `profile.proto` (already gunzipped), recognised by its structure rather than by
/// its first byte or its strings (Go's writer starts with field 11 `period_type`, Z = 0x5a, and
/// a goroutine profile's strings are just `goroutine`/`count`): the top-level fields must walk
/// cleanly — a varint tag with field number 1..=15 (`sample_type` … `doc_url`) and wire type 0
/// (varint) or 2 (length-delimited, whose length must fit in the input) — over the whole input,
/// or over at least its first 64 KiB, with at least 3 fields.
pub fn looks_like_pprof(b: &[u8]) -> bool {
    let mut pos = 0usize;
    let mut fields = 0u32;
    while pos < b.len() {
        if pos >= PPROF_SNIFF {
            return fields >= 3;
        }
        let Some((tag, n)) = read_varint(&b[pos..]) else { return false };
        pos += n;
        let (field, wire) = (tag >> 3, tag & 7);
        if !(1..=15).contains(&field) {
            return false;
        }
        match wire {
            0 => {
                let Some((_, n)) = read_varint(&b[pos..]) else { return false };
                pos += n;
            }
            2 => {
                let Some((len, n)) = read_varint(&b[pos..]) else { return false };
                pos += n;
                match usize::try_from(len).ok().and_then(|l| pos.checked_add(l)) {
                    Some(end) if end <= b.len() => pos = end,
                    _ => return false,
                }
            }
            _ => return false,
        }
        fields += 1;
    }
    fields >= 3
}

/// A protobuf base-128 varint: (value, bytes used); None when cut or longer than 10 bytes.
fn read_varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &c) in b.iter().enumerate().take(10) {
        v |= ((c & 0x7f) as u64) << (7 * i);
        if c & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}
