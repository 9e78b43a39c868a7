//! DOT (Graphviz) rendering of a call graph, byte-compatible with pprof's `graph.ComposeDot`:
//! header, legend cluster, nodes (font size from flat, colours from cum), nodelets for label and
//! numeric tags, edges sorted by weight.
//!
//! Escaping follows pprof exactly: function names, printable names (tooltips) and legend lines
//! go through [`escape_for_dot`] (`\` → `\\`, `"` → `\"`, newline → `\l`). Like pprof, the graph
//! title, the legend URL, file names in node labels and tag names in nodelets are written as they
//! are. `<` and `&` need no escaping inside DOT strings.

use super::{Graph, NodeId, NodeInfo, NodeTable, Tag};
use crate::measurement;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::OnceLock;

/// At most this many nodelets per node (label tags, and numeric tag buckets).
const MAX_NODELETS: usize = super::MAX_NODELETS;

/// Formats a node label instead of the default multi-line printable name. The result is used
/// as it is (no escaping) and the value text follows it directly.
pub type LabelFormatter = Box<dyn Fn(&NodeTable, &NodeInfo) -> String + Send + Sync>;

/// Per-node visual options (pprof `DotNodeAttributes`).
#[derive(Default)]
pub struct DotNodeAttributes {
    /// Node shape; empty = `box`.
    pub shape: String,
    /// Adds `style="bold,filled"`.
    pub bold: bool,
    /// Number of borders; 0 = none added.
    pub peripheries: i32,
    /// Link target (`URL="…" target="_blank"`).
    pub url: String,
    pub formatter: Option<LabelFormatter>,
}

/// Visual options of a graph, by node (pprof `DotAttributes`).
#[derive(Default)]
pub struct DotAttributes {
    pub nodes: HashMap<NodeId, DotNodeAttributes>,
}

/// What the DOT shows besides the graph (pprof `DotConfig`).
pub struct DotConfig<'a> {
    /// Graph name and legend tooltip; empty = `unnamed` and no tooltip.
    pub title: String,
    /// Link from the legend; empty = none.
    pub legend_url: String,
    /// Legend lines; the first one also names the legend node. Empty = no legend.
    pub labels: Vec<String>,
    /// Formats values (node, edge and tag weights).
    pub format_value: &'a dyn Fn(i64) -> String,
    /// Total used for percentages, colours and edge weights.
    pub total: i64,
}

/// pprof `escapeForDot`: `\` → `\\`, `"` → `\"`, newline → `\l` (left-justified line break).
pub fn escape_for_dot(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\l"),
            c => out.push(c),
        }
    }
    out
}

/// pprof `dotColor`: a red (positive) / green (negative) shade for a score in [-1, 1]; grey
/// near 0. Foreground colours are saturated, backgrounds pale.
pub fn dot_color(score: f64, background: bool) -> String {
    const SHIFT: f64 = 0.7;
    let (mut saturation, value) = if background { (0.1, 0.93) } else { (1.0, 0.7) };
    // Go's math.Max/Min propagate NaN.
    let mut score = if score.is_nan() { score } else { score.clamp(-1.0, 1.0) };
    if score.abs() < 0.2 {
        saturation *= score.abs() / 0.2;
    }
    if score > 0.0 {
        score = score.powf(1.0 - SHIFT);
    }
    if score < 0.0 {
        score = -(-score).powf(1.0 - SHIFT);
    }
    let (r, g);
    if score < 0.0 {
        g = value;
        r = value * (1.0 + saturation * score);
    } else {
        r = value;
        g = value * (1.0 - saturation * score);
    }
    let b = value * (1.0 - saturation);
    format!("#{:02x}{:02x}{:02x}", to_u8(r * 255.0), to_u8(g * 255.0), to_u8(b * 255.0))
}

/// Go's float64 → uint8 conversion on amd64 (truncation through int64; NaN becomes 0).
fn to_u8(x: f64) -> u8 {
    if x.is_nan() {
        0
    } else {
        (x as i64) as u8
    }
}

struct ShortenRegexes {
    cpp_anonymous_prefix: regex::Regex,
    go_ver: regex::Regex,
    /// Go, Java, C++, tried in that order.
    names: [regex::Regex; 3],
}

