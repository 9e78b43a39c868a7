//! Conversions between JS shapes and core types: options in, the findings out as one FlatBuffers
//! buffer (root `goroscope.stacks.Findings`, schema/stacks.fbs).
//!
//! Every findings type is written by one [`Table`] impl that destructures it completely, so a
//! field added to the Rust type and not to the schema (or here) does not compile.

use flatbuffers::{FlatBufferBuilder, ForwardsUOffset, Vector, WIPOffset};
use regex::Regex;

use goroscope_core::stacks::analyze::{self as a, Options, Similarity, SortBy};

use crate::stacks_generated::goroscope::stacks as fb;
use crate::StacksOptions;

/// JS options → core options; an invalid value is an error message naming the option.
pub fn options(o: StacksOptions) -> Result<Options, String> {
    let similarity = match o.similarity.as_deref() {
        None | Some("loose") => Similarity::Loose,
        Some("exact") => Similarity::Exact,
        Some(other) => return Err(format!("similarity must be \"loose\" or \"exact\", not {other:?}")),
    };
    let sort = match o.sort.as_deref() {
        None | Some("count") => SortBy::Count,
        Some("wait") => SortBy::Wait,
        Some(other) => return Err(format!("sort must be \"count\" or \"wait\", not {other:?}")),
    };
    let matcher = match o.match_ {
        None => None,
        Some(re) => Some(Regex::new(&re).map_err(|e| format!("match: invalid regular expression: {e}"))?),
    };
    let mut labels = Vec::new();
    for l in o.label.unwrap_or_default() {
        match l.split_once('=') {
            Some((k, v)) if !k.is_empty() => labels.push((k.to_string(), v.to_string())),
            _ => return Err(format!("label must be KEY=VALUE, not {l:?}")),
        }
    }
    Ok(Options {
        labels,
        group_by_label: o.group_by_label.filter(|k| !k.is_empty()),
        similarity,
        min_wait: o.min_wait.unwrap_or(1),
        state: o.state.filter(|s| !s.is_empty()),
        matcher,
        top: o.top.map(|t| t as usize),
        sort,
    })
}

/// Serialise the findings into one FlatBuffers buffer (root `goroscope.stacks.Findings`).
pub fn findings_to_flatbuffer(f: &a::Findings) -> Vec<u8> {
    let mut b = FlatBufferBuilder::with_capacity(64 * 1024);
    let root = f.write(&mut b);
    b.finish(root, None);
    b.finished_data().to_vec()
}

type B<'a> = FlatBufferBuilder<'a>;
type Tables<'a, T> = WIPOffset<Vector<'a, ForwardsUOffset<T>>>;

/// A findings type and the schema table of the same name it is written as.
trait Table {
    type Fb<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>>;
}

/// A vector of tables.
fn tables<'a, T: Table>(b: &mut B<'a>, items: &[T]) -> Tables<'a, T::Fb<'a>> {
    let offsets: Vec<_> = items.iter().map(|x| x.write(b)).collect();
    b.create_vector(&offsets)
}

fn class(c: a::StateClass) -> fb::StateClass {
    match c {
        a::StateClass::Lock => fb::StateClass::Lock,
        a::StateClass::Channel => fb::StateClass::Channel,
        a::StateClass::Select => fb::StateClass::Select,
        a::StateClass::Io => fb::StateClass::Io,
        a::StateClass::Syscall => fb::StateClass::Syscall,
        a::StateClass::Sleep => fb::StateClass::Sleep,
        a::StateClass::Running => fb::StateClass::Running,
        a::StateClass::Runtime => fb::StateClass::Runtime,
        a::StateClass::Other => fb::StateClass::Other,
    }
}

fn lock_kind(k: a::LockKind) -> fb::LockKind {
    match k {
        a::LockKind::Mutex => fb::LockKind::Mutex,
        a::LockKind::RwMutexRead => fb::LockKind::RwMutexRead,
        a::LockKind::RwMutexWrite => fb::LockKind::RwMutexWrite,
        a::LockKind::Semaphore => fb::LockKind::Semaphore,
    }
}

impl Table for a::StateCount {
    type Fb<'a> = fb::StateCount<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::StateCount { state, class: c, count, leaked } = self;
        let args = fb::StateCountArgs {
            state: Some(b.create_shared_string(state)),
            class: class(*c),
            count: *count,
            leaked: *leaked,
        };
        fb::StateCount::create(b, &args)
    }
}

impl Table for a::ClassCount {
    type Fb<'a> = fb::ClassCount<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::ClassCount { class: c, count, explanation } = self;
        let args =
            fb::ClassCountArgs { class: class(*c), count: *count, explanation: Some(b.create_shared_string(explanation)) };
        fb::ClassCount::create(b, &args)
    }
}

impl Table for a::Frame {
    type Fb<'a> = fb::Frame<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::Frame { function, file, line, args } = self;
        let args = fb::FrameArgs {
            function: Some(b.create_shared_string(function)),
            file: Some(b.create_shared_string(file)),
            line: *line,
            args: Some(b.create_string(args)),
        };
        fb::Frame::create(b, &args)
    }
}

