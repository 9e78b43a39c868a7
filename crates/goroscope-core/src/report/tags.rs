//! `-tags` (pprof `printTags`): per label key, the weight of every value.

use crate::measurement::{percentage, scaled_label};
use super::Report;
use super::tabwriter;
use super::text::pct;
use super::{ReportData, TagKey, TagValue, TagsReport};
use crate::pprof::LabelValue;
use std::collections::HashMap;
use std::fmt::Write;

pub(crate) fn print_tags(c: &mut Report) -> (String, Vec<String>, ReportData) {
    let p = &c.prof;
    let mut tag_map: HashMap<String, HashMap<String, i64>> = HashMap::new();
    let mut totals: HashMap<String, i64> = HashMap::new();
    for s in &p.samples {
        let v = c.value(&s.values);
        for l in &s.labels {
            let key = p.str(l.key).to_string();
            let val = match l.value {
                LabelValue::Str(x) => p.str(x).to_string(),
                LabelValue::Num { value, .. } => {
                    let unit = c.options.num_label_units.get(&key).map_or("", |u| u.as_str());
                    scaled_label(value, unit, &c.options.output_unit)
                }
            };
            let t = tag_map.entry(key.clone()).or_default().entry(val).or_default();
            *t = t.wrapping_add(v);
            let t = totals.entry(key).or_default();
            *t = t.wrapping_add(v);
        }
    }
    let mut keys: Vec<&String> = tag_map.keys().collect();
    keys.sort();
    let total = c.total;
    let mut buf = String::new();
    let mut data = Vec::new();
    for key in keys {
        let mut vals: Vec<(&String, i64)> = tag_map[key].iter().map(|(k, v)| (k, *v)).collect();
        vals.sort_by(|a, b| {
            if a.1 != b.1 {
                b.1.abs().cmp(&a.1.abs())
            } else {
                a.0.cmp(b.0)
            }
        });
        let tag_total = totals[key];
        let tl = c.format_value(tag_total);
        if total > 0 {
            let _ = writeln!(buf, "{}:\t Total {} of {} ({})", key, tl, c.format_value(total), percentage(tag_total, total));
        } else {
            let _ = writeln!(buf, "{}:\t Total {} of {}", key, tl, c.format_value(total));
        }
        let mut values = Vec::new();
        for (name, w) in vals {
            let wl = c.format_value(w);
            if total > 0 {
                let _ = writeln!(buf, " \t{} ({}):\t {}", wl, percentage(w, total), name);
            } else {
                let _ = writeln!(buf, " \t{}:\t {}", wl, name);
            }
            values.push(TagValue { value: name.clone(), weight: w, weight_label: wl, pct: pct(w, total) });
        }
        buf.push('\n');
        data.push(TagKey { key: key.clone(), total: tag_total, total_label: tl, pct: pct(tag_total, total), values });
    }
    let text = tabwriter::format(&buf, 0, 1, true);
    (text, Vec::new(), ReportData::Tags(TagsReport { keys: data }))
}
