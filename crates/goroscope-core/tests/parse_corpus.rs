//! The parser against every file of the shared corpus (read in place, never copied).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use goroscope_core::source::Source;
use goroscope_core::stacks::args::scalars;
use goroscope_core::stacks::parse::{parse, parse_chunked, ParseError};
use goroscope_core::stacks::{Dump, Elision, Form, Goroutine};
use serde_json::Value;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/goroutine-dumps");

fn path(rel: &str) -> PathBuf {
    Path::new(CORPUS).join(rel)
}

fn load(rel: &str) -> Result<Dump, ParseError> {
    let p = path(rel);
    let src = Source::open(&p).unwrap_or_else(|e| panic!("{e}"));
    parse(src, rel)
}

fn ok(rel: &str) -> Dump {
    load(rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn frames(d: &Dump, g: &Goroutine) -> Vec<(String, String, u32)> {
    d.frames_of(g).iter().map(|f| (d.sym(f.func).to_string(), d.sym(f.file).to_string(), f.line)).collect()
}

fn args(d: &Dump, g: &Goroutine, i: usize) -> String {
    String::from_utf8(d.span(d.frames_of(g)[i].args).to_vec()).unwrap()
}

fn by_id(d: &Dump, id: u64) -> &Goroutine {
    d.goroutines.iter().find(|g| g.id == id).unwrap_or_else(|| panic!("no goroutine {id}"))
}

/// Every file in the corpus parses, with the expected outcome for the malformed ones.
#[test]
fn every_corpus_file() {
    let mut files = Vec::new();
    let mut stack = vec![PathBuf::from(CORPUS)];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "txt") && !p.to_string_lossy().contains("LICENSE") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 45, "corpus not found at {CORPUS}: {} files", files.len());
    for p in &files {
        let rel = p.strip_prefix(CORPUS).unwrap().to_string_lossy().replace('\\', "/");
        let stem = p.file_stem().unwrap().to_string_lossy().to_string();
        let res = parse(Source::open(p).unwrap(), &rel);
        match rel.as_str() {
            "gostackparse/test-fixtures/empty_input.txt" => {
                assert!(matches!(res, Err(ParseError::Empty { .. })), "{rel}");
                continue;
            }
            // A race report alone is a dump without goroutines (see tests/parse_race.rs).
            "panicparse/static_panic_race.txt" => {
                let d = res.unwrap_or_else(|e| panic!("{rel}: {e}"));
                assert_eq!((d.goroutines.len(), d.races.len()), (0, 1), "{rel}");
                assert!(d.warnings.is_empty(), "{rel}: {:?}", d.warnings);
                assert!(!d.races[0].truncated, "{rel}");
                continue;
            }
            // The race header cut after its banner or its `WARNING: DATA RACE` line: one
            // truncated race, named in a warning.
            "panicparse/synthetic-cases/RaceHdr1Err.txt"
            | "panicparse/synthetic-cases/RaceHdr2Err.txt"
            | "panicparse/synthetic-cases/RaceHdr3Err.txt" => {
                let d = res.unwrap_or_else(|e| panic!("{rel}: {e}"));
                assert_eq!((d.goroutines.len(), d.races.len()), (0, 1), "{rel}");
                assert!(d.races[0].truncated && d.races[0].accesses.is_empty(), "{rel}");
                assert_eq!(d.warnings.len(), 1, "{rel}: {:?}", d.warnings);
                assert!(d.warnings[0].message.contains("race"), "{rel}: {:?}", d.warnings);
                continue;
            }
            _ => {}
        }
        let d = res.unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(d.total() > 0, "{rel}: no goroutines");
        // Files that must produce warnings (malformed on purpose) — and the others none.
        let damaged = [
            "errorhandling",
            "partial_createdby",
            "partial_stack",
            "empty_stack",
            "CreatedErr",
            "CreatedError",
            "FileError",
            "HeaderError",
            "LineErr",
            "OrderErr",
            "UnavailError",
        ];
        if damaged.contains(&stem.as_str()) {
            assert!(!d.warnings.is_empty(), "{rel}: expected warnings");
        } else {
            assert!(d.warnings.is_empty(), "{rel}: unexpected warnings {:?}", d.warnings);
            assert!(!d.truncated, "{rel}");
            for g in &d.goroutines {
                assert!(!g.truncated, "{rel}: goroutine {} truncated", g.id);
            }
        }
        // Chunked at every header gives the same result.
        let c = parse_chunked(Source::open(p).unwrap(), &rel, 1).unwrap();
        assert_eq!(c.goroutines, d.goroutines, "{rel}");
        assert_eq!(c.frames, d.frames, "{rel}");
        assert_eq!(c.warnings, d.warnings, "{rel}");
    }
}

