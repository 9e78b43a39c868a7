//! The binary legacy CPU format (gperftools `profilez`, Go < 1.9 `runtime/pprof`): a header of
//! words 0, 3, 0|1, period_µs, 0 in 32/64-bit little/big endian, then `count depth pc…` records,
//! an end marker `0 1 0`, then the text memory map.

use rustc_hash::FxHashMap;

use super::*;

#[derive(Clone, Copy)]
enum Word {
    L32,
    B32,
    L64,
    B64,
}

impl Word {
    fn size(self) -> usize {
        match self {
            Word::L32 | Word::B32 => 4,
            Word::L64 | Word::B64 => 8,
        }
    }
    /// Reads one word; None when fewer bytes remain (pprof then yields 0 and stops).
    fn get(self, b: &mut &[u8]) -> Option<u64> {
        let n = self.size();
        if b.len() < n {
            *b = &[];
            return None;
        }
        let (w, rest) = b.split_at(n);
        *b = rest;
        Some(match self {
            Word::L32 => u32::from_le_bytes(w.try_into().unwrap()) as u64,
            Word::B32 => u32::from_be_bytes(w.try_into().unwrap()) as u64,
            Word::L64 => u64::from_le_bytes(w.try_into().unwrap()),
            Word::B64 => u64::from_be_bytes(w.try_into().unwrap()),
        })
    }
}

pub(crate) fn parse_cpu(data: &[u8]) -> LResult<Profile> {
    for w in [Word::L32, Word::B32, Word::L64, Word::B64] {
        if data.len() < 5 * w.size() {
            continue;
        }
        let mut b = data;
        let h: Vec<u64> = (0..5).map(|_| w.get(&mut b).unwrap()).collect();
        if h[0] == 0 && h[1] == 3 && h[3] > 0 && h[4] == 0 {
            if h[2] == 0 {
                return cpu_profile(b, h[3] as i64, w);
            }
            if h[2] == 1 {
                return java_cpu_profile(b, h[3] as i64, w);
            }
        }
    }
    Err(LErr::Unrecognized)
}

/// The sample records; returns the rest (the memory map / Java symbol text) and the address →
/// location index map.
fn parse_cpu_samples<'a>(
    mut b: &'a [u8],
    w: Word,
    adjust: bool,
    bld: &mut Builder,
) -> LResult<(&'a [u8], FxHashMap<u64, u32>)> {
    let mut locs: FxHashMap<u64, u32> = FxHashMap::default();
    let period = bld.p.period;
    while !b.is_empty() {
        let count = w.get(&mut b).unwrap_or(0);
        let nstk = w.get(&mut b);
        let Some(nstk) = nstk else { return Err(LErr::Unrecognized) };
        if nstk > (b.len() / 4) as u64 {
            return Err(LErr::Unrecognized);
        }
        let addrs: Vec<u64> = (0..nstk).map(|_| w.get(&mut b).unwrap_or(0)).collect();
        if count == 0 && nstk == 1 && addrs[0] == 0 {
            break; // end-of-data marker
        }
        let mut sloc = Vec::with_capacity(addrs.len());
        for (i, &a) in addrs.iter().enumerate() {
            let a = if adjust && i > 0 { a.wrapping_sub(1) } else { a };
            let li = *locs.entry(a).or_insert_with(|| bld.loc(a));
            sloc.push(li);
        }
        let count = count as i64;
        bld.push_sample(sloc, vec![count, count.wrapping_mul(period)], Vec::new());
    }
    Ok((b, locs))
}

fn cpu_profile(b: &[u8], period: i64, w: Word) -> LResult<Profile> {
    let mut bld = Builder::new();
    bld.p.period = period.wrapping_mul(1000);
    bld.p.period_type = bld.vt("cpu", "nanoseconds");
    bld.p.sample_types = vec![bld.vt("samples", "count"), bld.vt("cpu", "nanoseconds")];
    let (rest, _) = parse_cpu_samples(b, w, true, &mut bld)?;

    // If nearly every sample has the same second frame it is the signal handler's: drop it (up
    // to twice).
    let n = bld.p.samples.len();
    let margin = n / 32;
    for _ in 0..2 {
        let mut counts: FxHashMap<u64, usize> = FxHashMap::default();
        let mut order: Vec<u64> = Vec::new();
        for s in &bld.p.samples {
            if s.locations.len() > 1 {
                let a = bld.p.locations[s.locations[1] as usize].address;
                let c = counts.entry(a).or_insert(0);
                if *c == 0 {
                    order.push(a);
                }
                *c += 1;
            }
        }
        if let Some(&a) = order.iter().find(|a| counts[a] >= n - margin) {
            let locs = &bld.p.locations;
            for s in &mut bld.p.samples {
                if s.locations.len() > 1 && locs[s.locations[1] as usize].address == a {
                    s.locations.remove(1);
                }
            }
        }
    }
    let text = String::from_utf8_lossy(rest);
    bld.parse_memory_map(Scanner::new(&text).remaining_owned().iter().map(|s| s.as_str()))?;
    cleanup_duplicate_locations(&mut bld.p);
    Ok(bld.p)
}

fn java_cpu_profile(b: &[u8], period: i64, w: Word) -> LResult<Profile> {
    let mut bld = Builder::new();
    bld.p.period = period.wrapping_mul(1000);
    bld.p.period_type = bld.vt("cpu", "nanoseconds");
    bld.p.sample_types = vec![bld.vt("samples", "count"), bld.vt("cpu", "nanoseconds")];
    let (rest, locs) = parse_cpu_samples(b, w, false, &mut bld)?;
    let text = String::from_utf8_lossy(rest);
    super::java::parse_java_locations(&text, &locs, &mut bld)?;
    super::java::strip_addresses(&mut bld.p);
    Ok(bld.p)
}

impl<'a> Scanner<'a> {
    pub(crate) fn remaining_owned(mut self) -> Vec<String> {
        self.remaining().map(|s| s.to_string()).collect()
    }
}
