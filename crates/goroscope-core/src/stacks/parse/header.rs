//! The goroutine header line, which opens a block and is where chunks are cut.
//!
//! ```text
//! header := `goroutine ` id [ ` gp=0x…` ` m=`(N|`nil`) [` mp=0x…`] ]
//!           ` [` status [` (leaked)`] [` (scan)`] [` (durable)`] [`, ` N ` minutes`]
//!           [`, locked to thread`] [`, synctest bubble ` N] [` labels:` labels] `]` [` ` labels] `:`
//!           status = raw text (may hold spaces and parens: `chan receive (nil chan)`; may end
//!                    with its own ` (durable)`: `chan receive (durable)`)
//!           labels = `{…}` (see `labels.rs`): Go 1.26 with GODEBUG=tracebacklabels=1 prints
//!                    ` labels:{"k": "v"}` inside the bracket, Go ≥1.27 ` {k: v}` after it
//! ```
//!
//! The `gp=`/`m=`/`mp=` fields are printed by Go ≥1.22 SIGQUIT tracebacks; any other `k=v`
//! token between the id and the `[` is accepted and ignored, so new header fields do not break
//! the parse. The suffixes of the bracket are taken off from the right, in the reverse of the
//! order the runtime appends them (`traceback.go` `goroutineheader`, Go 1.26.8 and 1.27.3).
//! A status never holds `]`, so the first `]` ends the bracket of a Go ≥1.27 header even when
//! a label value holds one. Only the *extent* of the label set is found here; its pairs are
//! read by the machine (`labels.rs`), which warns about a malformed set and keeps the goroutine.

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
    pub leaked: bool,
    pub durable: bool,
    pub bubble: Option<u64>,
    /// Range of the label set within the line, from its `{` to where its `}` should stand.
    pub labels: Option<Range<usize>>,
    /// What is missing after the label set (`]:` or `:`), when the line stops early.
    pub unterminated: Option<&'static str>,
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
    let i = 10 + n;
    let len = t.len();
    let lb = i + memchr(b'[', &t[i..])?;
    let (gp, m, mp) = header_fields(&t[i..lb])?;
    let (close, labels, unterminated) = extent(t, lb)?;
    if lb + 1 >= close {
        return None;
    }
    debug_assert!(close <= len);
    let mut s = lb + 1..close;
    // `, synctest bubble N`: found from the right by its digits (no substring search per header).
    let mut bubble = None;
    let digits = trailing_digits(&t[s.clone()]);
    if digits > 0 && t[s.start..s.end - digits].ends_with(b", synctest bubble ") {
        bubble = parse_dec(&t[s.end - digits..s.end]);
        s.end -= digits + 18;
    }
    let mut locked = false;
    if t[s.clone()].ends_with(b", locked to thread") {
        locked = true;
        s.end -= 18;
    }
    let mut minutes = None;
    if t[s.clone()].ends_with(b" minutes") {
        // `, N minutes`: the digits before ` minutes`, then `, ` (no substring search per header)
        let body = &t[s.start..s.end - 8];
        let c = body.len() - trailing_digits(body);
        if body[..c].ends_with(b", ") {
            if let Some(v) = parse_dec(&body[c..]) {
                minutes = Some(v.min(u32::MAX as u64) as u32);
                s.end = s.start + c - 2;
            }
        }
    }
    let (mut durable, mut scan, mut leaked) = (false, false, false);
    if t[s.end - 1] == b')' {
        durable = strip(t, &mut s, b" (durable)");
        scan = strip(t, &mut s, b" (scan)");
        leaked = strip(t, &mut s, b" (leaked)");
        durable |= strip(t, &mut s, b" (durable)");
    }
    Some(Header { id, gp, m, mp, state: s, minutes, locked, scan, leaked, durable, bubble, labels, unterminated })
}

/// How many ASCII digits `b` ends with.
#[inline]
pub(super) fn trailing_digits(b: &[u8]) -> usize {
    b.iter().rev().take_while(|c| c.is_ascii_digit()).count()
}

/// Take `suffix` off the end of the status `s` (never all of it); whether it was there.
#[inline]
fn strip(t: &[u8], s: &mut Range<usize>, suffix: &[u8]) -> bool {
    let hit = s.end - s.start > suffix.len() && t[s.clone()].ends_with(suffix);
    if hit {
        s.end -= suffix.len();
    }
    hit
}

