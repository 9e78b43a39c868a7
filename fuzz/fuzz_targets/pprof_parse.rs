//! `pprof::parse`: gzip sniffing (small decompression cap), profile.proto, then every legacy
//! format, then validation; a parsed profile must print (`-raw`) and re-encode.
#![no_main]

use goroscope_core::pprof::{self, Limits};
use goroscope_core::source::MaxDecompressed;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = pprof::parse(data, "fuzz", &Limits { max_decompressed: MaxDecompressed(1 << 20), ..Limits::default() }) {
        let _ = pprof::raw::to_string(&p);
        let _ = pprof::encode::encode_uncompressed(&p);
    }
});
