//! Parse a profile, then run a few reports with fixed flags through the whole driver.
#![no_main]

use std::sync::{Arc, OnceLock};

use goroscope_core::driver::{self, Invocation, Source};
use goroscope_core::pprof::{self, Limits};
use goroscope_core::source::MaxDecompressed;
use libfuzzer_sys::fuzz_target;

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

fn invocations() -> &'static Vec<Invocation> {
    static I: OnceLock<Vec<Invocation>> = OnceLock::new();
    I.get_or_init(|| {
        FLAG_SETS
            .iter()
            .map(|f| {
                let args: Vec<String> = f.iter().map(|s| s.to_string()).collect();
                driver::parse_command_line(&args).expect("fixed flags parse")
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_decompressed: MaxDecompressed(1 << 20), ..Limits::default() };
    let Ok(p) = pprof::parse(data, "fuzz", &limits) else { return };
    let p = Arc::new(p);
    for inv in invocations() {
        let mut inv = inv.clone();
        inv.fetch.sources = vec![Source::Profile(p.clone())];
        let _ = driver::run(inv);
    }
});
