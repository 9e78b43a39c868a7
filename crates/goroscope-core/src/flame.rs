//! Flame graph data: a profile's samples folded into one call tree (root → leaf, inlined frames
//! expanded, siblings merged by function name), with one cumulative value per sample type.
//!
//! The tree is emitted as one compact, column-oriented JSON object that is safe to embed in an
//! HTML `<script type="application/json">` element (`<`, `>`, `&`, U+2028 and U+2029 are
//! `\u` escapes, so no input text can close the element or start markup):
//!
//! ```json
//! {"title":"cpu.pprof","types":[{"type":"cpu","unit":"nanoseconds"}],"defaultType":0,
//!  "names":["root","main.main",…],"name":[0,1,…],"parent":[-1,0,…],"values":[[total,…],…]}
//! ```
//!
//! Node 0 is the root; every parent index is smaller than its child's. `values[t][n]` is the
//! cumulative value of node `n` for sample type `t` (self = value − sum of the children).
//! Filtering (`-focus`, `-tagfocus`, …) is done before, by the driver ([`crate::driver`], as for `-proto`).
//!
//! The web UI asks for a [`flame_report`]: the refined profile folded directly (no `-proto`
//! round trip), frames that no zoom level can draw pruned ([`FlameTree::prune`]), with pprof's
//! profile labels as legend, sent as compact bytes ([`FlameReport::to_bytes`]).

use rustc_hash::FxHashMap;

use crate::driver::{self, session::Session, Command, Config};
use crate::pprof::{filter, Profile};
use crate::report;

/// The folded call tree of a profile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlameTree {
    pub title: String,
    /// (type, unit) per sample type.
    pub types: Vec<(String, String)>,
    pub default_type: usize,
    pub names: Vec<String>,
    /// Per node: index into `names`.
    pub name: Vec<u32>,
    /// Per node: parent node, -1 for the root.
    pub parent: Vec<i32>,
    /// Per sample type, per node: cumulative value.
    pub values: Vec<Vec<i64>>,
    /// With `-diff_base`: per sample type, per node, the share of the base samples (labelled
    /// `pprof::base=true`, negated) in `values`; the new profile alone is `values − base`.
    /// Empty when the profile has no base samples.
    pub base: Vec<Vec<i64>>,
}

/// Fold `p`'s samples into a call tree. `title` names the profile in the page.
pub fn flame_tree(p: &Profile, title: &str) -> FlameTree {
    let nt = p.sample_types.len();
    let mut t = FlameTree {
        title: title.to_string(),
        types: p.sample_types.iter().map(|v| (p.str(v.kind).to_string(), p.str(v.unit).to_string())).collect(),
        default_type: nt.saturating_sub(1),
        names: vec!["root".to_string()],
        name: vec![0],
        parent: vec![-1],
        values: vec![vec![0]; nt],
        base: vec![vec![0]; nt],
    };
    let mut any_base = false;
    if p.default_sample_type != 0 {
        let want = p.str(p.default_sample_type);
        if let Some(i) = t.types.iter().position(|(k, _)| k == want) {
            t.default_type = i;
        }
    }
    // Profile string of a function name → names index; locations without lines get an address.
    let mut name_of_str: FxHashMap<u32, u32> = FxHashMap::default();
    let mut name_of_addr: FxHashMap<u64, u32> = FxHashMap::default();
    // Frames of each location, root-most first (a location's lines are innermost first).
    let mut loc_frames: Vec<Option<Vec<u32>>> = vec![None; p.locations.len()];
    let mut children: FxHashMap<(u32, u32), u32> = FxHashMap::default();
    let mut path: Vec<u32> = Vec::new();
    for s in &p.samples {
        path.clear();
        for &l in s.locations.iter().rev() {
            if loc_frames[l as usize].is_none() {
                let loc = &p.locations[l as usize];
                let mut fr = Vec::with_capacity(loc.lines.len().max(1));
                if loc.lines.is_empty() {
                    let next = t.names.len() as u32;
                    let id = *name_of_addr.entry(loc.address).or_insert_with(|| {
                        t.names.push(format!("{:#x}", loc.address));
                        next
                    });
                    fr.push(id);
                }
                for line in loc.lines.iter().rev() {
                    let s = p.functions.get(line.function as usize).map_or(0, |f| f.name);
                    let next = t.names.len() as u32;
                    let id = *name_of_str.entry(s).or_insert_with(|| {
                        t.names.push(if s == 0 { "?".to_string() } else { p.str(s).to_string() });
                        next
                    });
                    fr.push(id);
                }
                loc_frames[l as usize] = Some(fr);
            }
            path.extend_from_slice(loc_frames[l as usize].as_ref().unwrap());
        }
        let is_base = !s.labels.is_empty() && filter::is_diff_base_sample(p, s);
        any_base |= is_base;
        let mut node = 0u32;
        add(&mut t, 0, &s.values, is_base);
        for &n in &path {
            let next = t.name.len() as u32;
            let child = *children.entry((node, n)).or_insert(next);
            if child == next {
                t.name.push(n);
                t.parent.push(node as i32);
                for vals in t.values.iter_mut().chain(t.base.iter_mut()) {
                    vals.push(0);
                }
            }
            add(&mut t, child as usize, &s.values, is_base);
            node = child;
        }
    }
    if !any_base {
        t.base.clear();
    }
    t
}

