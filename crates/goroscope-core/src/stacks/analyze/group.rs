//! Groups of goroutines sharing a state and a stack (hash-based, one pass), the `state` and
//! `match` filters that choose what is grouped, and the conversion of a group to its findings form.

use std::hash::Hasher;

use regex::Regex;
use rustc_hash::{FxHashMap, FxHasher};

use super::classify::{class_name, is_runtime_func, Classified, StateId};
use super::findings::{CreatedBy, Frame, Group, StateClass};
use super::labelsets::{self, Counter, Sets};
use super::{Similarity, SortBy};
use crate::stacks::model::{self, Dump, Elision, Form, Goroutine, Sym};

/// Indices of the goroutines that pass the `state`, `match` and `label` filters.
pub(crate) fn select(
    dump: &Dump,
    cls: &Classified,
    state: Option<&str>,
    matcher: Option<&Regex>,
    labels: &[(String, String)],
) -> Vec<u32> {
    let needle = state.map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
    let mut state_ok: FxHashMap<StateId, bool> = FxHashMap::default();
    // 0 = not yet matched, 1 = no, 2 = yes; indexed by Sym, so every unique function/file is
    // matched against the regex once.
    let mut sym_ok: Vec<u8> = if matcher.is_some() {
        vec![0; dump.symbols.len()]
    } else {
        Vec::new()
    };
    let mut out = Vec::with_capacity(dump.goroutines.len());
    for (i, g) in dump.goroutines.iter().enumerate() {
        if let Some(n) = &needle {
            let ok = *state_ok.entry(cls.state[i]).or_insert_with(|| {
                class_name(cls.class[i]) == n || cls.state_text(dump, cls.state[i]).to_lowercase().contains(n.as_str())
            });
            if !ok {
                continue;
            }
        }
        if let Some(re) = matcher {
            let mut hit = |s: Sym| {
                let c = &mut sym_ok[s as usize];
                if *c == 0 {
                    *c = if re.is_match(dump.sym(s)) { 2 } else { 1 };
                }
                *c == 2
            };
            if !dump.frames_of(g).iter().any(|f| hit(f.func) || hit(f.file)) {
                continue;
            }
        }
        if !labels.is_empty() && !labelsets::has_all(dump, g, labels) {
            continue;
        }
        out.push(i as u32);
    }
    out
}

/// A group while being built: indices into the dump, no strings yet.
#[derive(Clone, Debug)]
pub(crate) struct Acc {
    /// Index of the representative (first) goroutine.
    pub rep: u32,
    pub state: StateId,
    pub class: StateClass,
    pub count: u64,
    pub wait_min: Option<u32>,
    pub wait_max: Option<u32>,
    /// Ascending after `group` returns.
    pub ids: Vec<u64>,
    pub locked: bool,
    pub leaked: u64,
    /// The label sets of the goroutines.
    pub sets: Sets,
}

impl Acc {
    /// Sort key for ties: the smallest id, or (debug=1) dump order.
    fn first(&self) -> (u64, u32) {
        (self.ids.first().copied().unwrap_or(u64::MAX), self.rep)
    }
}

fn hash_key(dump: &Dump, cls: &Classified, i: usize, sim: Similarity, by: Option<&str>) -> u64 {
    let g = &dump.goroutines[i];
    let mut h = FxHasher::default();
    if let Some(k) = by {
        match dump.label_value(g, k) {
            Some(v) => {
                h.write_u8(1);
                h.write(v.as_bytes());
            }
            None => h.write_u8(0),
        }
    }
    match sim {
        Similarity::Exact => h.write_u32(cls.state[i]),
        Similarity::Loose => h.write_u8(cls.class[i] as u8),
    }
    let frames = dump.frames_of(g);
    h.write_usize(frames.len());
    for f in frames {
        h.write_u32(f.func);
        h.write_u32(f.file);
        h.write_u32(f.line);
        if sim == Similarity::Exact {
            h.write_u32(f.pc_offset.map_or(u32::MAX, |o| o));
            h.write(dump.span(f.args));
            h.write_u8(0xff);
        }
    }
    h.finish()
}

fn same_frame(dump: &Dump, a: &model::Frame, b: &model::Frame, sim: Similarity) -> bool {
    a.func == b.func
        && a.file == b.file
        && a.line == b.line
        && (sim == Similarity::Loose || (a.pc_offset == b.pc_offset && dump.span(a.args) == dump.span(b.args)))
}

fn same_key(dump: &Dump, cls: &Classified, i: usize, j: usize, sim: Similarity, by: Option<&str>) -> bool {
    if let Some(k) = by {
        if dump.label_value(&dump.goroutines[i], k) != dump.label_value(&dump.goroutines[j], k) {
            return false;
        }
    }
    let same_state = match sim {
        Similarity::Exact => cls.state[i] == cls.state[j],
        Similarity::Loose => cls.class[i] == cls.class[j],
    };
    if !same_state {
        return false;
    }
    let (a, b) = (dump.frames_of(&dump.goroutines[i]), dump.frames_of(&dump.goroutines[j]));
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_frame(dump, x, y, sim))
}

