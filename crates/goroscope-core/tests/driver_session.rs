//! A driver `Session` (what a shell or a web UI holds): several reports from one fetch, with
//! settings changed in between, each identical to a fresh `go tool pprof`-style run, and the
//! sources never read again.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use goroscope_core::driver::{self, Command, Config, Fetch, Session, Source};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/google-pprof/internal/report/testdata/sample.cpu");
const HEAP_TEXT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/profiles/go126-heap-debug1.txt");
const HEAP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/profiles/go126-heap.pb.gz");

fn args(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}

/// A fresh one-shot run of a whole command line.
fn fresh(cmdline: &str) -> String {
    driver::run(driver::parse_command_line(&args(cmdline)).unwrap()).unwrap().text
}

/// Copies of `src` that the test deletes once the session has them.
fn copies(src: &str, n: usize) -> Vec<PathBuf> {
    let dir = std::env::temp_dir().join(format!("goroscope-session-{}-{}", std::process::id(), n));
    std::fs::create_dir_all(&dir).unwrap();
    (0..n)
        .map(|i| {
            let p = dir.join(format!("{i}-{}", Path::new(src).file_name().unwrap().to_string_lossy()));
            std::fs::copy(src, &p).unwrap();
            p
        })
        .collect()
}

#[test]
fn reports_from_one_fetch_match_fresh_runs() {
    // Two sources, so the session's profile is a merge: it is made once.
    let files = copies(SAMPLE, 2);
    let fetch = Fetch::of(files.iter().cloned().map(Source::Path).collect());
    let mut session = Session::new(fetch, Config::default()).unwrap();
    for f in &files {
        std::fs::remove_file(f).unwrap();
    }
    let fetched = session.profile().clone();
    let untouched = (*fetched).clone();

    let both = format!("{SAMPLE} {SAMPLE}");
    let top = session.report(&Command::Top).unwrap().text;
    assert_eq!(top, fresh(&format!("-top {both}")));
    assert!(top.contains("runtime.mapiternext"), "{top}");

    session.set("focus", "main.busyLoop").unwrap();
    let peek = session.report(&Command::Peek("runtime\\.map".into())).unwrap();
    assert_eq!(peek.text, fresh(&format!("-peek=runtime\\.map -focus=main.busyLoop {both}")));
    assert!(peek.text.contains("Active filters:\n   focus=main.busyLoop\n"), "{}", peek.text);

    session.set("focus", "").unwrap();
    assert_eq!(session.report(&Command::Top).unwrap().text, top);

    // One-report settings leave the session's alone.
    let mut cum = session.config.clone();
    cum.set("cum", "true").unwrap();
    cum.set("nodecount", "5").unwrap();
    assert_eq!(session.report_with(&Command::Top, &cum).unwrap().text, fresh(&format!("-top -cum -nodecount=5 {both}")));
    assert_eq!(session.report(&Command::Top).unwrap().text, top);

    // The fetched profile is the same one, unchanged: reports worked on copies.
    assert!(Arc::ptr_eq(session.profile(), &fetched));
    assert_eq!(**session.profile(), untouched);
}

#[test]
fn a_session_keeps_its_base_and_comment() {
    // A legacy text heap profile (its drop_frames are applied while fetching) against a base.
    let files = [copies(HEAP_TEXT, 1).remove(0), copies(HEAP, 1).remove(0)];
    let mut fetch = Fetch::of(vec![Source::Path(files[0].clone())]);
    fetch.base = vec![Source::Path(files[1].clone())];
    fetch.comment = "from-a-session".into();
    let session = Session::new(fetch, Config::default()).unwrap();
    for f in &files {
        std::fs::remove_file(f).unwrap();
    }
    let want = fresh(&format!("-top -base={HEAP} -add_comment=from-a-session {HEAP_TEXT}"));
    let got = session.report(&Command::Top).unwrap();
    assert_eq!(got.text, want);
    assert_ne!(got.text, fresh(&format!("-top {HEAP_TEXT}")), "the base is applied");
    assert!(session.report(&Command::Comments).unwrap().text.ends_with("from-a-session\n"));
}

#[test]
fn a_single_untouched_source_is_shared_not_copied() {
    let p = Arc::new(goroscope_core::pprof::parse(&std::fs::read(SAMPLE).unwrap(), "s", &Default::default()).unwrap());
    let session = Session::new(Fetch::of(vec![Source::Profile(p.clone())]), Config::default()).unwrap();
    assert!(Arc::ptr_eq(session.profile(), &p), "a profile with mappings and no drop_frames needs no copy");
    assert_eq!(session.report(&Command::Top).unwrap().text, fresh(&format!("-top {SAMPLE}")));
    assert!(matches!(
        session.report(&Command::Other("svg".into(), None)),
        Err(driver::Error::Unsupported(n)) if n == "svg"
    ));
}