impl Table for a::Label {
    type Fb<'a> = fb::Label<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::Label { key, value } = self;
        let args = fb::LabelArgs { key: Some(b.create_shared_string(key)), value: Some(b.create_shared_string(value)) };
        fb::Label::create(b, &args)
    }
}

impl Table for a::LabelSet {
    type Fb<'a> = fb::LabelSet<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::LabelSet { labels, count } = self;
        let args = fb::LabelSetArgs { labels: Some(tables(b, labels)), count: *count };
        fb::LabelSet::create(b, &args)
    }
}

impl Table for a::Leak {
    type Fb<'a> = fb::Leak<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::Leak { count, state, frame, created_by, ids, labels, labels_other } = self;
        let args = fb::LeakArgs {
            count: *count,
            state: Some(b.create_shared_string(state)),
            frame: frame.as_ref().map(|f| f.write(b)),
            created_by: created_by.as_ref().map(|c| c.write(b)),
            ids: Some(b.create_vector(ids)),
            labels: Some(tables(b, labels)),
            labels_other: *labels_other,
        };
        fb::Leak::create(b, &args)
    }
}

impl Table for a::CreatedBy {
    type Fb<'a> = fb::CreatedBy<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::CreatedBy { function, file, line } = self;
        let args = fb::CreatedByArgs {
            function: Some(b.create_shared_string(function)),
            file: Some(b.create_shared_string(file)),
            line: *line,
        };
        fb::CreatedBy::create(b, &args)
    }
}

impl Table for a::Group {
    type Fb<'a> = fb::Group<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::Group {
            count,
            state,
            class: c,
            wait_min,
            wait_max,
            ids,
            frames,
            created_by,
            interesting,
            elided,
            locked_to_thread,
            labels,
            labels_other,
            leaked,
            label_value,
        } = self;
        let frames = tables(b, frames);
        let labels = tables(b, labels);
        let label_value = label_value.as_deref().map(|v| b.create_shared_string(v));
        let created_by = created_by.as_ref().map(|c| c.write(b));
        let ids = b.create_vector(ids);
        let state = b.create_shared_string(state);
        let args = fb::GroupArgs {
            count: *count,
            state: Some(state),
            class: class(*c),
            wait_min: *wait_min,
            wait_max: *wait_max,
            ids: Some(ids),
            frames: Some(frames),
            created_by,
            interesting: *interesting,
            elided: *elided,
            locked_to_thread: *locked_to_thread,
            labels: Some(labels),
            labels_other: *labels_other,
            leaked: *leaked,
            label_value,
        };
        fb::Group::create(b, &args)
    }
}

impl Table for a::Candidate {
    type Fb<'a> = fb::Candidate<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::Candidate { goroutine, state, wait_minutes, score, evidence } = self;
        let evidence: Vec<_> = evidence.iter().map(|e| b.create_string(e)).collect();
        let args = fb::CandidateArgs {
            goroutine: *goroutine,
            state: Some(b.create_shared_string(state)),
            wait_minutes: *wait_minutes,
            score: *score,
            evidence: Some(b.create_vector(&evidence)),
        };
        fb::Candidate::create(b, &args)
    }
}

impl Table for a::Lock {
    type Fb<'a> = fb::Lock<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::Lock { lock, kind, waiters, wait_max, site, candidates, note } = self;
        let candidates = tables(b, candidates);
        let args = fb::LockArgs {
            lock: *lock,
            kind: lock_kind(*kind),
            waiters: Some(b.create_vector(waiters)),
            wait_max: *wait_max,
            site: Some(b.create_shared_string(site)),
            candidates: Some(candidates),
            note: note.as_deref().map(|n| b.create_string(n)),
        };
        fb::Lock::create(b, &args)
    }
}

fn wait_node_kind(k: a::WaitNodeKind) -> fb::WaitNodeKind {
    match k {
        a::WaitNodeKind::Goroutine => fb::WaitNodeKind::Goroutine,
        a::WaitNodeKind::Lock => fb::WaitNodeKind::Lock,
        a::WaitNodeKind::Waiters => fb::WaitNodeKind::Waiters,
        a::WaitNodeKind::Blocked => fb::WaitNodeKind::Blocked,
    }
}

fn wait_edge_kind(k: a::WaitEdgeKind) -> fb::WaitEdgeKind {
    match k {
        a::WaitEdgeKind::WaitsOn => fb::WaitEdgeKind::WaitsOn,
        a::WaitEdgeKind::HeldBy => fb::WaitEdgeKind::HeldBy,
        a::WaitEdgeKind::BlockedIn => fb::WaitEdgeKind::BlockedIn,
    }
}

