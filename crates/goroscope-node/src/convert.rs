//! Conversions between JS shapes and core types: options in, a FlatBuffers report out.

use flatbuffers::{FlatBufferBuilder, WIPOffset};
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
    Ok(Options {
        similarity,
        min_wait: o.min_wait.unwrap_or(1),
        state: o.state.filter(|s| !s.is_empty()),
        matcher,
        top: o.top.map(|t| t as usize),
        sort,
    })
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

type B<'a> = FlatBufferBuilder<'a>;

type Frames<'a> = WIPOffset<flatbuffers::Vector<'a, flatbuffers::ForwardsUOffset<fb::Frame<'a>>>>;

fn frames<'a>(b: &mut B<'a>, frames: &[a::FrameOut]) -> Frames<'a> {
    let frames: Vec<_> = frames
        .iter()
        .map(|f| {
            let args = fb::FrameArgs {
                function: Some(b.create_shared_string(&f.function)),
                file: Some(b.create_shared_string(&f.file)),
                line: f.line,
                args: Some(b.create_string(&f.args)),
            };
            fb::Frame::create(b, &args)
        })
        .collect();
    b.create_vector(&frames)
}

fn group<'a>(b: &mut B<'a>, g: &a::Group) -> WIPOffset<fb::Group<'a>> {
    let frames = frames(b, &g.frames);
    let created_by = g.created_by.as_ref().map(|c| {
        let args = fb::CreatedByArgs {
            function: Some(b.create_shared_string(&c.function)),
            file: Some(b.create_shared_string(&c.file)),
            line: c.line,
        };
        fb::CreatedBy::create(b, &args)
    });
    let ids = b.create_vector(&g.ids);
    let state = b.create_shared_string(&g.state);
    fb::Group::create(
        b,
        &fb::GroupArgs {
            count: g.count,
            state: Some(state),
            class: class(g.class),
            wait_min: g.wait_min,
            wait_max: g.wait_max,
            ids: Some(ids),
            frames: Some(frames),
            created_by,
            interesting: g.interesting,
            elided: g.elided,
            locked_to_thread: g.locked_to_thread,
        },
    )
}

fn lock<'a>(b: &mut B<'a>, l: &a::Lock) -> WIPOffset<fb::Lock<'a>> {
    let candidates: Vec<_> = l
        .candidates
        .iter()
        .map(|c| {
            let evidence: Vec<_> = c.evidence.iter().map(|e| b.create_string(e)).collect();
            let args = fb::CandidateArgs {
                goroutine: c.goroutine,
                state: Some(b.create_shared_string(&c.state)),
                wait_minutes: c.wait_minutes,
                score: c.score,
                evidence: Some(b.create_vector(&evidence)),
            };
            fb::Candidate::create(b, &args)
        })
        .collect();
    let args = fb::LockArgs {
        lock: l.lock,
        kind: lock_kind(l.kind),
        waiters: Some(b.create_vector(&l.waiters)),
        wait_max: l.wait_max,
        site: Some(b.create_shared_string(&l.site)),
        candidates: Some(b.create_vector(&candidates)),
        note: l.note.as_deref().map(|n| b.create_string(n)),
    };
    fb::Lock::create(b, &args)
}

fn race<'a>(b: &mut B<'a>, r: &a::RaceOut) -> WIPOffset<fb::Race<'a>> {
    let accesses: Vec<_> = r
        .accesses
        .iter()
        .map(|x| {
            let args = fb::RaceAccessArgs {
                kind: Some(b.create_shared_string(&x.kind)),
                address: x.address,
                goroutine: x.goroutine,
                frames: Some(frames(b, &x.frames)),
            };
            fb::RaceAccess::create(b, &args)
        })
        .collect();
    let accesses = b.create_vector(&accesses);
    let created: Vec<_> = r
        .created
        .iter()
        .map(|c| {
            let args = fb::RaceCreationArgs {
                goroutine: c.goroutine,
                state: Some(b.create_shared_string(&c.state)),
                frames: Some(frames(b, &c.frames)),
            };
            fb::RaceCreation::create(b, &args)
        })
        .collect();
    let created = b.create_vector(&created);
    fb::Race::create(
        b,
        &fb::RaceArgs { line: r.line, accesses: Some(accesses), created: Some(created), truncated: r.truncated },
    )
}

/// Serialise a report into one FlatBuffers buffer (root `goroscope.stacks.Report`).
pub fn report_to_flatbuffer(r: &a::Report) -> Vec<u8> {
    let mut b = FlatBufferBuilder::with_capacity(64 * 1024);
    let states: Vec<_> = r
        .states
        .iter()
        .map(|s| {
            let args = fb::StateCountArgs {
                state: Some(b.create_shared_string(&s.state)),
                class: class(s.class),
                count: s.count,
            };
            fb::StateCount::create(&mut b, &args)
        })
        .collect();
    let states = b.create_vector(&states);
    let classes: Vec<_> = r
        .classes
        .iter()
        .map(|c| {
            let args = fb::ClassCountArgs {
                class: class(c.class),
                count: c.count,
                explanation: Some(b.create_shared_string(c.explanation)),
            };
            fb::ClassCount::create(&mut b, &args)
        })
        .collect();
    let classes = b.create_vector(&classes);
    let groups: Vec<_> = r.groups.iter().map(|g| group(&mut b, g)).collect();
    let groups = b.create_vector(&groups);
    let hung: Vec<_> = r.hung.iter().map(|g| group(&mut b, g)).collect();
    let hung = b.create_vector(&hung);
    let contention: Vec<_> = r.contention.iter().map(|l| lock(&mut b, l)).collect();
    let contention = b.create_vector(&contention);
    let diff = r.diff.as_ref().map(|d| {
        let rows: Vec<_> = d
            .iter()
            .map(|x| {
                let args = fb::GroupDeltaArgs {
                    group: x.group,
                    state: Some(b.create_shared_string(&x.state)),
                    function: Some(b.create_shared_string(&x.function)),
                    base: x.base,
                    current: x.current,
                    delta: x.delta,
                };
                fb::GroupDelta::create(&mut b, &args)
            })
            .collect();
        b.create_vector(&rows)
    });
    let warnings: Vec<_> = r
        .warnings
        .iter()
        .map(|w| {
            let args = fb::WarningArgs { line: w.line, offset: w.offset, message: Some(b.create_string(&w.message)) };
            fb::Warning::create(&mut b, &args)
        })
        .collect();
    let warnings = b.create_vector(&warnings);
    let prelude = r.prelude.as_deref().map(|p| b.create_string(p));
    let races: Vec<_> = r.races.iter().map(|x| race(&mut b, x)).collect();
    let races = b.create_vector(&races);
    let root = fb::Report::create(
        &mut b,
        &fb::ReportArgs {
            goroutines: r.goroutines,
            matched: r.matched,
            states: Some(states),
            classes: Some(classes),
            groups: Some(groups),
            hung: Some(hung),
            contention: Some(contention),
            has_diff: diff.is_some(),
            diff,
            truncated: r.truncated,
            warnings: Some(warnings),
            prelude,
            races: Some(races),
        },
    );
    b.finish(root, None);
    b.finished_data().to_vec()
}
