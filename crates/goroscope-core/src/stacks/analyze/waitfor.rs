//! The wait-for graph: who waits on whom, chained across goroutines, with its cycles.
//!
//! Built from the contention findings ([`Lock`]s: waiters and ranked candidate holders) and
//! the holders' own states. Nodes are goroutines, locks, and what a holder is blocked in when it
//! is not itself a lock waiter (a channel, IO, a syscall…). Edges:
//!
//! - `waitsOn`: waiter goroutine → lock (the waiter's lock frame is the evidence);
//! - `heldBy`: lock → candidate holder, with its rank and the candidate's evidence (never proof);
//! - `blockedIn`: holder → what it is parked in, when that is not a lock we found.
//!
//! A holder that itself waits on a lock gets that lock's `waitsOn` edge, so chains (A's holder
//! waits on B, whose holder…) follow. Cycles are the strongly connected components (Tarjan,
//! iterative, linear in nodes + edges) of the `waitsOn` and rank-0 `heldBy` edges: each is a
//! deadlock if the ranking is right. Big convoys keep [`WAITER_NODES`] waiter nodes per lock
//! plus one node counting the rest, so the graph stays small on a million goroutines; waiters
//! that are candidates of some lock are always kept (chains and cycles go through them).

use rustc_hash::{FxHashMap, FxHashSet};

use super::classify::Classified;
use super::findings::{Lock, WaitCycle, WaitEdge, WaitEdgeKind, WaitFor, WaitNode, WaitNodeKind};
use super::group::interesting;
use crate::stacks::model::Dump;

/// Waiter nodes kept per lock, besides those that are candidates somewhere.
pub const WAITER_NODES: usize = 16;

const NONE: u32 = u32::MAX;

struct Builder {
    out: WaitFor,
    /// Goroutine id → node.
    gnode: FxHashMap<u64, u32>,
}

impl Builder {
    fn node(&mut self, n: WaitNode) -> u32 {
        self.out.nodes.push(n);
        self.out.nodes.len() as u32 - 1
    }
    fn goroutine(&mut self, id: u64, state: &str) -> u32 {
        if let Some(&n) = self.gnode.get(&id) {
            return n;
        }
        let n = self.node(WaitNode {
            kind: WaitNodeKind::Goroutine,
            goroutine: id,
            lock: 0,
            label: state.to_string(),
            count: 1,
            in_cycle: false,
        });
        self.gnode.insert(id, n);
        n
    }
    fn edge(&mut self, from: u32, to: u32, kind: WaitEdgeKind, rank: u32, score: f64, evidence: Vec<String>) {
        self.out.edges.push(WaitEdge { from, to, kind, rank, score, evidence, in_cycle: false });
    }
}

