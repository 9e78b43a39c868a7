//! Lock contention: waiters grouped by the lock they wait on (its base address, recovered from
//! their lock frames) with candidate holders ranked by circumstantial evidence, as in §4 of
//! `stacks.md`: the lock address or a containing struct's address in another goroutine's frames,
//! its receiver type, its state and its wait.
//!
//! Linear: one pass over the waiters, one pass over every goroutine's arguments looking values
//! up in a hash map of the (few) addresses of interest, one pass for the type-level fallback.

use rustc_hash::FxHashMap;

use super::classify::{is_runtime_func, Classified};
use super::report::{Candidate, Lock, LockKind, StateClass};
use super::scalars::{self, Scalar};
use crate::stacks::model::{Dump, Form, Frame, Goroutine, Sym};

/// How far below the lock a containing struct may start (`lock − k`, `0 < k ≤ MAX_K`).
const MAX_K: u64 = 4096;
/// Candidates kept per lock.
const TOP: usize = 5;
/// Waiters per lock whose frames are searched for container addresses.
const CONTAINER_WAITERS: usize = 1000;
/// Container addresses kept per lock.
const MAX_CONTAINERS: usize = 16;
/// Evidence hits kept per lock (a pointer shared by the whole process is no evidence anyway).
const MAX_HITS: usize = 50_000;
/// Goroutines kept per receiver type for the type-level fallback.
const MAX_TYPE_HITS: usize = 4096;
/// An address that is a container of more locks than this tells them apart from nothing.
const MAX_LOCKS_PER_VALUE: usize = 64;
const NONE: u32 = u32::MAX;

/// A frame that takes part in locking, by its function (with `internal/` stripped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LockFrame {
    /// `runtime_SemacquireMutex(sema)`: Mutex (+4), or RWMutex readerSem/writerSem before Go 1.20.
    SemaMutex,
    /// `runtime_SemacquireRWMutexR(&rw.readerSem)`: +12.
    SemaRwR,
    /// `runtime_SemacquireRWMutex(&rw.writerSem)`: +8.
    SemaRw,
    /// `runtime_Semacquire(sema)` (old Mutex, WaitGroup) or `runtime.semacquire1`.
    Sema,
    SemaWaitGroup,
    MutexLock,
    MutexLockSlow,
    RwRLock,
    RwLock,
    WaitGroupWait,
    Cond,
}

impl LockFrame {
    fn of(name: &str) -> Option<LockFrame> {
        use LockFrame::*;
        Some(match name.strip_prefix("internal/").unwrap_or(name) {
            "sync.runtime_SemacquireMutex" => SemaMutex,
            "sync.runtime_SemacquireRWMutexR" => SemaRwR,
            "sync.runtime_SemacquireRWMutex" => SemaRw,
            "sync.runtime_Semacquire" | "runtime.semacquire1" | "runtime.semacquire" => Sema,
            "sync.runtime_SemacquireWaitGroup" => SemaWaitGroup,
            "sync.(*Mutex).Lock" => MutexLock,
            "sync.(*Mutex).lockSlow" => MutexLockSlow,
            "sync.(*RWMutex).RLock" => RwRLock,
            "sync.(*RWMutex).Lock" => RwLock,
            "sync.(*WaitGroup).Wait" => WaitGroupWait,
            "sync.(*Cond).Wait" | "sync.runtime_notifyListWait" => Cond,
            _ => return None,
        })
    }
    /// The frame's first argument is the lock itself.
    fn is_pointer(self) -> bool {
        matches!(
            self,
            LockFrame::MutexLock
                | LockFrame::MutexLockSlow
                | LockFrame::RwRLock
                | LockFrame::RwLock
                | LockFrame::WaitGroupWait
        )
    }
    fn is_sema(self) -> bool {
        matches!(
            self,
            LockFrame::SemaMutex | LockFrame::SemaRwR | LockFrame::SemaRw | LockFrame::Sema | LockFrame::SemaWaitGroup
        )
    }
}