/// Group the selected goroutines (in one pass; equal keys are confirmed frame by frame). With
/// `by`, goroutines with different values of that label (or without it) are kept apart.
pub(crate) fn group(dump: &Dump, cls: &Classified, sel: &[u32], sim: Similarity, by: Option<&str>) -> Vec<Acc> {
    let mut counter = Counter::new(dump);
    let mut heads: FxHashMap<u64, u32> = FxHashMap::default();
    let mut next: Vec<u32> = Vec::new(); // chain of groups sharing a hash
    let mut accs: Vec<Acc> = Vec::new();
    for &gi in sel {
        let i = gi as usize;
        let g = &dump.goroutines[i];
        let h = hash_key(dump, cls, i, sim, by);
        let mut slot = heads.get(&h).copied();
        let mut found = None;
        while let Some(a) = slot {
            if same_key(dump, cls, accs[a as usize].rep as usize, i, sim, by) {
                found = Some(a);
                break;
            }
            slot = Some(next[a as usize]).filter(|&n| n != u32::MAX);
        }
        let a = match found {
            Some(a) => a as usize,
            None => {
                let a = accs.len();
                next.push(heads.insert(h, a as u32).unwrap_or(u32::MAX));
                accs.push(Acc {
                    rep: gi,
                    state: cls.state[i],
                    class: cls.class[i],
                    count: 0,
                    wait_min: None,
                    wait_max: None,
                    ids: Vec::new(),
                    locked: false,
                    leaked: 0,
                    sets: Vec::new(),
                });
                a
            }
        };
        let acc = &mut accs[a];
        acc.count += g.count as u64;
        if let Some(w) = g.wait_minutes {
            acc.wait_min = Some(acc.wait_min.map_or(w, |m| m.min(w)));
            acc.wait_max = Some(acc.wait_max.map_or(w, |m| m.max(w)));
        }
        if g.form == Form::Full {
            acc.ids.push(g.id);
        }
        acc.locked |= g.locked_to_thread;
        if g.leaked {
            acc.leaked += g.count as u64;
        }
        counter.add(a as u32, gi, &mut acc.sets);
    }
    for acc in &mut accs {
        acc.ids.sort_unstable();
    }
    accs
}

/// Sort groups in the requested order.
pub(crate) fn sort(accs: &mut [Acc], by: SortBy) {
    match by {
        SortBy::Count => accs.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(b.wait_max.cmp(&a.wait_max))
                .then(a.first().cmp(&b.first()))
        }),
        SortBy::Wait => accs.sort_by(|a, b| {
            b.wait_max
                .cmp(&a.wait_max)
                .then(b.count.cmp(&a.count))
                .then(a.first().cmp(&b.first()))
        }),
    }
}

/// Index of the first frame outside `runtime`, `sync` and `internal/`.
pub(crate) fn interesting(dump: &Dump, frames: &[model::Frame]) -> Option<usize> {
    frames.iter().position(|f| !is_runtime_func(dump.sym(f.func)))
}

/// The output form of a frame (strings instead of symbols).
pub(crate) fn frame(dump: &Dump, f: &model::Frame) -> Frame {
    Frame {
        function: dump.sym(f.func).to_string(),
        file: dump.sym(f.file).to_string(),
        line: f.line,
        args: String::from_utf8_lossy(dump.span(f.args)).into_owned(),
    }
}

/// The findings form of a group (strings are materialised here, only for groups that are output).
pub(crate) fn to_group(dump: &Dump, cls: &Classified, acc: &Acc, by: Option<&str>) -> Group {
    let g: &Goroutine = &dump.goroutines[acc.rep as usize];
    let frames = dump.frames_of(g);
    let (labels, labels_other) = labelsets::output(dump, &acc.sets);
    Group {
        count: acc.count,
        state: cls.state_text(dump, acc.state).to_string(),
        class: acc.class,
        wait_min: acc.wait_min,
        wait_max: acc.wait_max,
        ids: acc.ids.clone(),
        frames: frames.iter().map(|f| frame(dump, f)).collect(),
        created_by: g.created_by.map(|c| CreatedBy {
            function: dump.sym(c.func).to_string(),
            file: dump.sym(c.file).to_string(),
            line: c.line,
        }),
        interesting: interesting(dump, frames).map(|i| i as u32),
        elided: g.elided != Elision::None,
        locked_to_thread: acc.locked,
        labels,
        labels_other,
        leaked: acc.leaked,
        label_value: by.and_then(|k| dump.label_value(g, k)).map(str::to_string),
    }
}
