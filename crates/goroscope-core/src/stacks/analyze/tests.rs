//! Unit tests of the analyses over hand-built dumps.

use super::testkit::Builder;
use super::*;

fn opts() -> Options {
    Options {
        min_wait: 1,
        ..Default::default()
    }
}

fn sample() -> Dump {
    let mut b = Builder::default();
    b.g(1, "chan receive", Some(5), &[("main.main", "", 10)]);
    for id in [7, 3, 5] {
        b.g(
            id,
            "IO wait",
            Some(id as u32),
            &[
                ("internal/poll.runtime_pollWait", &format!("0x{id:x}, 0x72"), 1),
                ("net.(*conn).Read", "0xc000010000", 2),
                ("main.serve", "", 3),
            ],
        );
    }
    b.g(9, "running", None, &[("main.work", "0x1", 20)]);
    b.g(10, "runnable", None, &[("main.work", "0x2", 20)]);
    b.g(11, "select", Some(30), &[("main.loop", "", 40)]);
    b.build()
}

#[test]
fn groups_counts_and_order() {
    let d = sample();
    let r = analyze(&d, None, &opts());
    assert_eq!(r.goroutines, 7);
    assert_eq!(r.matched, 7);
    // loose: running and runnable share the Running class and frames
    assert_eq!(r.groups.len(), 4);
    assert_eq!(r.groups[0].count, 3);
    assert_eq!(r.groups[0].ids, vec![3, 5, 7]);
    assert_eq!((r.groups[0].wait_min, r.groups[0].wait_max), (Some(3), Some(7)));
    assert_eq!(r.groups[0].interesting, Some(1));
    assert_eq!(r.groups[0].frames[0].args, "0x7, 0x72");
    assert_eq!(r.groups[1].count, 2);
    assert_eq!(r.groups[1].class, StateClass::Running);
    // ties on count 1: wait desc
    assert_eq!(r.groups[2].ids, vec![11]);
    assert_eq!(r.groups[3].ids, vec![1]);
    assert_eq!(
        r.states[0],
        StateCount {
            state: "IO wait".into(),
            class: StateClass::Io,
            count: 3,
            leaked: 0
        }
    );
    let classes: Vec<_> = r.classes.iter().map(|c| (c.class, c.count)).collect();
    assert_eq!(
        classes,
        vec![
            (StateClass::Channel, 1),
            (StateClass::Select, 1),
            (StateClass::Io, 3),
            (StateClass::Running, 2)
        ]
    );
}

#[test]
fn exact_splits_on_args_and_state() {
    let d = sample();
    let r = analyze(
        &d,
        None,
        &Options {
            similarity: Similarity::Exact,
            ..opts()
        },
    );
    assert_eq!(r.groups.len(), 7);
}

#[test]
fn sort_by_wait_and_top_and_hung() {
    let d = sample();
    let r = analyze(
        &d,
        None,
        &Options {
            sort: SortBy::Wait,
            top: Some(2),
            ..opts()
        },
    );
    assert_eq!(r.groups.len(), 2);
    assert_eq!(r.groups[0].ids, vec![11]);
    assert_eq!(r.groups[1].ids, vec![3, 5, 7]);
    // hung is not cut by top, longest first; groups without minutes are not hung
    let w: Vec<_> = r.hung.iter().map(|g| g.wait_max).collect();
    assert_eq!(w, vec![Some(30), Some(7), Some(5)]);
    let r = analyze(&d, None, &Options { min_wait: 6, ..opts() });
    assert_eq!(r.hung.len(), 2);
}

