//! Remote symbolization's profile side: the addresses to ask a live Go program's
//! `/debug/pprof/symbol` about, the parser of its `0xADDR name` answer, and the application of
//! an address → function-name map to a profile (the HTTP exchange itself lives in TypeScript).

use rustc_hash::{FxHashMap, FxHashSet};

use super::{is_special_mapping, Frame, Source, Stats, Symbolizer};
use crate::pprof::Profile;

/// Address → function name, as a symbol server answers.
pub type NameMap = FxHashMap<u64, String>;

/// The addresses of locations without lines whose mapping is not already symbolized and not a
/// kernel/vdso pseudo-mapping, sorted and unique (what pprof's symbolz sends).
pub fn unsymbolized_addresses(p: &Profile, force: bool) -> Vec<u64> {
    let mut set = FxHashSet::default();
    for l in &p.locations {
        if l.address == 0 || (!force && !l.lines.is_empty()) {
            continue;
        }
        if let Some(m) = l.mapping.and_then(|m| p.mappings.get(m as usize)) {
            if is_special_mapping(p.str(m.filename)) || (!force && m.has_functions) {
                continue;
            }
        }
        set.insert(l.address);
    }
    let mut v: Vec<u64> = set.into_iter().collect();
    v.sort_unstable();
    v
}

/// Parses a `/debug/pprof/symbol` answer: a `num_symbols: N` line, then `0xADDR name` lines.
/// Returns `None` when the server says it has no symbols (`num_symbols: 0`).
pub fn parse_symbolz(text: &str) -> Option<NameMap> {
    let mut out = FxHashMap::default();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if let Some(n) = line.strip_prefix("num_symbols:") {
            if n.trim() == "0" {
                return None;
            }
            continue;
        }
        let Some((addr, name)) = line.split_once(char::is_whitespace) else { continue };
        let addr = addr.trim();
        let parsed = match addr.strip_prefix("0x").or_else(|| addr.strip_prefix("0X")) {
            Some(h) => u64::from_str_radix(h, 16).ok(),
            None => addr.parse().ok(),
        };
        let name = name.trim();
        if let (Some(a), false) = (parsed, name.is_empty()) {
            out.insert(a, name.to_string());
        }
    }
    Some(out)
}

/// Gives every location listed by [`unsymbolized_addresses`] whose address is in `names` one
/// line naming its function (no file, no line number: the symbol server only knows names), and
/// marks those mappings `has_functions`, as pprof does after symbolz.
pub fn apply_names(p: &mut Profile, names: &NameMap, force: bool) -> Stats {
    let wanted: FxHashSet<u64> = unsymbolized_addresses(p, force).into_iter().collect();
    let mut sym = Symbolizer::new(p);
    let mut stats = Stats { locations: wanted.len(), ..Stats::default() };
    let mut touched = FxHashSet::default();
    for li in 0..p.locations.len() {
        let l = &p.locations[li];
        if !wanted.contains(&l.address) || (!force && !l.lines.is_empty()) {
            continue;
        }
        let Some(name) = names.get(&l.address) else { continue };
        let frame = Frame { function: name.clone(), ..Frame::default() };
        let mapping = l.mapping;
        sym.set_lines(p, li, &[frame]);
        stats.symbolized += 1;
        stats.bump(Source::Remote);
        if let Some(m) = mapping {
            touched.insert(m);
        }
    }
    for m in touched {
        p.mappings[m as usize].has_functions = true;
    }
    stats.unresolved = stats.locations - stats.symbolized;
    stats.mappings = p.mappings.iter().filter(|m| m.has_functions).count();
    stats
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_symbolz() {
        let m = parse_symbolz("num_symbols: 1\n0x4cc88c main.hashLoop\n0x401000 runtime.text\n").unwrap();
        assert_eq!(m[&0x4cc88c], "main.hashLoop");
        assert_eq!(m.len(), 2);
        assert!(parse_symbolz("num_symbols: 0\n").is_none());
    }
}