fn shorten_regexes() -> &'static ShortenRegexes {
    static R: OnceLock<ShortenRegexes> = OnceLock::new();
    R.get_or_init(|| {
        // pprof's patterns, with Go RE2's ASCII-only \w and \d spelled out.
        let w = "[0-9A-Za-z_]";
        let re = |s: &str| regex::Regex::new(&s.replace("\\w", w).replace("\\d", "[0-9]")).unwrap();
        ShortenRegexes {
            cpp_anonymous_prefix: re(r"^\(anonymous namespace\)::"),
            go_ver: re(r"^(.*?)/v(?:[2-9]|[1-9][0-9]+)([./].*)$"),
            names: [
                re(r"^(?:[0-9A-Za-z_\-\.]+/)+([^.]+\..+)"),
                re(r"^(?:[a-z]\w*\.)*([A-Z][0-9A-Za-z_\$]*\.(?:<init>|[a-z][0-9A-Za-z_\$]*(?:\$\d+)?))(?:(?:\()|$)"),
                re(r"^(?:[_a-zA-Z]\w*::)+(_*[A-Z]\w*::~?[_a-zA-Z]\w*(?:<.*>)?)"),
            ],
        }
    })
}

/// pprof `ShortenFunctionName`: drops C++ `(anonymous namespace)::`, Go major-version module
/// suffixes (`/v2`) and package paths (`a/b/c.F` → `c.F`), Java packages (`com.x.Class.method`
/// → `Class.method`) and C++ namespaces (`ns::Class::method` → `Class::method`).
pub fn shorten_function_name(f: &str) -> String {
    let r = shorten_regexes();
    let f = r.cpp_anonymous_prefix.replace(f, "");
    let f = r.go_ver.replace(&f, "${1}${2}");
    for re in &r.names {
        if let Some(c) = re.captures(&f) {
            return c.get(1).map_or("", |m| m.as_str()).to_string();
        }
    }
    f.into_owned()
}

/// pprof `multilinePrintableName`: the node label's name part, one component per line
/// (`\n`), each line ending in `\n`.
pub fn multiline_printable_name(t: &NodeTable, i: &NodeInfo) -> String {
    let name = escape_for_dot(&shorten_function_name(t.str(i.name)))
        .replace("::", "\\n")
        .replace("[...]", "[…]")
        .replace('.', "\\n");
    let file = t.str(i.file);
    let file = if file.is_empty() { "" } else { super::base_name(file) };
    let mut parts: Vec<String> = Vec::new();
    if i.address != 0 {
        parts.push(format!("{:016x}", i.address));
    }
    if !name.is_empty() {
        parts.push(name.clone());
    }
    if i.lineno != 0 {
        let mut s = format!("{}:{}", file, i.lineno);
        if i.columnno != 0 {
            let _ = write!(s, ":{}", i.columnno);
        }
        parts.push(s);
    } else if !file.is_empty() {
        parts.push(file.to_string());
    } else if !name.is_empty() {
    } else if i.objfile != 0 {
        parts.push(format!("[{}]", super::base_name(t.str(i.objfile))));
    } else {
        parts.push("<unknown>".to_string());
    }
    parts.join("\\n") + "\\n"
}

fn trimmed_pct(v: i64, total: i64) -> String {
    measurement::percentage(v, total).trim().to_string()
}

