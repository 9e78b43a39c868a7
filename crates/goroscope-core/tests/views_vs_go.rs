//! `-list`, `-callgrind` and `-topproto` against the installed `go tool pprof` (the oracle), on
//! the fixture profiles of `fixtures/goprog` (whose sources are in the repo, at the paths the
//! profiles name) and the standard library's (under the Go root the profiles name).
//! `-list` and `-callgrind` compare bytes; `-topproto` compares the decoded profiles (`-raw`
//! of each side's output), since gzip bytes may differ.

use std::path::{Path, PathBuf};

use goroscope_core::pprof::{self, Limits};

mod common;
use common::{first_diff, go_binary, go_pprof, ours, strings};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn fixture(name: &str) -> PathBuf {
    Path::new(ROOT).join("fixtures/profiles").join(name)
}

/// Runs every case on both sides; returns the mismatches (both failing is a mismatch unless
/// the error texts agree).
fn compare(cases: &[(&str, &str)]) -> Vec<String> {
    let go = go_binary();
    let mut failures = Vec::new();
    for (args, file) in cases {
        let (args, file) = (strings(args), fixture(file));
        let want = go_pprof(&go, &args, &file);
        let got = ours(&args, &file);
        let name = format!("{} {}", args.join(" "), file.file_name().unwrap().to_string_lossy());
        match (&want, &got) {
            (Ok(w), Ok(g)) if w == g => {}
            (Ok(w), Ok(g)) => failures.push(format!("{name}: {}", first_diff(w, g))),
            (Err(w), Err(g)) if w.trim_end().ends_with(g.as_str()) => {}
            (Err(w), Err(g)) => failures.push(format!("{name}: go said {w:?}, ours {g:?}")),
            (Ok(_), Err(e)) => failures.push(format!("{name}: go succeeded, ours failed: {e}")),
            (Err(e), Ok(_)) => failures.push(format!("{name}: go failed ({}), ours succeeded", e.trim())),
        }
    }
    failures
}

#[test]
fn list_matches_go_pprof() {
    let cases = [
        ("-list main\\.", "go126-heap.pb.gz"),
        ("-list main\\. -sample_index=alloc_space", "go126-heap.pb.gz"),
        ("-list main\\.(.*) -flat", "go126-allocs.pb.gz"),
        ("-list situation -cum", "go126-goroutine.pb.gz"),
        ("-list runtime\\.gopark", "go126-goroutine.pb.gz"),
        ("-list Mutex -unit=ms", "go126-mutex-contended.pb.gz"),
        ("-list main -noinlines", "go126-block-contended.pb.gz"),
        ("-list runtime\\. -trim_path=/usr/local/go", "go126-cpu.pb.gz"),
        ("-list . -source_path=/nonexistent", "go126-threadcreate.pb.gz"),
        ("-list main\\.main -trim_path=/work/main -source_path=/nonexistent", "go126-goroutine.pb.gz"),
        ("-list main\\.main -focus=store", "go126-goroutine.pb.gz"),
        ("-list nothing_matches_this", "go126-heap.pb.gz"),
        ("-list main\\.main", "go126-goroutine-debug1.txt"),
    ];
    let f = compare(&cases);
    assert!(f.is_empty(), "{} mismatches:\n{}", f.len(), f.join("\n"));
}

#[test]
fn callgrind_matches_go_pprof() {
    let cases = [
        ("-callgrind", "go126-cpu.pb.gz"),
        ("-callgrind -call_tree", "go126-cpu.pb.gz"),
        ("-callgrind", "go126-heap.pb.gz"),
        ("-callgrind -sample_index=alloc_objects", "go126-heap.pb.gz"),
        // (-call_tree on the heap profile is not here: pprof numbers equal nodes of different
        // contexts in map order there, so its own output changes from run to run.)
        ("-callgrind -call_tree", "go126-block-contended.pb.gz"),
        ("-callgrind -unit=ms", "go126-block-contended.pb.gz"),
        ("-callgrind -focus=main", "go126-goroutine.pb.gz"),
        ("-callgrind", "go126-goroutine-debug1.txt"),
        ("-callgrind -call_tree -mean", "go126-mutex-contended.pb.gz"),
    ];
    let f = compare(&cases);
    assert!(f.is_empty(), "{} mismatches:\n{}", f.len(), f.join("\n"));
}

