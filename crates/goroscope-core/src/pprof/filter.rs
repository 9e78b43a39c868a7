//! Sample and frame filters on a profile (pprof `profile/filter.go`, `PruneFrom`, and the
//! driver's tag filters): focus/ignore/hide/show, show_from, prune_from, tagfocus/tagignore
//! (regexps or numeric ranges such as `32kb`, `:64kb`, `4mb:`, `12kb:64mb`), tagshow/taghide.
//!
//! Regexps are unanchored and matched against function names, file names and mapping files.
//! Locations are shared between samples, so line edits apply to every sample using them.

use super::{LabelValue, Location, Profile, Sample};
use crate::measurement::scale;
use regex::Regex;
use std::collections::HashMap;

fn location_matches(p: &Profile, loc: &Location, re: &Regex) -> bool {
    for ln in &loc.lines {
        if let Some(f) = p.functions.get(ln.function as usize) {
            if re.is_match(p.str(f.name)) || re.is_match(p.str(f.filename)) {
                return true;
            }
        }
    }
    mapping_matches(p, loc, re)
}

fn mapping_matches(p: &Profile, loc: &Location, re: &Regex) -> bool {
    match loc.mapping {
        Some(m) => re.is_match(p.str(p.mappings[m as usize].filename)),
        None => false,
    }
}

fn line_matches(p: &Profile, ln: &super::Line, re: &Regex) -> Option<bool> {
    p.functions
        .get(ln.function as usize)
        .map(|f| re.is_match(p.str(f.name)) || re.is_match(p.str(f.filename)))
}

/// What [`filter_samples_by_name`] matched (pprof warns "… expression matched no samples").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NameMatches {
    pub focus: bool,
    pub ignore: bool,
    pub hide: bool,
    pub show: bool,
}

/// focus/ignore (keep samples with a focused and no ignored location), hide (remove matching
/// frames) and show (keep only matching frames). Samples left without locations are dropped.
pub fn filter_samples_by_name(
    p: &mut Profile,
    focus: Option<&Regex>,
    ignore: Option<&Regex>,
    hide: Option<&Regex>,
    show: Option<&Regex>,
) -> NameMatches {
    let mut m = NameMatches::default();
    if focus.is_none() && ignore.is_none() && hide.is_none() && show.is_none() {
        m.focus = true;
        return m;
    }
    // 0 = neither, 1 = focused, 2 = ignored
    let mut fi = vec![0u8; p.locations.len()];
    let mut hidden = vec![false; p.locations.len()];
    let mut any_hidden = false;
    let mut locations = std::mem::take(&mut p.locations);
    for (i, l) in locations.iter_mut().enumerate() {
        if ignore.is_some_and(|re| location_matches(p, l, re)) {
            m.ignore = true;
            fi[i] = 2;
        } else if focus.is_none_or(|re| location_matches(p, l, re)) {
            m.focus = true;
            fi[i] = 1;
        }
        if let Some(re) = hide {
            if location_matches(p, l, re) {
                m.hide = true;
                if mapping_matches(p, l, re) {
                    l.lines.clear();
                } else {
                    l.lines.retain(|ln| line_matches(p, ln, re) != Some(true));
                }
                if l.lines.is_empty() {
                    hidden[i] = true;
                    any_hidden = true;
                }
            }
        }
        if let Some(re) = show {
            if !mapping_matches(p, l, re) {
                l.lines.retain(|ln| line_matches(p, ln, re) != Some(false));
            }
            if l.lines.is_empty() {
                hidden[i] = true;
                any_hidden = true;
            } else {
                m.show = true;
            }
        }
    }
    p.locations = locations;
    p.samples.retain_mut(|s| {
        let mut focused = false;
        for &l in &s.locations {
            match fi[l as usize] {
                1 => focused = true,
                2 => return false,
                _ => {}
            }
        }
        if !focused {
            return false;
        }
        if any_hidden {
            s.locations.retain(|&l| !hidden[l as usize]);
            if s.locations.is_empty() {
                return false;
            }
        }
        true
    });
    m
}

