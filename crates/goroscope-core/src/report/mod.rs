//! pprof's text reports, byte for byte: `-top`/`-text`, `-tree`, `-peek`, `-traces`, `-tags`,
//! `-comments`, `-raw`, and the DOT graph `-dot`. [`run`] is the whole `go tool pprof <format> [flags] <profile>` pipeline
//! after the profiles are loaded: merge/base, drop_frames, filters, aggregation, report.
//!
//! Layers: `pprof::filter`/`pprof::aggregate` edit the profile, [`crate::graph`] builds and
//! trims the call graph, this module measures and prints. [`flags`] parses pprof's command line.

pub mod flags;
pub mod tabwriter;

mod dot;
mod legend;
mod pipeline;
mod tags;
mod text;
mod traces;
mod tree;

pub use flags::{parse_args, FlagError};
pub use pipeline::{generate, run};

use crate::pprof::aggregate::Granularity;

/// The report to produce (pprof's output-format flags).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `-top` (same as `-text`).
    Top,
    /// `-text`.
    Text,
    /// `-tree`.
    Tree,
    /// `-peek=REGEX`: tree entries whose name matches.
    Peek(String),
    /// `-traces`.
    Traces,
    /// `-tags`.
    Tags,
    /// `-comments`.
    Comments,
    /// `-raw`.
    Raw,
    /// `-proto`: the profile after filtering, as gzipped profile.proto.
    Proto,
    /// `-dot`: the call graph in Graphviz DOT. The image formats (`-svg`, `-png`, `-web`, …)
    /// stay [`Command::Other`]; [`Command::is_dot_image`] tells which of them draw this DOT.
    Dot,
    /// A pprof format this crate does not produce yet (`dot`, `svg`, `list`, `callgrind`, …),
    /// with its argument for the regexp-taking ones.
    Other(String, Option<String>),
}

impl Command {
    /// The pprof command name.
    pub fn name(&self) -> &str {
        match self {
            Command::Top => "top",
            Command::Text => "text",
            Command::Tree => "tree",
            Command::Peek(_) => "peek",
            Command::Traces => "traces",
            Command::Tags => "tags",
            Command::Comments => "comments",
            Command::Raw => "raw",
            Command::Proto => "proto",
            Command::Dot => "dot",
            Command::Other(n, _) => n,
        }
    }

    /// True for the formats pprof renders by piping [`Command::Dot`]'s output through Graphviz
    /// (`dot -T<format>`): svg, web, png, pdf, gif, ps, eog, evince, gv.
    pub fn is_dot_image(&self) -> bool {
        matches!(self, Command::Other(n, None)
            if matches!(n.as_str(), "svg" | "web" | "png" | "pdf" | "gif" | "ps" | "eog" | "evince" | "gv"))
    }
}

/// Everything pprof's flags control for a report. `Default` = pprof's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub command: Option<Command>,

    // Value selection.
    /// `-sample_index` (name or number; legacy flags like `-alloc_space` set it). None = default.
    pub sample_index: Option<String>,
    /// `-mean`: divide by the first sample value (count).
    pub mean: bool,
    /// `-divide_by`.
    pub divide_by: f64,
    /// `-unit` (`minimum`, `auto` or a unit name).
    pub unit: String,

    // Trimming.
    /// `-nodecount`; None = the format's default (unlimited for text, 80 otherwise).
    pub node_count: Option<usize>,
    pub node_fraction: f64,
    pub edge_fraction: f64,
    /// `-trim` (false turns node count and fractions off).
    pub trim: bool,

    // Filters (empty = unset).
    pub focus: String,
    pub ignore: String,
    pub hide: String,
    pub show: String,
    pub show_from: String,
    pub prune_from: String,
    pub tag_focus: String,
    pub tag_ignore: String,
    pub tag_show: String,
    pub tag_hide: String,
    pub tag_root: String,
    pub tag_leaf: String,

    // Granularity.
    pub granularity: Option<Granularity>,
    pub no_inlines: bool,
    pub show_columns: bool,

    // Display.
    /// `-cum`: sort by cumulative value.
    pub cum_sort: bool,
    pub call_tree: bool,
    pub drop_negative: bool,
    pub relative_percentages: bool,
    pub compact_labels: bool,
    pub trim_path: String,
    pub source_path: String,

    // Sources.
    /// `-base`/`-diff_base` sources (for the caller to load; [`run`] takes the profiles).
    pub base: Vec<String>,
    /// The base sources are `-diff_base` (percentages relative to the base).
    pub diff_base: bool,
    /// `-normalize`: scale the profile to the base's totals.
    pub normalize: bool,
    /// `-all_frames`: do not apply drop_frames/keep_frames.
    pub all_frames: bool,
    /// `-add_comment`.
    pub add_comment: String,
    /// `-symbolize` (accepted; profiles are used as they are).
    pub symbolize: String,
    /// `-output` (accepted; the caller writes [`ReportOutput::text`]).
    pub output: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            command: None,
            sample_index: None,
            mean: false,
            divide_by: 1.0,
            unit: "minimum".into(),
            node_count: None,
            node_fraction: 0.005,
            edge_fraction: 0.001,
            trim: true,
            focus: String::new(),
            ignore: String::new(),
            hide: String::new(),
            show: String::new(),
            show_from: String::new(),
            prune_from: String::new(),
            tag_focus: String::new(),
            tag_ignore: String::new(),
            tag_show: String::new(),
            tag_hide: String::new(),
            tag_root: String::new(),
            tag_leaf: String::new(),
            granularity: None,
            no_inlines: false,
            show_columns: false,
            cum_sort: false,
            call_tree: false,
            drop_negative: false,
            relative_percentages: false,
            compact_labels: false,
            trim_path: String::new(),
            source_path: String::new(),
            base: Vec::new(),
            diff_base: false,
            normalize: false,
            all_frames: false,
            add_comment: String::new(),
            symbolize: String::new(),
            output: String::new(),
        }
    }
}

