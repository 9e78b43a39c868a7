//! The driver's filters (pprof `driver_focus.go` and `applyFocus`): compiles focus, ignore,
//! hide, show, show_from, prune_from, tagshow and taghide as regexps, tagfocus and tagignore as
//! tag filters (comma-separated regexps on `key:value`, or on the values of `key=`, or numeric
//! ranges such as `32kb`, `:64kb`, `4mb:`, `12kb:64mb`), and applies them to a profile with
//! pprof's "matched no samples" warnings.

use std::collections::HashMap;

use regex::Regex;

use super::Config;
use crate::measurement::scale;
use crate::pprof::filter;
use crate::pprof::{LabelValue, Profile, Sample};

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
    /// `Interpreted '<value>' as range, not regexp`).
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

    /// Whether sample `s` matches. `units` = [`filter::num_label_units`].
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


/// Every filter of a [`Config`], compiled.
pub struct Focus {
    focus: Option<Regex>,
    ignore: Option<Regex>,
    hide: Option<Regex>,
    show: Option<Regex>,
    show_from: Option<Regex>,
    tagfocus: Option<TagFilter>,
    tagignore: Option<TagFilter>,
    prune_from: Option<Regex>,
    tagshow: Option<Regex>,
    taghide: Option<Regex>,
}

fn compile_tag(name: &str, value: &str, warnings: &mut Vec<String>) -> Result<Option<TagFilter>, FilterError> {
    if value.is_empty() {
        return Ok(None);
    }
    let f = TagFilter::compile(name, value)?;
    if f.is_range() {
        let v = value.split_once('=').map_or(value, |(_, v)| v);
        warnings.push(format!("{name}:Interpreted '{v}' as range, not regexp"));
    }
    Ok(Some(f))
}

impl Focus {
    /// Compiles the filters of `c`; a numeric tag filter notes "Interpreted … as range".
    pub fn compile(c: &Config, warnings: &mut Vec<String>) -> Result<Focus, FilterError> {
        Ok(Focus {
            focus: compile_regex("focus", &c.focus)?,
            ignore: compile_regex("ignore", &c.ignore)?,
            hide: compile_regex("hide", &c.hide)?,
            show: compile_regex("show", &c.show)?,
            show_from: compile_regex("show_from", &c.show_from)?,
            tagfocus: compile_tag("tagfocus", &c.tagfocus, warnings)?,
            tagignore: compile_tag("tagignore", &c.tagignore, warnings)?,
            prune_from: compile_regex("prune_from", &c.prune_from)?,
            tagshow: compile_regex("tagshow", &c.tagshow)?,
            taghide: compile_regex("taghide", &c.taghide)?,
        })
    }

    /// pprof `applyFocus`: every filter in pprof's order, warning for each that matched nothing.
    pub fn apply(&self, p: &mut Profile, units: &HashMap<String, String>, warnings: &mut Vec<String>) {
        let mut warn = |ok: bool, what: &str| {
            if !ok {
                warnings.push(format!("{what} expression matched no samples"));
            }
        };
        let m = filter::filter_samples_by_name(
            p,
            self.focus.as_ref(),
            self.ignore.as_ref(),
            self.hide.as_ref(),
            self.show.as_ref(),
        );
        warn(self.focus.is_none() || m.focus, "Focus");
        warn(self.ignore.is_none() || m.ignore, "Ignore");
        warn(self.hide.is_none() || m.hide, "Hide");
        warn(self.show.is_none() || m.show, "Show");
        let sfm = filter::show_from(p, self.show_from.as_ref());
        warn(self.show_from.is_none() || sfm, "ShowFrom");
        let tf = self.tagfocus.as_ref().map(|f| move |p: &Profile, s: &Sample| f.matches(p, s, units));
        let ti = self.tagignore.as_ref().map(|f| move |p: &Profile, s: &Sample| f.matches(p, s, units));
        let (tfm, tim) = filter::filter_samples_by_tag(
            p,
            tf.as_ref().map(|f| f as filter::TagMatch),
            ti.as_ref().map(|f| f as filter::TagMatch),
        );
        warn(self.tagfocus.is_none() || tfm, "TagFocus");
        warn(self.tagignore.is_none() || tim, "TagIgnore");
        let (tns, tnh) = filter::filter_tags_by_name(p, self.tagshow.as_ref(), self.taghide.as_ref());
        warn(self.tagshow.is_none() || tns, "TagShow");
        warn(self.taghide.is_none() || tnh, "TagHide");
        if let Some(re) = &self.prune_from {
            filter::prune_from(p, re);
        }
    }
}

/// `key=value` of the filters set, for the legend's "Active filters" (pprof's order).
pub fn active_filters(c: &Config) -> Vec<String> {
    [
        ("focus", &c.focus),
        ("ignore", &c.ignore),
        ("hide", &c.hide),
        ("show", &c.show),
        ("show_from", &c.show_from),
        ("tagfocus", &c.tagfocus),
        ("tagignore", &c.tagignore),
        ("tagshow", &c.tagshow),
        ("taghide", &c.taghide),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={v}"))
    .collect()
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