#[test]
fn filters() {
    let d = sample();
    let r = analyze(
        &d,
        None,
        &Options {
            state: Some("io".into()),
            ..opts()
        },
    );
    assert_eq!(r.matched, 3);
    assert_eq!(r.groups.len(), 1);
    assert_eq!(r.states.len(), 5, "states count everything");
    let r = analyze(
        &d,
        None,
        &Options {
            state: Some("Running".into()),
            ..opts()
        },
    );
    assert_eq!(r.matched, 2);
    let r = analyze(
        &d,
        None,
        &Options {
            state: Some("chan".into()),
            ..opts()
        },
    );
    assert_eq!(r.matched, 1);
    let r = analyze(
        &d,
        None,
        &Options {
            matcher: Some(regex::Regex::new(r"^main\.(work|loop)$").unwrap()),
            ..opts()
        },
    );
    assert_eq!(r.matched, 3);
    let r = analyze(
        &d,
        None,
        &Options {
            matcher: Some(regex::Regex::new(r"net\.go$").unwrap()),
            ..opts()
        },
    );
    assert_eq!(r.matched, 3, "files match too");
}

#[test]
fn debug1_buckets_get_synthetic_states() {
    let mut b = Builder::default();
    b.agg(
        12096,
        &[
            ("sync.runtime_notifyListWait", 527),
            ("sync.(*Cond).Wait", 70),
            ("main.req", 1),
        ],
    );
    b.agg(
        5,
        &[
            ("internal/poll.runtime_pollWait", 1),
            ("internal/poll.(*pollDesc).wait", 2),
            ("net.read", 1),
        ],
    );
    b.agg(4, &[("time.Sleep", 1), ("main.tick", 1)]);
    b.agg(
        3,
        &[
            ("sync.runtime_SemacquireMutex", 1),
            ("sync.(*Mutex).lockSlow", 1),
            ("sync.(*Mutex).Lock", 1),
            ("sync.(*RWMutex).Lock", 1),
            ("main.w", 1),
        ],
    );
    b.agg(2, &[("main.loop", 1), ("time.Sleep", 1)]);
    let d = b.build();
    let r = analyze(&d, None, &opts());
    let st: Vec<_> = r.states.iter().map(|s| (s.state.as_str(), s.class, s.count)).collect();
    assert_eq!(
        st,
        vec![
            ("sync.Cond.Wait", StateClass::Lock, 12096),
            ("IO wait", StateClass::Io, 5),
            ("sleep", StateClass::Sleep, 4),
            ("sync.RWMutex.Lock", StateClass::Lock, 3),
            ("unknown", StateClass::Other, 2),
        ]
    );
    assert_eq!(r.groups[0].count, 12096);
    assert!(r.groups[0].ids.is_empty());
    assert_eq!(r.groups[0].interesting, Some(2));
}

