//! Label sets of a group or a leak: which distinct sets its goroutines carry, with counts.
//!
//! Sets are compared as printed (their interned key/value ids, in order), so counting is one
//! hash lookup per goroutine and strings are made only for the sets that are output.

use rustc_hash::FxHashMap;

use super::findings::{Label, LabelSet, LABEL_SETS};
use crate::stacks::model::{self, Dump, Goroutine};

/// The sets of many owners (groups, leaks), counted in one map.
pub(crate) struct Counter<'d> {
    dump: &'d Dump,
    /// (owner, set) → index into the owner's list.
    map: FxHashMap<(u32, &'d [model::Label]), usize>,
}

/// One owner's sets: (a goroutine carrying the set, goroutines with it), in first-seen order.
pub(crate) type Sets = Vec<(u32, u64)>;

impl<'d> Counter<'d> {
    pub fn new(dump: &'d Dump) -> Self {
        Counter { dump, map: FxHashMap::default() }
    }

    /// Count goroutine `gi` in the sets of `owner`.
    pub fn add(&mut self, owner: u32, gi: u32, sets: &mut Sets) {
        let g: &Goroutine = &self.dump.goroutines[gi as usize];
        let set = self.dump.labels_of(g);
        let n = g.count as u64;
        match self.map.get(&(owner, set)) {
            Some(&i) => sets[i].1 += n,
            None => {
                self.map.insert((owner, set), sets.len());
                sets.push((gi, n));
            }
        }
    }
}

/// The output form of an owner's sets: most goroutines first, cut to [`LABEL_SETS`], and the
/// goroutines of the sets cut off. Nothing when no goroutine has labels.
pub(crate) fn output(dump: &Dump, sets: &Sets) -> (Vec<LabelSet>, u64) {
    let labelled = |gi: u32| !dump.goroutines[gi as usize].labels.is_empty();
    if !sets.iter().any(|&(gi, _)| labelled(gi)) {
        return (Vec::new(), 0);
    }
    let mut order: Vec<usize> = (0..sets.len()).collect();
    order.sort_by(|&a, &b| sets[b].1.cmp(&sets[a].1));
    let other = order.iter().skip(LABEL_SETS).map(|&i| sets[i].1).sum();
    let shown = order
        .iter()
        .take(LABEL_SETS)
        .map(|&i| {
            let g = &dump.goroutines[sets[i].0 as usize];
            LabelSet { labels: labels(dump, g), count: sets[i].1 }
        })
        .collect();
    (shown, other)
}

/// The labels of `g` as strings.
pub(crate) fn labels(dump: &Dump, g: &Goroutine) -> Vec<Label> {
    dump.labels_of(g)
        .iter()
        .map(|l| Label { key: dump.sym(l.key).to_string(), value: dump.sym(l.value).to_string() })
        .collect()
}

/// `g` carries every `key=value` of `want`.
pub(crate) fn has_all(dump: &Dump, g: &Goroutine, want: &[(String, String)]) -> bool {
    want.iter().all(|(k, v)| dump.label_value(g, k) == Some(v.as_str()))
}
