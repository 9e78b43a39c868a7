//! Sample and frame filters on a profile (pprof `profile/filter.go` and `PruneFrom`):
//! focus/ignore/hide/show, show_from, prune_from, samples by tag (the matching itself, tag
//! regexps and numeric ranges, is the driver's: [`crate::driver::focus`]), tagshow/taghide.
//!
//! Regexps are unanchored and matched against function names, file names and mapping files.
//! Locations are shared between samples, so line edits apply to every sample using them.

use super::{LabelValue, Location, Profile, Sample};
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

/// Whether a sample's labels match a tag filter (pprof `TagMatch`).
pub type TagMatch<'a> = &'a dyn Fn(&Profile, &Sample) -> bool;

/// tagfocus/tagignore (pprof `FilterSamplesByTag`): keeps samples matching `focus` (if any) and
/// not `ignore`. Returns (focus matched something, ignore matched something).
pub fn filter_samples_by_tag(p: &mut Profile, focus: Option<TagMatch>, ignore: Option<TagMatch>) -> (bool, bool) {
    let (mut fm, mut im) = (false, false);
    let samples = std::mem::take(&mut p.samples);
    let mut kept = Vec::with_capacity(samples.len());
    for s in samples {
        let focused = focus.is_none_or(|f| f(p, &s));
        let ignored = ignore.is_some_and(|f| f(p, &s));
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
