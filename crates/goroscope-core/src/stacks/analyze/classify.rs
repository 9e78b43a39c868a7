//! State classes: map Go's wait reasons (and, for debug=1 buckets, the leaf frames) to a
//! `StateClass`, and count goroutines per raw state and per class.
//!
//! debug=1 buckets carry no state. They get a *synthetic* state named like the wait reason Go
//! would have printed, derived from their leading `runtime`/`sync`/`internal` frames and the
//! first frame after them (`sync.runtime_notifyListWait` → `sync.Cond.Wait`, `runtime.selectgo`
//! → `select`, `internal/poll.runtime_pollWait` → `IO wait`, `time.Sleep` → `sleep`, …), or
//! `unknown` (class `Other`) when nothing is recognisable — debug=1 hides the leading runtime
//! frames, so most channel and select buckets end up `unknown`.

use rustc_hash::FxHashMap;

use super::findings::{ClassCount, StateClass, StateCount};
use crate::stacks::model::{Dump, Form, Goroutine};

/// The states a debug=1 bucket can be given (see the module doc). Index = id − `Dump::symbols.len()`.
pub(crate) const SYNTHETIC: &[&str] = &[
    "sync.Cond.Wait",
    "sync.RWMutex.RLock",
    "sync.RWMutex.Lock",
    "sync.WaitGroup.Wait",
    "sync.Mutex.Lock",
    "semacquire",
    "chan receive",
    "chan send",
    "select",
    "IO wait",
    "syscall",
    "sleep",
    "unknown",
];
const SYN_UNKNOWN: usize = SYNTHETIC.len() - 1;

/// All classes, in report order.
pub const CLASSES: [StateClass; 9] = [
    StateClass::Lock,
    StateClass::Channel,
    StateClass::Select,
    StateClass::Io,
    StateClass::Syscall,
    StateClass::Sleep,
    StateClass::Running,
    StateClass::Runtime,
    StateClass::Other,
];

/// The lower-case name used by the `state` filter (and by renderers).
pub fn class_name(c: StateClass) -> &'static str {
    match c {
        StateClass::Lock => "lock",
        StateClass::Channel => "channel",
        StateClass::Select => "select",
        StateClass::Io => "io",
        StateClass::Syscall => "syscall",
        StateClass::Sleep => "sleep",
        StateClass::Running => "running",
        StateClass::Runtime => "runtime",
        StateClass::Other => "other",
    }
}

/// One line on what goroutines in this class are doing, in the words of a debug guide.
pub fn explanation(c: StateClass) -> &'static str {
    match c {
        StateClass::Lock => "waiting to acquire a lock or semaphore (Mutex, RWMutex, WaitGroup, Cond); if these pile up, find the goroutine holding it",
        StateClass::Channel => "blocked sending to or receiving from a channel; a growing pile at one line means nobody is on the other end",
        StateClass::Select => "blocked in a select on several channels; normal for idle event loops and workers waiting for work",
        StateClass::Io => "waiting for network or file I/O in the netpoller; normal for open connections, one per connection",
        StateClass::Syscall => "inside a system call or cgo; a long time here means the OS call itself is blocking",
        StateClass::Sleep => "sleeping in time.Sleep; normal for periodic loops",
        StateClass::Running => "running or ready to run; a large count means the CPUs are saturated",
        StateClass::Runtime => "Go runtime housekeeping (GC workers, finalizers, timers); rarely the cause of a hang",
        StateClass::Other => "an unrecognised or missing wait reason (debug=1 buckets have none); read the stacks",
    }
}

/// Class of a raw state string as Go printed it (wait reason or G status).
pub fn classify_state(s: &str) -> StateClass {
    use StateClass::*;
    match s {
        "semacquire"
        | "sync.Cond.Wait"
        | "sync.Mutex.Lock"
        | "sync.RWMutex.RLock"
        | "sync.RWMutex.Lock"
        | "sync.WaitGroup.Wait"
        | "sync.WaitGroup.Wait (durable)" => Lock,
        "chan receive"
        | "chan send"
        | "chan receive (nil chan)"
        | "chan send (nil chan)"
        | "chan receive (durable)"
        | "chan send (durable)"
        | "coroutine" => Channel,
        "select" | "select (no cases)" | "select (durable)" => Select,
        "IO wait" => Io,
        "syscall" => Syscall,
        "sleep" => Sleep,
        "running" | "runnable" | "preempted" => Running,
        "GC assist marking"
        | "dumping heap"
        | "garbage collection"
        | "garbage collection scan"
        | "panicwait"
        | "GC assist wait"
        | "GC sweep wait"
        | "GC scavenge wait"
        | "finalizer wait"
        | "force gc (idle)"
        | "GOMAXPROCS updater (idle)"
        | "trace reader (blocked)"
        | "wait for GC cycle"
        | "GC worker (idle)"
        | "GC worker (active)"
        | "debug call"
        | "GC mark termination"
        | "stopping the world"
        | "flushing proc caches"
        | "trace goroutine status"
        | "trace proc status"
        | "page trace flush"
        | "GC weak to strong wait"
        | "cleanup wait"
        | "timer goroutine (idle)"
        | "idle"
        | "copystack"
        | "stack growth" => Runtime,
        _ => {
            // Future reasons of the same families.
            if s.starts_with("chan ") {
                Channel
            } else if s.starts_with("select") {
                Select
            } else if s.starts_with("sync.") {
                Lock
            } else if s.starts_with("GC ") || s.starts_with("trace ") || s.starts_with("garbage collection") {
                Runtime
            } else {
                Other
            }
        }
    }
}