impl Table for a::WaitNode {
    type Fb<'a> = fb::WaitNode<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::WaitNode { kind, goroutine, lock, label, count, in_cycle } = self;
        let args = fb::WaitNodeArgs {
            kind: wait_node_kind(*kind),
            goroutine: *goroutine,
            lock: *lock,
            label: Some(b.create_shared_string(label)),
            count: *count,
            in_cycle: *in_cycle,
        };
        fb::WaitNode::create(b, &args)
    }
}

impl Table for a::WaitEdge {
    type Fb<'a> = fb::WaitEdge<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::WaitEdge { from, to, kind, rank, score, evidence, in_cycle } = self;
        let evidence: Vec<_> = evidence.iter().map(|e| b.create_shared_string(e)).collect();
        let args = fb::WaitEdgeArgs {
            from: *from,
            to: *to,
            kind: wait_edge_kind(*kind),
            rank: *rank,
            score: *score,
            evidence: Some(b.create_vector(&evidence)),
            in_cycle: *in_cycle,
        };
        fb::WaitEdge::create(b, &args)
    }
}

impl Table for a::WaitCycle {
    type Fb<'a> = fb::WaitCycle<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::WaitCycle { goroutines, locks, edges, summary } = self;
        let args = fb::WaitCycleArgs {
            goroutines: Some(b.create_vector(goroutines)),
            locks: Some(b.create_vector(locks)),
            edges: Some(b.create_vector(edges)),
            summary: Some(b.create_string(summary)),
        };
        fb::WaitCycle::create(b, &args)
    }
}

impl Table for a::WaitFor {
    type Fb<'a> = fb::WaitFor<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::WaitFor { nodes, edges, cycles } = self;
        let args = fb::WaitForArgs {
            nodes: Some(tables(b, nodes)),
            edges: Some(tables(b, edges)),
            cycles: Some(tables(b, cycles)),
        };
        fb::WaitFor::create(b, &args)
    }
}

impl Table for a::GroupDelta {
    type Fb<'a> = fb::GroupDelta<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::GroupDelta { group, state, function, base, current, delta } = self;
        let args = fb::GroupDeltaArgs {
            group: *group,
            state: Some(b.create_shared_string(state)),
            function: Some(b.create_shared_string(function)),
            base: *base,
            current: *current,
            delta: *delta,
        };
        fb::GroupDelta::create(b, &args)
    }
}

impl Table for a::RaceAccess {
    type Fb<'a> = fb::RaceAccess<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::RaceAccess { kind, address, goroutine, frames } = self;
        let args = fb::RaceAccessArgs {
            kind: Some(b.create_shared_string(kind)),
            address: *address,
            goroutine: *goroutine,
            frames: Some(tables(b, frames)),
        };
        fb::RaceAccess::create(b, &args)
    }
}

impl Table for a::RaceCreation {
    type Fb<'a> = fb::RaceCreation<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::RaceCreation { goroutine, state, frames } = self;
        let args = fb::RaceCreationArgs {
            goroutine: *goroutine,
            state: Some(b.create_shared_string(state)),
            frames: Some(tables(b, frames)),
        };
        fb::RaceCreation::create(b, &args)
    }
}

impl Table for a::Race {
    type Fb<'a> = fb::Race<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::Race { line, accesses, created, truncated } = self;
        let accesses = tables(b, accesses);
        let created = tables(b, created);
        let args = fb::RaceArgs { line: *line, accesses: Some(accesses), created: Some(created), truncated: *truncated };
        fb::Race::create(b, &args)
    }
}

impl Table for a::Warning {
    type Fb<'a> = fb::Warning<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::Warning { line, offset, message } = self;
        let args = fb::WarningArgs { line: *line, offset: *offset, message: Some(b.create_string(message)) };
        fb::Warning::create(b, &args)
    }
}

impl Table for a::Findings {
    type Fb<'a> = fb::Findings<'a>;
    fn write<'a>(&self, b: &mut B<'a>) -> WIPOffset<Self::Fb<'a>> {
        let a::Findings {
            goroutines,
            matched,
            leaked,
            leaks,
            states,
            classes,
            groups,
            hung,
            contention,
            wait_for,
            diff,
            races,
            truncated,
            warnings,
            prelude,
            panic_recovered,
            panic_repanicked,
        } = self;
        let args = fb::FindingsArgs {
            goroutines: *goroutines,
            matched: *matched,
            leaked: *leaked,
            leaks: Some(tables(b, leaks)),
            states: Some(tables(b, states)),
            classes: Some(tables(b, classes)),
            groups: Some(tables(b, groups)),
            hung: Some(tables(b, hung)),
            contention: Some(tables(b, contention)),
            wait_for: Some(wait_for.write(b)),
            has_diff: diff.is_some(),
            diff: diff.as_ref().map(|d| tables(b, d)),
            races: Some(tables(b, races)),
            truncated: *truncated,
            warnings: Some(tables(b, warnings)),
            prelude: prelude.as_deref().map(|p| b.create_string(p)),
            panic_recovered: *panic_recovered,
            panic_repanicked: *panic_repanicked,
        };
        fb::Findings::create(b, &args)
    }
}
