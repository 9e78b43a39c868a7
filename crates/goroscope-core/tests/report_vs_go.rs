//! Our text reports against the installed `go tool pprof` (the oracle), byte for byte:
//! real Go profiles (`fixtures/profiles/`, or captured on the fly from `fixtures/goprog` when that
//! directory does not exist yet) and the google/pprof corpus inputs, over a matrix of flags.
//!
//! Requires Go on PATH (or /usr/local/go/bin); the test fails loudly without it. pprof prints
//! `Time:` in local time, so Go runs with `TZ=UTC` (our reports print UTC).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use goroscope_core::pprof::{self, Limits};

mod common;
use common::{first_diff, go_binary, go_pprof, ours, strings};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/google-pprof");





fn sample_types(file: &Path) -> usize {
    let data = std::fs::read(file).unwrap();
    pprof::parse(&data, "", &Limits::default()).map(|p| p.sample_types.len()).unwrap_or(0)
}


/// Runs every (args, file) case on both sides (2 threads) and returns the mismatches.
fn compare_all(go: &Path, cases: Vec<(Vec<String>, PathBuf)>) -> (usize, Vec<String>) {
    let next = Mutex::new(cases.into_iter());
    let failures = Mutex::new(Vec::new());
    let count = Mutex::new(0usize);
    let both_failed = Mutex::new(0usize);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let Some((args, file)) = next.lock().unwrap().next() else { break };
                let want = go_pprof(go, &args, &file);
                let got = ours(&args, &file);
                *count.lock().unwrap() += 1;
                let name = format!("{} {}", args.join(" "), file.file_name().unwrap().to_string_lossy());
                let msg = match (&want, &got) {
                    (Ok(w), Ok(g)) if w == g => None,
                    (Ok(w), Ok(g)) => Some(format!("{name}: {}", first_diff(w, g))),
                    (Err(_), Err(_)) => {
                        *both_failed.lock().unwrap() += 1;
                        eprintln!("both failed (accepted): {name}");
                        None
                    }
                    (Ok(_), Err(e)) => Some(format!("{name}: go succeeded, ours failed: {e}")),
                    (Err(e), Ok(_)) => Some(format!("{name}: go failed ({}), ours succeeded", e.trim())),
                };
                if let Some(m) = msg {
                    failures.lock().unwrap().push(m);
                }
            });
        }
    });
    eprintln!("{} cases failed on both sides", both_failed.into_inner().unwrap());
    let mut f = failures.into_inner().unwrap();
    f.sort();
    (count.into_inner().unwrap(), f)
}


/// Profiles of the Go fixture program: `fixtures/profiles/*`, else captured now into a temp dir.
fn fixture_profiles(go: &Path) -> Vec<PathBuf> {
    let dir = Path::new(ROOT).join("fixtures/profiles");
    if let Ok(rd) = std::fs::read_dir(&dir) {
        let mut v: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let n = p.file_name().unwrap().to_string_lossy().to_string();
                p.is_file() && (n.ends_with(".pb.gz") || n.ends_with(".pprof") || n.ends_with(".txt"))
            })
            .collect();
        v.sort();
        if !v.is_empty() {
            return v;
        }
    }
    capture_profiles(go)
}

fn http_get(addr: &str, path: &str) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").expect("http response");
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    assert!(head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"), "GET {path}: {head}");
    buf[split + 4..].to_vec()
}

