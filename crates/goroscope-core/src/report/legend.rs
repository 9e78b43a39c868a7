//! Legend lines (pprof `ProfileLabels` and `reportLabels`).

use crate::measurement;
use super::Report;
use crate::graph::base_name;

/// File, Build ID, comments (not starting with `#`), Type, Doc, Time, Duration.
pub(crate) fn profile_labels(c: &Report) -> Vec<String> {
    let p = &c.prof;
    let mut l = Vec::new();
    if let Some(m) = p.mappings.first() {
        let f = p.str(m.filename);
        if !f.is_empty() {
            l.push(format!("File: {}", base_name(f)));
        }
        let b = p.str(m.build_id);
        if !b.is_empty() {
            l.push(format!("Build ID: {b}"));
        }
    }
    for &cm in &p.comments {
        let s = p.str(cm);
        if !s.starts_with('#') {
            l.push(s.to_string());
        }
    }
    if !c.options.sample_type.is_empty() {
        l.push(format!("Type: {}", c.options.sample_type));
    }
    let doc = p.str(p.doc_url);
    if !doc.is_empty() {
        l.push(format!("Doc: {doc}"));
    }
    if p.time_nanos != 0 {
        l.push(format!("Time: {}", format_time(p.time_nanos)));
    }
    if p.duration_nanos != 0 {
        let duration = measurement::label(p.duration_nanos, "nanoseconds");
        let (total_ns, unit) = measurement::scale(c.total, &c.options.sample_unit, "nanoseconds");
        let mut ratio = String::new();
        if unit == "ns" && total_ns != 0.0 {
            ratio = format!("({})", measurement::percentage(total_ns as i64, p.duration_nanos));
        }
        l.push(format!(
            "Duration: {}, Total samples = {} {}",
            duration,
            c.format_value(c.total),
            ratio
        ));
    }
    l
}

/// `2006-01-02 15:04:05 MST` in UTC (pprof prints local time; run it with `TZ=UTC` to compare).
pub(crate) fn format_time(ns: i64) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // days since 1970-01-01 -> civil date (proleptic Gregorian)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        y,
        m,
        d,
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

/// "Active filters:" and one line per filter (cut at 80 bytes), or nothing.
pub(crate) fn filter_labels(c: &Report) -> Vec<String> {
    let mut l = Vec::new();
    if !c.options.active_filters.is_empty() {
        l.push("Active filters:".to_string());
        for f in &c.options.active_filters {
            if f.len() > 80 {
                let mut cut = 80;
                while !f.is_char_boundary(cut) {
                    cut -= 1;
                }
                l.push(format!("   {}…", &f[..cut]));
            } else {
                l.push(format!("   {f}"));
            }
        }
    }
    l
}

/// Legend of a graph-based report: profile labels (unless compact), active filters,
/// "Showing nodes accounting for …", dropped nodes/edges, "Showing top N nodes out of M".
#[allow(clippy::too_many_arguments)]
pub(crate) fn report_labels(
    c: &Report,
    shown_total: i64,
    node_count: usize,
    orig_count: usize,
    dropped_nodes: usize,
    dropped_edges: usize,
    full_headers: bool,
) -> Vec<String> {
    let mut l = Vec::new();
    if full_headers || !c.options.compact_labels {
        l = profile_labels(c);
    }
    l.extend(filter_labels(c));
    l.push(format!(
        "Showing nodes accounting for {}, {} of {} total",
        c.format_value(shown_total),
        measurement::percentage(shown_total, c.total).trim(),
        c.format_value(c.total)
    ));
    if c.total != 0 {
        if dropped_nodes > 0 {
            l.push(gen_label(
                dropped_nodes,
                "node",
                "cum",
                &c.format_value(((c.total as f64 * c.options.node_fraction) as i64).abs()),
            ));
        }
        if dropped_edges > 0 {
            l.push(gen_label(
                dropped_edges,
                "edge",
                "freq",
                &c.format_value(((c.total as f64 * c.options.edge_fraction) as i64).abs()),
            ));
        }
        if node_count > 0 && node_count < orig_count {
            l.push(format!("Showing top {node_count} nodes out of {orig_count}"));
        }
    }
    if full_headers {
        l.push("\nSee https://git.io/JfYMW for how to read the graph".to_string());
    }
    l
}

fn gen_label(d: usize, n: &str, l: &str, f: &str) -> String {
    let n = if d > 1 { format!("{n}s") } else { n.to_string() };
    format!("Dropped {d} {n} ({l} <= {f})")
}

#[cfg(test)]
mod tests {
    #[test]
    fn time() {
        assert_eq!(super::format_time(1_506_718_679_000_000_000), "2017-09-29 20:57:59 UTC");
        assert_eq!(super::format_time(0), "1970-01-01 00:00:00 UTC");
    }
}