/// Renders `g` as pprof's DOT.
pub fn compose_dot(g: &Graph, a: &DotAttributes, c: &DotConfig) -> String {
    let mut b = String::new();
    b.push_str("digraph \"");
    b.push_str(if c.title.is_empty() { "unnamed" } else { &c.title });
    b.push_str("\" {\n");
    b.push_str("node [style=filled fillcolor=\"#f8f8f8\"]\n");
    add_legend(&mut b, c);
    if g.nodes.is_empty() {
        b.push_str("}\n");
        return b;
    }

    let mut ids: HashMap<NodeId, usize> = HashMap::with_capacity(g.nodes.len());
    let mut max_flat = g.node(g.nodes[0]).flat_value().unsigned_abs() as f64;
    for (i, &n) in g.nodes.iter().enumerate() {
        ids.insert(n, i + 1);
        max_flat = max_flat.max(g.node(n).flat_value().unsigned_abs() as f64);
    }
    let mut has_nodelets: HashMap<NodeId, bool> = HashMap::with_capacity(g.nodes.len());
    let mut edges = Vec::new();
    for &n in &g.nodes {
        let id = ids[&n];
        add_node(&mut b, g, n, id, max_flat, a.nodes.get(&n), c);
        has_nodelets.insert(n, add_nodelets(&mut b, g, n, id, c));
        edges.extend_from_slice(&g.node(n).out_edges);
    }
    g.sort_edges(&mut edges);
    for e in edges {
        let edge = g.edge(e);
        let from = ids.get(&edge.src).copied().unwrap_or(0);
        let to = ids.get(&edge.dest).copied().unwrap_or(0);
        add_edge(&mut b, g, e, from, to, has_nodelets.get(&edge.src).copied().unwrap_or(false), c);
    }
    b.push_str("}\n");
    b
}

fn add_legend(b: &mut String, c: &DotConfig) {
    let Some(first) = c.labels.first() else { return };
    let _ = write!(b, "subgraph cluster_L {{ \"{}\" [shape=box fontsize=16", escape_for_dot(first));
    let lines: Vec<String> = c.labels.iter().map(|l| escape_for_dot(l)).collect();
    let _ = write!(b, " label=\"{}\\l\"", lines.join("\\l"));
    if !c.legend_url.is_empty() {
        let _ = write!(b, " URL=\"{}\" target=\"_blank\"", c.legend_url);
    }
    if !c.title.is_empty() {
        let _ = write!(b, " tooltip=\"{}\"", c.title);
    }
    b.push_str("] }\n");
}

fn add_node(
    b: &mut String,
    g: &Graph,
    n: NodeId,
    id: usize,
    max_flat: f64,
    attrs: Option<&DotNodeAttributes>,
    c: &DotConfig,
) {
    let node = g.node(n);
    let (flat, cum) = (node.flat_value(), node.cum_value());
    let info = g.info(n);
    let mut label = match attrs.and_then(|a| a.formatter.as_ref()) {
        Some(f) => f(&g.table, info),
        None => multiline_printable_name(&g.table, info),
    };
    let flat_value = (c.format_value)(flat);
    if flat != 0 {
        let _ = write!(label, "{} ({})", flat_value, trimmed_pct(flat, c.total));
    } else {
        label.push('0');
    }
    let mut cum_value = flat_value;
    if cum != flat {
        label.push_str(if flat != 0 { "\\n" } else { " " });
        cum_value = (c.format_value)(cum);
        let _ = write!(label, "of {} ({})", cum_value, trimmed_pct(cum, c.total));
    }

    let mut font_size = 8i64;
    let af = flat.unsigned_abs() as f64;
    if max_flat != 0.0 && flat != 0 && af <= max_flat {
        font_size += (16.0 * (af / max_flat).sqrt()).ceil() as i64;
    }
    let shape = attrs.map(|a| a.shape.as_str()).filter(|s| !s.is_empty()).unwrap_or("box");
    let score = cum as f64 / c.total.unsigned_abs() as f64;
    let _ = write!(
        b,
        "N{id} [label=\"{label}\" id=\"node{id}\" fontsize={font_size} shape={shape} tooltip=\"{} ({cum_value})\" color=\"{}\" fillcolor=\"{}\"",
        escape_for_dot(g.name(n)),
        dot_color(score, false),
        dot_color(score, true),
    );
    if let Some(a) = attrs {
        if a.bold {
            b.push_str(" style=\"bold,filled\"");
        }
        if a.peripheries != 0 {
            let _ = write!(b, " peripheries={}", a.peripheries);
        }
        if !a.url.is_empty() {
            let _ = write!(b, " URL=\"{}\" target=\"_blank\"", a.url);
        }
    }
    b.push_str("]\n");
}

