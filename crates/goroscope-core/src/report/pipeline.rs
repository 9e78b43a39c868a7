//! The pprof driver pipeline for one report (`generateRawReport`): base/merge, drop_frames,
//! comment, command overrides, total, filters, aggregation, then the report itself.

use super::{dot, tags, text, traces, tree, Command, Options, ReportData, ReportError, ReportOutput};
use crate::graph::{self, NodeTable, TrimOptions, Trimmed};
use crate::measurement;
use crate::pprof::aggregate::{apply_granularity, Granularity};
use crate::pprof::filter::{self, TagFilter};
use crate::pprof::Profile;
use regex::Regex;
use std::collections::HashMap;
use std::sync::Arc;

/// Report settings after command overrides and sample-type resolution (pprof `report.Options`).
pub(crate) struct Ctx {
    pub prof: Profile,
    pub total: i64,
    pub value_index: usize,
    pub mean: bool,
    pub sample_type: String,
    pub sample_unit: String,
    pub output_unit: String,
    pub ratio: f64,
    pub node_count: usize,
    pub node_fraction: f64,
    pub edge_fraction: f64,
    pub cum_sort: bool,
    pub call_tree: bool,
    pub drop_negative: bool,
    pub compact_labels: bool,
    pub active_filters: Vec<String>,
    pub num_label_units: HashMap<String, String>,
    pub symbol: Option<Regex>,
    pub trim_path: String,
    pub source_path: String,
    pub warnings: Vec<String>,
    /// Graph title (pprof `Options.Title`): the driver uses the first mapping's file base name.
    pub title: String,
}

impl Ctx {
    /// pprof `rpt.formatValue`: apply `-divide_by`, then scale to the output unit.
    pub fn format_value(&self, v: i64) -> String {
        let mut v = v;
        if self.ratio > 0.0 && self.ratio != 1.0 {
            v = (v as f64 * self.ratio) as i64;
        }
        measurement::scaled_label(v, &self.sample_unit, &self.output_unit)
    }

    pub fn value(&self, vals: &[i64]) -> i64 {
        vals[self.value_index]
    }