/// Settings of [`generate`], pprof's report library (`report.Options`) without the driver:
/// the caller picks the value column, units and trimming; nothing is filtered or aggregated.
#[derive(Clone, Debug, PartialEq)]
pub struct LibraryOptions {
    pub command: Command,
    /// Index into `Sample::values` (pprof `SampleValue`).
    pub sample_index: usize,
    /// Divide by the first value (`SampleMeanDivisor`).
    pub mean: bool,
    /// Shown as `Type:` in legends; empty = no such line.
    pub sample_type: String,
    /// Unit of the sample values.
    pub sample_unit: String,
    /// Unit to print values in: `minimum`, `auto`, a unit name, or empty (values as they are).
    pub output_unit: String,
    pub divide_by: f64,
    /// 0 = no limit.
    pub node_count: usize,
    pub node_fraction: f64,
    pub edge_fraction: f64,
    pub cum_sort: bool,
    pub call_tree: bool,
    pub drop_negative: bool,
    pub compact_labels: bool,
    pub trim_path: String,
    pub source_path: String,
    /// DOT graph title; empty = `unnamed`.
    pub title: String,
}

impl LibraryOptions {
    /// No trimming, first value column, values printed as they are.
    pub fn new(command: Command) -> Self {
        LibraryOptions {
            command,
            sample_index: 0,
            mean: false,
            sample_type: String::new(),
            sample_unit: String::new(),
            output_unit: String::new(),
            divide_by: 1.0,
            node_count: 0,
            node_fraction: 0.0,
            edge_fraction: 0.0,
            cum_sort: false,
            call_tree: false,
            drop_negative: false,
            compact_labels: false,
            trim_path: String::new(),
            source_path: String::new(),
            title: String::new(),
        }
    }
}

/// A finished report: pprof's exact text plus the same content as data.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportOutput {
    /// Exactly what `go tool pprof` prints on stdout.
    pub text: String,
    /// What pprof prints on stderr (filter warnings, "Interpreted … as range").
    pub warnings: Vec<String>,
    /// The legend lines (file, type, time, "Showing nodes …"); empty for raw/comments/tags.
    pub legend: Vec<String>,
    /// Report total in sample units (what percentages are relative to).
    pub total: i64,
    /// Sample type shown (`cpu`, `alloc_space`, `mean_delay`, …) and its unit.
    pub sample_type: String,
    pub sample_unit: String,
    /// Unit the values were formatted in (after `-unit`/minimum selection).
    pub output_unit: String,
    pub data: ReportData,
}

/// Structured content of a report.
#[derive(Clone, Debug, PartialEq)]
pub enum ReportData {
    Top(TopReport),
    Tree(TreeReport),
    Traces(TracesReport),
    Tags(TagsReport),
    Comments(Vec<String>),
    Raw,
    /// `-proto`: gzipped profile.proto bytes.
    Proto(Vec<u8>),
    /// `-dot`: the DOT is [`ReportOutput::text`].
    Dot(DotReport),
}

