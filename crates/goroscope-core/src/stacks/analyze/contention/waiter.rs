//! Recognising a lock waiter and what identifies its lock: the lock frames of its stack (by
//! function name), the lock's base address recovered from their arguments, or, when the register
//! ABI left the address dead, the receiver of the frame that took the lock.

use super::super::classify::is_runtime_func;
use super::super::findings::LockKind;
use super::super::scalars::{self, Scalar};
use crate::stacks::model::{Dump, Frame, Goroutine, Sym};

/// A frame that takes part in locking, by its function (with `internal/` stripped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LockFrame {
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
    pub fn of(name: &str) -> Option<LockFrame> {
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
    pub fn is_pointer(self) -> bool {
        matches!(
            self,
            LockFrame::MutexLock
                | LockFrame::MutexLockSlow
                | LockFrame::RwRLock
                | LockFrame::RwLock
                | LockFrame::WaitGroupWait
        )
    }
    pub fn is_sema(self) -> bool {
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
pub(super) enum Key {
    /// The lock's base address.
    Addr(u64),
    /// The lock's address is dead; the waiters' site is a method whose receiver (the struct
    /// that most likely contains the lock) is known exactly.
    Recv(u64),
    /// Nothing usable: bucketed by the frame that took the lock (function, line).
    Site(Sym, u32),
}

pub(super) struct Waiter {
    pub kind: LockKind,
    pub key: Key,
    pub inaccurate: bool,
    /// First frame after the lock frames that is not runtime/sync/internal.
    pub site: Option<usize>,
    /// Index of the last lock frame (frames above it may carry a container address).
    pub lock_end: usize,
}

/// Recognise a lock waiter and decide what identifies its lock.
pub(super) fn waiter(dump: &Dump, g: &Goroutine, state: &str) -> Option<Waiter> {
    let frames = dump.frames_of(g);
    let (lfs, site) = lock_frames(dump, frames);
    let kind = waiter_kind(&lfs, state)?;
    let (key, inaccurate) = lock_key(dump, frames, &lfs, kind, site);
    let lock_end = lfs.last().map_or(0, |&(i, _)| i);
    Some(Waiter {
        kind,
        key,
        inaccurate,
        site,
        lock_end,
    })
}

/// The leading lock frames (index, kind) of a stack, and the site: the first frame after them
/// that is not runtime/sync/internal.
fn lock_frames(dump: &Dump, frames: &[Frame]) -> (Vec<(usize, LockFrame)>, Option<usize>) {
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
    (lfs, site)
}

/// What kind of lock the goroutine waits on, from its lock frames or (frames inlined away) its
/// state; None when it waits on no lock (a condition variable has no holder).
fn waiter_kind(lfs: &[(usize, LockFrame)], state: &str) -> Option<LockKind> {
    let has = |p: &dyn Fn(LockFrame) -> bool| lfs.iter().any(|&(_, l)| p(l));
    use LockFrame::*;
    if has(&|l| l == Cond) || state == "sync.Cond.Wait" {
        return None;
    }
    Some(if has(&|l| matches!(l, RwRLock | SemaRwR)) || (lfs.is_empty() && state == "sync.RWMutex.RLock") {
        LockKind::RwMutexRead
    } else if has(&|l| matches!(l, RwLock | SemaRw)) || (lfs.is_empty() && state == "sync.RWMutex.Lock") {
        LockKind::RwMutexWrite
    } else if has(&|l| matches!(l, MutexLock | MutexLockSlow | SemaMutex)) || state == "sync.Mutex.Lock" {
        LockKind::Mutex
    } else if !lfs.is_empty() || state == "semacquire" || state.starts_with("sync.WaitGroup.Wait") {
        LockKind::Semaphore
    } else {
        return None;
    })
}

/// What identifies the lock, best first: its exact address, else the site's exact receiver,
/// else a `?` pointer argument, else the site itself. The flag: only a `?` value gave it.
fn lock_key(dump: &Dump, frames: &[Frame], lfs: &[(usize, LockFrame)], kind: LockKind, site: Option<usize>) -> (Key, bool) {
    let recv = || {
        let f = &frames[site?];
        receiver(dump.sym(f.func))?;
        scalars::first(dump.span(f.args))
            .filter(|s| !s.inaccurate && s.value != 0)
            .map(|s| s.value)
    };
    if let Some(a) = lock_address(dump, frames, lfs, kind, false) {
        (Key::Addr(a.base), false)
    } else if let Some(r) = recv() {
        (Key::Recv(r), false)
    } else if let Some(a) = lock_address(dump, frames, lfs, kind, true) {
        (Key::Addr(a.base), a.inaccurate)
    } else {
        let s = site.map(|s| &frames[s]);
        (Key::Site(s.map_or(0, |f| f.func), s.map_or(0, |f| f.line)), false)
    }
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
pub(super) fn receiver(func: &str) -> Option<(&str, &str)> {
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