    pub fn divisor(&self, vals: &[i64]) -> i64 {
        if self.mean {
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
        let table = Arc::new(NodeTable::new(p, false, false));
        let idx = self.value_index;
        let sv = move |v: &[i64]| v[idx];
        let dv = |v: &[i64]| v[0];
        let unit = self.output_unit.clone();
        let ft = move |v: i64, key: &str| measurement::scaled_label(v, key, &unit);
        let mut o = graph::Options::new(&sv);
        if self.mean {
            o.sample_mean_divisor = Some(&dv);
        }
        o.format_tag = Some(&ft);
        o.tags = visual;
        o.numeric_tag_keys =
            vec![("bytes".into(), self.num_label_units.get("bytes").cloned().unwrap_or_default())];
        // pprof honours -call_tree only for dot and callgrind.
        o.call_tree = self.call_tree && visual;
        o.drop_negative = self.drop_negative;
        let t = TrimOptions {
            node_count: self.node_count,
            node_fraction: self.node_fraction,
            edge_fraction: self.edge_fraction,
            visual,
            cum_sort: self.cum_sort,
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
                    let t = trim_path(&s, &self.trim_path, &self.source_path);
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
        if self.output_unit != "minimum" || g.nodes.is_empty() {
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
        let r = self.ratio;
        if r > 0.0 && r != 1.0 {
            min = (min as f64 * r) as i64;
            max = (max as f64 * r) as i64;
        }
        let (_, min_unit) = measurement::scale(min, &self.sample_unit, "minimum");
        let (_, max_unit) = measurement::scale(max, &self.sample_unit, "minimum");
        let mut unit = min_unit.clone();
        if min_unit != max_unit && min.wrapping_mul(100) < max && !callgrind {
            unit = measurement::scale(min.wrapping_mul(100), &self.sample_unit, "minimum").1;
        }
        self.output_unit = if unit.is_empty() { self.sample_unit.clone() } else { unit };
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

struct Focus {
    focus: Option<Regex>,
    ignore: Option<Regex>,
    hide: Option<Regex>,
    show: Option<Regex>,
    show_from: Option<Regex>,
    tag_focus: Option<TagFilter>,
    tag_ignore: Option<TagFilter>,
    prune_from: Option<Regex>,
    tag_show: Option<Regex>,
    tag_hide: Option<Regex>,
}

fn compile_tag(name: &str, value: &str, warnings: &mut Vec<String>) -> Result<Option<TagFilter>, ReportError> {
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

fn compile_focus(o: &Options, warnings: &mut Vec<String>) -> Result<Focus, ReportError> {
    let focus = filter::compile_regex("focus", &o.focus)?;
    let ignore = filter::compile_regex("ignore", &o.ignore)?;
    let hide = filter::compile_regex("hide", &o.hide)?;
    let show = filter::compile_regex("show", &o.show)?;
    let show_from = filter::compile_regex("show_from", &o.show_from)?;
    let tag_focus = compile_tag("tagfocus", &o.tag_focus, warnings)?;
    let tag_ignore = compile_tag("tagignore", &o.tag_ignore, warnings)?;
    let prune_from = filter::compile_regex("prune_from", &o.prune_from)?;
    let tag_show = filter::compile_regex("tagshow", &o.tag_show)?;
    let tag_hide = filter::compile_regex("taghide", &o.tag_hide)?;
    Ok(Focus { focus, ignore, hide, show, show_from, tag_focus, tag_ignore, prune_from, tag_show, tag_hide })
}

fn apply_focus(p: &mut Profile, f: &Focus, units: &HashMap<String, String>, warnings: &mut Vec<String>) {
    let mut warn = |ok: bool, what: &str| {
        if !ok {
            warnings.push(format!("{what} expression matched no samples"));
        }
    };
    let m = filter::filter_samples_by_name(p, f.focus.as_ref(), f.ignore.as_ref(), f.hide.as_ref(), f.show.as_ref());
    warn(f.focus.is_none() || m.focus, "Focus");
    warn(f.ignore.is_none() || m.ignore, "Ignore");
    warn(f.hide.is_none() || m.hide, "Hide");
    warn(f.show.is_none() || m.show, "Show");
    let sfm = filter::show_from(p, f.show_from.as_ref());
    warn(f.show_from.is_none() || sfm, "ShowFrom");
    let (tfm, tim) = filter::filter_samples_by_tag(p, f.tag_focus.as_ref(), f.tag_ignore.as_ref(), units);
    warn(f.tag_focus.is_none() || tfm, "TagFocus");
    warn(f.tag_ignore.is_none() || tim, "TagIgnore");
    let (tns, tnh) = filter::filter_tags_by_name(p, f.tag_show.as_ref(), f.tag_hide.as_ref());
    warn(f.tag_show.is_none() || tns, "TagShow");
    warn(f.tag_hide.is_none() || tnh, "TagHide");
    if let Some(re) = &f.prune_from {
        filter::prune_from(p, re);
    }
}

/// Produces the report `opts.command` for `profiles` (merged when several), optionally against
/// `base` profiles (`-base`, or `-diff_base` when `opts.diff_base`).
pub fn run(profiles: Vec<Profile>, base: Option<Vec<Profile>>, opts: &Options) -> Result<ReportOutput, ReportError> {
    let cmd = opts.command.clone().ok_or(ReportError::NoCommand)?;
    if let Command::Other(name, _) = &cmd {
        return Err(ReportError::Unsupported(name.clone()));
    }
    let base = base.filter(|b| !b.is_empty());
    if opts.normalize && base.is_none() {
        return Err(ReportError::NormalizeWithoutBase);
    }
    let mut p = combine(profiles, base, opts)?;
    let mut warnings = Vec::new();

    if !opts.all_frames {
        // pprof ignores an invalid drop_frames/keep_frames expression; so do we, with a warning.
        if let Err(e) = crate::pprof::prune::remove_uninteresting(&mut p) {
            warnings.push(e.to_string());
        }
    }
    if !opts.add_comment.is_empty() {
        p.strings.push(opts.add_comment.clone());
        let s = (p.strings.len() - 1) as u32;
        p.comments.push(s);
    }
    let (units, ignored) = filter::num_label_units(&p);
    let mut ignored: Vec<_> = ignored.into_iter().collect();
    ignored.sort();
    for (k, us) in ignored {
        warnings.push(format!(
            "For tag {} used unit {}, also encountered unit(s) {}",
            k,
            units.get(&k).map_or("", |s| s.as_str()),
            us.join(", ")
        ));
    }

    // applyCommandOverrides
    let mut trim = opts.trim;
    let mut granularity = opts.granularity;
    let mut node_count = opts.node_count;
    match &cmd {
        Command::Peek(_) => trim = false,
        Command::Text | Command::Top => {
            node_count.get_or_insert(0);
        }
        _ => {
            node_count.get_or_insert(80);
        }
    }
    if matches!(cmd, Command::Raw | Command::Proto) {
        trim = false;
        granularity = Some(Granularity::Addresses);
    }
    let (mut node_count, mut node_fraction, mut edge_fraction) =
        (node_count.unwrap_or(0), opts.node_fraction, opts.edge_fraction);
    if !trim {
        node_count = 0;
        node_fraction = 0.0;
        edge_fraction = 0.0;
    }

    // Label pseudo frames before filtering, so filters can match them.
    let keys = |s: &str| -> Vec<String> { s.split(',').filter(|k| !k.is_empty()).map(String::from).collect() };
    let (rootm, leafm) = filter::add_label_nodes(&mut p, &keys(&opts.tag_root), &keys(&opts.tag_leaf), &opts.unit);
    if !opts.tag_root.is_empty() && !rootm {
        warnings.push("TagRoot expression matched no samples".into());
    }
    if !opts.tag_leaf.is_empty() && !leafm {
        warnings.push("TagLeaf expression matched no samples".into());
    }

    let focus = compile_focus(opts, &mut warnings)?;
    let relative = opts.relative_percentages;
    if relative {
        apply_focus(&mut p, &focus, &units, &mut warnings);
    }

    // reportOptions
    if p.sample_types.is_empty() {
        return Err(ReportError::NoSampleTypes);
    }
    let idx = crate::pprof::merge::sample_index_by_name(&p, opts.sample_index.as_deref().unwrap_or(""))
        .map_err(|e| match e {
            crate::pprof::ProfileError::SampleIndex(m) => ReportError::SampleIndex(m),
            e => ReportError::SampleIndex(e.to_string()),
        })?;
    let st = p.sample_types[idx];
    let mut sample_type = p.str(st.kind).to_string();
    if opts.mean {
        sample_type = format!("mean_{sample_type}");
    }
    if opts.divide_by == 0.0 {
        return Err(ReportError::ZeroDivisor);
    }
    let mut active_filters = Vec::new();
    for (k, v) in [
        ("focus", &opts.focus),
        ("ignore", &opts.ignore),
        ("hide", &opts.hide),
        ("show", &opts.show),
        ("show_from", &opts.show_from),
        ("tagfocus", &opts.tag_focus),
        ("tagignore", &opts.tag_ignore),
        ("tagshow", &opts.tag_show),
        ("taghide", &opts.tag_hide),
    ] {
        if !v.is_empty() {
            active_filters.push(format!("{k}={v}"));
        }
    }
    let symbol = match &cmd {
        Command::Peek(re) => Some(Regex::new(re).map_err(|e| ReportError::SymbolRegex(re.clone(), e))?),
        _ => None,
    };
    let total = compute_total(&p, idx, opts.mean);
    if !relative {
        apply_focus(&mut p, &focus, &units, &mut warnings);
    }
    apply_granularity(&mut p, granularity, opts.no_inlines, opts.show_columns);

    let sample_unit = p.str(st.unit).to_string();
    let mut ctx = Ctx {
        prof: p,
        total,
        value_index: idx,
        mean: opts.mean,
        sample_type,
        sample_unit,
        output_unit: opts.unit.clone(),
        ratio: 1.0 / opts.divide_by,
        node_count,
        node_fraction,
        edge_fraction,
        cum_sort: opts.cum_sort,
        call_tree: opts.call_tree,
        drop_negative: opts.drop_negative,
        compact_labels: opts.compact_labels,
        active_filters,
        num_label_units: units,
        symbol,
        trim_path: opts.trim_path.clone(),
        source_path: opts.source_path.clone(),
        warnings,
        title: String::new(),
    };
    if let Some(m) = ctx.prof.mappings.first() {
        let f = ctx.prof.str(m.filename);
        if !f.is_empty() {
            ctx.title = crate::graph::base_name(f).to_string();
        }
    }
    render(ctx, cmd)
}

/// pprof's report library (`report.New` + `report.Generate`) without the driver: no merging,
/// drop_frames, filters, granularity aggregation or command overrides; values, units, trimming
/// and title exactly as given. For embedders reproducing library calls (pprof's own report
/// tests use it: `source.dot`).
pub fn generate(p: Profile, o: &super::LibraryOptions) -> Result<ReportOutput, ReportError> {
    let cmd = o.command.clone();
    if p.sample_types.is_empty() && o.sample_index > 0 {
        return Err(ReportError::NoSampleTypes);
    }
    if o.divide_by == 0.0 {
        return Err(ReportError::ZeroDivisor);
    }
    let total = compute_total(&p, o.sample_index, o.mean);
    let (units, _) = filter::num_label_units(&p);
    let symbol = match &cmd {
        Command::Peek(re) => Some(Regex::new(re).map_err(|e| ReportError::SymbolRegex(re.clone(), e))?),
        _ => None,
    };
    let ctx = Ctx {
        prof: p,
        total,
        value_index: o.sample_index,
        mean: o.mean,
        sample_type: o.sample_type.clone(),
        sample_unit: o.sample_unit.clone(),
        output_unit: o.output_unit.clone(),
        ratio: 1.0 / o.divide_by,
        node_count: o.node_count,
        node_fraction: o.node_fraction,
        edge_fraction: o.edge_fraction,
        cum_sort: o.cum_sort,
        call_tree: o.call_tree,
        drop_negative: o.drop_negative,
        compact_labels: o.compact_labels,
        active_filters: Vec::new(),
        num_label_units: units,
        symbol,
        trim_path: o.trim_path.clone(),
        source_path: o.source_path.clone(),
        warnings: Vec::new(),
        title: o.title.clone(),
    };
    render(ctx, cmd)
}

/// The report itself, once the profile and settings are final.
fn render(mut ctx: Ctx, cmd: Command) -> Result<ReportOutput, ReportError> {
    let (text, legend, data) = match cmd {
        Command::Top | Command::Text => text::print_text(&mut ctx),
        Command::Tree | Command::Peek(_) => tree::print_tree(&mut ctx)?,
        Command::Traces => traces::print_traces(&mut ctx),
        Command::Tags => tags::print_tags(&mut ctx),
        Command::Comments => {
            let cs: Vec<String> = ctx.prof.comments.iter().map(|&c| ctx.prof.str(c).to_string()).collect();
            let mut t = String::new();
            for c in &cs {
                t.push_str(c);
                t.push('\n');
            }
            (t, Vec::new(), ReportData::Comments(cs))
        }
        Command::Raw => (crate::pprof::raw::to_string(&ctx.prof), Vec::new(), ReportData::Raw),
        Command::Proto => {
            if ctx.ratio != 1.0 {
                crate::pprof::merge::scale(&mut ctx.prof, ctx.ratio);
            }
            (String::new(), Vec::new(), ReportData::Proto(crate::pprof::encode::encode(&ctx.prof)))
        }
        Command::Dot => dot::print_dot(&mut ctx),
        Command::Other(n, _) => return Err(ReportError::Unsupported(n)),
    };
    Ok(ReportOutput {
        text,
        warnings: ctx.warnings,
        legend,
        total: ctx.total,
        sample_type: ctx.sample_type,
        sample_unit: ctx.sample_unit,
        output_unit: ctx.output_unit,
        data,
    })
}

/// Merges sources and applies the base (fetch stage of the pprof driver).
fn combine(mut profiles: Vec<Profile>, mut base: Option<Vec<Profile>>, opts: &Options) -> Result<Profile, ReportError> {
    if profiles.is_empty() {
        return Err(ReportError::NoProfile);
    }
    for p in profiles.iter_mut().chain(base.iter_mut().flatten()) {
        crate::pprof::add_fake_mapping_if_none(p);
    }
    if profiles.len() == 1 && base.is_none() {
        return Ok(profiles.pop().unwrap());
    }
    crate::pprof::merge::prepare(profiles, base.unwrap_or_default(), opts.diff_base, opts.normalize)
        .map_err(|e| ReportError::Profile(e.to_string()))
}
