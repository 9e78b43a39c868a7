//! The legacy text formats: heap (`heap profile: …`, incl. Go `?debug=1`), Go count profiles
//! (`goroutine profile: total N`, `threadcreate profile: …`), threadz and contention (`---
//! contentionz`, Go `--- mutex:` / `--- contention:`).

use regex::Regex;
use std::sync::OnceLock;

use super::*;
use crate::pprof::error::ProfileError;

struct Rx {
    count_start: Regex,
    count: Regex,
    heap_header: Regex,
    heap_sample: Regex,
    contention_sample: Regex,
    growth_header: Regex,
    fragmentation_header: Regex,
    threadz_start: Regex,
    thread_start: Regex,
}

fn rx() -> &'static Rx {
    static R: OnceLock<Rx> = OnceLock::new();
    R.get_or_init(|| Rx {
        count_start: Regex::new(r"\A(\S+) profile: total [0-9]+\z").unwrap(),
        count: Regex::new(r"\A([0-9]+) @(( 0x[0-9a-f]+)+)\z").unwrap(),
        heap_header: Regex::new(
            r"heap profile: *([0-9]+): *([0-9]+) *\[ *([0-9]+): *([0-9]+) *\] *@ *(heap[_a-z0-9]*)/?([0-9]*)",
        )
        .unwrap(),
        heap_sample: Regex::new(r"(-?[0-9]+): *(-?[0-9]+) *\[ *([0-9]+): *([0-9]+) *] @([ x0-9a-f]*)").unwrap(),
        contention_sample: Regex::new(r"([0-9]+) *([0-9]+) @([ x0-9a-f]*)").unwrap(),
        growth_header: Regex::new(r"heap profile: *([0-9]+): *([0-9]+) *\[ *([0-9]+): *([0-9]+) *\] @ growthz?").unwrap(),
        fragmentation_header: Regex::new(
            r"heap profile: *([0-9]+): *([0-9]+) *\[ *([0-9]+): *([0-9]+) *\] @ fragmentationz?",
        )
        .unwrap(),
        threadz_start: Regex::new(r"--- threadz [0-9]+ ---").unwrap(),
        thread_start: Regex::new(r"--- Thread ([[:xdigit:]]+) \(name: (.*)/([0-9]+)\) stack: ---").unwrap(),
    })
}

fn malformed(format: &'static str, line: usize, msg: impl Into<String>) -> LErr {
    LErr::Err(ProfileError::legacy(format, line, msg))
}

/// Go `goroutine`/`threadcreate` `?debug=1` text: `N @ 0x… 0x…` per stack.
pub(crate) fn parse_go_count(text: &str) -> LResult<Profile> {
    let r = rx();
    let mut s = Scanner::new(text);
    let mut lineno = 0;
    while s.scan() {
        lineno += 1;
        if !is_space_or_comment(s.text()) {
            break;
        }
    }
    let Some(m) = r.count_start.captures(s.text()) else { return Err(LErr::Unrecognized) };
    let kind = m[1].to_string();
    let mut b = Builder::new();
    b.p.period_type = b.vt(&kind, "count");
    b.p.period = 1;
    let st = b.vt(&kind, "count");
    b.p.sample_types = vec![st];
    while s.scan() {
        lineno += 1;
        let line = s.text();
        if is_space_or_comment(line) {
            continue;
        }
        if line.starts_with("---") {
            break;
        }
        let Some(m) = r.count.captures(line) else {
            return Err(malformed("goroutine count", lineno, format!("malformed profile format: {line:?}")));
        };
        let n = parse_int_base0(&m[1]).ok_or_else(|| malformed("goroutine count", lineno, "bad count"))?;
        let mut locs = Vec::new();
        for stk in m[2].split_whitespace() {
            let addr = parse_uint_base0(stk).ok_or_else(|| malformed("goroutine count", lineno, "bad address"))?;
            locs.push(b.loc(addr.wrapping_sub(1)));
        }
        b.push_sample(locs, vec![n], Vec::new());
    }
    parse_additional_sections(&mut s, &mut b)?;
    Ok(b.p)
}