/// `-raw` text of a gzipped profile.proto.
fn decoded(bytes: &[u8]) -> String {
    let p = pprof::parse(bytes, "", &Limits::default()).expect("topproto output decodes");
    pprof::raw::to_string(&p)
}

#[test]
fn topproto_matches_go_pprof_decoded() {
    let go = go_binary();
    let dir = std::env::temp_dir().join(format!("goroscope-topproto-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut failures = Vec::new();
    for (args, file) in [
        ("-topproto", "go126-cpu.pb.gz"),
        ("-topproto -nodecount=5 -cum", "go126-heap.pb.gz"),
        ("-topproto -lines -unit=ms", "go126-block-contended.pb.gz"),
        ("-topproto -addresses", "go126-goroutine.pb.gz"),
    ] {
        let file = fixture(file);
        let out = dir.join("go.pb.gz");
        let mut a = strings(args);
        a.push(format!("-output={}", out.display()));
        go_pprof(&go, &a, &file).unwrap_or_else(|e| panic!("go tool pprof {args}: {e}"));
        let want = decoded(&std::fs::read(&out).unwrap());
        let r = common::run(&[strings(args), vec![file.display().to_string()]].concat()).expect("our topproto");
        let goroscope_core::report::ReportData::TopProto(bytes) = &r.data else { panic!("not a topproto report") };
        let got = decoded(bytes);
        assert!(want.lines().count() > 5, "{args}: the oracle's profile is too small to prove anything");
        if want != got {
            failures.push(format!("{args} {}: {}", file.display(), first_diff(&want, &got)));
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

/// A profile written by our encoder with names as other producers write them: C++ and Rust
/// names already demangled, Go generic shapes, Java constructors, names given apart from their
/// system names.
fn foreign_names_profile() -> Vec<u8> {
    use goroscope_core::pprof::{Function, Line, Location, Mapping, Profile, Sample, ValueType};
    let mut p = Profile::default();
    let s = |p: &mut Profile, x: &str| -> u32 {
        p.strings.push(x.to_string());
        (p.strings.len() - 1) as u32
    };
    let (cpu, ns) = (s(&mut p, "cpu"), s(&mut p, "nanoseconds"));
    p.sample_types = vec![ValueType { kind: cpu, unit: ns }];
    p.period_type = ValueType { kind: cpu, unit: ns };
    p.period = 10_000_000;
    let bin = s(&mut p, "/nonexistent/app");
    p.mappings.push(Mapping { id: 1, memory_start: 0x1000, memory_limit: 0x100000, filename: bin, has_functions: true, ..Default::default() });
    // (name, system name): "" name = only the system name given.
    let names: [(&str, &str); 10] = [
        ("", "main"),
        ("std::vector<int, std::allocator<int> >::push_back(int const&)", "std::vector<int, std::allocator<int> >::push_back(int const&)"),
        ("<pprof::backtrace::Trace as pprof::backtrace::TraceImpl>::trace", "<pprof::backtrace::Trace as pprof::backtrace::TraceImpl>::trace"),
        ("", "crypto/internal/fips140/hmac.New[go.shape.interface { BlockSize() int; Sum([]uint8) []uint8 }]"),
        ("main.(*List[go.shape.int]).Push", "main.(*List[go.shape.int]).Push"),
        ("java.util.HashMap.<init>", "java.util.HashMap.<init>"),
        // (A mangled system name, `_Z…`, is not here: pprof demangles those with a library we do
        // not reproduce; -symbolize=force would differ.)
        ("pretty::name(int)", "pretty_name_system"),
        ("(anonymous namespace)::Worker::run()", "(anonymous namespace)::Worker::run()"),
        ("unbalanced::f(a)b)", "unbalanced::f(a)b)"),
        ("plain_c_function", "plain_c_function"),
    ];
    for (i, (name, system)) in names.iter().enumerate() {
        let (n, sys) = (if name.is_empty() { 0 } else { s(&mut p, name) }, s(&mut p, system));
        let file = s(&mut p, &format!("src/file{i}.cc"));
        p.functions.push(Function { id: i as u64 + 1, name: n, system_name: sys, filename: file, start_line: 1 });
        p.locations.push(Location {
            id: i as u64 + 1,
            mapping: Some(0),
            address: 0x1000 + 0x10 * i as u64,
            lines: vec![Line { function: i as u32, line: 10 + i as i64, column: 0 }],
            is_folded: false,
        });
    }
    // main -> each other function, with weights 1..
    for i in 1..names.len() as u32 {
        p.samples.push(Sample { locations: vec![i, 0], values: vec![i as i64 * 10_000_000], labels: vec![] });
    }
    goroscope_core::pprof::encode::encode(&p)
}

#[test]
fn demangled_names_simplified_as_go_pprof_does() {
    let go = go_binary();
    let dir = std::env::temp_dir().join(format!("goroscope-names-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("foreign.pb.gz");
    std::fs::write(&file, foreign_names_profile()).unwrap();
    let mut failures = Vec::new();
    for args in [
        "-top",
        "-traces",
        "-tree",
        "-dot",
        "-raw",
        "-callgrind",
        "-top -symbolize=demangle=templates",
        "-top -symbolize=demangle=full",
        "-top -symbolize=demangle=none",
        "-top -symbolize=force",
        "-top -symbolize=none",
    ] {
        // Symbolization on (pprof finds no binary and says so on stderr): demangling runs.
        let out = std::process::Command::new(&go)
            .args(["tool", "pprof"])
            .args(strings(args))
            .arg(&file)
            .env("TZ", "UTC")
            .env("GOTOOLCHAIN", "local")
            .env("PPROF_BINARY_PATH", "/nonexistent")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "go tool pprof {args}: {}", String::from_utf8_lossy(&out.stderr));
        let want = String::from_utf8_lossy(&out.stdout).into_owned();
        let got = common::run(&[strings(args), vec![file.display().to_string()]].concat()).map(|r| r.text);
        match got {
            Ok(g) if g == want => {}
            Ok(g) => failures.push(format!("{args}: {}", first_diff(&want, &g))),
            Err(e) => failures.push(format!("{args}: ours failed: {e}")),
        }
    }
    // The rule did something: the default mode's names are not the system names.
    let top = common::run(&strings(&format!("-top {}", file.display()))).unwrap().text;
    assert!(top.contains(" ::trace\n") && top.contains("std::vector::push_back\n"), "{top}");
    assert!(top.contains("main.(*List[go.shape.int]).Push\n") && top.contains("java.util.HashMap.<init>\n"), "{top}");
    std::fs::remove_dir_all(&dir).ok();
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn views_needing_instructions_are_refused_by_name() {
    let file = fixture("go126-cpu.pb.gz").display().to_string();
    // -disasm without the binary (the profile's mapping names a file of another machine) says so.
    let e = common::run(&["-disasm=runtime".to_string(), file.clone()]).err().unwrap_or_default();
    assert!(e.starts_with("disasm: no binary to read the instructions from (/tmp/gp/goprog: "), "{e}");
    assert!(e.ends_with("give the profile's binary with --binary"), "{e}");
    // A -list regexp that does not compile is pprof's error, naming it.
    let e = common::run(&["-list=main(".to_string(), file]).err().unwrap_or_default();
    assert!(e.starts_with("parsing argument regexp main(: "), "{e}");
}

#[test]
fn weblist_carries_the_blocks_of_list() {
    // The weblist page shows -list's numbers: the same blocks for the same flags, no text.
    use goroscope_core::report::ReportData;
    for (args, file) in [("main\\. -sample_index=alloc_space", "go126-heap.pb.gz"), ("main -focus=store", "go126-goroutine.pb.gz")] {
        let mut a = strings(args);
        let re = a.remove(0);
        let file = fixture(file).display().to_string();
        let list = common::run(&[vec![format!("-list={re}")], a.clone(), vec![file.clone()]].concat()).unwrap();
        let web = common::run(&[vec![format!("-weblist={re}")], a, vec![file]].concat()).unwrap();
        let (ReportData::List(l), ReportData::WebList(w)) = (&list.data, &web.data) else { panic!("{args}: {:?}", web.data) };
        assert!(l.iter().any(|b| b.lines.iter().any(|x| x.cum != 0)), "{args}");
        assert_eq!(l, w, "{args}");
        assert_eq!(web.text, "", "{args}");
        assert!(web.legend.iter().any(|s| s.starts_with("Type: ")), "{args}: {:?}", web.legend);
    }
}
