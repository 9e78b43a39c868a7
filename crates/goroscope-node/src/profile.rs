//! pprof profiles for Node: `Profile.load` (off the main thread), reports with pprof's own
//! flags from a driver session kept with the profile, and `runPprof` for a whole pprof command
//! line. Loading, combining and reporting are the core driver's
//! (`goroscope_core::driver`); this module converts. Reports cross as one FlatBuffers
//! `goroscope.profile.ProfileReport`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use flatbuffers::{FlatBufferBuilder, WIPOffset};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use goroscope_core::driver::{self, fetch, Fetch, Invocation, Session, Source};
use goroscope_core::pprof::{self, Limits, Profile as CoreProfile};
use goroscope_core::report::{self, InlineMark, ProfileReport, ReportData};
use goroscope_core::source::MaxDecompressed;

use crate::error::{guard, settle, CoreError, NativeError};
use crate::profile_generated::goroscope::profile as fb;

/// A profile source from JS: a path or the bytes (gzip or not, proto or legacy text).
pub(crate) fn source_from_js(v: Either<String, Buffer>) -> Source {
    match v {
        Either::A(p) => Source::Path(PathBuf::from(p)),
        Either::B(b) => Source::Bytes { name: "<buffer>".into(), data: b.to_vec() },
    }
}

pub(crate) fn limits(max_decompressed: Option<f64>) -> Limits {
    let mut l = Limits::default();
    if let Some(m) = max_decompressed {
        if m.is_finite() && m > 0.0 {
            l.max_decompressed = MaxDecompressed(m as u64);
        }
    }
    l
}

fn parse_args(args: &[String]) -> std::result::Result<Invocation, CoreError> {
    Ok(driver::parse_command_line(&driver::flags_first(args)).map_err(driver::Error::from)?)
}

fn inline_mark(m: InlineMark) -> fb::InlineMark {
    match m {
        InlineMark::None => fb::InlineMark::None,
        InlineMark::Inline => fb::InlineMark::Inline,
        InlineMark::PartialInline => fb::InlineMark::PartialInline,
    }
}

type B<'a> = FlatBufferBuilder<'a>;

/// Profile strings into FlatBuffers, always valid UTF-8: a byte a profile string had that is not
/// UTF-8 (kept by the core, `pprof::bytes`) is U+FFFD here; a text report's own bytes travel in
/// `text_bytes`.
trait Utf8Strings<'a> {
    fn string(&mut self, s: &str) -> WIPOffset<&'a str>;
    fn shared(&mut self, s: &str) -> WIPOffset<&'a str>;
}

impl<'a> Utf8Strings<'a> for B<'a> {
    fn string(&mut self, s: &str) -> WIPOffset<&'a str> {
        self.create_string(&pprof::bytes::lossy(s))
    }
    fn shared(&mut self, s: &str) -> WIPOffset<&'a str> {
        self.create_shared_string(&pprof::bytes::lossy(s))
    }
}

fn strings<'a>(b: &mut B<'a>, v: &[String]) -> WIPOffset<flatbuffers::Vector<'a, flatbuffers::ForwardsUOffset<&'a str>>> {
    let v: Vec<_> = v.iter().map(|s| b.shared(s)).collect();
    b.create_vector(&v)
}

fn label_values<'a>(
    b: &mut B<'a>,
    v: &[report::LabelValues],
) -> WIPOffset<flatbuffers::Vector<'a, flatbuffers::ForwardsUOffset<fb::LabelValues<'a>>>> {
    let v: Vec<_> = v
        .iter()
        .map(|l| {
            let args = fb::LabelValuesArgs { key: Some(b.shared(&l.key)), values: Some(strings(b, &l.values)) };
            fb::LabelValues::create(b, &args)
        })
        .collect();
    b.create_vector(&v)
}

fn tree_edges<'a>(
    b: &mut B<'a>,
    v: &[report::TreeEdge],
) -> WIPOffset<flatbuffers::Vector<'a, flatbuffers::ForwardsUOffset<fb::TreeEdge<'a>>>> {
    let v: Vec<_> = v
        .iter()
        .map(|e| {
            let args = fb::TreeEdgeArgs {
                name: Some(b.shared(&e.name)),
                weight: e.weight,
                weight_label: Some(b.shared(&e.weight_label)),
                pct: e.pct,
                inline: e.inline,
                residual: e.residual,
            };
            fb::TreeEdge::create(b, &args)
        })
        .collect();
    b.create_vector(&v)
}

