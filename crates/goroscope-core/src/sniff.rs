//! What an input holds, decided from its first bytes: the one sniffer that the profile loader,
//! the binding and (through the binding) the TypeScript layer ask, instead of guessing each in
//! their own way.
//!
//! The checks, in order (the first that holds decides; `head` = the first [`HEAD`] bytes):
//!
//! ```text
//! empty            no bytes
//! gzip             1f 8b
//! zip              "PK" 03 04 | "PK" 05 06 (empty archive) | "PK" 07 08 (spanned)
//! tar              "ustar" at offset 257
//! executable       7f "ELF" | Mach-O magic (fe ed fa ce|cf, ce|cf fa ed fe) | "MZ"
//! profile.proto    top-level fields walk cleanly: tag = field 1..=15 with wire type 0 or 2,
//!                  lengths inside the input; ≥ 3 fields, over the whole input or its first
//!                  64 KiB (a serialized Profile message; Go's writer starts with `Z`, field 11)
//! goroutine-profile  first non-blank line `goroutine profile: total N` or (Go ≥1.26)
//!                  `goroutineleak profile: total N` (debug=1; pprof reads it as a legacy
//!                  count profile, the dump parser keeps its names and labels)
//! legacy-profile   first non-blank line `heap profile:`, `heap_v2/`, `<name> profile: total`,
//!                  `--- mutex:`, `--- contention:`, `--- contentionz `, `--- threadz `,
//!                  `--- heapz `; or the binary CPU header 0, 3, 0|1, period > 0, 0 in 32/64-bit
//!                  words of either byte order
//! goroutine-dump   a line (indented or not) `goroutine N [` / `goroutine N gp=` (debug=2,
//!                  panic, SIGQUIT) or `WARNING: DATA RACE` within head, or a first line that
//!                  is the race detector's `==================` banner
//! json             first non-blank byte `{` or `[`
//! text             no NUL and valid UTF-8 in head
//! binary           anything else
//! ```

use memchr::memchr;

/// Bytes of an input the sniffer looks at (and inflates, for gzip).
pub const HEAD: usize = 64 << 10;

/// What an input holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InputKind {
    Empty,
    Gzip,
    Zip,
    Tar,
    /// An ELF, Mach-O or PE executable.
    Executable,
    /// A serialized profile.proto (uncompressed).
    ProfileProto,
    /// `goroutine profile: total N`: a `?debug=1` goroutine dump.
    GoroutineProfile,
    /// One of the legacy profile formats Go and gperftools still write.
    LegacyProfile,
    /// A text goroutine dump (`?debug=2`, a panic or SIGQUIT trace, race reports).
    GoroutineDump,
    Json,
    Text,
    Binary,
}

impl InputKind {
    /// The one name of each kind (also the binding's and TypeScript's).
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Empty => "empty",
            InputKind::Gzip => "gzip",
            InputKind::Zip => "zip",
            InputKind::Tar => "tar",
            InputKind::Executable => "executable",
            InputKind::ProfileProto => "profile-proto",
            InputKind::GoroutineProfile => "goroutine-profile",
            InputKind::LegacyProfile => "legacy-profile",
            InputKind::GoroutineDump => "goroutine-dump",
            InputKind::Json => "json",
            InputKind::Text => "text",
            InputKind::Binary => "binary",
        }
    }

    /// A goroutine dump in either text form.
    pub fn is_dump(self) -> bool {
        matches!(self, InputKind::GoroutineDump | InputKind::GoroutineProfile)
    }
}

/// gzip's magic bytes.
pub fn is_gzip(b: &[u8]) -> bool {
    b.len() >= 2 && b[0] == 0x1f && b[1] == 0x8b
}

/// What `data` holds, `data` being the whole input (see the module doc for the checks).
pub fn sniff(data: &[u8]) -> InputKind {
    classify(data, true)
}

