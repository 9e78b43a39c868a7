//! The findings of one analysis: what renderers (FlatBuffers, JSON, text) consume.
//!
//! `schema/stacks.fbs` is the contract: every type here is a table (or enum) of the same name
//! with the same fields in the same order, and the TypeScript types, their readers and the JSON
//! keys (camelCased) are generated from it. Types named like those of `stacks::model` (`Frame`,
//! `CreatedBy`, `Race`, …) are their output form: strings instead of interned symbols.

pub use crate::stacks::model::Warning;

/// Human state classes, in the order the findings list them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StateClass {
    /// semacquire, sync.Mutex.Lock, sync.RWMutex.*, sync.WaitGroup.Wait, sync.Cond.Wait
    Lock,
    /// chan send/receive (incl. nil chan)
    Channel,
    /// select, select (no cases)
    Select,
    /// IO wait
    Io,
    /// syscall
    Syscall,
    /// sleep
    Sleep,
    /// runnable, running, preempted
    Running,
    /// GC workers, finalizer wait, force gc (idle), timer goroutine, …
    Runtime,
    /// anything else (future or unknown reasons), and debug=1 buckets with no state
    Other,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StateCount {
    /// The raw state as Go printed it.
    pub state: String,
    pub class: StateClass,
    pub count: u64,
    /// How many of them the runtime marked ` (leaked)`.
    pub leaked: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClassCount {
    pub class: StateClass,
    pub count: u64,
    /// One line, in the words of the debug guide, on what goroutines in this class are doing.
    pub explanation: &'static str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    pub function: String,
    pub file: String,
    pub line: u32,
    /// Raw argument text (empty for debug=1).
    pub args: String,
}

/// One pprof label (the output form of `stacks::model::Label`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Label {
    pub key: String,
    pub value: String,
}

/// One distinct label set among the goroutines of a group or a leak, with how many carry it.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelSet {
    /// In printed order; empty for the goroutines without labels.
    pub labels: Vec<Label>,
    pub count: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CreatedBy {
    pub function: String,
    pub file: String,
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// Goroutines in the group (debug=1 buckets add their N).
    pub count: u64,
    pub state: String,
    pub class: StateClass,
    /// Wait minutes range over the group's goroutines; None when no goroutine printed minutes.
    pub wait_min: Option<u32>,
    pub wait_max: Option<u32>,
    /// Goroutine ids, ascending (empty for debug=1 buckets).
    pub ids: Vec<u64>,
    /// The representative stack, leaf first.
    pub frames: Vec<Frame>,
    pub created_by: Option<CreatedBy>,
    /// Index into `frames` of the first frame outside `runtime`, `sync`, `internal/`.
    pub interesting: Option<u32>,
    /// How the stack was cut (`Elision` of the representative).
    pub elided: bool,
    pub locked_to_thread: bool,
    /// The label sets of the group's goroutines, most goroutines first (ties in first-seen
    /// order), at most [`LABEL_SETS`] of them; empty when no goroutine has labels.
    pub labels: Vec<LabelSet>,
    /// Goroutines whose label set is not listed in `labels` (beyond the first [`LABEL_SETS`]).
    pub labels_other: u64,
    /// Goroutines of the group the runtime marked ` (leaked)`.
    pub leaked: u64,
    /// With `group_by_label`: the value of that label shared by the group (None: the
    /// goroutines without it).
    pub label_value: Option<String>,
}

/// How many label sets a group or leak lists.
pub const LABEL_SETS: usize = 20;

