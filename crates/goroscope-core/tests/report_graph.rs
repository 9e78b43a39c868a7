//! Graph, filters and reports on hand-made profiles (no decoder involved).

use std::sync::Arc;

use goroscope_core::graph::{self, NodeOrder, NodeTable, TrimOptions};
use goroscope_core::pprof::aggregate::{apply_granularity, Granularity};
use goroscope_core::driver::focus::TagFilter;
use goroscope_core::driver::{self, Command, Config};
use goroscope_core::pprof::filter;
use goroscope_core::pprof::{Function, Label, LabelValue, Line, Location, Mapping, Profile, Sample, ValueType};
use goroscope_core::report::{self, InlineMark, LabelValues, ReportData};

/// Builds profiles: functions by name, locations as lists of (function, line), innermost first.
struct B {
    p: Profile,
}

impl B {
    fn new(types: &[(&str, &str)]) -> B {
        let mut b = B { p: Profile::default() };
        for (t, u) in types {
            let kind = b.s(t);
            let unit = b.s(u);
            b.p.sample_types.push(ValueType { kind, unit });
        }
        let f = b.s("/bin/prog");
        b.p.mappings.push(Mapping { id: 1, filename: f, has_functions: true, ..Default::default() });
        b
    }
    fn s(&mut self, x: &str) -> u32 {
        if let Some(i) = self.p.strings.iter().position(|s| s == x) {
            return i as u32;
        }
        self.p.strings.push(x.to_string());
        (self.p.strings.len() - 1) as u32
    }
    fn func(&mut self, name: &str) -> u32 {
        let n = self.s(name);
        if let Some(i) = self.p.functions.iter().position(|f| f.name == n) {
            return i as u32;
        }
        let file = self.s(&format!("src/{name}.go"));
        let id = self.p.functions.len() as u64 + 1;
        self.p.functions.push(Function { id, name: n, system_name: n, filename: file, start_line: 1 });
        (self.p.functions.len() - 1) as u32
    }
    /// A location with frames innermost first.
    fn loc(&mut self, addr: u64, frames: &[(&str, i64)]) -> u32 {
        let lines = frames.iter().map(|(f, l)| Line { function: self.func(f), line: *l, column: 0 }).collect();
        let id = self.p.locations.len() as u64 + 1;
        self.p.locations.push(Location { id, mapping: Some(0), address: addr, lines, is_folded: false });
        (self.p.locations.len() - 1) as u32
    }
    fn sample(&mut self, locs: &[u32], values: &[i64], labels: &[(&str, &str)], nums: &[(&str, i64, &str)]) {
        let mut ls = Vec::new();
        for (k, v) in labels {
            ls.push(Label { key: self.s(k), value: LabelValue::Str(self.s(v)) });
        }
        for (k, v, u) in nums {
            let unit = if u.is_empty() { 0 } else { self.s(u) };
            ls.push(Label { key: self.s(k), value: LabelValue::Num { value: *v, unit } });
        }
        self.p.samples.push(Sample { locations: locs.to_vec(), values: values.to_vec(), labels: ls });
    }
}

/// The profile aggregated to functions (what reports see by default).
fn functions_profile() -> Profile {
    let mut p = sample_profile();
    apply_granularity(&mut p, None, false, false);
    p
}

/// main → (a inlined into b) → c, main → c, recursion c → c.
fn sample_profile() -> Profile {
    let mut b = B::new(&[("samples", "count"), ("cpu", "nanoseconds")]);
    let main = b.loc(0x100, &[("main", 10)]);
    let ab = b.loc(0x200, &[("a", 20), ("b", 21)]);
    let c = b.loc(0x300, &[("c", 30)]);
    b.sample(&[c, ab, main], &[1, 100_000_000], &[("k", "x")], &[("bytes", 2048, "")]);
    b.sample(&[c, c, main], &[1, 50_000_000], &[("k", "y")], &[]);
    b.sample(&[ab, main], &[1, 10_000_000], &[], &[]);
    b.p.duration_nanos = 1_000_000_000;
    b.p
}

fn value1(v: &[i64]) -> i64 {
    v[1]
}

