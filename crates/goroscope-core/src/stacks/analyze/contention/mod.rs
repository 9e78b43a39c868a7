//! Lock contention: waiters grouped by the lock they wait on (its base address, recovered from
//! their lock frames) with candidate holders ranked by circumstantial evidence, as in §4 of
//! `stacks.md`: the lock address or a containing struct's address in another goroutine's frames,
//! its receiver type, its state and its wait.
//!
//! [`find`] runs five phases over one [`Locks`] value, then ranks each lock's holders:
//!
//! 1. `gather::waiters` — recognise waiters (`waiter.rs`) and group them by what identifies
//!    their lock (address, receiver, or site);
//! 2. `gather::containers` — addresses just below each lock in its waiters' own frames (the
//!    struct that holds the lock), which a holder is more likely to pass than the lock itself;
//! 3. `gather::join_receivers` — waiters known only by their receiver join the lock whose
//!    waiters saw that receiver as a container; then each lock's site is chosen;
//! 4. `evidence::address_hits` — one pass over every goroutine's arguments, looking up the
//!    lock and container addresses;
//! 5. `evidence::type_hits` — for locks without address evidence, goroutines in methods of the
//!    waiters' receiver type;
//!
//! and `holders::build` turns each lock's evidence into ranked [`Candidate`]s and notes.
//! After phase 4, [`Locks`] says which goroutine waits on which lock (`waiter_of`) and which
//! goroutines carry each lock's addresses (`hits`): the edges a wait-for graph needs.
//!
//! Linear: one pass over the waiters, one pass over every goroutine's arguments looking values
//! up in a hash map of the (few) addresses of interest, one pass for the type-level fallback.
//!
//! [`Candidate`]: super::findings::Candidate

mod evidence;
mod gather;
mod holders;
mod waiter;

use rustc_hash::FxHashMap;

use super::classify::Classified;
use super::findings::{Lock, LockKind};
use crate::stacks::model::{Dump, Sym};
use waiter::{Key, Waiter};

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

/// A lock's address, or one of its containers, in a frame of a goroutine that is not one of its
/// waiters.
#[derive(Clone, Copy, Debug)]
struct Hit {
    g: u32,
    frame: u32,
    value: u64,
    inaccurate: bool,
    rel: Rel,
}

/// One lock while the phases build it up.
struct LockAcc {
    key: Key,
    waiters: Vec<u32>,
    /// Waiters per [`LockKind`], indexed by [`kind_index`].
    kinds: [u64; 4],
    wait_max: Option<u32>,
    /// Every waiter's address came from `?` values only.
    inaccurate: bool,
    /// Site function → waiters that took the lock there.
    sites: FxHashMap<Sym, u32>,
    containers: Vec<Container>,
    hits: Vec<Hit>,
    /// The most common site.
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

/// The locks of a dump and who waits on which: what the phases build up.
struct Locks {
    locks: Vec<LockAcc>,
    /// Per goroutine (index into `Dump::goroutines`): the lock it waits on, or [`NONE`].
    waiter_of: Vec<u32>,
    /// The waiters in selection order (goroutine index) with what identified their lock.
    waiters: Vec<(u32, Waiter)>,
}

/// Find locks among the selected goroutines; candidates come from every goroutine.
pub(crate) fn find(dump: &Dump, cls: &Classified, sel: &[u32]) -> Vec<Lock> {
    let Some(mut c) = gather::waiters(dump, cls, sel) else {
        return Vec::new();
    };
    gather::containers(dump, &mut c);
    gather::join_receivers(&mut c);
    gather::choose_sites(&mut c);
    evidence::address_hits(dump, &mut c);
    let types = evidence::type_hits(dump, &c);
    let mut out: Vec<Lock> = (0..c.locks.len())
        .filter(|&l| !c.locks[l].merged)
        .map(|l| holders::build(dump, cls, &c, l, types.of(l)))
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

/// `gx/ipfs/Qm…/yamux.(*Session).Close` → `yamux.(*Session).Close`.
fn short(func: &str) -> &str {
    func.rfind('/').map_or(func, |i| &func[i + 1..])
}
