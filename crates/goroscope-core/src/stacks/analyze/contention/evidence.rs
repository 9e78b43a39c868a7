//! Phases 4–5 of [`find`](super::find): the goroutines whose frames carry a lock's address or
//! one of its containers, and, for locks without any, the goroutines in methods of the waiters'
//! receiver type.

use rustc_hash::FxHashMap;

use super::super::scalars;
use super::waiter::{receiver, Key};
use super::{Hit, Locks, Rel, MAX_HITS, MAX_LOCKS_PER_VALUE, MAX_TYPE_HITS, NONE};
use crate::stacks::model::{Dump, Form};

/// Phase 4: one pass over every goroutine's arguments, looking up the addresses of interest
/// (each lock's address and its containers) in one hash map. A value shared by more than
/// `MAX_LOCKS_PER_VALUE` locks is dropped: it tells them apart from nothing. Frames of
/// `runtime.` functions are skipped: their words are the runtime's, not the program's. A lock's
/// own waiters are no evidence for it.
pub(super) fn address_hits(dump: &Dump, c: &mut Locks) {
    let queries = queries(c);
    if queries.is_empty() {
        return;
    }
    // 0 = unknown, 1 = skip (runtime internals), 2 = scan; per function Sym.
    let mut scan_sym: Vec<u8> = vec![0; dump.symbols.len()];
    for (i, g) in dump.goroutines.iter().enumerate() {
        if g.form != Form::Full {
            continue;
        }
        for (j, f) in dump.frames_of(g).iter().enumerate() {
            let s = &mut scan_sym[f.func as usize];
            if *s == 0 {
                *s = if dump.sym(f.func).starts_with("runtime.") { 1 } else { 2 };
            }
            if *s == 1 || f.args.len == 0 {
                continue;
            }
            scalars::for_each(dump.span(f.args), |s| {
                let Some(qs) = queries.get(&s.value) else { return };
                for &(l, rel) in qs {
                    if c.waiter_of[i] == l {
                        continue;
                    }
                    let hits = &mut c.locks[l as usize].hits;
                    if hits.len() < MAX_HITS {
                        hits.push(Hit {
                            g: i as u32,
                            frame: j as u32,
                            value: s.value,
                            inaccurate: s.inaccurate,
                            rel,
                        });
                    }
                }
            });
        }
    }
}

/// Address → the (lock, relation) pairs it is evidence for.
fn queries(c: &Locks) -> FxHashMap<u64, Vec<(u32, Rel)>> {
    let mut queries: FxHashMap<u64, Vec<(u32, Rel)>> = FxHashMap::default();
    for (l, acc) in c.locks.iter().enumerate().filter(|(_, a)| !a.merged) {
        if let Key::Addr(a) = acc.key {
            queries.entry(a).or_default().push((l as u32, Rel::Exact));
        }
        for (k, ct) in acc.containers.iter().enumerate() {
            queries
                .entry(ct.value)
                .or_default()
                .push((l as u32, Rel::Container(k as u32)));
        }
    }
    queries.retain(|_, v| v.len() <= MAX_LOCKS_PER_VALUE);
    queries
}

/// Per receiver type (shared by the locks whose site is a method of it): the goroutines with a
/// method of that type, as (goroutine, frame): the first frame of each run of such frames.
pub(super) struct TypeHits {
    hits: Vec<Vec<(u32, u32)>>,
    /// Per lock: index into `hits`, or [`NONE`].
    type_of: Vec<u32>,
}

impl TypeHits {
    /// The type-level hits of lock `l` (empty when it has address evidence or no receiver type).
    pub fn of(&self, l: usize) -> &[(u32, u32)] {
        match self.type_of[l] {
            NONE => &[],
            t => &self.hits[t as usize],
        }
    }
}

/// Phase 5: the type-level fallback for locks without any address evidence, in one pass over
/// every goroutine, with the receiver type of each unique function computed once. At most
/// `MAX_TYPE_HITS` goroutines per type.
pub(super) fn type_hits(dump: &Dump, c: &Locks) -> TypeHits {
    let mut by_type: FxHashMap<(&str, &str), Vec<u32>> = FxHashMap::default();
    for (l, acc) in c.locks.iter().enumerate() {
        if acc.hits.is_empty() && !acc.merged {
            if let Some(rt) = acc.site.and_then(|s| receiver(dump.sym(s))) {
                by_type.entry(rt).or_default().push(l as u32);
            }
        }
    }
    let entries: Vec<(&(&str, &str), &Vec<u32>)> = by_type.iter().collect();
    let mut out = TypeHits { hits: vec![Vec::new(); entries.len()], type_of: vec![NONE; c.locks.len()] };
    if entries.is_empty() {
        return out;
    }
    let index: FxHashMap<(&str, &str), u32> = entries.iter().enumerate().map(|(n, (k, _))| (**k, n as u32)).collect();
    for (n, (_, ls)) in entries.iter().enumerate() {
        for &l in ls.iter() {
            out.type_of[l as usize] = n as u32;
        }
    }
    // Per function Sym: NONE = not computed, NONE-1 = no lock's type, else index in `entries`.
    let mut sym_type: Vec<u32> = vec![NONE; dump.symbols.len()];
    for (i, g) in dump.goroutines.iter().enumerate() {
        if g.form != Form::Full {
            continue;
        }
        let mut done: Option<u32> = None;
        for (j, f) in dump.frames_of(g).iter().enumerate() {
            let t = &mut sym_type[f.func as usize];
            if *t == NONE {
                *t = receiver(dump.sym(f.func))
                    .and_then(|r| index.get(&r).copied())
                    .unwrap_or(NONE - 1);
            }
            if *t == NONE - 1 || done == Some(*t) {
                continue;
            }
            done = Some(*t);
            let list = &mut out.hits[*t as usize];
            if list.len() < MAX_TYPE_HITS {
                list.push((i as u32, j as u32));
            }
        }
    }
    out
}
