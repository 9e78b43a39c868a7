//! pprof's driver (`internal/driver`): from a command line or a [`Session`]'s settings to a
//! report. It owns the option model ([`Config`], [`flags`]), fetching and combining profiles
//! ([`fetch`]), the filters ([`focus`], [`tagroot`]) and the per-report steps of pprof's
//! `generateRawReport`: command overrides, numeric label units, report options, aggregation.
//! [`crate::report`] then prints; nothing below this module knows about flags.
//!
//! One-shot use is [`run`]; a shell ([`shell`]) or a web UI holds a [`Session`] and asks it for
//! reports.

pub mod command;
pub mod config;
pub mod fetch;
pub mod flags;
pub mod focus;
pub mod session;
pub mod shell;
pub mod tagroot;

pub use command::Command;
pub use config::{Config, ConfigError};
pub use fetch::{Fetch, FetchError, Source};
pub use flags::{flags_first, parse_command_line, FlagError, Invocation};
pub use session::Session;

use regex::Regex;

use crate::pprof::aggregate::{apply_granularity, Granularity};
use crate::pprof::{filter, Profile, ProfileError};
use crate::report::{self, ProfileReport, ReportError};

/// Why the driver produced no report (pprof's error text).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Flags(#[from] FlagError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("no profile source specified")]
    NoProfile,
    #[error("no output format specified")]
    NoCommand,
    #[error("report format {0:?} is not supported yet")]
    Unsupported(String),
    #[error("must have base profile to normalize by")]
    NormalizeWithoutBase,
    /// Combining the sources and bases failed.
    #[error("{0}")]
    Merge(ProfileError),
    #[error("profile has no samples")]
    NoSampleTypes,
    #[error("{0}")]
    SampleIndex(String),
    #[error("zero divisor specified")]
    ZeroDivisor,
    #[error(transparent)]
    Filter(#[from] focus::FilterError),
    #[error("parsing argument regexp {0}: {1}")]
    SymbolRegex(String, regex::Error),
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A shell line that names no report (`bogus`, `peek` without its regexp).
    #[error(transparent)]
    Shell(#[from] shell::ShellError),
}

/// The whole of `go tool pprof <flags> <sources>`: fetch the invocation's sources (and bases),
/// then its report.
pub fn run(inv: Invocation) -> Result<ProfileReport, Error> {
    if inv.fetch.sources.is_empty() {
        return Err(Error::NoProfile);
    }
    let session = Session::new(inv.fetch, inv.config)?;
    session.into_report(&inv.command.ok_or(Error::NoCommand)?)
}

/// pprof's `applyCommandOverrides`: what a command changes in the settings (no trimming for
/// `peek`, `raw` and `proto`; addresses for `raw` and `proto`; the default node count).
pub fn apply_command_overrides(cmd: &Command, cfg: &Config) -> Config {
    let mut cfg = cfg.clone();
    let mut trim = cfg.trim;
    match cmd {
        Command::Disasm(_) => {
            trim = false;
            cfg.granularity = "addresses".into();
            // One source line per address, or inlined frames would count twice.
            cfg.noinlines = true;
        }
        Command::Peek(_) => trim = false,
        // weblist shows `list`'s blocks; the instructions under each line come from a second,
        // `disasm` pass of the same profile (generate_report).
        Command::List(_) | Command::WebList(_) => {
            trim = false;
            cfg.granularity = "lines".into();
        }
        Command::Text | Command::Top | Command::TopProto => {
            cfg.nodecount.get_or_insert(0);
        }
        _ => {
            cfg.nodecount.get_or_insert(80);
        }
    }
    if matches!(cmd, Command::Raw | Command::Proto | Command::Callgrind) {
        trim = false;
        cfg.granularity = "addresses".into();
    }
    if !trim {
        cfg.nodecount = Some(0);
        cfg.nodefraction = 0.0;
        cfg.edgefraction = 0.0;
    }
    cfg
}

/// pprof's `identifyNumLabelUnits`: the unit of each numeric label key, with a warning for a
/// key seen with several units.
fn num_label_units(p: &Profile, warnings: &mut Vec<String>) -> std::collections::HashMap<String, String> {
    let (units, ignored) = filter::num_label_units(p);
    let mut ignored: Vec<_> = ignored.into_iter().collect();
    ignored.sort();
    for (k, us) in ignored {
        let used = units.get(&k).map_or("", |s| s.as_str());
        warnings.push(format!("For tag {k} used unit {used}, also encountered unit(s) {}", us.join(", ")));
    }
    units
}

/// pprof's `reportOptions` (and `sampleFormat`): the value column, units, trimming, filters
/// and title of the report `cfg` asks of `p`.
fn report_options(
    p: &Profile,
    cmd: &Command,
    format: report::Format,
    cfg: &Config,
    num_label_units: std::collections::HashMap<String, String>,
) -> Result<report::Options, Error> {
    if p.sample_types.is_empty() {
        return Err(Error::NoSampleTypes);
    }
    let index = crate::pprof::merge::sample_index_by_name(p, &cfg.sample_index).map_err(|e| match e {
        ProfileError::SampleIndex(m) => Error::SampleIndex(m),
        e => Error::SampleIndex(e.to_string()),
    })?;
    let st = p.sample_types[index];
    let mut sample_type = p.str(st.kind).to_string();
    if cfg.mean {
        sample_type = format!("mean_{sample_type}");
    }
    if cfg.divide_by == 0.0 {
        return Err(Error::ZeroDivisor);
    }
    let symbol = match cmd.symbol() {
        Some(re) => Some(Regex::new(re).map_err(|e| Error::SymbolRegex(re.to_string(), e))?),
        None => None,
    };
    let title = match p.mappings.first().map(|m| p.str(m.filename)) {
        Some(f) if !f.is_empty() => crate::graph::base_name(f).to_string(),
        _ => String::new(),
    };
    Ok(report::Options {
        format,
        sample_index: index,
        mean: cfg.mean,
        sample_type,
        sample_unit: p.str(st.unit).to_string(),
        output_unit: cfg.unit.clone(),
        ratio: 1.0 / cfg.divide_by,
        node_count: cfg.nodecount.unwrap_or(0),
        node_fraction: cfg.nodefraction,
        edge_fraction: cfg.edgefraction,
        cum_sort: cfg.sort == "cum",
        call_tree: cfg.call_tree,
        drop_negative: cfg.drop_negative,
        compact_labels: cfg.compact_labels,
        trim_path: cfg.trim_path.clone(),
        source_path: cfg.source_path.clone(),
        active_filters: focus::active_filters(cfg),
        num_label_units,
        symbol,
        title,
        binary: None,
        intel_syntax: cfg.intel_syntax,
    })
}

/// pprof's `generateRawReport` + `report.Generate`: the report `cmd` of a fetched profile `p`
/// (which it edits: filters and aggregation work in place) with the settings `cfg`. `warnings`
/// are the fetch's; the report's own follow them. `binary` is the one given with the profile.
pub fn generate_report(
    p: Profile,
    cmd: &Command,
    cfg: &Config,
    warnings: Vec<String>,
    binary: Option<report::ObjectFile>,
) -> Result<ProfileReport, Error> {
    let format = cmd.format().ok_or_else(|| Error::Unsupported(cmd.name().to_string()))?;
    // weblist: the same profile once more as `disasm` of the same regexp sees it (addresses,
    // no inlined frames: pprof -disasm's per-instruction values), for the lines' instructions.
    let asm = match cmd {
        Command::WebList(re) => Some((p.clone(), Command::Disasm(re.clone()))),
        _ => None,
    };
    let (mut rpt, cfg, warnings) = prepare_report(p, cmd, format, cfg, warnings)?;
    rpt.options.binary = binary.clone();
    let mut out = report::generate(rpt)?;
    if let (Some((p, disasm)), report::ReportData::WebList(blocks)) = (asm, &mut out.data) {
        // Without the binary (or with none of these symbols in it) the page is source only.
        if let Ok((mut rpt, _, _)) = prepare_report(p, &disasm, report::Format::Disasm, &cfg, Vec::new()) {
            rpt.options.binary = binary;
            if let Ok(report::ProfileReport { data: report::ReportData::Disasm(fns), .. }) = report::generate(rpt) {
                report::attach_instructions(blocks, fns);
            }
        }
    }
    if !cfg.output.is_empty() {
        out.output = cfg.output.clone();
    }
    out.warnings = warnings;
    Ok(out)
}

/// The first half of [`generate_report`]: `p` filtered, aggregated and ready for `format`
/// (also what the flame graph folds, [`crate::flame::flame_report`]), with the settings after
/// the command's overrides and the warnings so far.
pub(crate) fn prepare_report(
    mut p: Profile,
    cmd: &Command,
    format: report::Format,
    cfg: &Config,
    mut warnings: Vec<String>,
) -> Result<(report::Report, Config, Vec<String>), Error> {
    let units = num_label_units(&p, &mut warnings);
    let cfg = apply_command_overrides(cmd, cfg);
    // Label pseudo frames before filtering, so filters can match them.
    tagroot::generate(&mut p, &cfg.tagroot, &cfg.tagleaf, &cfg.unit, &mut warnings);
    let focus = focus::Focus::compile(&cfg, &mut warnings)?;
    // Focus after the report's total unless percentages are relative to the focused samples.
    let relative = cfg.relative_percentages;
    if relative {
        focus.apply(&mut p, &units, &mut warnings);
    }
    let options = report_options(&p, cmd, format, &cfg, units)?;
    let mut rpt = report::Report::new(p, options);
    if !relative {
        focus.apply(&mut rpt.prof, &rpt.options.num_label_units, &mut warnings);
    }
    apply_granularity(&mut rpt.prof, Granularity::from_name(&cfg.granularity), cfg.noinlines, cfg.showcolumns);
    if !cfg.output.is_empty() {
        warnings.push(format!("Generating report in {}", cfg.output));
    }
    Ok((rpt, cfg, warnings))
}
