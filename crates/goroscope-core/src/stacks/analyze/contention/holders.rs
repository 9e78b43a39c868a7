//! The findings form of one lock: its kind, its notes, and its candidate holders ranked by the
//! evidence the phases gathered.
//!
//! A holder's stack no longer shows `Lock` (it returned), so every candidate is circumstantial.
//! With address evidence, a goroutine scores by its strongest hit per frame (the exact lock
//! address 10, a container 6; `?` values 4 and 2), a bonus for frames that are methods of the
//! waiters' receiver type or package, one point per further frame with a hit (up to 3), its
//! state and wait; without, goroutines in methods of the receiver type score on state alone.
//! A candidate that itself waits on another lock is scaled down (0.7) and the evidence says so:
//! that is the AB/BA pattern. Scores are computed without text first, and the evidence text is
//! written for the `TOP` candidates only.

use super::super::classify::Classified;
use super::super::findings::{Candidate, Lock, LockKind, StateClass};
use super::waiter::{receiver, Key};
use super::{short, Container, Hit, LockAcc, Locks, Rel, NONE, TOP};
use crate::stacks::model::{Dump, Frame};

/// Build the findings form of lock `l` of `c`; `type_hits` are its type-level hits (phase 5).
pub(super) fn build(dump: &Dump, cls: &Classified, c: &Locks, l: usize, type_hits: &[(u32, u32)]) -> Lock {
    let acc = &c.locks[l];
    let site_name = acc.site.map(|s| dump.sym(s)).unwrap_or("");
    let cx = Ctx { dump, cls, c, l, acc, site_type: receiver(site_name) };
    let mut notes = lock_notes(acc, site_name);
    let candidates = if !acc.hits.is_empty() {
        cx.address_candidates()
    } else {
        notes.push(cx.no_address_note());
        cx.type_candidates(type_hits)
    };
    let mut waiters: Vec<u64> = acc.waiters.iter().map(|&g| dump.goroutines[g as usize].id).collect();
    waiters.sort_unstable();
    Lock {
        lock: acc.address(),
        kind: lock_kind(acc),
        waiters,
        wait_max: acc.wait_max,
        site: site_name.to_string(),
        candidates,
        note: (!notes.is_empty()).then(|| notes.iter().map(|n| capitalise(n)).collect::<Vec<_>>().join(". ")),
    }
}

/// The lock's kind: a writer makes it a write-locked RWMutex even when readers wait too.
fn lock_kind(acc: &LockAcc) -> LockKind {
    if acc.kinds[2] > 0 {
        LockKind::RwMutexWrite
    } else if acc.kinds[1] > 0 {
        LockKind::RwMutexRead
    } else if acc.kinds[0] > 0 {
        LockKind::Mutex
    } else {
        LockKind::Semaphore
    }
}

/// What a reader of the lock must know before trusting its candidates: mixed readers and
/// writers, an address from `?` values only, waiters grouped by receiver, joined waiters.
fn lock_notes(acc: &LockAcc, site_name: &str) -> Vec<String> {
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
    notes
}

/// Everything ranking the holders of one lock needs.
struct Ctx<'a> {
    dump: &'a Dump,
    cls: &'a Classified,
    c: &'a Locks,
    /// The lock, as an index into `c.locks`, and the lock itself.
    l: usize,
    acc: &'a LockAcc,
    /// The receiver type (package, type) of the waiters' site, if it is a method.
    site_type: Option<(&'a str, &'a str)>,
}