/// show_from: drops frames above (rootward of) the highest matching frame; samples without a
/// match are dropped. Returns whether anything matched (false, untouched, for None).
pub fn show_from(p: &mut Profile, re: Option<&Regex>) -> bool {
    let Some(re) = re else { return false };
    let mut matched = false;
    let mut hit = vec![false; p.locations.len()];
    let mut locations = std::mem::take(&mut p.locations);
    for (i, loc) in locations.iter_mut().enumerate() {
        if mapping_matches(p, loc, re) {
            hit[i] = true;
            matched = true;
            continue;
        }
        let last = loc.lines.iter().rposition(|ln| line_matches(p, ln, re) == Some(true));
        if let Some(j) = last {
            loc.lines.truncate(j + 1);
            hit[i] = true;
            matched = true;
        }
    }
    p.locations = locations;
    p.samples.retain_mut(|s| {
        match s.locations.iter().rposition(|&l| hit[l as usize]) {
            Some(i) => {
                s.locations.truncate(i + 1);
                true
            }
            None => false,
        }
    });
    matched
}

/// prune_from: removes the frames below (leafward of) the lowest frame whose simplified function
/// name matches `re` (unanchored); the matching frame is kept.
pub fn prune_from(p: &mut Profile, re: &Regex) {
    super::prune::prune_from(p, re);
}

