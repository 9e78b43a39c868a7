//! profile.proto decoding: round trips on every proto in the corpus, large.cpu counts, and the
//! specific errors for bad input.

use goroscope_core::pprof::{self, decode, encode, raw, Limits, ProfileError};
use goroscope_core::source::{GzipError, MaxDecompressed};
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/google-pprof");

fn corpus(rel: &str) -> PathBuf {
    Path::new(CORPUS).join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(corpus(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn proto_files() -> Vec<String> {
    let mut v = vec![
        "internal/report/testdata/sample.cpu".to_string(),
        "internal/proftest/testdata/large.cpu".to_string(),
        "internal/driver/testdata/cppbench.cpu_no_samples_type".to_string(),
        "internal/driver/testdata/go.nomappings.crash".to_string(),
        "generated/report-inputs/report_testProfile.pb.gz".to_string(),
    ];
    for dir in ["generated/driver-inputs", "generated/driver-inputs/raw"] {
        for e in std::fs::read_dir(corpus(dir)).unwrap() {
            let name = e.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".pb.gz") {
                v.push(format!("{dir}/{name}"));
            }
        }
    }
    v.sort();
    v
}

#[test]
fn round_trip_every_corpus_proto() {
    let files = proto_files();
    assert!(files.len() >= 20, "{files:?}");
    for f in files {
        let p = pprof::parse(&read(&f), &f, &Limits::default()).unwrap_or_else(|e| panic!("{f}: {e}"));
        let bytes = encode::encode(&p);
        let q = pprof::parse(&bytes, &f, &Limits::default()).unwrap_or_else(|e| panic!("{f} re-read: {e}"));
        assert!(p == q, "{f}: decode(encode(p)) != p");
        assert_eq!(raw::to_string(&p), raw::to_string(&q), "{f}");
        // Uncompressed encoding too.
        let r = decode::decode(&encode::encode_uncompressed(&p)).unwrap();
        assert!(p == r, "{f}: uncompressed round trip");
    }
}

#[test]
fn large_cpu_counts() {
    let p = pprof::parse(&read("internal/proftest/testdata/large.cpu"), "large.cpu", &Limits::default()).unwrap();
    assert_eq!(p.samples.len(), 20_430);
    assert_eq!(p.locations.len(), 23_355);
    assert_eq!(p.functions.len(), 23_038);
}

#[test]
fn fuzz_seeds_never_panic() {
    for dir in ["fuzz/corpus", "fuzz/testdata"] {
        for e in std::fs::read_dir(corpus(dir)).unwrap() {
            let path = e.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let _ = pprof::parse(&data, "fuzz", &Limits::default());
            // Every prefix and a few byte flips must not panic either.
            for cut in (0..data.len()).step_by((data.len() / 64).max(1)) {
                let _ = pprof::parse(&data[..cut], "fuzz", &Limits::default());
            }
        }
    }
    assert!(matches!(pprof::parse(&[], "empty", &Limits::default()), Err(ProfileError::Empty)));
}

// ---- hand-built protos for the error cases ----

fn varint(b: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        b.push(v as u8 | 0x80);
        v >>= 7;
    }
    b.push(v as u8);
}
fn key(b: &mut Vec<u8>, f: u64, wt: u64) {
    varint(b, f << 3 | wt);
}
fn vfield(b: &mut Vec<u8>, f: u64, v: u64) {
    key(b, f, 0);
    varint(b, v);
}
fn lfield(b: &mut Vec<u8>, f: u64, payload: &[u8]) {
    key(b, f, 2);
    varint(b, payload.len() as u64);
    b.extend_from_slice(payload);
}
fn strings(b: &mut Vec<u8>, ss: &[&str]) {
    for s in ss {
        lfield(b, 6, s.as_bytes());
    }
}
fn vt(t: u64, u: u64) -> Vec<u8> {
    let mut m = Vec::new();
    vfield(&mut m, 1, t);
    vfield(&mut m, 2, u);
    m
}

/// A minimal valid profile: one sample type, one function, one location, one sample.
fn minimal(loc_id_in_sample: u64, func_id_in_line: u64, label_str: u64) -> Vec<u8> {
    let mut b = Vec::new();
    lfield(&mut b, 1, &vt(1, 2));
    let mut s = Vec::new();
    vfield(&mut s, 1, loc_id_in_sample); // unpacked location id
    let mut packed = Vec::new();
    varint(&mut packed, 7);
    lfield(&mut s, 2, &packed); // packed value
    let mut l = Vec::new();
    vfield(&mut l, 1, 3);
    vfield(&mut l, 2, label_str);
    lfield(&mut s, 3, &l);
    lfield(&mut b, 2, &s);
    // location after the sample, id 10 (not dense)
    let mut loc = Vec::new();
    vfield(&mut loc, 1, 10);
    let mut line = Vec::new();
    vfield(&mut line, 1, func_id_in_line);
    vfield(&mut line, 2, 42);
    lfield(&mut loc, 4, &line);
    lfield(&mut b, 4, &loc);
    let mut f = Vec::new();
    vfield(&mut f, 1, 99);
    vfield(&mut f, 2, 4);
    lfield(&mut b, 5, &f);
    key(&mut b, 200, 5); // unknown fixed32 field is skipped
    b.extend_from_slice(&[1, 2, 3, 4]);
    strings(&mut b, &["", "samples", "count", "k", "main.f"]);
    b
}

#[test]
fn minimal_profile_decodes() {
    let p = pprof::parse(&minimal(10, 99, 4), "m", &Limits::default()).unwrap();
    assert_eq!(p.samples.len(), 1);
    assert_eq!(p.samples[0].locations, vec![0]);
    assert_eq!(p.samples[0].values, vec![7]);
    assert_eq!(p.samples[0].labels.len(), 1);
    assert_eq!(p.str(p.functions[p.locations[0].lines[0].function as usize].name), "main.f");
    // A str label with str == 0 is dropped.
    let p = pprof::parse(&minimal(10, 99, 0), "m", &Limits::default()).unwrap();
    assert!(p.samples[0].labels.is_empty());
    let s = raw::to_string(&p);
    assert!(s.contains("    10: 0x0 main.f :42:0 s=0()\n"), "{s}");
}

#[test]
fn bad_ids_are_specific_errors() {
    let e = decode::decode(&minimal(11, 99, 4)).unwrap_err();
    assert_eq!(e, ProfileError::UnknownLocation { sample: 0, id: 11 });
    let e = decode::decode(&minimal(10, 98, 4)).unwrap_err();
    assert_eq!(e, ProfileError::NilFunction { location: 10, function: 98 });
    let e = decode::decode(&minimal(10, 0, 4)).unwrap_err();
    assert_eq!(e, ProfileError::NilFunction { location: 10, function: 0 });
    // Duplicate location id.
    let mut b = minimal(10, 99, 4);
    let mut loc = Vec::new();
    vfield(&mut loc, 1, 10);
    lfield(&mut b, 4, &loc);
    assert_eq!(decode::decode(&b).unwrap_err(), ProfileError::DuplicateId { kind: "location", id: 10 });
}

#[test]
fn string_index_out_of_range() {
    let e = decode::decode(&minimal(10, 99, 5)).unwrap_err();
    assert_eq!(e, ProfileError::StringIndex { field: "label.str", index: 5, len: 5 });
    // via parse it is reported as unrecognized (pprof falls back to legacy), wrapping the cause
    let e = pprof::parse(&minimal(10, 99, 5), "m", &Limits::default()).unwrap_err();
    assert!(e.to_string().contains("label.str refers to string 5"), "{e}");
}

#[test]
fn string_table_head_and_wire_errors() {
    let mut b = Vec::new();
    strings(&mut b, &["x"]);
    assert!(matches!(decode::decode(&b).unwrap_err(), ProfileError::StringTableHead { .. }));
    // group wire type
    let mut b = minimal(10, 99, 4);
    key(&mut b, 30, 3);
    assert!(matches!(decode::decode(&b).unwrap_err(), ProfileError::BadWireType { wire_type: 3, .. }));
    // known field with wrong wire type
    let mut b = minimal(10, 99, 4);
    key(&mut b, 12, 1);
    b.extend_from_slice(&[0; 8]);
    assert!(matches!(decode::decode(&b).unwrap_err(), ProfileError::TypeMismatch { field: "period", .. }));
    // an 11-byte varint
    let mut b = minimal(10, 99, 4);
    key(&mut b, 12, 0);
    b.extend_from_slice(&[0xff; 10]);
    b.push(1);
    assert!(matches!(decode::decode(&b).unwrap_err(), ProfileError::BadVarint { .. }));
}

#[test]
fn concatenated_profiles() {
    let mut one = minimal(10, 99, 4);
    vfield(&mut one, 9, 123);
    let mut two = one.clone();
    two.extend_from_slice(&one);
    assert!(matches!(decode::decode(&two).unwrap_err(), ProfileError::Concatenated { .. }));
    // Two gzip members.
    let gz1 = gz(&one);
    let mut gz2 = gz1.clone();
    gz2.extend_from_slice(&gz1);
    let e = pprof::parse(&gz2, "two", &Limits::default()).unwrap_err();
    assert!(matches!(e, ProfileError::Concatenated { .. }), "{e}");
}

fn gz(b: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

#[test]
fn gzip_errors() {
    let data = read("internal/report/testdata/sample.cpu");
    let e = pprof::parse(&data[..data.len() / 2], "t", &Limits::default()).unwrap_err();
    assert!(matches!(e, ProfileError::Gzip(GzipError::Truncated { .. })), "{e}");
    // Bomb: 64 MiB of zeros under a 1 MiB cap.
    let bomb = gz(&vec![0u8; 64 << 20]);
    let limits = Limits { max_decompressed: MaxDecompressed(1 << 20), ..Limits::default() };
    let e = pprof::parse(&bomb, "bomb", &limits).unwrap_err();
    assert_eq!(e, ProfileError::Gzip(GzipError::TooLarge { limit: 1 << 20 }));
    // The core names the limit, not a front end's option: the binding adds that hint
    // (`maxDecompressed` / `--max-decompressed`, checked in __test__/profile.spec.ts).
    assert!(e.to_string().contains("exceeds 1048576 bytes") && !e.to_string().contains("max"), "{e}");
    // Trailing garbage after a member.
    let mut g = data.clone();
    g.extend_from_slice(b"garbage!");
    assert!(pprof::parse(&g, "t", &Limits::default()).is_err());
}

#[test]
fn goroutine_dump_is_recognised() {
    let dump = b"goroutine 1 [running]:\nmain.main()\n\t/x/main.go:5 +0x1d\n";
    assert_eq!(pprof::parse(dump, "d", &Limits::default()).unwrap_err(), ProfileError::GoroutineDump);
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/dumps");
    for f in ["go126-debug2-minutes.txt", "go126-panic.txt", "go126-sigquit-system.txt"] {
        let data = std::fs::read(Path::new(fixtures).join(f)).unwrap();
        let e = pprof::parse(&data, f, &Limits::default()).unwrap_err();
        assert_eq!(e, ProfileError::GoroutineDump, "{f}");
        // The CLI's advice (`goroscope stacks`) is added at the boundary (__test__/profile.spec.ts).
        assert!(e.to_string().contains("goroutine dump") && !e.to_string().contains("goroscope"), "{e}");
    }
}
