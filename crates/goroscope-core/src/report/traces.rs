//! `-traces` (pprof `printTraces`): every sample with its labels and stack, leaf first.

use super::legend::profile_labels;
use crate::measurement;
use super::Report;
use super::{LabelValues, ReportData, TraceFrame, TraceSample, TracesReport};
use crate::graph::NodeTable;
use crate::pprof::LabelValue;
use std::fmt::Write;
use std::sync::Arc;

const SEPARATOR: &str = "-----------+-------------------------------------------------------";

/// Groups a sample's labels by key (values in order), keys sorted by the printed line.
fn grouped(pairs: Vec<(String, String)>) -> Vec<LabelValues> {
    let mut v: Vec<LabelValues> = Vec::new();
    for (k, val) in pairs {
        match v.iter_mut().find(|l| l.key == k) {
            Some(l) => l.values.push(val),
            None => v.push(LabelValues { key: k, values: vec![val] }),
        }
    }
    v.sort_by_key(label_line);
    v
}

fn label_line(l: &LabelValues) -> String {
    format!("{:>10}:  {}\n", l.key, l.values.join(" "))
}

pub(crate) fn print_traces(c: &mut Report) -> (String, Vec<String>, ReportData) {
    let legend = profile_labels(c);
    let mut out = String::new();
    out.push_str(&legend.join("\n"));
    out.push('\n');
    let p = &c.prof;
    let table = NodeTable::new(p, false, false);
    let names: Vec<Arc<str>> = (0..table.len() as u32).map(|i| Arc::from(table.printable_name(i))).collect();
    let mut samples = Vec::with_capacity(p.samples.len());
    for s in &p.samples {
        let mut frames = Vec::new();
        for &loc in &s.locations {
            let f = table.frames(loc as usize);
            for (i, &info) in f.iter().enumerate() {
                frames.push(TraceFrame { name: names[info as usize].clone(), inline: i != f.len() - 1 });
            }
        }
        if frames.is_empty() {
            continue;
        }
        out.push_str(SEPARATOR);
        out.push('\n');
        let mut str_pairs = Vec::new();
        let mut num_pairs = Vec::new();
        for l in &s.labels {
            let k = p.str(l.key).to_string();
            match l.value {
                LabelValue::Str(v) => str_pairs.push((k, p.str(v).to_string())),
                LabelValue::Num { value, .. } => {
                    let unit = c.options.num_label_units.get(&k).map_or("", |u| u.as_str());
                    let v = measurement::label(value, unit);
                    num_pairs.push((k, v));
                }
            }
        }
        let labels = grouped(str_pairs);
        let num_labels = grouped(num_pairs);
        for l in labels.iter().chain(num_labels.iter()) {
            out.push_str(&label_line(l));
        }
        let mut v = c.value(&s.values);
        let d = c.divisor(&s.values);
        if d != 0 {
            v /= d;
        }
        let vl = c.format_value(v);
        for (i, f) in frames.iter().enumerate() {
            if i == 0 {
                let _ = write!(out, "{vl:>10}   ");
            } else {
                // `{:>10}` of "" and the three spaces after it
                out.push_str("             ");
            }
            out.push_str(&f.name);
            out.push_str(if f.inline { " (inline)\n" } else { "\n" });
        }
        samples.push(TraceSample { labels, num_labels, value: v, value_label: vl, frames });
    }
    out.push_str(SEPARATOR);
    out.push('\n');
    (out, legend, ReportData::Traces(TracesReport { samples }))
}