/// Serialise a report into one FlatBuffers buffer (root `goroscope.profile.ProfileReport`).
pub fn report_to_flatbuffer(r: &ProfileReport) -> Vec<u8> {
    let mut b = FlatBufferBuilder::with_capacity(64 * 1024);
    let text = b.string(&r.text);
    let warnings = strings(&mut b, &r.warnings);
    let legend = strings(&mut b, &r.legend);
    let sample_type = b.shared(&r.sample_type);
    let sample_unit = b.shared(&r.sample_unit);
    let output_unit = b.shared(&r.output_unit);
    let output = (!r.output.is_empty()).then(|| b.string(&r.output));
    let text_bytes = pprof::bytes::has_escapes(&r.text).then(|| b.create_vector(&r.text_bytes()));
    let mut args = fb::ProfileReportArgs {
        text: Some(text),
        text_bytes,
        warnings: Some(warnings),
        legend: Some(legend),
        total: r.total,
        sample_type: Some(sample_type),
        sample_unit: Some(sample_unit),
        output_unit: Some(output_unit),
        output,
        ..Default::default()
    };
    match &r.data {
        ReportData::Top(t) => {
            args.kind = fb::ReportKind::Top;
            args.shown_total = t.shown_total;
            args.dropped_nodes = t.dropped_nodes as u64;
            args.node_count_before_limit = t.node_count_before_limit as u64;
            let rows: Vec<_> = t
                .rows
                .iter()
                .map(|row| {
                    let a = fb::TopRowArgs {
                        flat: row.flat,
                        flat_label: Some(b.shared(&row.flat_label)),
                        flat_pct: row.flat_pct,
                        sum_pct: row.sum_pct,
                        cum: row.cum,
                        cum_label: Some(b.shared(&row.cum_label)),
                        cum_pct: row.cum_pct,
                        name: Some(b.shared(&row.name)),
                        inline: inline_mark(row.inline),
                    };
                    fb::TopRow::create(&mut b, &a)
                })
                .collect();
            args.top = Some(b.create_vector(&rows));
        }
        ReportData::Tree(t) => {
            args.kind = fb::ReportKind::Tree;
            args.shown_total = t.shown_total;
            args.dropped_nodes = t.dropped_nodes as u64;
            args.node_count_before_limit = t.node_count_before_limit as u64;
            let nodes: Vec<_> = t
                .nodes
                .iter()
                .map(|n| {
                    let callers = tree_edges(&mut b, &n.callers);
                    let callees = tree_edges(&mut b, &n.callees);
                    let a = fb::TreeNodeArgs {
                        name: Some(b.shared(&n.name)),
                        flat: n.flat,
                        flat_label: Some(b.shared(&n.flat_label)),
                        flat_pct: n.flat_pct,
                        sum_pct: n.sum_pct,
                        cum: n.cum,
                        cum_label: Some(b.shared(&n.cum_label)),
                        cum_pct: n.cum_pct,
                        callers: Some(callers),
                        callees: Some(callees),
                    };
                    fb::TreeNode::create(&mut b, &a)
                })
                .collect();
            args.tree = Some(b.create_vector(&nodes));
        }
        ReportData::Traces(t) => {
            args.kind = fb::ReportKind::Traces;
            // One TraceFrame table per distinct (name, inline), shared by every frame that has
            // it: the core shares each node's name (`Arc<str>`), and a profile of 400 k samples
            // has ~18 M frames but a few thousand distinct ones.
            let mut frame_tables: HashMap<(*const u8, bool), WIPOffset<fb::TraceFrame>> = HashMap::new();
            let samples: Vec<_> = t
                .samples
                .iter()
                .map(|s| {
                    let labels = label_values(&mut b, &s.labels);
                    let num_labels = label_values(&mut b, &s.num_labels);
                    let frames: Vec<_> = s
                        .frames
                        .iter()
                        .map(|f| {
                            *frame_tables.entry((f.name.as_ptr(), f.inline)).or_insert_with(|| {
                                let a = fb::TraceFrameArgs { name: Some(b.shared(&f.name)), inline: f.inline };
                                fb::TraceFrame::create(&mut b, &a)
                            })
                        })
                        .collect();
                    let frames = b.create_vector(&frames);
                    let a = fb::TraceSampleArgs {
                        labels: Some(labels),
                        num_labels: Some(num_labels),
                        value: s.value,
                        value_label: Some(b.shared(&s.value_label)),
                        frames: Some(frames),
                    };
                    fb::TraceSample::create(&mut b, &a)
                })
                .collect();
            args.traces = Some(b.create_vector(&samples));
        }
        ReportData::Tags(t) => {
            args.kind = fb::ReportKind::Tags;
            let keys: Vec<_> = t
                .keys
                .iter()
                .map(|k| {
                    let values: Vec<_> = k
                        .values
                        .iter()
                        .map(|v| {
                            let a = fb::TagValueArgs {
                                value: Some(b.shared(&v.value)),
                                weight: v.weight,
                                weight_label: Some(b.shared(&v.weight_label)),
                                pct: v.pct,
                            };
                            fb::TagValue::create(&mut b, &a)
                        })
                        .collect();
                    let values = b.create_vector(&values);
                    let a = fb::TagKeyArgs {
                        key: Some(b.shared(&k.key)),
                        total: k.total,
                        total_label: Some(b.shared(&k.total_label)),
                        pct: k.pct,
                        values: Some(values),
                    };
                    fb::TagKey::create(&mut b, &a)
                })
                .collect();
            args.tags = Some(b.create_vector(&keys));
        }
        ReportData::Comments(c) => {
            args.kind = fb::ReportKind::Comments;
            args.comments = Some(strings(&mut b, c));
        }
        ReportData::Raw => args.kind = fb::ReportKind::Raw,
        ReportData::Proto(bytes) => {
            args.kind = fb::ReportKind::Proto;
            args.proto = Some(b.create_vector(bytes));
        }
        // The callgrind text is `text`.
        ReportData::Callgrind => args.kind = fb::ReportKind::Callgrind,
        // The annotated assembly is `text` (as pprof's web UI shows it).
        ReportData::Disasm(_) => args.kind = fb::ReportKind::Disasm,
        ReportData::List(fns) | ReportData::WebList(fns) => {
            args.kind = if matches!(r.data, ReportData::List(_)) { fb::ReportKind::List } else { fb::ReportKind::WebList };
            let blocks: Vec<_> = fns
                .iter()
                .map(|f| {
                    let lines: Vec<_> = f
                        .lines
                        .iter()
                        .map(|l| {
                            let instructions: Vec<_> = l
                                .instructions
                                .iter()
                                .map(|i| {
                                    let a = fb::AsmInstructionArgs {
                                        address: i.address,
                                        text: Some(b.string(&i.text)),
                                        function: Some(b.shared(&i.function)),
                                        file: Some(b.shared(&i.file)),
                                        line: i.line,
                                        source_function: Some(b.shared(&i.source_function)),
                                        flat: i.flat,
                                        flat_label: Some(b.shared(&i.flat_label)),
                                        cum: i.cum,
                                        cum_label: Some(b.shared(&i.cum_label)),
                                    };
                                    fb::AsmInstruction::create(&mut b, &a)
                                })
                                .collect();
                            let instructions = b.create_vector(&instructions);
                            let a = fb::SourceLineArgs {
                                line: l.line,
                                text: Some(b.string(&l.text)),
                                flat: l.flat,
                                flat_label: Some(b.shared(&l.flat_label)),
                                cum: l.cum,
                                cum_label: Some(b.shared(&l.cum_label)),
                                instructions: Some(instructions),
                            };
                            fb::SourceLine::create(&mut b, &a)
                        })
                        .collect();
                    let lines = b.create_vector(&lines);
                    let a = fb::SourceFunctionArgs {
                        name: Some(b.shared(&f.name)),
                        file: Some(b.shared(&f.file)),
                        flat: f.flat,
                        flat_label: Some(b.shared(&f.flat_label)),
                        cum: f.cum,
                        cum_label: Some(b.shared(&f.cum_label)),
                        cum_pct: f.cum_pct,
                        error: Some(b.string(&f.error)),
                        lines: Some(lines),
                    };
                    fb::SourceFunction::create(&mut b, &a)
                })
                .collect();
            args.list = Some(b.create_vector(&blocks));
        }
        ReportData::TopProto(bytes) => {
            args.kind = fb::ReportKind::TopProto;
            args.proto = Some(b.create_vector(bytes));
        }
        ReportData::Dot(d) => {
            // The DOT itself is `text`.
            args.kind = fb::ReportKind::Dot;
            args.shown_total = d.shown_total;
            args.dropped_nodes = d.dropped_nodes as u64;
            args.node_count_before_limit = d.node_count_before_limit as u64;
        }
    }
    let root = fb::ProfileReport::create(&mut b, &args);
    b.finish(root, None);
    b.finished_data().to_vec()
}

