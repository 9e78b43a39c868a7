//! pprof's reports, byte for byte: `-top`/`-text`, `-tree`, `-peek`, `-traces`, `-tags`,
//! `-comments`, `-raw`, `-proto` and the DOT graph `-dot` (pprof's `internal/report`).
//!
//! A [`Report`] is a profile ready to print plus its [`Options`] (pprof's `report.Options`):
//! which value column, units, trimming, title. [`generate`] renders it into a [`ProfileReport`].
//! Nothing here knows about flags, filters or merging: [`crate::driver`] prepares the profile
//! and the options; [`crate::graph`] builds and trims the call graph; this module measures and
//! prints.

pub mod tabwriter;

mod callgrind;
mod disasm;
mod dot;
mod generate;
mod legend;
mod source;
mod tags;
mod text;
mod topproto;
mod traces;
mod tree;

pub use generate::{generate, Report};
pub(crate) use legend::{filter_labels, profile_labels};
pub(crate) use source::attach_instructions;

use std::collections::HashMap;

use regex::Regex;

/// What a report prints (pprof's `OutputFormat`s this crate produces).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `-top`/`-text`.
    Text,
    /// `-tree`, and `-peek` (with [`Options::symbol`]).
    Tree,
    /// `-traces`.
    Traces,
    /// `-tags`.
    Tags,
    /// `-comments`.
    Comments,
    /// `-raw`.
    Raw,
    /// `-proto`: the profile as gzipped profile.proto.
    Proto,
    /// `-dot`: the call graph in Graphviz DOT.
    Dot,
    /// `-callgrind`.
    Callgrind,
    /// `-topproto`: the top nodes as gzipped profile.proto.
    TopProto,
    /// `-list`: annotated source (with [`Options::symbol`]).
    List,
    /// `-weblist`: annotated source and assembly, a standalone HTML page.
    WebList,
    /// `-disasm`: annotated assembly.
    Disasm,
}

/// How to print a report (pprof's `report.Options`): the value column, units and trimming are
/// the caller's; nothing is filtered or aggregated here.
#[derive(Clone, Debug)]
pub struct Options {
    pub format: Format,
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
    /// Multiplier applied to values before printing (`1 / -divide_by`).
    pub ratio: f64,
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
    /// `key=value` of the filters applied, for the legend's "Active filters".
    pub active_filters: Vec<String>,
    /// Unit of each numeric label key (pprof `NumLabelUnits`).
    pub num_label_units: HashMap<String, String>,
    /// `-peek`'s regexp: the tree entries to print.
    pub symbol: Option<Regex>,
    /// DOT graph title; empty = `unnamed`.
    pub title: String,
    /// `-disasm`: the binary given for the profile (`--binary`), used for the mappings it matches.
    pub binary: Option<ObjectFile>,
    /// `-disasm`: Intel syntax rather than GNU (`-intel_syntax`).
    pub intel_syntax: bool,
}

/// An object file's path (as messages name it) and bytes.
#[derive(Clone)]
pub struct ObjectFile {
    pub path: String,
    pub data: std::sync::Arc<Vec<u8>>,
}

impl std::fmt::Debug for ObjectFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ObjectFile({}, {} bytes)", self.path, self.data.len())
    }
}

impl Options {
    /// No trimming, first value column, values printed as they are.
    pub fn new(format: Format) -> Self {
        Options {
            format,
            sample_index: 0,
            mean: false,
            sample_type: String::new(),
            sample_unit: String::new(),
            output_unit: String::new(),
            ratio: 1.0,
            node_count: 0,
            node_fraction: 0.0,
            edge_fraction: 0.0,
            cum_sort: false,
            call_tree: false,
            drop_negative: false,
            compact_labels: false,
            trim_path: String::new(),
            source_path: String::new(),
            active_filters: Vec::new(),
            num_label_units: HashMap::new(),
            symbol: None,
            title: String::new(),
            binary: None,
            intel_syntax: false,
        }
    }
}

/// A finished report: pprof's exact text plus the same content as data (FlatBuffers table
/// `ProfileReport`, TypeScript `ProfileReport`, docs/pprof-json.md).
#[derive(Clone, Debug, PartialEq)]
pub struct ProfileReport {
    /// Exactly what `go tool pprof` prints on stdout (empty for `-proto`).
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
    /// `-output`: the file the report is to be written to (the caller writes it); empty: none.
    pub output: String,
}

