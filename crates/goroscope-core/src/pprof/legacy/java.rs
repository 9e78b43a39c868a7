//! Java legacy profiles: `--- heapz 1 ---` / `--- contentionz 1 ---` text with `format = java`,
//! and the symbol section (`0xADDR function (file:line)`) shared with the binary Java CPU format.

use regex::Regex;
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

use super::*;

struct Rx {
    attribute: Regex,
    sample: Regex,
    location: Regex,
    file_line: Regex,
    path: Regex,
}

fn rx() -> &'static Rx {
    static R: OnceLock<Rx> = OnceLock::new();
    R.get_or_init(|| Rx {
        attribute: Regex::new(r"([0-9A-Za-z_ ]+)=([0-9A-Za-z_ ]+)").unwrap(),
        sample: Regex::new(r" *([0-9]+) +([0-9]+) +@ +([ x0-9a-f]*)").unwrap(),
        location: Regex::new(r"^\s*0x([[:xdigit:]]+)\s+(.*)\s*$").unwrap(),
        file_line: Regex::new(r"^(.*)\s+\((.+):(-?[[:digit:]]+)\)$").unwrap(),
        path: Regex::new(r"^(.*)\s+\((.*)\)$").unwrap(),
    })
}

fn err(line: &str, msg: String) -> LErr {
    LErr::Err(ProfileError::Legacy { format: "java", line: 0, msg: format!("{line}: {msg}") })
}

/// Splits `b` after the first `\n` (None when there is no newline).
fn split_line(b: &str) -> Option<(&str, &str)> {
    b.find('\n').map(|i| (&b[..i], &b[i + 1..]))
}

pub(crate) fn parse_java_profile(text: &str) -> LResult<Profile> {
    let Some((header, rest)) = split_line(text) else { return Err(LErr::Unrecognized) };
    let kind = match header.trim() {
        "--- heapz 1 ---" => "heap",
        "--- contentionz 1 ---" => "contention",
        _ => return Err(LErr::Unrecognized),
    };
    let mut b = Builder::new();
    let rest = parse_java_header(kind, rest, &mut b)?;
    let (rest, locs) = parse_java_samples(kind, rest, &mut b)?;
    parse_java_locations(rest, &locs, &mut b)?;
    strip_addresses(&mut b.p);
    Ok(b.p)
}

fn parse_java_header<'a>(kind: &str, mut b: &'a str, bld: &mut Builder) -> LResult<&'a str> {
    let r = rx();
    while let Some((line, rest)) = split_line(b) {
        let line = line.trim();
        if !line.is_empty() {
            let Some(h) = r.attribute.captures(line) else { return Ok(b) };
            let (attr, value) = (h[1].trim(), h[2].trim());
            match (kind, attr) {
                (_, "format") => {
                    if value != "java" {
                        return Err(LErr::Unrecognized);
                    }
                }
                ("heap", "resolution") => {
                    bld.p.sample_types = vec![bld.vt("inuse_objects", "count"), bld.vt("inuse_space", value)];
                }
                ("contention", "resolution") => {
                    bld.p.sample_types = vec![bld.vt("contentions", "count"), bld.vt("delay", value)];
                }
                ("contention", "sampling period") => {
                    bld.p.period_type = bld.vt("contentions", "count");
                    bld.p.period = parse_int_base0(value)
                        .ok_or_else(|| err(line, "failed to parse attribute".into()))?;
                }
                ("contention", "ms since reset") => {
                    let ms = parse_int_base0(value).ok_or_else(|| err(line, "failed to parse attribute".into()))?;
                    bld.p.duration_nanos = ms.wrapping_mul(1_000_000);
                }
                _ => return Err(LErr::Unrecognized),
            }
        }
        b = rest;
    }
    Ok(b)
}