/// `heap profile: …` (heapz, heapz_v2, Go `heap/RATE`, growthz, fragmentationz).
pub(crate) fn parse_heap(text: &str) -> LResult<Profile> {
    let r = rx();
    let mut s = Scanner::new(text);
    if !s.scan() {
        return Err(LErr::Unrecognized);
    }
    let line = s.text();
    let mut b = Builder::new();
    b.p.period_type = b.vt("space", "bytes");
    let mut sampling = "";
    let mut has_alloc = false;
    if let Some(h) = r.heap_header.captures(line) {
        if !h[6].is_empty() {
            b.p.period = h[6].parse::<i64>().map_err(|_| LErr::Unrecognized)?;
        }
        if (h[3] != h[1] && &h[3] != "0") || (h[4] != h[2] && &h[4] != "0") {
            has_alloc = true;
        }
        match &h[5] {
            "heapz_v2" | "heap_v2" => sampling = "v2",
            "heapprofile" => b.p.period = 1,
            "heap" => {
                sampling = "v2";
                b.p.period /= 2;
            }
            _ => return Err(LErr::Unrecognized),
        }
    } else if r.growth_header.is_match(line) || r.fragmentation_header.is_match(line) {
        b.p.period = 1;
    } else {
        return Err(LErr::Unrecognized);
    }
    b.p.sample_types = if has_alloc {
        // alloc before inuse so that the default (last) column is inuse_space.
        vec![
            b.vt("alloc_objects", "count"),
            b.vt("alloc_space", "bytes"),
            b.vt("inuse_objects", "count"),
            b.vt("inuse_space", "bytes"),
        ]
    } else {
        vec![b.vt("objects", "count"), b.vt("space", "bytes")]
    };
    let bytes_key = b.s("bytes");
    let mut lineno = 1;
    while s.scan() {
        lineno += 1;
        let line = s.text().trim();
        if is_space_or_comment(line) {
            continue;
        }
        if is_memory_map_sentinel(line) {
            break;
        }
        let (values, blocksize, addrs) = parse_heap_sample(line, b.p.period, sampling, has_alloc)
            .map_err(|m| malformed("heap", lineno, m))?;
        let locs = addrs.into_iter().map(|a| b.loc(a.wrapping_sub(1))).collect();
        b.push_sample(locs, values, vec![Label { key: bytes_key, value: LabelValue::Num { value: blocksize, unit: 0 } }]);
    }
    parse_additional_sections(&mut s, &mut b)?;
    Ok(b.p)
}

fn parse_heap_sample(
    line: &str,
    rate: i64,
    sampling: &str,
    include_alloc: bool,
) -> Result<(Vec<i64>, i64, Vec<u64>), String> {
    let Some(c) = rx().heap_sample.captures(line) else {
        return Err("unexpected number of sample values: got 0, want 6".into());
    };
    let mut values = Vec::with_capacity(4);
    let mut blocksize = 0i64;
    let mut add = |count_s: &str, size_s: &str, label: &str| -> Result<(), String> {
        let count: i64 = count_s.parse().map_err(|e| format!("malformed sample: {line}: {e}"))?;
        let size: i64 = size_s.parse().map_err(|e| format!("malformed sample: {line}: {e}"))?;
        if count == 0 && size != 0 {
            return Err(format!("{label} count was 0 but {label} bytes was {size}"));
        }
        let (mut c, mut sz) = (count, size);
        if count != 0 {
            blocksize = size / count;
            if sampling == "v2" {
                (c, sz) = scale_heap_sample(count, size, rate);
            }
        }
        values.push(c);
        values.push(sz);
        Ok(())
    };
    if include_alloc {
        add(&c[3], &c[4], "allocation")?;
    }
    add(&c[1], &c[2], "inuse")?;
    let addrs = parse_hex_addresses(&c[5]).map_err(|e| format!("malformed sample: {line}: {e}"))?;
    Ok((values, blocksize, addrs))
}

/// Unsamples a Poisson-sampled heap entry: divide by the probability 1 − e^(−avg/rate) that an
/// object of the average size was sampled.
pub(crate) fn scale_heap_sample(count: i64, size: i64, rate: i64) -> (i64, i64) {
    if count == 0 || size == 0 {
        return (0, 0);
    }
    if rate <= 1 {
        return (count, size);
    }
    let avg = size as f64 / count as f64;
    let scale = 1.0 / (1.0 - (-avg / rate as f64).exp());
    ((count as f64 * scale) as i64, (size as f64 * scale) as i64)
}

