//! Time `report::run` on a profile: read, parse (gunzip + decode + validate), report.
//!
//! `cargo run --release -p goroscope-core --example report_time -- FILE [PPROF ARGS...]`
//! e.g. `... -- bench/out/profile-1200000.pb.gz -dot`. Prints the phase timings on stderr;
//! set `REPORT_TIME_OUT=FILE` to write the report text to FILE.

use std::time::Instant;

use goroscope_core::pprof::{parse, Limits};
use goroscope_core::report::{parse_args, run};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: report_time FILE [PPROF ARGS...]");
    let flags: Vec<String> = args.collect();
    let (opts, _rest) = parse_args(&flags).expect("flags");
    let t = Instant::now();
    let data = std::fs::read(&path).expect("read");
    let read = t.elapsed();
    let t = Instant::now();
    let p = parse(&data, &path, &Limits::default()).expect("parse");
    let parsed = t.elapsed();
    let samples = p.samples.len();
    let t = Instant::now();
    let out = run(vec![p], None, &opts).expect("report");
    let reported = t.elapsed();
    eprintln!(
        "{path} {}: {samples} samples | read {read:.2?} parse {parsed:.2?} report {reported:.2?} | {} bytes out",
        flags.join(" "),
        out.text.len()
    );
    if let Ok(f) = std::env::var("REPORT_TIME_OUT") {
        std::fs::write(f, &out.text).expect("write");
    }
}