fn add(t: &mut FlameTree, node: usize, values: &[i64], is_base: bool) {
    for (k, v) in values.iter().enumerate().take(t.values.len()) {
        let c = &mut t.values[k][node];
        *c = c.wrapping_add(*v);
        if is_base {
            let b = &mut t.base[k][node];
            *b = b.wrapping_add(*v);
        }
    }
}

/// The narrowest share of its parent a frame may have and still be drawn at some zoom level:
/// the page draws frames of at least half a pixel, its chart is at most 4096 px wide, and a
/// frame is widest when its parent is zoomed to the full width.
pub const MIN_SHARE: f64 = 1.0 / 8192.0;

/// A flame graph for the web UI: the tree and the legend of the same refine.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlameReport {
    pub tree: FlameTree,
    /// pprof's profile labels (file, type, time, duration) and the active filters.
    pub legend: Vec<String>,
    pub warnings: Vec<String>,
    /// The report total of the chosen sample type.
    pub total: i64,
    /// Nodes before pruning.
    pub folded: usize,
}

/// The flame graph of `session`'s profile refined by `config` (the filters `-proto` applies:
/// focus, ignore, hide, show, tag filters, sample index), pruned with [`MIN_SHARE`].
pub fn flame_report(session: &Session, config: &Config, title: &str) -> Result<FlameReport, driver::Error> {
    let (rpt, _, warnings) = driver::prepare_report(
        (**session.profile()).clone(),
        &Command::Proto,
        report::Format::Proto,
        config,
        session.warnings().to_vec(),
    )?;
    let mut legend = report::profile_labels(&rpt);
    legend.extend(report::filter_labels(&rpt));
    let mut tree = flame_tree(&rpt.prof, title);
    let folded = tree.name.len();
    tree.prune(MIN_SHARE);
    Ok(FlameReport { tree, legend, warnings, total: rpt.total, folded })
}

/// Append `s` as a JSON string safe inside an HTML `<script>` element.
pub fn push_json_string(out: &mut String, s: &str) {
    use std::fmt::Write;
    out.push('"');
    // valid UTF-8: U+FFFD for a byte of a profile string that is not (crate::pprof::bytes)
    for c in crate::pprof::bytes::lossy(s).chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn push_ints<T: std::fmt::Display>(out: &mut String, v: &[T]) {
    use std::fmt::Write;
    out.push('[');
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{x}");
    }
    out.push(']');
}