fn parse_java_samples<'a>(kind: &str, mut b: &'a str, bld: &mut Builder) -> LResult<(&'a str, FxHashMap<u64, u32>)> {
    let r = rx();
    let mut locs: FxHashMap<u64, u32> = FxHashMap::default();
    let bytes_key = bld.s("bytes");
    while let Some((line, rest)) = split_line(b) {
        let line = line.trim();
        if !line.is_empty() {
            let Some(c) = r.sample.captures(line) else { return Ok((b, locs)) };
            // Java profiles have the two values swapped compared to the others.
            let addrs = parse_hex_addresses(&c[3]).map_err(|e| err(line, format!("malformed sample: {e}")))?;
            let sloc: Vec<u32> = addrs.iter().map(|&a| *locs.entry(a).or_insert_with(|| bld.loc(a))).collect();
            let mut v0 = parse_int_base0(&c[2]).ok_or_else(|| err(line, "parsing sample".into()))?;
            let mut v1 = parse_int_base0(&c[1]).ok_or_else(|| err(line, "parsing sample".into()))?;
            let mut labels = Vec::new();
            match kind {
                "heap" => {
                    const JAVA_HEAPZ_SAMPLING_RATE: i64 = 524288;
                    if v0 == 0 {
                        return Err(err(line, "second value must be non-zero".into()));
                    }
                    labels.push(Label { key: bytes_key, value: LabelValue::Num { value: v1 / v0, unit: 0 } });
                    (v0, v1) = super::text::scale_heap_sample(v0, v1, JAVA_HEAPZ_SAMPLING_RATE);
                }
                "contention" => {
                    let period = bld.p.period;
                    if period != 0 {
                        v0 = v0.wrapping_mul(period);
                        v1 = v1.wrapping_mul(period);
                    }
                }
                _ => {}
            }
            bld.push_sample(sloc, vec![v0, v1], labels);
        }
        b = rest;
    }
    Ok((b, locs))
}

/// Symbol lines `0xADDR function (file:line)` → one line per known location; then renumbering.
pub(crate) fn parse_java_locations(b: &str, locs: &FxHashMap<u64, u32>, bld: &mut Builder) -> LResult<()> {
    let r = rx();
    let mut fns: FxHashMap<String, u32> = FxHashMap::default();
    for line in b.split_inclusive('\n') {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(j) = r.location.captures(line) else { continue };
        let Ok(addr) = u64::from_str_radix(&j[1], 16) else {
            return Err(err(line, "parsing sample".into()));
        };
        let Some(&li) = locs.get(&addr) else { continue };
        let rest = &j[2];
        let (func, file, lineno): (String, String, i64) = if let Some(f) = r.file_line.captures(rest) {
            let n = f[3].parse::<i64>().ok().filter(|&n| n > 0).unwrap_or(0);
            (f[1].to_string(), f[2].to_string(), n)
        } else if let Some(f) = r.path.captures(rest) {
            let base = f[2].rsplit('/').find(|s| !s.is_empty()).unwrap_or(if f[2].is_empty() { "." } else { "/" });
            (f[1].to_string(), base.to_string(), 0)
        } else if rest.contains("generated stub/JIT") {
            ("STUB".to_string(), String::new(), 0)
        } else {
            (rest.to_string(), String::new(), 0)
        };
        let fi = match fns.get(&func) {
            Some(&fi) => fi,
            None => {
                let name = bld.s(&func);
                let filename = bld.s(&file);
                let fi = bld.p.functions.len() as u32;
                bld.p.functions.push(Function { id: 0, name, system_name: name, filename, start_line: 0 });
                fns.insert(func, fi);
                fi
            }
        };
        let loc = &mut bld.p.locations[li as usize];
        loc.lines = vec![Line { function: fi, line: lineno, column: 0 }];
        loc.address = 0;
    }
    bld.remap_location_ids();
    bld.remap_function_ids();
    bld.remap_mapping_ids();
    Ok(())
}

/// `Aggregate(inline, function, filename, linenumber, column=false, address=false)`.
pub(crate) fn strip_addresses(p: &mut Profile) {
    for l in &mut p.locations {
        l.address = 0;
        for ln in &mut l.lines {
            ln.column = 0;
        }
    }
}
