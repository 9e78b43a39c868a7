//! Arbitrary bytes as the ELF binary, symbolizing a small fixed address-only profile.
#![no_main]

use std::sync::OnceLock;

use goroscope_core::pprof::{Location, Mapping, Profile, Sample, ValueType};
use goroscope_core::symbolize::{self, Options, Prefer};
use libfuzzer_sys::fuzz_target;

fn profile() -> &'static Profile {
    static P: OnceLock<Profile> = OnceLock::new();
    P.get_or_init(|| {
        let mut p = Profile::default();
        let samples = p.intern("samples");
        let count = p.intern("count");
        p.sample_types = vec![ValueType { kind: samples, unit: count }];
        p.mappings.push(Mapping { id: 1, memory_start: 0x400000, memory_limit: 0x2000000, ..Mapping::default() });
        for (i, a) in [0x401000u64, 0x401234, 0x45_6789, 0x4a_0000, 0x100_0000, 0x40_0000].iter().enumerate() {
            p.locations.push(Location { id: i as u64 + 1, mapping: Some(0), address: *a, ..Location::default() });
        }
        p.samples.push(Sample { locations: vec![0, 1, 2], values: vec![1], labels: Vec::new() });
        p.samples.push(Sample { locations: vec![3, 4, 5], values: vec![2], labels: Vec::new() });
        p
    })
}

fuzz_target!(|data: &[u8]| {
    for prefer in [Prefer::Auto, Prefer::Pclntab, Prefer::Dwarf, Prefer::Symtab] {
        let mut p = profile().clone();
        let opts = Options { prefer, ..Options::default() };
        if symbolize::symbolize(&mut p, data, &opts).is_ok() {
            let _ = goroscope_core::pprof::check_valid(&p);
        }
    }
});