/// `--- contentionz` (C++), `--- mutex:` / `--- contention:` (Go `?debug>0` mutex/block).
pub(crate) fn parse_contention(text: &str) -> LResult<Profile> {
    let mut s = Scanner::new(text);
    if !s.scan() {
        return Err(LErr::Unrecognized);
    }
    let l = s.text();
    if !(l.starts_with("--- contentionz ") || l.starts_with("--- mutex:") || l.starts_with("--- contention:")) {
        return Err(LErr::Unrecognized);
    }
    let mut b = Builder::new();
    b.p.period_type = b.vt("contentions", "count");
    b.p.period = 1;
    b.p.sample_types = vec![b.vt("contentions", "count"), b.vt("delay", "nanoseconds")];
    let mut cpu_hz: i64 = 0;
    let mut lineno = 1;
    // "attribute = value" lines before the samples.
    while s.scan() {
        lineno += 1;
        let line = s.text().trim();
        if is_space_or_comment(line) {
            continue;
        }
        if line.starts_with("---") {
            break;
        }
        let Some((k, v)) = line.split_once('=') else { break };
        let (k, v) = (k.trim(), v.trim());
        match k {
            "cycles/second" => cpu_hz = parse_int_base0(v).ok_or(LErr::Unrecognized)?,
            "sampling period" => b.p.period = parse_int_base0(v).ok_or(LErr::Unrecognized)?,
            "ms since reset" => {
                let ms = parse_int_base0(v).ok_or(LErr::Unrecognized)?;
                b.p.duration_nanos = ms.wrapping_mul(1_000_000);
            }
            "discarded samples" => {}
            // "format", "resolution" (Java) and anything else: not this format.
            _ => return Err(LErr::Unrecognized),
        }
    }
    let r = rx();
    loop {
        let line = s.text().trim();
        if line.starts_with("---") {
            break;
        }
        if !is_space_or_comment(line) {
            let Some(c) = r.contention_sample.captures(line) else { return Err(LErr::Unrecognized) };
            let mut v1: i64 = c[1].parse().map_err(|e| malformed("contention", lineno, format!("malformed sample: {line}: {e}")))?;
            let mut v2: i64 = c[2].parse().map_err(|e| malformed("contention", lineno, format!("malformed sample: {line}: {e}")))?;
            // Delays are in cycles: convert to nanoseconds; both are unsampled by the period.
            let period = b.p.period;
            if period > 0 {
                if cpu_hz > 0 {
                    let cpu_ghz = cpu_hz as f64 / 1e9;
                    v1 = (v1 as f64 * period as f64 / cpu_ghz) as i64;
                }
                v2 = v2.wrapping_mul(period);
            }
            let addrs = parse_hex_addresses(&c[3])
                .map_err(|e| malformed("contention", lineno, format!("malformed sample: {line}: {e}")))?;
            let locs = addrs.into_iter().map(|a| b.loc(a.wrapping_sub(1))).collect();
            b.push_sample(locs, vec![v2, v1], Vec::new());
        }
        if !s.scan() {
            break;
        }
        lineno += 1;
    }
    parse_additional_sections(&mut s, &mut b)?;
    Ok(b.p)
}

/// `--- threadz N ---` / `--- Thread … stack: ---`.
pub(crate) fn parse_thread(text: &str) -> LResult<Profile> {
    let r = rx();
    let mut s = Scanner::new(text);
    while s.scan() && is_space_or_comment(s.text()) {}
    let mut line = s.text();
    if r.threadz_start.is_match(line) {
        while s.scan() {
            line = s.text();
            if is_memory_map_sentinel(line) || line.starts_with('-') {
                break;
            }
        }
    } else if !r.thread_start.is_match(line) {
        return Err(LErr::Unrecognized);
    }
    let mut b = Builder::new();
    b.p.sample_types = vec![b.vt("thread", "count")];
    b.p.period_type = b.vt("thread", "count");
    b.p.period = 1;
    while !is_memory_map_sentinel(line) {
        if line.starts_with("---- no stack trace for") {
            break;
        }
        if !r.thread_start.is_match(line) {
            return Err(LErr::Unrecognized);
        }
        let (next, addrs) = parse_thread_sample(&mut s).map_err(|m| malformed("thread", 0, m))?;
        line = next;
        match addrs {
            None => {
                // "same as previous thread": bump the previous sample.
                if let Some(last) = b.p.samples.last_mut() {
                    last.values[0] += 1;
                }
                continue;
            }
            Some(addrs) if addrs.is_empty() => {
                if let Some(last) = b.p.samples.last_mut() {
                    last.values[0] += 1;
                }
                continue;
            }
            Some(addrs) => {
                let locs = addrs
                    .into_iter()
                    .enumerate()
                    .map(|(i, a)| b.loc(if i > 0 { a.wrapping_sub(1) } else { a }))
                    .collect();
                b.push_sample(locs, vec![1], Vec::new());
            }
        }
    }
    parse_additional_sections(&mut s, &mut b)?;
    cleanup_duplicate_locations(&mut b.p);
    Ok(b.p)
}

/// One thread's stack; returns the line after it and the addresses (None = same as previous).
fn parse_thread_sample<'a>(s: &mut Scanner<'a>) -> Result<(&'a str, Option<Vec<u64>>), String> {
    let mut line = "";
    let mut same = false;
    let mut addrs = Vec::new();
    while s.scan() {
        line = s.text().trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with("---") {
            break;
        }
        if line.contains("same as previous thread") {
            same = true;
            continue;
        }
        let cur = parse_hex_addresses(line).map_err(|e| format!("malformed sample: {line}: {e}"))?;
        addrs.extend(cur);
    }
    if same {
        return Ok((line, None));
    }
    Ok((line, Some(addrs)))
}