/// Where the bracket closes, the extent of the label set, what is missing at the end of the line.
type Extent = (usize, Option<Range<usize>>, Option<&'static str>);

/// The [`Extent`] of the bracket opened at `lb`. None when the line is not a header.
fn extent(t: &[u8], lb: usize) -> Option<Extent> {
    let len = t.len();
    let ends_bracket = t.ends_with(b"]:");
    // `contains`, not memchr's `memchr`: statuses are short, the call costs more than the scan.
    if ends_bracket && t[len - 3] != b'}' && !t[lb..len - 3].contains(&b'{') {
        // No labels (the common case; a status never holds `{`).
        return Some((len - 2, None, None));
    }
    let rb = memchr(b']', &t[lb..]).map(|j| lb + j);
    if let Some(p) = memmem::find(&t[lb..], b" labels:{").map(|j| lb + j) {
        if rb.is_none_or(|rb| p < rb) {
            // Go 1.26: ` labels:{…}]:`.
            let (end, missing) = if ends_bracket { (len - 2, None) } else { (len, Some("`]:`")) };
            return Some((p, Some(p + 8..end), missing));
        }
    }
    let rb = rb?;
    if t[rb + 1..].starts_with(b" {") {
        // Go ≥1.27: `] {…}:`.
        let (end, missing) = if t.ends_with(b":") && len > rb + 3 { (len - 1, None) } else { (len, Some("`:`")) };
        return Some((rb, Some(rb + 2..end), missing));
    }
    ends_bracket.then_some((len - 2, None, None))
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
        assert!(parse_header(b"goroutine 1 []:").is_none());
        assert!(parse_header(b"goroutine profile: total 3").is_none());
    }
}

#[cfg(test)]
mod go126_go127 {
    use super::*;

    fn state<'a>(t: &'a [u8], h: &Header) -> &'a [u8] {
        &t[h.state.clone()]
    }

    #[test]
    fn go127_labels_after_the_bracket() {
        let t = br#"goroutine 19 [chan receive, 5 minutes] {tenant: "a b", worker: holder}:"#;
        let h = parse_header(t).unwrap();
        assert_eq!((state(t, &h), h.minutes), (&b"chan receive"[..], Some(5)));
        assert_eq!(&t[h.labels.clone().unwrap()], br#"{tenant: "a b", worker: holder}"#);
        assert_eq!(h.unterminated, None);
        // A label value holding `]`, `{`, ` labels:{` and `:` does not move the bracket.
        let t = br#"goroutine 7 gp=0xc000007c40 m=nil [select (no cases) (leaked), locked to thread] {q: "] labels:{x}: y"}:"#;
        let h = parse_header(t).unwrap();
        assert_eq!(state(t, &h), b"select (no cases)");
        assert!(h.leaked && h.locked && !h.scan);
        assert_eq!(&t[h.labels.clone().unwrap()], br#"{q: "] labels:{x}: y"}"#);
    }

    #[test]
    fn go126_labels_inside_the_bracket() {
        let t = br#"goroutine 11 [chan send (leaked), 2 minutes labels:{"worker": "leaker"}]:"#;
        let h = parse_header(t).unwrap();
        assert_eq!((state(t, &h), h.minutes, h.leaked), (&b"chan send"[..], Some(2), true));
        assert_eq!(&t[h.labels.clone().unwrap()], br#"{"worker": "leaker"}"#);
        let t = br#"goroutine 8 [sync.Mutex.Lock labels:{"q": "a]b"}]:"#;
        let h = parse_header(t).unwrap();
        assert_eq!(state(t, &h), b"sync.Mutex.Lock");
        assert_eq!(&t[h.labels.clone().unwrap()], br#"{"q": "a]b"}"#);
    }

    #[test]
    fn synctest_suffixes() {
        let t = b"goroutine 9 [chan receive (durable) (scan), 3 minutes, synctest bubble 4]:";
        let h = parse_header(t).unwrap();
        assert_eq!((state(t, &h), h.durable, h.scan, h.bubble), (&b"chan receive"[..], true, true, Some(4)));
        let t = b"goroutine 9 [sleep (durable), synctest bubble 12]:";
        let h = parse_header(t).unwrap();
        assert_eq!((state(t, &h), h.durable, h.bubble), (&b"sleep"[..], true, Some(12)));
        // The flag words alone are a status, not an empty one with a flag.
        let t = b"goroutine 9 [ (leaked)]:";
        assert_eq!(state(t, &parse_header(t).unwrap()), b" (leaked)");
    }

    #[test]
    fn unterminated_label_sets_are_still_headers() {
        let t = br#"goroutine 19 [chan receive] {tenant: "a b"#;
        let h = parse_header(t).unwrap();
        assert_eq!((&t[h.labels.clone().unwrap()], h.unterminated), (&br#"{tenant: "a b"#[..], Some("`:`")));
        let t = br#"goroutine 19 [chan receive labels:{"tenant": "a"#;
        let h = parse_header(t).unwrap();
        assert_eq!((state(t, &h), h.unterminated), (&b"chan receive"[..], Some("`]:`")));
        assert!(parse_header(b"goroutine 19 [chan receive] tenant:").is_none());
    }
}