// ---------------------------------------------------------------------------------------------
// gostackparse golden files

fn golden_frame(v: &Value) -> (String, String, u32) {
    (v["Func"].as_str().unwrap().to_string(), v["File"].as_str().unwrap().to_string(), v["Line"].as_u64().unwrap() as u32)
}

/// Compare our goroutine `g` with gostackparse's JSON goroutine `v` exactly.
fn compare(d: &Dump, g: &Goroutine, v: &Value, ctx: &str) {
    assert_eq!(g.id, v["ID"].as_u64().unwrap(), "{ctx}");
    assert_eq!(d.sym(g.state), v["State"].as_str().unwrap(), "{ctx} id {}", g.id);
    let wait_ns = v["Wait"].as_u64().unwrap();
    assert_eq!(g.wait_minutes.unwrap_or(0) as u64, wait_ns / 60_000_000_000, "{ctx} id {}", g.id);
    assert_eq!(g.locked_to_thread, v["LockedToThread"].as_bool().unwrap(), "{ctx} id {}", g.id);
    let want: Vec<_> = v["Stack"].as_array().unwrap().iter().map(golden_frame).collect();
    assert_eq!(frames(d, g), want, "{ctx} id {}", g.id);
    assert_eq!(g.elided != Elision::None, v["FramesElided"].as_bool().unwrap(), "{ctx} id {}", g.id);
    let cb = g.created_by.map(|c| (d.sym(c.func).to_string(), d.sym(c.file).to_string(), c.line));
    let want_cb = if v["CreatedBy"].is_null() { None } else { Some(golden_frame(&v["CreatedBy"])) };
    assert_eq!(cb, want_cb, "{ctx} id {}", g.id);
    // Ancestors: gostackparse nests them (`Ancestor.Ancestor…`); we keep a flat list.
    let mut want_anc = Vec::new();
    let mut a = &v["Ancestor"];
    while a.is_object() {
        let fr: Vec<_> = a["Stack"].as_array().unwrap().iter().map(golden_frame).collect();
        let cb = if a["CreatedBy"].is_null() { None } else { Some(golden_frame(&a["CreatedBy"])) };
        want_anc.push((a["ID"].as_u64().unwrap(), fr, cb));
        a = &a["Ancestor"];
    }
    let got_anc: Vec<_> = d
        .ancestors_of(g)
        .iter()
        .map(|a| {
            let fr = d.frames[a.frames.start as usize..a.frames.end as usize]
                .iter()
                .map(|f| (d.sym(f.func).to_string(), d.sym(f.file).to_string(), f.line))
                .collect::<Vec<_>>();
            let cb = a.created_by.map(|c| (d.sym(c.func).to_string(), d.sym(c.file).to_string(), c.line));
            (a.id, fr, cb)
        })
        .collect();
    assert_eq!(got_anc, want_anc, "{ctx} id {}", g.id);
}

