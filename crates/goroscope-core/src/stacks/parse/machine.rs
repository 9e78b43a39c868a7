//! The line state machine: it reads one chunk line by line, decides by its [`State`] and the
//! line's content which line parser applies, and builds goroutine blocks.
//!
//! ```text
//! block      := header { frame | elision | unavail | skip } [ created ] { ancestor } end
//! ```
//!
//! States: `Outside` (between blocks: only headers, profile headers, race banners and the
//! prelude matter), `Func` (in a block, expecting a call, `created by`, an elision, an ancestor
//! or the end), `File` / `CreatedFile` (expecting the location of the line before). A goroutine
//! header is recognised in every state and always starts a new block, which is what lets the
//! parser resynchronise after anything unexpected and lets chunks start at any header. The
//! debug=1 states are in `debug1.rs`, the race-report states in `race.rs`.

use std::ops::Range;

use memchr::{memchr, memchr2};

use super::chunk::{ChunkOut, Parts};
use super::frame::{is_cgo_location, parse_loc, split_call};
use super::header::{parse_header, starts_like_header, Header};
use super::intern::{span, Interner};
use super::labels::parse_labels;
use super::lines::{
    excerpt, is_blank, is_prelude_start, is_skippable, is_trailer, parse_ancestor, parse_created_by, parse_elided,
    NON_GO, UNAVAILABLE,
};
use super::race::{RaceState, RACE_BANNER, RACE_WARNING};
use super::{LimitHit, Limits};
use crate::stacks::model::*;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum State {
    /// Between blocks: everything but headers is skipped.
    Outside,
    /// In a block, expecting a call, `created by`, an elision, an ancestor, or the end.
    Func,
    /// After a call line, expecting its location.
    File,
    /// After `created by`, expecting its location.
    CreatedFile,
    /// In a `… profile: total N` section (debug=1 buckets).
    Agg,
    /// After a `==================` banner outside a block, expecting `WARNING: DATA RACE`.
    RaceHead,
    /// In a race-detector report, expecting a section header, a call, a blank or the banner.
    Race,
    /// After a call line in a race report, expecting its location.
    RaceFile,
}

/// A call line whose location line has not been read yet.
#[derive(Clone, Copy)]
pub(super) struct Pending {
    pub func: Sym,
    pub args: Span,
    pub inlined: bool,
    /// No parentheses (`non-Go function`, symbolized cgo name): the location is optional.
    pub bare: bool,
    pub line: u64,
    pub off: usize,
}

impl Pending {
    /// A call without parentheses (`non-Go function`, a symbolized cgo name) at `line`/`off`.
    fn bare(func: Sym, line: u64, off: usize) -> Pending {
        Pending { func, args: Span::EMPTY, inlined: false, bare: true, line, off }
    }
}

/// The machine's state while it reads one chunk, and everything it has built so far.
pub(super) struct Parser<'a> {
    pub input: &'a [u8],
    pub syms: Interner<'a>,
    pub gs: Vec<Goroutine>,
    pub frames: Vec<Frame>,
    pub ancs: Vec<Ancestor>,
    pub labels: Vec<Label>,
    pub warns: Vec<Warning>,
    pub truncated: bool,
    pub st: State,
    /// The block being read.
    pub cur: Option<Goroutine>,
    /// Offset of its header line.
    pub cur_off: usize,
    /// Frames and `created by` go to the last ancestor, not to the goroutine.
    pub in_anc: bool,
    pub pend: Pending,
    /// The `created by` line waiting for its location, and where it stands (line, offset).
    pub cb: CreatedBy,
    pub cb_at: (u64, usize),
    /// A goroutine or profile header has been seen: the prelude is closed.
    pub seen_dump: bool,
    pub prelude_start: Option<usize>,
    pub prelude: Option<Range<usize>>,
    pub saw_profile: bool,
    /// The profile section being read is a `goroutineleak profile`: its buckets are leaked.
    pub leak_profile: bool,
    pub race: RaceState,
    /// 1-based line number of the current line, local to the chunk.
    pub ln: u64,
    pub limits: Limits,
    /// The first limit exceeded: parsing of the chunk stops there.
    pub limit: Option<LimitHit>,
    /// Lines before the chunk: `ln + line_base` is the global line number (for warning texts).
    pub line_base: u64,
}