/// The kubo yamux convoy of `stacks.md` §4 as one dump: the waiter, its holder, bystanders that
/// carry the container, an AB/BA waiter and Cond waiters. Long (87 lines) because it is one
/// scenario: the ranking is only meaningful with every goroutine in the same dump.
#[test]
fn contention_kubo_shape_with_holder_and_abba() {
    let mut b = Builder::default();
    b.g(
        2306090,
        "semacquire",
        Some(458),
        &[
            ("sync.runtime_Semacquire", "0xc8222fd3e4", 47),
            ("sync.(*Mutex).Lock", "0xc8222fd3e0", 83),
            ("gx/ipfs/Qm/yamux.(*Session).Close", "0xc8222fd340, 0x0, 0x0", 205),
            (
                "gx/ipfs/Qm/go-stream-muxer/yamux.(*conn).Close",
                "0xc8222fd340, 0x0, 0x0",
                39,
            ),
            ("gx/ipfs/Qm/go-peerstream.(*Conn).Close", "0xc8257a2000, 0x0, 0x0", 156),
        ],
    );
    // the holder: a Session method blocked on a channel for longer than the waiter
    b.g(
        100,
        "chan send",
        Some(460),
        &[
            ("gx/ipfs/Qm/yamux.(*Session).send", "0xc8222fd340, 0xc000001111", 300),
            ("gx/ipfs/Qm/yamux.(*Session).recvLoop", "0xc8222fd340", 310),
        ],
    );
    // same container, unrelated function, short wait
    b.g(101, "IO wait", Some(3), &[("bufio.(*Reader).Read", "0xc8222fd340", 1)]);
    // a `?` copy of the container in a Session method
    b.g(
        102,
        "select",
        None,
        &[("gx/ipfs/Qm/yamux.(*Session).keepalive", "0xc8222fd340?", 1)],
    );
    // a waiter on another lock that carries this lock's address: AB/BA
    b.g(
        200,
        "semacquire",
        Some(10),
        &[
            ("sync.runtime_Semacquire", "0xc000001004", 47),
            ("sync.(*Mutex).Lock", "0xc000001000", 83),
            ("main.transfer", "0xc8222fd3e0, 0xc000001000", 12),
        ],
    );
    // Cond waiters are not contention
    b.g(
        300,
        "sync.Cond.Wait",
        Some(458),
        &[
            ("sync.runtime_notifyListWait", "0xc000002010, 0x3", 1),
            ("sync.(*Cond).Wait", "0xc000002000", 2),
            ("main.q", "", 3),
        ],
    );
    let d = b.build();
    let r = analyze(&d, None, &opts());
    assert_eq!(r.contention.len(), 2, "{:#?}", r.contention);
    let l = r.contention.iter().find(|l| l.lock == 0xc8222fd3e0).unwrap();
    assert_eq!(l.kind, LockKind::Mutex);
    assert_eq!(l.waiters, vec![2306090]);
    assert_eq!(l.wait_max, Some(458));
    assert_eq!(l.site, "gx/ipfs/Qm/yamux.(*Session).Close");
    assert!(l.note.is_none(), "{:?}", l.note);
    let ids: Vec<u64> = l.candidates.iter().map(|c| c.goroutine).collect();
    assert_eq!(ids[0], 100, "{:#?}", l.candidates);
    assert!(ids.contains(&101) && ids.contains(&102) && ids.contains(&200));
    let top = &l.candidates[0];
    assert!(
        top.evidence[0]
            .contains("0xc8222fd340 = lock − 0xa0 (container seen in waiter 2306090 frame 2 yamux.(*Session).Close)"),
        "{:?}",
        top.evidence
    );
    assert!(top.evidence.iter().any(|e| e.contains("460 minutes")));
    let abba = l.candidates.iter().find(|c| c.goroutine == 200).unwrap();
    assert!(abba.evidence.iter().any(|e| e.contains("AB/BA")), "{:?}", abba.evidence);
    assert!(abba.evidence[0].contains("= lock"));
    let q = l.candidates.iter().find(|c| c.goroutine == 102).unwrap();
    assert!(q.score < l.candidates.iter().find(|c| c.goroutine == 101).unwrap().score + 3.0);
    let other = r.contention.iter().find(|l| l.lock == 0xc000001000).unwrap();
    assert_eq!(other.waiters, vec![200]);
}

#[test]
fn contention_dead_args_fall_back_to_receiver_type() {
    let mut b = Builder::default();
    for id in [23, 24] {
        b.g(
            id,
            "sync.Mutex.Lock",
            Some(7),
            &[
                ("internal/sync.runtime_SemacquireMutex", "0x0?, 0x0?, 0x0?", 95),
                ("internal/sync.(*Mutex).lockSlow", "0x0?", 149),
                ("internal/sync.(*Mutex).Lock", "...", 70),
                ("sync.(*Mutex).Lock", "...", 46),
                ("kv/store.(*Store).Put", "...", 12),
            ],
        );
    }
    b.g(
        30,
        "chan receive",
        Some(9),
        &[
            ("kv/store.(*Store).flush", "0x0?", 40),
            ("kv/store.(*Store).run", "...", 41),
        ],
    );
    b.g(31, "running", None, &[("main.main", "", 1)]);
    let d = b.build();
    let r = analyze(&d, None, &opts());
    assert_eq!(r.contention.len(), 1);
    let l = &r.contention[0];
    assert_eq!(l.lock, 0);
    assert_eq!(l.waiters, vec![23, 24]);
    assert!(l.note.as_deref().unwrap().contains("dead"), "{:?}", l.note);
    assert_eq!(l.candidates.len(), 1);
    assert_eq!(l.candidates[0].goroutine, 30);
    assert!(l.candidates[0].evidence[0].contains("same receiver type"));
}

