//! Merging, -base / -diff_base / -normalize, scaling and sample-index lookup, checked against
//! `TZ=UTC go tool pprof -raw …` outputs stored in fixtures/profiles/oracle (see the README there).

use goroscope_core::driver::fetch::combine_with_base;
use goroscope_core::driver::flags::legacy_sample_index_flag;
use goroscope_core::pprof::{self, merge, prune, raw, Limits, Profile};
use std::path::Path;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/google-pprof");
const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/profiles");

fn load(path: &str) -> Profile {
    let full = if path.starts_with("go126") { Path::new(FIX).join(path) } else { Path::new(CORPUS).join(path) };
    let mut p = pprof::parse(&std::fs::read(&full).unwrap(), path, &Limits::default()).unwrap();
    pprof::add_fake_mapping_if_none(&mut p);
    p
}

fn check(sources: &[&str], bases: &[&str], diff: bool, normalize: bool, golden: &str) {
    let s = sources.iter().map(|f| load(f)).collect();
    let b = bases.iter().map(|f| load(f)).collect();
    let mut p = combine_with_base(s, b, diff, normalize).unwrap();
    prune::remove_uninteresting(&mut p).unwrap();
    let got = raw::to_string(&p);
    let want = std::fs::read_to_string(Path::new(FIX).join("oracle").join(golden)).unwrap();
    if got != want {
        let out = format!("/tmp/pprof-merge-{golden}.got");
        std::fs::write(&out, &got).unwrap();
        panic!("{golden}: differs, see {out}");
    }
}

const C: &str = "internal/driver/testdata/cppbench.contention";
const SMALL: &str = "internal/driver/testdata/cppbench.small.contention";

#[test]
fn base() {
    check(&[C], &[SMALL], false, false, "contention-base-small.raw");
}

#[test]
fn diff_base() {
    check(&[C], &[SMALL], true, false, "contention-diffbase-small.raw");
}

#[test]
fn normalize_base() {
    check(&[C], &[SMALL], false, true, "contention-normalize-base-small.raw");
}

#[test]
fn merge_different_sample_types() {
    check(
        &["internal/driver/testdata/cppbench.cpu_no_samples_type", "internal/driver/testdata/cppbench.cpu"],
        &[],
        false,
        false,
        "cppbench-cpu-merge-no-samples-type.raw",
    );
}

#[test]
fn merge_same_profile_twice() {
    check(
        &["internal/report/testdata/sample.cpu", "internal/report/testdata/sample.cpu"],
        &[],
        false,
        false,
        "sample-cpu-twice.raw",
    );
}

#[test]
fn merge_heap_and_allocs() {
    check(&["go126-heap.pb.gz", "go126-allocs.pb.gz"], &[], false, false, "go126-heap-plus-allocs.raw");
}

#[test]
fn proto_minus_legacy_text() {
    check(&["go126-mutex-contended.pb.gz"], &["go126-mutex-contended-debug2.txt"], false, false, "go126-mutex-pb-minus-text.raw");
}

#[test]
fn merge_is_idempotent_on_large() {
    let p = load("internal/proftest/testdata/large.cpu");
    let m = merge::merge(&[p.clone(), p.clone()]).unwrap();
    let total = |p: &Profile, i: usize| p.samples.iter().map(|s| s.values[i]).sum::<i64>();
    assert_eq!(total(&m, 1), 2 * total(&p, 1));
    // Subtracting a profile from itself leaves nothing.
    let z = combine_with_base(vec![p.clone()], vec![p.clone()], false, false).unwrap();
    assert!(z.samples.is_empty());
}

#[test]
fn sample_index_names() {
    let heap = load("go126-heap.pb.gz");
    assert_eq!(merge::sample_index_by_name(&heap, "").unwrap(), 3); // inuse_space (last)
    assert_eq!(merge::sample_index_by_name(&heap, "alloc_objects").unwrap(), 0);
    assert_eq!(merge::sample_index_by_name(&heap, "1").unwrap(), 1);
    assert!(merge::sample_index_by_name(&heap, "4").is_err());
    let allocs = load("go126-allocs.pb.gz");
    assert_eq!(merge::sample_index_by_name(&allocs, "").unwrap(), 1); // default_sample_type alloc_space
    // Legacy C++ heap: "objects"/"space" reachable as inuse_objects/inuse_space.
    let legacy = load("internal/driver/testdata/../../../profile/testdata/cppbench.heap");
    assert_eq!(merge::sample_index_by_name(&legacy, "inuse_space").unwrap(), 1);
    assert_eq!(merge::sample_index_by_name(&legacy, "inuse_objects").unwrap(), 0);
    let c = load(C);
    assert_eq!(merge::sample_index_by_name(&c, "contentions").unwrap(), 0);
    assert_eq!(merge::sample_index_by_name(&c, "delay").unwrap(), 1);
    assert_eq!(legacy_sample_index_flag("total_delay"), Some(("delay", false)));
    let e = merge::sample_index_by_name(&c, "bogus").unwrap_err().to_string();
    assert!(e.contains("must be one of: [contentions delay]"), "{e}");
}

#[test]
fn scale_drops_zeroed_samples() {
    let mut p = load(C);
    let n = p.samples.len();
    merge::scale(&mut p, 0.0);
    assert!(p.samples.is_empty() && n > 0);
}
