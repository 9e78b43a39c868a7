//! `-tree` and `-peek` (pprof `printTree`).

use super::legend::report_labels;
use crate::measurement::percentage;
use super::Report;
use super::text::pct;
use super::{ReportData, ReportError, TreeEdge, TreeNode, TreeReport};
use std::fmt::Write;

const SEPARATOR: &str = "----------------------------------------------------------+-------------";
const LEGEND: &str = "      flat  flat%   sum%        cum   cum%   calls calls% + context \t \t ";

type Printed = (String, Vec<String>, ReportData);

pub(crate) fn print_tree(c: &mut Report) -> Result<Printed, ReportError> {
    let t = c.trimmed_graph(false);
    let g = &t.graph;
    c.select_output_unit(g, false);
    let shown = g.flat_value_total();
    let legend = report_labels(c, shown, g.nodes.len(), t.orig_count, t.dropped_nodes, 0, false);

    let mut out = String::new();
    out.push_str(&legend.join("\n"));
    out.push('\n');
    out.push_str(SEPARATOR);
    out.push('\n');
    out.push_str(LEGEND);
    out.push('\n');
    let mut flat_sum = 0i64;
    let mut matched = 0usize;
    let mut nodes = Vec::new();
    let edge_row = |out: &mut String, e: &crate::graph::Edge, other: crate::graph::NodeId, cum: i64| {
        let inline = if e.inline { " (inline)" } else { "" };
        let wl = c.format_value(e.weight);
        let _ = writeln!(out, "{:>50} {} |   {}{}", wl, percentage(e.weight, cum), g.name(other), inline);
        TreeEdge {
            name: g.name(other).to_string(),
            weight: e.weight,
            weight_label: wl,
            pct: pct(e.weight, cum),
            inline: e.inline,
            residual: e.residual,
        }
    };
    for &n in &g.nodes {
        let node = g.node(n);
        let name = g.name(n);
        let (flat, cum) = (node.flat_value(), node.cum_value());
        if let Some(rx) = &c.options.symbol {
            if !rx.is_match(name) {
                continue;
            }
        }
        matched += 1;
        out.push_str(SEPARATOR);
        out.push('\n');
        let mut callers = Vec::new();
        for e in g.sorted_in_edges(n) {
            let e = g.edge(e);
            callers.push(edge_row(&mut out, e, e.src, cum));
        }
        flat_sum = flat_sum.wrapping_add(flat);
        let (fl, cl) = (c.format_value(flat), c.format_value(cum));
        let _ = writeln!(
            out,
            "{:>10} {} {} {:>10} {}                | {}",
            fl,
            percentage(flat, c.total),
            percentage(flat_sum, c.total),
            cl,
            percentage(cum, c.total),
            name
        );
        let mut callees = Vec::new();
        for e in g.sorted_out_edges(n) {
            let e = g.edge(e);
            callees.push(edge_row(&mut out, e, e.dest, cum));
        }
        nodes.push(TreeNode {
            name: name.to_string(),
            flat,
            flat_label: fl,
            flat_pct: pct(flat, c.total),
            sum_pct: pct(flat_sum, c.total),
            cum,
            cum_label: cl,
            cum_pct: pct(cum, c.total),
            callers,
            callees,
        });
    }
    if !g.nodes.is_empty() {
        out.push_str(SEPARATOR);
        out.push('\n');
    }
    if let Some(rx) = &c.options.symbol {
        if matched == 0 {
            return Err(ReportError::NoMatches(rx.as_str().to_string()));
        }
    }
    let data = ReportData::Tree(TreeReport {
        nodes,
        shown_total: shown,
        dropped_nodes: t.dropped_nodes,
        node_count_before_limit: t.orig_count,
    });
    Ok((out, legend, data))
}