impl FlameTree {
    /// Drops the frames narrower than `min_share` of their parent in every sample type (of
    /// the new profile alone, with `-diff_base`), and their subtrees: what no zoom level of the
    /// page draws. Node order (parents first) is kept; `names` keeps only the names in use.
    pub fn prune(&mut self, min_share: f64) {
        let n = self.name.len();
        let after = |t: &FlameTree, k: usize, i: usize| -> i64 {
            t.values[k][i].wrapping_sub(t.base.get(k).map_or(0, |b| b[i]))
        };
        let mut new_index = vec![u32::MAX; n];
        let mut kept = 0u32;
        for i in 0..n {
            let keep = i == 0 || {
                let p = self.parent[i] as usize;
                new_index[p] != u32::MAX
                    && (0..self.values.len()).any(|k| {
                        let c = after(self, k, i).unsigned_abs() as f64;
                        c > 0.0 && c >= after(self, k, p).unsigned_abs() as f64 * min_share
                    })
            };
            if keep {
                new_index[i] = kept;
                kept += 1;
            }
        }
        if kept as usize == n {
            return;
        }
        let mut name_index = vec![u32::MAX; self.names.len()];
        let mut names = Vec::new();
        let (mut name, mut parent) = (Vec::with_capacity(kept as usize), Vec::with_capacity(kept as usize));
        for i in 0..n {
            if new_index[i] == u32::MAX {
                continue;
            }
            let old = self.name[i] as usize;
            if name_index[old] == u32::MAX {
                name_index[old] = names.len() as u32;
                names.push(std::mem::take(&mut self.names[old]));
            }
            name.push(name_index[old]);
            parent.push(if i == 0 { -1 } else { new_index[self.parent[i] as usize] as i32 });
        }
        for v in self.values.iter_mut().chain(self.base.iter_mut()) {
            *v = (0..n).filter(|&i| new_index[i] != u32::MAX).map(|i| v[i]).collect();
        }
        self.names = names;
        self.name = name;
        self.parent = parent;
    }

    /// The JSON object described in the module documentation.
    pub fn to_json(&self) -> String {
        let mut o = String::with_capacity(64 + self.names.iter().map(|n| n.len() + 3).sum::<usize>() + self.name.len() * 24);
        o.push_str("{\"title\":");
        push_json_string(&mut o, &self.title);
        o.push_str(",\"types\":[");
        for (i, (k, u)) in self.types.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            o.push_str("{\"type\":");
            push_json_string(&mut o, k);
            o.push_str(",\"unit\":");
            push_json_string(&mut o, u);
            o.push('}');
        }
        o.push_str("],\"defaultType\":");
        o.push_str(&self.default_type.to_string());
        o.push_str(",\"names\":");
        push_json_strings(&mut o, &self.names);
        o.push_str(",\"name\":");
        push_ints(&mut o, &self.name);
        o.push_str(",\"parent\":");
        push_ints(&mut o, &self.parent);
        o.push_str(",\"values\":[");
        for (i, v) in self.values.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            push_ints(&mut o, v);
        }
        o.push_str("]}");
        o
    }
}

impl FlameReport {
    /// The report as compact bytes, for the page to read without parsing numbers
    /// (little-endian, offsets multiples of 8):
    ///
    /// ```text
    /// "GFLM"  u32 version (1)  u32 header length H  u32 nodes N
    /// H bytes of JSON, padded with spaces to a multiple of 8:
    ///   {"title","types":[{"type","unit"}],"defaultType","legend":[…],"warnings":[…],
    ///    "total","folded","names":[…],"diff":bool}
    /// i32 parent[N], u32 name[N], padded with zeros to a multiple of 8
    /// f64 values[types][N], then with "diff" f64 base[types][N]
    /// ```
    ///
    /// The JSON is script-safe as in [`FlameTree::to_json`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let t = &self.tree;
        let mut h = String::with_capacity(256 + t.names.iter().map(|n| n.len() + 3).sum::<usize>());
        h.push_str("{\"title\":");
        push_json_string(&mut h, &t.title);
        h.push_str(",\"types\":[");
        for (i, (k, u)) in t.types.iter().enumerate() {
            h.push_str(if i > 0 { ",{\"type\":" } else { "{\"type\":" });
            push_json_string(&mut h, k);
            h.push_str(",\"unit\":");
            push_json_string(&mut h, u);
            h.push('}');
        }
        h.push_str(&format!("],\"defaultType\":{},\"legend\":", t.default_type));
        push_json_strings(&mut h, &self.legend);
        h.push_str(",\"warnings\":");
        push_json_strings(&mut h, &self.warnings);
        h.push_str(&format!(",\"total\":{},\"folded\":{},\"names\":", self.total, self.folded));
        push_json_strings(&mut h, &t.names);
        h.push_str(&format!(",\"diff\":{}}}", !t.base.is_empty()));
        while !h.len().is_multiple_of(8) {
            h.push(' ');
        }
        let n = t.name.len();
        let cols = t.values.len() + t.base.len();
        let mut o = Vec::with_capacity(16 + h.len() + n * 8 + 8 + cols * n * 8);
        o.extend_from_slice(b"GFLM");
        for x in [1u32, h.len() as u32, n as u32] {
            o.extend_from_slice(&x.to_le_bytes());
        }
        o.extend_from_slice(h.as_bytes());
        for &p in &t.parent {
            o.extend_from_slice(&p.to_le_bytes());
        }
        for &x in &t.name {
            o.extend_from_slice(&x.to_le_bytes());
        }
        while !o.len().is_multiple_of(8) {
            o.push(0);
        }
        for v in t.values.iter().chain(t.base.iter()) {
            for &x in v {
                o.extend_from_slice(&(x as f64).to_le_bytes());
            }
        }
        o
    }
}

