//! Samples → call graph (pprof's `internal/graph` behaviour): node identities ([`NodeInfo`]),
//! printable names, flat/cum accumulation, inline and residual edges, the context-sensitive
//! call tree, tags for nodelets, sort orders and trimming.
//!
//! The graph does not know about flags or output formats: callers pass behaviour
//! ([`Options`], [`TrimOptions`]).

mod build;
mod dot;
mod info;
mod sort;
mod trim;

pub use build::{new_graph, new_graph_of, Options, Stacks, TagFormatFn, ValueFn};
pub use dot::{
    compose_dot, dot_color, escape_for_dot, multiline_printable_name, shorten_function_name, DotAttributes,
    DotConfig, DotNodeAttributes, LabelFormatter,
};
pub use info::{base_name, clean_path, InfoId, NodeInfo, NodeTable, Sym};
pub use sort::NodeOrder;
pub use trim::{trimmed_graph, TrimOptions, Trimmed};

use std::collections::HashMap;
use std::sync::Arc;

/// Index into [`Graph::arena`].
pub type NodeId = u32;
/// Index into [`Graph::edges`].
pub type EdgeId = u32;

/// A sample annotation accumulated on a node (pprof `graph.Tag`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tag {
    pub name: String,
    /// Unit of a numeric tag; empty for label tags.
    pub unit: String,
    pub value: i64,
    pub flat: i64,
    pub flat_div: i64,
    pub cum: i64,
    pub cum_div: i64,
}

impl Tag {
    pub fn flat_value(&self) -> i64 {
        if self.flat_div == 0 {
            self.flat
        } else {
            self.flat.wrapping_div(self.flat_div)
        }
    }
    pub fn cum_value(&self) -> i64 {
        if self.cum_div == 0 {
            self.cum
        } else {
            self.cum.wrapping_div(self.cum_div)
        }
    }
}

/// Tags by name.
pub type TagMap = HashMap<String, Tag>;

/// A graph node: one program location at the chosen granularity (or one call-tree context).
#[derive(Clone, Debug, Default)]
pub struct Node {
    pub info: InfoId,
    pub flat: i64,
    pub flat_div: i64,
    pub cum: i64,
    pub cum_div: i64,
    /// Incoming edges (callers).
    pub in_edges: Vec<EdgeId>,
    /// Outgoing edges (callees).
    pub out_edges: Vec<EdgeId>,
    /// Label-set tags (`k:v` pairs of a sample, sorted, joined by `\n`).
    pub label_tags: TagMap,
    /// Numeric tags, keyed by the label-set tag they belong to ("" = none).
    pub numeric_tags: HashMap<String, TagMap>,
}

impl Node {
    pub fn flat_value(&self) -> i64 {
        if self.flat_div == 0 {
            self.flat
        } else {
            self.flat.wrapping_div(self.flat_div)
        }
    }
    pub fn cum_value(&self) -> i64 {
        if self.cum_div == 0 {
            self.cum
        } else {
            self.cum.wrapping_div(self.cum_div)
        }
    }
}

/// A caller → callee edge.
#[derive(Clone, Debug, Default)]
pub struct Edge {
    pub src: NodeId,
    pub dest: NodeId,
    pub weight: i64,
    pub weight_div: i64,
    /// Goes over one or more frames that were dropped from the graph.
    pub residual: bool,
    /// Every call along this edge was inlined into the caller.
    pub inline: bool,
}

impl Edge {
    pub fn weight_value(&self) -> i64 {
        if self.weight_div == 0 {
            self.weight
        } else {
            self.weight.wrapping_div(self.weight_div)
        }
    }
}

/// A call graph. `arena` holds every node ever created for the build (edges may point at any of
/// them); `nodes` is the graph's node list (pprof `Graph.Nodes`), in the current sort order.
#[derive(Clone, Debug)]
pub struct Graph {
    pub table: Arc<NodeTable>,
    pub arena: Vec<Node>,
    pub edges: Vec<Edge>,
    pub nodes: Vec<NodeId>,
}

impl Graph {
    pub fn node(&self, n: NodeId) -> &Node {
        &self.arena[n as usize]
    }
    pub fn edge(&self, e: EdgeId) -> &Edge {
        &self.edges[e as usize]
    }
    pub fn info(&self, n: NodeId) -> &NodeInfo {
        self.table.info(self.arena[n as usize].info)
    }
    /// The printable name (`[address] [name] [file:line[:col] | file | [obj] | <unknown>]`).
    pub fn name(&self, n: NodeId) -> &str {
        self.table.printable_name(self.arena[n as usize].info)
    }

    /// Σ flat and Σ cum over `nodes`.
    pub fn sum(&self) -> (i64, i64) {
        self.nodes.iter().fold((0, 0), |(f, c), &n| {
            let n = self.node(n);
            // Go int64 arithmetic: sums of crafted values wrap, as in pprof
            (f.wrapping_add(n.flat), c.wrapping_add(n.cum))
        })
    }

    /// Σ flat_value() over `nodes` (pprof `graphTotal`).
    pub fn flat_value_total(&self) -> i64 {
        self.nodes.iter().fold(0i64, |t, &n| t.wrapping_add(self.node(n).flat_value()))
    }

    /// Edges into `n`, sorted like pprof's `EdgeMap.Sort` (|weight| desc, source name, destination name).
    pub fn sorted_in_edges(&self, n: NodeId) -> Vec<EdgeId> {
        let mut v = self.node(n).in_edges.clone();
        self.sort_edges(&mut v);
        v
    }

    /// Edges out of `n`, sorted like [`Graph::sorted_in_edges`].
    pub fn sorted_out_edges(&self, n: NodeId) -> Vec<EdgeId> {
        let mut v = self.node(n).out_edges.clone();
        self.sort_edges(&mut v);
        v
    }

