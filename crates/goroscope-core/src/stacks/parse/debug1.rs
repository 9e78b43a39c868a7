//! `goroutine profile: total N` sections (`/debug/pprof/goroutine?debug=1`, and the other
//! `… profile: total N` text profiles): buckets of identical stacks with a count, no ids,
//! states or arguments. Each bucket becomes one `Form::Aggregated` goroutine record.
//!
//! ```text
//! profile    := (`goroutine`|`goroutineleak`|`threadcreate`|…) ` profile: total ` N
//!               { bucket }
//! bucket     := N ` @` { ` 0x…` } [ `# labels: {…}` ] { `#` pc func`+0x`off file`:`line } blank
//!               (columns separated by runs of tabs, from tabwriter)
//! ```
//!
//! The `# labels: {…}` line gives the bucket's labels (`labels.rs`). The buckets of a
//! `goroutineleak profile` (Go ≥1.26, `/debug/pprof/goroutineleak?debug=1`) are `leaked`.

use memchr::{memchr2, memmem};

use super::frame::parse_loc;
use super::lines::excerpt;
use super::machine::Parser;
use crate::stacks::args::{parse_dec, parse_hex};
use crate::stacks::model::*;

/// `goroutine profile: total 20161`, `goroutineleak profile: total 3`, `threadcreate …`.
pub(super) fn is_profile_header(t: &[u8]) -> bool {
    let Some(i) = memmem::find(t, b" profile: total ") else { return false };
    i > 0 && memchr2(b' ', b'\t', &t[..i]).is_none() && parse_dec(&t[i + 16..]).is_some()
}

impl Parser<'_> {
    /// In a profile section: a bucket's count line, its `#` frame lines, a blank between buckets.
    pub fn in_agg(&mut self, ts: usize, te: usize, ls: usize) {
        let t = &self.input[ts..te];
        if t.is_empty() {
            self.close(false, None);
            return;
        }
        if t[0] == b'#' {
            if self.cur.is_some() {
                self.agg_frame(ts, te, ls);
            }
            return;
        }
        if t[0].is_ascii_digit() {
            let n = t.iter().position(|c| !c.is_ascii_digit()).unwrap_or(t.len());
            if t[n..].starts_with(b" @") || n == t.len() {
                self.close(false, None);
                let count = parse_dec(&t[..n]).map_or(u32::MAX, |v| v.min(u32::MAX as u64) as u32);
                let mut g = self.open_goroutine(0, count, Form::Aggregated, Symbols::EMPTY, ls);
                g.leaked = self.leak_profile;
                self.cur = Some(g);
                return;
            }
        }
        if is_profile_header(t) {
            self.close(false, None);
            return;
        }
        self.warn(self.ln, ls, format!("unexpected line in profile: `{}`", excerpt(t)));
    }

    /// `#\t0x48f918\tsync.runtime_notifyListWait+0x138\t\t\truntime/sema.go:527`
    fn agg_frame(&mut self, ts: usize, te: usize, ls: usize) {
        let input = self.input;
        let t = &input[ts..te];
        let skip_ws = |mut i: usize| {
            while i < t.len() && (t[i] == b' ' || t[i] == b'\t') {
                i += 1;
            }
            i
        };
        let tok_end = |i: usize| memchr2(b' ', b'\t', &t[i..]).map_or(t.len(), |j| i + j);
        let i = skip_ws(1);
        if i == t.len() {
            return;
        }
        if t[i..].starts_with(b"labels:") {
            let j = skip_ws(i + 7);
            let at = ts + j..te;
            let end = self.read_labels(at, None, 0, ls);
            if let Some(g) = self.cur.as_mut() {
                g.labels.end = end;
            }
            return;
        }
        let i = skip_ws(tok_end(i)); // pc
        let fe = tok_end(i);
        let ftok = &t[i..fe];
        let (name_end, pc_offset) = match memmem::rfind(ftok, b"+0x") {
            Some(p) => (i + p, parse_hex(&ftok[p + 3..]).map(|v| v as u32)),
            None => (fe, None),
        };
        let func = self.syms.intern(input, ts + i..ts + name_end);
        let rest = skip_ws(fe);
        let (file, line) = match parse_loc(&t[rest..]) {
            Some(loc) => (self.syms.intern(input, ts + rest + loc.file.start..ts + rest + loc.file.end), loc.line),
            None => (Symbols::EMPTY, 0),
        };
        self.push_frame(Frame { func, file, line, pc_offset, args: Span::EMPTY, inlined: false });
    }
}

