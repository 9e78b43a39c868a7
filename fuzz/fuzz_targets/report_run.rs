//! Parse a profile, then run a few reports with fixed flags through the whole pipeline.
#![no_main]

use std::sync::OnceLock;

use goroscope_core::pprof::{self, Limits};
use goroscope_core::report::{self, Options};
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

fn options() -> &'static Vec<Options> {
    static O: OnceLock<Vec<Options>> = OnceLock::new();
    O.get_or_init(|| {
        FLAG_SETS
            .iter()
            .map(|f| {
                let mut args: Vec<String> = f.iter().map(|s| s.to_string()).collect();
                args.push("fuzz.pb".to_string());
                report::parse_args(&args).expect("fixed flags parse").0
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(p) = pprof::parse(data, "fuzz", &Limits { max_decompressed: MaxDecompressed(1 << 20), ..Limits::default() }) else { return };
    for o in options() {
        let _ = report::run(vec![p.clone()], None, o);
    }
});