fn value_type<'a>(b: &mut B<'a>, p: &CoreProfile, v: &pprof::ValueType) -> WIPOffset<fb::ValueType<'a>> {
    let a = fb::ValueTypeArgs {
        type_: Some(b.shared(p.str(v.kind))),
        unit: Some(b.shared(p.str(v.unit))),
    };
    fb::ValueType::create(b, &a)
}

fn info_to_flatbuffer(p: &CoreProfile) -> Vec<u8> {
    let mut b = FlatBufferBuilder::with_capacity(4096);
    let types: Vec<_> = p.sample_types.iter().map(|v| value_type(&mut b, p, v)).collect();
    let types = b.create_vector(&types);
    let period_type = value_type(&mut b, p, &p.period_type);
    let comments: Vec<String> = p.comments.iter().map(|c| p.str(*c).to_string()).collect();
    let comments = strings(&mut b, &comments);
    let dflt = b.string(p.str(p.default_sample_type));
    let a = fb::ProfileInfoArgs {
        sample_types: Some(types),
        default_sample_type: Some(dflt),
        samples: p.samples.len() as u64,
        locations: p.locations.len() as u64,
        functions: p.functions.len() as u64,
        mappings: p.mappings.len() as u64,
        period_type: Some(period_type),
        period: p.period,
        time_nanos: p.time_nanos,
        duration_nanos: p.duration_nanos,
        comments: Some(comments),
    };
    let root = fb::ProfileInfo::create(&mut b, &a);
    b.finish(root, None);
    b.finished_data().to_vec()
}