#[test]
fn contention_rwmutex_offsets_and_writer_starvation() {
    let rw = 0xc000200000u64;
    let mut b = Builder::default();
    // Go 1.19 reader: readerSem = rw+12 through runtime_SemacquireMutex, RLock inlined
    b.g(
        1,
        "sync.RWMutex.RLock",
        Some(5),
        &[
            ("sync.runtime_SemacquireMutex", &format!("{:#x}, 0x0, 0x0", rw + 12), 1),
            ("sync.(*RWMutex).RLock", "...", 2),
            ("main.reader", "", 3),
        ],
    );
    // Go 1.20+ reader
    b.g(
        2,
        "sync.RWMutex.RLock",
        Some(5),
        &[
            (
                "sync.runtime_SemacquireRWMutexR",
                &format!("{:#x}, 0x0, 0x0", rw + 12),
                1,
            ),
            ("sync.(*RWMutex).RLock", "...", 2),
            ("main.reader", "", 3),
        ],
    );
    // writer, second phase: writerSem = rw+8
    b.g(
        3,
        "sync.RWMutex.Lock",
        Some(5),
        &[
            ("sync.runtime_SemacquireRWMutex", &format!("{:#x}, 0x0, 0x0", rw + 8), 1),
            ("sync.(*RWMutex).Lock", "...", 2),
            ("main.writer", "", 3),
        ],
    );
    // writer, first phase: waiting on rw.w (sema rw+4)
    b.g(
        4,
        "sync.RWMutex.Lock",
        Some(5),
        &[
            ("sync.runtime_SemacquireMutex", &format!("{:#x}, 0x0, 0x1", rw + 4), 1),
            ("sync.(*Mutex).lockSlow", "...", 2),
            ("sync.(*Mutex).Lock", "...", 3),
            ("sync.(*RWMutex).Lock", "...", 4),
            ("main.writer", "", 5),
        ],
    );
    // the reader holding RLock
    b.g(
        5,
        "chan receive",
        Some(6),
        &[("main.holdsRead", &format!("{rw:#x}"), 9)],
    );
    let d = b.build();
    let r = analyze(&d, None, &opts());
    assert_eq!(r.contention.len(), 1, "{:#?}", r.contention);
    let l = &r.contention[0];
    assert_eq!(l.lock, rw);
    assert_eq!(l.kind, LockKind::RwMutexWrite);
    assert_eq!(l.waiters, vec![1, 2, 3, 4]);
    assert_eq!(l.candidates[0].goroutine, 5);
    assert!(l.note.as_deref().unwrap().contains("holding RLock"));
}

#[test]
fn diff_matches_groups_by_strings() {
    let base = {
        let mut b = Builder::default();
        b.g(1, "chan receive", None, &[("main.leak", "", 5)]);
        b.g(2, "IO wait", None, &[("main.read", "", 7)]);
        b.g(3, "IO wait", None, &[("main.read", "", 7)]);
        b.g(4, "sleep", None, &[("main.gone", "", 1)]);
        b.build()
    };
    let cur = {
        let mut b = Builder::default();
        b.g(9, "running", None, &[("main.new", "", 1)]); // interned first: Sym ids differ from base
        for id in 10..15 {
            b.g(id, "chan receive", None, &[("main.leak", &format!("{id:#x}"), 5)]);
        }
        b.g(20, "IO wait", None, &[("main.read", "", 7)]);
        b.g(21, "IO wait", None, &[("main.read", "", 7)]);
        b.build()
    };
    let r = analyze(&cur, Some(&base), &opts());
    let d = r.diff.unwrap();
    let v: Vec<_> = d
        .iter()
        .map(|x| (x.function.as_str(), x.base, x.current, x.delta, x.group))
        .collect();
    assert_eq!(
        v,
        vec![
            ("main.leak", 1, 5, 4, Some(0)),
            ("main.new", 0, 1, 1, Some(2)),
            ("main.gone", 1, 0, -1, None)
        ]
    );
    assert_eq!(d[2].state, "sleep");
    // exact grouping splits main.leak into 5 groups; the diff adds them up
    let r = analyze(
        &cur,
        Some(&base),
        &Options {
            similarity: Similarity::Exact,
            top: Some(1),
            ..opts()
        },
    );
    let d = r.diff.unwrap();
    assert_eq!((d[0].function.as_str(), d[0].current, d[0].delta), ("main.leak", 5, 4));
    assert!(analyze(&cur, None, &opts()).diff.is_none());
}