/// Goroutines the runtime proved leaked (` (leaked)`, Go ≥1.26 `goroutineleak` profile),
/// grouped by where they were created and where they are parked.
#[derive(Clone, Debug, PartialEq)]
pub struct Leak {
    pub count: u64,
    /// The raw state of the first of them.
    pub state: String,
    /// The parking frame: the first frame outside runtime/sync/internal (the leaf when all are).
    pub frame: Option<Frame>,
    pub created_by: Option<CreatedBy>,
    /// Goroutine ids, ascending (empty for debug=1 buckets).
    pub ids: Vec<u64>,
    /// As `Group::labels`.
    pub labels: Vec<LabelSet>,
    pub labels_other: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LockKind {
    Mutex,
    RwMutexRead,
    RwMutexWrite,
    /// A semaphore we could not tie to a lock type (WaitGroup, raw semaphore).
    Semaphore,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub goroutine: u64,
    pub state: String,
    pub wait_minutes: Option<u32>,
    /// Higher is more likely; only meaningful for ranking within one lock.
    pub score: f64,
    /// Human-readable reasons, most important first
    /// (e.g. "frame 3 yamux.(*Session).Close receives 0xc8222fd340 = lock − 0xa0").
    pub evidence: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lock {
    /// The lock's base address (semaphore addresses shifted back to the struct), 0 if unknown.
    pub lock: u64,
    pub kind: LockKind,
    /// Waiting goroutine ids, ascending.
    pub waiters: Vec<u64>,
    pub wait_max: Option<u32>,
    /// The frame that took the lock in the waiters (e.g. `yamux.(*Session).Close`).
    pub site: String,
    /// Ranked candidate holders, best first.
    pub candidates: Vec<Candidate>,
    /// Set when addresses are dead (`0x0?`) or missing so that no holder can be inferred.
    pub note: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum WaitNodeKind {
    #[default]
    Goroutine,
    Lock,
    /// The rest of a big convoy's waiters, counted in one node.
    Waiters,
    /// What a holder is parked in when it is not a lock we found (a channel, IO, …).
    Blocked,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum WaitEdgeKind {
    /// goroutine (or waiters) → the lock it waits on
    #[default]
    WaitsOn,
    /// lock → a ranked candidate holder
    HeldBy,
    /// holder → what it is blocked in
    BlockedIn,
}

/// One node of the wait-for graph.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct WaitNode {
    pub kind: WaitNodeKind,
    /// The goroutine (for `Goroutine`, and the holder of a `Blocked` node); 0 otherwise.
    pub goroutine: u64,
    /// The lock's address (`Lock`, `Waiters`); 0 otherwise or when unknown.
    pub lock: u64,
    /// Goroutine: its raw state; lock: the waiters' site; waiters: "N more waiters";
    /// blocked: the state and parking function.
    pub label: String,
    /// Lock: its waiters; waiters: how many; 1 otherwise.
    pub count: u64,
    pub in_cycle: bool,
}

/// One edge of the wait-for graph, with the evidence for it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct WaitEdge {
    /// Indices into `WaitFor::nodes`.
    pub from: u32,
    pub to: u32,
    pub kind: WaitEdgeKind,
    /// For `HeldBy`: the candidate's rank (0 = best); 0 otherwise.
    pub rank: u32,
    /// For `HeldBy`: the candidate's score; 0 otherwise.
    pub score: f64,
    pub evidence: Vec<String>,
    pub in_cycle: bool,
}

/// A cycle of the wait-for graph (waitsOn and best-ranked heldBy edges): a likely deadlock.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct WaitCycle {
    /// Goroutine ids in the cycle, ascending.
    pub goroutines: Vec<u64>,
    /// Lock addresses in the cycle, ascending.
    pub locks: Vec<u64>,
    /// Indices into `WaitFor::edges` of the cycle's edges.
    pub edges: Vec<u32>,
    pub summary: String,
}

/// Who waits on whom: waiters → lock → ranked holder → what the holder waits on, chained.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct WaitFor {
    pub nodes: Vec<WaitNode>,
    pub edges: Vec<WaitEdge>,
    pub cycles: Vec<WaitCycle>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GroupDelta {
    /// Index into `Findings::groups` for groups present now; None for groups that vanished.
    pub group: Option<u32>,
    pub state: String,
    /// The interesting (or leaf) frame's function, to name the group.
    pub function: String,
    pub base: u64,
    pub current: u64,
    pub delta: i64,
}

/// One racing memory access of a race-detector report.
#[derive(Clone, Debug, PartialEq)]
pub struct RaceAccess {
    /// The verb as printed: `Read`, `Write`, `Previous write`, `Previous read`, `Atomic …`.
    pub kind: String,
    /// The accessed address (0 when the report did not print one).
    pub address: u64,
    /// The accessing goroutine; None for the main goroutine.
    pub goroutine: Option<u64>,
    /// Leaf first.
    pub frames: Vec<Frame>,
}

/// `Goroutine N (state) created at:` of a race-detector report.
#[derive(Clone, Debug, PartialEq)]
pub struct RaceCreation {
    pub goroutine: u64,
    /// `running` or `finished`.
    pub state: String,
    /// Where the goroutine was created (the `go` statement first).
    pub frames: Vec<Frame>,
}

/// One `WARNING: DATA RACE` report.
#[derive(Clone, Debug, PartialEq)]
pub struct Race {
    /// 1-based line of `WARNING: DATA RACE` in the input.
    pub line: u64,
    pub accesses: Vec<RaceAccess>,
    pub created: Vec<RaceCreation>,
    /// The report is incomplete (cut); the reason is among the warnings.
    pub truncated: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Findings {
    /// Goroutines in the dump (before filters).
    pub goroutines: u64,
    /// Goroutines that passed the `state`/`match` filters.
    pub matched: u64,
    /// Raw state → count, most first.
    pub states: Vec<StateCount>,
    /// Class → count, in `StateClass` order, only classes present.
    pub classes: Vec<ClassCount>,
    /// Goroutines the runtime proved leaked (after the filters).
    pub leaked: u64,
    /// Those goroutines by creation site and parking frame, most first.
    pub leaks: Vec<Leak>,
    /// Groups sorted by the requested order (count desc by default), cut to `top`.
    pub groups: Vec<Group>,
    /// Groups with wait ≥ min_wait, longest wait first (not cut by `top`).
    pub hung: Vec<Group>,
    /// Locks, most waiters first.
    pub contention: Vec<Lock>,
    /// The wait-for graph of `contention`, with its cycles.
    pub wait_for: WaitFor,
    /// With a base dump: groups that changed, largest growth first.
    pub diff: Option<Vec<GroupDelta>>,
    /// Race-detector reports, in input order (not filtered by `state`/`match`).
    pub races: Vec<Race>,
    pub truncated: bool,
    /// The parser's warnings (`stacks::model::Warning`, the same type).
    pub warnings: Vec<Warning>,
    pub prelude: Option<String>,
    /// The prelude printed `panic: … [recovered]`.
    pub panic_recovered: bool,
    /// The prelude printed `panic: … [recovered, repanicked]`.
    pub panic_repanicked: bool,
}
