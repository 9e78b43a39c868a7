//! The legacy parsers alone (heap, goroutine/threadcreate counts, contention, Java, binary CPU),
//! plus the `#\t0x… func file:line` comment symbolizer on what they produce.
#![no_main]

use goroscope_core::pprof::{self, legacy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(mut p)) = legacy::parse_legacy(data) {
        let _ = legacy::symbolize_from_comments(data, &mut p);
        let _ = pprof::check_valid(&p);
        let _ = pprof::raw::to_string(&p);
    }
});