/// What a report's command line asks of fetching (its own sources and bases, and the options
/// that apply while fetching): a session fetched for the same can be reused.
#[derive(Clone, PartialEq, Debug)]
struct FetchKey {
    sources: Vec<String>,
    base: Vec<String>,
    diff_base: bool,
    normalize: bool,
    symbolize: String,
    comment: String,
    all_frames: bool,
}

impl FetchKey {
    fn of(f: &Fetch) -> FetchKey {
        let names = |v: &[Source]| v.iter().map(Source::name).collect();
        FetchKey {
            sources: names(&f.sources),
            base: names(&f.base),
            diff_base: f.diff_base,
            normalize: f.normalize,
            symbolize: f.symbolize.clone(),
            comment: f.comment.clone(),
            all_frames: f.all_frames,
        }
    }
}

/// The session a `Profile` answers reports from: fetched for the fetch options of the report
/// that needed it, kept while later reports ask for the same.
#[derive(Default)]
struct SessionCache {
    slot: Mutex<Option<(FetchKey, Arc<Session>)>>,
    /// Sessions fetched so far.
    fetches: AtomicU32,
}

pub struct LoadTask {
    sources: Vec<Source>,
    limits: Limits,
    binary: Option<PathBuf>,
}

impl Task for LoadTask {
    type Output = std::result::Result<(Vec<Arc<CoreProfile>>, usize), NativeError>;
    type JsValue = Profile;

