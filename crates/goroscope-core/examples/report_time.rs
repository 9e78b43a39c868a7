//! Time the driver on a profile: read, parse (gunzip + decode + validate), report; then the same
//! report again from a `Session` (a copy of the fetched profile, then the report).
//!
//! `cargo run --release -p goroscope-core --example report_time -- FILE [PPROF ARGS...]`
//! e.g. `... -- bench/out/profile-1200000.pb.gz -dot`. Prints the phase timings on stderr;
//! set `REPORT_TIME_OUT=FILE` to write the report text to FILE.

use std::time::Instant;

use goroscope_core::driver::{self, parse_command_line, Session};
use goroscope_core::pprof::{parse, Limits};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: report_time FILE [PPROF ARGS...]");
    let flags: Vec<String> = args.collect();
    let inv = parse_command_line(&flags).expect("flags");
    let cmd = inv.command.clone().expect("a report command");
    let t = Instant::now();
    let data = std::fs::read(&path).expect("read");
    let read = t.elapsed();
    let t = Instant::now();
    let p = parse(&data, &path, &Limits::default()).expect("parse");
    let parsed = t.elapsed();
    let samples = p.samples.len();
    let t = Instant::now();
    let session = Session::new(driver::Fetch::of(vec![p.into()]), inv.config).expect("fetch");
    let again = session.clone();
    let out = session.into_report(&cmd).expect("report");
    let reported = t.elapsed();
    let t = Instant::now();
    let copy = (**again.profile()).clone();
    let copied = t.elapsed();
    drop(copy);
    let t = Instant::now();
    let out2 = again.report(&cmd).expect("report");
    let from_session = t.elapsed();
    assert_eq!(out.text, out2.text);
    eprintln!(
        "{path} {}: {samples} samples | read {read:.2?} parse {parsed:.2?} report {reported:.2?} | session: copy {copied:.2?}, report {from_session:.2?} | {} bytes out",
        flags.join(" "),
        out.text.len()
    );
    if let Ok(f) = std::env::var("REPORT_TIME_OUT") {
        std::fs::write(f, &out.text).expect("write");
    }
}
