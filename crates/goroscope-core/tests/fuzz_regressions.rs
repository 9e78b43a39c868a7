//! Inputs the fuzz targets (fuzz/fuzz_targets/*.rs) once crashed, hung or mis-parsed on, kept
//! as files under tests/fuzz-regressions/<target>/ and replayed here through the same checks
//! the target makes. Every file there must pass; RELIABILITY.md lists what each one was.

use std::path::Path;

use goroscope_core::pprof::{self, decode, encode, Limits, Location, Mapping, Profile, Sample, ValueType};
use goroscope_core::driver;
use goroscope_core::source::Source;
use goroscope_core::stacks::analyze;
use goroscope_core::stacks::parse::{parse_chunked, parse_sequential};
use goroscope_core::stacks::Dump;
use goroscope_core::symbolize::{self, Options, Prefer};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz-regressions");

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(DIR).join(target);
    let Ok(rd) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut v: Vec<_> = rd
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    v.sort();
    v
}

fn small() -> Limits {
    Limits { max_decompressed: goroscope_core::source::MaxDecompressed(1 << 20), ..Limits::default() }
}

fn assert_same(a: &Dump, b: &Dump, what: &str) {
    assert_eq!(a.goroutines, b.goroutines, "{what}");
    assert_eq!(a.frames, b.frames, "{what}");
    assert_eq!(a.ancestors, b.ancestors, "{what}");
    assert_eq!(a.warnings, b.warnings, "{what}");
    assert_eq!(a.truncated, b.truncated, "{what}");
    assert_eq!(a.prelude, b.prelude, "{what}");
    assert_eq!(a.lines, b.lines, "{what}");
    assert_eq!(format!("{:?}", a.races), format!("{:?}", b.races), "{what}");
    assert_eq!(format!("{:?}", a.symbols.texts), format!("{:?}", b.symbols.texts), "{what}");
}

/// The checks of fuzz_targets/stacks_parse.rs.
pub fn stacks_parse(data: &[u8], what: &str) {
    let _ = Source::from_bytes_limited(data.to_vec(), "fuzz", goroscope_core::source::MaxDecompressed(1 << 20));
    let seq = parse_sequential(Source::Owned(data.to_vec()), "fuzz");
    for chunk in [1usize, 64] {
        let par = parse_chunked(Source::Owned(data.to_vec()), "fuzz", chunk);
        match (&seq, &par) {
            (Ok(a), Ok(b)) => assert_same(a, b, what),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{what}"),
            (a, b) => panic!("{what}: sequential {:?} vs chunked({chunk}) {:?}", a.as_ref().err(), b.as_ref().err()),
        }
    }
    if let Ok(d) = &seq {
        let _ = analyze::analyze(d, None, &analyze::Options::default());
        let opts = analyze::Options { similarity: analyze::Similarity::Exact, min_wait: 0, ..Default::default() };
        let _ = analyze::analyze(d, Some(d), &opts);
    }
}

#[test]
fn stacks_parse_regressions() {
    for (name, data) in inputs("stacks_parse") {
        stacks_parse(&data, &name);
    }
}

#[test]
fn pprof_parse_regressions() {
    for (_, data) in inputs("pprof_parse") {
        if let Ok(p) = pprof::parse(&data, "fuzz", &small()) {
            let _ = pprof::raw::to_string(&p);
            let _ = encode::encode_uncompressed(&p);
        }
    }
}

#[test]
fn pprof_legacy_text_regressions() {
    for (_, data) in inputs("pprof_legacy_text") {
        if let Ok(Some(mut p)) = pprof::legacy::parse_legacy(&data) {
            let _ = pprof::legacy::symbolize_from_comments(&data, &mut p);
            let _ = pprof::check_valid(&p);
            let _ = pprof::raw::to_string(&p);
        }
    }
}

#[test]
fn pprof_roundtrip_regressions() {
    for (name, data) in inputs("pprof_roundtrip") {
        let Ok(p) = decode::decode(&data) else { continue };
        let q = decode::decode(&encode::encode_uncompressed(&p)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p, q, "{name}");
    }
}

const FLAG_SETS: &[&[&str]] = &[
    &["-top"],
    &["-traces"],
    &["-tree", "-nodecount=20"],
    &["-dot", "-lines"],
    &["-top", "-cum", "-addresses"],
    &["-tags"],
    &["-peek=.", "-files"],
    &["-raw"],
];

#[test]
fn report_run_regressions() {
    let invocations: Vec<_> = FLAG_SETS
        .iter()
        .map(|f| driver::parse_command_line(&f.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap())
        .collect();
    for (_, data) in inputs("report_run") {
        let Ok(p) = pprof::parse(&data, "fuzz", &small()) else { continue };
        let p = std::sync::Arc::new(p);
        for inv in &invocations {
            let mut inv = inv.clone();
            inv.fetch.sources = vec![driver::Source::Profile(p.clone())];
            let _ = driver::run(inv);
        }
    }
}

fn fixed_profile() -> Profile {
    let mut p = Profile::default();
    let samples = p.intern("samples");
    let count = p.intern("count");
    p.sample_types = vec![ValueType { kind: samples, unit: count }];
    p.mappings.push(Mapping { id: 1, memory_start: 0x400000, memory_limit: 0x2000000, ..Mapping::default() });
    for (i, a) in [0x401000u64, 0x401234, 0x45_6789, 0x4a_0000, 0x100_0000, 0x40_0000].iter().enumerate() {
        p.locations.push(Location { id: i as u64 + 1, mapping: Some(0), address: *a, ..Location::default() });
    }
    p.samples.push(Sample { locations: vec![0, 1, 2], values: vec![1], labels: Vec::new() });
    p.samples.push(Sample { locations: vec![3, 4, 5], values: vec![2], labels: Vec::new() });
    p
}

#[test]
fn symbolize_elf_regressions() {
    let base = fixed_profile();
    for (_, data) in inputs("symbolize_elf") {
        for prefer in [Prefer::Auto, Prefer::Pclntab, Prefer::Dwarf, Prefer::Symtab] {
            let mut p = base.clone();
            if symbolize::symbolize(&mut p, &data, &Options { prefer, ..Options::default() }).is_ok() {
                let _ = pprof::check_valid(&p);
            }
        }
    }
}