impl Ctx<'_> {
    /// Candidates from address hits: the goroutines whose frames carry the lock's address or a
    /// container of it, best first.
    fn address_candidates(&self) -> Vec<Candidate> {
        let gs = &self.dump.goroutines;
        let mut hits = self.acc.hits.clone();
        hits.sort_by_key(|h| (h.g, h.frame));
        let runs: Vec<&[Hit]> = hits.chunk_by(|a, b| a.g == b.g).collect();
        top_by_score(runs.len(), |n| (self.judge_hits(runs[n], false).0, gs[runs[n][0].g as usize].id))
            .into_iter()
            .map(|n| {
                let (score, evidence) = self.judge_hits(runs[n], true);
                candidate(self.dump, self.cls, runs[n][0].g as usize, score, evidence)
            })
            .collect()
    }

    /// Score one goroutine from its hits (`run`, sorted by frame): its best frame, one point
    /// per further frame (up to 3), its state and wait, the other-lock factor. With `text`,
    /// the evidence too (the best 4 frames, then the state).
    fn judge_hits(&self, run: &[Hit], text: bool) -> (f64, Vec<String>) {
        let i = run[0].g as usize;
        let frames = self.dump.frames_of(&self.dump.goroutines[i]);
        let mut scored: Vec<(f64, String)> =
            run.chunk_by(|a, b| a.frame == b.frame).map(|fr| self.frame_evidence(frames, fr, text)).collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut score = scored[0].0 + (scored.len() as f64 - 1.0).min(3.0);
        let mut evidence: Vec<String> = if text {
            scored.into_iter().take(4).map(|(_, t)| t).collect()
        } else {
            Vec::new()
        };
        let (b, e) = state_evidence(self.dump, self.cls, i, self.acc.wait_max, text);
        score += b;
        if text {
            evidence.push(e);
        }
        score *= self.other_lock(i, &mut evidence, text);
        (score, evidence)
    }

    /// One piece of evidence per frame: the strongest of its hits, plus a bonus when the frame
    /// is a method of the waiters' receiver type (or of their package).
    fn frame_evidence(&self, frames: &[Frame], fr: &[Hit], text: bool) -> (f64, String) {
        let h = fr.iter().max_by(|a, b| self.weight(a).total_cmp(&self.weight(b))).unwrap();
        let mut w = self.weight(h);
        let func = self.dump.sym(frames[h.frame as usize].func);
        let same = match (receiver(func), self.site_type) {
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
            return (w, String::new());
        }
        let rel = match h.rel {
            Rel::Exact => "lock".to_string(),
            Rel::Container(c) => container_text(self.dump, &self.acc.containers[c as usize]),
        };
        let q = if h.inaccurate { "?" } else { "" };
        let mut t = format!("frame {} {} receives {:#x}{q} = {rel}", h.frame, short(func), h.value);
        if h.inaccurate {
            t += "; `?` marks a possibly stale register value: evidence only";
        }
        if let (2, Some(b)) = (same, self.site_type) {
            t += &format!("; a method of the waiters' receiver type {}.{}", short(b.0), b.1);
        } else if same == 1 {
            t += "; same package as the waiters' site";
        }
        (w, t)
    }

    /// The weight of one hit: exact beats container, `?` values count less.
    fn weight(&self, h: &Hit) -> f64 {
        match h.rel {
            Rel::Exact => {
                if h.inaccurate {
                    4.0
                } else {
                    10.0
                }
            }
            Rel::Container(c) => {
                if h.inaccurate || self.acc.containers[c as usize].inaccurate {
                    2.0
                } else {
                    6.0
                }
            }
        }
    }

    /// 0.7 when goroutine `i` itself waits on another lock (with `text`, evidence says so),
    /// else 1.
    fn other_lock(&self, i: usize, ev: &mut Vec<String>, text: bool) -> f64 {
        let o = self.c.waiter_of.get(i).copied().unwrap_or(NONE);
        if o != NONE && o as usize != self.l {
            if text {
                ev.push(format!(
                    "itself waits on lock {}: possible lock-order inversion (AB/BA deadlock)",
                    lock_name(&self.c.locks, self.dump, o)
                ));
            }
            0.7
        } else {
            1.0
        }
    }

    /// Why no goroutine carries the lock or a container address, and what the type-level
    /// candidates (if any) stand on.
    fn no_address_note(&self) -> String {
        let why = match self.acc.key {
            Key::Site(..) => "the waiters' lock arguments are dead or missing (`0x0?`, inlined `(...)`): the register ABI (Go ≥ 1.17) did not keep them, so no holder can be inferred from addresses".to_string(),
            Key::Recv(v) => format!("no other goroutine's arguments carry the receiver {v:#x} either, so no holder can be inferred from addresses"),
            Key::Addr(a) => {
                let cs: Vec<String> = self
                    .acc
                    .containers
                    .iter()
                    .take(3)
                    .map(|c| format!("{:#x} = {}", c.value, container_text(self.dump, c)))
                    .collect();
                let cs = if cs.is_empty() { String::new() } else { format!(" or a container address ({})", cs.join("; ")) };
                format!(
                    "no other goroutine's arguments carry the lock address {a:#x}{cs}: the holder may not pass it, or (register ABI, Go ≥ 1.17) its copies are dead or inlined, so no holder can be inferred from addresses"
                )
            }
        };
        match self.site_type {
            Some((p, t)) => format!(
                "{why}; candidates are goroutines in methods of the waiters' receiver type {}.{t} (weak evidence)",
                short(p)
            ),
            None => format!("{why}; the waiters' site has no receiver type, so there are no type-level candidates"),
        }
    }

    /// Candidates without address evidence: goroutines (not waiting on this lock) in methods of
    /// the waiters' receiver type, ranked by state and wait.
    fn type_candidates(&self, type_hits: &[(u32, u32)]) -> Vec<Candidate> {
        let gs = &self.dump.goroutines;
        let hits: Vec<(u32, u32)> = type_hits
            .iter()
            .copied()
            .filter(|&(g, _)| self.c.waiter_of[g as usize] != self.l as u32)
            .collect();
        top_by_score(hits.len(), |n| (self.judge_type(hits[n], false).0, gs[hits[n].0 as usize].id))
            .into_iter()
            .map(|n| {
                let (score, evidence) = self.judge_type(hits[n], true);
                candidate(self.dump, self.cls, hits[n].0 as usize, score, evidence)
            })
            .collect()
    }

    fn judge_type(&self, (gi, frame): (u32, u32), text: bool) -> (f64, Vec<String>) {
        let i = gi as usize;
        let mut evidence = Vec::new();
        if text {
            let func = self.dump.sym(self.dump.frames_of(&self.dump.goroutines[i])[frame as usize].func);
            evidence.push(format!(
                "frame {frame} {} is a method of the same receiver type (no address evidence)",
                short(func)
            ));
        }
        let (b, e) = state_evidence(self.dump, self.cls, i, self.acc.wait_max, text);
        if text {
            evidence.push(e);
        }
        ((1.0 + b / 2.0) * self.other_lock(i, &mut evidence, text), evidence)
    }
}

/// Score a goroutine's state and wait against the lock's waiters; returns (bonus, evidence).
/// Blocked elsewhere (channel, select, IO, syscall, Cond) is how a holder usually looks; a wait
/// at least as long as the waiters' fits a holder that took the lock before them.
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
