//! `-top` / `-text` (pprof `printText`).

use super::legend::report_labels;
use crate::measurement::percentage;
use super::Report;
use super::{InlineMark, ReportData, TopReport, TopRow};
use std::fmt::Write;

pub(crate) fn pct(v: i64, total: i64) -> f64 {
    if total == 0 {
        0.0
    } else {
        (v as f64 / total as f64).abs() * 100.0
    }
}

pub(crate) fn print_text(c: &mut Report) -> (String, Vec<String>, ReportData) {
    let t = c.trimmed_graph(false);
    let g = &t.graph;
    c.select_output_unit(g, false);
    let shown = g.flat_value_total();
    let legend = report_labels(c, shown, g.nodes.len(), t.orig_count, t.dropped_nodes, 0, false);

    let mut out = String::new();
    out.push_str(&legend.join("\n"));
    out.push('\n');
    let _ = writeln!(out, "{:>10} {:>5}% {:>5}% {:>10} {:>5}%", "flat", "flat", "sum", "cum", "cum");
    let mut rows = Vec::with_capacity(g.nodes.len());
    let mut flat_sum = 0i64;
    for &n in &g.nodes {
        let node = g.node(n);
        let (flat, cum) = (node.flat_value(), node.cum_value());
        let (mut inline, mut noinline) = (false, false);
        for &e in &node.in_edges {
            if g.edge(e).inline {
                inline = true;
            } else {
                noinline = true;
            }
        }
        let mark = match (inline, noinline) {
            (true, true) => InlineMark::PartialInline,
            (true, false) => InlineMark::Inline,
            _ => InlineMark::None,
        };
        flat_sum = flat_sum.wrapping_add(flat);
        let name = g.name(n).to_string();
        let (fl, cl) = (c.format_value(flat), c.format_value(cum));
        let inl = match mark {
            InlineMark::None => "",
            InlineMark::Inline => " (inline)",
            InlineMark::PartialInline => " (partial-inline)",
        };
        let _ = writeln!(
            out,
            "{:>10} {} {} {:>10} {}  {}{}",
            fl,
            percentage(flat, c.total),
            percentage(flat_sum, c.total),
            cl,
            percentage(cum, c.total),
            name,
            inl
        );
        rows.push(TopRow {
            flat,
            flat_label: fl,
            flat_pct: pct(flat, c.total),
            sum_pct: pct(flat_sum, c.total),
            cum,
            cum_label: cl,
            cum_pct: pct(cum, c.total),
            name,
            inline: mark,
        });
    }
    let data = ReportData::Top(TopReport {
        rows,
        shown_total: shown,
        dropped_nodes: t.dropped_nodes,
        node_count_before_limit: t.orig_count,
    });
    (out, legend, data)
}
