//! A [`Report`] (pprof's `report.Report`: a profile ready to print with its options and total)
//! and [`generate`], which renders it in its format.

use super::{callgrind, disasm, dot, source, tags, topproto, text, traces, tree, Format, Options, ProfileReport, ReportData, ReportError};
use crate::graph::{self, NodeTable, TrimOptions, Trimmed};
use crate::measurement;
use crate::pprof::filter;
use crate::pprof::Profile;
use std::collections::HashMap;
use std::sync::Arc;

/// A profile ready to print: filtered and aggregated by the caller, with its [`Options`] and
/// the total that percentages are relative to.
pub struct Report {
    pub prof: Profile,
    pub options: Options,
    /// pprof's report total: Σ |value| (of the `-diff_base` samples when there are any), divided
    /// by Σ of the mean divisor for `-mean`.
    pub total: i64,
}

impl Report {
    /// pprof `report.New`: computes the total of `prof` as it is now (the driver calls it before
    /// focusing unless `-relative_percentages`).
    pub fn new(prof: Profile, options: Options) -> Report {
        let total = compute_total(&prof, options.sample_index, options.mean);
        Report { prof, options, total }
    }

    /// pprof `rpt.formatValue`: apply `-divide_by`, then scale to the output unit.
    pub fn format_value(&self, v: i64) -> String {
        let mut v = v;
        if self.options.ratio > 0.0 && self.options.ratio != 1.0 {
            v = (v as f64 * self.options.ratio) as i64;
        }
        measurement::scaled_label(v, &self.options.sample_unit, &self.options.output_unit)
    }

    pub fn value(&self, vals: &[i64]) -> i64 {
        vals[self.options.sample_index]
    }

    pub fn divisor(&self, vals: &[i64]) -> i64 {
        if self.options.mean {
            vals[0]
        } else {
            0
        }
    }

    /// The (trimmed) graph for graph-based reports, after the report's own profile clean-ups
    /// (trim_path on file names, only `bytes` numeric tags, no `pprof::base` label).
    pub fn trimmed_graph(&mut self, visual: bool) -> Trimmed {
        self.prepare_for_graph();
        let p = &self.prof;
        // Binary names are kept only for the reports tied to a binary (pprof `ObjNames`);
        // elsewhere they would split functions across binaries.
        let obj_names = matches!(
            self.options.format,
            Format::Raw | Format::List | Format::WebList | Format::Disasm | Format::Callgrind
        );
        let table = Arc::new(NodeTable::new(p, obj_names, false));
        let idx = self.options.sample_index;
        let sv = move |v: &[i64]| v[idx];
        let dv = |v: &[i64]| v[0];
        let unit = self.options.output_unit.clone();
        let ft = move |v: i64, key: &str| measurement::scaled_label(v, key, &unit);
        let mut o = graph::Options::new(&sv);
        if self.options.mean {
            o.sample_mean_divisor = Some(&dv);
        }
        o.format_tag = Some(&ft);
        o.tags = visual;
        o.numeric_tag_keys =
            vec![("bytes".into(), self.options.num_label_units.get("bytes").cloned().unwrap_or_default())];
        // pprof honours -call_tree only for dot and callgrind.
        o.call_tree = self.options.call_tree && (visual || self.options.format == Format::Callgrind);
        o.drop_negative = self.options.drop_negative;
        let t = TrimOptions {
            node_count: self.options.node_count,
            node_fraction: self.options.node_fraction,
            edge_fraction: self.options.edge_fraction,
            visual,
            cum_sort: self.options.cum_sort,
        };
        graph::trimmed_graph(p, &table, &o, &t)
    }

    fn prepare_for_graph(&mut self) {
        let p = &mut self.prof;
        let mut cache: HashMap<u32, u32> = HashMap::new();
        for i in 0..p.functions.len() {
            let f = p.functions[i].filename;
            let nf = match cache.get(&f) {
                Some(&x) => x,
                None => {
                    let s = p.str(f).to_string();
                    let t = trim_path(&s, &self.options.trim_path, &self.options.source_path);
                    let x = if t == s {
                        f
                    } else {
                        p.strings.push(t.to_string());
                        (p.strings.len() - 1) as u32
                    };
                    cache.insert(f, x);
                    x
                }
            };
            p.functions[i].filename = nf;
        }
        filter::remove_label(p, "pprof::base");
    }