/// Writes the node's nodelets; returns whether it has any.
fn add_nodelets(b: &mut String, g: &Graph, n: NodeId, id: usize, c: &DotConfig) -> bool {
    let node = g.node(n);
    let start = b.len();
    let mut ts: Vec<Tag> = node.label_tags.values().cloned().collect();
    // For internal nodes show flat tags; for leaves cum (it includes trimmed children).
    let flat_tags = !node.out_edges.is_empty();
    super::sort_tags(&mut ts, flat_tags);
    ts.truncate(MAX_NODELETS);
    let numeric = |label: &str| -> Option<Vec<Tag>> {
        let tm = node.numeric_tags.get(label)?;
        if tm.is_empty() {
            return None;
        }
        Some(tm.values().cloned().collect())
    };
    for (i, t) in ts.iter().enumerate() {
        let w = if flat_tags { t.flat_value() } else { t.cum_value() };
        if w == 0 {
            continue;
        }
        let weight = (c.format_value)(w);
        let _ = writeln!(
            b,
            "N{id}_{i} [label = \"{}\" id=\"N{id}_{i}\" fontsize=8 shape=box3d tooltip=\"{weight}\"]",
            t.name
        );
        let _ = writeln!(
            b,
            "N{id} -> N{id}_{i} [label=\" {weight}\" weight=100 tooltip=\"{weight}\" labeltooltip=\"{weight}\"]"
        );
        if let Some(nts) = numeric(&t.name) {
            numeric_nodelets(b, nts, flat_tags, &format!("N{id}_{i}"), c);
        }
    }
    if let Some(nts) = numeric("") {
        numeric_nodelets(b, nts, flat_tags, &format!("N{id}"), c);
    }
    b.len() != start
}

fn numeric_nodelets(b: &mut String, nts: Vec<Tag>, flat_tags: bool, source: &str, c: &DotConfig) {
    for (j, t) in collapsed_tags(nts, MAX_NODELETS, flat_tags).iter().enumerate() {
        let (w, attr) = if flat_tags || t.flat_value() == t.cum_value() {
            (t.flat_value(), "")
        } else {
            (t.cum_value(), " style=\"dotted\"")
        };
        if w == 0 {
            continue;
        }
        let weight = (c.format_value)(w);
        let _ = writeln!(
            b,
            "N{source}_{j} [label = \"{}\" id=\"N{source}_{j}\" fontsize=8 shape=box3d tooltip=\"{weight}\"]",
            t.name
        );
        let _ = writeln!(
            b,
            "{source} -> N{source}_{j} [label=\" {weight}\" weight=100 tooltip=\"{weight}\" labeltooltip=\"{weight}\"{attr}]"
        );
    }
}

/// Groups numeric tags into at most `count` buckets around the heaviest ones, labelled
/// `min..max` (pprof `collapsedTags`).
fn collapsed_tags(mut ts: Vec<Tag>, count: usize, flat_tags: bool) -> Vec<Tag> {
    super::sort_tags(&mut ts, flat_tags);
    if ts.len() <= count {
        return ts;
    }
    let rest = ts.split_off(count);
    let mut groups: Vec<Vec<Tag>> = ts.into_iter().map(|t| vec![t]).collect();
    for t in rest {
        let mut best = 0;
        let mut d = tag_distance(&t, &groups[0][0]);
        for (i, grp) in groups.iter().enumerate().skip(1) {
            let nd = tag_distance(&t, &grp[0]);
            if nd < d {
                best = i;
                d = nd;
            }
        }
        groups[best].push(t);
    }
    let mut out: Vec<Tag> = groups
        .iter()
        .map(|grp| {
            let (name, flat, cum) = tag_group_label(grp);
            Tag { name, flat, cum, ..Default::default() }
        })
        .collect();
    super::sort_tags(&mut out, flat_tags);
    out
}

fn tag_distance(t: &Tag, u: &Tag) -> f64 {
    let (v, _) = measurement::scale(u.value, &u.unit, &t.unit);
    (t.value as f64 - v).abs()
}