/// What an input holds, looking through gzip: its kind, and whether it was gzipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sniffed {
    pub kind: InputKind,
    pub gzip: bool,
}

/// [`sniff`], looking inside a gzip stream at its first [`HEAD`] inflated bytes.
pub fn sniff_through_gzip(data: &[u8]) -> Sniffed {
    sniff_prefix(data, true)
}

/// [`sniff_through_gzip`] of the first bytes of an input (`complete`: they are all of it). A
/// prefix of [`HEAD`] + 1 KiB bytes is enough, gzip or not.
pub fn sniff_prefix(head: &[u8], complete: bool) -> Sniffed {
    match classify(head, complete) {
        InputKind::Gzip => inner(crate::source::gunzip_head(head, HEAD + 1)),
        kind => Sniffed { kind, gzip: false },
    }
}

/// [`sniff_through_gzip`] of a file, reading only its first [`HEAD`] + 1 KiB bytes.
pub fn sniff_file(path: &std::path::Path) -> Result<Sniffed, crate::source::SourceError> {
    use std::io::Read;
    let io = |e| crate::source::SourceError::Io { path: path.display().to_string(), source: e };
    let want = HEAD + 1024;
    let mut head = Vec::with_capacity(want + 1);
    std::fs::File::open(path).map_err(io)?.take(want as u64 + 1).read_to_end(&mut head).map_err(io)?;
    let complete = head.len() <= want;
    head.truncate(want);
    Ok(sniff_prefix(&head, complete))
}

/// The kind inside a gzip stream, from up to `HEAD + 1` inflated bytes.
fn inner(mut head: Vec<u8>) -> Sniffed {
    let complete = head.len() <= HEAD;
    head.truncate(HEAD);
    Sniffed { kind: classify(&head, complete), gzip: true }
}

fn classify(b: &[u8], complete: bool) -> InputKind {
    if b.is_empty() {
        return InputKind::Empty;
    }
    if is_gzip(b) {
        return InputKind::Gzip;
    }
    if b.starts_with(b"PK\x03\x04") || b.starts_with(b"PK\x05\x06") || b.starts_with(b"PK\x07\x08") {
        return InputKind::Zip;
    }
    if b.get(257..262) == Some(b"ustar") {
        return InputKind::Tar;
    }
    if is_executable(b) {
        return InputKind::Executable;
    }
    if is_profile_proto(b, complete) {
        return InputKind::ProfileProto;
    }
    let head = &b[..b.len().min(HEAD)];
    let first = first_line(head);
    if first.starts_with(b"goroutine profile: total ") || first.starts_with(b"goroutineleak profile: total ") {
        return InputKind::GoroutineProfile;
    }
    if is_legacy_text_header(first) || has_legacy_cpu_header(head) {
        return InputKind::LegacyProfile;
    }
    if first == RACE_BANNER || has_dump_line(head) {
        return InputKind::GoroutineDump;
    }
    if first.first().is_some_and(|&c| c == b'{' || c == b'[') {
        return InputKind::Json;
    }
    if is_text(head, complete) {
        return InputKind::Text;
    }
    InputKind::Binary
}

fn is_executable(b: &[u8]) -> bool {
    b.starts_with(b"\x7fELF")
        || b.starts_with(&[0xfe, 0xed, 0xfa, 0xce])
        || b.starts_with(&[0xfe, 0xed, 0xfa, 0xcf])
        || b.starts_with(&[0xce, 0xfa, 0xed, 0xfe])
        || b.starts_with(&[0xcf, 0xfa, 0xed, 0xfe])
        || b.starts_with(b"MZ")
}

/// The first line with something other than blanks in it, blanks before it trimmed.
fn first_line(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let rest = &b[start..];
    &rest[..memchr(b'\n', rest).unwrap_or(rest.len())]
}