    pub(crate) fn remove_edge(&mut self, e: EdgeId) {
        let (s, d) = (self.edges[e as usize].src, self.edges[e as usize].dest);
        self.arena[s as usize].out_edges.retain(|&x| x != e);
        self.arena[d as usize].in_edges.retain(|&x| x != e);
    }

    /// Removes tags whose |flat| and |cum| are both below `cutoff`.
    pub fn trim_low_frequency_tags(&mut self, cutoff: i64) {
        for &n in &self.nodes {
            let node = &mut self.arena[n as usize];
            node.label_tags
                .retain(|_, t| t.flat.abs() >= cutoff || t.cum.abs() >= cutoff);
            for tm in node.numeric_tags.values_mut() {
                tm.retain(|_, t| t.flat.abs() >= cutoff || t.cum.abs() >= cutoff);
            }
        }
    }

    /// Removes edges with |weight| below `cutoff`; returns how many were removed.
    pub fn trim_low_frequency_edges(&mut self, cutoff: i64) -> usize {
        let mut dropped = 0;
        for i in 0..self.nodes.len() {
            let n = self.nodes[i];
            let ins = self.arena[n as usize].in_edges.clone();
            for e in ins {
                if self.edges[e as usize].weight.abs() < cutoff {
                    self.remove_edge(e);
                    dropped += 1;
                }
            }
        }
        dropped
    }

    /// Infos of the nodes with |cum| ≥ cutoff.
    pub fn nodes_above_cum_cutoff(&self, cutoff: i64) -> Vec<NodeId> {
        self.nodes
            .iter()
            .copied()
            .filter(|&n| self.node(n).cum.abs() >= cutoff)
            .collect()
    }

    /// The first `max_nodes` nodes in the current order; in visual mode each node also counts
    /// its (at most 4) flat tags as nodelets.
    pub fn select_top_nodes(&self, max_nodes: usize, visual: bool) -> Vec<NodeId> {
        let mut max = max_nodes;
        if max > 0 && visual {
            let mut count = 0;
            for (i, &n) in self.nodes.iter().enumerate() {
                let tags = count_tags(self.node(n)).min(MAX_NODELETS);
                count += tags + 1;
                if count >= max {
                    max = i + 1;
                    break;
                }
            }
        }
        max = max.min(self.nodes.len());
        self.nodes[..max].to_vec()
    }

    /// Removes residual edges whose destination stays reachable from their source.
    pub fn remove_redundant_edges(&mut self) {
        for i in (0..self.nodes.len()).rev() {
            let n = self.nodes[i];
            let ins = self.sorted_in_edges(n);
            for &e in ins.iter().rev() {
                if !self.edges[e as usize].residual {
                    break;
                }
                if self.is_redundant_edge(e) {
                    self.remove_edge(e);
                }
            }
        }
    }

    fn is_redundant_edge(&self, e: EdgeId) -> bool {
        let (src, dest) = (self.edges[e as usize].src, self.edges[e as usize].dest);
        let mut seen = rustc_hash::FxHashSet::default();
        seen.insert(dest);
        let mut queue = std::collections::VecDeque::from([dest]);
        while let Some(n) = queue.pop_front() {
            for &ie in &self.node(n).in_edges {
                let s = self.edges[ie as usize].src;
                if ie == e || seen.contains(&s) {
                    continue;
                }
                if s == src {
                    return true;
                }
                seen.insert(s);
                queue.push_back(s);
            }
        }
        false
    }

    /// pprof `TrimTree`: keeps only `kept` nodes of a call tree, reconnecting the children of
    /// removed nodes to their parent with residual edges.
    pub fn trim_tree(&mut self, kept: &rustc_hash::FxHashSet<NodeId>) {
        let old = std::mem::take(&mut self.nodes);
        let mut new_nodes = Vec::with_capacity(kept.len());
        for cur in old {
            if kept.contains(&cur) {
                new_nodes.push(cur);
                continue;
            }
            let ins = self.arena[cur as usize].in_edges.clone();
            if ins.is_empty() {
                for e in self.arena[cur as usize].out_edges.clone() {
                    let d = self.edges[e as usize].dest;
                    self.arena[d as usize].in_edges.retain(|&x| x != e);
                }
                continue;
            }
            let pe = ins[0];
            let parent = self.edges[pe as usize].src;
            let parent_inline = self.edges[pe as usize].inline;
            self.arena[parent as usize].out_edges.retain(|&x| x != pe);
            for e in self.arena[cur as usize].out_edges.clone() {
                let edge = &mut self.edges[e as usize];
                edge.src = parent;
                edge.residual = true;
                edge.inline = parent_inline && edge.inline;
                self.arena[parent as usize].out_edges.push(e);
            }
        }
        self.nodes = new_nodes;
        self.remove_redundant_edges();
    }
}

/// At most this many nodelets are drawn per node.
pub const MAX_NODELETS: usize = 4;

fn count_tags(n: &Node) -> usize {
    n.label_tags.values().filter(|t| t.flat != 0).count()
        + n
            .numeric_tags
            .values()
            .flat_map(|m| m.values())
            .filter(|t| t.flat != 0)
            .count()
}

/// Sorts tags by weight like pprof's `SortTags` (cum first unless `flat`, then flat, then name).
pub fn sort_tags(tags: &mut [Tag], flat: bool) {
    tags.sort_by(|a, b| {
        if !flat && a.cum != b.cum {
            return b.cum.abs().cmp(&a.cum.abs());
        }
        if a.flat != b.flat {
            return b.flat.abs().cmp(&a.flat.abs());
        }
        a.name.cmp(&b.name)
    });
}
