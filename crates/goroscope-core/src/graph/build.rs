//! Graph construction from samples (pprof `newGraph` / `newTree`).

use super::{Edge, Graph, InfoId, Node, NodeId, NodeTable, Tag, TagMap};
use crate::pprof::{LabelValue, Profile, Sample};
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

/// Computes a value from a sample's values.
pub type ValueFn<'a> = &'a dyn Fn(&[i64]) -> i64;
/// Formats a numeric tag value given its unit.
pub type TagFormatFn<'a> = &'a dyn Fn(i64, &str) -> String;

/// How to turn samples into weights. Behaviour, not flags.
pub struct Options<'a> {
    /// The value of a sample (e.g. one column of `Sample::values`).
    pub sample_value: ValueFn<'a>,
    /// Divisor for mean graphs (e.g. the count column for `-mean`), or None.
    pub sample_mean_divisor: Option<ValueFn<'a>>,
    /// Formats a numeric tag value given its unit; None = plain integer.
    pub format_tag: Option<TagFormatFn<'a>>,
    /// Numeric label keys to turn into numeric tags, with their unit (pprof keeps only `bytes`).
    pub numeric_tag_keys: Vec<(String, String)>,
    /// Accumulate label/numeric tags on nodes (only the DOT nodelets need them).
    pub tags: bool,
    /// Build a context-sensitive call tree instead of a graph.
    pub call_tree: bool,
    /// Leave out nodes with negative values.
    pub drop_negative: bool,
    /// If set, only these infos become nodes; dropped frames turn edges residual.
    pub kept: Option<&'a FxHashSet<InfoId>>,
}

impl<'a> Options<'a> {
    pub fn new(sample_value: ValueFn<'a>) -> Self {
        Options {
            sample_value,
            sample_mean_divisor: None,
            format_tag: None,
            numeric_tag_keys: Vec::new(),
            tags: false,
            call_tree: false,
            drop_negative: false,
            kept: None,
        }
    }
}

struct Builder<'p, 'o> {
    p: &'p Profile,
    table: Arc<NodeTable>,
    o: &'o Options<'o>,
    arena: Vec<Node>,
    edges: Vec<Edge>,
    edge_ids: FxHashMap<(NodeId, NodeId), u32>,
    // numeric-tag keys and their units
    num_keys: Vec<(String, String)>,
}

const NONE: u32 = u32::MAX;

/// Builds the graph (or, with `o.call_tree`, the call tree) of `p`'s samples.
pub fn new_graph(p: &Profile, table: &Arc<NodeTable>, o: &Options) -> Graph {
    let num_keys = o.numeric_tag_keys.clone();
    let mut b = Builder {
        p,
        table: table.clone(),
        o,
        arena: Vec::new(),
        edges: Vec::new(),
        edge_ids: FxHashMap::default(),
        num_keys,
    };
    if o.call_tree {
        b.tree();
    } else {
        b.graph();
    }
    let mut nodes = Vec::with_capacity(b.arena.len());
    for (i, n) in b.arena.iter().enumerate() {
        if n.cum == 0 && n.flat == 0 {
            continue;
        }
        if o.drop_negative && is_negative(n) {
            continue;
        }
        nodes.push(i as NodeId);
    }
    Graph { table: b.table, arena: b.arena, edges: b.edges, nodes }
}

fn is_negative(n: &Node) -> bool {
    n.flat < 0 || (n.flat == 0 && n.cum < 0)
}

impl Builder<'_, '_> {
    fn new_node(&mut self, info: InfoId) -> NodeId {
        self.arena.push(Node { info, ..Default::default() });
        (self.arena.len() - 1) as NodeId
    }

    fn add_edge(&mut self, src: NodeId, dest: NodeId, dw: i64, w: i64, residual: bool, inline: bool) {
        if let Some(&e) = self.edge_ids.get(&(src, dest)) {
            let e = &mut self.edges[e as usize];
            e.weight_div = e.weight_div.wrapping_add(dw);
            e.weight = e.weight.wrapping_add(w);
            if residual {
                e.residual = true;
            }
            if !inline {
                e.inline = false;
            }
            return;
        }
        let id = self.edges.len() as u32;
        self.edges.push(Edge { src, dest, weight: w, weight_div: dw, residual, inline });
        self.edge_ids.insert((src, dest), id);
        self.arena[src as usize].out_edges.push(id);
        self.arena[dest as usize].in_edges.push(id);
    }

    fn sample_weights(&self, s: &Sample) -> (i64, i64) {
        let w = (self.o.sample_value)(&s.values);
        let dw = self.o.sample_mean_divisor.map_or(0, |f| f(&s.values));
        (w, dw)
    }

    fn graph(&mut self) {
        let table = self.table.clone();
        let mut node_of: Vec<u32> = vec![NONE; table.len()];
        let mut seen_stamp: Vec<u32> = Vec::new();
        let mut stamp = 0u32;
        let mut seen_edge: FxHashSet<(NodeId, NodeId)> = FxHashSet::default();
        for s in &self.p.samples {
            let (w, dw) = self.sample_weights(s);
            if w == 0 && dw == 0 {
                continue;
            }
            stamp += 1;
            seen_edge.clear();
            let labels = if self.o.tags { join_labels(self.p, s) } else { String::new() };
            let nums = self.numeric_tags_of(s);
            let mut parent: Option<NodeId> = None;
            let mut residual = false;
            for &loc in s.locations.iter().rev() {
                let frames = table.frames(loc as usize);
                for ni in (0..frames.len()).rev() {
                    let info = frames[ni];
                    if let Some(k) = self.o.kept {
                        if !k.contains(&info) {
                            residual = true;
                            continue;
                        }
                    }
                    let n = match node_of[info as usize] {
                        NONE => {
                            let n = self.new_node(info);
                            node_of[info as usize] = n;
                            seen_stamp.push(0);
                            n
                        }
                        n => n,
                    };
                    if seen_stamp[n as usize] != stamp {
                        seen_stamp[n as usize] = stamp;
                        self.add_sample(n, dw, w, &labels, &nums, false);
                    }
                    if let Some(p) = parent {
                        if p != n && seen_edge.insert((p, n)) {
                            self.add_edge(p, n, dw, w, residual, ni != frames.len() - 1);
                        }
                    }
                    parent = Some(n);
                    residual = false;
                }
            }
            if let Some(p) = parent {
                if !residual {
                    self.add_sample(p, dw, w, &labels, &nums, true);
                }
            }
        }
    }