/// Workers on one stack with different labels, two of them leaked, plus an unlabelled one.
fn labelled() -> Dump {
    let mut b = Builder::default();
    let stack: &[(&str, &str, u32)] = &[("runtime.gopark", "", 1), ("main.worker", "", 7)];
    b.g(1, "chan send", None, stack).labels(&[("tenant", "a b"), ("worker", "w")]).leaked();
    b.g(2, "chan send", None, stack).labels(&[("tenant", "c"), ("worker", "w")]).leaked();
    b.g(3, "chan send", None, stack).labels(&[("tenant", "a b"), ("worker", "w")]);
    b.g(4, "chan send", None, stack);
    b.g(5, "select", None, &[("main.loop", "", 40)]).labels(&[("tenant", "c")]);
    b.build()
}

#[test]
fn labels_do_not_split_groups_but_are_listed() {
    let d = labelled();
    let r = analyze(&d, None, &opts());
    assert_eq!(r.groups.len(), 2);
    let g = &r.groups[0];
    assert_eq!((g.count, g.leaked, g.label_value.as_deref()), (4, 2, None));
    let sets: Vec<(Vec<(&str, &str)>, u64)> = g
        .labels
        .iter()
        .map(|s| (s.labels.iter().map(|l| (l.key.as_str(), l.value.as_str())).collect(), s.count))
        .collect();
    assert_eq!(
        sets,
        vec![(vec![("tenant", "a b"), ("worker", "w")], 2), (vec![("tenant", "c"), ("worker", "w")], 1), (vec![], 1)]
    );
    assert_eq!(r.states.iter().find(|s| s.state == "chan send").map(|s| (s.count, s.leaked)), Some((4, 2)));
}

#[test]
fn group_by_label_and_label_filter() {
    let d = labelled();
    let r = analyze(&d, None, &Options { group_by_label: Some("tenant".into()), ..opts() });
    let gs: Vec<(u64, Option<&str>, Vec<u64>)> =
        r.groups.iter().map(|g| (g.count, g.label_value.as_deref(), g.ids.clone())).collect();
    assert_eq!(
        gs,
        vec![(2, Some("a b"), vec![1, 3]), (1, Some("c"), vec![2]), (1, None, vec![4]), (1, Some("c"), vec![5])]
    );
    let only = |labels: &[(&str, &str)]| {
        let labels = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let r = analyze(&d, None, &Options { labels, ..opts() });
        let mut ids: Vec<u64> = r.groups.iter().flat_map(|g| g.ids.clone()).collect();
        ids.sort();
        (r.matched, ids)
    };
    assert_eq!(only(&[("tenant", "c")]), (2, vec![2, 5]));
    assert_eq!(only(&[("tenant", "c"), ("worker", "w")]), (1, vec![2]));
    assert_eq!(only(&[("tenant", "nobody")]), (0, vec![]));
}

