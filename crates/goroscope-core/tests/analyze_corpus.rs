//! Analyses over real dumps of the shared corpus: state counts, groups, filters, hung groups,
//! lock contention and diff.

use goroscope_core::source::Source;
use goroscope_core::stacks::analyze::{analyze, Findings, LockKind, Options, Similarity, SortBy, StateClass};
use goroscope_core::stacks::parse::parse;
use goroscope_core::stacks::Dump;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/goroutine-dumps");

fn text(rel: &str) -> String {
    std::fs::read_to_string(format!("{CORPUS}/{rel}")).unwrap()
}

fn dump_of(text: &str) -> Dump {
    parse(Source::from_bytes(text.as_bytes().to_vec(), "t").unwrap(), "t").unwrap()
}

fn opts() -> Options {
    Options {
        min_wait: 1,
        ..Default::default()
    }
}

fn run(rel: &str, o: &Options) -> Findings {
    analyze(&dump_of(&text(rel)), None, o)
}

#[test]
fn kubo_debug_guide_mutex_wait() {
    let r = run("kubo/debug-guide-semacquire-458min.txt", &opts());
    assert_eq!(r.goroutines, 1);
    assert_eq!(r.classes[0].class, StateClass::Lock);
    assert_eq!(r.contention.len(), 1);
    let l = &r.contention[0];
    assert_eq!(l.lock, 0xc8222fd3e0);
    assert_eq!(l.kind, LockKind::Mutex);
    assert_eq!(l.waiters, vec![2306090]);
    assert_eq!(l.wait_max, Some(458));
    assert!(l.site.ends_with("yamux.(*Session).Close"), "{}", l.site);
    assert!(l.candidates.is_empty());
    let note = l.note.as_deref().unwrap();
    assert!(note.contains("0xc8222fd340 = lock − 0xa0"), "{note}");
    assert_eq!(r.hung.len(), 1);
    assert_eq!(r.hung[0].wait_max, Some(458));
}

#[test]
fn kubo_holder_found_through_container() {
    // The guide's waiter plus a made-up yamux goroutine holding s.lock while blocked on a channel.
    let mut t = text("kubo/debug-guide-semacquire-458min.txt");
    t.push_str(
        "\ngoroutine 77 [chan send, 460 minutes]:\n\
gx/ipfs/QmedFDs1WHcv3bcknfo64dw4mT1112yptW1H65Y2Wc7KTV/yamux.(*Session).sendNoWait(0xc8222fd340, 0xc820000000)\n\
\t/home/x/yamux/session.go:300 +0x55\n\
gx/ipfs/QmedFDs1WHcv3bcknfo64dw4mT1112yptW1H65Y2Wc7KTV/yamux.(*Session).keepalive(0xc8222fd340)\n\
\t/home/x/yamux/session.go:310 +0x55\n\
\ngoroutine 78 [IO wait]:\nnet.(*netFD).Read(0xc8222fd340, 0x1)\n\t/go/net/fd.go:1 +0x1\n",
    );
    let r = analyze(&dump_of(&t), None, &opts());
    let l = &r.contention[0];
    assert_eq!(l.lock, 0xc8222fd3e0);
    assert_eq!(l.candidates[0].goroutine, 77, "{:#?}", l.candidates);
    assert_eq!(l.candidates[1].goroutine, 78);
    assert!(l.candidates[0].score > l.candidates[1].score);
    assert!(l.candidates[0].evidence[0].contains("frame 0 yamux.(*Session).sendNoWait receives 0xc8222fd340 = lock − 0xa0 (container seen in waiter 2306090 frame 2 yamux.(*Session).Close)"), "{:?}", l.candidates[0].evidence);
    assert!(l.note.is_none());
}

#[test]
fn kvstore_go124_lockslow_address_and_type_fallback() {
    let r = run("KVStore-raft-consensus/goroutines.txt", &opts());
    assert_eq!(r.contention.len(), 1);
    let l = &r.contention[0];
    assert_eq!(l.lock, 0xc000134930, "from lockSlow; the semaphore args are 0x0?");
    assert_eq!(l.kind, LockKind::Mutex);
    assert_eq!(l.waiters, vec![23]);
    assert!(l.site.ends_with("(*RaftConsensus).Start.func2"));
    assert!(l
        .note
        .as_deref()
        .unwrap()
        .contains("receiver type consensus.RaftConsensus"));
    let ids: Vec<u64> = l.candidates.iter().map(|c| c.goroutine).collect();
    assert!(ids.contains(&22), "{ids:?}");
    assert!(l
        .candidates
        .iter()
        .all(|c| c.evidence[0].contains("same receiver type")));
}