impl ProfileReport {
    /// [`Self::text`] as the bytes pprof prints: a profile string that was not UTF-8 is its
    /// own bytes again ([`crate::pprof::bytes`]).
    pub fn text_bytes(&self) -> std::borrow::Cow<'_, [u8]> {
        crate::pprof::bytes::to_bytes(&self.text)
    }
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
    /// `-dot`: the DOT is [`ProfileReport::text`].
    Dot(DotReport),
    /// `-callgrind`: the callgrind text is [`ProfileReport::text`].
    Callgrind,
    /// `-topproto`: gzipped profile.proto bytes.
    TopProto(Vec<u8>),
    /// `-list`: one block per function and source file.
    List(Vec<SourceFunction>),
    /// `-weblist`: the same blocks as `-list` (so the same numbers), which the HTML page shows;
    /// [`ProfileReport::text`] is empty and the legend is pprof's profile labels.
    WebList(Vec<SourceFunction>),
    /// `-disasm`: one block per binary symbol with samples.
    Disasm(Vec<AsmFunction>),
}

/// One `-disasm` block: a symbol of a binary and its instructions. Values are in sample
/// units; `*_label` are pprof's strings (`.` for a zero instruction value).
#[derive(Clone, Debug, PartialEq)]
pub struct AsmFunction {
    pub name: String,
    /// The object file the instructions were read from.
    pub binary: String,
    /// The symbol's address in that file.
    pub start: u64,
    pub flat: i64,
    pub flat_label: String,
    pub cum: i64,
    pub cum_label: String,
    /// cum relative to the report total.
    pub cum_pct: f64,
    pub instructions: Vec<AsmInstruction>,
}

/// A `-disasm` instruction: address, text (GNU or Intel syntax), the position the binary's
/// line table gives it (file base name) or its samples', and the samples' values.
#[derive(Clone, Debug, PartialEq)]
pub struct AsmInstruction {
    pub address: u64,
    pub text: String,
    /// The sampled function at this address; empty when it has no samples.
    pub function: String,
    pub file: String,
    pub line: i64,
    /// The function the binary's line table says the instruction is code of (inside inlined
    /// code: the inlined function); empty without a line table.
    pub source_function: String,
    pub flat: i64,
    pub flat_label: String,
    pub cum: i64,
    pub cum_label: String,
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

/// One `-list` block: a function's lines in one source file. Values are in sample units;
/// `*_label` are pprof's strings (`.` for a zero line value).
#[derive(Clone, Debug, PartialEq)]
pub struct SourceFunction {
    pub name: String,
    /// The file as the profile names it (after `-trim_path`); empty: the function has none.
    pub file: String,
    pub flat: i64,
    pub flat_label: String,
    pub cum: i64,
    pub cum_label: String,
    /// cum relative to the report total.
    pub cum_pct: f64,
    /// Why no lines are shown: the file could not be read (pprof's ` Error: …`), or
    /// `No source information for NAME`; empty otherwise.
    pub error: String,
    pub lines: Vec<SourceLine>,
}

/// A listed source line and the values of the samples on it.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceLine {
    pub line: i64,
    pub text: String,
    pub flat: i64,
    pub flat_label: String,
    pub cum: i64,
    pub cum_label: String,
    /// `-weblist` with the binary at hand: the instructions whose line info is this line of
    /// this function's file (pprof's expandable lines), in address order; empty otherwise.
    pub instructions: Vec<AsmInstruction>,
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
    /// String labels, keys sorted.
    pub labels: Vec<LabelValues>,
    /// Numeric labels, values formatted with their unit, keys sorted.
    pub num_labels: Vec<LabelValues>,
    pub value: i64,
    pub value_label: String,
    pub frames: Vec<TraceFrame>,
}

/// A label key and its values on one sample.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelValues {
    pub key: String,
    pub values: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TraceFrame {
    /// Shared by every frame of the same node (a report of 400 k samples has ~18 M frames
    /// and a few thousand names).
    pub name: std::sync::Arc<str>,
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

/// Why a report could not be printed (pprof's error text).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("profile has no samples")]
    NoSampleTypes,
    #[error("no matches found for regexp: {0}")]
    NoMatches(String),
    /// `weblist` (it needs the binary's instructions).
    #[error("report format {0:?} is not supported yet")]
    Unsupported(&'static str),
    /// `-disasm`'s wording (no colon, as pprof).
    #[error("no matches found for regexp {0}")]
    NoSymbolMatches(String),
    #[error("no matches found for address 0x{0:x}")]
    NoAddressMatches(u64),
    #[error("address 0x{0:x} found in binary, but the corresponding symbols do not have samples in the profile")]
    AddressWithoutSamples(u64),
    /// A binary that cannot be disassembled for this profile.
    #[error("disasm: cannot use the binary {path}: {reason}")]
    Binary { path: String, reason: String },
    /// No mapping with matching samples has a binary to read.
    #[error("disasm: no binary to read the instructions from ({0}); give the profile's binary with --binary")]
    NoBinary(String),
}
