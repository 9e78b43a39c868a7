//! `to_string`: google/pprof's `Profile.String()` debug dump, byte for byte (what `-raw` prints
//! and what `profile/testdata/*.string` hold).
//!
//! `Time:` is printed in UTC (`2006-01-02 15:04:05.999999999 +0000 UTC`); Go prints it in the
//! local zone, so compare with `TZ=UTC go tool pprof -raw`.

use std::fmt::Write;

use super::model::*;

/// pprof's `Profile.String()`.
pub fn to_string(p: &Profile) -> String {
    let mut out = String::with_capacity(64 * (p.samples.len() + p.locations.len() + 8));
    for &c in &p.comments {
        let _ = writeln!(out, "Comment: {}", p.str(c));
    }
    if p.doc_url != 0 && !p.str(p.doc_url).is_empty() {
        let _ = writeln!(out, "Doc: {}", p.str(p.doc_url));
    }
    let _ = writeln!(out, "PeriodType: {} {}", p.str(p.period_type.kind), p.str(p.period_type.unit));
    let _ = writeln!(out, "Period: {}", p.period);
    if p.time_nanos != 0 {
        let _ = writeln!(out, "Time: {}", format_time_utc(p.time_nanos));
    }
    if p.duration_nanos != 0 {
        let d = go_duration(p.duration_nanos);
        let d: String = d.chars().take(4).collect();
        let _ = writeln!(out, "Duration: {d}");
    }
    out.push_str("Samples:\n");
    let dflt = p.str(p.default_sample_type);
    let mut header = String::new();
    for st in &p.sample_types {
        let _ = write!(header, "{}/{}", p.str(st.kind), p.str(st.unit));
        if p.str(st.kind) == dflt {
            header.push_str("[dflt]");
        }
        header.push(' ');
    }
    out.push_str(header.trim_matches(|c: char| c.is_whitespace()));
    out.push('\n');
    for s in &p.samples {
        write_sample(&mut out, p, s);
    }
    out.push_str("Locations\n");
    for l in &p.locations {
        write_location(&mut out, p, l);
    }
    out.push_str("Mappings");
    for m in &p.mappings {
        out.push('\n');
        let _ = write!(
            out,
            "{}: {:#x}/{:#x}/{:#x} {} {} ",
            m.id,
            m.memory_start,
            m.memory_limit,
            m.file_offset,
            p.str(m.filename),
            p.str(m.build_id)
        );
        if m.has_functions {
            out.push_str("[FN]");
        }
        if m.has_filenames {
            out.push_str("[FL]");
        }
        if m.has_line_numbers {
            out.push_str("[LN]");
        }
        if m.has_inline_frames {
            out.push_str("[IN]");
        }
    }
    out.push('\n');
    out
}

fn write_sample(out: &mut String, p: &Profile, s: &Sample) {
    for v in &s.values {
        let _ = write!(out, " {v:>10}");
    }
    out.push_str(": ");
    for &l in &s.locations {
        let _ = write!(out, "{} ", p.locations.get(l as usize).map_or(0, |l| l.id));
    }
    out.push('\n');
    const HDR: &str = "                ";
    // String labels: key -> values in order, printed "k:[v1 v2]", sorted as strings.
    let mut str_keys: Vec<Str> = Vec::new();
    let mut num_keys: Vec<Str> = Vec::new();
    for l in &s.labels {
        match l.value {
            LabelValue::Str(_) => {
                if !str_keys.contains(&l.key) {
                    str_keys.push(l.key)
                }
            }
            LabelValue::Num { .. } => {
                if !num_keys.contains(&l.key) {
                    num_keys.push(l.key)
                }
            }
        }
    }
    // Keys are compared by string; two distinct indices may hold the same string.
    dedup_by_string(p, &mut str_keys);
    dedup_by_string(p, &mut num_keys);
    if !str_keys.is_empty() {
        let mut parts: Vec<String> = str_keys
            .iter()
            .map(|&k| {
                let key = p.str(k);
                let vals: Vec<&str> = s
                    .labels
                    .iter()
                    .filter_map(|l| match l.value {
                        LabelValue::Str(v) if p.str(l.key) == key => Some(p.str(v)),
                        _ => None,
                    })
                    .collect();
                format!("{}:[{}]", key, vals.join(" "))
            })
            .collect();
        parts.sort();
        out.push_str(HDR);
        out.push_str(&parts.join(" "));
        out.push('\n');
    }
    if !num_keys.is_empty() {
        let mut parts: Vec<String> = num_keys
            .iter()
            .map(|&k| {
                let key = p.str(k);
                let vals: Vec<(i64, Str)> = s
                    .labels
                    .iter()
                    .filter_map(|l| match l.value {
                        LabelValue::Num { value, unit } if p.str(l.key) == key => Some((value, unit)),
                        _ => None,
                    })
                    .collect();
                // pprof keeps units only when at least one value of the key has one.
                let any_unit = vals.iter().any(|&(_, u)| u != 0);
                let items: Vec<String> = vals
                    .iter()
                    .map(|&(v, u)| if any_unit { format!("{} {}", v, p.str(u)) } else { v.to_string() })
                    .collect();
                format!("{}:[{}]", key, items.join(" "))
            })
            .collect();
        parts.sort();
        out.push_str(HDR);
        out.push_str(&parts.join(" "));
        out.push('\n');
    }
}

