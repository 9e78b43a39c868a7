//! The model of a parsed goroutine dump: goroutines, frames and interned strings.
//!
//! The dump owns its input bytes (`Source`); every string in the model is either an interned
//! id (`Sym`, one allocation per *unique* function/file/state, never per line) or a `Span`
//! into the input (argument lists, which are unique per goroutine and only read on demand).

use crate::source::Source;

/// An interned string: index into `Dump::symbols`.
pub type Sym = u32;

/// A byte range of the dump's input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u64,
    pub len: u32,
}

impl Span {
    pub const EMPTY: Span = Span { start: 0, len: 0 };
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }
}

/// Which text form a goroutine came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Form {
    /// `goroutine N [state]:` blocks: debug=2, runtime.Stack, panic, SIGQUIT.
    Full,
    /// `N @ 0x…` buckets of `goroutine profile: total N` (debug=1): no ids, states or args.
    Aggregated,
}

/// How a stack was cut by the runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Elision {
    #[default]
    None,
    /// `...additional frames elided...` (Go ≤1.20): the root frames are lost, count unknown.
    Unknown,
    /// `...N frames elided...` (Go ≥1.21): N middle frames are missing.
    Count(u32),
}

/// One stack frame: `func(args)` then `\tfile:line +0xoff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Frame {
    /// Function name as printed (`main.(*T).M`, `panic`, `pkg.F[...]`, `non-Go function`).
    pub func: Sym,
    pub file: Sym,
    pub line: u32,
    /// `+0x…` pc offset, if printed.
    pub pc_offset: Option<u32>,
    /// The text between the call's parentheses (without them); `...` for inlined frames.
    pub args: Span,
    /// The frame was printed as `f(...)`: inlined, no arguments available.
    pub inlined: bool,
}

/// A `created by F in goroutine N` record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CreatedBy {
    pub func: Sym,
    pub file: Sym,
    pub line: u32,
    /// Go ≥1.21 `in goroutine N`.
    pub parent: Option<u64>,
}

/// A `[originating from goroutine N]:` block (GODEBUG=tracebackancestors).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ancestor {
    pub id: u64,
    /// Range into `Dump::frames`.
    pub frames: std::ops::Range<u32>,
    pub created_by: Option<CreatedBy>,
}

/// One pprof label of a goroutine (`pprof.Do`, `pprof.SetGoroutineLabels`), as printed in a
/// Go ≥1.26 header or a debug=1 `# labels:` line: the unescaped key and value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    pub key: Sym,
    pub value: Sym,
}

/// One goroutine (or, for `Form::Aggregated`, one debug=1 bucket of `count` goroutines).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Goroutine {
    /// The goroutine id; 0 for aggregated buckets.
    pub id: u64,
    /// How many goroutines this record stands for: 1 for full dumps, N for debug=1 buckets.
    pub count: u32,
    pub form: Form,
    /// The raw status/wait reason as printed (`chan receive`, `sync.Mutex.Lock`, `running`),
    /// without the suffixes that are flags here (` (leaked)`, ` (scan)`, ` (durable)`); the
    /// empty string for aggregated buckets.
    pub state: Sym,
    /// ` (leaked)` (Go ≥1.26, `/debug/pprof/goroutineleak`): the GC proved that nothing can
    /// ever wake this goroutine. Every goroutine of a `goroutineleak profile` bucket is leaked.
    pub leaked: bool,
    /// ` (durable)` (Go ≥1.25 `testing/synctest`): blocked durably inside a bubble, whether the
    /// runtime appended it or the wait reason carries it (`chan receive (durable)`).
    pub durable: bool,
    /// `, synctest bubble N`: the id of the synctest bubble the goroutine belongs to.
    pub bubble: Option<u64>,
    /// Range into `Dump::labels`, in printed order (empty when the header printed none).
    pub labels: std::ops::Range<u32>,
    /// `, N minutes`; None when absent (absent means "less than a minute, or no GC yet").
    pub wait_minutes: Option<u32>,
    pub locked_to_thread: bool,
    /// ` (scan)` after the status.
    pub scan: bool,
    /// Go ≥1.22 SIGQUIT headers: `gp=0x… m=N|nil mp=0x…`.
    pub gp: Option<u64>,
    pub m: Option<u64>,
    pub mp: Option<u64>,
    /// Range into `Dump::frames`, leaf first.
    pub frames: std::ops::Range<u32>,
    pub elided: Elision,
    pub created_by: Option<CreatedBy>,
    /// Range into `Dump::ancestors`.
    pub ancestors: std::ops::Range<u32>,
    /// `goroutine running on other thread; stack unavailable`.
    pub stack_unavailable: bool,
    /// The block ended before its stack was complete (input cut mid-goroutine).
    pub truncated: bool,
    /// 1-based line of the header (or of `N @ 0x…`).
    pub line: u64,
}

/// One memory access of a race-detector report:
/// `Read at 0x00c000014100 by goroutine 8:` / `Previous write at 0x… by main goroutine:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaceAccess {
    /// The raw verb as printed: `Read`, `Write`, `Previous read`, `Previous write`,
    /// `Atomic read`, `Previous atomic write`, …
    pub kind: Sym,
    pub address: u64,
    /// The accessing goroutine; None for `by main goroutine`.
    pub goroutine: Option<u64>,
    /// Range into `Dump::frames`, leaf first.
    pub frames: std::ops::Range<u32>,
}