/// A lock address recovered from a waiter's frames.
#[derive(Clone, Copy, Debug)]
struct Addr {
    base: u64,
    /// Only a `?` value gave it (possibly stale).
    inaccurate: bool,
}

/// What waiters are grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    /// The lock's base address.
    Addr(u64),
    /// The lock's address is dead; the waiters' site is a method whose receiver (the struct
    /// that most likely contains the lock) is known exactly.
    Recv(u64),
    /// Nothing usable: bucketed by the frame that took the lock (function, line).
    Site(Sym, u32),
}

struct Waiter {
    kind: LockKind,
    key: Key,
    inaccurate: bool,
    /// First frame after the lock frames that is not runtime/sync/internal.
    site: Option<usize>,
    /// Index of the last lock frame (frames above it may carry a container address).
    lock_end: usize,
}

/// Recognise a lock waiter and decide what identifies its lock.
fn waiter(dump: &Dump, g: &Goroutine, state: &str) -> Option<Waiter> {
    let frames = dump.frames_of(g);
    let mut lfs: Vec<(usize, LockFrame)> = Vec::new();
    let mut site = None;
    for (i, f) in frames.iter().enumerate() {
        let name = dump.sym(f.func);
        if let Some(lf) = LockFrame::of(name) {
            lfs.push((i, lf));
        } else if !is_runtime_func(name) {
            site = Some(i);
            break;
        }
    }
    let has = |p: &dyn Fn(LockFrame) -> bool| lfs.iter().any(|&(_, l)| p(l));
    use LockFrame::*;
    if has(&|l| l == Cond) || state == "sync.Cond.Wait" {
        return None; // a condition variable has no holder
    }
    let kind = if has(&|l| matches!(l, RwRLock | SemaRwR)) || (lfs.is_empty() && state == "sync.RWMutex.RLock") {
        LockKind::RwMutexRead
    } else if has(&|l| matches!(l, RwLock | SemaRw)) || (lfs.is_empty() && state == "sync.RWMutex.Lock") {
        LockKind::RwMutexWrite
    } else if has(&|l| matches!(l, MutexLock | MutexLockSlow | SemaMutex)) || state == "sync.Mutex.Lock" {
        LockKind::Mutex
    } else if !lfs.is_empty() || state == "semacquire" || state.starts_with("sync.WaitGroup.Wait") {
        LockKind::Semaphore
    } else {
        return None;
    };
    let lock_end = lfs.last().map_or(0, |&(i, _)| i);
    // Exact lock address, else the site's exact receiver, else a `?` pointer argument.
    let recv = || {
        let f = &frames[site?];
        receiver(dump.sym(f.func))?;
        scalars::first(dump.span(f.args))
            .filter(|s| !s.inaccurate && s.value != 0)
            .map(|s| s.value)
    };
    let (key, inaccurate) = if let Some(a) = lock_address(dump, frames, &lfs, kind, false) {
        (Key::Addr(a.base), false)
    } else if let Some(r) = recv() {
        (Key::Recv(r), false)
    } else if let Some(a) = lock_address(dump, frames, &lfs, kind, true) {
        (Key::Addr(a.base), a.inaccurate)
    } else {
        let s = site.map(|s| &frames[s]);
        (Key::Site(s.map_or(0, |f| f.func), s.map_or(0, |f| f.line)), false)
    };
    Some(Waiter {
        kind,
        key,
        inaccurate,
        site,
        lock_end,
    })
}

