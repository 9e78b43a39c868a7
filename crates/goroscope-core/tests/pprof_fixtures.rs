//! Real Go 1.26 profiles (fixtures/profiles): our `-raw` equals `go tool pprof -raw` (the
//! `.raw` files next to them, produced with `TZ=UTC go tool pprof -raw FILE`).

use goroscope_core::pprof::{self, encode, prune, raw, Limits};
use std::path::Path;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/profiles");

/// What pprof's driver does before `-raw` for a single local file with no binary around.
fn raw_like_pprof(mut p: pprof::Profile) -> String {
    pprof::add_fake_mapping_if_none(&mut p);
    prune::remove_uninteresting(&mut p).unwrap();
    raw::to_string(&p)
}

#[test]
fn raw_matches_go_tool_pprof() {
    let mut names: Vec<String> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| Path::new(DIR).join(format!("{n}.raw")).exists())
        .collect();
    names.sort();
    assert!(names.len() >= 13, "{names:?}");
    let mut failed = Vec::new();
    for n in &names {
        let data = std::fs::read(Path::new(DIR).join(n)).unwrap();
        let want = std::fs::read_to_string(Path::new(DIR).join(format!("{n}.raw"))).unwrap();
        let p = match pprof::parse(&data, n, &Limits::default()) {
            Ok(p) => p,
            Err(e) => {
                failed.push(format!("{n}: {e}"));
                continue;
            }
        };
        // Round trip through our encoder: must not change anything (legacy text may carry
        // `bytes:[0]` labels, which profile.proto cannot hold: pprof drops them too).
        let q = pprof::parse(&encode::encode(&p), n, &Limits::default()).unwrap();
        if n.ends_with(".pb.gz") {
            assert!(p == q, "{n}: round trip");
        }
        let got = raw_like_pprof(p);
        if got != want {
            let out = format!("/tmp/pprof-fixture-{n}.got");
            std::fs::write(&out, &got).unwrap();
            failed.push(format!("{n}: differs, see {out}"));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}