/// A protobuf base-128 varint at `b[pos..]`: (value, next position); None when cut or longer
/// than 10 bytes.
fn varint(b: &[u8], mut pos: usize) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for i in 0..10 {
        let c = *b.get(pos)?;
        pos += 1;
        v |= ((c & 0x7f) as u64) << (7 * i);
        if c < 0x80 {
            return Some((v, pos));
        }
    }
    None
}

/// The profile.proto check of the module doc. For a head (`!complete`), running into its end is
/// not a failure: the walk stops there.
fn is_profile_proto(b: &[u8], complete: bool) -> bool {
    let (mut pos, mut fields) = (0usize, 0u32);
    while pos < b.len() {
        if pos >= HEAD {
            break;
        }
        let Some((tag, next)) = varint(b, pos) else { return !complete && fields >= 3 };
        let (field, wire) = (tag >> 3, tag & 7);
        if !(1..=15).contains(&field) {
            return false;
        }
        let end = match wire {
            0 => varint(b, next).map(|(_, n)| n),
            2 => varint(b, next).and_then(|(len, n)| usize::try_from(len).ok().and_then(|l| n.checked_add(l))),
            _ => return false,
        };
        match end {
            Some(end) if end <= b.len() => pos = end,
            _ => return !complete && fields >= 3,
        }
        fields += 1;
    }
    fields >= 3
}

fn is_legacy_text_header(line: &[u8]) -> bool {
    const PREFIXES: &[&[u8]] = &[
        b"heap profile:",
        b"heap_v2/",
        b"--- mutex:",
        b"--- contention:",
        b"--- contentionz ",
        b"--- threadz ",
        b"--- heapz ",
    ];
    if PREFIXES.iter().any(|p| line.starts_with(p)) {
        return true;
    }
    // `<name> profile: total N` (threadcreate, and Go's other count profiles).
    let name = line.iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count();
    name > 0 && line[name..].starts_with(b" profile: total ")
}

/// The legacy binary CPU profile's header: words 0, 3, 0|1, period > 0, 0.
fn has_legacy_cpu_header(b: &[u8]) -> bool {
    let word = |i: usize, size: usize, big: bool| -> Option<u64> {
        let w = b.get(i * size..(i + 1) * size)?;
        let mut v = 0u64;
        for k in 0..size {
            let byte = if big { w[k] } else { w[size - 1 - k] };
            v = v << 8 | byte as u64;
        }
        Some(v)
    };
    [(4, false), (4, true), (8, false), (8, true)].into_iter().any(|(size, big)| {
        let h: Option<Vec<u64>> = (0..5).map(|i| word(i, size, big)).collect();
        matches!(h.as_deref(), Some([0, 3, 0 | 1, p, 0]) if *p > 0)
    })
}

/// The race detector's banner around a report.
const RACE_BANNER: &[u8] = b"==================";

/// A `goroutine N [` / `goroutine N gp=` header or a race report anywhere in `head` (indented
/// too: dumps quoted in test output are).
fn has_dump_line(head: &[u8]) -> bool {
    head.split(|&c| c == b'\n').any(|line| {
        let line = &line[line.iter().take_while(|c| **c == b' ' || **c == b'\t').count()..];
        if line.starts_with(b"WARNING: DATA RACE") {
            return true;
        }
        let Some(rest) = line.strip_prefix(b"goroutine ") else { return false };
        let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || rest.get(digits) != Some(&b' ') {
            return false;
        }
        let rest = &rest[digits + 1..];
        rest.first() == Some(&b'[') || rest.starts_with(b"gp=")
    })
}

