//! A string table that is not valid UTF-8: pprof (Go strings are bytes) passes the bytes through
//! to its text reports, and so do we ([`pprof::bytes`]). The profiles are fixtures whose function
//! names, file names and label values our encoder rewrites with invalid bytes (and one genuine
//! U+10FF80, the first character of the range we use to hold such bytes); each report's bytes
//! are compared with `go tool pprof`'s.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use goroscope_core::pprof::{self, bytes};

mod common;
use common::{go_binary, strings};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// `fixture` with invalid bytes in its names, written by our encoder to a temporary file.
fn with_invalid_bytes(fixture: &str) -> PathBuf {
    let mut p = common::load(&Path::new(ROOT).join("fixtures/profiles").join(fixture).display().to_string()).unwrap();
    for s in p.strings.iter_mut() {
        let mut b = s.as_bytes().to_vec();
        if s.starts_with("main.") {
            b.extend_from_slice(b"\xff\xfe(bad)");
        } else if s.ends_with(".go") {
            b.splice(0..0, b"\xe2\x82/".iter().copied());
        } else if s.starts_with("runtime.gopark") {
            b.extend_from_slice("\u{10FF80}".as_bytes());
        } else if s.starts_with("tenant") || s == "acme" || s == "worker" {
            b.push(0xc3);
        } else {
            continue;
        }
        *s = bytes::from_bytes(&b);
    }
    let dir = std::env::temp_dir().join(format!("goroscope-bytes-{}-{fixture}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("invalid.pb.gz");
    std::fs::write(&file, pprof::encode::encode(&p)).unwrap();
    file
}

fn go_pprof_bytes(args: &[String], file: &Path) -> Vec<u8> {
    let out = Command::new(go_binary())
        .args(["tool", "pprof", "-symbolize=none"])
        .args(args)
        .arg(file)
        .env("TZ", "UTC")
        .env("GOTOOLCHAIN", "local")
        .stdin(Stdio::null())
        .output()
        .expect("running go tool pprof");
    assert!(out.status.success(), "go tool pprof {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn text_reports_pass_invalid_utf8_through_as_go_pprof_does() {
    let mut failures = Vec::new();
    for fixture in ["go126-labels-goroutine.pb.gz", "go126-allocs.pb.gz"] {
        let file = with_invalid_bytes(fixture);
        // the file holds the bytes: our encoder wrote them back
        let raw = pprof::parse(&std::fs::read(&file).unwrap(), "invalid.pb.gz", &Default::default()).unwrap();
        assert!(raw.strings.iter().any(|s| bytes::to_bytes(s).windows(2).any(|w| w == b"\xff\xfe")), "{fixture}");
        for args in ["-top", "-traces", "-tree", "-peek=main", "-tags", "-raw", "-top -lines", "-dot"] {
            let args = strings(args);
            let want = go_pprof_bytes(&args, &file);
            let mut a = vec!["-symbolize=none".to_string()];
            a.extend(args.iter().cloned());
            a.push(file.display().to_string());
            let got = common::run(&a).unwrap();
            let got_bytes = got.text_bytes();
            if *got_bytes != *want {
                failures.push(format!("{fixture} {args:?}: {}", common::first_diff(&String::from_utf8_lossy(&want), &String::from_utf8_lossy(&got_bytes))));
            }
            // the invalid bytes are there (the test can fail), and the string form is valid UTF-8 with U+FFFD
            if args[0] != "-tags" {
                assert!(want.windows(2).any(|w| w == b"\xff\xfe"), "{fixture} {args:?}");
            }
            assert!(!bytes::lossy(&got.text).contains('\u{10FF80}'), "{args:?}");
        }
        std::fs::remove_dir_all(file.parent().unwrap()).ok();
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}
