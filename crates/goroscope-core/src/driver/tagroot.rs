//! `-tagroot`/`-tagleaf` (pprof `tagroot.go`): label values as pseudo frames at the root or the
//! leaf of every stack, made before filtering so that the filters can match them.

use std::collections::HashMap;

use crate::measurement::scaled_label;
use crate::pprof::{Function, LabelValue, Line, Location, Profile, Sample};

/// pprof `generateTagRootsLeaves`: the pseudo frames of `tagroot`/`tagleaf` (comma-separated
/// label keys), with pprof's warnings for keys no sample has.
pub fn generate(p: &mut Profile, tagroot: &str, tagleaf: &str, unit: &str, warnings: &mut Vec<String>) {
    let keys = |s: &str| -> Vec<String> { s.split(',').filter(|k| !k.is_empty()).map(String::from).collect() };
    let (rootm, leafm) = add_label_nodes(p, &keys(tagroot), &keys(tagleaf), unit);
    if !tagroot.is_empty() && !rootm {
        warnings.push("TagRoot expression matched no samples".into());
    }
    if !tagleaf.is_empty() && !leafm {
        warnings.push("TagLeaf expression matched no samples".into());
    }
}

/// `-tagroot`/`-tagleaf`: turns the values of the given label keys into pseudo frames at the
/// root (first key closest to the root) and at the leaf of every sample. A pseudo frame's
/// function name is the sample's values for the key joined by `,` (numeric values formatted in
/// `output_unit`), its file name the key. Returns whether any sample had a root / leaf key.
pub fn add_label_nodes(p: &mut Profile, root_keys: &[String], leaf_keys: &[String], output_unit: &str) -> (bool, bool) {
    let mut next_loc = p.locations.iter().map(|l| l.id).max().unwrap_or(0) + 1;
    let mut next_fn = p.functions.iter().map(|f| f.id).max().unwrap_or(0) + 1;
    let mut strings: HashMap<String, u32> = HashMap::new();
    let mut locs: HashMap<(String, String), u32> = HashMap::new();
    let (mut rootm, mut leafm) = (false, false);
    let mut samples = std::mem::take(&mut p.samples);
    for s in &mut samples {
        let mut make = |keys: &[String], p: &mut Profile| -> (Vec<u32>, bool) {
            let mut out = Vec::new();
            let mut matched = false;
            for k in keys.iter().rev() {
                let values = format_label_values(p, s, k, output_unit);
                matched |= !values.is_empty();
                let key = (values.join(","), k.clone());
                let loc = match locs.get(&key) {
                    Some(&l) => l,
                    None => {
                        let mut intern = |p: &mut Profile, x: &str| -> u32 {
                            if x.is_empty() {
                                return 0;
                            }
                            *strings.entry(x.to_string()).or_insert_with(|| {
                                p.strings.push(x.to_string());
                                (p.strings.len() - 1) as u32
                            })
                        };
                        let name = intern(p, &key.0);
                        let file = intern(p, &key.1);
                        p.functions.push(Function { id: next_fn, name, system_name: 0, filename: file, start_line: 0 });
                        next_fn += 1;
                        p.locations.push(Location {
                            id: next_loc,
                            mapping: None,
                            address: 0,
                            lines: vec![Line { function: (p.functions.len() - 1) as u32, line: 0, column: 0 }],
                            is_folded: false,
                        });
                        next_loc += 1;
                        let l = (p.locations.len() - 1) as u32;
                        locs.insert(key, l);
                        l
                    }
                };
                out.push(loc);
            }
            (out, matched)
        };
        let (roots, rm) = make(root_keys, p);
        let (leaves, lm) = make(leaf_keys, p);
        rootm |= rm;
        leafm |= lm;
        if roots.is_empty() && leaves.is_empty() {
            continue;
        }
        let mut v = leaves;
        v.extend_from_slice(&s.locations);
        v.extend(roots);
        s.locations = v;
    }
    p.samples = samples;
    (rootm, leafm)
}

/// The values of label `key` on `s`: string values, then numeric ones formatted in `output_unit`
/// (pprof `formatLabelValues`).
fn format_label_values(p: &Profile, s: &Sample, key: &str, output_unit: &str) -> Vec<String> {
    let mut values: Vec<String> = Vec::new();
    let mut nums: Vec<(i64, u32)> = Vec::new();
    for l in &s.labels {
        if p.str(l.key) != key {
            continue;
        }
        match l.value {
            LabelValue::Str(v) => values.push(p.str(v).to_string()),
            LabelValue::Num { value, unit } => nums.push((value, unit)),
        }
    }
    let has_units = nums.iter().any(|&(_, u)| u != 0);
    for (v, u) in nums {
        values.push(if has_units {
            scaled_label(v, p.str(u), output_unit)
        } else {
            scaled_label(v, "", "")
        });
    }
    values
}
