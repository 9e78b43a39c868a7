//! Lock contention on dumps of the fixture Go program (`fixtures/goprog`) from both supported
//! runtimes, Go 1.26.8 and Go 1.27.3 (its capture with GODEBUG=tracebacklabels=0; the labelled
//! ones need the labels parsed): the `.facts.json` next to each dump names the goroutines that
//! really hold the locks.

use goroscope_core::source::Source;
use goroscope_core::stacks::analyze::{analyze, LockKind, Options};
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