fn golden(name: &str) -> Value {
    let p = path(&format!("gostackparse/test-fixtures/{name}.golden.json"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Files where gostackparse and we agree on every goroutine.
#[test]
fn gostackparse_golden_exact() {
    for name in ["waitsince", "lockedm", "cgo", "frameselided", "frameselided_goroutine", "ancestors", "go121_createdby", "windows"] {
        let d = ok(&format!("gostackparse/test-fixtures/{name}.txt"));
        let v = golden(name);
        let want = v["Goroutines"].as_array().unwrap();
        assert_eq!(d.goroutines.len(), want.len(), "{name}");
        for (g, w) in d.goroutines.iter().zip(want) {
            compare(&d, g, w, name);
        }
        assert!(v["Errors"].is_null(), "{name}");
        assert!(d.warnings.is_empty(), "{name}");
    }
    // Richer than gostackparse: the parent id of `created by … in goroutine 1`.
    let d = ok("gostackparse/test-fixtures/go121_createdby.txt");
    assert_eq!(by_id(&d, 18).created_by.unwrap().parent, Some(1));
    // Ancestor frames are inlined `(...)`.
    let d = ok("gostackparse/test-fixtures/ancestors.txt");
    let g = by_id(&d, 25);
    assert_eq!(d.ancestors_of(g).len(), 6);
    assert!(d.frames[d.ancestors_of(g)[0].frames.start as usize].inlined);
    // Old-style elision.
    let d = ok("gostackparse/test-fixtures/frameselided.txt");
    assert_eq!(d.goroutines[0].elided, Elision::Unknown);
    assert_eq!(d.frames_of(&d.goroutines[0]).len(), 100);
}

/// Malformed inputs: gostackparse drops a damaged goroutine; we keep it, flagged `truncated`,
/// with a warning, and keep every intact goroutine exactly as gostackparse does.
#[test]
fn gostackparse_golden_malformed() {
    // errorhandling: goroutine 2 has `main.main)(` (not a call): gostackparse drops it. We keep
    // it with no frames, truncated, and warn on line 6 (gostackparse's error line too).
    let d = ok("gostackparse/test-fixtures/errorhandling.txt");
    let v = golden("errorhandling");
    let want = v["Goroutines"].as_array().unwrap();
    let ours: Vec<_> = d.goroutines.iter().filter(|g| g.id != 2).collect();
    assert_eq!(ours.len(), want.len());
    for (g, w) in ours.iter().zip(want) {
        compare(&d, g, w, "errorhandling");
        assert!(!g.truncated);
    }
    let g2 = by_id(&d, 2);
    assert!(g2.truncated && g2.frames.is_empty());
    assert_eq!(d.warnings.len(), 1);
    assert_eq!(d.warnings[0].line, 6);
    assert!(!d.truncated);

    // partial_createdby: gostackparse drops both. We keep both with their frame; goroutine 1's
    // `created by main.main` has no file (blank line 5), goroutine 2 is cut at EOF.
    let d = ok("gostackparse/test-fixtures/partial_createdby.txt");
    assert_eq!(d.goroutines.len(), 2);
    for g in &d.goroutines {
        assert!(g.truncated);
        assert_eq!(frames(&d, g).len(), 1);
        let cb = g.created_by.unwrap();
        assert_eq!((d.sym(cb.file), cb.line), ("", 0));
    }
    assert_eq!(d.sym(d.goroutines[1].created_by.unwrap().func), "main.foo");
    assert_eq!(d.warnings.iter().map(|w| w.line).collect::<Vec<_>>(), vec![4, 9]);
    assert!(d.truncated);

    // partial_stack: a call without its file line, twice (second at EOF).
    let d = ok("gostackparse/test-fixtures/partial_stack.txt");
    assert_eq!(d.goroutines.len(), 2);
    assert!(d.goroutines.iter().all(|g| g.truncated));
    assert_eq!(frames(&d, &d.goroutines[0]), vec![("main.main".to_string(), String::new(), 0)]);
    assert_eq!(d.warnings.iter().map(|w| w.line).collect::<Vec<_>>(), vec![2, 5]);
    assert!(d.truncated);

    // empty_stack: headers without frames.
    let d = ok("gostackparse/test-fixtures/empty_stack.txt");
    assert_eq!(d.goroutines.iter().map(|g| (g.id, g.truncated, g.frames.len())).collect::<Vec<_>>(), vec![(1, true, 0), (2, true, 0)]);
    assert_eq!(d.warnings.iter().map(|w| w.line).collect::<Vec<_>>(), vec![1, 3]);
    assert!(d.truncated);

    // empty_input: gostackparse returns nothing; we return ParseError::Empty.
    assert!(matches!(load("gostackparse/test-fixtures/empty_input.txt"), Err(ParseError::Empty { .. })));
}

// ---------------------------------------------------------------------------------------------
// Targeted real dumps

#[test]
fn kubo_458_minutes() {
    let d = ok("kubo/debug-guide-semacquire-458min.txt");
    assert_eq!(d.goroutines.len(), 1);
    let g = &d.goroutines[0];
    assert_eq!(g.id, 2306090);
    assert_eq!(d.sym(g.state), "semacquire");
    assert_eq!(g.wait_minutes, Some(458));
    assert_eq!(d.frames_of(g).len(), 5);
    assert_eq!(args(&d, g, 2), "0xc8222fd340, 0x0, 0x0");
    assert_eq!(args(&d, g, 1), "0xc8222fd3e0");
    assert_eq!(scalars(d.span(d.frames_of(g)[1].args))[0].value, 0xc8222fd3e0);
    let f = frames(&d, g);
    assert_eq!(f[0], ("sync.runtime_Semacquire".into(), "/home/whyrusleeping/go/src/runtime/sema.go".into(), 47));
    assert!(f[2].0.ends_with("yamux.(*Session).Close"));
    let cb = g.created_by.unwrap();
    assert!(d.sym(cb.func).ends_with("go-peerstream.(*Conn).GoClose"));
    assert_eq!((cb.line, cb.parent), (131, None));
    assert_eq!(d.frames_of(g)[0].pc_offset, Some(0x26));
}

#[test]
fn kvstore_go124_windows() {
    let d = ok("KVStore-raft-consensus/goroutines.txt");
    assert_eq!(d.goroutines.len(), 13);
    let g = by_id(&d, 109);
    assert_eq!(d.sym(g.state), "running");
    assert_eq!(g.created_by.unwrap().parent, Some(18));
    assert_eq!(d.sym(g.created_by.unwrap().file), "C:/Program Files/Go/src/net/http/server.go");
    assert_eq!(frames(&d, g)[0], ("runtime/pprof.writeGoroutineStacks".into(), "C:/Program Files/Go/src/runtime/pprof/pprof.go".into(), 756));
    // Go 1.24 internal/sync mutex frames.
    let g = d.goroutines.iter().find(|g| d.sym(g.state) == "sync.Mutex.Lock").expect("a sync.Mutex.Lock goroutine");
    let fr = d.frames_of(g);
    let names: Vec<_> = fr.iter().map(|f| d.sym(f.func)).collect();
    assert_eq!(&names[..4], &["internal/sync.runtime_SemacquireMutex", "internal/sync.(*Mutex).lockSlow", "internal/sync.(*Mutex).Lock", "sync.(*Mutex).Lock"]);
    assert_eq!(d.span(fr[0].args), b"0x0?, 0x0?, 0x0?");
    assert!(scalars(d.span(fr[0].args)).iter().all(|a| a.inaccurate));
    assert!(fr[2].inlined && fr[3].inlined);
    assert_eq!(fr[3].pc_offset, None);
    let lock = scalars(d.span(fr[1].args));
    assert_eq!(lock.len(), 1);
    assert!(!lock[0].inaccurate);
    // `runtime.goexit({})` never printed by runtime.Stack, but every goroutine but 1 has a parent.
    for g in &d.goroutines {
        if g.id != 1 {
            assert!(g.created_by.is_some_and(|c| c.parent.is_some()), "goroutine {}", g.id);
        }
        assert!(!g.frames.is_empty());
    }
}

#[test]
fn erigon_debug1() {
    let d = ok("erigon/goroutine.debug1.txt");
    assert_eq!(d.total(), 20161);
    assert!(d.goroutines.iter().all(|g| g.form == Form::Aggregated && g.id == 0 && d.sym(g.state).is_empty()));
    let g = &d.goroutines[0];
    assert_eq!(g.count, 12096);
    assert_eq!(g.line, 2);
    let f = frames(&d, g);
    assert_eq!(
        f,
        vec![
            ("sync.runtime_notifyListWait".into(), "runtime/sema.go".into(), 527),
            ("sync.(*Cond).Wait".into(), "sync/cond.go".into(), 70),
            ("github.com/anacrolix/torrent.(*webseedPeer).requester".into(), "github.com/anacrolix/torrent@v1.54.0/webseed-peer.go".into(), 123),
        ]
    );
    assert_eq!(d.frames_of(g)[0].pc_offset, Some(0x138));
    // Buckets are sorted by count, descending.
    assert!(d.goroutines.windows(2).all(|w| w[0].count >= w[1].count));
}

#[test]
fn panicweb() {
    let d = ok("panicparse/static_panicweb.txt");
    assert_eq!(d.goroutines.len(), 71);
    let mut states: BTreeMap<String, usize> = BTreeMap::new();
    for g in &d.goroutines {
        *states.entry(d.sym(g.state).to_string()).or_default() += 1;
    }
    assert_eq!(states["select"], 26);
    assert_eq!(states["IO wait"], 28);
    assert_eq!(states["chan receive"], 15); // 14 + one locked to thread
    assert_eq!(d.goroutines.iter().filter(|g| g.locked_to_thread).count(), 1);
    let locked = d.goroutines.iter().find(|g| g.locked_to_thread).unwrap();
    assert_eq!((d.sym(locked.state), locked.wait_minutes), ("chan receive", Some(2)));
    assert_eq!(states.values().sum::<usize>(), 71);
}

// ---------------------------------------------------------------------------------------------
// panicparse synthetic cases

fn syn(name: &str) -> Dump {
    ok(&format!("panicparse/synthetic-cases/{name}.txt"))
}

#[test]
fn synthetic_indented() {
    let d = syn("Indented");
    assert_eq!(d.goroutines.len(), 1);
    let g = &d.goroutines[0];
    assert_eq!((g.id, d.sym(g.state)), (8, "running"));
    assert_eq!(frames(&d, g).len(), 3);
    assert_eq!(frames(&d, g)[0], ("foo/bar.TestArchiveFail.func1.2".into(), "/home/maruel/go/foo/bar_test.go".into(), 209));
    assert_eq!(d.sym(g.created_by.unwrap().func), "testing.(*T).Run");
    let d = syn("InconsistentIndent");
    assert_eq!(frames(&d, &d.goroutines[0]).len(), 1);
}

#[test]
fn synthetic_ccode() {
    let d = syn("CCode");
    assert_eq!(d.prelude.as_deref(), Some("SIGQUIT: quit\nPC=0x43f349"));
    let g = &d.goroutines[0];
    assert_eq!((g.id, d.sym(g.state)), (0, "idle"));
    let f = frames(&d, g);
    assert_eq!(f.len(), 6);
    assert_eq!(f[2], ("findrunnable".into(), "/goroot/src/runtime/proc.c".into(), 1472));
    assert_eq!(args(&d, g, 0), "0x4, 0x71c7118, 0xffffffff00000080, 0x0, 0xffffffff0028c1be, 0x0, 0x0, 0x0, 0x0, 0x0, ...");
}

#[test]
fn synthetic_assembly() {
    for name in ["Assembly", "Assembly1.3"] {
        let d = syn(name);
        assert_eq!(d.prelude.as_deref(), Some("panic: reflect.Set: value of type"));
        let g = &d.goroutines[0];
        assert_eq!((g.id, d.sym(g.state)), (16, "garbage collection"));
        assert_eq!(frames(&d, g), vec![("runtime.switchtoM".into(), "/goroot/src/runtime/asm_amd64.s".into(), 198)]);
        assert_eq!(d.frames_of(g)[0].pc_offset, None);
    }
    let d = syn("Syscall");
    let g = &d.goroutines[0];
    assert_eq!(frames(&d, g).len(), 4);
    assert_eq!(d.frames_of(g)[0].pc_offset, Some(0x52));
}

#[test]
fn synthetic_unavailable() {
    let d = syn("Unavail");
    let g = &d.goroutines[0];
    assert!(g.stack_unavailable && !g.truncated && g.frames.is_empty());
    let d = syn("UnavailCreated");
    let g = &d.goroutines[0];
    assert!(g.stack_unavailable);
    assert_eq!(d.sym(g.created_by.unwrap().func), "github.com/maruel/panicparse/stack.New");
    assert_eq!(g.created_by.unwrap().line, 131);
    let d = syn("UnavailError");
    assert!(d.goroutines[0].stack_unavailable);
    assert_eq!(d.warnings.len(), 1);
    assert_eq!(d.warnings[0].line, 5);
}

#[test]
fn synthetic_long_wait() {
    let d = syn("LongWait");
    let got: Vec<_> = d.goroutines.iter().map(|g| (g.id, d.sym(g.state), g.wait_minutes, g.locked_to_thread)).collect();
    assert_eq!(got, vec![(1, "chan send", Some(100), false), (2, "chan send", None, true), (3, "chan send", Some(101), true)]);
    assert_eq!(d.sym(d.frames_of(&d.goroutines[0])[0].func), "gopkg.in/yaml%2ev2.handleErr");
}

#[test]
fn synthetic_carriage_return_and_no_offset() {
    for name in ["WithCarriageReturn", "WithCarriageReturn1.18Inaccurate"] {
        let d = syn(name);
        let g = &d.goroutines[0];
        let f = frames(&d, g);
        assert_eq!(f.len(), 4);
        assert_eq!(f[0], ("github.com/cockroachdb/cockroach/storage/engine._Cfunc_DBIterSeek".into(), "??".into(), 0));
    }
    let d = syn("WithCarriageReturn1.18Inaccurate");
    let a = scalars(d.span(d.frames_of(&d.goroutines[0])[1].args));
    assert!(a[0].inaccurate);
    let d = syn("NoOffset");
    assert_eq!(d.frames_of(&d.goroutines[0])[0].pc_offset, None);
    assert_eq!(d.goroutines[0].created_by.unwrap().line, 113);
}

#[test]
fn synthetic_elided_and_created() {
    let d = syn("Elided");
    let g = &d.goroutines[0];
    assert_eq!(g.elided, Elision::Unknown);
    assert_eq!(frames(&d, g).len(), 1);
    assert_eq!(g.created_by.unwrap().line, 555);
    let d = syn("Created");
    let g = &d.goroutines[0];
    // Non-ASCII function names are interned as valid UTF-8 (the fixture holds a doubly
    // UTF-8-encoded `·`, bytes C3 82 C2 B7).
    assert_eq!(d.sym(d.frames_of(g)[0].func), "github.com/maruel/panicparse/stack.func\u{c2}\u{b7}002");
    assert_eq!(g.created_by.unwrap().line, 131);
    assert!(d.warnings.is_empty()); // `exit status 2` ends the block silently
}

#[test]
fn synthetic_errors() {
    // Each damaged case keeps the goroutine, flags it and warns once.
    for (name, line, frames_kept) in [
        ("CreatedErr", 7, 1),
        ("CreatedError", 7, 1),
        ("FileError", 5, 1),
        ("HeaderError", 4, 0),
        ("LineErr", 5, 1),
        ("OrderErr", 4, 0),
    ] {
        let d = syn(name);
        assert_eq!(d.goroutines.len(), 1, "{name}");
        let g = &d.goroutines[0];
        assert!(g.truncated, "{name}");
        assert!(!d.truncated, "{name}");
        assert_eq!(d.warnings.len(), 1, "{name}: {:?}", d.warnings);
        assert_eq!(d.warnings[0].line, line, "{name}: {:?}", d.warnings);
        assert_eq!(g.frames.len(), frames_kept, "{name}");
    }
    // Nesting-limit and bracket cases parse; the args text is kept verbatim.
    for name in ["MaxNestingDepth", "MaxNestingDepthExceededErr", "UnmatchedClosingCurlyBracketErr", "UnmatchedOpeningCurlyBracketErr", "ValueErr"] {
        let d = syn(name);
        assert_eq!(frames(&d, &d.goroutines[0]).len(), 1, "{name}");
    }
    assert_eq!(args(&syn("MaxNestingDepth"), &syn("MaxNestingDepth").goroutines[0], 0), "{{{{{...}}}}}");
}