/// The unit of every numeric label key: the first non-empty unit seen, else `bytes` for
/// `request`/`alignment`, else the key itself. Second map: other units seen per key (sorted).
pub fn num_label_units(p: &Profile) -> (HashMap<String, String>, HashMap<String, Vec<String>>) {
    let mut units: HashMap<String, String> = HashMap::new();
    let mut ignored: HashMap<String, Vec<String>> = HashMap::new();
    let mut keys: Vec<String> = Vec::new();
    for s in &p.samples {
        for l in &s.labels {
            if let LabelValue::Num { unit, .. } = l.value {
                let key = p.str(l.key);
                if !keys.iter().any(|k| k == key) {
                    keys.push(key.to_string());
                }
                let unit = p.str(unit);
                if unit.is_empty() {
                    continue;
                }
                match units.get(key) {
                    None => {
                        units.insert(key.to_string(), unit.to_string());
                    }
                    Some(w) if w != unit => {
                        let v = ignored.entry(key.to_string()).or_default();
                        if !v.iter().any(|x| x == unit) {
                            v.push(unit.to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    for k in keys {
        if units.get(&k).is_none_or(|u| u.is_empty()) {
            let u = if k == "alignment" || k == "request" { "bytes".to_string() } else { k.clone() };
            units.insert(k, u);
        }
    }
    for v in ignored.values_mut() {
        v.sort();
    }
    (units, ignored)
}

/// A numeric range of a tag filter, in the unit of its first bound.
#[derive(Clone, Debug, PartialEq)]
pub struct NumRange {
    pub unit: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl NumRange {
    pub fn contains(&self, v: i64, unit: &str) -> bool {
        let (sv, su) = scale(v, unit, &self.unit);
        su == self.unit && self.min.is_none_or(|m| sv >= m) && self.max.is_none_or(|m| sv <= m)
    }
}

/// A compiled `-tagfocus`/`-tagignore` value.
#[derive(Clone, Debug)]
pub struct TagFilter {
    /// `key=` prefix, if given.
    pub key: Option<String>,
    pub kind: TagFilterKind,
}

#[derive(Clone, Debug)]
pub enum TagFilterKind {
    /// Numeric range on numeric labels (unit-aware).
    Range(NumRange),
    /// Comma-separated regexps on `key:value` (all must match) or, keyed, on values (any).
    Regexps(Vec<Regex>),
}

/// Error compiling a filter regexp.
#[derive(Debug, thiserror::Error)]
#[error("parsing {option} regexp: {source}")]
pub struct FilterError {
    pub option: String,
    #[source]
    pub source: regex::Error,
}

/// Compiles a regexp option the way pprof does (Go RE2 syntax, unanchored).
pub fn compile_regex(option: &str, value: &str) -> Result<Option<Regex>, FilterError> {
    if value.is_empty() {
        return Ok(None);
    }
    Regex::new(value)
        .map(Some)
        .map_err(|source| FilterError { option: option.to_string(), source })
}

/// Parses pprof's numeric tag ranges: `32kb` (equal), `:64kb` (≤), `4mb:` (≥), `12kb:64mb`.
pub fn parse_tag_range(filter: &str) -> Option<NumRange> {
    let bytes = filter.as_bytes();
    // Find up to two matches of ([+-]?[0-9]+)([A-Za-z]+)?
    let mut found: Vec<(usize, usize, i64, String)> = Vec::new(); // (start, end, value, unit)
    let mut i = 0;
    while i < bytes.len() && found.len() < 2 {
        let start = i;
        let mut j = i;
        if bytes[j] == b'+' || bytes[j] == b'-' {
            j += 1;
        }
        let ds = j;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        if j == ds {
            i += 1;
            continue;
        }
        let us = j;
        while j < bytes.len() && bytes[j].is_ascii_alphabetic() {
            j += 1;
        }
        let v: i64 = filter[start..us].parse().ok()?;
        found.push((start, j, v, filter[us..j].to_string()));
        i = j;
    }
    if found.is_empty() {
        return None;
    }
    let (s0, e0, v0, u0) = &found[0];
    let (scaled, unit) = scale(*v0, u0, u0);
    let m0 = &filter[*s0..*e0];
    if found.len() == 1 {
        if filter == m0 {
            return Some(NumRange { unit, min: Some(scaled), max: Some(scaled) });
        }
        if filter.strip_suffix(':') == Some(m0) {
            return Some(NumRange { unit, min: Some(scaled), max: None });
        }
        if filter.strip_prefix(':') == Some(m0) {
            return Some(NumRange { unit, min: None, max: Some(scaled) });
        }
        return None;
    }
    let (s1, e1, v1, u1) = &found[1];
    if filter != format!("{}:{}", m0, &filter[*s1..*e1]) {
        return None;
    }
    let (scaled2, unit2) = scale(*v1, u1, &unit);
    if unit != unit2 {
        return None;
    }
    Some(NumRange { unit, min: Some(scaled), max: Some(scaled2) })
}

impl TagFilter {
    /// Compiles `[key=]value`. A value that parses as a numeric range is a range (pprof prints
    /// "Interpreted '<value>' as range, not regexp").
    pub fn compile(option: &str, value: &str) -> Result<TagFilter, FilterError> {
        let (key, value) = match value.split_once('=') {
            Some((k, v)) => (Some(k.to_string()), v),
            None => (None, value),
        };
        if let Some(r) = parse_tag_range(value) {
            return Ok(TagFilter { key, kind: TagFilterKind::Range(r) });
        }
        let mut res = Vec::new();
        for part in value.split(',') {
            res.push(Regex::new(part).map_err(|source| FilterError {
                option: option.to_string(),
                source,
            })?);
        }
        Ok(TagFilter { key, kind: TagFilterKind::Regexps(res) })
    }

    pub fn is_range(&self) -> bool {
        matches!(self.kind, TagFilterKind::Range(_))
    }

    /// Whether sample `s` matches. `units` = [`num_label_units`].
    pub fn matches(&self, p: &Profile, s: &Sample, units: &HashMap<String, String>) -> bool {
        match &self.kind {
            TagFilterKind::Range(r) => s.labels.iter().any(|l| match l.value {
                LabelValue::Num { value, .. } => {
                    let k = p.str(l.key);
                    if self.key.as_deref().is_some_and(|w| w != k) {
                        return false;
                    }
                    r.contains(value, units.get(k).map_or("", |u| u.as_str()))
                }
                _ => false,
            }),
            TagFilterKind::Regexps(res) => match &self.key {
                None => res.iter().all(|re| {
                    s.labels.iter().any(|l| match l.value {
                        LabelValue::Str(v) => re.is_match(&format!("{}:{}", p.str(l.key), p.str(v))),
                        _ => false,
                    })
                }),
                Some(want) => {
                    let vals: Vec<&str> = s
                        .labels
                        .iter()
                        .filter_map(|l| match l.value {
                            LabelValue::Str(v) if p.str(l.key) == want => Some(p.str(v)),
                            _ => None,
                        })
                        .collect();
                    !vals.is_empty() && res.iter().any(|re| vals.iter().any(|v| re.is_match(v)))
                }
            },
        }
    }
}

/// tagfocus/tagignore: keeps samples matching `focus` (if any) and not `ignore`.
/// Returns (focus matched something, ignore matched something).
pub fn filter_samples_by_tag(
    p: &mut Profile,
    focus: Option<&TagFilter>,
    ignore: Option<&TagFilter>,
    units: &HashMap<String, String>,
) -> (bool, bool) {
    let (mut fm, mut im) = (false, false);
    let samples = std::mem::take(&mut p.samples);
    let mut kept = Vec::with_capacity(samples.len());
    for s in samples {
        let focused = focus.is_none_or(|f| f.matches(p, &s, units));
        let ignored = ignore.is_some_and(|f| f.matches(p, &s, units));
        fm |= focused;
        im |= ignored;
        if focused && !ignored {
            kept.push(s);
        }
    }
    p.samples = kept;
    (fm, im)
}

/// tagshow/taghide: removes label keys (string and numeric) not matching `show` or matching
/// `hide`. Returns (show matched a key, hide matched a key).
pub fn filter_tags_by_name(p: &mut Profile, show: Option<&Regex>, hide: Option<&Regex>) -> (bool, bool) {
    let (mut sm, mut hm) = (false, false);
    // key -> (matches show, matches hide)
    let mut cache: HashMap<u32, (bool, bool)> = HashMap::new();
    let strings = &p.strings;
    for s in &mut p.samples {
        s.labels.retain(|l| {
            let (ms, mh) = *cache.entry(l.key).or_insert_with(|| {
                let name = strings.get(l.key as usize).map_or("", |x| x.as_str());
                (show.is_none_or(|re| re.is_match(name)), hide.is_some_and(|re| re.is_match(name)))
            });
            sm |= ms;
            hm |= mh;
            ms && !mh
        });
    }
    (sm, hm)
}

/// Removes every label with key `key` (e.g. `pprof::base`).
pub fn remove_label(p: &mut Profile, key: &str) {
    let strings = &p.strings;
    for s in &mut p.samples {
        s.labels.retain(|l| strings.get(l.key as usize).map_or("", |x| x.as_str()) != key);
    }
}

/// Whether the sample carries `pprof::base=true` (a `-diff_base` sample).
pub fn is_diff_base_sample(p: &Profile, s: &Sample) -> bool {
    s.labels.iter().any(|l| {
        p.str(l.key) == "pprof::base" && matches!(l.value, LabelValue::Str(v) if p.str(v) == "true")
    })
}

/// `-tagroot`/`-tagleaf`: turns the values of the given label keys into pseudo frames at the
/// root (first key closest to the root) and at the leaf of every sample. A pseudo frame's
/// function name is the sample's values for the key joined by `,` (numeric values formatted in
/// `output_unit`), its file name the key. Returns whether any sample had a root / leaf key.
pub fn add_label_nodes(p: &mut Profile, root_keys: &[String], leaf_keys: &[String], output_unit: &str) -> (bool, bool) {
    use super::{Function, Line, Location};
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
            crate::measurement::scaled_label(v, p.str(u), output_unit)
        } else {
            crate::measurement::scaled_label(v, "", "")
        });
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let r = parse_tag_range("32kb").unwrap();
        assert_eq!((r.unit.as_str(), r.min, r.max), ("kB", Some(32.0), Some(32.0)));
        let r = parse_tag_range(":64kb").unwrap();
        assert_eq!((r.min, r.max), (None, Some(64.0)));
        let r = parse_tag_range("12kb:64mb").unwrap();
        assert_eq!((r.unit.as_str(), r.min, r.max), ("kB", Some(12.0), Some(65536.0)));
        assert!(parse_tag_range("4mb:").is_some());
        assert!(parse_tag_range("+400kb:").unwrap().contains(400 * 1024, "bytes"));
        assert!(!parse_tag_range("+400kb:").unwrap().contains(399 * 1024, "bytes"));
        assert!(parse_tag_range("key[12]").is_none());
        assert!(parse_tag_range("tag1").is_none());
        assert!(parse_tag_range("1mb:2s").is_none());
        assert!(parse_tag_range("1mb:2gb").unwrap().contains(1 << 20, "bytes"));
    }

}
