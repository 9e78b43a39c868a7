//! The goroutine header line, which opens a block and is where chunks are cut.
//!
//! ```text
//! header := `goroutine ` id [ ` gp=0x…` ` m=`(N|`nil`) [` mp=0x…`] ]
//!           ` [` status [` (scan)`] [`, ` N ` minutes`] [`, locked to thread`] `]:`
//!           status = raw text (may hold spaces and parens: `chan receive (nil chan)`)
//! ```
//!
//! The `gp=`/`m=`/`mp=` fields are printed by Go ≥1.22 SIGQUIT tracebacks; any other `k=v`
//! token between the id and the `[` is accepted and ignored, so new header fields do not break
//! the parse. The suffixes of the bracket are taken off from the right, in the order the runtime
//! appends them (`traceback.go` `goroutineheader`).

use std::ops::Range;

use memchr::{memchr, memmem};

use crate::stacks::args::{parse_dec, parse_hex};

#[derive(Debug)]
pub(super) struct Header {
    pub id: u64,
    pub gp: Option<u64>,
    pub m: Option<u64>,
    pub mp: Option<u64>,
    /// Range of the raw status text within the (trimmed) line.
    pub state: Range<usize>,
    pub minutes: Option<u32>,
    pub locked: bool,
    pub scan: bool,
}

/// A cheap first test before [`parse_header`]: `goroutine ` followed by a digit (`t` trimmed).
#[inline]
pub(super) fn starts_like_header(t: &[u8]) -> bool {
    t.len() > 10 && t[0] == b'g' && t[10].is_ascii_digit() && t.starts_with(b"goroutine ")
}

/// `goroutine 1 gp=0x… m=0 mp=0x… [chan receive (nil chan), 3 minutes, locked to thread]:`
/// (`t` is trimmed on both sides).
pub(super) fn parse_header(t: &[u8]) -> Option<Header> {
    let rest = t.strip_prefix(b"goroutine ")?;
    let n = rest.iter().position(|c| !c.is_ascii_digit()).unwrap_or(rest.len());
    let id = parse_dec(&rest[..n])?;
    if !t.ends_with(b"]:") {
        return None;
    }
    let i = 10 + n;
    let close = t.len() - 2;
    if i >= close {
        return None;
    }
    let lb = i + memchr(b'[', &t[i..close])?;
    let (gp, m, mp) = header_fields(&t[i..lb])?;
    let mut s = lb + 1..close;
    let mut locked = false;
    if t[s.clone()].ends_with(b", locked to thread") {
        locked = true;
        s.end -= 18;
    }
    let mut minutes = None;
    if t[s.clone()].ends_with(b" minutes") {
        let body = &t[s.start..s.end - 8];
        if let Some(c) = memmem::rfind(body, b", ") {
            if let Some(v) = parse_dec(&body[c + 2..]) {
                minutes = Some(v.min(u32::MAX as u64) as u32);
                s.end = s.start + c;
            }
        }
    }
    let mut scan = false;
    if t[s.clone()].ends_with(b" (scan)") {
        scan = true;
        s.end -= 7;
    }
    Some(Header { id, gp, m, mp, state: s, minutes, locked, scan })
}

/// The ` gp=0x… m=N mp=0x… ` tokens between the id and the `[` (`mid` ends with the blank before
/// the `[`): (gp, m, mp). None when a token is not `k=v`.
fn header_fields(mid: &[u8]) -> Option<(Option<u64>, Option<u64>, Option<u64>)> {
    if mid.last() != Some(&b' ') {
        return None;
    }
    let (mut gp, mut m, mut mp) = (None, None, None);
    for tok in mid.split(|&c| c == b' ').filter(|s| !s.is_empty()) {
        if let Some(v) = tok.strip_prefix(b"gp=") {
            gp = v.strip_prefix(b"0x").and_then(parse_hex);
        } else if let Some(v) = tok.strip_prefix(b"mp=") {
            mp = v.strip_prefix(b"0x").and_then(parse_hex);
        } else if let Some(v) = tok.strip_prefix(b"m=") {
            m = parse_dec(v);
        } else if memchr(b'=', tok).is_none() {
            return None;
        }
    }
    Some((gp, m, mp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_forms() {
        let h = parse_header(b"goroutine 5 gp=0x82aeec410e0 m=nil [GOMAXPROCS updater (idle)]:").unwrap();
        assert_eq!((h.id, h.gp, h.m, h.mp), (5, Some(0x82aeec410e0), None, None));
        let t = b"goroutine 7 gp=0xc000007c40 m=3 mp=0xc000100008 [chan receive (nil chan) (scan), 12 minutes, locked to thread]:";
        let h = parse_header(t).unwrap();
        assert_eq!(&t[h.state.clone()], b"chan receive (nil chan)");
        assert_eq!((h.m, h.mp, h.minutes, h.locked, h.scan), (Some(3), Some(0xc000100008), Some(12), true, true));
        let t = b"goroutine 2306090 [sync.RWMutex.RLock, 3 minutes]:";
        let h = parse_header(t).unwrap();
        assert_eq!(&t[h.state.clone()], b"sync.RWMutex.RLock");
        assert!(parse_header(b"goroutine 1 [running]").is_none());
        assert!(parse_header(b"goroutine profile: total 3").is_none());
    }
}
