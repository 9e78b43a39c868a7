//! The sniffer against real inputs: every dump the dump parser reads is sniffed as a dump, every
//! profile the profile loader reads as a profile (proto or legacy), through gzip too, so that an
//! entry point can route by `sniff` instead of trying one parser and falling back to another.

use std::path::{Path, PathBuf};

use goroscope_core::pprof::{self, Limits};
use goroscope_core::sniff::{sniff_file, sniff_through_gzip, InputKind};
use goroscope_core::source::Source;
use goroscope_core::stacks::parse::parse;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else { return out };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn every_parsed_dump_is_sniffed_as_a_dump() {
    let (mut n, mut bad) = (0, Vec::new());
    for dir in [Path::new(ROOT).join("fixtures/dumps"), Path::new(CORPUS).join("goroutine-dumps")] {
        for f in files(&dir) {
            let Ok(src) = Source::open(&f) else { continue };
            let Ok(d) = parse(src, "x") else { continue };
            if d.goroutines.is_empty() && d.races.is_empty() {
                continue;
            }
            let s = sniff_file(&f).unwrap();
            if !s.kind.is_dump() {
                bad.push(format!("{}: parsed as a dump, sniffed as {:?}", f.display(), s.kind));
            }
            n += 1;
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(n >= 50, "only {n} dumps found");
}

#[test]
fn every_loaded_profile_is_sniffed_as_a_profile() {
    let (mut n, mut bad) = (0, Vec::new());
    for dir in [Path::new(ROOT).join("fixtures/profiles"), Path::new(CORPUS).join("google-pprof")] {
        for f in files(&dir) {
            let Ok(data) = std::fs::read(&f) else { continue };
            if pprof::parse(&data, "x", &Limits::default()).is_err() {
                continue;
            }
            let s = sniff_through_gzip(&data);
            assert_eq!(s, sniff_file(&f).unwrap(), "{}", f.display());
            if !matches!(s.kind, InputKind::ProfileProto | InputKind::LegacyProfile | InputKind::GoroutineProfile) {
                bad.push(format!("{}: loaded as a profile, sniffed as {:?}", f.display(), s.kind));
            }
            n += 1;
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(n >= 60, "only {n} profiles found");
}
