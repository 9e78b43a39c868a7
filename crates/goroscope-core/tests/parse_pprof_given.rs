//! A pprof protobuf given to the goroutine-dump parser by mistake is named as such.

use std::io::Read;
use std::path::Path;

use goroscope_core::source::Source;
use goroscope_core::stacks::parse::{looks_like_pprof, parse, ParseError};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const PPROF_CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/google-pprof");

/// Real gzipped profile.proto files: Go 1.26 `runtime/pprof` goroutine profile (debug=0, first
/// field 11 `period_type`), and two CPU profiles from google/pprof's test data.
fn real_profiles() -> Vec<std::path::PathBuf> {
    vec![
        Path::new(ROOT).join("fixtures/dumps/go126-goroutine.pb.gz"),
        Path::new(PPROF_CORPUS).join("internal/report/testdata/sample.cpu"),
        Path::new(PPROF_CORPUS).join("internal/proftest/testdata/large.cpu"),
    ]
}

fn gunzip(p: &Path) -> Vec<u8> {
    let gz = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&gz[..]).read_to_end(&mut out).unwrap();
    out
}

#[test]
fn real_pprof_profiles_are_recognised() {
    for p in real_profiles() {
        let raw = gunzip(&p);
        assert!(looks_like_pprof(&raw), "{}", p.display());
        // Through the parser, from the gzip file as a user would give it.
        let e = match parse(Source::open(&p).unwrap(), "x") {
            Err(e) => e,
            Ok(d) => panic!("{}: parsed {} goroutines", p.display(), d.goroutines.len()),
        };
        assert!(matches!(e, ParseError::NotADump { .. }), "{e}");
        assert!(e.to_string().contains("pprof"), "{}: {e}", p.display());
    }
    // The Go writer's first field is 11 (period_type): `Z`.
    assert_eq!(gunzip(&real_profiles()[0])[0], b'Z');
}

#[test]
fn a_cut_profile_is_recognised_from_its_first_64k() {
    let raw = gunzip(&real_profiles()[2]);
    assert!(raw.len() > 200 << 10);
    // Cut in the middle of a field, well after 64 KiB: the walk stops before the cut.
    assert!(looks_like_pprof(&raw[..raw.len() / 2]));
    // Cut inside a field before 64 KiB: the walk fails. Go's first field is 11 `period_type`
    // (`Z`, length-delimited); cut one byte before its end.
    let raw = gunzip(&real_profiles()[0]);
    assert_eq!(raw[0], b'Z');
    let len = raw[1] as usize;
    assert!(len < 0x80);
    assert!(!looks_like_pprof(&raw[..1 + 1 + len - 1]));
}

#[test]
fn other_inputs_are_not_pprof() {
    assert!(!looks_like_pprof(b""));
    assert!(!looks_like_pprof(b"goroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n"));
    let text = std::fs::read(Path::new(ROOT).join("fixtures/dumps/go126-panic.txt")).unwrap();
    assert!(!looks_like_pprof(&text));
    let bin: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 256) as u8).collect();
    assert!(!looks_like_pprof(&bin));
    // Two clean fields are not enough.
    assert!(!looks_like_pprof(&[0x08, 0x01, 0x10, 0x02]));
    assert!(looks_like_pprof(&[0x08, 0x01, 0x10, 0x02, 0x5a, 0x00]));
    // Wire type 1 (fixed64) and field 16 are refused.
    assert!(!looks_like_pprof(&[0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x02, 0x08, 0x01]));
    assert!(!looks_like_pprof(&[0x80, 0x01, 0x01, 0x08, 0x01, 0x10, 0x02]));
}
