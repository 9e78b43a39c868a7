//! Race-detector reports (`go test -race`, `go run -race`): their line grammar and the states of
//! the machine that read them.
//!
//! ```text
//! race       := [ `==================` ] `WARNING: DATA RACE`                (race detector, tsan)
//!               { access | creation | location | blank } [ `==================` ]
//! access     := verb [` at 0x`hex] ` by ` (`goroutine ` N | `main goroutine`) `:` rstack
//!               verb = `Read` | `Write` | `Previous read` | `Previous write` | `Atomic …` …
//! creation   := `Goroutine ` N ` (` state `) created at:` rstack     state = running|finished
//! location   := `Heap block of size … allocated by …:` rstack | `Global var … declared at …`
//!               (parsed and dropped)
//! rstack     := { `  ` func `()` NL `      ` file `:` line ` +0x`off } | `[failed to restore the stack]`
//! ```
//!
//! A race ends at its closing banner, a goroutine header, another race, a trailer or any other
//! unexpected line; a race without a complete access (the input cut inside it, or an opening
//! banner as the last line) is kept with `truncated` and a warning.

use std::ops::Range;

use memchr::memmem;

use super::frame::parse_loc;
use super::lines::excerpt;
use super::machine::{Parser, State};
use crate::stacks::args::{parse_dec, parse_hex};
use crate::stacks::model::*;

pub(super) const RACE_BANNER: &[u8] = b"==================";
pub(super) const RACE_WARNING: &[u8] = b"WARNING: DATA RACE";

/// What the frames being read in a race report belong to.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(super) enum RaceSec {
    /// Before the first section (right after `WARNING: DATA RACE`).
    #[default]
    None,
    Access,
    Created,
    /// `Heap block … allocated by …:`: parsed, not kept.
    Skip,
}

/// The race reports of a chunk: those read, and the one being read.
#[derive(Default)]
pub(super) struct RaceState {
    pub done: Vec<Race>,
    /// The race report being read.
    pub cur: Option<Race>,
    pub sec: RaceSec,
    /// The current race section has its stack (a frame or `[failed to restore the stack]`).
    pub sec_ok: bool,
    /// Line and offset of the current race section header (or of the opening banner).
    pub at: (u64, usize),
}

struct RaceAccessLine {
    /// Range of the verb within the line.
    kind: Range<usize>,
    address: u64,
    goroutine: Option<u64>,
}

/// `Read at 0x00c000014100 by goroutine 8:`, `Previous write at 0x… by main goroutine:`,
/// `Atomic read at 0x… by goroutine 3:`, old `Write by goroutine 5:` (no address).
fn parse_race_access(t: &[u8]) -> Option<RaceAccessLine> {
    let body = t.strip_suffix(b":")?;
    let by = memmem::rfind(body, b" by ")?;
    let who = &body[by + 4..];
    let goroutine = if who == b"main goroutine" {
        None
    } else {
        Some(parse_dec(who.strip_prefix(b"goroutine ")?)?)
    };
    let head = &body[..by];
    let (kind_end, address) = match memmem::find(head, b" at 0x") {
        Some(i) => (i, parse_hex(&head[i + 6..])?),
        None => (head.len(), 0),
    };
    let kind = &head[..kind_end];
    let lower = kind.to_ascii_lowercase();
    if kind.is_empty()
        || !kind[0].is_ascii_uppercase()
        || !kind.iter().all(|&c| c.is_ascii_alphabetic() || c == b' ')
        || !(lower.ends_with(b"read") || lower.ends_with(b"write"))
    {
        return None;
    }
    Some(RaceAccessLine { kind: 0..kind_end, address, goroutine })
}

/// `Goroutine 8 (running) created at:` → (8, range of `running`).
fn parse_race_creation(t: &[u8]) -> Option<(u64, Range<usize>)> {
    let rest = t.strip_prefix(b"Goroutine ")?;
    let body = rest.strip_suffix(b") created at:")?;
    let sp = memmem::find(body, b" (")?;
    let id = parse_dec(&body[..sp])?;
    let start = 10 + sp + 2;
    Some((id, start..10 + body.len()))
}

