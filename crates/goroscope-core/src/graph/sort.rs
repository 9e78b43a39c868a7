//! Node orders (pprof `Nodes.Sort`) and edge order (`EdgeMap.Sort`).

use super::{EdgeId, Graph, NodeId};
use std::cmp::Ordering;

/// Orders for [`Graph::sort_nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeOrder {
    /// |flat| desc, name, |cum| desc (text default).
    FlatName,
    /// |flat| desc, |cum| desc, name.
    FlatCumName,
    /// |cum| desc, name, |flat| desc (`-cum`).
    CumName,
    /// Function name.
    Name,
    /// File, then start line.
    File,
    /// Address.
    Address,
    /// Entropy score (DOT).
    Entropy,
}

impl Graph {
    /// Sorts `nodes` by `order` (a strict total order, so the result matches pprof's).
    pub fn sort_nodes(&mut self, order: NodeOrder) {
        let t = self.table.clone();
        let mut nodes = std::mem::take(&mut self.nodes);
        let this = &*self;
        let tie = |a: NodeId, b: NodeId| -> Ordering {
            let (ia, ib) = (this.node(a).info, this.node(b).info);
            t.go_struct_string(ia).cmp(&t.go_struct_string(ib))
        };
        match order {
            NodeOrder::FlatName => nodes.sort_by(|&a, &b| {
                let (na, nb) = (this.node(a), this.node(b));
                nb.flat.wrapping_abs().cmp(&na.flat.wrapping_abs())
                    .then_with(|| t.compare_printable(na.info, nb.info))
                    .then_with(|| nb.cum.wrapping_abs().cmp(&na.cum.wrapping_abs()))
                    .then_with(|| tie(a, b))
            }),
            NodeOrder::FlatCumName => nodes.sort_by(|&a, &b| {
                let (na, nb) = (this.node(a), this.node(b));
                nb.flat.wrapping_abs().cmp(&na.flat.wrapping_abs())
                    .then_with(|| nb.cum.wrapping_abs().cmp(&na.cum.wrapping_abs()))
                    .then_with(|| t.compare_printable(na.info, nb.info))
                    .then_with(|| tie(a, b))
            }),
            NodeOrder::Name => nodes.sort_by(|&a, &b| {
                let (ia, ib) = (this.info(a), this.info(b));
                t.str(ia.name).cmp(t.str(ib.name)).then_with(|| tie(a, b))
            }),
            NodeOrder::File => nodes.sort_by(|&a, &b| {
                let (ia, ib) = (this.info(a), this.info(b));
                t.str(ia.file)
                    .cmp(t.str(ib.file))
                    .then(ia.start_line.cmp(&ib.start_line))
                    .then_with(|| tie(a, b))
            }),
            NodeOrder::Address => nodes.sort_by(|&a, &b| {
                this.info(a).address.cmp(&this.info(b).address).then_with(|| tie(a, b))
            }),
            NodeOrder::CumName | NodeOrder::Entropy => {
                let score: Vec<i64> = nodes
                    .iter()
                    .map(|&n| if order == NodeOrder::CumName { this.node(n).cum } else { this.entropy_score(n) })
                    .collect();
                let mut idx: Vec<usize> = (0..nodes.len()).collect();
                idx.sort_by(|&i, &j| {
                    let (a, b) = (nodes[i], nodes[j]);
                    let (na, nb) = (this.node(a), this.node(b));
                    score[j].wrapping_abs().cmp(&score[i].wrapping_abs())
                        .then_with(|| t.compare_printable(na.info, nb.info))
                        .then_with(|| nb.flat.wrapping_abs().cmp(&na.flat.wrapping_abs()))
                        .then_with(|| tie(a, b))
                });
                nodes = idx.into_iter().map(|i| nodes[i]).collect();
            }
        }
        self.nodes = nodes;
    }

    /// pprof `entropyScore`.
    pub fn entropy_score(&self, n: NodeId) -> i64 {
        let node = self.node(n);
        let mut score = 0f64;
        if node.in_edges.is_empty() {
            score += 1.0;
        } else {
            score += self.edge_entropy(&node.in_edges, 0);
        }
        if node.out_edges.is_empty() {
            score += 1.0;
        } else {
            score += self.edge_entropy(&node.out_edges, node.flat);
        }
        ((score * node.cum as f64) as i64).wrapping_add(node.flat)
    }

    fn edge_entropy(&self, edges: &[EdgeId], own: i64) -> f64 {
        let mut score = 0f64;
        let mut total = own;
        for &e in edges {
            let w = self.edge(e).weight;
            if w > 0 {
                total = total.wrapping_add(w);
            }
        }
        if total != 0 {
            for &e in edges {
                let frac = self.edge(e).weight.wrapping_abs() as f64 / total as f64;
                score += -frac * frac.log2();
            }
            if own > 0 {
                let frac = own.wrapping_abs() as f64 / total as f64;
                score += -frac * frac.log2();
            }
        }
        score
    }

    pub(crate) fn sort_edges(&self, v: &mut [EdgeId]) {
        let t = &self.table;
        v.sort_by(|&a, &b| {
            let (ea, eb) = (self.edge(a), self.edge(b));
            if ea.weight != eb.weight {
                return eb.weight.wrapping_abs().cmp(&ea.weight.wrapping_abs());
            }
            t.printable_name(self.node(ea.src).info)
                .cmp(t.printable_name(self.node(eb.src).info))
                .then_with(|| {
                    t.printable_name(self.node(ea.dest).info)
                        .cmp(t.printable_name(self.node(eb.dest).info))
                })
        });
    }
}
