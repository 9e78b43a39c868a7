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

use rustc_hash::FxHashMap;

use crate::pprof::Profile;

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
    };
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
        let mut node = 0u32;
        for (k, v) in s.values.iter().enumerate().take(nt) {
            t.values[k][0] = t.values[k][0].wrapping_add(*v);
        }
        for &n in &path {
            let next = t.name.len() as u32;
            let child = *children.entry((node, n)).or_insert(next);
            if child == next {
                t.name.push(n);
                t.parent.push(node as i32);
                for vals in t.values.iter_mut() {
                    vals.push(0);
                }
            }
            for (k, v) in s.values.iter().enumerate().take(nt) {
                let c = &mut t.values[k][child as usize];
                *c = c.wrapping_add(*v);
            }
            node = child;
        }
    }
    t
}

/// Append `s` as a JSON string safe inside an HTML `<script>` element.
pub fn push_json_string(out: &mut String, s: &str) {
    use std::fmt::Write;
    out.push('"');
    for c in s.chars() {
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
        o.push_str(",\"names\":[");
        for (i, n) in self.names.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            push_json_string(&mut o, n);
        }
        o.push_str("],\"name\":");
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