    /// pprof `selectOutputUnit` for `-unit=minimum`.
    pub fn select_output_unit(&mut self, g: &graph::Graph, callgrind: bool) {
        if self.options.output_unit != "minimum" || g.nodes.is_empty() {
            return;
        }
        let mut min = 0i64;
        for &n in &g.nodes {
            let node = g.node(n);
            let mut m = node.flat_value().abs();
            if m == 0 {
                m = node.cum_value().abs();
            }
            if m > 0 && (min == 0 || m < min) {
                min = m;
            }
        }
        let mut max = self.total;
        if min == 0 {
            min = max;
        }
        let r = self.options.ratio;
        if r > 0.0 && r != 1.0 {
            min = (min as f64 * r) as i64;
            max = (max as f64 * r) as i64;
        }
        let (_, min_unit) = measurement::scale(min, &self.options.sample_unit, "minimum");
        let (_, max_unit) = measurement::scale(max, &self.options.sample_unit, "minimum");
        let mut unit = min_unit.clone();
        if min_unit != max_unit && min.wrapping_mul(100) < max && !callgrind {
            unit = measurement::scale(min.wrapping_mul(100), &self.options.sample_unit, "minimum").1;
        }
        self.options.output_unit = if unit.is_empty() { self.options.sample_unit.clone() } else { unit };
    }
}

/// pprof `trimPath`: strips `-trim_path` prefixes (default `/proc/self/cwd/`), or guesses from
/// `-source_path` basenames when no trim path is configured.
pub(crate) fn trim_path<'a>(path: &'a str, trim: &str, search: &str) -> &'a str {
    if trim.is_empty() {
        for dir in search.split(':').filter(|d| !d.is_empty()) {
            let want = format!("/{}/", crate::graph::base_name(dir));
            if let Some(i) = path.find(&want) {
                return &path[i + want.len()..];
            }
        }
    }
    let mut prefixes: Vec<String> = trim.split(':').filter(|d| !d.is_empty()).map(String::from).collect();
    prefixes.push("/proc/self/cwd/./".into());
    prefixes.push("/proc/self/cwd/".into());
    for mut t in prefixes {
        if !t.ends_with('/') {
            t.push('/');
        }
        if let Some(rest) = path.strip_prefix(t.as_str()) {
            return rest;
        }
    }
    path
}

fn compute_total(p: &Profile, idx: usize, mean: bool) -> i64 {
    let (mut div, mut total, mut ddiv, mut dtotal) = (0i64, 0i64, 0i64, 0i64);
    for s in &p.samples {
        let v = s.values[idx].wrapping_abs();
        let d = if mean { s.values[0] } else { 0 };
        total = total.wrapping_add(v);
        div = div.wrapping_add(d);
        if filter::is_diff_base_sample(p, s) {
            dtotal = dtotal.wrapping_add(v);
            ddiv = ddiv.wrapping_add(d);
        }
    }
    if dtotal > 0 {
        total = dtotal;
        div = ddiv;
    }
    if div != 0 {
        total / div
    } else {
        total
    }
}

/// pprof's `report.Generate`: renders `rpt` in its format. The caller (the driver, or an
/// embedder reproducing pprof's report library, as pprof's own report tests do) has filtered
/// and aggregated the profile; values, units, trimming and title are taken as given.
pub fn generate(mut rpt: Report) -> Result<ProfileReport, ReportError> {
    let o = &rpt.options;
    if rpt.prof.sample_types.is_empty() && o.sample_index > 0 {
        return Err(ReportError::NoSampleTypes);
    }
    let (text, legend, data) = match o.format {
        Format::Text => text::print_text(&mut rpt),
        Format::Tree => tree::print_tree(&mut rpt)?,
        Format::Traces => traces::print_traces(&mut rpt),
        Format::Tags => tags::print_tags(&mut rpt),
        Format::Comments => {
            let p = &rpt.prof;
            let cs: Vec<String> = p.comments.iter().map(|&c| p.str(c).to_string()).collect();
            let mut t = String::new();
            for c in &cs {
                t.push_str(c);
                t.push('\n');
            }
            (t, Vec::new(), ReportData::Comments(cs))
        }
        Format::Raw => (crate::pprof::raw::to_string(&rpt.prof), Vec::new(), ReportData::Raw),
        Format::Proto => {
            if rpt.options.ratio != 1.0 {
                crate::pprof::merge::scale(&mut rpt.prof, rpt.options.ratio);
            }
            (String::new(), Vec::new(), ReportData::Proto(crate::pprof::encode::encode(&rpt.prof)))
        }
        Format::Dot => dot::print_dot(&mut rpt),
        Format::Callgrind => callgrind::print_callgrind(&mut rpt),
        Format::List => source::print_source(&mut rpt)?,
        Format::TopProto => topproto::print_top_proto(&mut rpt),
        Format::WebList => match source::print_source(&mut rpt)? {
            (_, _, ReportData::List(blocks)) => (String::new(), super::legend::profile_labels(&rpt), ReportData::WebList(blocks)),
            other => other,
        },
        Format::Disasm => disasm::print_assembly(&mut rpt)?,
    };
    let o = rpt.options;
    Ok(ProfileReport {
        text,
        warnings: Vec::new(),
        legend,
        total: rpt.total,
        sample_type: o.sample_type,
        sample_unit: o.sample_unit,
        output_unit: o.output_unit,
        data,
        output: String::new(),
    })
}
