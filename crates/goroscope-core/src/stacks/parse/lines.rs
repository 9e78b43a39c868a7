//! The other one-line forms of a goroutine block, the lines that end or surround one, and the
//! trimming every line goes through.
//!
//! ```text
//! elision    := `...additional frames elided...`  (≤1.20)  | `...` N ` frames elided...` (≥1.21,
//!               may stand between frames)
//! unavail    := `goroutine running on other thread; stack unavailable`
//! created    := `created by ` func [` in goroutine ` N] NL location
//! ancestor   := `[originating from goroutine ` N `]:` { frame } [ created ]
//! skip       := `runtime: …` | `stack: frame=…` | `0x…: ` hex dump  (inside a block, ignored)
//! end        := blank line | next header | EOF | a trailer line (`exit status`, `FAIL`, `SIG…`,
//!               `==================`, register dump …)
//! ```

use std::ops::Range;

use memchr::memchr;

use super::header::trailing_digits;
use crate::stacks::args::parse_dec;
use crate::stacks::model::Elision;

/// `goroutine running on other thread; stack unavailable`
pub(super) const UNAVAILABLE: &[u8] = b"goroutine running on other thread; stack unavailable";

/// The name a cgo frame without a symbolizer is printed with.
pub(super) const NON_GO: &[u8] = b"non-Go function";

/// `created by main.main in goroutine 1` → (range of `main.main`, Some(1)). The range may be
/// empty (or inverted) when the name is missing; interning treats it as the empty string.
pub(super) fn parse_created_by(t: &[u8]) -> Option<(Range<usize>, Option<u64>)> {
    if !t.starts_with(b"created by ") {
        return None;
    }
    // ` in goroutine N`: the digits at the end, then the words (no substring search per line)
    let d = t.len() - trailing_digits(t);
    if t[..d].ends_with(b" in goroutine ") && d - 14 >= 10 {
        if let Some(n) = parse_dec(&t[d..]) {
            return Some((11..d - 14, Some(n)));
        }
    }
    Some((11..t.len(), None))
}

/// `...additional frames elided...` / `...12 frames elided...`
pub(super) fn parse_elided(t: &[u8]) -> Option<Elision> {
    if t == b"...additional frames elided..." {
        return Some(Elision::Unknown);
    }
    let n = t.strip_prefix(b"...")?.strip_suffix(b" frames elided...")?;
    Some(Elision::Count(parse_dec(n)?.min(u32::MAX as u64) as u32))
}

/// `[originating from goroutine 17]:` → 17 (GODEBUG=tracebackancestors).
pub(super) fn parse_ancestor(t: &[u8]) -> Option<u64> {
    t.strip_prefix(b"[originating from goroutine ")
        .and_then(|r| r.strip_suffix(b"]:"))
        .and_then(parse_dec)
}

/// Lines that may appear inside a block without ending it.
pub(super) fn is_skippable(t: &[u8]) -> bool {
    t.starts_with(b"runtime: ")
        || t.starts_with(b"stack: frame=")
        || (t.starts_with(b"0x") && {
            let n = t[2..].iter().position(|c| !c.is_ascii_hexdigit()).unwrap_or(t.len() - 2);
            n > 0 && t.get(2 + n) == Some(&b':')
        })
}

/// Lines that end a block silently (text that commonly follows a dump).
pub(super) fn is_trailer(t: &[u8]) -> bool {
    const P: &[&[u8]] = &[
        b"exit status ",
        b"FAIL",
        b"PASS",
        b"ok ",
        b"--- ",
        b"=== ",
        b"==================",
        b"WARNING: DATA RACE",
        b"panic: ",
        b"fatal error: ",
        b"SIG",
        b"PC=",
        b"[signal ",
        b"runtime stack:",
        b"unexpected signal",
        b"signal arrived during",
        b"instruction bytes:",
        b"goroutine ",
        b"Found ",
    ];
    P.iter().any(|p| t.starts_with(p)) || is_register_line(t)
}

/// `rax    0x0`, `r8     0xc000…`, `rflags 0x246`, `lr     0x…` (signal register dumps).
fn is_register_line(t: &[u8]) -> bool {
    let n = t.iter().position(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit())).unwrap_or(t.len());
    if n == 0 || n > 8 || !t[0].is_ascii_lowercase() {
        return false;
    }
    let r = &t[n..];
    let k = r.iter().position(|&c| c != b' ' && c != b'\t').unwrap_or(r.len());
    k > 0 && r[k..].starts_with(b"0x")
}

/// The first line of the prelude kept in `Dump::prelude` (`panic: …`, `fatal error: …`, …).
pub(super) fn is_prelude_start(t: &[u8]) -> bool {
    t.starts_with(b"panic: ")
        || t.starts_with(b"fatal error: ")
        || t.starts_with(b"fatal: ")
        || (t.starts_with(b"SIG") && t.get(3).is_some_and(|c| c.is_ascii_uppercase()) && memchr(b':', t).is_some())
        || t.starts_with(b"[signal ")
        || t.starts_with(b"unexpected signal")
        || t.starts_with(b"unexpected fault address")
        || t.starts_with(b"runtime: ")
}

/// Trailing blanks and a CRLF's `\r` are dropped from every line.
#[inline]
pub(super) fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t' || c == b'\r'
}

#[inline]
pub(super) fn trim_end(b: &[u8]) -> &[u8] {
    let mut e = b.len();
    while e > 0 && is_blank(b[e - 1]) {
        e -= 1;
    }
    &b[..e]
}

/// A line quoted in a warning or error: at most 120 bytes.
pub(super) fn excerpt(b: &[u8]) -> String {
    const MAX: usize = 120;
    if b.len() <= MAX {
        String::from_utf8_lossy(b).into_owned()
    } else {
        format!("{}…", String::from_utf8_lossy(&b[..MAX]))
    }
}