/// The wait-for graph of `locks` (the contention findings of `dump`).
pub(crate) fn build(dump: &Dump, cls: &Classified, locks: &[Lock]) -> WaitFor {
    let mut b = Builder { out: WaitFor::default(), gnode: FxHashMap::default() };
    if locks.is_empty() {
        return b.out;
    }
    // Which lock each waiter waits on, and every candidate.
    let mut waits: FxHashMap<u64, u32> = FxHashMap::default();
    for (l, lock) in locks.iter().enumerate() {
        for &w in &lock.waiters {
            waits.insert(w, l as u32);
        }
    }
    let candidates: FxHashSet<u64> = locks.iter().flat_map(|l| l.candidates.iter().map(|c| c.goroutine)).collect();
    // Per lock: the waiters that get a node (candidates always, then the first WAITER_NODES).
    let kept: Vec<Vec<u64>> = locks
        .iter()
        .map(|lock| {
            let mut plain = 0usize;
            lock.waiters
                .iter()
                .copied()
                .filter(|w| {
                    let keep = candidates.contains(w) || plain < WAITER_NODES;
                    plain += usize::from(keep && !candidates.contains(w));
                    keep
                })
                .collect()
        })
        .collect();
    let mut want = candidates.clone();
    want.extend(kept.iter().flatten().copied());
    let index = goroutine_index(dump, &want);
    let state_of = |id: u64| index.get(&id).map(|&i| cls.state_text(dump, cls.state[i as usize]));

    let lnode: Vec<u32> = locks
        .iter()
        .map(|lock| {
            b.node(WaitNode {
                kind: WaitNodeKind::Lock,
                goroutine: 0,
                lock: lock.lock,
                label: lock.site.clone(),
                count: lock.waiters.len() as u64,
                in_cycle: false,
            })
        })
        .collect();
    for (l, lock) in locks.iter().enumerate() {
        for &w in &kept[l] {
            let state = state_of(w).unwrap_or_else(|| waiter_state(lock));
            let n = b.goroutine(w, state);
            b.edge(n, lnode[l], WaitEdgeKind::WaitsOn, 0, 0.0, vec![format!("goroutine {w} waits in [{state}] at {}", lock.site)]);
        }
        let rest = (lock.waiters.len() - kept[l].len()) as u64;
        if rest > 0 {
            let state = waiter_state(lock);
            let n = b.node(WaitNode {
                kind: WaitNodeKind::Waiters,
                goroutine: 0,
                lock: lock.lock,
                label: format!("{rest} more waiters"),
                count: rest,
                in_cycle: false,
            });
            b.edge(n, lnode[l], WaitEdgeKind::WaitsOn, 0, 0.0, vec![format!("{rest} more goroutines wait in [{state}] (or a read/write variant) at {}", lock.site)]);
        }
    }
    for (l, lock) in locks.iter().enumerate() {
        for (rank, c) in lock.candidates.iter().enumerate() {
            let n = b.goroutine(c.goroutine, &c.state);
            b.edge(lnode[l], n, WaitEdgeKind::HeldBy, rank as u32, c.score, c.evidence.clone());
        }
    }
    // What each holder waits on when it is not itself a waiter we found.
    let mut holders: Vec<u64> = candidates.iter().copied().filter(|g| !waits.contains_key(g)).collect();
    holders.sort_unstable();
    for h in holders {
        let Some(&i) = index.get(&h) else { continue };
        let g = &dump.goroutines[i as usize];
        let state = cls.state_text(dump, cls.state[i as usize]);
        let frames = dump.frames_of(g);
        let park = interesting(dump, frames).or((!frames.is_empty()).then_some(0)).map(|k| dump.sym(frames[k].func));
        let mut ev = format!("goroutine {h} is in [{state}]");
        if let Some(m) = g.wait_minutes {
            ev += &format!(" for {m} minutes");
        }
        if let Some(f) = park {
            ev += &format!(" at {f}");
        }
        let gn = b.goroutine(h, state);
        let wn = b.node(WaitNode {
            kind: WaitNodeKind::Blocked,
            goroutine: h,
            lock: 0,
            label: match park {
                Some(f) => format!("{state} in {f}"),
                None => state.to_string(),
            },
            count: 1,
            in_cycle: false,
        });
        b.edge(gn, wn, WaitEdgeKind::BlockedIn, 0, 0.0, vec![ev]);
    }
    cycles(&mut b.out);
    b.out
}

/// The state the waiters of `lock` are in, from its kind (for waiters without a node).
fn waiter_state(lock: &Lock) -> &'static str {
    use super::findings::LockKind::*;
    match lock.kind {
        Mutex => "sync.Mutex.Lock",
        RwMutexRead => "sync.RWMutex.RLock",
        RwMutexWrite => "sync.RWMutex.Lock",
        Semaphore => "semacquire",
    }
}

/// Goroutine id → index in `dump.goroutines`, for the ids in `want` only.
fn goroutine_index(dump: &Dump, want: &FxHashSet<u64>) -> FxHashMap<u64, u32> {
    let mut m = FxHashMap::default();
    if want.is_empty() {
        return m;
    }
    for (i, g) in dump.goroutines.iter().enumerate() {
        if want.contains(&g.id) {
            m.entry(g.id).or_insert(i as u32);
        }
    }
    m
}

