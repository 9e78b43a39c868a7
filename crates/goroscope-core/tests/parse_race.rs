//! Race-detector reports (`WARNING: DATA RACE`): alone, cut, and mixed with a goroutine dump.

use std::path::Path;

use goroscope_core::source::Source;
use goroscope_core::stacks::analyze::{analyze, Options};
use goroscope_core::stacks::parse::{parse, parse_chunked};
use goroscope_core::stacks::{Dump, Race};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/goroutine-dumps");

fn load(rel: &str) -> Dump {
    let src = Source::open(&Path::new(CORPUS).join(rel)).unwrap_or_else(|e| panic!("{e}"));
    parse(src, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn text(t: &str) -> Dump {
    parse(Source::Owned(t.as_bytes().to_vec()), "test").unwrap_or_else(|e| panic!("{e}"))
}

/// (function, file, line, pc offset) of a race stack.
fn stack(d: &Dump, r: &std::ops::Range<u32>) -> Vec<(String, String, u32, Option<u32>)> {
    d.frames_in(r).iter().map(|f| (d.sym(f.func).to_string(), d.sym(f.file).to_string(), f.line, f.pc_offset)).collect()
}

fn fr(func: &str, file: &str, line: u32, off: u32) -> (String, String, u32, Option<u32>) {
    (func.to_string(), file.to_string(), line, Some(off))
}

const MAIN_GO: &str = "/go/src/github.com/maruel/panicparse/cmd/panic/main.go";

#[test]
fn panicparse_static_race() {
    let d = load("panicparse/static_panic_race.txt");
    assert!(d.goroutines.is_empty());
    assert_eq!(d.total(), 0);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    assert!(!d.truncated);
    assert_eq!(d.races.len(), 1);
    let r: &Race = &d.races[0];
    assert_eq!(r.line, 4, "line of WARNING: DATA RACE (line 1 is blank, line 3 the banner)");
    assert!(!r.truncated);

    assert_eq!(r.accesses.len(), 2);
    let (a, b) = (&r.accesses[0], &r.accesses[1]);
    assert_eq!(d.sym(a.kind), "Read");
    assert_eq!(a.address, 0xc000014100);
    assert_eq!(a.goroutine, Some(8));
    assert!(!a.is_write(&d));
    assert_eq!(
        stack(&d, &a.frames),
        vec![fr("main.panicDoRaceRead", MAIN_GO, 137, 0x3a), fr("main.panicRace.func2", MAIN_GO, 154, 0x38)]
    );
    assert_eq!(d.sym(b.kind), "Previous write");
    assert_eq!(b.address, 0xc000014100);
    assert_eq!(b.goroutine, Some(7));
    assert!(b.is_write(&d));
    assert_eq!(
        stack(&d, &b.frames),
        vec![fr("main.panicDoRaceWrite", MAIN_GO, 132, 0x41), fr("main.panicRace.func1", MAIN_GO, 151, 0x38)]
    );
    // `func()`: empty argument text, not inlined
    assert!(d.frames_in(&a.frames).iter().all(|f| f.args.len == 0 && !f.inlined));

    assert_eq!(r.created.len(), 2);
    let (c8, c7) = (&r.created[0], &r.created[1]);
    assert_eq!((c8.goroutine, d.sym(c8.state)), (8, "running"));
    assert_eq!(stack(&d, &c8.frames), vec![fr("main.panicRace", MAIN_GO, 153, 0xa1), fr("main.main", MAIN_GO, 54, 0x6c8)]);
    assert_eq!((c7.goroutine, d.sym(c7.state)), (7, "running"));
    assert_eq!(stack(&d, &c7.frames), vec![fr("main.panicRace", MAIN_GO, 150, 0x7f), fr("main.main", MAIN_GO, 54, 0x6c8)]);

    // The report carries it.
    let rep = analyze(&d, None, &Options::default());
    assert_eq!((rep.goroutines, rep.matched), (0, 0));
    assert!(rep.groups.is_empty());
    assert_eq!(rep.races.len(), 1);
    let ro = &rep.races[0];
    assert_eq!(ro.line, 4);
    assert_eq!(ro.accesses.iter().map(|a| (a.kind.as_str(), a.address, a.goroutine)).collect::<Vec<_>>(), vec![
        ("Read", 0xc000014100, Some(8)),
        ("Previous write", 0xc000014100, Some(7))
    ]);
    assert_eq!(ro.accesses[0].frames[0].function, "main.panicDoRaceRead");
    assert_eq!(ro.accesses[0].frames[0].file, MAIN_GO);
    assert_eq!(ro.accesses[0].frames[0].line, 137);
    assert_eq!(ro.accesses[0].frames[0].args, "");
    assert_eq!(ro.created.iter().map(|c| (c.goroutine, c.state.as_str(), c.frames.len())).collect::<Vec<_>>(), vec![
        (8, "running", 2),
        (7, "running", 2)
    ]);
    assert_eq!(ro.created[1].frames[0].line, 150);
}

#[test]
fn panicparse_cut_race_headers() {
    // `==================` alone (with and without its newline), then the banner and
    // `WARNING: DATA RACE` without a newline: the input ends inside the report's header.
    for (rel, line) in [
        ("panicparse/synthetic-cases/RaceHdr1Err.txt", 1),
        ("panicparse/synthetic-cases/RaceHdr2Err.txt", 1),
        ("panicparse/synthetic-cases/RaceHdr3Err.txt", 2),
    ] {
        let d = load(rel);
        assert!(d.goroutines.is_empty(), "{rel}");
        assert_eq!(d.races.len(), 1, "{rel}");
        let r = &d.races[0];
        assert!(r.truncated && r.accesses.is_empty() && r.created.is_empty(), "{rel}");
        assert_eq!(r.line, line, "{rel}");
        assert_eq!(d.warnings.len(), 1, "{rel}: {:?}", d.warnings);
        assert!(d.warnings[0].message.contains("race"), "{rel}: {:?}", d.warnings);
        let rep = analyze(&d, None, &Options::default());
        assert!(rep.races[0].truncated, "{rel}");
    }
}

/// `go test -race` output: a race report, the test's failure, a panic, then its goroutines.
const MIXED: &str = "=== RUN   TestRace
==================
WARNING: DATA RACE
Write at 0x00c0000a4010 by goroutine 8:
  example.com/m.TestRace.func1()
      /src/m/race_test.go:12 +0x44

Previous read at 0x00c0000a4010 by main goroutine:
  example.com/m.TestRace()
      /src/m/race_test.go:15 +0x9c
  testing.tRunner()
      /usr/local/go/src/testing/testing.go:1792 +0x225

Goroutine 8 (finished) created at:
  example.com/m.TestRace()
      /src/m/race_test.go:11 +0x8e
  testing.tRunner()
      /usr/local/go/src/testing/testing.go:1792 +0x225
==================
    testing.go:1490: race detected during execution of test
--- FAIL: TestRace (0.00s)
panic: boom [recovered]
\tpanic: boom

goroutine 7 [running]:
testing.tRunner.func1.2({0x5f4e40, 0x6a8b30})
\t/usr/local/go/src/testing/testing.go:1734 +0x2bd
panic({0x5f4e40?, 0x6a8b30?})
\t/usr/local/go/src/runtime/panic.go:792 +0x132
example.com/m.TestRace(0xc000102a80)
\t/src/m/race_test.go:17 +0xb5
testing.tRunner(0xc000102a80, 0x6411e0)
\t/usr/local/go/src/testing/testing.go:1792 +0x225
created by testing.(*T).Run in goroutine 1
\t/usr/local/go/src/testing/testing.go:1851 +0x8f3

==================
WARNING: DATA RACE
Atomic write at 0x00c0000b0000 by goroutine 9:
  sync/atomic.StoreInt64()
      /usr/local/go/src/runtime/race_amd64.s:237 +0xb
  example.com/m.g()
      /src/m/g.go:3 +0x1

Previous read by goroutine 1:
  [failed to restore the stack]

Heap block of size 8 at 0x00c0000b0000 allocated by goroutine 1:
  runtime.newobject()
      /usr/local/go/src/runtime/malloc.go:1 +0x1
Global var x of size 8 at 0x000000a0b0c0 declared at /src/m/g.go:1

Goroutine 9 (running) created at:
  example.com/m.h()
      /src/m/g.go:9 +0x2
==================
goroutine 1 [chan receive]:
testing.(*T).Run(0xc0001028c0, {0x62c0a5, 0x8}, 0x6411e0)
\t/usr/local/go/src/testing/testing.go:1859 +0x91e
main.main()
\t_testmain.go:45 +0x2d1
exit status 2
FAIL\texample.com/m\t0.012s
";

#[test]
fn race_then_panic_then_goroutines() {
    let d = text(MIXED);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    assert!(!d.truncated);
    assert_eq!(d.goroutines.iter().map(|g| g.id).collect::<Vec<_>>(), vec![7, 1]);
    assert_eq!(d.frames_of(&d.goroutines[0]).len(), 4);
    assert_eq!(d.frames_of(&d.goroutines[1]).len(), 2);
    assert_eq!(d.prelude.as_deref(), Some("panic: boom [recovered]\n\tpanic: boom"));
    assert_eq!(d.races.len(), 2);

    let r = &d.races[0];
    assert_eq!(r.line, 3);
    assert!(!r.truncated);
    assert_eq!(r.accesses.len(), 2);
    assert_eq!((d.sym(r.accesses[0].kind), r.accesses[0].address, r.accesses[0].goroutine), ("Write", 0xc0000a4010, Some(8)));
    assert_eq!(stack(&d, &r.accesses[0].frames), vec![fr("example.com/m.TestRace.func1", "/src/m/race_test.go", 12, 0x44)]);
    // `by main goroutine`
    assert_eq!((d.sym(r.accesses[1].kind), r.accesses[1].goroutine), ("Previous read", None));
    assert_eq!(r.accesses[1].frames.len(), 2);
    assert_eq!(r.created.len(), 1);
    assert_eq!((r.created[0].goroutine, d.sym(r.created[0].state)), (8, "finished"));
    assert_eq!(stack(&d, &r.created[0].frames)[0], fr("example.com/m.TestRace", "/src/m/race_test.go", 11, 0x8e));

    // Between goroutine blocks: atomic verb, no address, a lost stack, a heap location (dropped).
    let r = &d.races[1];
    assert!(!r.truncated);
    assert_eq!(
        r.accesses.iter().map(|a| (d.sym(a.kind), a.address, a.goroutine, a.frames.len())).collect::<Vec<_>>(),
        vec![("Atomic write", 0xc0000b0000, Some(9), 2), ("Previous read", 0, Some(1), 0)]
    );
    assert!(r.accesses[0].is_write(&d));
    assert_eq!(r.created.len(), 1);
    assert_eq!(stack(&d, &r.created[0].frames), vec![fr("example.com/m.h", "/src/m/g.go", 9, 0x2)]);
    // the heap block's stack went nowhere
    assert!(d.frames.iter().all(|f| d.sym(f.func) != "runtime.newobject"));

    let rep = analyze(&d, None, &Options::default());
    assert_eq!(rep.goroutines, 2);
    assert_eq!(rep.races.len(), 2);
    assert_eq!(rep.races[0].accesses[1].goroutine, None);

    // Chunked at every header: the same races, frames and goroutines.
    let c = parse_chunked(Source::Owned(MIXED.as_bytes().to_vec()), "test", 1).unwrap();
    assert_eq!(c.races, d.races);
    assert_eq!(c.frames, d.frames);
    assert_eq!(c.goroutines, d.goroutines);
    assert_eq!(c.warnings, d.warnings);
    for (a, b) in c.races.iter().zip(&d.races) {
        assert_eq!(c.sym(a.accesses[0].kind), d.sym(b.accesses[0].kind));
    }
}

#[test]
fn cut_and_damaged_races() {
    // Cut after an access header: the race is kept, truncated, with a warning.
    let d = text("==================\nWARNING: DATA RACE\nRead at 0x00c000014100 by goroutine 8:\n");
    assert_eq!(d.races.len(), 1);
    assert!(d.races[0].truncated);
    assert_eq!(d.races[0].accesses.len(), 1);
    assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
    assert!(d.warnings[0].message.contains("input ends inside the race report"), "{:?}", d.warnings);

    // Cut after a call line: the frame is kept without its location.
    let d = text("WARNING: DATA RACE\nWrite at 0x10 by main goroutine:\n  main.main()");
    let r = &d.races[0];
    assert!(r.truncated);
    assert_eq!((r.accesses[0].goroutine, r.accesses[0].address), (None, 0x10));
    assert_eq!(stack(&d, &r.accesses[0].frames), vec![("main.main".to_string(), String::new(), 0, None)]);

    // A complete report without its banners, then a goroutine: both kept, no warning.
    let d = text("WARNING: DATA RACE\nRead at 0x10 by goroutine 2:\n  main.f()\n      /a.go:1 +0x1\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:2 +0x1\n");
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    assert_eq!((d.races.len(), d.goroutines.len()), (1, 1));
    assert!(!d.races[0].truncated);

    // A ruler that is not a race banner: the text is still not a dump.
    assert!(parse(Source::Owned(b"==================\nhello\n".to_vec()), "t").is_err());
    // A closing banner at the end of a complete report is not a new (cut) race.
    let d = text("WARNING: DATA RACE\nRead at 0x10 by goroutine 2:\n  main.f()\n      /a.go:1 +0x1\n==================\n\n");
    assert_eq!(d.races.len(), 1);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}