fn capture_profiles(go: &Path) -> Vec<PathBuf> {
    let tmp = std::env::temp_dir().join(format!("goroscope-report-vs-go-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let bin = tmp.join("goprog");
    let st = Command::new(go)
        .args(["build", "-o"])
        .arg(&bin)
        .arg(".")
        .current_dir(Path::new(ROOT).join("fixtures/goprog"))
        .env("GOTOOLCHAIN", "local")
        .status()
        .expect("go build fixtures/goprog");
    assert!(st.success(), "go build fixtures/goprog failed");
    let mut child = Command::new(&bin)
        .args(["-ready", "-many", "50", "-max-life", "3m"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start goprog");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first.trim().rsplit("http://").next().unwrap().trim_end_matches('/').to_string();
    for l in lines.by_ref() {
        if l.unwrap().trim() == "ready" {
            break;
        }
    }
    let mut out = Vec::new();
    for (name, path) in [
        ("heap", "/debug/pprof/heap"),
        ("allocs", "/debug/pprof/allocs"),
        ("goroutine", "/debug/pprof/goroutine"),
        ("block", "/debug/pprof/block"),
        ("mutex", "/debug/pprof/mutex"),
        ("threadcreate", "/debug/pprof/threadcreate"),
        ("cpu", "/debug/pprof/profile?seconds=1"),
    ] {
        let body = http_get(&addr, path);
        let f = tmp.join(format!("{name}.pb.gz"));
        std::fs::write(&f, body).unwrap();
        out.push(f);
    }
    let _ = child.kill();
    let _ = child.wait();
    out
}

/// -top, -traces, -tree for every sample index, plus a few other reports.
///
/// Not `-files`: nodes of different functions in one file keep their start line, so several
/// nodes print the same name; pprof orders such ties by map iteration and its output changes
/// from run to run (checked: `go tool pprof -top -files` on the allocs fixture gives 4 orders).
#[test]
fn fixture_profiles_match_go_pprof() {
    let go = go_binary();
    let files = fixture_profiles(&go);
    assert!(!files.is_empty(), "no fixture profiles");
    let mut cases = Vec::new();
    for f in &files {
        if f.extension().is_some_and(|e| e == "txt") {
            // Legacy text forms: the decoder is exercised, the reports are the same code.
            for cmd in ["-top", "-traces", "-raw"] {
                cases.push((strings(cmd), f.clone()));
            }
            continue;
        }
        let n = sample_types(f);
        for cmd in ["-top", "-traces", "-tree"] {
            cases.push((strings(cmd), f.clone()));
            for i in 0..n {
                cases.push((strings(&format!("{cmd} -sample_index={i}")), f.clone()));
            }
        }
        for extra in ["-top -cum", "-tags", "-comments", "-raw", "-peek=main\\.|runtime\\.", "-top -lines", "-top -filefunctions", "-top -compact_labels -nodecount=5"] {
            cases.push((strings(extra), f.clone()));
        }
    }
    let (n, failures) = compare_all(&go, cases);
    eprintln!("report_vs_go fixtures: {n} cases, {} mismatches", failures.len());
    assert!(failures.is_empty(), "{} mismatches with go tool pprof:\n{}", failures.len(), failures.join("\n"));
}

/// The google/pprof corpus inputs under a matrix of formats and flags.
#[test]
fn corpus_profiles_match_go_pprof() {
    let go = go_binary();
    let base = Path::new(CORPUS);
    let inputs = [
        "generated/driver-inputs/cpu.pb.gz",
        "generated/driver-inputs/cpusmall.pb.gz",
        "generated/driver-inputs/heap.pb.gz",
        "generated/driver-inputs/heap_alloc.pb.gz",
        "generated/driver-inputs/heap_request.pb.gz",
        "generated/driver-inputs/heap_sizetags.pb.gz",
        "generated/driver-inputs/heap_tags.pb.gz",
        "generated/driver-inputs/contention.pb.gz",
        "generated/driver-inputs/long_name_funcs.pb.gz",
        "internal/report/testdata/sample.cpu",
    ];
    let matrix = [
        "-top",
        "-top -cum",
        "-text -lines",
        "-text -files",
        "-text -filefunctions",
        "-text -addresses",
        "-text -addresses -noinlines",
        "-top -noinlines -cum",
        "-tree",
        "-tree -lines",
        "-tree -cum -nodecount=3",
        "-traces",
        "-traces -lines",
        "-tags",
        "-tags -unit=kb",
        "-comments",
        "-raw",
        "-peek=.",
        "-top -focus=line[12] -ignore=3001",
        "-top -hide=line2 -show=line",
        "-tree -show_from=line3",
        "-top -prune_from=line2",
        "-top -tagfocus=key1=tag[12]",
        "-top -tagignore=100kb:1mb",
        "-top -tagfocus=:200kb -relative_percentages",
        "-traces -tagshow=key1",
        "-traces -taghide=key1",
        "-top -mean",
        "-top -divide_by=3",
        "-top -unit=ms",
        "-top -unit=auto",
        "-tree -unit=kb",
        "-top -trim=false",
        "-top -nodefraction=0.2 -edgefraction=0.1",
        "-top -drop_negative",
        "-text -compact_labels -nodecount=2",
        "-top -sample_index=0",
        "-top -inuse_objects",
        "-top -alloc_space",
        "-top -contentions",
        "-top -mean_delay",
        "-top -call_tree",
        "-traces -tagroot=key1,key2",
        "-top -tagleaf=bytes -lines",
        "-tree -tagroot=request -tagleaf=key1",
        "-raw -tagleaf=key2",
    ];
    let mut cases = Vec::new();
    for i in inputs {
        for m in matrix {
            cases.push((strings(m), base.join(i)));
        }
    }
    let large = base.join("internal/proftest/testdata/large.cpu");
    for m in ["-top", "-top -cum -lines", "-tree -nodecount=30", "-peek=runtime\\.mallocgc$", "-traces -focus=gcBgMarkWorker"] {
        cases.push((strings(m), large.clone()));
    }
    // Bases and merges (pprof's TestFetchWithBase inputs, and merging a profile with itself).
    let td = base.join("internal/driver/testdata");
    let (full, small) = (td.join("cppbench.contention"), td.join("cppbench.small.contention"));
    for m in [
        "-top -base={small}",
        "-top -diff_base={small}",
        "-traces -diff_base={small}",
        "-tree -diff_base={small}",
        "-top -normalize -base={small}",
        "-top -drop_negative -base={full}",
        "-top -base={small} -base={small}",
    ] {
        let m = m.replace("{small}", &small.display().to_string()).replace("{full}", &full.display().to_string());
        cases.push((strings(&m), full.clone()));
        cases.push((strings(&m), small.clone()));
    }
    let cpu = base.join("generated/driver-inputs/cpu.pb.gz").display().to_string();
    for m in ["-top", "-traces", "-raw", "-tags"] {
        cases.push((strings(m), PathBuf::from(format!("{cpu},{cpu}"))));
    }
    let (n, failures) = compare_all(&go, cases);
    eprintln!("report_vs_go corpus: {n} cases, {} mismatches", failures.len());
    assert!(failures.is_empty(), "{} mismatches with go tool pprof:\n{}", failures.len(), failures.join("\n"));
}