/// Does this edge take part in cycle detection? Waiting, and the best-ranked holder.
fn strong(e: &WaitEdge) -> bool {
    match e.kind {
        WaitEdgeKind::WaitsOn => true,
        WaitEdgeKind::HeldBy => e.rank == 0,
        WaitEdgeKind::BlockedIn => false,
    }
}

/// Mark the strongly connected components with more than one node as cycles (iterative
/// Tarjan), in order of their smallest goroutine id.
fn cycles(g: &mut WaitFor) {
    let n = g.nodes.len();
    // Adjacency in CSR form over the strong edges.
    let mut start = vec![0u32; n + 1];
    for e in g.edges.iter().filter(|e| strong(e)) {
        start[e.from as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut adj = vec![0u32; start[n] as usize];
    for e in g.edges.iter().filter(|e| strong(e)) {
        adj[fill[e.from as usize] as usize] = e.to;
        fill[e.from as usize] += 1;
    }
    let mut idx = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut on = vec![false; n];
    let mut comp = vec![NONE; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut call: Vec<(u32, u32)> = Vec::new(); // (node, next adjacency position)
    let mut next = 0u32;
    let mut ncomp = 0u32;
    let mut comps: Vec<Vec<u32>> = Vec::new();
    for root in 0..n as u32 {
        if idx[root as usize] != NONE {
            continue;
        }
        call.push((root, start[root as usize]));
        idx[root as usize] = next;
        low[root as usize] = next;
        next += 1;
        stack.push(root);
        on[root as usize] = true;
        while let Some(&mut (v, ref mut pos)) = call.last_mut() {
            if *pos < start[v as usize + 1] {
                let w = adj[*pos as usize];
                *pos += 1;
                if idx[w as usize] == NONE {
                    idx[w as usize] = next;
                    low[w as usize] = next;
                    next += 1;
                    stack.push(w);
                    on[w as usize] = true;
                    call.push((w, start[w as usize]));
                } else if on[w as usize] {
                    low[v as usize] = low[v as usize].min(idx[w as usize]);
                }
                continue;
            }
            call.pop();
            if let Some(&(p, _)) = call.last() {
                low[p as usize] = low[p as usize].min(low[v as usize]);
            }
            if low[v as usize] == idx[v as usize] {
                let mut members = Vec::new();
                loop {
                    let w = stack.pop().unwrap();
                    on[w as usize] = false;
                    comp[w as usize] = ncomp;
                    members.push(w);
                    if w == v {
                        break;
                    }
                }
                ncomp += 1;
                comps.push(members);
            }
        }
    }
    let mut out: Vec<WaitCycle> = Vec::new();
    for (c, members) in comps.iter().enumerate() {
        if members.len() < 2 {
            continue;
        }
        let mut goroutines: Vec<u64> = Vec::new();
        let mut locks: Vec<u64> = Vec::new();
        for &m in members {
            let node = &mut g.nodes[m as usize];
            node.in_cycle = true;
            match node.kind {
                WaitNodeKind::Goroutine => goroutines.push(node.goroutine),
                WaitNodeKind::Lock => locks.push(node.lock),
                _ => {}
            }
        }
        let mut edges = Vec::new();
        for (k, e) in g.edges.iter_mut().enumerate() {
            if strong(e) && comp[e.from as usize] == c as u32 && comp[e.to as usize] == c as u32 {
                e.in_cycle = true;
                edges.push(k as u32);
            }
        }
        goroutines.sort_unstable();
        locks.sort_unstable();
        let ls: Vec<String> = locks.iter().map(|l| format!("{l:#x}")).collect();
        let gs: Vec<String> = goroutines.iter().map(|g| g.to_string()).collect();
        let summary = format!(
            "goroutines {} each wait on a lock ({}) whose best-ranked holder is another of them: a lock-order deadlock if the holders are right",
            gs.join(", "),
            ls.join(", ")
        );
        out.push(WaitCycle { goroutines, locks, edges, summary });
    }
    out.sort_by_key(|c| c.goroutines.first().copied().unwrap_or(u64::MAX));
    g.cycles = out;
}
