//! Goroutines the runtime proved leaked (` (leaked)`, the Go ≥1.26 `goroutineleak` profile):
//! grouped by creation site and parking frame, the section that leads every report.
//!
//! This is the strongest signal a dump can carry: the GC found no reference through which the
//! goroutine could ever be woken. No heuristic is involved; the groups only say where.

use rustc_hash::FxHashMap;

use super::classify::Classified;
use super::findings::{CreatedBy, Leak};
use super::group::{frame, interesting};
use super::labelsets::{self, Counter, Sets};
use crate::stacks::model::{Dump, Sym};

/// (created by: function, file, line), (parking frame: function, file, line).
type Key = (Option<(Sym, Sym, u32)>, Option<(Sym, Sym, u32)>);

/// The leaked goroutines among `sel`, by creation site and parking frame, most first (ties in
/// dump order), and how many there are.
pub(crate) fn leaks(dump: &Dump, cls: &Classified, sel: &[u32]) -> (u64, Vec<Leak>) {
    struct Acc {
        rep: u32,
        count: u64,
        ids: Vec<u64>,
        sets: Sets,
    }
    let mut index: FxHashMap<Key, usize> = FxHashMap::default();
    let mut accs: Vec<Acc> = Vec::new();
    let mut counter = Counter::new(dump);
    let mut total = 0;
    for &gi in sel {
        let g = &dump.goroutines[gi as usize];
        if !g.leaked {
            continue;
        }
        let frames = dump.frames_of(g);
        let park = interesting(dump, frames).or((!frames.is_empty()).then_some(0)).map(|i| &frames[i]);
        let key: Key = (g.created_by.map(|c| (c.func, c.file, c.line)), park.map(|f| (f.func, f.file, f.line)));
        let a = *index.entry(key).or_insert_with(|| {
            accs.push(Acc { rep: gi, count: 0, ids: Vec::new(), sets: Vec::new() });
            accs.len() - 1
        });
        let acc = &mut accs[a];
        acc.count += g.count as u64;
        total += g.count as u64;
        if g.id != 0 {
            acc.ids.push(g.id);
        }
        counter.add(a as u32, gi, &mut acc.sets);
    }
    let mut out: Vec<Leak> = accs
        .into_iter()
        .map(|mut a| {
            let g = &dump.goroutines[a.rep as usize];
            let frames = dump.frames_of(g);
            let park = interesting(dump, frames).or((!frames.is_empty()).then_some(0));
            a.ids.sort_unstable();
            let (labels, labels_other) = labelsets::output(dump, &a.sets);
            Leak {
                count: a.count,
                state: cls.state_text(dump, cls.state[a.rep as usize]).to_string(),
                frame: park.map(|i| frame(dump, &frames[i])),
                created_by: g.created_by.map(|c| CreatedBy {
                    function: dump.sym(c.func).to_string(),
                    file: dump.sym(c.file).to_string(),
                    line: c.line,
                }),
                ids: a.ids,
                labels,
                labels_other,
            }
        })
        .collect();
    out.sort_by_key(|l| std::cmp::Reverse(l.count));
    (total, out)
}