/// The lock's base address from the most reliable frame: pointer frames first (RWMutex before
/// Mutex: a writer waiting on `rw.w` has the same base), then semaphores shifted back.
/// With `allow_inaccurate`, `?` values of pointer frames count too (never `0x0?`); `?`
/// semaphore values are never used: in Go ≥ 1.18 dumps they are often stale registers.
fn lock_address(
    dump: &Dump,
    frames: &[Frame],
    lfs: &[(usize, LockFrame)],
    kind: LockKind,
    allow_inaccurate: bool,
) -> Option<Addr> {
    let arg = |i: usize| -> Option<Scalar> {
        scalars::first(dump.span(frames[i].args)).filter(|s| s.value != 0 && (allow_inaccurate || !s.inaccurate))
    };
    let rank = |l: LockFrame| match l {
        LockFrame::RwRLock | LockFrame::RwLock => 0,
        LockFrame::MutexLockSlow | LockFrame::MutexLock => 1,
        _ => 2,
    };
    let mut best: Option<(u8, Scalar)> = None;
    for &(i, l) in lfs.iter().filter(|(_, l)| l.is_pointer()) {
        if let Some(s) = arg(i) {
            if best.is_none_or(|(r, b)| rank(l) < r || (b.inaccurate && !s.inaccurate)) {
                best = Some((rank(l), s));
            }
        }
    }
    if let Some((_, s)) = best {
        return Some(Addr {
            base: s.value,
            inaccurate: s.inaccurate,
        });
    }
    for (n, &(i, l)) in lfs.iter().enumerate().filter(|(_, (_, l))| l.is_sema()) {
        let Some(s) = arg(i).filter(|s| !s.inaccurate) else {
            continue;
        };
        // The semaphore's offset in its struct depends on who called the acquire.
        let above = lfs[n + 1..].iter().map(|&(_, l)| l).find(|l| l.is_pointer());
        let off = match l {
            LockFrame::SemaRwR => 12,
            LockFrame::SemaRw => 8,
            LockFrame::SemaWaitGroup => 0,
            _ => match above {
                Some(LockFrame::RwRLock) => 12,
                Some(LockFrame::RwLock) => 8,
                Some(LockFrame::MutexLock | LockFrame::MutexLockSlow) => 4,
                _ if kind == LockKind::Mutex => 4,
                _ => 0, // WaitGroup or a raw semaphore: keep the semaphore's own address
            },
        };
        if s.value > off {
            return Some(Addr {
                base: s.value - off,
                inaccurate: false,
            });
        }
    }
    None
}

/// `pkg/path.(*T).M…` → (`pkg/path`, `T`); None for plain functions and closures of them.
pub(crate) fn receiver(func: &str) -> Option<(&str, &str)> {
    let slash = func.rfind('/').map_or(0, |i| i + 1);
    let dot = slash + func[slash..].find('.')?;
    let (pkg, rest) = (&func[..dot], &func[dot + 1..]);
    let ty = if let Some(r) = rest.strip_prefix("(*") {
        &r[..r.find(')')?]
    } else {
        let (first, second) = rest.split_once('.')?;
        let closure = |s: &str, p: &str| {
            s.strip_prefix(p)
                .is_some_and(|d| d.starts_with(|c: char| c.is_ascii_digit()))
        };
        if first.is_empty() || first == "glob" || closure(second, "func") || closure(second, "gowrap") {
            return None;
        }
        first
    };
    let ty = ty.split('[').next().unwrap_or(ty);
    (!ty.is_empty()).then_some((pkg, ty))
}

fn short(func: &str) -> &str {
    func.rfind('/').map_or(func, |i| &func[i + 1..])
}

/// How a value found in a goroutine's frame relates to a lock.
#[derive(Clone, Copy, Debug)]
enum Rel {
    Exact,
    /// Index into the lock's containers.
    Container(u32),
}

/// An address just below the lock (or the waiters' receiver) seen in a waiter's frame.
#[derive(Clone, Copy, Debug)]
struct Container {
    value: u64,
    /// `lock − value`; None when the lock's address is unknown (`Key::Recv`).
    k: Option<u64>,
    inaccurate: bool,
    /// Goroutine index and frame of the waiter it was seen in.
    waiter: u32,
    frame: u32,
}

#[derive(Clone, Copy, Debug)]
struct Hit {
    g: u32,
    frame: u32,
    value: u64,
    inaccurate: bool,
    rel: Rel,
}

struct LockAcc {
    key: Key,
    waiters: Vec<u32>,
    kinds: [u64; 4],
    wait_max: Option<u32>,
    inaccurate: bool,
    sites: FxHashMap<Sym, u32>,
    containers: Vec<Container>,
    hits: Vec<Hit>,
    site: Option<Sym>,
    /// Waiters with dead addresses that joined through a container (`Key::Recv` merged in).
    joined: u64,
    /// Merged into another lock; not reported.
    merged: bool,
}

