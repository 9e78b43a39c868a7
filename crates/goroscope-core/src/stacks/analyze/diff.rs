//! Diff of two dumps: groups of both are matched by their stack spelled as strings (symbol ids
//! differ between dumps) and their state class, and the change in goroutine count is reported.
//!
//! The key is the loose one (function, file, line per frame) whatever the analysis's similarity:
//! exact groups of the current dump that share a loose key are added up. Leading `runtime.`
//! frames are left out of the key, and when either dump has debug=1 buckets (no states) the
//! class is left out too, so a debug=1 dump can be compared with a debug=2 one.

use rustc_hash::FxHashMap;

use super::classify::Classified;
use super::group::{self, Acc};
use super::findings::{GroupDelta, StateClass};
use super::{Options, Similarity};
use crate::stacks::model::{Dump, Form};

type Key<'a> = (Option<StateClass>, Vec<(&'a str, &'a str, u32)>);

fn key<'a>(dump: &'a Dump, acc: &Acc, with_class: bool) -> Key<'a> {
    let frames = dump.frames_of(&dump.goroutines[acc.rep as usize]);
    let skip = frames
        .iter()
        .take_while(|f| dump.sym(f.func).starts_with("runtime."))
        .count();
    let skip = if skip == frames.len() { 0 } else { skip };
    (
        with_class.then_some(acc.class),
        frames[skip..]
            .iter()
            .map(|f| (dump.sym(f.func), dump.sym(f.file), f.line))
            .collect(),
    )
}

/// The function naming a group: its interesting frame, else its leaf.
fn name(dump: &Dump, acc: &Acc) -> String {
    let frames = dump.frames_of(&dump.goroutines[acc.rep as usize]);
    group::interesting(dump, frames)
        .or(if frames.is_empty() { None } else { Some(0) })
        .map_or(String::new(), |i| dump.sym(frames[i].func).to_string())
}

struct Entry {
    base: u64,
    current: u64,
    /// First (best-ranked) current group with this key, as an index into `accs`.
    group: Option<usize>,
    /// Where to take the state and name from when the group vanished.
    base_acc: Option<usize>,
}

/// Deltas of `dump` (grouped as `accs`, of which the first `shown` are in the findings) against
/// `base`, grown first; groups whose count did not change are left out.
pub(crate) fn diff(
    dump: &Dump,
    cls: &Classified,
    accs: &[Acc],
    shown: usize,
    base: &Dump,
    opts: &Options,
) -> Vec<GroupDelta> {
    let bcls = Classified::new(base);
    let bsel = group::select(base, &bcls, opts.state.as_deref(), opts.matcher.as_ref(), &opts.labels);
    let baccs = group::group(base, &bcls, &bsel, Similarity::Loose, None);
    let has_agg = |d: &Dump| d.goroutines.iter().any(|g| g.form == Form::Aggregated);
    let with_class = !has_agg(dump) && !has_agg(base);

    let mut map: FxHashMap<Key, Entry> = FxHashMap::default();
    for (i, a) in accs.iter().enumerate() {
        let e = map.entry(key(dump, a, with_class)).or_insert(Entry {
            base: 0,
            current: 0,
            group: None,
            base_acc: None,
        });
        e.current += a.count;
        e.group.get_or_insert(i);
    }
    for (i, a) in baccs.iter().enumerate() {
        let e = map.entry(key(base, a, with_class)).or_insert(Entry {
            base: 0,
            current: 0,
            group: None,
            base_acc: None,
        });
        e.base += a.count;
        e.base_acc.get_or_insert(i);
    }
    let mut out: Vec<GroupDelta> = map
        .into_values()
        .filter(|e| e.base != e.current)
        .map(|e| {
            let (state, function) = match (e.group, e.base_acc) {
                (Some(g), _) => (cls.state_text(dump, accs[g].state).to_string(), name(dump, &accs[g])),
                (None, Some(b)) => (bcls.state_text(base, baccs[b].state).to_string(), name(base, &baccs[b])),
                (None, None) => unreachable!("every entry comes from a group"),
            };
            GroupDelta {
                group: e.group.filter(|&g| g < shown).map(|g| g as u32),
                state,
                function,
                base: e.base,
                current: e.current,
                delta: e.current as i64 - e.base as i64,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.delta
            .cmp(&a.delta)
            .then(b.current.cmp(&a.current))
            .then_with(|| a.function.cmp(&b.function))
    });
    out
}
