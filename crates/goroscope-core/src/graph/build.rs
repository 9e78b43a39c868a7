//! Graph construction from samples (pprof `newGraph` / `newTree`).

use super::{Edge, Graph, InfoId, Node, NodeId, NodeTable, Tag, TagMap};
use crate::pprof::{LabelValue, Profile, Sample};
use rustc_hash::{FxHashMap, FxHashSet};
use std::hash::Hasher;
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

/// The samples a graph is built from, with equal stacks merged: computed once per report and
/// shared by the two or three builds of pprof's trimming (full graph, node-fraction cut, top N).
///
/// Two samples merge when their stacks are the same sequence of node infos with the same inline
/// marks (after granularity aggregation many distinct locations become equal infos), so a build
/// walks each distinct stack once. Weights add up (wrapping, as pprof's int64 sums), and merged
/// stacks keep their first sample's position, so nodes and edges are created in the order a
/// per-sample walk creates them. Samples are not merged when tags are wanted: their labels differ.
pub struct Stacks {
    /// (representative sample, Σ value, Σ mean divisor), in order of first occurrence; samples
    /// whose value and divisor are both 0 are left out, as pprof skips them.
    entries: Vec<(u32, i64, i64)>,
}

/// A sample's frames, root first, as (info, inline mark).
fn stack_frames<'t>(table: &'t NodeTable, s: &'t Sample) -> impl Iterator<Item = (InfoId, bool)> + 't {
    s.locations.iter().rev().flat_map(move |&loc| {
        let frames = table.frames(loc as usize);
        frames.iter().enumerate().rev().map(move |(i, &info)| (info, i != frames.len() - 1))
    })
}

impl Stacks {
    pub fn new(p: &Profile, table: &NodeTable, o: &Options) -> Stacks {
        let mut entries: Vec<(u32, i64, i64)> = Vec::new();
        // stack hash -> first entry with it; `next` chains entries whose hashes collide
        let mut first: FxHashMap<u64, u32> = FxHashMap::default();
        let mut next: Vec<u32> = Vec::new();
        for (i, s) in p.samples.iter().enumerate() {
            let w = (o.sample_value)(&s.values);
            let dw = o.sample_mean_divisor.map_or(0, |f| f(&s.values));
            if w == 0 && dw == 0 {
                continue;
            }
            if o.tags {
                entries.push((i as u32, w, dw));
                continue;
            }
            let mut h = rustc_hash::FxHasher::default();
            for (info, inline) in stack_frames(table, s) {
                h.write_u32(info << 1 | inline as u32);
            }
            let h = h.finish();
            let mut at = first.get(&h).copied().unwrap_or(NONE);
            let mut tail = NONE;
            while at != NONE {
                let rep = &p.samples[entries[at as usize].0 as usize];
                if stack_frames(table, rep).eq(stack_frames(table, s)) {
                    break;
                }
                tail = at;
                at = next[at as usize];
            }
            if at != NONE {
                let e = &mut entries[at as usize];
                e.1 = e.1.wrapping_add(w);
                e.2 = e.2.wrapping_add(dw);
                continue;
            }
            let id = entries.len() as u32;
            entries.push((i as u32, w, dw));
            next.push(NONE);
            if tail == NONE {
                first.insert(h, id);
            } else {
                next[tail as usize] = id;
            }
        }
        Stacks { entries }
    }
}

struct Builder<'p, 'o> {
    p: &'p Profile,
    stacks: &'p Stacks,
    table: Arc<NodeTable>,
    o: &'o Options<'o>,
    arena: Vec<Node>,
    edges: Vec<Edge>,
    edge_ids: FxHashMap<(NodeId, NodeId), u32>,
    // numeric-tag keys and their units
    num_keys: Vec<(String, String)>,
}

const NONE: u32 = u32::MAX;
/// An info that `Options::kept` leaves out of the graph.
const SKIP: u32 = u32::MAX - 1;

/// A node's weights while [`Builder::graph`] runs, with its per-sample stamp and the last edge
/// out of it (a one-entry cache: consecutive samples walk the same hot paths).
#[derive(Default)]
struct NodeAcc {
    flat: i64,
    flat_div: i64,
    cum: i64,
    cum_div: i64,
    stamp: u32,
    last_dest: NodeId,
    last_edge: u32,
}

