//! Goroutine dumps in every text format: the sequential parse must not panic, the chunked
//! parallel path (small chunks) must give exactly the sequential result, and the analysis must
//! run on whatever was parsed.
#![no_main]

use goroscope_core::source::Source;
use goroscope_core::stacks::analyze;
use goroscope_core::stacks::parse::{parse_chunked, parse_sequential};
use goroscope_core::stacks::Dump;
use libfuzzer_sys::fuzz_target;

fn assert_same(a: &Dump, b: &Dump) {
    assert_eq!(a.goroutines, b.goroutines);
    assert_eq!(a.frames, b.frames);
    assert_eq!(a.ancestors, b.ancestors);
    assert_eq!(a.warnings, b.warnings);
    assert_eq!(a.truncated, b.truncated);
    assert_eq!(a.prelude, b.prelude);
    assert_eq!(a.lines, b.lines);
    assert_eq!(format!("{:?}", a.races), format!("{:?}", b.races));
    assert_eq!(format!("{:?}", a.symbols.texts), format!("{:?}", b.symbols.texts));
}

fuzz_target!(|data: &[u8]| {
    // The gzip sniffing path of Source (a small cap keeps bombs cheap).
    let _ = Source::from_bytes_limited(data.to_vec(), "fuzz", goroscope_core::source::MaxDecompressed(1 << 20));

    let seq = parse_sequential(Source::Owned(data.to_vec()), "fuzz");
    for chunk in [1usize, 64] {
        let par = parse_chunked(Source::Owned(data.to_vec()), "fuzz", chunk);
        match (&seq, &par) {
            (Ok(a), Ok(b)) => assert_same(a, b),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("sequential {:?} vs chunked({chunk}) {:?}", a.as_ref().err(), b.as_ref().err()),
        }
    }
    if let Ok(d) = &seq {
        let _ = analyze::analyze(d, None, &analyze::Options::default());
        let opts = analyze::Options { similarity: analyze::Similarity::Exact, min_wait: 0, ..Default::default() };
        let _ = analyze::analyze(d, Some(d), &opts);
    }
});
