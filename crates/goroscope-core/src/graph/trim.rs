//! Trimming (pprof `report.newTrimmedGraph`): node-fraction cutoff, top-N selection, edge cutoff,
//! redundant residual edges. Every step that changes the node set rebuilds from the samples
//! (merged into [`Stacks`] once).

use super::build::{new_graph_of, Stacks};
use super::{Graph, InfoId, NodeId, NodeOrder, NodeTable, Options};
use crate::pprof::Profile;
use rustc_hash::FxHashSet;
use std::sync::Arc;

/// Trimming parameters.
#[derive(Clone, Copy, Debug, Default)]
pub struct TrimOptions {
    /// Keep at most this many nodes (0 = no limit).
    pub node_count: usize,
    /// Drop nodes with |cum| < total·node_fraction.
    pub node_fraction: f64,
    /// Drop edges with |weight| < total·edge_fraction.
    pub edge_fraction: f64,
    /// Graph for drawing: entropy order, nodelets count as nodes, redundant edges removed.
    pub visual: bool,
    /// Sort by cum instead of flat (ignored when `visual`).
    pub cum_sort: bool,
}

/// A trimmed graph and what was dropped.
#[derive(Clone, Debug)]
pub struct Trimmed {
    pub graph: Graph,
    /// Nodes after the node-fraction cutoff, before top-N selection.
    pub orig_count: usize,
    pub dropped_nodes: usize,
    pub dropped_edges: usize,
    /// The cutoffs used (absolute values).
    pub node_cutoff: i64,
    pub edge_cutoff: i64,
}

fn with_kept<'a>(o: &Options<'a>, kept: &'a FxHashSet<InfoId>) -> Options<'a> {
    Options {
        sample_value: o.sample_value,
        sample_mean_divisor: o.sample_mean_divisor,
        format_tag: o.format_tag,
        numeric_tag_keys: o.numeric_tag_keys.clone(),
        tags: o.tags,
        call_tree: o.call_tree,
        drop_negative: o.drop_negative,
        kept: Some(kept),
    }
}

fn info_set(g: &Graph, nodes: &[NodeId]) -> FxHashSet<InfoId> {
    nodes.iter().map(|&n| g.node(n).info).collect()
}

/// Builds the graph of `p` and trims it.
pub fn trimmed_graph(p: &Profile, table: &Arc<NodeTable>, o: &Options, t: &TrimOptions) -> Trimmed {
    let order = if t.visual {
        NodeOrder::Entropy
    } else if t.cum_sort {
        NodeOrder::CumName
    } else {
        NodeOrder::FlatName
    };
    // Stacks merged once for the up to three builds below.
    let stacks = Stacks::new(p, table, o);
    let mut g = new_graph_of(p, &stacks, table, o);
    let (total, _) = g.sum();
    let node_cutoff = ((total as f64 * t.node_fraction) as i64).abs();
    let edge_cutoff = ((total as f64 * t.edge_fraction) as i64).abs();
    let mut dropped_nodes = 0;

    if node_cutoff > 0 {
        let kept = g.nodes_above_cum_cutoff(node_cutoff);
        if kept.len() != g.nodes.len() {
            dropped_nodes = g.nodes.len() - kept.len();
            if o.call_tree {
                let set: FxHashSet<NodeId> = kept.into_iter().collect();
                g.trim_tree(&set);
            } else {
                let set = info_set(&g, &kept);
                g = new_graph_of(p, &stacks, table, &with_kept(o, &set));
            }
        }
    }
    let orig_count = g.nodes.len();

    g.sort_nodes(order);
    if t.node_count > 0 {
        g.trim_low_frequency_tags(node_cutoff);
        g.trim_low_frequency_edges(edge_cutoff);
        let top = g.select_top_nodes(t.node_count, t.visual);
        if top.len() != g.nodes.len() {
            if o.call_tree {
                let set: FxHashSet<NodeId> = top.into_iter().collect();
                g.trim_tree(&set);
            } else {
                let set = info_set(&g, &top);
                g = new_graph_of(p, &stacks, table, &with_kept(o, &set));
            }
            g.sort_nodes(order);
        }
    }

    g.trim_low_frequency_tags(node_cutoff);
    let dropped_edges = g.trim_low_frequency_edges(edge_cutoff);
    if t.visual {
        g.remove_redundant_edges();
    }
    Trimmed { graph: g, orig_count, dropped_nodes, dropped_edges, node_cutoff, edge_cutoff }
}