/// An edge's weight while [`Builder::graph`] runs, with its per-sample stamp.
#[derive(Default)]
struct EdgeAcc {
    weight: i64,
    weight_div: i64,
    stamp: u32,
    residual: bool,
    inline: bool,
}

/// Builds the graph (or, with `o.call_tree`, the call tree) of `p`'s samples.
pub fn new_graph(p: &Profile, table: &Arc<NodeTable>, o: &Options) -> Graph {
    new_graph_of(p, &Stacks::new(p, table, o), table, o)
}

/// [`new_graph`] from stacks merged beforehand ([`Stacks::new`] with the same `p`, `table`
/// and `o`, whatever `o.kept`).
pub fn new_graph_of(p: &Profile, stacks: &Stacks, table: &Arc<NodeTable>, o: &Options) -> Graph {
    let num_keys = o.numeric_tag_keys.clone();
    let mut b = Builder {
        p,
        stacks,
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

    /// The edge `src → dest` through a one-entry cache per source node, which answers most
    /// lookups: consecutive samples walk the same hot paths.
    fn cached_edge_id(&mut self, src: NodeId, dest: NodeId, last: &mut [(NodeId, u32)]) -> u32 {
        let (d, e) = last[src as usize];
        if d == dest && e != NONE {
            return e;
        }
        let e = self.edge_id(src, dest);
        last[src as usize] = (dest, e);
        e
    }

    /// The edge `src → dest`, created (with no weight yet) on first use.
    fn edge_id(&mut self, src: NodeId, dest: NodeId) -> u32 {
        match self.edge_ids.get(&(src, dest)) {
            Some(&e) => e,
            None => {
                let id = self.edges.len() as u32;
                self.edges.push(Edge { src, dest, weight: 0, weight_div: 0, residual: false, inline: true });
                self.edge_ids.insert((src, dest), id);
                self.arena[src as usize].out_edges.push(id);
                self.arena[dest as usize].in_edges.push(id);
                id
            }
        }
    }

    /// Adds one sample's weight to edge `e`: residual if any path was, inline only if all were.
    fn bump_edge(&mut self, e: u32, dw: i64, w: i64, residual: bool, inline: bool) {
        let e = &mut self.edges[e as usize];
        e.weight_div = e.weight_div.wrapping_add(dw);
        e.weight = e.weight.wrapping_add(w);
        e.residual |= residual;
        e.inline &= inline;
    }

    /// `o.kept` as a bitmap over infos (a hash lookup per frame costs more than the rest of the
    /// frame's work).
    fn kept_map(&self, infos: usize) -> Option<Vec<bool>> {
        self.o.kept.map(|k| {
            let mut v = vec![false; infos];
            for &i in k {
                if let Some(x) = v.get_mut(i as usize) {
                    *x = true;
                }
            }
            v
        })
    }

    fn graph(&mut self) {
        let table = self.table.clone();
        // Per info: its node, NONE before it has one, SKIP when `o.kept` leaves it out (one
        // lookup per frame answers both questions).
        let mut node_of: Vec<u32> = vec![NONE; table.len()];
        if let Some(k) = self.kept_map(table.len()) {
            for (n, kept) in node_of.iter_mut().zip(k) {
                if !kept {
                    *n = SKIP;
                }
            }
        }
        // The per-frame updates go to these compact arrays (a `Node` is ~190 bytes, an `Edge`
        // is read through a second array for its stamp): one cache line per node and per edge
        // touched, copied into the arena and the edges at the end.
        let mut nodes: Vec<NodeAcc> = Vec::new();
        let mut edges: Vec<EdgeAcc> = Vec::new();
        // Per-sample "already counted" marks: a node's cum and an edge's weight count once per
        // sample however often recursion repeats them. Stamps instead of sets: no clearing.
        let mut stamp = 0u32;
        for &(si, w, dw) in &self.stacks.entries {
            let s = &self.p.samples[si as usize];
            stamp += 1;
            let labels = if self.o.tags { join_labels(self.p, s) } else { String::new() };
            let nums = self.numeric_tags_of(s);
            let mut parent = NONE;
            let mut residual = false;
            for &loc in s.locations.iter().rev() {
                let frames = table.frames(loc as usize);
                for ni in (0..frames.len()).rev() {
                    let info = frames[ni];
                    let n = match node_of[info as usize] {
                        SKIP => {
                            residual = true;
                            continue;
                        }
                        NONE => {
                            let n = self.new_node(info);
                            node_of[info as usize] = n;
                            nodes.push(NodeAcc { last_dest: NONE, last_edge: NONE, ..Default::default() });
                            n
                        }
                        n => n,
                    };
                    let acc = &mut nodes[n as usize];
                    if acc.stamp != stamp {
                        acc.stamp = stamp;
                        acc.cum_div = acc.cum_div.wrapping_add(dw);
                        acc.cum = acc.cum.wrapping_add(w);
                        if self.o.tags {
                            self.add_tags(n, dw, w, &labels, &nums, false);
                        }
                    }
                    if parent != NONE && parent != n {
                        let pa = &mut nodes[parent as usize];
                        let e = if pa.last_dest == n {
                            pa.last_edge
                        } else {
                            let e = self.edge_id(parent, n);
                            if e as usize == edges.len() {
                                edges.push(EdgeAcc { inline: true, ..Default::default() });
                            }
                            let pa = &mut nodes[parent as usize];
                            pa.last_dest = n;
                            pa.last_edge = e;
                            e
                        };
                        let ea = &mut edges[e as usize];
                        if ea.stamp != stamp {
                            ea.stamp = stamp;
                            ea.weight_div = ea.weight_div.wrapping_add(dw);
                            ea.weight = ea.weight.wrapping_add(w);
                            ea.residual |= residual;
                            ea.inline &= ni != frames.len() - 1;
                        }
                    }
                    parent = n;
                    residual = false;
                }
            }
            if parent != NONE && !residual {
                let acc = &mut nodes[parent as usize];
                acc.flat_div = acc.flat_div.wrapping_add(dw);
                acc.flat = acc.flat.wrapping_add(w);
                if self.o.tags {
                    self.add_tags(parent, dw, w, &labels, &nums, true);
                }
            }
        }
        for (node, acc) in self.arena.iter_mut().zip(&nodes) {
            (node.flat, node.flat_div, node.cum, node.cum_div) = (acc.flat, acc.flat_div, acc.cum, acc.cum_div);
        }
        for (edge, acc) in self.edges.iter_mut().zip(&edges) {
            (edge.weight, edge.weight_div, edge.residual, edge.inline) =
                (acc.weight, acc.weight_div, acc.residual, acc.inline);
        }
    }

    fn tree(&mut self) {
        let table = self.table.clone();
        let kept = self.kept_map(table.len());
        // (parent or NONE, info) -> node
        let mut children: FxHashMap<(u32, InfoId), NodeId> = FxHashMap::default();
        let mut last: Vec<(NodeId, u32)> = Vec::new();
        for &(si, w, dw) in &self.stacks.entries {
            let s = &self.p.samples[si as usize];
            let labels = if self.o.tags { join_labels(self.p, s) } else { String::new() };
            let nums = self.numeric_tags_of(s);
            let mut parent: Option<NodeId> = None;
            for &loc in s.locations.iter().rev() {
                let frames = table.frames(loc as usize);
                for lidx in (0..frames.len()).rev() {
                    let info = frames[lidx];
                    if let Some(k) = &kept {
                        if !k[info as usize] {
                            continue;
                        }
                    }
                    let key = (parent.unwrap_or(NONE), info);
                    let n = match children.get(&key) {
                        Some(&n) => n,
                        None => {
                            let n = self.new_node(info);
                            children.insert(key, n);
                            last.push((NONE, NONE));
                            n
                        }
                    };
                    self.add_sample(n, dw, w, &labels, &nums, false);
                    if let Some(p) = parent {
                        let e = self.cached_edge_id(p, n, &mut last);
                        self.bump_edge(e, dw, w, false, lidx != frames.len() - 1);
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
        if self.o.tags {
            self.add_tags(n, dw, w, labels, nums, flat);
        }
    }

    /// The label and numeric tags of one sample on node `n`.
    fn add_tags(&mut self, n: NodeId, dw: i64, w: i64, labels: &str, nums: &[(String, usize, i64)], flat: bool) {
        let node = &mut self.arena[n as usize];
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

