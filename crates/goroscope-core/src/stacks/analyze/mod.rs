//! Analyses over a parsed dump: state classes, groups of identical stacks, hung goroutines,
//! lock contention with candidate holders, and the diff of two dumps.
//!
//! | module | job |
//! |---|---|
//! | `findings.rs` | the output types ([`Findings`] and its parts), one per table of `schema/stacks.fbs` |
//! | `classify.rs` | wait reasons (and debug=1 leaf frames) → [`StateClass`]; counts per state and class |
//! | `group.rs` | the `state`/`match`/`label` filters, grouping identical stacks (optionally split by a label), a group's findings form |
//! | `hung.rs` | groups waiting at least `min_wait` minutes |
//! | `leaks.rs` | goroutines the runtime proved leaked, by creation site and parking frame |
//! | `labelsets.rs` | the distinct label sets of a group or leak; the `label` filter |
//! | `contention/` | lock waiters, their locks and candidate holders (five phases, see its doc) |
//! | `waitfor.rs` | the wait-for graph over the contention findings, and its cycles (deadlocks) |
//! | `diff.rs` | groups that grew or shrank since a base dump |
//! | `scalars.rs` | the hex scalars of an argument list, without allocating |

pub mod classify;
mod contention;
mod diff;
mod group;
mod hung;
mod labelsets;
mod leaks;
mod scalars;
mod waitfor;
#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;
pub mod findings;

pub use classify::{class_name, classify_state, explanation};
pub use findings::*;
pub use waitfor::WAITER_NODES;

use regex::Regex;

use super::model::Dump;

/// How alike two stacks must be to share a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Similarity {
    /// Same state, functions, files, lines, pc offsets and argument text.
    Exact,
    /// Same state class, functions, files and lines; arguments and pc offsets ignored.
    #[default]
    Loose,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SortBy {
    #[default]
    Count,
    Wait,
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub similarity: Similarity,
    /// Minutes from which a group counts as hung (default 1).
    pub min_wait: u32,
    /// Keep goroutines whose raw state contains this text, or whose class name equals it
    /// (`lock`, `channel`, `select`, `io`, `syscall`, `sleep`, `running`, `runtime`, `other`).
    pub state: Option<String>,
    /// Keep goroutines with a frame (function or file) matching this.
    pub matcher: Option<Regex>,
    /// Keep goroutines carrying every one of these `key=value` labels.
    pub labels: Vec<(String, String)>,
    /// Split groups by the value of this label (goroutines without it form their own groups).
    /// Without it, labels never split groups of identical stacks.
    pub group_by_label: Option<String>,
    /// Keep the first N groups.
    pub top: Option<usize>,
    pub sort: SortBy,
}

/// Analyse `dump`; with `base`, also report which groups grew since `base`.
///
/// Linear in the size of the dump (hash-based grouping; regexes run once per unique string).
/// `states` and `classes` count every goroutine; `leaks`, `groups`, `hung`, `contention` (its
/// waiters) and `diff` only the goroutines that pass the `state`, `matcher` and `labels` filters. debug=1 buckets
/// get a synthetic state (see `classify`).
pub fn analyze(dump: &Dump, base: Option<&Dump>, opts: &Options) -> Findings {
    let cls = classify::Classified::new(dump);
    let (states, classes) = cls.counts(dump);
    let sel = group::select(dump, &cls, opts.state.as_deref(), opts.matcher.as_ref(), &opts.labels);
    let matched = sel.iter().map(|&i| dump.goroutines[i as usize].count as u64).sum();
    let (leaked, leaks) = leaks::leaks(dump, &cls, &sel);
    let by = opts.group_by_label.as_deref();
    let mut accs = group::group(dump, &cls, &sel, opts.similarity, by);
    group::sort(&mut accs, opts.sort);
    let hung = hung::hung(&accs, opts.min_wait).into_iter().map(|i| group::to_group(dump, &cls, &accs[i], by)).collect();
    let shown = opts.top.map_or(accs.len(), |t| t.min(accs.len()));
    let groups = accs[..shown].iter().map(|a| group::to_group(dump, &cls, a, by)).collect();
    let contention = contention::find(dump, &cls, &sel);
    let wait_for = waitfor::build(dump, &cls, &contention);
    let diff = base.map(|b| diff::diff(dump, &cls, &accs, shown, b, opts));
    Findings {
        goroutines: dump.total(),
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
        races: races(dump),
        truncated: dump.truncated,
        warnings: dump.warnings.clone(),
        prelude: dump.prelude.clone(),
        panic_recovered: dump.panic.recovered,
        panic_repanicked: dump.panic.repanicked,
    }
}

/// The race-detector reports of `dump`, materialised for output.
fn races(dump: &Dump) -> Vec<Race> {
    let frames = |r: &std::ops::Range<u32>| dump.frames_in(r).iter().map(|f| group::frame(dump, f)).collect();
    dump.races
        .iter()
        .map(|r| Race {
            line: r.line,
            accesses: r
                .accesses
                .iter()
                .map(|a| RaceAccess {
                    kind: dump.sym(a.kind).to_string(),
                    address: a.address,
                    goroutine: a.goroutine,
                    frames: frames(&a.frames),
                })
                .collect(),
            created: r
                .created
                .iter()
                .map(|c| RaceCreation {
                    goroutine: c.goroutine,
                    state: dump.sym(c.state).to_string(),
                    frames: frames(&c.frames),
                })
                .collect(),
            truncated: r.truncated,
        })
        .collect()
}