fn dedup_by_string(p: &Profile, keys: &mut Vec<Str>) {
    let mut seen: Vec<&str> = Vec::new();
    keys.retain(|&k| {
        let s = p.str(k);
        if seen.contains(&s) {
            false
        } else {
            seen.push(s);
            true
        }
    });
}

fn write_location(out: &mut String, p: &Profile, l: &Location) {
    let mut head = format!("{:>6}: {:#x} ", l.id, l.address);
    if let Some(m) = l.mapping.and_then(|m| p.mappings.get(m as usize)) {
        let _ = write!(head, "M={} ", m.id);
    }
    if l.is_folded {
        head.push_str("[F] ");
    }
    if l.lines.is_empty() {
        out.push_str(&head);
        out.push('\n');
        return;
    }
    for (i, ln) in l.lines.iter().enumerate() {
        if i == 0 {
            out.push_str(&head);
        } else {
            out.push_str("             ");
        }
        match p.functions.get(ln.function as usize) {
            Some(f) => {
                let _ = write!(
                    out,
                    "{} {}:{}:{} s={}",
                    p.str(f.name),
                    p.str(f.filename),
                    ln.line,
                    ln.column,
                    f.start_line
                );
                if p.str(f.name) != p.str(f.system_name) {
                    let _ = write!(out, "({})", p.str(f.system_name));
                }
            }
            None => out.push_str("??"),
        }
        out.push('\n');
    }
}

/// Go's `time.Duration.String()`.
pub fn go_duration(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let neg = d < 0;
    let mut u = d.unsigned_abs();
    let mut s = String::new();
    if u < 1_000_000_000 {
        let (prec, unit) = if u < 1_000 {
            (0, "ns")
        } else if u < 1_000_000 {
            (3, "µs")
        } else {
            (6, "ms")
        };
        s.push_str(&frac(u, prec));
        s.push_str(unit);
    } else {
        let secs_part = frac(u % 60_000_000_000, 9); // "S.fff" for seconds incl. fraction
        u /= 1_000_000_000; // whole seconds
        let mut tail = format!("{secs_part}s");
        u /= 60; // minutes
        if u > 0 {
            tail = format!("{}m{}", u % 60, tail);
            u /= 60; // hours
            if u > 0 {
                tail = format!("{u}h{tail}");
            }
        }
        s.push_str(&tail);
    }
    if neg {
        format!("-{s}")
    } else {
        s
    }
}

/// `v / 10^prec` printed with trailing fractional zeros (and a bare '.') removed.
fn frac(v: u64, prec: u32) -> String {
    if prec == 0 {
        return v.to_string();
    }
    let p = 10u64.pow(prec);
    let (int, mut fr) = (v / p, v % p);
    if fr == 0 {
        return int.to_string();
    }
    let mut digits = prec as usize;
    while fr % 10 == 0 {
        fr /= 10;
        digits -= 1;
    }
    format!("{int}.{fr:0digits$}")
}

/// Go's `time.Time.String()` for `time.Unix(0, ns)` in UTC.
pub fn format_time_utc(ns: i64) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let nanos = ns.rem_euclid(1_000_000_000) as u64;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut s = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        y,
        m,
        d,
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    );
    if nanos != 0 {
        let f = format!("{nanos:09}");
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s.push_str(" +0000 UTC");
    s
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(go_duration(16_500_000_000_000), "4h35m0s");
        assert_eq!(go_duration(1_500_000_000), "1.5s");
        assert_eq!(go_duration(1_500), "1.5µs");
        assert_eq!(go_duration(999), "999ns");
        assert_eq!(go_duration(3_600_000_000_000), "1h0m0s");
        assert_eq!(go_duration(61_000_000_000), "1m1s");
        assert_eq!(go_duration(-2_000_000), "-2ms");
    }

    #[test]
    fn times() {
        assert_eq!(format_time_utc(0), "1970-01-01 00:00:00 +0000 UTC");
        assert_eq!(format_time_utc(1_700_000_000_123_000_000), "2023-11-14 22:13:20.123 +0000 UTC");
    }
}