/// A state id: a `Sym` of the dump, or `symbols.len() + i` for `SYNTHETIC[i]`.
pub(crate) type StateId = u32;

/// Per-goroutine state id and class, computed once.
pub(crate) struct Classified {
    pub state: Vec<StateId>,
    pub class: Vec<StateClass>,
    nsyms: u32,
}

impl Classified {
    pub fn new(dump: &Dump) -> Classified {
        let nsyms = dump.symbols.len() as u32;
        // Per-Sym cache of classes (states are few, but indexing is cheaper than hashing).
        let mut cache: FxHashMap<u32, StateClass> = FxHashMap::default();
        let mut state = Vec::with_capacity(dump.goroutines.len());
        let mut class = Vec::with_capacity(dump.goroutines.len());
        for g in &dump.goroutines {
            let (id, c) = if g.form == Form::Aggregated && g.state == 0 {
                let i = synthetic_state(dump, g);
                (nsyms + i as u32, classify_state(SYNTHETIC[i]))
            } else {
                let c = *cache
                    .entry(g.state)
                    .or_insert_with(|| classify_state(dump.sym(g.state)));
                (g.state, c)
            };
            state.push(id);
            class.push(c);
        }
        Classified { state, class, nsyms }
    }

    pub fn state_text<'a>(&self, dump: &'a Dump, id: StateId) -> &'a str {
        if id >= self.nsyms {
            SYNTHETIC[(id - self.nsyms) as usize]
        } else {
            dump.sym(id)
        }
    }

    /// Raw state → count (most first, then by name; with how many of them are leaked) and
    /// class → count (class order).
    pub fn counts(&self, dump: &Dump) -> (Vec<StateCount>, Vec<ClassCount>) {
        let mut by_state: FxHashMap<StateId, (StateClass, u64, u64)> = FxHashMap::default();
        let mut by_class = [0u64; 9];
        for (i, g) in dump.goroutines.iter().enumerate() {
            let e = by_state.entry(self.state[i]).or_insert((self.class[i], 0, 0));
            e.1 += g.count as u64;
            if g.leaked {
                e.2 += g.count as u64;
            }
            by_class[self.class[i] as usize] += g.count as u64;
        }
        let mut states: Vec<StateCount> = by_state
            .into_iter()
            .map(|(id, (class, count, leaked))| StateCount {
                state: self.state_text(dump, id).to_string(),
                class,
                count,
                leaked,
            })
            .collect();
        states.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.state.cmp(&b.state)));
        let classes = CLASSES
            .iter()
            .filter(|c| by_class[**c as usize] > 0)
            .map(|&c| ClassCount {
                class: c,
                count: by_class[c as usize],
                explanation: explanation(c),
            })
            .collect();
        (states, classes)
    }
}

/// Leading frames that belong to the runtime or the sync packages (not user code).
pub fn is_runtime_func(f: &str) -> bool {
    f.starts_with("runtime.")
        || f.starts_with("runtime/internal/")
        || f.starts_with("sync.")
        || f.starts_with("sync/atomic.")
        || f.starts_with("internal/")
        || f == "panic"
        || f == "goexit"
}

