//! Phases 1–3 of [`find`](super::find): who waits on which lock, the containers of each lock,
//! and the waiters whose lock is known only through its container.

use rustc_hash::FxHashMap;

use super::super::classify::Classified;
use super::super::findings::StateClass;
use super::super::scalars;
use super::waiter::{waiter, Key};
use super::{kind_index, Container, LockAcc, Locks, CONTAINER_WAITERS, MAX_CONTAINERS, MAX_K, NONE};
use crate::stacks::model::{Dump, Form};

/// Phase 1: the lock waiters among the selected goroutines, grouped by what identifies their
/// lock, with the counts a lock reports (kinds, longest wait, sites). None when there is none.
///
/// Only goroutines in the `Lock` class of a full dump are waiters: debug=1 buckets have no
/// arguments, so no address to group by.
pub(super) fn waiters(dump: &Dump, cls: &Classified, sel: &[u32]) -> Option<Locks> {
    let gs = &dump.goroutines;
    let mut c = Locks { locks: Vec::new(), waiter_of: Vec::new(), waiters: Vec::new() };
    let mut by_key: FxHashMap<Key, u32> = FxHashMap::default();
    for &gi in sel {
        let i = gi as usize;
        let g = &gs[i];
        if cls.class[i] != StateClass::Lock || g.form != Form::Full {
            continue;
        }
        let Some(w) = waiter(dump, g, cls.state_text(dump, cls.state[i])) else {
            continue;
        };
        let locks = &mut c.locks;
        let l = *by_key.entry(w.key).or_insert_with(|| {
            locks.push(LockAcc::new(w.key));
            (locks.len() - 1) as u32
        });
        let acc = &mut c.locks[l as usize];
        acc.waiters.push(gi);
        acc.kinds[kind_index(w.kind)] += 1;
        if let Some(m) = g.wait_minutes {
            acc.wait_max = Some(acc.wait_max.map_or(m, |x| x.max(m)));
        }
        acc.inaccurate &= w.inaccurate;
        if let Some(s) = w.site {
            *acc.sites.entry(dump.frames_of(g)[s].func).or_insert(0) += 1;
        }
        if let (Key::Recv(v), true, Some(s)) = (w.key, acc.containers.is_empty(), w.site) {
            // The receiver is the lock's only known container.
            acc.containers.push(Container {
                value: v,
                k: None,
                inaccurate: false,
                waiter: gi,
                frame: s as u32,
            });
        }
        if c.waiter_of.is_empty() {
            c.waiter_of = vec![NONE; gs.len()];
        }
        c.waiter_of[i] = l;
        c.waiters.push((gi, w));
    }
    (!c.locks.is_empty()).then_some(c)
}

/// Phase 2: containers of each lock with a known address — values just below the lock
/// (`lock − k`, `k ≤ MAX_K`) in its waiters' own frames above the lock frames. The waiter passed
/// the struct that holds the lock, so the holder may well have passed it too. Exact values
/// replace `?` ones; at most `MAX_CONTAINERS` per lock, from its first `CONTAINER_WAITERS`.
pub(super) fn containers(dump: &Dump, c: &mut Locks) {
    let gs = &dump.goroutines;
    let mut seen: Vec<u32> = vec![0; c.locks.len()];
    for (gi, w) in &c.waiters {
        let l = c.waiter_of[*gi as usize] as usize;
        let acc = &mut c.locks[l];
        let Key::Addr(lock) = acc.key else { continue };
        seen[l] += 1;
        if seen[l] as usize > CONTAINER_WAITERS {
            continue;
        }
        for (j, f) in dump
            .frames_of(&gs[*gi as usize])
            .iter()
            .enumerate()
            .skip(w.lock_end + 1)
        {
            scalars::for_each(dump.span(f.args), |s| {
                if s.value < lock && lock - s.value <= MAX_K {
                    let found = Container {
                        value: s.value,
                        k: Some(lock - s.value),
                        inaccurate: s.inaccurate,
                        waiter: *gi,
                        frame: j as u32,
                    };
                    match acc.containers.iter().position(|c| c.value == s.value) {
                        Some(k) if acc.containers[k].inaccurate && !s.inaccurate => acc.containers[k] = found,
                        Some(_) => {}
                        None if acc.containers.len() < MAX_CONTAINERS => acc.containers.push(found),
                        None => {}
                    }
                }
            });
        }
    }
}

/// Phase 3: waiters known only by their receiver join the one lock whose waiters saw that
/// receiver as an exact container (e.g. RLock waiters with dead args and a writer whose lockSlow
/// still shows the address). The joined lock is left empty and marked `merged`.
pub(super) fn join_receivers(c: &mut Locks) {
    let locks = &mut c.locks;
    let mut by_container: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
    for (l, acc) in locks.iter().enumerate() {
        if let Key::Addr(_) = acc.key {
            for ct in acc.containers.iter().filter(|c| !c.inaccurate) {
                by_container.entry(ct.value).or_default().push(l as u32);
            }
        }
    }
    for r in 0..locks.len() {
        let Key::Recv(v) = locks[r].key else { continue };
        let Some([l]) = by_container.get(&v).map(|v| v.as_slice()) else {
            continue;
        };
        let l = *l as usize;
        let src = std::mem::replace(&mut locks[r], LockAcc::new(Key::Recv(v)));
        locks[r].merged = true;
        let dst = &mut locks[l];
        for &g in &src.waiters {
            c.waiter_of[g as usize] = l as u32;
        }
        dst.joined += src.waiters.len() as u64;
        dst.waiters.extend(src.waiters);
        for k in 0..4 {
            dst.kinds[k] += src.kinds[k];
        }
        dst.wait_max = dst.wait_max.max(src.wait_max);
        for (s, n) in src.sites {
            *dst.sites.entry(s).or_insert(0) += n;
        }
    }
}

/// Each lock's site: the function most of its waiters took it in (ties: the first interned).
pub(super) fn choose_sites(c: &mut Locks) {
    for acc in &mut c.locks {
        acc.site = acc
            .sites
            .iter()
            .max_by_key(|(s, n)| (**n, std::cmp::Reverse(**s)))
            .map(|(s, _)| *s);
    }
}