fn push_json_strings(out: &mut String, v: &[String]) {
    out.push('[');
    for (i, s) in v.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_string(out, s);
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pprof::{Function, Line, Location, Sample, ValueType};

    fn profile() -> Profile {
        let mut p = Profile::default();
        for s in ["cpu", "nanoseconds", "samples", "count", "main.main", "main.<script>\"&", "main.leaf", "main.inl"] {
            p.strings.push(s.into());
        }
        p.sample_types = vec![ValueType { kind: 3, unit: 4 }, ValueType { kind: 1, unit: 2 }];
        for (i, n) in [5u32, 6, 7, 8].iter().enumerate() {
            p.functions.push(Function { id: i as u64 + 1, name: *n, system_name: *n, filename: 0, start_line: 0 });
        }
        let loc = |id: u64, lines: &[u32]| Location {
            id,
            mapping: None,
            address: 0x1000 + id,
            lines: lines.iter().map(|&f| Line { function: f, line: 1, column: 0 }).collect(),
            is_folded: false,
        };
        // loc 2 has main.inl inlined into main.<script>"&
        p.locations = vec![loc(1, &[0]), loc(2, &[3, 1]), loc(3, &[2]), loc(4, &[])];
        p.samples = vec![
            Sample { locations: vec![2, 1, 0], values: vec![1, 10], labels: vec![] },
            Sample { locations: vec![1, 0], values: vec![2, 20], labels: vec![] },
            Sample { locations: vec![3, 0], values: vec![4, 40], labels: vec![] },
        ];
        p
    }

    #[test]
    fn folds_root_first_with_inlines() {
        let t = flame_tree(&profile(), "x");
        assert_eq!(t.default_type, 1);
        let path = |n: usize| -> Vec<String> {
            let mut v = vec![];
            let mut k = n as i32;
            while k >= 0 {
                v.push(t.names[t.name[k as usize] as usize].clone());
                k = t.parent[k as usize];
            }
            v.reverse();
            v
        };
        assert_eq!(t.name.len(), 6);
        assert_eq!(path(4), vec!["root", "main.main", "main.<script>\"&", "main.inl", "main.leaf"]);
        assert_eq!(path(5), vec!["root", "main.main", "0x1004"]);
        assert_eq!(t.values[0], vec![7, 7, 3, 3, 1, 4]);
        assert_eq!(t.values[1], vec![70, 70, 30, 30, 10, 40]);
        for (i, &p) in t.parent.iter().enumerate().skip(1) {
            assert!((p as usize) < i);
        }
    }

    #[test]
    fn json_is_script_safe() {
        let j = flame_tree(&profile(), "a</script><b>").to_json();
        assert!(!j.contains('<') && !j.contains('>') && !j.contains('&'));
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["title"], "a</script><b>");
        assert_eq!(v["names"][2], "main.<script>\"&");
        assert_eq!(v["values"][1][0], 70);
        assert_eq!(v["parent"][0], -1);
    }
}

#[cfg(test)]
mod report_tests {
    use std::sync::Arc;

    use super::*;
    use crate::driver::fetch::{Fetch, Source};
    use crate::pprof::{Function, Line, Location, Sample, ValueType};

    /// main.main → main.a (10 000) and main.main → main.b (1), main.b → main.c (1).
    fn wide_and_narrow() -> Profile {
        let mut p = Profile::default();
        for s in ["samples", "count", "main.main", "main.a", "main.b", "main.c"] {
            p.strings.push(s.into());
        }
        p.sample_types = vec![ValueType { kind: 1, unit: 2 }];
        for i in 0..4u32 {
            p.functions.push(Function { id: i as u64 + 1, name: 3 + i, system_name: 3 + i, filename: 0, start_line: 0 });
        }
        for i in 0..4u32 {
            p.locations.push(Location {
                id: i as u64 + 1,
                mapping: None,
                address: 0x100 + i as u64,
                lines: vec![Line { function: i, line: 1, column: 0 }],
                is_folded: false,
            });
        }
        p.samples = vec![
            Sample { locations: vec![1, 0], values: vec![10_000], labels: vec![] },
            Sample { locations: vec![3, 2, 0], values: vec![1], labels: vec![] },
        ];
        p
    }