#[test]
fn leaks_lead_with_their_count() {
    let d = labelled();
    let r = analyze(&d, None, &opts());
    assert_eq!(r.leaked, 2);
    assert_eq!(r.leaks.len(), 1);
    let l = &r.leaks[0];
    assert_eq!((l.count, l.state.as_str(), l.ids.clone()), (2, "chan send", vec![1, 2]));
    assert_eq!(l.frame.as_ref().map(|f| f.function.as_str()), Some("main.worker"));
    assert_eq!(l.labels.len(), 2);
    // Filters apply to leaks as to groups.
    let r = analyze(&d, None, &Options { labels: vec![("tenant".into(), "a b".into())], ..opts() });
    assert_eq!((r.leaked, r.leaks[0].ids.clone()), (1, vec![1]));
}

#[test]
fn wait_for_chains_holders_across_locks_and_counts_big_convoys() {
    let mut b = Builder::default();
    // 40 waiters on lock A
    for id in 1..=40 {
        b.g(
            id,
            "semacquire",
            Some(30),
            &[
                ("sync.runtime_Semacquire", "0xa004", 47),
                ("sync.(*Mutex).Lock", "0xa000", 83),
                ("main.a", "0x1", 10),
            ],
        );
    }
    // A's holder carries A's address and itself waits on lock B (far enough from A that A is no
    // container of B)
    b.g(
        100,
        "semacquire",
        Some(31),
        &[
            ("sync.runtime_Semacquire", "0xf0004", 47),
            ("sync.(*Mutex).Lock", "0xf0000", 83),
            ("main.holdA", "0xa000, 0xf0000", 20),
        ],
    );
    // B's holder is parked on a channel
    b.g(200, "chan receive", Some(32), &[("main.holdB", "0xf0000", 30)]);
    let d = b.build();
    let r = analyze(&d, None, &opts());
    let w = &r.wait_for;
    assert!(w.cycles.is_empty(), "{:#?}", w.cycles);
    let node = |k: WaitNodeKind, f: &dyn Fn(&WaitNode) -> bool| w.nodes.iter().position(|n| n.kind == k && f(n)).unwrap() as u32;
    let la = node(WaitNodeKind::Lock, &|n| n.lock == 0xa000);
    let lb = node(WaitNodeKind::Lock, &|n| n.lock == 0xf0000);
    let g100 = node(WaitNodeKind::Goroutine, &|n| n.goroutine == 100);
    let g200 = node(WaitNodeKind::Goroutine, &|n| n.goroutine == 200);
    let edge = |from: u32, to: u32| w.edges.iter().find(|e| e.from == from && e.to == to).unwrap_or_else(|| panic!("{from} → {to}: {:#?}", w.edges));
    assert_eq!(w.nodes[la as usize].count, 40);
    let into_a: Vec<&WaitEdge> = w.edges.iter().filter(|e| e.to == la && e.kind == WaitEdgeKind::WaitsOn).collect();
    assert_eq!(into_a.len(), WAITER_NODES + 1, "16 waiter nodes and one counting the rest");
    let rest = into_a.iter().map(|e| &w.nodes[e.from as usize]).find(|n| n.kind == WaitNodeKind::Waiters).unwrap();
    assert_eq!(rest.count, 40 - WAITER_NODES as u64);
    let held = edge(la, g100);
    assert_eq!((held.kind, held.rank), (WaitEdgeKind::HeldBy, 0));
    assert!(held.evidence.iter().any(|e| e.contains("= lock")), "{:?}", held.evidence);
    assert_eq!(edge(g100, lb).kind, WaitEdgeKind::WaitsOn);
    assert_eq!(edge(lb, g200).kind, WaitEdgeKind::HeldBy);
    let blocked = w.edges.iter().find(|e| e.from == g200 && e.kind == WaitEdgeKind::BlockedIn).unwrap();
    assert_eq!(w.nodes[blocked.to as usize].label, "chan receive in main.holdB");
    assert!(blocked.evidence[0].contains("32 minutes"));
    // no blockedIn for a holder that waits on a lock we found
    assert!(!w.edges.iter().any(|e| e.from == g100 && e.kind == WaitEdgeKind::BlockedIn));
}