#[test]
fn static_panicweb_states_groups_hung() {
    let r = run("panicparse/static_panicweb.txt", &opts());
    assert_eq!(r.goroutines, 71);
    assert_eq!(r.matched, 71);
    let st: Vec<(&str, u64)> = r.states.iter().map(|s| (s.state.as_str(), s.count)).collect();
    assert_eq!(
        st,
        vec![
            ("IO wait", 28),
            ("select", 26),
            ("chan receive", 15),
            ("running", 1),
            ("syscall", 1)
        ]
    );
    let cl: Vec<(StateClass, u64)> = r.classes.iter().map(|c| (c.class, c.count)).collect();
    assert_eq!(
        cl,
        vec![
            (StateClass::Channel, 15),
            (StateClass::Select, 26),
            (StateClass::Io, 28),
            (StateClass::Syscall, 1),
            (StateClass::Running, 1)
        ]
    );
    assert!(r.classes.iter().all(|c| !c.explanation.is_empty()));
    assert_eq!(r.groups.len(), 11);
    assert_eq!(r.groups.iter().map(|g| g.count).sum::<u64>(), 71);
    let g = &r.groups[0];
    assert_eq!((g.count, g.state.as_str()), (14, "IO wait"));
    assert_eq!(g.frames[g.interesting.unwrap() as usize].function, "net.(*netFD).Read");
    assert!(g.ids.windows(2).all(|w| w[0] < w[1]));
    assert_eq!((g.wait_min, g.wait_max), (Some(2), Some(2)));
    // every goroutine has distinct arguments
    let e = run(
        "panicparse/static_panicweb.txt",
        &Options {
            similarity: Similarity::Exact,
            ..opts()
        },
    );
    assert_eq!(e.groups.len(), 71);
    // hung: all groups that printed minutes, not cut by top
    let t = run("panicparse/static_panicweb.txt", &Options { top: Some(3), ..opts() });
    assert_eq!(t.groups.len(), 3);
    assert_eq!(t.hung.len(), 9);
    assert!(t
        .hung
        .windows(2)
        .all(|w| (w[0].wait_max, w[0].count) >= (w[1].wait_max, w[1].count)));
    assert!(
        run("panicparse/static_panicweb.txt", &Options { min_wait: 3, ..opts() })
            .hung
            .is_empty()
    );
    assert!(r.contention.is_empty());
}

#[test]
fn filters_on_static_panicweb() {
    let f = |state: Option<&str>, m: Option<&str>| {
        run(
            "panicparse/static_panicweb.txt",
            &Options {
                state: state.map(Into::into),
                matcher: m.map(|m| regex::Regex::new(m).unwrap()),
                ..opts()
            },
        )
    };
    let r = f(Some("select"), None);
    assert_eq!(r.matched, 26);
    assert_eq!(r.goroutines, 71);
    assert_eq!(r.states.len(), 5, "states are counted before filters");
    assert!(r.groups.iter().all(|g| g.state == "select"));
    assert_eq!(f(Some("IO"), None).matched, 28);
    assert_eq!(f(Some("channel"), None).matched, 15);
    assert_eq!(f(Some("running"), None).matched, 1);
    let r = f(None, Some(r"persistConn\)\.readLoop"));
    assert_eq!(r.matched, 13);
    assert_eq!(r.groups.len(), 1);
    assert_eq!(f(Some("io"), Some("URL1Handler")).matched, 0);
    assert_eq!(
        f(None, Some("^/goroot/src/net/http/transport.go$")).matched,
        39,
        "files match too"
    );
}

#[test]
fn erigon_debug1_cond_wait_bucket_on_top() {
    let r = run("erigon/goroutine.debug1.txt", &opts());
    assert_eq!(r.goroutines, 20161);
    let g = &r.groups[0];
    assert_eq!(g.count, 12096);
    assert_eq!(g.state, "sync.Cond.Wait");
    assert_eq!(g.class, StateClass::Lock);
    assert!(g.ids.is_empty());
    assert!(g.frames[g.interesting.unwrap() as usize]
        .function
        .ends_with("(*webseedPeer).requester"));
    assert_eq!(r.states.iter().map(|s| s.count).sum::<u64>(), 20161);
    assert!(r.hung.is_empty(), "debug=1 has no minutes");
    assert!(r.contention.is_empty(), "debug=1 has no arguments");
}