    fn tree(&mut self) {
        let table = self.table.clone();
        // (parent or NONE, info) -> node
        let mut children: FxHashMap<(u32, InfoId), NodeId> = FxHashMap::default();
        for s in &self.p.samples {
            let (w, dw) = self.sample_weights(s);
            if w == 0 && dw == 0 {
                continue;
            }
            let labels = if self.o.tags { join_labels(self.p, s) } else { String::new() };
            let nums = self.numeric_tags_of(s);
            let mut parent: Option<NodeId> = None;
            for &loc in s.locations.iter().rev() {
                let frames = table.frames(loc as usize);
                for lidx in (0..frames.len()).rev() {
                    let info = frames[lidx];
                    if let Some(k) = self.o.kept {
                        if !k.contains(&info) {
                            continue;
                        }
                    }
                    let key = (parent.unwrap_or(NONE), info);
                    let n = match children.get(&key) {
                        Some(&n) => n,
                        None => {
                            let n = self.new_node(info);
                            children.insert(key, n);
                            n
                        }
                    };
                    self.add_sample(n, dw, w, &labels, &nums, false);
                    if let Some(p) = parent {
                        self.add_edge(p, n, dw, w, false, lidx != frames.len() - 1);
                    }
                    parent = Some(n);
                }
            }
            if let Some(p) = parent {
                self.add_sample(p, dw, w, &labels, &nums, true);
            }
        }
    }

    /// The numeric tags of sample `s` as (name, index into `num_keys`, value), in the order
    /// `add_sample` applies them (keys in `num_keys` order, then labels in sample order).
    /// Computed once per sample instead of once per node of the sample's stack.
    fn numeric_tags_of(&self, s: &Sample) -> Vec<(String, usize, i64)> {
        let mut v = Vec::new();
        if !self.o.tags || self.num_keys.is_empty() || s.labels.is_empty() {
            return v;
        }
        for (ki, (key, unit)) in self.num_keys.iter().enumerate() {
            for l in &s.labels {
                if self.p.str(l.key) != key {
                    continue;
                }
                if let LabelValue::Num { value, .. } = l.value {
                    let name = match self.o.format_tag {
                        Some(f) => f(value, unit),
                        None => value.to_string(),
                    };
                    v.push((name, ki, value));
                }
            }
        }
        v
    }

    fn add_sample(&mut self, n: NodeId, dw: i64, w: i64, labels: &str, nums: &[(String, usize, i64)], flat: bool) {
        let node = &mut self.arena[n as usize];
        if flat {
            node.flat_div = node.flat_div.wrapping_add(dw);
            node.flat = node.flat.wrapping_add(w);
        } else {
            node.cum_div = node.cum_div.wrapping_add(dw);
            node.cum = node.cum.wrapping_add(w);
        }
        if !self.o.tags {
            return;
        }
        fn bump(t: &mut Tag, dw: i64, w: i64, flat: bool) {
            if flat {
                t.flat_div = t.flat_div.wrapping_add(dw);
                t.flat = t.flat.wrapping_add(w);
            } else {
                t.cum_div = t.cum_div.wrapping_add(dw);
                t.cum = t.cum.wrapping_add(w);
            }
        }
        if !labels.is_empty() {
            let t = match node.label_tags.get_mut(labels) {
                Some(t) => t,
                None => node
                    .label_tags
                    .entry(labels.to_string())
                    .or_insert_with(|| Tag { name: labels.to_string(), ..Default::default() }),
            };
            bump(t, dw, w, flat);
        }
        if nums.is_empty() {
            // An empty numeric tag map is never read (nodelets treat it as absent), so skip the
            // per-frame map lookup that would only create one.
            return;
        }
        let numeric: &mut TagMap = match node.numeric_tags.get_mut(labels) {
            Some(m) => m,
            None => node.numeric_tags.entry(labels.to_string()).or_default(),
        };
        for (name, ki, value) in nums {
            let t = match numeric.get_mut(name.as_str()) {
                Some(t) => t,
                None => numeric.entry(name.clone()).or_insert_with(|| Tag {
                    name: name.clone(),
                    unit: self.num_keys[*ki].1.clone(),
                    value: *value,
                    ..Default::default()
                }),
            };
            bump(t, dw, w, flat);
        }
    }
}

/// The string labels of a sample as `k:v`, sorted, joined by a literal `\n` (two characters).
pub(crate) fn join_labels(p: &Profile, s: &Sample) -> String {
    let mut v: Vec<String> = s
        .labels
        .iter()
        .filter_map(|l| match l.value {
            LabelValue::Str(x) => Some(format!("{}:{}", p.str(l.key), p.str(x))),
            _ => None,
        })
        .collect();
    if v.is_empty() {
        return String::new();
    }
    v.sort();
    v.join("\\n")
}