/// No NUL and valid UTF-8 (a character cut by the end of a head is fine).
fn is_text(head: &[u8], complete: bool) -> bool {
    if memchr(0, head).is_some() {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => !complete && e.error_len().is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proto() -> Vec<u8> {
        // sample_type {type: 1 unit: 2}, string_table "", "samples", "count", period 1
        let mut b = vec![0x0a, 0x04, 0x08, 0x01, 0x10, 0x02];
        for s in ["", "samples", "count"] {
            b.push(0x32);
            b.push(s.len() as u8);
            b.extend_from_slice(s.as_bytes());
        }
        b.extend_from_slice(&[0x60, 0x01]);
        b
    }

    #[test]
    fn kinds() {
        let cases: &[(&[u8], InputKind)] = &[
            (b"", InputKind::Empty),
            (b"\x1f\x8b\x08\x00", InputKind::Gzip),
            (b"PK\x03\x04rest", InputKind::Zip),
            (b"\x7fELF\x02\x01", InputKind::Executable),
            (b"goroutine 1 [running]:\nmain.main()\n", InputKind::GoroutineDump),
            (b"panic: boom\n\ngoroutine 7 gp=0xc000 m=nil [select]:\n", InputKind::GoroutineDump),
            (b"==================\nWARNING: DATA RACE\nWrite at 0x00c000 by goroutine 7:\n", InputKind::GoroutineDump),
            (b"\n goroutine profile: total 3\n2 @ 0x1 0x2\n", InputKind::GoroutineProfile),
            (b"goroutineleak profile: total 4\n4 @ 0x1 0x2\n", InputKind::GoroutineProfile),
            (b"heap profile: 1: 2 [3: 4] @ heap/1048576\n", InputKind::LegacyProfile),
            (b"--- mutex:\ncycles/second=1\n", InputKind::LegacyProfile),
            (b"threadcreate profile: total 7\n", InputKind::LegacyProfile),
            (b"  {\"memstats\": {}}", InputKind::Json),
            (b"[1, 2]", InputKind::Json),
            (b"hello\nworld\n", InputKind::Text),
            (b"\x00\x01\x02\x03\xff", InputKind::Binary),
        ];
        for (input, want) in cases {
            assert_eq!(sniff(input), *want, "{:?}", String::from_utf8_lossy(input));
        }
        assert_eq!(sniff(&proto()), InputKind::ProfileProto);
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(sniff(&tar), InputKind::Tar);
        let mut cpu = Vec::new();
        for w in [0u64, 3, 0, 10_000, 0] {
            cpu.extend_from_slice(&w.to_le_bytes());
        }
        assert_eq!(sniff(&cpu), InputKind::LegacyProfile);
    }

    #[test]
    fn through_gzip() {
        use std::io::Write;
        let gz = |b: &[u8]| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(b).unwrap();
            e.finish().unwrap()
        };
        let dump = b"goroutine 1 [running]:\nmain.main()\n\t/x.go:1 +0x1\n".repeat(5000);
        assert_eq!(sniff_through_gzip(&gz(&dump)), Sniffed { kind: InputKind::GoroutineDump, gzip: true });
        assert_eq!(sniff_through_gzip(&gz(&proto())), Sniffed { kind: InputKind::ProfileProto, gzip: true });
        // a profile.proto longer than the head: the walk runs into the head's end
        let mut big = proto();
        for _ in 0..20_000 {
            big.extend_from_slice(&[0x32, 0x05]);
            big.extend_from_slice(b"abcde");
        }
        assert_eq!(sniff_through_gzip(&gz(&big)).kind, InputKind::ProfileProto);
        assert_eq!(classify(&big[..HEAD], false), InputKind::ProfileProto);
        assert_eq!(sniff(&big[..HEAD]), InputKind::Binary, "as a whole input, a cut profile is not one");
        let f = std::env::temp_dir().join(format!("goroscope-sniff-{}.gz", std::process::id()));
        std::fs::write(&f, gz(&dump)).unwrap();
        assert_eq!(sniff_file(&f).unwrap(), Sniffed { kind: InputKind::GoroutineDump, gzip: true });
        std::fs::write(&f, &big).unwrap();
        assert_eq!(sniff_file(&f).unwrap(), Sniffed { kind: InputKind::ProfileProto, gzip: false });
        std::fs::remove_file(&f).unwrap();
    }
}
