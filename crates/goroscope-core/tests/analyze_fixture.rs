//! Lock contention on dumps of the fixture Go program (`fixtures/goprog`) from both supported
//! runtimes, Go 1.26.8 and Go 1.27.3 (its capture with GODEBUG=tracebacklabels=0; the labelled
//! ones need the labels parsed): the `.facts.json` next to each dump names the goroutines that
//! really hold the locks.

use goroscope_core::source::Source;
use goroscope_core::stacks::analyze::{analyze, LockKind, Options, WaitEdgeKind, WaitNodeKind};
use goroscope_core::stacks::parse::parse;

const DUMPS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/dumps");

/// The committed dump and its facts; both are in the repository, so a missing one is a failure.
fn load(name: &str) -> (goroscope_core::stacks::Dump, serde_json::Value) {
    let txt = std::path::Path::new(DUMPS).join(format!("{name}.txt"));
    let facts = std::path::Path::new(DUMPS).join(format!("{name}.facts.json"));
    let d = parse(Source::open(&txt).unwrap(), name).unwrap();
    let f: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(facts).unwrap()).unwrap();
    (d, f)
}

fn ids(v: &serde_json::Value) -> Vec<u64> {
    let mut v: Vec<u64> = v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect();
    v.sort_unstable();
    v
}

/// One dump per runtime, each waited long enough for ", N minutes".
const DUMPS_BOTH: &[&str] = &["go126-debug2-minutes", "go127-nolabels-debug2"];

#[test]
fn convoy_holder_is_top_candidate_and_rw_reader_holder_found() {
    for name in DUMPS_BOTH {
        convoy_and_rw(name);
    }
}

