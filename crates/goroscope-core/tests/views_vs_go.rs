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