fn tag_group_label(g: &[Tag]) -> (String, i64, i64) {
    if g.len() == 1 {
        let t = &g[0];
        return (measurement::label(t.value, &t.unit), t.flat_value(), t.cum_value());
    }
    let (mut min, mut max) = (&g[0], &g[0]);
    let (mut df, mut f, mut dc, mut c) = (min.flat_div, min.flat, min.cum_div, min.cum);
    for t in &g[1..] {
        if (measurement::scale(t.value, &t.unit, &min.unit).0 as i64) < min.value {
            min = t;
        }
        if (measurement::scale(t.value, &t.unit, &max.unit).0 as i64) > max.value {
            max = t;
        }
        f += t.flat;
        df += t.flat_div;
        c += t.cum;
        dc += t.cum_div;
    }
    if df != 0 {
        f /= df;
    }
    if dc != 0 {
        c /= dc;
    }
    // Tags keep their own unit: scaled to the output unit they could all read "0..0".
    (format!("{}..{}", measurement::label(min.value, &min.unit), measurement::label(max.value, &max.unit)), f, c)
}

fn add_edge(b: &mut String, g: &Graph, e: super::EdgeId, from: usize, to: usize, has_nodelets: bool, c: &DotConfig) {
    let edge = g.edge(e);
    let wv = edge.weight_value();
    let w = (c.format_value)(wv);
    let _ = write!(b, "N{from} -> N{to} [label=\" {w}{}\"", if edge.inline { "\\n (inline)" } else { "" });
    if c.total != 0 {
        // Go int64 arithmetic: wrapping multiply, truncating division.
        let weight = 1 + wv.wrapping_mul(100).wrapping_div(c.total).wrapping_abs().min(100);
        if weight > 1 {
            let _ = write!(b, " weight={weight}");
        }
        let width = 1 + wv.wrapping_mul(5).wrapping_div(c.total).wrapping_abs().min(5);
        if width > 1 {
            let _ = write!(b, " penwidth={width}");
        }
        let _ = write!(b, " color=\"{}\"", dot_color(wv as f64 / c.total.unsigned_abs() as f64, false));
    }
    let arrow = if edge.residual { "..." } else { "->" };
    let tooltip = format!(
        "\"{} {} {} ({})\"",
        escape_for_dot(g.name(edge.src)),
        arrow,
        escape_for_dot(g.name(edge.dest)),
        w
    );
    let _ = write!(b, " tooltip={tooltip} labeltooltip={tooltip}");
    if edge.residual {
        b.push_str(" style=\"dotted\"");
    }
    if has_nodelets {
        b.push_str(" minlen=2");
    }
    b.push_str("]\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten() {
        for (i, want) in [
            ("github.com/google/pprof/internal/graph.ShortenFunctionName", "graph.ShortenFunctionName"),
            ("github.com/x/y/v2/pkg.F", "pkg.F"),
            ("example.com/mod/v3.F", "mod.F"),
            ("main.main", "main.main"),
            ("runtime.gcBgMarkWorker.func2", "runtime.gcBgMarkWorker.func2"),
            ("com.google.perf.Foo.bar(int)", "Foo.bar"),
            ("java.lang.Thread.<init>", "Thread.<init>"),
            ("(anonymous namespace)::Foo::bar", "Foo::bar"),
            ("foo::bar::Baz::Qux<int>", "Baz::Qux<int>"),
            // A template argument inside the namespace path stops the C++ rule.
            ("std::vector<int>::Foo::Bar<int>", "std::vector<int>::Foo::Bar<int>"),
            ("ns::Class::~Class", "Class::~Class"),
            ("foo", "foo"),
        ] {
            assert_eq!(shorten_function_name(i), want, "{i}");
        }
    }

    #[test]
    fn colors() {
        assert_eq!(dot_color(1.0, false), "#b20000");
        assert_eq!(dot_color(1.0, true), "#edd5d5");
        assert_eq!(dot_color(0.25, false), "#b23c00");
        assert_eq!(dot_color(0.25, true), "#edddd5");
        assert_eq!(dot_color(0.0, false), "#b2b2b2");
        assert!(dot_color(-1.0, false).starts_with("#00b2"));
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_for_dot("a\\b\"c\nd<&>"), "a\\\\b\\\"c\\ld<&>");
    }
}