    #[test]
    fn prune_drops_what_no_zoom_draws_and_keeps_order() {
        let mut t = flame_tree(&wide_and_narrow(), "x");
        assert_eq!(t.name.len(), 5);
        // main.b is 1/10001 of main.main: dropped with its child main.c
        t.prune(MIN_SHARE);
        assert_eq!(t.name.len(), 3);
        let names: Vec<&str> = t.name.iter().map(|&n| t.names[n as usize].as_str()).collect();
        assert_eq!(names, ["root", "main.main", "main.a"]);
        assert_eq!(t.names.len(), 3, "only the names in use");
        assert_eq!(t.parent, [-1, 0, 1]);
        assert_eq!(t.values[0], [10_001, 10_001, 10_000]);
        // at a coarser share everything stays
        let mut t = flame_tree(&wide_and_narrow(), "x");
        t.prune(1.0 / 20_000.0);
        assert_eq!(t.name.len(), 5);
    }

    #[test]
    fn report_refines_like_proto_and_encodes_bytes() {
        let p = Arc::new(wide_and_narrow());
        let session = Session::new(Fetch::of(vec![Source::Profile(p)]), Config::default()).unwrap();
        let mut cfg = Config::default();
        cfg.set("focus", "main.b").unwrap();
        let r = flame_report(&session, &cfg, "t<x>").unwrap();
        // focused on main.b: its one sample, kept whole (main.c is all of main.b); the total
        // is the whole profile's, as pprof's percentages are
        assert_eq!(r.total, 10_001);
        assert_eq!(r.tree.values[0], [1, 1, 1, 1]);
        assert!(r.legend.iter().any(|l| l == "Active filters:"), "{:?}", r.legend);
        assert!(r.legend.iter().any(|l| l == "Type: samples"), "{:?}", r.legend);
        let b = r.to_bytes();
        assert_eq!(&b[..4], b"GFLM");
        let h = u32::from_le_bytes(b[8..12].try_into().unwrap()) as usize;
        let n = u32::from_le_bytes(b[12..16].try_into().unwrap()) as usize;
        assert_eq!(n, 4);
        assert_eq!(h % 8, 0);
        let head = std::str::from_utf8(&b[16..16 + h]).unwrap();
        assert!(!head.contains('<'));
        let v: serde_json::Value = serde_json::from_str(head).unwrap();
        assert_eq!(v["title"], "t<x>");
        assert_eq!(v["diff"], false);
        assert_eq!(v["folded"], 4);
        let parents = 16 + h;
        assert_eq!(i32::from_le_bytes(b[parents..parents + 4].try_into().unwrap()), -1);
        let values = (parents + 8 * n).div_ceil(8) * 8;
        assert_eq!(b.len(), values + 8 * n);
        assert_eq!(f64::from_le_bytes(b[values..values + 8].try_into().unwrap()), 1.0);
    }

    #[test]
    fn diff_base_samples_are_the_base_column() {
        let now = Arc::new(wide_and_narrow());
        let mut base = wide_and_narrow();
        base.samples[0].values = vec![4_000];
        let mut fetch = Fetch::of(vec![Source::Profile(now)]);
        fetch.base = vec![Source::Profile(Arc::new(base))];
        fetch.diff_base = true;
        let session = Session::new(fetch, Config::default()).unwrap();
        let r = flame_report(&session, &Config::default(), "d").unwrap();
        let t = &r.tree;
        assert_eq!(t.base.len(), 1);
        let a = t.name.iter().position(|&n| t.names[n as usize] == "main.a").unwrap();
        // the difference, and the base's (negated) share of it
        assert_eq!(t.values[0][a], 6_000);
        assert_eq!(t.base[0][a], -4_000);
        // main.b's after-value (1) is 1/10001 of main.main's after-value: pruned
        assert!(!t.name.iter().any(|&n| t.names[n as usize] == "main.b"));
    }
}