/// `-dot`: what the drawn graph holds.
#[derive(Clone, Debug, PartialEq)]
pub struct DotReport {
    /// Graph name (`digraph "<title>"`): base name of the first mapping's file, else `unnamed`.
    pub title: String,
    /// Nodes drawn (without nodelets).
    pub nodes: usize,
    /// Edges drawn (without nodelet edges).
    pub edges: usize,
    /// Σ flat of the drawn nodes.
    pub shown_total: i64,
    pub dropped_nodes: usize,
    /// Edges dropped under the edge cutoff.
    pub dropped_edges: usize,
    /// Nodes before top-N selection.
    pub node_count_before_limit: usize,
}

/// Whether a node was reached through inlined calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InlineMark {
    /// Not inlined (no marker).
    None,
    /// Every caller edge is inline: ` (inline)`.
    Inline,
    /// Some caller edges are inline: ` (partial-inline)`.
    PartialInline,
}

/// `-top`/`-text`.
#[derive(Clone, Debug, PartialEq)]
pub struct TopReport {
    pub rows: Vec<TopRow>,
    /// Σ flat of the rows.
    pub shown_total: i64,
    pub dropped_nodes: usize,
    /// Nodes before top-N selection.
    pub node_count_before_limit: usize,
}

/// One `-top` line. Values are in sample units (×divide_by); `*_label` are pprof's strings;
/// percentages are relative to the report total.
#[derive(Clone, Debug, PartialEq)]
pub struct TopRow {
    pub flat: i64,
    pub flat_label: String,
    pub flat_pct: f64,
    pub sum_pct: f64,
    pub cum: i64,
    pub cum_label: String,
    pub cum_pct: f64,
    pub name: String,
    pub inline: InlineMark,
}

/// `-tree` / `-peek`.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeReport {
    pub nodes: Vec<TreeNode>,
    pub shown_total: i64,
    pub dropped_nodes: usize,
    pub node_count_before_limit: usize,
}

/// One tree block: callers, the node, callees.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeNode {
    pub name: String,
    pub flat: i64,
    pub flat_label: String,
    pub flat_pct: f64,
    pub sum_pct: f64,
    pub cum: i64,
    pub cum_label: String,
    pub cum_pct: f64,
    pub callers: Vec<TreeEdge>,
    pub callees: Vec<TreeEdge>,
}

/// A caller or callee line; `pct` is relative to the node's cum.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeEdge {
    pub name: String,
    pub weight: i64,
    pub weight_label: String,
    pub pct: f64,
    pub inline: bool,
    pub residual: bool,
}

/// `-traces`.
#[derive(Clone, Debug, PartialEq)]
pub struct TracesReport {
    pub samples: Vec<TraceSample>,
}

/// One sample: labels, value, stack (leaf first).
#[derive(Clone, Debug, PartialEq)]
pub struct TraceSample {
    /// String labels: key and values, keys sorted.
    pub labels: Vec<(String, Vec<String>)>,
    /// Numeric labels: key and formatted values (with unit), keys sorted.
    pub num_labels: Vec<(String, Vec<String>)>,
    pub value: i64,
    pub value_label: String,
    pub frames: Vec<TraceFrame>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TraceFrame {
    pub name: String,
    pub inline: bool,
}

/// `-tags`.
#[derive(Clone, Debug, PartialEq)]
pub struct TagsReport {
    pub keys: Vec<TagKey>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TagKey {
    pub key: String,
    pub total: i64,
    pub total_label: String,
    pub pct: f64,
    pub values: Vec<TagValue>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TagValue {
    pub value: String,
    pub weight: i64,
    pub weight_label: String,
    pub pct: f64,
}

/// Why a report could not be produced (pprof's error text).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("no profile source specified")]
    NoProfile,
    #[error("profile has no samples")]
    NoSampleTypes,
    #[error("{0}")]
    SampleIndex(String),
    #[error("zero divisor specified")]
    ZeroDivisor,
    #[error(transparent)]
    Filter(#[from] crate::pprof::filter::FilterError),
    #[error("parsing argument regexp {0}: {1}")]
    SymbolRegex(String, regex::Error),
    #[error("no matches found for regexp: {0}")]
    NoMatches(String),
    #[error("must have base profile to normalize by")]
    NormalizeWithoutBase,
    #[error("{0}")]
    Profile(String),
    #[error("report format {0:?} is not supported yet")]
    Unsupported(String),
    #[error("no output format specified")]
    NoCommand,
}