/// Run the machine over `input[r]`. `first`: the chunk may hold the prelude. `last`: the input
/// ends with it (a block still open is cut); otherwise the next chunk starts with a header.
pub(super) fn parse_chunk(
    input: &[u8],
    r: Range<usize>,
    first: bool,
    last: bool,
    limits: &Limits,
    line_base: u64,
) -> ChunkOut {
    let mut p = Parser::new(input, first, limits, line_base);
    // Rough pre-sizing: ~75 bytes per frame line pair, ~1.5 KB per goroutine.
    let len = r.end - r.start;
    p.frames.reserve(len / 160);
    p.gs.reserve(len / 1600);
    let end = r.end;
    let mut pos = r.start;
    while pos < end {
        let le = memchr(b'\n', &input[pos..end]).map_or(end, |i| pos + i);
        p.ln += 1;
        p.line(pos, le, end);
        pos = le + 1;
        if p.limit.is_some() {
            break;
        }
    }
    if last {
        p.close(true, None);
        p.end_race(true, None);
    } else {
        // The next chunk starts with a header: behave exactly as if it had been seen here.
        p.boundary(end);
    }
    let parts = Parts {
        texts: p.syms.texts,
        goroutines: p.gs,
        frames: p.frames,
        ancestors: p.ancs,
        labels: p.labels,
        races: p.race.done,
        warnings: p.warns,
        truncated: p.truncated,
        prelude: p.prelude,
        lines: p.ln,
        saw_profile: p.saw_profile,
    };
    ChunkOut { parts, raw: p.syms.raw, limit: p.limit }
}

