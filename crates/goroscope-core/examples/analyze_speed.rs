//! Time each phase of `goroscope stacks` on a file: open, parse, analyse.
//!
//! `cargo run --release -p goroscope-core --example analyze_speed -- FILE`

use std::time::Instant;

use goroscope_core::source::Source;
use goroscope_core::stacks::analyze::{analyze, Options};
use goroscope_core::stacks::parse::parse;

fn main() {
    let path = std::env::args().nth(1).expect("usage: analyze_speed FILE");
    let t = Instant::now();
    let src = Source::open(std::path::Path::new(&path)).expect("open");
    let n = src.bytes().len();
    let opened = t.elapsed();
    let t = Instant::now();
    let dump = parse(src, &path).expect("parse");
    let parsed = t.elapsed();
    let t = Instant::now();
    let r = analyze(&dump, None, &Options { min_wait: 1, ..Default::default() });
    let analysed = t.elapsed();
    let mib = n as f64 / (1024.0 * 1024.0);
    println!(
        "{path}: {mib:.0} MiB, {} goroutines, {} groups, {} locks | open {:.2?} parse {:.2?} ({:.0} MiB/s) analyse {:.2?}",
        dump.total(),
        r.groups.len(),
        r.contention.len(),
        opened,
        parsed,
        mib / parsed.as_secs_f64(),
        analysed
    );
}
