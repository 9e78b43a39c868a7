//! Legacy formats: every `profile/testdata/<name>` parses to exactly `<name>.string`.

use goroscope_core::pprof::{self, encode, raw, Limits};
use std::path::Path;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/google-pprof");

#[test]
fn string_goldens() {
    let dir = Path::new(CORPUS).join("profile/testdata");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.ends_with(".string"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 14, "{names:?}");
    let mut failed = Vec::new();
    for n in &names {
        let data = std::fs::read(dir.join(n)).unwrap();
        let want = std::fs::read_to_string(dir.join(format!("{n}.string"))).unwrap();
        match pprof::parse(&data, n, &Limits::default()) {
            Ok(p) => {
                let got = raw::to_string(&p);
                if got != want {
                    let _ = std::fs::write(format!("/tmp/pprof-legacy-{n}.got"), &got);
                    failed.push(format!("{n}: differs (see /tmp/pprof-legacy-{n}.got)"));
                }
                // Encode/decode keeps the dump (labels pprof drops on decode aside).
                let q = pprof::parse(&encode::encode(&p), n, &Limits::default()).unwrap();
                assert_eq!(raw::to_string(&q), got, "{n}: round trip");
            }
            Err(e) => failed.push(format!("{n}: {e}")),
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/profiles");

#[test]
fn other_legacy_inputs_parse() {
    for f in [
        "internal/driver/testdata/cppbench.cpu",
        "internal/driver/testdata/go.crc32.cpu",
        "internal/driver/testdata/cppbench.contention",
        "internal/driver/testdata/cppbench.small.contention",
    ] {
        let data = std::fs::read(Path::new(CORPUS).join(f)).unwrap();
        let p = pprof::parse(&data, f, &Limits::default()).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(!p.samples.is_empty(), "{f}");
    }
}

#[test]
fn legacy_prefixes_never_panic() {
    let dir = Path::new(CORPUS).join("profile/testdata");
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        for cut in (0..data.len()).step_by((data.len() / 97).max(1)) {
            let _ = pprof::parse(&data[..cut], "prefix", &Limits::default());
        }
    }
}

/// kubo's `ipfs diag profile` stores mutex.pprof / block.pprof as Go debug=2 text.
#[test]
fn go_debug2_mutex_and_block_text() {
    use goroscope_core::pprof::legacy::symbolize_from_comments;
    for (f, kind) in [("go126-mutex-contended-debug2.txt", "--- mutex:"), ("go126-block-contended-debug2.txt", "--- contention:")] {
        let data = std::fs::read(Path::new(FIX).join(f)).unwrap();
        assert!(data.starts_with(kind.as_bytes()));
        let mut p = pprof::parse(&data, f, &Limits::default()).unwrap();
        assert!(!p.samples.is_empty(), "{f}");
        assert_eq!(p.str(p.sample_types[1].kind), "delay");
        assert_eq!(p.str(p.sample_types[1].unit), "nanoseconds");
        // pprof leaves them unsymbolized…
        assert!(p.locations.iter().all(|l| l.lines.is_empty()));
        // …the comment lines carry the symbols.
        // Go does not print runtime.goexit (and hides runtime frames at the leaf), so a few
        // locations stay address-only.
        let n = symbolize_from_comments(&data, &mut p);
        assert!(n >= p.locations.len() * 3 / 4 && n < p.locations.len(), "{f}: {n} of {}", p.locations.len());
        pprof::check_valid(&p).unwrap();
        let names: Vec<&str> = p.functions.iter().map(|fun| p.str(fun.name)).collect();
        let want = if kind == "--- mutex:" { "main.(*store).put" } else { "main.chanConsumer" };
        assert!(names.contains(&want), "{f}: {names:?}");
        let s = raw::to_string(&p);
        assert!(s.contains(&format!("{want} /work/main/fixtures/profiles/contention-gen/main.go:")), "{s}");
    }
}

#[test]
fn go_debug1_heap_and_goroutine_text() {
    use goroscope_core::pprof::legacy::symbolize_from_comments;
    for f in ["go126-heap-debug1.txt", "go126-goroutine-debug1.txt", "go126-threadcreate-debug1.txt"] {
        let data = std::fs::read(Path::new(FIX).join(f)).unwrap();
        let mut p = pprof::parse(&data, f, &Limits::default()).unwrap();
        let n = symbolize_from_comments(&data, &mut p);
        assert!(n > 0 && n >= p.locations.len() * 3 / 4, "{f}: {n} of {}", p.locations.len());
        pprof::check_valid(&p).unwrap();
    }
    let data = std::fs::read(Path::new(FIX).join("go126-goroutine-debug1.txt")).unwrap();
    let mut p = pprof::parse(&data, "g", &Limits::default()).unwrap();
    symbolize_from_comments(&data, &mut p);
    assert!(p.functions.iter().any(|f| p.str(f.name) == "main.leakWorker"));
}