    fn compute(&mut self) -> Result<Self::Output> {
        let sources = std::mem::take(&mut self.sources);
        let limits = self.limits;
        let binary = self.binary.take();
        Ok(guard(move || {
            let sources = fetch::load(sources, &limits, binary.as_deref(), "", &mut Vec::new())?;
            let bytes = sources.iter().map(|p| p.heap_bytes()).sum();
            Ok((sources, bytes))
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        let (sources, bytes) = settle(&env, output)?;
        Profile::new(&env, sources, bytes, self.limits, Vec::new())
    }
}

/// `Profile.reportRaw`: a report from the profile's session; with `flame_title`, the flame
/// graph of its refine (`Profile.flameReportRaw`).
pub struct ReportTask {
    sources: Vec<Arc<CoreProfile>>,
    cache: Arc<SessionCache>,
    args: Vec<String>,
    limits: Limits,
    flame_title: Option<String>,
}

impl ReportTask {
    /// The session for `inv`'s fetch options: the cached one, or fetched now.
    fn session(
        sources: Vec<Arc<CoreProfile>>,
        cache: &SessionCache,
        inv: &driver::Invocation,
        limits: Limits,
    ) -> std::result::Result<Arc<Session>, CoreError> {
        let key = FetchKey::of(&inv.fetch);
        // Held while fetching: concurrent reports on one profile wait for one fetch.
        let mut cached = cache.slot.lock().unwrap_or_else(|e| e.into_inner());
        Ok(match &*cached {
            Some((k, s)) if *k == key => s.clone(),
            _ => {
                let mut f = inv.fetch.clone();
                f.sources = sources.into_iter().map(Source::Profile).chain(f.sources).collect();
                f.limits = limits;
                let s = Arc::new(Session::new(f, driver::Config::default())?);
                cache.fetches.fetch_add(1, Ordering::Relaxed);
                *cached = Some((key, s.clone()));
                s
            }
        })
    }

    fn run(
        sources: Vec<Arc<CoreProfile>>,
        cache: &SessionCache,
        args: &[String],
        limits: Limits,
        flame_title: Option<&str>,
    ) -> std::result::Result<Vec<u8>, CoreError> {
        let inv = parse_args(args)?;
        let cmd = inv.command.clone().ok_or(driver::Error::NoCommand)?;
        let session = Self::session(sources, cache, &inv, limits)?;
        Ok(match flame_title {
            Some(title) => goroscope_core::flame::flame_report(&session, &inv.config, title)?.to_bytes(),
            None => report_to_flatbuffer(&session.report_with(&cmd, &inv.config)?),
        })
    }
}

impl Task for ReportTask {
    type Output = std::result::Result<Vec<u8>, NativeError>;
    type JsValue = Buffer;

    fn compute(&mut self) -> Result<Self::Output> {
        let sources = std::mem::take(&mut self.sources);
        let args = std::mem::take(&mut self.args);
        let (cache, limits, title) = (self.cache.clone(), self.limits, self.flame_title.take());
        Ok(guard(move || Self::run(sources, &cache, &args, limits, title.as_deref())))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        settle(&env, output).map(Buffer::from)
    }
}

/// `runPprofRaw`: a whole command line, fetched and reported once.
pub struct RunTask {
    args: Vec<String>,
    limits: Limits,
    binary: Option<PathBuf>,
}

impl Task for RunTask {
    type Output = std::result::Result<Vec<u8>, NativeError>;
    type JsValue = Buffer;

    fn compute(&mut self) -> Result<Self::Output> {
        let args = std::mem::take(&mut self.args);
        let (limits, binary) = (self.limits, self.binary.take());
        Ok(guard(move || {
            let mut inv = parse_args(&args)?;
            inv.fetch.limits = limits;
            inv.fetch.binary = binary;
            Ok(report_to_flatbuffer(&driver::run(inv)?))
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        settle(&env, output).map(Buffer::from)
    }
}

/// One or more pprof profiles loaded into native memory (several are merged by reports).
#[napi(custom_finalize)]
pub struct Profile {
    /// As loaded (and symbolized), for `info`, flame graphs and fetching sessions.
    pub(crate) sources: Vec<Arc<CoreProfile>>,
    pub(crate) limits: Limits,
    /// For a profile made from a goroutine dump (`profileFromStacks`): where hung goroutines
    /// are parked (see `goroscope_core::stacks::to_profile`); empty otherwise.
    pub(crate) hung: Vec<goroscope_core::stacks::to_profile::HungFunction>,
    session: Arc<SessionCache>,
    /// Heap bytes of `sources`, reported to V8 as kept alive by this object so that its
    /// collector runs (and frees them) when many profiles come and go, not only when JS objects
    /// pile up.
    external: i64,
}

impl ObjectFinalize for Profile {
    fn finalize(self, env: Env) -> Result<()> {
        env.adjust_external_memory(-self.external)?;
        Ok(())
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        let sources = std::mem::take(&mut self.sources);
        let hung = std::mem::take(&mut self.hung);
        crate::reclaim::later((sources, hung, Arc::clone(&self.session)));
    }
}

impl Profile {
    /// `external`: the sources' [`CoreProfile::heap_bytes`], measured off the JS thread.
    pub(crate) fn new(
        env: &Env,
        sources: Vec<Arc<CoreProfile>>,
        external: usize,
        limits: Limits,
        hung: Vec<goroscope_core::stacks::to_profile::HungFunction>,
    ) -> Result<Profile> {
        let external = i64::try_from(external).unwrap_or(i64::MAX);
        env.adjust_external_memory(external)?;
        Ok(Profile { sources, limits, hung, session: Arc::default(), external })
    }
}

#[napi]
impl Profile {
    /// Load profiles (paths or Buffers; gzip or not; profile.proto or Go's legacy text) off
    /// the main thread. `maxDecompressed` caps gzip output (bytes, default 4 GiB); `binary`
    /// (an ELF path) symbolizes address-only locations after loading.
    #[napi(ts_return_type = "Promise<Profile>")]
    pub fn load(inputs: Vec<Either<String, Buffer>>, max_decompressed: Option<f64>, binary: Option<String>) -> AsyncTask<LoadTask> {
        AsyncTask::new(LoadTask {
            sources: inputs.into_iter().map(source_from_js).collect(),
            limits: limits(max_decompressed),
            binary: binary.map(PathBuf::from),
        })
    }

    /// Sample types, counts, period and times of the first source, as a FlatBuffers
    /// `goroscope.profile.ProfileInfo`.
    #[napi]
    pub fn info_raw(&self) -> Buffer {
        info_to_flatbuffer(&self.sources[0]).into()
    }

    /// For a profile made from a goroutine dump: the functions where goroutines waiting at
    /// least `minWait` minutes are parked, most goroutines first (empty for other profiles).
    #[napi(getter)]
    pub fn hung_functions(&self) -> Vec<crate::render::HungFunction> {
        self.hung.iter().map(crate::render::HungFunction::from).collect()
    }

    /// Number of sources.
    #[napi(getter)]
    pub fn sources(&self) -> u32 {
        self.sources.len() as u32
    }

    /// How many times the sources were fetched (combined, base applied, `drop_frames`
    /// dropped) for reports: once, while the reports' sources, bases and fetch options stay
    /// the same.
    #[napi(getter)]
    pub fn fetches(&self) -> u32 {
        self.session.fetches.load(Ordering::Relaxed)
    }

    /// A report with pprof's flags (`["-top", "-nodecount=10"]`); resolves to a FlatBuffers
    /// `goroscope.profile.ProfileReport`. The profile is fetched once and kept (a driver
    /// session); a report that names other sources, bases or fetch options fetches again.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn report_raw(&self, args: Vec<String>) -> AsyncTask<ReportTask> {
        AsyncTask::new(ReportTask { sources: self.sources.clone(), cache: self.session.clone(), args, limits: self.limits, flame_title: None })
    }

    /// The flame graph of the profile refined by pprof's flags (`["-proto", "-focus=main"]`: a
    /// report command, then the filters), from the same session as `reportRaw`: the folded
    /// tree, pruned to what the page can draw, with its legend, as the bytes documented at
    /// `goroscope_core::flame::FlameReport::to_bytes`.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn flame_report_raw(&self, args: Vec<String>, title: String) -> AsyncTask<ReportTask> {
        AsyncTask::new(ReportTask {
            sources: self.sources.clone(),
            cache: self.session.clone(),
            args,
            limits: self.limits,
            flame_title: Some(title),
        })
    }
}

/// Run a whole pprof command line (`["-top", "cpu.pprof"]`): profile and base paths are
/// loaded natively (and symbolized from the ELF `binary` when given). Resolves to a FlatBuffers
/// `goroscope.profile.ProfileReport`.
#[napi(ts_return_type = "Promise<Buffer>")]
pub fn run_pprof_raw(args: Vec<String>, max_decompressed: Option<f64>, binary: Option<String>) -> AsyncTask<RunTask> {
    AsyncTask::new(RunTask { args, limits: limits(max_decompressed), binary: binary.map(PathBuf::from) })
}
