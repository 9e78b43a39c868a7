//! Helpers shared by the tests that compare our reports with `go tool pprof` (the oracle).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use goroscope_core::driver::{self, Fetch, Source};
use goroscope_core::pprof;

pub fn go_binary() -> PathBuf {
    for cand in ["go", "/usr/local/go/bin/go", "/usr/lib/go/bin/go"] {
        if Command::new(cand).arg("version").output().is_ok_and(|o| o.status.success()) {
            return PathBuf::from(cand);
        }
    }
    panic!("the Go toolchain is required (go tool pprof is the oracle); install Go or put it on PATH");
}

/// `go tool pprof -symbolize=none <args> <file>` → stdout, or Err(stderr) on failure.
pub fn go_pprof(go: &Path, args: &[String], file: &Path) -> Result<String, String> {
    let out = Command::new(go)
        .args(["tool", "pprof", "-symbolize=none"])
        .args(args)
        .args(file.display().to_string().split(','))
        .env("TZ", "UTC")
        .env("PPROF_TMPDIR", std::env::temp_dir())
        .env("GOTOOLCHAIN", "local")
        .stdin(Stdio::null())
        .output()
        .expect("running go tool pprof");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// A profile file, loaded as the driver loads its sources.
pub fn load(path: &str) -> Result<pprof::Profile, String> {
    Source::Path(path.into()).load(&Fetch::default().limits).map(std::sync::Arc::unwrap_or_clone).map_err(|e| e.to_string())
}

/// Our side of a case: the driver on `-symbolize=none`, `args` and `file` (which may hold several
/// sources separated by `,`).
pub fn ours(args: &[String], file: &Path) -> Result<String, String> {
    // The same -symbolize=none as the oracle's side (no symbolization, no demangling).
    let mut a = vec!["-symbolize=none".to_string()];
    a.extend_from_slice(args);
    a.extend(file.display().to_string().split(',').map(String::from));
    // pprof's bytes (a profile string that is not UTF-8 passes through), read as the oracle's are
    run(&a).map(|o| String::from_utf8_lossy(&o.text_bytes()).into_owned())
}

/// The driver on a whole command line (flags, then sources), like `go tool pprof`.
pub fn run(args: &[String]) -> Result<goroscope_core::report::ProfileReport, String> {
    let inv = driver::parse_command_line(args).map_err(|e| e.to_string())?;
    driver::run(inv).map_err(|e| e.to_string())
}

pub fn first_diff(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.split('\n').collect(), got.split('\n').collect());
    for i in 0..w.len().max(g.len()) {
        if w.get(i) != g.get(i) {
            return format!("line {}:\n    go   {:?}\n    ours {:?}", i + 1, w.get(i), g.get(i));
        }
    }
    "same lines".into()
}

pub fn strings(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}
