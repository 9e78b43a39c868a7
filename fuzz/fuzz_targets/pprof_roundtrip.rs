//! profile.proto: decode → encode → decode gives the same profile.
#![no_main]

use goroscope_core::pprof::{decode, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(p) = decode::decode(data) else { return };
    let bytes = encode::encode_uncompressed(&p);
    let q = match decode::decode(&bytes) {
        Ok(q) => q,
        Err(e) => panic!("re-encoded profile does not decode: {e}\n{p:?}"),
    };
    assert_eq!(p, q);
});
