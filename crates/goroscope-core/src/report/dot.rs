//! `-dot` (pprof `printDOT`): the trimmed call graph, drawn with [`crate::graph::compose_dot`].

use super::legend::report_labels;
use super::Report;
use super::{DotReport, ReportData};
use crate::graph::{compose_dot, DotAttributes, DotConfig};

type Printed = (String, Vec<String>, ReportData);

pub(crate) fn print_dot(c: &mut Report) -> Printed {
    let t = c.trimmed_graph(true);
    let g = &t.graph;
    c.select_output_unit(g, false);
    let shown = g.flat_value_total();
    let legend = report_labels(c, shown, g.nodes.len(), t.orig_count, t.dropped_nodes, t.dropped_edges, true);
    let title = c.options.title.clone();
    let ctx: &Report = c;
    let fv = |v: i64| ctx.format_value(v);
    let cfg = DotConfig {
        title: title.clone(),
        legend_url: String::new(),
        labels: legend.clone(),
        format_value: &fv,
        total: ctx.total,
    };
    let text = compose_dot(g, &DotAttributes::default(), &cfg);
    let edges = g.nodes.iter().map(|&n| g.node(n).out_edges.len()).sum();
    let data = ReportData::Dot(DotReport {
        title: if title.is_empty() { "unnamed".into() } else { title },
        nodes: g.nodes.len(),
        edges,
        shown_total: shown,
        dropped_nodes: t.dropped_nodes,
        dropped_edges: t.dropped_edges,
        node_count_before_limit: t.orig_count,
    });
    (text, legend, data)
}