fn convoy_and_rw(name: &str) {
    let (d, f) = load(name);
    let r = analyze(
        &d,
        None,
        &Options {
            min_wait: 1,
            ..Default::default()
        },
    );

    let m = &f["mutex_convoy"];
    let addr = u64::from_str_radix(m["mutex_addr"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    let lock = r
        .contention
        .iter()
        .find(|l| l.lock == addr)
        .expect("the Store mutex, by its lockSlow address");
    assert_eq!(lock.kind, LockKind::Mutex);
    let mut want = ids(&m["waiters"]);
    if m.get("late_waiters").is_some_and(|v| v.is_array()) {
        want.extend(ids(&m["late_waiters"])); // joined the convoy a minute later
        want.sort_unstable();
    }
    assert_eq!(lock.waiters, want);
    assert_eq!(lock.site, m["waiter_function"].as_str().unwrap());
    let top = &lock.candidates[0];
    assert_eq!(top.goroutine, m["holder"].as_u64().unwrap(), "{name}: {:#?}", lock.candidates);
    assert_eq!(top.state, m["holder_wait_reason"].as_str().unwrap());
    let off = m["mutex_offset"].as_u64().unwrap();
    assert!(
        top.evidence[0].contains(&format!("= lock − {off:#x}")),
        "{:?}",
        top.evidence
    );

    let rw = &f["rwmutex"];
    let writer = rw["writer"].as_u64().unwrap();
    let lock = r
        .contention
        .iter()
        .find(|l| l.waiters.contains(&writer))
        .expect("the RWMutex");
    let mut want = ids(&rw["readers"]);
    want.push(writer);
    want.sort_unstable();
    assert_eq!(lock.waiters, want, "writer and readers share the lock");
    assert_eq!(lock.kind, LockKind::RwMutexWrite);
    let holder = rw["holder"].as_u64().unwrap();
    assert!(
        lock.candidates.iter().any(|c| c.goroutine == holder),
        "{:#?}",
        lock.candidates
    );
    assert_eq!(lock.candidates[0].goroutine, holder);
    let note = lock.note.as_deref().unwrap();
    assert!(note.contains("holding RLock") && note.contains("dead"), "{note}");
}

#[test]
fn situations_are_grouped_with_their_states() {
    for name in DUMPS_BOTH {
        situations_grouped(name);
    }
}

fn situations_grouped(name: &str) {
    let (d, f) = load(name);
    let r = analyze(
        &d,
        None,
        &Options {
            min_wait: 1,
            ..Default::default()
        },
    );
    for s in f["situations"].as_array().unwrap() {
        let want = ids(&s["ids"]);
        let func = s["function"].as_str().unwrap();
        let g = r
            .groups
            .iter()
            .find(|g| g.ids.contains(&want[0]))
            .unwrap_or_else(|| panic!("no group holds {}", want[0]));
        assert_eq!(g.state, s["wait_reason"].as_str().unwrap(), "{name}: {func}");
        assert!(
            want.iter().all(|id| g.ids.contains(id)),
            "{func}: {:?} ⊄ {:?}",
            want,
            g.ids
        );
        assert!(g.frames.iter().any(|fr| fr.function == func), "{func}");
    }
}

fn hex(v: &serde_json::Value) -> u64 {
    u64::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

/// The fixture's two-mutex lock-order deadlock (`main.transfer`) is the wait-for graph's one
/// cycle, with exactly its participants and their mutexes, each waiter → the mutex it awaits →
/// the other participant (its holder).
#[test]
fn wait_for_graph_finds_the_transfer_deadlock_cycle() {
    for name in ["go127-debug2", "go126-labels-debug2"] {
        let (d, f) = load(name);
        let r = analyze(&d, None, &Options { min_wait: 1, ..Default::default() });
        let w = &r.wait_for;
        let ps = f["deadlock"]["participants"].as_array().unwrap();
        let mut want_g: Vec<u64> = ps.iter().map(|p| p["id"].as_u64().unwrap()).collect();
        want_g.sort_unstable();
        let mut want_l: Vec<u64> = ps.iter().map(|p| hex(&p["holds_mutex_addr"])).collect();
        want_l.sort_unstable();
        assert_eq!(w.cycles.len(), 1, "{name}: {:#?}", w.cycles);
        let c = &w.cycles[0];
        assert_eq!(c.goroutines, want_g, "{name}");
        assert_eq!(c.locks, want_l, "{name}");
        assert_eq!(c.edges.len(), 4, "{name}: two waitsOn and two heldBy");
        for p in ps {
            let g = p["id"].as_u64().unwrap();
            let awaited = hex(&p["waits_for_mutex_addr"]);
            let holder = p["waits_for_holder"].as_u64().unwrap();
            let gn = w.nodes.iter().position(|n| n.kind == WaitNodeKind::Goroutine && n.goroutine == g).unwrap();
            let ln = w.nodes.iter().position(|n| n.kind == WaitNodeKind::Lock && n.lock == awaited).unwrap();
            let hn = w.nodes.iter().position(|n| n.kind == WaitNodeKind::Goroutine && n.goroutine == holder).unwrap();
            let waits = w.edges.iter().find(|e| e.from as usize == gn && e.to as usize == ln).expect("waiter → awaited mutex");
            assert_eq!(waits.kind, WaitEdgeKind::WaitsOn);
            assert!(waits.in_cycle);
            let held = w.edges.iter().find(|e| e.from as usize == ln && e.to as usize == hn).expect("mutex → its holder");
            assert_eq!((held.kind, held.rank), (WaitEdgeKind::HeldBy, 0));
            assert!(held.in_cycle && !held.evidence.is_empty(), "{held:?}");
            assert!(w.nodes[gn].in_cycle && w.nodes[ln].in_cycle);
        }
        // Nothing outside the deadlock is in a cycle.
        let in_cycle = w.nodes.iter().filter(|n| n.in_cycle).count();
        assert_eq!(in_cycle, 4, "{name}");
    }
}

/// The convoy: every waiter → the Store mutex → its real holder (rank 0) → the channel receive
/// it is parked in; no cycle through it.
#[test]
fn wait_for_graph_chains_the_convoy_to_what_its_holder_waits_on() {
    for name in ["go127-debug2", "go126-debug2-minutes"] {
        let (d, f) = load(name);
        let r = analyze(&d, None, &Options { min_wait: 1, ..Default::default() });
        let w = &r.wait_for;
        let m = &f["mutex_convoy"];
        let ln = w.nodes.iter().position(|n| n.kind == WaitNodeKind::Lock && n.lock == hex(&m["mutex_addr"])).unwrap();
        assert!(!w.nodes[ln].in_cycle);
        let mut waiters: Vec<u64> = w
            .edges
            .iter()
            .filter(|e| e.to as usize == ln && e.kind == WaitEdgeKind::WaitsOn)
            .map(|e| w.nodes[e.from as usize].goroutine)
            .collect();
        waiters.sort_unstable();
        let mut want = ids(&m["waiters"]);
        if m.get("late_waiters").is_some_and(|v| v.is_array()) {
            want.extend(ids(&m["late_waiters"]));
            want.sort_unstable();
        }
        assert_eq!(waiters, want, "{name}");
        let held = w.edges.iter().find(|e| e.from as usize == ln && e.kind == WaitEdgeKind::HeldBy && e.rank == 0).unwrap();
        let holder = &w.nodes[held.to as usize];
        assert_eq!(holder.goroutine, m["holder"].as_u64().unwrap(), "{name}");
        let blocked = w.edges.iter().find(|e| e.from == held.to && e.kind == WaitEdgeKind::BlockedIn).expect("holder → what it waits on");
        let b = &w.nodes[blocked.to as usize];
        assert_eq!(b.kind, WaitNodeKind::Blocked);
        assert!(b.label.starts_with(m["holder_wait_reason"].as_str().unwrap()), "{}", b.label);
        assert!(b.label.contains(m["holder_function"].as_str().unwrap()), "{}", b.label);
        // the RWMutex: the writer and the readers each shown in their own state
        let rw = &f["rwmutex"];
        let state = |id: &serde_json::Value| {
            let n = w.nodes.iter().find(|n| n.kind == WaitNodeKind::Goroutine && n.goroutine == id.as_u64().unwrap()).unwrap();
            n.label.clone()
        };
        assert_eq!(state(&rw["writer"]), rw["writer_wait_reason"].as_str().unwrap());
        for r in rw["readers"].as_array().unwrap() {
            assert_eq!(state(r), rw["reader_wait_reason"].as_str().unwrap());
        }
    }
}