/// The synthetic state index for a debug=1 bucket, from its leading frames.
fn synthetic_state(dump: &Dump, g: &Goroutine) -> usize {
    // Precedence: the lowest index in SYNTHETIC wins (Cond before RWMutex before Mutex, …),
    // so an RWMutex.Lock waiting on its inner Mutex is an RWMutex.Lock.
    let mut best = SYN_UNKNOWN;
    for f in dump.frames_of(g) {
        let name = dump.sym(f.func);
        let hit = match name.strip_prefix("internal/").unwrap_or(name) {
            "sync.runtime_notifyListWait" | "sync.(*Cond).Wait" => 0,
            "sync.runtime_SemacquireRWMutexR" | "sync.(*RWMutex).RLock" => 1,
            "sync.runtime_SemacquireRWMutex" | "sync.(*RWMutex).Lock" => 2,
            "sync.runtime_SemacquireWaitGroup" | "sync.(*WaitGroup).Wait" => 3,
            "sync.runtime_SemacquireMutex" | "sync.(*Mutex).Lock" | "sync.(*Mutex).lockSlow" => 4,
            "sync.runtime_Semacquire" | "runtime.semacquire1" => 5,
            "runtime.chanrecv" | "runtime.chanrecv1" | "runtime.chanrecv2" => 6,
            "runtime.chansend" | "runtime.chansend1" => 7,
            "runtime.selectgo" | "runtime.block" => 8,
            "poll.runtime_pollWait"
            | "poll.(*pollDesc).wait"
            | "poll.(*pollDesc).waitRead"
            | "poll.(*pollDesc).waitWrite"
            | "runtime.netpollblock" => 9,
            "syscall.Syscall"
            | "syscall.Syscall6"
            | "syscall.RawSyscall"
            | "syscall.RawSyscall6"
            | "syscall.SyscallN"
            | "syscall.syscall"
            | "syscall.syscall6"
            | "runtime/syscall.Syscall6"
            | "runtime.cgocall" => 10,
            "time.Sleep" | "runtime.timeSleep" => 11,
            _ => SYN_UNKNOWN,
        };
        best = best.min(hit);
        if !is_runtime_func(name) {
            break; // the first user (or non-runtime std) frame ends the leading run
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_of_the_reference_list_is_classified() {
        use StateClass::*;
        let cases: &[(&str, StateClass)] = &[
            ("", Other),
            ("GC assist marking", Runtime),
            ("IO wait", Io),
            ("chan receive (nil chan)", Channel),
            ("chan send (nil chan)", Channel),
            ("dumping heap", Runtime),
            ("garbage collection", Runtime),
            ("garbage collection scan", Runtime),
            ("panicwait", Runtime),
            ("select", Select),
            ("select (no cases)", Select),
            ("GC assist wait", Runtime),
            ("GC sweep wait", Runtime),
            ("GC scavenge wait", Runtime),
            ("chan receive", Channel),
            ("chan send", Channel),
            ("finalizer wait", Runtime),
            ("force gc (idle)", Runtime),
            ("GOMAXPROCS updater (idle)", Runtime),
            ("semacquire", Lock),
            ("sleep", Sleep),
            ("sync.Cond.Wait", Lock),
            ("sync.Mutex.Lock", Lock),
            ("sync.RWMutex.RLock", Lock),
            ("sync.RWMutex.Lock", Lock),
            ("sync.WaitGroup.Wait", Lock),
            ("trace reader (blocked)", Runtime),
            ("wait for GC cycle", Runtime),
            ("GC worker (idle)", Runtime),
            ("GC worker (active)", Runtime),
            ("preempted", Running),
            ("debug call", Runtime),
            ("GC mark termination", Runtime),
            ("stopping the world", Runtime),
            ("flushing proc caches", Runtime),
            ("trace goroutine status", Runtime),
            ("trace proc status", Runtime),
            ("page trace flush", Runtime),
            ("coroutine", Channel),
            ("GC weak to strong wait", Runtime),
            ("synctest.Run", Other),
            ("synctest.Wait", Other),
            ("chan receive (durable)", Channel),
            ("chan send (durable)", Channel),
            ("select (durable)", Select),
            ("sync.WaitGroup.Wait (durable)", Lock),
            ("cleanup wait", Runtime),
            ("timer goroutine (idle)", Runtime),
            ("running", Running),
            ("runnable", Running),
            ("syscall", Syscall),
            ("idle", Runtime),
            ("unknown wait reason", Other),
            ("waiting", Other),
        ];
        for (s, c) in cases {
            assert_eq!(classify_state(s), *c, "{s:?}");
        }
        for s in SYNTHETIC {
            let _ = classify_state(s);
        }
        assert_eq!(classify_state("unknown"), Other);
    }

    #[test]
    fn runtime_funcs() {
        assert!(is_runtime_func("runtime.gopark"));
        assert!(is_runtime_func("sync.(*Mutex).Lock"));
        assert!(is_runtime_func("internal/poll.runtime_pollWait"));
        assert!(is_runtime_func("panic"));
        assert!(!is_runtime_func("runtime/pprof.writeGoroutineStacks"));
        assert!(!is_runtime_func("main.main"));
        assert!(!is_runtime_func("net.(*netFD).Read"));
    }
}