impl LockAcc {
    fn new(key: Key) -> LockAcc {
        LockAcc {
            key,
            waiters: Vec::new(),
            kinds: [0; 4],
            wait_max: None,
            inaccurate: true,
            sites: FxHashMap::default(),
            containers: Vec::new(),
            hits: Vec::new(),
            site: None,
            joined: 0,
            merged: false,
        }
    }
    fn address(&self) -> u64 {
        match self.key {
            Key::Addr(a) => a,
            _ => 0,
        }
    }
}

fn kind_index(k: LockKind) -> usize {
    match k {
        LockKind::Mutex => 0,
        LockKind::RwMutexRead => 1,
        LockKind::RwMutexWrite => 2,
        LockKind::Semaphore => 3,
    }
}

/// Find locks among the selected goroutines; candidates come from every goroutine.
pub(crate) fn find(dump: &Dump, cls: &Classified, sel: &[u32]) -> Vec<Lock> {
    let gs = &dump.goroutines;
    let mut waiter_of: Vec<u32> = Vec::new();
    let mut locks: Vec<LockAcc> = Vec::new();
    let mut by_key: FxHashMap<Key, u32> = FxHashMap::default();
    let mut infos: Vec<(u32, Waiter)> = Vec::new();
    for &gi in sel {
        let i = gi as usize;
        let g = &gs[i];
        if cls.class[i] != StateClass::Lock || g.form != Form::Full {
            continue;
        }
        let Some(w) = waiter(dump, g, cls.state_text(dump, cls.state[i])) else {
            continue;
        };
        let l = *by_key.entry(w.key).or_insert_with(|| {
            locks.push(LockAcc::new(w.key));
            (locks.len() - 1) as u32
        });
        let acc = &mut locks[l as usize];
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
            acc.containers.push(Container {
                value: v,
                k: None,
                inaccurate: false,
                waiter: gi,
                frame: s as u32,
            });
        }
        if waiter_of.is_empty() {
            waiter_of = vec![NONE; gs.len()];
        }
        waiter_of[i] = l;
        infos.push((gi, w));
    }
    if locks.is_empty() {
        return Vec::new();
    }

    // Containers: values just below the lock in the waiters' own frames above the lock frames.
    let mut seen: Vec<u32> = vec![0; locks.len()];
    for (gi, w) in &infos {
        let l = waiter_of[*gi as usize] as usize;
        let acc = &mut locks[l];
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
                    let c = Container {
                        value: s.value,
                        k: Some(lock - s.value),
                        inaccurate: s.inaccurate,
                        waiter: *gi,
                        frame: j as u32,
                    };
                    match acc.containers.iter().position(|c| c.value == s.value) {
                        Some(k) if acc.containers[k].inaccurate && !s.inaccurate => acc.containers[k] = c,
                        Some(_) => {}
                        None if acc.containers.len() < MAX_CONTAINERS => acc.containers.push(c),
                        None => {}
                    }
                }
            });
        }
    }

    // Waiters known only by their receiver join the one lock whose waiters saw that receiver
    // as an exact container (e.g. RLock waiters with dead args and a writer whose lockSlow
    // still shows the address).
    let mut by_container: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
    for (l, acc) in locks.iter().enumerate() {
        if let Key::Addr(_) = acc.key {
            for c in acc.containers.iter().filter(|c| !c.inaccurate) {
                by_container.entry(c.value).or_default().push(l as u32);
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
            waiter_of[g as usize] = l as u32;
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
    for acc in &mut locks {
        acc.site = acc
            .sites
            .iter()
            .max_by_key(|(s, n)| (**n, std::cmp::Reverse(**s)))
            .map(|(s, _)| *s);
    }

    // One pass over every goroutine's arguments, looking up the addresses of interest.
    let mut queries: FxHashMap<u64, Vec<(u32, Rel)>> = FxHashMap::default();
    for (l, acc) in locks.iter().enumerate().filter(|(_, a)| !a.merged) {
        if let Key::Addr(a) = acc.key {
            queries.entry(a).or_default().push((l as u32, Rel::Exact));
        }
        for (c, ct) in acc.containers.iter().enumerate() {
            queries
                .entry(ct.value)
                .or_default()
                .push((l as u32, Rel::Container(c as u32)));
        }
    }
    queries.retain(|_, v| v.len() <= MAX_LOCKS_PER_VALUE);
    if !queries.is_empty() {
        // 0 = unknown, 1 = skip (runtime internals: their words are not the program's), 2 = scan.
        let mut scan_sym: Vec<u8> = vec![0; dump.symbols.len()];
        for (i, g) in gs.iter().enumerate() {
            if g.form != Form::Full {
                continue;
            }
            for (j, f) in dump.frames_of(g).iter().enumerate() {
                let c = &mut scan_sym[f.func as usize];
                if *c == 0 {
                    *c = if dump.sym(f.func).starts_with("runtime.") { 1 } else { 2 };
                }
                if *c == 1 || f.args.len == 0 {
                    continue;
                }
                scalars::for_each(dump.span(f.args), |s| {
                    let Some(qs) = queries.get(&s.value) else { return };
                    for &(l, rel) in qs {
                        if waiter_of[i] == l {
                            continue;
                        }
                        let hits = &mut locks[l as usize].hits;
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

    // Type-level fallback for locks without any address evidence: one pass, receiver types of
    // each unique function computed once.
    let mut by_type: FxHashMap<(&str, &str), Vec<u32>> = FxHashMap::default();
    for (l, acc) in locks.iter().enumerate() {
        if acc.hits.is_empty() && !acc.merged {
            if let Some(rt) = acc.site.and_then(|s| receiver(dump.sym(s))) {
                by_type.entry(rt).or_default().push(l as u32);
            }
        }
    }
    // Per receiver type (shared by the locks of that type): goroutines with a method of it.
    let entries: Vec<(&(&str, &str), &Vec<u32>)> = by_type.iter().collect();
    let mut type_hits: Vec<Vec<(u32, u32)>> = vec![Vec::new(); entries.len()];
    let mut type_of: Vec<u32> = vec![NONE; locks.len()];
    if !entries.is_empty() {
        let index: FxHashMap<(&str, &str), u32> =
            entries.iter().enumerate().map(|(n, (k, _))| (**k, n as u32)).collect();
        for (n, (_, ls)) in entries.iter().enumerate() {
            for &l in ls.iter() {
                type_of[l as usize] = n as u32;
            }
        }
        // Per function Sym: NONE = not computed, NONE-1 = no lock's type, else index in `entries`.
        let mut sym_type: Vec<u32> = vec![NONE; dump.symbols.len()];
        for (i, g) in gs.iter().enumerate() {
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
                let list = &mut type_hits[*t as usize];
                if list.len() < MAX_TYPE_HITS {
                    list.push((i as u32, j as u32));
                }
            }
        }
    }

    let none: Vec<(u32, u32)> = Vec::new();
    let mut out: Vec<Lock> = locks
        .iter()
        .enumerate()
        .filter(|(_, a)| !a.merged)
        .map(|(l, acc)| {
            let th = type_of[l];
            let th = if th == NONE { &none } else { &type_hits[th as usize] };
            build_lock(dump, cls, &waiter_of, &locks, l, acc, th)
        })
        .collect();
    out.sort_by(|a, b| {
        b.waiters
            .len()
            .cmp(&a.waiters.len())
            .then(b.wait_max.cmp(&a.wait_max))
            .then(a.lock.cmp(&b.lock))
    });
    out
}

/// Score a goroutine's state and wait against the lock's waiters; returns (bonus, evidence).
fn state_evidence(dump: &Dump, cls: &Classified, i: usize, waiters_max: Option<u32>, text: bool) -> (f64, String) {
    let g = &dump.goroutines[i];
    let state = cls.state_text(dump, cls.state[i]);
    let blocked = match cls.class[i] {
        StateClass::Channel | StateClass::Select | StateClass::Io | StateClass::Syscall => 2.0,
        StateClass::Lock if state == "sync.Cond.Wait" => 2.0,
        StateClass::Sleep | StateClass::Running => 1.0,
        _ => 0.0,
    };
    let mut bonus = blocked;
    if !text {
        let longer = matches!((g.wait_minutes, waiters_max), (Some(m), Some(w)) if m >= w);
        return (bonus + if longer { 2.0 } else { 0.0 }, String::new());
    }
    let mut text = if blocked >= 2.0 {
        format!("blocked in [{state}]")
    } else if cls.class[i] == StateClass::Running {
        format!("[{state}]: may be busy while holding the lock")
    } else {
        format!("in [{state}]")
    };
    match (g.wait_minutes, waiters_max) {
        (Some(m), Some(w)) if m >= w => {
            bonus += 2.0;
            text += &format!(" for {m} minutes (≥ the waiters' {w})");
        }
        (Some(m), Some(w)) => text += &format!(" for {m} minutes (< the waiters' {w})"),
        (Some(m), None) => text += &format!(" for {m} minutes"),
        _ => {}
    }
    (bonus, text)
}

fn lock_name(locks: &[LockAcc], dump: &Dump, l: u32) -> String {
    let acc = &locks[l as usize];
    let site = acc.site.map(|s| short(dump.sym(s))).unwrap_or("?");
    match acc.key {
        Key::Addr(a) => format!("{a:#x} (taken in {site})"),
        Key::Recv(v) => format!("inside {v:#x} (taken in {site})"),
        Key::Site(..) => format!("taken in {site}"),
    }
}

/// Describe a container relation for evidence and notes.
fn container_text(dump: &Dump, c: &Container) -> String {
    let g = &dump.goroutines[c.waiter as usize];
    let f = short(dump.sym(dump.frames_of(g)[c.frame as usize].func));
    match c.k {
        Some(k) => format!(
            "lock − {k:#x} (container seen in waiter {} frame {} {f})",
            g.id, c.frame
        ),
        None => format!(
            "the waiters' receiver (waiter {} frame {} {f}), which likely contains the lock",
            g.id, c.frame
        ),
    }
}

fn build_lock(
    dump: &Dump,
    cls: &Classified,
    waiter_of: &[u32],
    locks: &[LockAcc],
    l: usize,
    acc: &LockAcc,
    type_hits: &[(u32, u32)],
) -> Lock {
    let gs = &dump.goroutines;
    let kind = if acc.kinds[2] > 0 {
        LockKind::RwMutexWrite
    } else if acc.kinds[1] > 0 {
        LockKind::RwMutexRead
    } else if acc.kinds[0] > 0 {
        LockKind::Mutex
    } else {
        LockKind::Semaphore
    };
    let site_name = acc.site.map(|s| dump.sym(s)).unwrap_or("");
    let site_type = receiver(site_name);
    let lock = acc.address();
    let mut notes: Vec<String> = Vec::new();
    if acc.kinds[1] > 0 && acc.kinds[2] > 0 {
        notes.push(format!(
            "{} writer(s) wait in RWMutex.Lock and {} reader(s) in RLock: the readers queue behind the pending writer, which waits for a goroutine still holding RLock",
            acc.kinds[2], acc.kinds[1]
        ));
    }
    match acc.key {
        Key::Addr(a) if acc.inaccurate => {
            notes.push(format!("the lock address {a:#x} comes only from `?` arguments (register values that may be stale)"))
        }
        Key::Recv(v) => notes.push(format!(
            "the lock's own address is dead or missing in the waiters' frames (`0x0?`, inlined `(...)`: register ABI, Go ≥ 1.17); the waiters are grouped by their receiver {v:#x} ({}), which likely contains the lock",
            short(site_name)
        )),
        _ => {}
    }
    if acc.joined > 0 {
        notes.push(format!("{} waiter(s) with dead lock arguments joined through their receiver, a container seen in the other waiters' frames", acc.joined));
    }

    let other_lock = |i: usize, ev: &mut Vec<String>, text: bool| -> f64 {
        let o = waiter_of.get(i).copied().unwrap_or(NONE);
        if o != NONE && o as usize != l {
            if text {
                ev.push(format!(
                    "itself waits on lock {}: possible lock-order inversion (AB/BA deadlock)",
                    lock_name(locks, dump, o)
                ));
            }
            0.7
        } else {
            1.0
        }
    };

    // Candidates are scored without text first; evidence is written for the top few only.
    let mut cands: Vec<Candidate> = Vec::new();
    if !acc.hits.is_empty() {
        let mut hits = acc.hits.clone();
        hits.sort_by_key(|h| (h.g, h.frame));
        let runs: Vec<&[Hit]> = hits.chunk_by(|a, b| a.g == b.g).collect();
        let judge = |run: &[Hit], text: bool| -> (f64, Vec<String>) {
            let i = run[0].g as usize;
            let frames = dump.frames_of(&gs[i]);
            let mut scored: Vec<(f64, String)> = Vec::new();
            for fr in run.chunk_by(|a, b| a.frame == b.frame) {
                // One piece of evidence per frame: the strongest hit in it.
                let weight = |h: &Hit| -> f64 {
                    match h.rel {
                        Rel::Exact => {
                            if h.inaccurate {
                                4.0
                            } else {
                                10.0
                            }
                        }
                        Rel::Container(c) => {
                            if h.inaccurate || acc.containers[c as usize].inaccurate {
                                2.0
                            } else {
                                6.0
                            }
                        }
                    }
                };
                let h = fr.iter().max_by(|a, b| weight(a).total_cmp(&weight(b))).unwrap();
                let mut w = weight(h);
                let func = dump.sym(frames[h.frame as usize].func);
                let same = match (receiver(func), site_type) {
                    (Some(a), Some(b)) if a == b => 2,
                    (Some((p, _)), Some((q, _))) if p == q => 1,
                    _ => 0,
                };
                w += match same {
                    2 if h.inaccurate => 1.0,
                    2 => 3.0,
                    1 => 0.5,
                    _ => 0.0,
                };
                if !text {
                    scored.push((w, String::new()));
                    continue;
                }
                let rel = match h.rel {
                    Rel::Exact => "lock".to_string(),
                    Rel::Container(c) => container_text(dump, &acc.containers[c as usize]),
                };
                let q = if h.inaccurate { "?" } else { "" };
                let mut t = format!("frame {} {} receives {:#x}{q} = {rel}", h.frame, short(func), h.value);
                if h.inaccurate {
                    t += "; `?` marks a possibly stale register value: evidence only";
                }
                if let (2, Some(b)) = (same, site_type) {
                    t += &format!("; a method of the waiters' receiver type {}.{}", short(b.0), b.1);
                } else if same == 1 {
                    t += "; same package as the waiters' site";
                }
                scored.push((w, t));
            }
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            let mut score = scored[0].0 + (scored.len() as f64 - 1.0).min(3.0);
            let mut evidence: Vec<String> = if text {
                scored.into_iter().take(4).map(|(_, t)| t).collect()
            } else {
                Vec::new()
            };
            let (b, e) = state_evidence(dump, cls, i, acc.wait_max, text);
            score += b;
            if text {
                evidence.push(e);
            }
            score *= other_lock(i, &mut evidence, text);
            (score, evidence)
        };
        for n in top_by_score(runs.len(), |n| (judge(runs[n], false).0, gs[runs[n][0].g as usize].id)) {
            let (score, evidence) = judge(runs[n], true);
            cands.push(candidate(dump, cls, runs[n][0].g as usize, score, evidence));
        }
    } else {
        // No goroutine carries the lock or a container address: say why, then fall back to types.
        let why = match acc.key {
            Key::Site(..) => "the waiters' lock arguments are dead or missing (`0x0?`, inlined `(...)`): the register ABI (Go ≥ 1.17) did not keep them, so no holder can be inferred from addresses".to_string(),
            Key::Recv(v) => format!("no other goroutine's arguments carry the receiver {v:#x} either, so no holder can be inferred from addresses"),
            Key::Addr(a) => {
                let cs: Vec<String> = acc
                    .containers
                    .iter()
                    .take(3)
                    .map(|c| format!("{:#x} = {}", c.value, container_text(dump, c)))
                    .collect();
                let cs = if cs.is_empty() { String::new() } else { format!(" or a container address ({})", cs.join("; ")) };
                format!(
                    "no other goroutine's arguments carry the lock address {a:#x}{cs}: the holder may not pass it, or (register ABI, Go ≥ 1.17) its copies are dead or inlined, so no holder can be inferred from addresses"
                )
            }
        };
        notes.push(match site_type {
            Some((p, t)) => format!(
                "{why}; candidates are goroutines in methods of the waiters' receiver type {}.{t} (weak evidence)",
                short(p)
            ),
            None => format!("{why}; the waiters' site has no receiver type, so there are no type-level candidates"),
        });
        let hits: Vec<(u32, u32)> = type_hits
            .iter()
            .copied()
            .filter(|&(g, _)| waiter_of[g as usize] != l as u32)
            .collect();
        let judge = |(gi, frame): (u32, u32), text: bool| -> (f64, Vec<String>) {
            let i = gi as usize;
            let mut evidence = Vec::new();
            if text {
                let func = dump.sym(dump.frames_of(&gs[i])[frame as usize].func);
                evidence.push(format!(
                    "frame {frame} {} is a method of the same receiver type (no address evidence)",
                    short(func)
                ));
            }
            let (b, e) = state_evidence(dump, cls, i, acc.wait_max, text);
            if text {
                evidence.push(e);
            }
            ((1.0 + b / 2.0) * other_lock(i, &mut evidence, text), evidence)
        };
        for n in top_by_score(hits.len(), |n| (judge(hits[n], false).0, gs[hits[n].0 as usize].id)) {
            let (score, evidence) = judge(hits[n], true);
            cands.push(candidate(dump, cls, hits[n].0 as usize, score, evidence));
        }
    }

    let mut waiters: Vec<u64> = acc.waiters.iter().map(|&g| gs[g as usize].id).collect();
    waiters.sort_unstable();
    Lock {
        lock,
        kind,
        waiters,
        wait_max: acc.wait_max,
        site: site_name.to_string(),
        candidates: cands,
        note: (!notes.is_empty()).then(|| notes.iter().map(|n| capitalise(n)).collect::<Vec<_>>().join(". ")),
    }
}

/// Indices of the `TOP` best of `n` items by (score desc, id asc).
fn top_by_score(n: usize, key: impl Fn(usize) -> (f64, u64)) -> Vec<usize> {
    let mut v: Vec<(f64, u64, usize)> = (0..n)
        .map(|i| {
            let (s, id) = key(i);
            (s, id, i)
        })
        .collect();
    v.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    v.into_iter().take(TOP).map(|x| x.2).collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

fn candidate(dump: &Dump, cls: &Classified, i: usize, score: f64, evidence: Vec<String>) -> Candidate {
    let g = &dump.goroutines[i];
    Candidate {
        goroutine: g.id,
        state: cls.state_text(dump, cls.state[i]).to_string(),
        wait_minutes: g.wait_minutes,
        score,
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receivers() {
        assert_eq!(
            receiver("gx/ipfs/Qm/yamux.(*Session).Close"),
            Some(("gx/ipfs/Qm/yamux", "Session"))
        );
        assert_eq!(
            receiver("distributed-kv/consensus.(*RaftConsensus).Start.func2"),
            Some(("distributed-kv/consensus", "RaftConsensus"))
        );
        assert_eq!(
            receiver("net/http.HandlerFunc.ServeHTTP"),
            Some(("net/http", "HandlerFunc"))
        );
        assert_eq!(receiver("main.main"), None);
        assert_eq!(receiver("main.main.func1"), None);
        assert_eq!(receiver("main.worker.gowrap1"), None);
        assert_eq!(receiver("pkg.glob..func5"), None);
        assert_eq!(receiver("pkg.(*Box[...]).Put"), Some(("pkg", "Box")));
    }
}
