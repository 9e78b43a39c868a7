//! `-callgrind` (pprof `printCallgrind`): the untrimmed graph in callgrind's text format, as
//! KCachegrind reads it.
//!
//! Layout: a `positions: instr line` / `events: TYPE(UNIT)` header, then per node a block
//! opened by `ob=`/`fl=`/`fn=` when object, file or name change from the previous node, a cost
//! line `ADDRESS LINE VALUE`, and per outgoing edge `cfl=`/`cfn=`/`calls=0 ADDRESS LINE`/
//! `* * WEIGHT`. Names use callgrind's compression (`(N) name` the first time, `(N)` after);
//! addresses are relative to the previous node's (`+N`/`-N`/`*`) when that is shorter.

use std::collections::HashMap;
use std::fmt::Write;

use super::{Report, ReportData};
use crate::graph::{Graph, NodeId, NodeInfo};
use crate::measurement;

pub(crate) fn print_callgrind(c: &mut Report) -> (String, Vec<String>, ReportData) {
    // pprof prints every node and edge: no trimming.
    c.options.node_fraction = 0.0;
    c.options.edge_fraction = 0.0;
    c.options.node_count = 0;
    let t = c.trimmed_graph(false);
    let g = &t.graph;
    c.select_output_unit(g, true);
    let o = &c.options;
    let node_names = disambiguated_names(g, o.call_tree);
    let scale = |v: i64| measurement::scale(v, &o.sample_unit, &o.output_unit).0 as i64;

    let mut out = String::new();
    out.push_str("positions: instr line\n");
    let _ = writeln!(out, "events: {}({})", o.sample_type, o.output_unit);
    let (mut objfiles, mut files, mut names) = (Names::default(), Names::default(), Names::default());
    let mut prev: Option<&NodeInfo> = None;
    for &n in &g.nodes {
        let info = g.info(n);
        let tbl = &g.table;
        if prev.is_none_or(|p| info.objfile != p.objfile || info.file != p.file || info.name != p.name) {
            out.push('\n');
            let _ = writeln!(out, "ob={}", objfiles.name(tbl.str(info.objfile)));
            let _ = writeln!(out, "fl={}", files.name(tbl.str(info.file)));
            let _ = writeln!(out, "fn={}", names.name(tbl.str(info.name)));
        }
        let _ = writeln!(out, "{} {} {}", address(prev, info.address), info.lineno, scale(g.node(n).flat_value()));
        for e in g.sorted_out_edges(n) {
            let e = g.edge(e);
            let callee = g.info(e.dest);
            let _ = writeln!(out, "cfl={}", files.name(tbl.str(callee.file)));
            let _ = writeln!(out, "cfn={}", names.name(&node_names[&e.dest]));
            // pprof gives a call no count of its own.
            let _ = writeln!(out, "calls=0 {} {}", address(prev, callee.address), callee.lineno);
            let _ = writeln!(out, "* * {}", scale(e.weight));
        }
        prev = Some(info);
    }
    (out, Vec::new(), ReportData::Callgrind)
}

/// A node's function (pprof `Node.Function`): its info without address and line, and in a call
/// tree its context.
type Function = (NodeInfo, Option<NodeId>);

/// Callgrind merges functions of equal (file, name); nodes of different functions that share
/// them (another binary, another call-tree context) get a ` [i/n]` suffix, numbered in node
/// order (pprof `getDisambiguatedNames`).
fn disambiguated_names(g: &Graph, tree: bool) -> HashMap<NodeId, String> {
    // The node's function: its info without address and line (pprof `Node.Function`); in a
    // call tree, per parent context.
    let function = |n: NodeId| -> Function {
        let i = *g.info(n);
        let whole = i.address == 0 && i.lineno == 0;
        let f = NodeInfo { address: 0, lineno: 0, columnno: if whole { i.columnno } else { 0 }, ..i };
        // A call-tree node has one caller: its context.
        let parent = g.node(n).in_edges.first().map(|&e| g.edge(e).src);
        (f, if tree { parent } else { None })
    };
    // (file, name) -> the functions seen with them, in node order.
    let mut index: HashMap<(u32, u32), Vec<Function>> = HashMap::new();
    for &n in &g.nodes {
        let i = g.info(n);
        let fns = index.entry((i.file, i.name)).or_default();
        let f = function(n);
        if !fns.contains(&f) {
            fns.push(f);
        }
    }
    g.nodes
        .iter()
        .map(|&n| {
            let i = g.info(n);
            let mut name = g.table.str(i.name).to_string();
            let fns = &index[&(i.file, i.name)];
            if fns.len() > 1 {
                let k = fns.iter().position(|f| *f == function(n)).unwrap_or(0);
                let _ = write!(name, " [{}/{}]", k + 1, fns.len());
            }
            (n, name)
        })
        .collect()
}

/// Callgrind's name compression.
#[derive(Default)]
struct Names(HashMap<String, usize>);

impl Names {
    fn name(&mut self, name: &str) -> String {
        if name.is_empty() {
            return String::new();
        }
        if let Some(id) = self.0.get(name) {
            return format!("({id})");
        }
        let id = self.0.len() + 1;
        self.0.insert(name.to_string(), id);
        format!("({id}) {name}")
    }
}

/// Callgrind's subposition compression: relative to the previous node's address when shorter.
fn address(prev: Option<&NodeInfo>, cur: u64) -> String {
    let abs = format!("{cur:#x}");
    let Some(p) = prev else { return abs };
    if p.address == cur {
        return "*".into();
    }
    let rel = format!("{:+}", cur.wrapping_sub(p.address) as i64);
    if rel.len() < abs.len() {
        rel
    } else {
        abs
    }
}