#[test]
fn graph_flat_cum_inline_and_recursion() {
    let p = functions_profile();
    let table = Arc::new(NodeTable::new(&p, false, false));
    let o = graph::Options::new(&value1);
    let mut g = graph::new_graph(&p, &table, &o);
    g.sort_nodes(NodeOrder::FlatName);
    let rows: Vec<(String, i64, i64)> =
        g.nodes.iter().map(|&n| (g.name(n).to_string(), g.node(n).flat, g.node(n).cum)).collect();
    assert_eq!(
        rows,
        vec![
            ("c".into(), 150_000_000, 150_000_000),
            ("a".into(), 10_000_000, 110_000_000),
            ("b".into(), 0, 110_000_000),
            ("main".into(), 0, 160_000_000),
        ]
    );
    // b → a is inline (a is not the location's outermost line); c → c is not an edge.
    let a = g.nodes[1];
    let ins = g.sorted_in_edges(a);
    assert_eq!(ins.len(), 1);
    assert!(g.edge(ins[0]).inline);
    let c = g.nodes[0];
    assert!(g.sorted_in_edges(c).iter().all(|&e| g.edge(e).src != c));
    let weights: Vec<i64> = g.sorted_in_edges(c).iter().map(|&e| g.edge(e).weight).collect();
    assert_eq!(weights, vec![100_000_000, 50_000_000]);
}

#[test]
fn kept_nodes_make_residual_edges_and_no_flat_on_dropped_leaf() {
    let p = functions_profile();
    let table = Arc::new(NodeTable::new(&p, false, false));
    let keep: rustc_hash::FxHashSet<u32> = table_ids(&table, &["main", "c"]);
    let mut o = graph::Options::new(&value1);
    o.kept = Some(&keep);
    let g = graph::new_graph(&p, &table, &o);
    let c = g.nodes.iter().copied().find(|&n| g.name(n) == "c").unwrap();
    let main = g.nodes.iter().copied().find(|&n| g.name(n) == "main").unwrap();
    // Sample 3 ends in a (dropped): no flat anywhere, main still gets cum.
    assert_eq!(g.node(main).cum, 160_000_000);
    assert_eq!(g.node(main).flat, 0);
    let e = g.sorted_in_edges(c)[0];
    assert!(g.edge(e).residual, "main → c skips a/b");
    assert_eq!(g.edge(e).weight, 150_000_000);
}

fn table_ids(t: &NodeTable, names: &[&str]) -> rustc_hash::FxHashSet<u32> {
    (0..t.len() as u32).filter(|&i| names.contains(&t.printable_name(i))).collect()
}

#[test]
fn trimming_counts_dropped_and_shown_nodes() {
    let p = functions_profile();
    let table = Arc::new(NodeTable::new(&p, false, false));
    let o = graph::Options::new(&value1);
    let t = graph::trimmed_graph(&p, &table, &o, &TrimOptions { node_count: 2, node_fraction: 0.7, edge_fraction: 0.0, visual: false, cum_sort: true });
    // cutoff = 0.7·160ms = 112ms: a and b (110ms) are dropped.
    assert_eq!(t.dropped_nodes, 2);
    assert_eq!(t.orig_count, 2);
    let names: Vec<&str> = t.graph.nodes.iter().map(|&n| t.graph.name(n)).collect();
    assert_eq!(names, vec!["main", "c"]);
}

fn run(p: Profile, args: &str) -> report::ProfileReport {
    let a: Vec<String> = args.split_whitespace().map(String::from).collect();
    let mut inv = driver::parse_command_line(&a).unwrap();
    inv.fetch.sources = vec![p.into()];
    driver::run(inv).unwrap()
}

#[test]
fn top_text_and_rows() {
    let out = run(sample_profile(), "-top");
    assert_eq!(
        out.text,
        "File: prog\nType: cpu\nDuration: 1s, Total samples = 160ms (16.00%)\n\
         Showing nodes accounting for 160ms, 100% of 160ms total\n\
         \x20     flat  flat%   sum%        cum   cum%\n\
         \x20    150ms 93.75% 93.75%      150ms 93.75%  c\n\
         \x20     10ms  6.25%   100%      110ms 68.75%  a (inline)\n\
         \x20        0     0%   100%      110ms 68.75%  b\n\
         \x20        0     0%   100%      160ms   100%  main\n"
    );
    let ReportData::Top(t) = out.data else { panic!() };
    assert_eq!(t.rows[1].inline, InlineMark::Inline);
    assert_eq!(t.rows[1].flat_label, "10ms");
    assert!((t.rows[0].flat_pct - 93.75).abs() < 1e-9);
    assert_eq!(out.output_unit, "ms");
    assert_eq!(out.legend.last().unwrap(), "Showing nodes accounting for 160ms, 100% of 160ms total");
}