impl Parser<'_> {
    pub fn start_race(&mut self, ls: usize) {
        self.race.cur = Some(Race { line: self.ln, accesses: Vec::new(), created: Vec::new(), truncated: false });
        self.race.sec = RaceSec::None;
        self.race.sec_ok = false;
        self.race.at = (self.ln, ls);
        self.st = State::Race;
    }

    /// Why the current race report is incomplete if it ended now, with the line to blame.
    fn race_incomplete(&self) -> Option<(&'static str, u64, usize)> {
        let r = self.race.cur.as_ref()?;
        if self.st == State::RaceFile {
            return Some(("function call without its file:line line", self.pend.line, self.pend.off));
        }
        if self.race.sec != RaceSec::None && !self.race.sec_ok {
            return Some(("section header without frames", self.race.at.0, self.race.at.1));
        }
        if r.accesses.is_empty() {
            return Some(("no memory access", r.line, self.race.at.1));
        }
        None
    }

    /// End the current race report (or a pending opening banner). `eof`: the input ends here.
    /// `at`: the unexpected line that ended it, if any.
    pub fn end_race(&mut self, eof: bool, at: Option<(u64, usize, &[u8])>) {
        if self.st == State::RaceHead {
            self.st = State::Outside;
            if eof {
                let (line, off) = self.race.at;
                self.race.done.push(Race { line, accesses: Vec::new(), created: Vec::new(), truncated: true });
                self.warn(
                    line,
                    off,
                    "input ends after the race-detector banner `==================`: the race report is cut".to_string(),
                );
            }
            return;
        }
        if self.race.cur.is_none() {
            return;
        }
        let problem = self.race_incomplete();
        if self.st == State::RaceFile {
            self.push_race_pending(Symbols::EMPTY, 0, None);
        }
        let mut r = self.race.cur.take().unwrap();
        if let Some((why, line, off)) = problem {
            r.truncated = true;
            let race_line = r.line + self.line_base;
            let (line, off, msg) = if eof {
                (line, off, format!("input ends inside the race report of line {race_line}: {why}"))
            } else if let Some((l, o, text)) = at {
                (l, o, format!("race report of line {race_line}: {why}; unexpected line `{}`", excerpt(text)))
            } else {
                (line, off, format!("race report of line {race_line}: {why}"))
            };
            self.warn(line, off, msg);
        }
        self.race.done.push(r);
        self.st = State::Outside;
    }

    /// After a `==================` banner outside a block.
    pub fn in_race_head(&mut self, ts: usize, te: usize, ls: usize) {
        let t = &self.input[ts..te];
        if t.is_empty() {
            return;
        }
        if t == RACE_WARNING {
            self.start_race(ls);
            return;
        }
        // Not a race after all (a closing banner, or a ruler in a log).
        self.st = State::Outside;
        self.outside(ts, te, ls);
    }

    fn push_race_frame(&mut self, f: Frame) {
        if self.race.sec == RaceSec::Skip {
            return;
        }
        self.frames.push(f);
        let n = self.frames.len() as u32;
        if let Some(r) = self.race.cur.as_mut() {
            let range = match self.race.sec {
                RaceSec::Access => r.accesses.last_mut().map(|a| &mut a.frames),
                RaceSec::Created => r.created.last_mut().map(|c| &mut c.frames),
                _ => None,
            };
            if let Some(range) = range {
                range.end = n;
                if (n - range.start) as usize > self.limits.max_frames_per_goroutine {
                    self.frames_limit();
                }
            }
        }
    }

    fn push_race_pending(&mut self, file: Sym, line: u32, pc_offset: Option<u32>) {
        let f = self.pending_frame(file, line, pc_offset);
        self.push_race_frame(f);
        self.race.sec_ok = true;
    }

    /// In a race report: a section header, a frame's call line, a blank, the closing banner.
    pub fn in_race(&mut self, ts: usize, te: usize, ls: usize) {
        let t = &self.input[ts..te];
        if t.is_empty() {
            return;
        }
        if t == RACE_BANNER {
            self.end_race(false, None);
            return;
        }
        if t == RACE_WARNING {
            self.end_race(false, None);
            self.start_race(ls);
            return;
        }
        if self.race_section(ts, te, ls) {
            return;
        }
        if self.race.sec != RaceSec::None && self.pend_call(ts, te, ls) {
            self.st = State::RaceFile;
            return;
        }
        // Anything else ends the report (`--- FAIL`, `testing.go:…: race detected …`, a panic).
        let at = if self.race_incomplete().is_some() { Some((self.ln, ls, t)) } else { None };
        self.end_race(false, at);
        self.outside(ts, te, ls);
    }

    /// The lines that open (or belong to) a section of a race report: an access, a creation, a
    /// heap-block location, a global-variable line, a stack the detector could not restore.
    /// False when the line is none of them.
    fn race_section(&mut self, ts: usize, te: usize, ls: usize) -> bool {
        let input = self.input;
        let t = &input[ts..te];
        let nf = self.frames.len() as u32;
        if let Some(a) = parse_race_access(t) {
            let kind = self.syms.intern(input, ts + a.kind.start..ts + a.kind.end);
            self.end_race_section(ls, t);
            if let Some(r) = self.race.cur.as_mut() {
                r.accesses.push(RaceAccess { kind, address: a.address, goroutine: a.goroutine, frames: nf..nf });
            }
            self.begin_race_section(RaceSec::Access, ls);
            return true;
        }
        if let Some((goroutine, st)) = parse_race_creation(t) {
            let state = self.syms.intern(input, ts + st.start..ts + st.end);
            self.end_race_section(ls, t);
            if let Some(r) = self.race.cur.as_mut() {
                r.created.push(RaceCreation { goroutine, state, frames: nf..nf });
            }
            self.begin_race_section(RaceSec::Created, ls);
            return true;
        }
        if t.starts_with(b"Heap block of size ") && t.ends_with(b":") {
            self.end_race_section(ls, t);
            self.begin_race_section(RaceSec::Skip, ls);
            return true;
        }
        if t.starts_with(b"Global var ") {
            return true;
        }
        if t == b"[failed to restore the stack]" {
            self.race.sec_ok = true;
            return true;
        }
        false
    }

    /// A new section starts at `ls`: warn if the previous one had no stack.
    fn end_race_section(&mut self, ls: usize, t: &[u8]) {
        if self.race.sec != RaceSec::None && !self.race.sec_ok {
            let line = self.race.cur.as_ref().map_or(0, |r| r.line + self.line_base);
            if let Some(r) = self.race.cur.as_mut() {
                r.truncated = true;
            }
            self.warn(
                self.ln,
                ls,
                format!("race report of line {line}: section header without frames; unexpected line `{}`", excerpt(t)),
            );
        }
    }

    fn begin_race_section(&mut self, sec: RaceSec, ls: usize) {
        self.race.sec = sec;
        self.race.sec_ok = false;
        self.race.at = (self.ln, ls);
    }

    /// After a call line in a race report, expecting its location.
    pub fn in_race_file(&mut self, ts: usize, te: usize, ls: usize) {
        let input = self.input;
        let t = &input[ts..te];
        if let Some(loc) = parse_loc(t) {
            let file = self.syms.intern(input, ts + loc.file.start..ts + loc.file.end);
            self.push_race_pending(file, loc.line, loc.pc_offset);
            self.st = State::Race;
            return;
        }
        // The location is missing: keep the call without it, and read the line as part of the
        // report.
        self.push_race_pending(Symbols::EMPTY, 0, None);
        if let Some(r) = self.race.cur.as_mut() {
            r.truncated = true;
        }
        let line = self.race.cur.as_ref().map_or(0, |r| r.line + self.line_base);
        self.warn(
            self.pend.line,
            self.pend.off,
            format!("race report of line {line}: function call without its file:line line; unexpected line `{}`", excerpt(t)),
        );
        self.st = State::Race;
        self.in_race(ts, te, ls);
    }
}