impl RaceAccess {
    /// The verb names a write (`Write`, `Previous write`, `Atomic write`, …).
    pub fn is_write(&self, d: &Dump) -> bool {
        d.sym(self.kind).to_ascii_lowercase().ends_with("write")
    }
}

/// `Goroutine 8 (running) created at:` in a race-detector report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaceCreation {
    pub goroutine: u64,
    /// As printed between the parentheses: `running` or `finished`.
    pub state: Sym,
    /// Range into `Dump::frames`, leaf first (the `go` statement first).
    pub frames: std::ops::Range<u32>,
}

/// One `WARNING: DATA RACE` report of the race detector (`go test -race`, `go run -race`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Race {
    /// 1-based line of `WARNING: DATA RACE` (of the `==================` banner when the input
    /// ends before it).
    pub line: u64,
    /// The racing accesses, in printed order (the current access first, then `Previous …`).
    pub accesses: Vec<RaceAccess>,
    /// Where the goroutines involved were created (none for the main goroutine).
    pub created: Vec<RaceCreation>,
    /// The report is incomplete: it has no memory access (the input ends after its banner or its
    /// `WARNING: DATA RACE` line), a section header without frames, or a call without its
    /// `file:line` line. The reason is in `Dump::warnings`.
    pub truncated: bool,
}

/// A problem found while parsing that did not stop the parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// 1-based line number.
    pub line: u64,
    /// Byte offset of that line.
    pub offset: u64,
    pub message: String,
}

/// A whole parsed dump. Owns the input so that spans stay valid.
pub struct Dump {
    pub source: Source,
    /// Unique strings (functions, files, states), as spans of the input or owned text.
    pub symbols: Symbols,
    pub goroutines: Vec<Goroutine>,
    pub frames: Vec<Frame>,
    pub ancestors: Vec<Ancestor>,
    /// The labels of every goroutine, each goroutine's a contiguous range (`Goroutine::labels`).
    pub labels: Vec<Label>,
    /// Race-detector reports found in the input (before, between or after goroutine blocks).
    /// A file holding only race reports is a valid dump with no goroutines.
    pub races: Vec<Race>,
    pub warnings: Vec<Warning>,
    /// The input ended inside a goroutine block (e.g. debug=2 cut at 64 MiB).
    pub truncated: bool,
    /// The panic / fatal error / signal prelude text, if any (`panic: …`, `fatal error: …`).
    pub prelude: Option<String>,
    /// The prelude's `panic: … [recovered]` / `[recovered, repanicked]` markers (Go ≥1.23).
    pub panic: PanicFlags,
    /// Number of input lines.
    pub lines: u64,
}

impl Dump {
    pub fn sym(&self, s: Sym) -> &str {
        self.symbols.get(&self.source, s)
    }
    pub fn span(&self, s: Span) -> &[u8] {
        &self.source.bytes()[s.range()]
    }
    pub fn frames_of(&self, g: &Goroutine) -> &[Frame] {
        &self.frames[g.frames.start as usize..g.frames.end as usize]
    }
    /// The frames of a race access or creation (`RaceAccess::frames`, `RaceCreation::frames`).
    pub fn frames_in(&self, r: &std::ops::Range<u32>) -> &[Frame] {
        &self.frames[r.start as usize..r.end as usize]
    }
    pub fn labels_of(&self, g: &Goroutine) -> &[Label] {
        &self.labels[g.labels.start as usize..g.labels.end as usize]
    }
    /// The value of label `key` on `g`, if it has that label.
    pub fn label_value(&self, g: &Goroutine, key: &str) -> Option<&str> {
        self.labels_of(g).iter().find(|l| self.sym(l.key) == key).map(|l| self.sym(l.value))
    }
    pub fn ancestors_of(&self, g: &Goroutine) -> &[Ancestor] {
        &self.ancestors[g.ancestors.start as usize..g.ancestors.end as usize]
    }
    /// Total goroutines represented (aggregated buckets count N each).
    pub fn total(&self) -> u64 {
        self.goroutines.iter().map(|g| g.count as u64).sum()
    }
}

/// The markers Go ≥1.23 prints after a panic value in the prelude (`printpanics`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PanicFlags {
    /// A `panic: … [recovered]` line: a panic was recovered before the fatal one.
    pub recovered: bool,
    /// `panic: … [recovered, repanicked]`: a recovered panic was raised again with the same value.
    pub repanicked: bool,
}

/// One interned string.
#[derive(Clone, Debug)]
pub enum SymText {
    /// Bytes of the input (always valid UTF-8, checked when interned).
    Input(Span),
    /// Text that does not stand verbatim in the input.
    Owned(Box<str>),
}

/// The interned-string table. Index 0 is always the empty string.
#[derive(Clone, Debug)]
pub struct Symbols {
    pub texts: Vec<SymText>,
}

impl Default for Symbols {
    fn default() -> Self {
        Symbols { texts: vec![SymText::Owned("".into())] }
    }
}

impl Symbols {
    pub const EMPTY: Sym = 0;
    pub fn get<'a>(&'a self, src: &'a Source, s: Sym) -> &'a str {
        match &self.texts[s as usize] {
            // SAFETY-free: validated as UTF-8 at intern time; fall back to "" defensively.
            SymText::Input(sp) => std::str::from_utf8(&src.bytes()[sp.range()]).unwrap_or(""),
            SymText::Owned(b) => b,
        }
    }
    pub fn len(&self) -> usize {
        self.texts.len()
    }
    pub fn is_empty(&self) -> bool {
        self.texts.len() <= 1
    }
}