#[test]
fn tree_traces_tags() {
    let out = run(sample_profile(), "-tree -compact_labels");
    let ReportData::Tree(t) = &out.data else { panic!() };
    let c = t.nodes.iter().find(|n| n.name == "c").unwrap();
    assert_eq!(c.callers.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), vec!["a", "main"]);
    assert!(out.text.contains("                                             100ms 66.67% |   a\n"));

    let out = run(sample_profile(), "-traces");
    let ReportData::Traces(t) = &out.data else { panic!() };
    assert_eq!(t.samples.len(), 3);
    assert_eq!(t.samples[0].num_labels, vec![LabelValues { key: "bytes".to_string(), values: vec!["2kB".to_string()] }]);
    assert!(out.text.contains("         k:  x\n     bytes:  2kB\n     100ms   c\n             a (inline)\n             b\n             main\n"));

    let out = run(sample_profile(), "-tags");
    assert_eq!(
        out.text,
        " bytes: Total 100ms of 160ms (62.50%)\n        100ms (62.50%): 2kB\n\n k: Total 150ms of 160ms (93.75%)\n    100ms (62.50%): x\n     50ms (31.25%): y\n\n"
    );
}

#[test]
fn peek_without_match_is_an_error() {
    let mut inv = driver::parse_command_line(&["-peek=nomatch".to_string(), "x".to_string()]).unwrap();
    assert_eq!(inv.command, Some(Command::Peek("nomatch".into())));
    inv.fetch.sources = vec![sample_profile().into()];
    let err = driver::run(inv).unwrap_err();
    assert_eq!(err.to_string(), "no matches found for regexp: nomatch");
}

#[test]
fn filters_on_names() {
    let mut p = sample_profile();
    let re = regex::Regex::new("^a$").unwrap();
    let m = filter::filter_samples_by_name(&mut p, None, None, Some(&re), None);
    assert!(m.hide && m.focus);
    assert_eq!(p.locations[1].lines.len(), 1, "a hidden from the inlined location");
    let mut p = sample_profile();
    let re = regex::Regex::new("^c$").unwrap();
    filter::filter_samples_by_name(&mut p, Some(&re), None, None, None);
    assert_eq!(p.samples.len(), 2);
    let mut p = sample_profile();
    assert!(filter::show_from(&mut p, Some(&regex::Regex::new("^b$").unwrap())));
    assert_eq!(p.samples.len(), 2);
    assert_eq!(p.samples[0].locations, vec![2, 1]);
    let mut p = sample_profile();
    filter::prune_from(&mut p, &regex::Regex::new("^b$").unwrap());
    assert_eq!(p.samples[0].locations, vec![1, 0]);
    assert_eq!(p.locations[1].lines.len(), 1, "prune_from keeps b, drops the inlined a");
}

#[test]
fn tag_filters_ranges_and_regexps() {
    let p = sample_profile();
    let (units, _) = filter::num_label_units(&p);
    assert_eq!(units.get("bytes").map(String::as_str), Some("bytes"));
    let f = TagFilter::compile("tagfocus", "1kb:4kb").unwrap();
    assert!(f.is_range());
    assert!(f.matches(&p, &p.samples[0], &units));
    assert!(!f.matches(&p, &p.samples[1], &units));
    let f = TagFilter::compile("tagfocus", "k=y").unwrap();
    assert!(!f.is_range() && f.matches(&p, &p.samples[1], &units));
    let f = TagFilter::compile("tagfocus", "k:x,k:").unwrap();
    assert!(f.matches(&p, &p.samples[0], &units));
    let mut q = p.clone();
    let f = TagFilter::compile("tagfocus", ":1kb").unwrap();
    let (fm, im) = filter::filter_samples_by_tag(&mut q, Some(&|p: &Profile, s: &Sample| f.matches(p, s, &units)), None);
    assert!(!fm && !im);
    assert!(q.samples.is_empty());
    let out = run(sample_profile(), "-top -tagfocus=3kb:");
    assert_eq!(out.warnings, vec!["tagfocus:Interpreted '3kb:' as range, not regexp", "TagFocus expression matched no samples"]);
}

#[test]
fn granularity_aggregation() {
    let mut p = sample_profile();
    apply_granularity(&mut p, Some(Granularity::Lines), true, false);
    assert_eq!(p.locations[1].lines.len(), 1, "-noinlines keeps the outermost line");
    assert_eq!(p.locations[1].address, 0);
    let out = run(sample_profile(), "-top -lines -compact_labels");
    assert!(out.text.contains("  c src/c.go:30\n"));
    let out = run(sample_profile(), "-top -addresses -compact_labels");
    assert!(out.text.contains("  0000000000000300 c src/c.go:30\n"), "{}", out.text);
}

#[test]
fn options_defaults_match_pprof() {
    let o = Config::default();
    assert_eq!((o.nodefraction, o.edgefraction, o.unit.as_str(), o.trim), (0.005, 0.001, "minimum", true));
    assert_eq!(o.nodecount, None);
}