#[test]
fn exact_vs_loose_when_only_args_differ() {
    let t = "goroutine 1 [chan receive]:\nmain.f(0x1)\n\t/a/main.go:3 +0x10\n\n\
goroutine 2 [chan receive]:\nmain.f(0x2)\n\t/a/main.go:3 +0x10\n\n\
goroutine 3 [chan receive]:\nmain.f(0x2)\n\t/a/main.go:3 +0x10\n";
    let d = dump_of(t);
    assert_eq!(analyze(&d, None, &opts()).groups.len(), 1);
    let e = analyze(
        &d,
        None,
        &Options {
            similarity: Similarity::Exact,
            ..opts()
        },
    );
    assert_eq!(
        e.groups.iter().map(|g| g.ids.clone()).collect::<Vec<_>>(),
        vec![vec![2, 3], vec![1]]
    );
}

#[test]
fn diff_against_appended_goroutines() {
    let base = text("panicparse/static_panicweb.txt");
    let mut cur = base.clone();
    for id in 0..5 {
        cur.push_str(&format!("\ngoroutine {} [chan send, 3 minutes]:\nmain.newLeak(0x{:x})\n\t/gopath/src/x/main.go:99 +0x10\ncreated by main.main\n\t/gopath/src/x/main.go:10 +0x20\n", 1000 + id, id));
    }
    for id in 0..3 {
        cur.push_str(&format!(
            "\ngoroutine {} [chan receive, 2 minutes]:\ngithub.com/maruel/panicparse/cmd/panicweb/internal.URL1Handler(0x9241a0, 0xc000242000, 0xc000038300)\n\t/gopath/src/github.com/maruel/panicparse/cmd/panicweb/internal/internal.go:43 +0x229\nnet/http.HandlerFunc.ServeHTTP(0x8a3ee8, 0x9241a0, 0xc000242000, 0xc000038300)\n\t/goroot/src/net/http/server.go:2012 +0x44\nnet/http.(*ServeMux).ServeHTTP(0xbf6e60, 0x9241a0, 0xc000242000, 0xc000038300)\n\t/goroot/src/net/http/server.go:2387 +0x1a5\nnet/http.serverHandler.ServeHTTP(0xc000194000, 0x9241a0, 0xc000242000, 0xc000038300)\n\t/goroot/src/net/http/server.go:2807 +0xa3\nnet/http.(*conn).serve(0xc0001a6000, 0x924de0, 0xc000020780)\n\t/goroot/src/net/http/server.go:1895 +0x86c\ncreated by net/http.(*Server).Serve\n\t/goroot/src/net/http/server.go:2933 +0x35c\n",
            2000 + id
        ));
    }
    // drop the syscall goroutine from the current dump: it vanishes
    let start = cur.find("goroutine 134 [syscall").unwrap();
    let end = start + cur[start..].find("\n\n").unwrap() + 2;
    cur.replace_range(start..end, "");
    let (b, c) = (dump_of(&base), dump_of(&cur));
    let r = analyze(&c, Some(&b), &opts());
    let d = r.diff.as_ref().unwrap();
    let v: Vec<(&str, u64, u64, i64)> = d
        .iter()
        .map(|x| (x.function.as_str(), x.base, x.current, x.delta))
        .collect();
    assert_eq!(
        v,
        vec![
            ("main.newLeak", 0, 5, 5),
            (
                "github.com/maruel/panicparse/cmd/panicweb/internal.URL1Handler",
                10,
                13,
                3
            ),
            ("syscall.Syscall", 1, 0, -1),
        ]
    );
    assert_eq!(r.groups[d[1].group.unwrap() as usize].count, 13);
    assert_eq!(d[0].state, "chan send");
    assert_eq!(d[2].group, None);
    // against itself: nothing changed
    assert!(analyze(&b, Some(&b), &opts()).diff.unwrap().is_empty());
    // sort by wait puts the 3-minute leak first
    let w = analyze(
        &c,
        None,
        &Options {
            sort: SortBy::Wait,
            ..opts()
        },
    );
    assert_eq!(w.groups[0].frames[0].function, "main.newLeak");
}