impl<'a> Parser<'a> {
    fn new(input: &'a [u8], first: bool, limits: &Limits, line_base: u64) -> Parser<'a> {
        Parser {
            input,
            syms: Interner::new(),
            gs: Vec::new(),
            frames: Vec::new(),
            ancs: Vec::new(),
            labels: Vec::new(),
            warns: Vec::new(),
            truncated: false,
            st: State::Outside,
            cur: None,
            cur_off: 0,
            in_anc: false,
            pend: Pending { func: 0, args: Span::EMPTY, inlined: false, bare: false, line: 0, off: 0 },
            cb: CreatedBy { func: 0, file: 0, line: 0, parent: None },
            cb_at: (0, 0),
            seen_dump: !first,
            prelude_start: None,
            prelude: None,
            saw_profile: false,
            leak_profile: false,
            race: RaceState::default(),
            ln: 0,
            limits: *limits,
            limit: None,
            line_base,
        }
    }

    pub fn warn(&mut self, line: u64, off: usize, message: String) {
        self.warns.push(Warning { line, offset: off as u64, message });
    }

    /// Handle one line `input[ls..le]` (without its `\n`).
    #[inline]
    fn line(&mut self, ls: usize, le: usize, end: usize) {
        let input = self.input;
        let mut ts = ls;
        let mut te = le;
        while te > ts && is_blank(input[te - 1]) {
            te -= 1;
        }
        while ts < te && (input[ts] == b' ' || input[ts] == b'\t') {
            ts += 1;
        }
        let t = &input[ts..te];
        if starts_like_header(t) {
            if let Some(h) = parse_header(t) {
                self.boundary(ls);
                self.start_goroutine(h, ts, ls);
                return;
            }
        }
        match self.st {
            State::File => self.in_file(ts, te, ls, le, end),
            State::Func => self.in_func(ts, te, ls, le, end),
            State::CreatedFile => self.in_created_file(ts, te, ls),
            State::Agg => self.in_agg(ts, te, ls),
            State::Outside => self.outside(ts, te, ls),
            State::RaceHead => self.in_race_head(ts, te, ls),
            State::Race => self.in_race(ts, te, ls),
            State::RaceFile => self.in_race_file(ts, te, ls),
        }
    }

    /// A header (or a chunk boundary) at `ls`: close the block and the prelude.
    pub fn boundary(&mut self, ls: usize) {
        self.close(false, None);
        self.end_race(false, None);
        self.st = State::Outside;
        if !self.seen_dump {
            self.seen_dump = true;
            if let Some(ps) = self.prelude_start {
                self.prelude = Some(ps..ls);
            }
        }
    }

    /// A goroutine record with no frames yet, opened at the current line (offset `ls`).
    pub fn open_goroutine(&mut self, id: u64, count: u32, form: Form, state: Sym, ls: usize) -> Goroutine {
        let fl = self.frames.len() as u32;
        let al = self.ancs.len() as u32;
        let ll = self.labels.len() as u32;
        self.cur_off = ls;
        Goroutine {
            id,
            count,
            form,
            state,
            leaked: false,
            durable: false,
            bubble: None,
            labels: ll..ll,
            wait_minutes: None,
            locked_to_thread: false,
            scan: false,
            gp: None,
            m: None,
            mp: None,
            frames: fl..fl,
            elided: Elision::None,
            created_by: None,
            ancestors: al..al,
            stack_unavailable: false,
            truncated: false,
            line: self.ln,
        }
    }

    fn start_goroutine(&mut self, h: Header, ts: usize, ls: usize) {
        let state = self.syms.intern(self.input, ts + h.state.start..ts + h.state.end);
        let mut g = self.open_goroutine(h.id, 1, Form::Full, state, ls);
        if let Some(r) = &h.labels {
            g.labels.end = self.read_labels(ts + r.start..ts + r.end, h.unterminated, h.id, ls);
        }
        self.cur = Some(Goroutine {
            leaked: h.leaked,
            durable: h.durable,
            bubble: h.bubble,
            wait_minutes: h.minutes,
            locked_to_thread: h.locked,
            scan: h.scan,
            gp: h.gp,
            m: h.m,
            mp: h.mp,
            ..g
        });
        self.in_anc = false;
        self.st = State::Func;
    }

    /// Read the label set at `r` (of goroutine `id`, whose line starts at `ls`) into
    /// `self.labels`; a malformed set keeps the pairs before the problem and is a warning.
    /// `missing`: what the line lacks after the set. Returns the new end of `self.labels`.
    pub fn read_labels(&mut self, r: Range<usize>, missing: Option<&str>, id: u64, ls: usize) -> u32 {
        let input = self.input;
        let why = match parse_labels(input, r.clone(), &mut self.syms, &mut self.labels) {
            Ok(e) if e != r.end => Some((e, "unexpected text after the label set")),
            Ok(e) => missing.map(|_| (e, "the line ends after the label set")),
            Err(e) => Some((e.offset, e.why)),
        };
        if let Some((at, why)) = why {
            let what = if id == 0 { "bucket".to_string() } else { format!("goroutine {id}") };
            let tail = missing.map_or(String::new(), |m| format!(" (no closing {m})"));
            let msg = format!("{what}: malformed labels: {why} at column {}{tail}", at - ls + 1);
            self.warn(self.ln, ls, msg);
        }
        self.labels.len() as u32
    }

    #[inline]
    pub fn push_frame(&mut self, f: Frame) {
        self.frames.push(f);
        let n = self.frames.len() as u32;
        let start = if self.in_anc {
            self.ancs.last_mut().map(|a| {
                a.frames.end = n;
                a.frames.start
            })
        } else {
            self.cur.as_mut().map(|g| {
                g.frames.end = n;
                g.frames.start
            })
        };
        if start.is_some_and(|s| (n - s) as usize > self.limits.max_frames_per_goroutine) {
            self.frames_limit();
        }
    }

    #[cold]
    pub fn frames_limit(&mut self) {
        if self.limit.is_none() {
            let goroutine = self.cur.as_ref().map_or(0, |g| g.id);
            self.limit = Some(LimitHit::Frames { goroutine, line: self.ln });
        }
    }

    /// The pending call with the location just read (or none: file 0, line 0).
    pub fn pending_frame(&self, file: Sym, line: u32, pc_offset: Option<u32>) -> Frame {
        let p = self.pend;
        Frame { func: p.func, file, line, pc_offset, args: p.args, inlined: p.inlined }
    }

    fn push_pending(&mut self, file: Sym, line: u32, pc_offset: Option<u32>) {
        let f = self.pending_frame(file, line, pc_offset);
        self.push_frame(f);
    }

    fn set_created(&mut self) {
        let cb = self.cb;
        if self.in_anc {
            if let Some(a) = self.ancs.last_mut() {
                a.created_by = Some(cb);
            }
        } else if let Some(g) = self.cur.as_mut() {
            g.created_by = Some(cb);
        }
    }

    /// Why the current block is incomplete if it ended now, with the line to blame.
    fn incomplete(&self) -> Option<(&'static str, u64, usize)> {
        let g = self.cur.as_ref()?;
        match self.st {
            State::File if !self.pend.bare => {
                Some(("function call without its file:line line", self.pend.line, self.pend.off))
            }
            State::CreatedFile => Some(("`created by` without its file:line line", self.cb_at.0, self.cb_at.1)),
            State::Func
                if g.form == Form::Full
                    && !self.in_anc
                    && g.frames.is_empty()
                    && !g.stack_unavailable
                    && g.created_by.is_none()
                    && g.elided == Elision::None =>
            {
                Some(("goroutine header without frames", g.line, self.cur_off))
            }
            _ => None,
        }
    }

    /// End the current block. `eof`: the input ends here. `at`: the unexpected line that ended
    /// it (blamed in the warning), if any.
    pub fn close(&mut self, eof: bool, at: Option<(u64, usize, &[u8])>) {
        if self.cur.is_none() {
            return;
        }
        let problem = self.incomplete();
        if self.st == State::File {
            self.push_pending(Symbols::EMPTY, 0, None);
        } else if self.st == State::CreatedFile {
            self.cb.file = Symbols::EMPTY;
            self.cb.line = 0;
            self.set_created();
        }
        let mut g = self.cur.take().unwrap();
        if let Some((why, line, off)) = problem {
            g.truncated = true;
            let (line, off, msg) = if eof {
                self.truncated = true;
                (line, off, format!("input ends inside goroutine {}: {}", g.id, why))
            } else if let Some((l, o, text)) = at {
                (l, o, format!("goroutine {}: {}; unexpected line `{}`", g.id, why, excerpt(text)))
            } else {
                (line, off, format!("goroutine {}: {}", g.id, why))
            };
            self.warn(line, off, msg);
        }
        g.ancestors.end = self.ancs.len() as u32;
        self.gs.push(g);
        if self.gs.len() > self.limits.max_goroutines && self.limit.is_none() {
            self.limit = Some(LimitHit::Goroutines);
        }
        self.in_anc = false;
        self.st = if self.st == State::Agg { State::Agg } else { State::Outside };
    }

    /// Between blocks: a malformed header is a warning; the prelude, a debug=1 section or a race
    /// report may start here; anything else is skipped.
    pub fn outside(&mut self, ts: usize, te: usize, ls: usize) {
        let t = &self.input[ts..te];
        if t.is_empty() {
            return;
        }
        if starts_like_header(t) {
            self.warn(self.ln, ls, format!("malformed goroutine header `{}`", excerpt(t)));
            return;
        }
        if !self.seen_dump && self.prelude_start.is_none() && is_prelude_start(t) {
            self.prelude_start = Some(ls);
        }
        if super::debug1::is_profile_header(t) {
            self.boundary(ls);
            self.saw_profile = true;
            self.leak_profile = t.starts_with(b"goroutineleak ");
            self.st = State::Agg;
            return;
        }
        if t == RACE_BANNER {
            self.race.at = (self.ln, ls);
            self.st = State::RaceHead;
            return;
        }
        if t == RACE_WARNING {
            self.start_race(ls);
        }
    }

    /// A call line `func(args)` (a goroutine's or a race report's): remember it as the pending
    /// frame, whose `file:line` comes next. False when the line is not a call.
    pub fn pend_call(&mut self, ts: usize, te: usize, ls: usize) -> bool {
        let input = self.input;
        let t = &input[ts..te];
        if t.last() != Some(&b')') {
            return false;
        }
        let Some(open) = split_call(t) else { return false };
        let func = self.syms.intern(input, ts..ts + open);
        self.pend = Pending {
            func,
            args: span(ts + open + 1..te - 1),
            inlined: &t[open + 1..t.len() - 1] == b"...",
            bare: false,
            line: self.ln,
            off: ls,
        };
        true
    }

    /// In a block, expecting a frame's call line or one of the block's other lines.
    fn in_func(&mut self, ts: usize, te: usize, ls: usize, le: usize, end: usize) {
        let t = &self.input[ts..te];
        if t.is_empty() {
            self.close(false, None);
            return;
        }
        if self.pend_call(ts, te, ls) {
            self.st = State::File;
            return;
        }
        if self.block_line(ts, te, ls) || is_skippable(t) {
            return;
        }
        if is_trailer(t) {
            self.close(false, None);
            self.outside(ts, te, ls);
            return;
        }
        if self.cgo_call(ts, te, ls, le, end) {
            return;
        }
        if le == self.input.len() && self.cur.is_some() && memchr(b'(', t).is_some() {
            self.cut_call(t, ls);
            return;
        }
        if self.incomplete().is_none() {
            let id = self.cur.as_ref().map_or(0, |g| g.id);
            self.warn(self.ln, ls, format!("unexpected line after goroutine {}: `{}`", id, excerpt(t)));
        }
        self.close(false, Some((self.ln, ls, t)));
    }

    /// The block's lines other than frames: `created by`, an elision, an ancestor header, the
    /// unavailable-stack line and `non-Go function`. False when the line is none of them.
    fn block_line(&mut self, ts: usize, te: usize, ls: usize) -> bool {
        let input = self.input;
        let t = &input[ts..te];
        match t[0] {
            b'c' => {
                if let Some((func, parent)) = parse_created_by(t) {
                    let func = self.syms.intern(input, ts + func.start..ts + func.end);
                    self.cb = CreatedBy { func, file: Symbols::EMPTY, line: 0, parent };
                    self.cb_at = (self.ln, ls);
                    self.st = State::CreatedFile;
                    return true;
                }
            }
            b'.' => {
                if let Some(e) = parse_elided(t) {
                    if !self.in_anc {
                        if let Some(g) = self.cur.as_mut() {
                            g.elided = e;
                        }
                    }
                    return true;
                }
            }
            b'[' => {
                if let Some(id) = parse_ancestor(t) {
                    let n = self.frames.len() as u32;
                    self.ancs.push(Ancestor { id, frames: n..n, created_by: None });
                    self.in_anc = true;
                    return true;
                }
            }
            b'g' if t == UNAVAILABLE => {
                if let Some(g) = self.cur.as_mut() {
                    g.stack_unavailable = true;
                }
                return true;
            }
            b'n' if t.starts_with(NON_GO) => {
                let func = self.syms.intern(input, ts..ts + NON_GO.len());
                self.pend = Pending::bare(func, self.ln, ls);
                self.st = State::File;
                return true;
            }
            _ => {}
        }
        false
    }

    /// A symbolized cgo frame: a bare name followed by an indented `file:line pc=0x…`.
    fn cgo_call(&mut self, ts: usize, te: usize, ls: usize, le: usize, end: usize) -> bool {
        let input = self.input;
        let t = &input[ts..te];
        if memchr2(b' ', b'\t', t).is_some() || memchr2(b'(', b')', t).is_some() || le >= end {
            return false;
        }
        let ns = le + 1;
        let ne = memchr(b'\n', &input[ns..end]).map_or(end, |i| ns + i);
        if !is_cgo_location(&input[ns..ne]) {
            return false;
        }
        let func = self.syms.intern(input, ts..te);
        self.pend = Pending::bare(func, self.ln, ls);
        self.st = State::File;
        true
    }

    /// The last line of the input, without its newline, looks like a call: the input was cut
    /// inside this block.
    fn cut_call(&mut self, t: &[u8], ls: usize) {
        if self.incomplete().is_some() {
            self.close(true, None);
            return;
        }
        if let Some(g) = self.cur.as_mut() {
            g.truncated = true;
            let id = g.id;
            self.truncated = true;
            self.warn(self.ln, ls, format!("input ends inside goroutine {}: cut line `{}`", id, excerpt(t)));
        }
        self.close(false, None);
    }

    /// After a call line, expecting its location.
    fn in_file(&mut self, ts: usize, te: usize, ls: usize, le: usize, end: usize) {
        let input = self.input;
        let t = &input[ts..te];
        if let Some(loc) = parse_loc(t) {
            let file = self.syms.intern_file(input, ts + loc.file.start..ts + loc.file.end, self.pend.func);
            self.push_pending(file, loc.line, loc.pc_offset);
            self.st = State::Func;
            return;
        }
        if !t.is_empty() && is_skippable(t) {
            return;
        }
        if self.pend.bare {
            self.push_pending(Symbols::EMPTY, 0, None);
            self.st = State::Func;
            self.in_func(ts, te, ls, le, end);
            return;
        }
        if t.is_empty() {
            self.close(false, None);
        } else if le == input.len() && ts > ls && !t.windows(2).any(|w| w[0] == b':' && w[1].is_ascii_digit()) {
            // The last line, indented, without its newline and without `:line`: a cut location.
            self.close(true, None);
        } else {
            self.close(false, Some((self.ln, ls, t)));
        }
    }

    /// After `created by`, expecting its location.
    fn in_created_file(&mut self, ts: usize, te: usize, ls: usize) {
        let input = self.input;
        let t = &input[ts..te];
        if let Some(loc) = parse_loc(t) {
            self.cb.file = self.syms.intern_file(input, ts + loc.file.start..ts + loc.file.end, self.cb.func);
            self.cb.line = loc.line;
            self.set_created();
            self.st = State::Func;
            return;
        }
        if !t.is_empty() && is_skippable(t) {
            return;
        }
        if t.is_empty() {
            self.close(false, None);
        } else {
            self.close(false, Some((self.ln, ls, t)));
        }
    }
}
