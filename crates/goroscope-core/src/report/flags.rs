//! pprof's command line (Go `flag` syntax): `-flag`, `--flag`, `-flag=value`, `-flag value`
//! (non-boolean flags), `-bool=false`; parsing stops at the first non-flag argument or `--`.

use super::{Command, Options};
use crate::pprof::aggregate::Granularity;

/// A command-line error (pprof's wording where it has one).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FlagError {
    #[error("flag provided but not defined: -{0}")]
    Unknown(String),
    #[error("flag needs an argument: -{0}")]
    MissingValue(String),
    #[error("invalid value {value:?} for flag -{flag}: {reason}")]
    BadValue { flag: String, value: String, reason: String },
    #[error("bad flag syntax: {0}")]
    Syntax(String),
    #[error("must set at most one output format")]
    MultipleFormats,
    #[error("conflicting options set: {0:?}")]
    Conflict(Vec<String>),
    #[error("-base and -diff_base flags cannot both be specified")]
    BaseAndDiffBase,
    #[error("must have base profile to normalize by")]
    NormalizeWithoutBase,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bool,
    Str,
    Int,
    Float,
}

/// Output formats without an argument.
const BOOL_COMMANDS: &[&str] = &[
    "comments", "dot", "raw", "tags", "text", "top", "traces", "tree", "callgrind", "proto", "topproto",
    "gif", "pdf", "png", "ps", "svg", "eog", "evince", "gv", "web", "kcachegrind",
];
/// Output formats taking a regexp.
const PARAM_COMMANDS: &[&str] = &["disasm", "list", "peek", "weblist"];

fn kind_of(name: &str) -> Option<Kind> {
    if BOOL_COMMANDS.contains(&name) {
        return Some(Kind::Bool);
    }
    if PARAM_COMMANDS.contains(&name) {
        return Some(Kind::Str);
    }
    Some(match name {
        "inuse_space" | "inuse_objects" | "alloc_space" | "alloc_objects" | "total_delay" | "contentions"
        | "mean_delay" | "no_browser" | "call_tree" | "relative_percentages" | "compact_labels"
        | "intel_syntax" | "mean" | "normalize" | "drop_negative" | "trim" | "noinlines" | "showcolumns"
        | "show_columns" | "all_frames" | "cum" | "flat" | "functions" | "filefunctions" | "files"
        | "lines" | "addresses" => Kind::Bool,
        "diff_base" | "base" | "symbolize" | "buildid" | "add_comment" | "tools" | "http" | "output"
        | "unit" | "source_path" | "trim_path" | "sample_index" | "tagroot" | "tagleaf" | "focus"
        | "ignore" | "prune_from" | "hide" | "show" | "show_from" | "tagfocus" | "tagignore" | "tagshow"
        | "taghide" | "o" => Kind::Str,
        "timeout" | "seconds" | "nodecount" => Kind::Int,
        "divide_by" | "nodefraction" | "edgefraction" => Kind::Float,
        _ => return None,
    })
}

fn parse_bool(flag: &str, v: &str) -> Result<bool, FlagError> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(FlagError::BadValue { flag: flag.into(), value: v.into(), reason: "parse error".into() }),
    }
}

/// Parses pprof's flags. Returns the options and the positional arguments (profile sources).
/// Moves positional arguments behind the flags, so that `cpu.pprof -nodecount=5` parses like
/// `-nodecount=5 cpu.pprof` (Go's flag package stops at the first positional argument; our
/// subcommands put the profile first). Values of flags that take one stay with their flag,
/// and everything after `--` stays positional.
pub fn flags_first(args: &[String]) -> Vec<String> {
    let (mut flags, mut positional) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            positional.extend(args[i + 1..].iter().cloned());
            break;
        }
        if a.len() < 2 || !a.starts_with('-') {
            positional.push(a.clone());
            i += 1;
            continue;
        }
        flags.push(a.clone());
        let name = a.trim_start_matches('-');
        let takes_value = !name.contains('=') && kind_of(name).is_some_and(|k| k != Kind::Bool);
        if takes_value && i + 1 < args.len() {
            flags.push(args[i + 1].clone());
            i += 1;
        }
        i += 1;
    }
    if !positional.is_empty() {
        flags.push("--".to_string());
        flags.extend(positional);
    }
    flags
}

pub fn parse_args(args: &[String]) -> Result<(Options, Vec<String>), FlagError> {
    let mut o = Options::default();
    let mut i = 0;
    let mut bools: Vec<(String, bool)> = Vec::new();
    let mut commands: Vec<Command> = Vec::new();
    let mut base: Vec<String> = Vec::new();
    let mut diff_base: Vec<String> = Vec::new();
    let mut sample_index = String::new();
    while i < args.len() {
        let a = &args[i];
        if a.len() < 2 || !a.starts_with('-') {
            break;
        }
        let mut name = &a[1..];
        if let Some(n) = name.strip_prefix('-') {
            if n.is_empty() {
                i += 1; // "--" terminates the flags
                break;
            }
            name = n;
        }
        if name.is_empty() || name.starts_with('-') || name.starts_with('=') {
            return Err(FlagError::Syntax(a.clone()));
        }
        i += 1;
        let (name, inline_value) = match name.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (name, None),
        };
        let kind = kind_of(name).ok_or_else(|| FlagError::Unknown(name.to_string()))?;
        if kind == Kind::Bool {
            let v = match &inline_value {
                Some(v) => parse_bool(name, v)?,
                None => true,
            };
            if BOOL_COMMANDS.contains(&name) {
                commands.retain(|c| c.name() != name);
                if v {
                    commands.push(bool_command(name));
                }
                continue;
            }
            bools.retain(|(n, _)| n != name);
            bools.push((name.to_string(), v));
            continue;
        }
        let value = match inline_value {
            Some(v) => v,
            None => {
                if i >= args.len() {
                    return Err(FlagError::MissingValue(name.to_string()));
                }
                i += 1;
                args[i - 1].clone()
            }
        };
        let bad = |reason: &str| FlagError::BadValue { flag: name.into(), value: value.clone(), reason: reason.into() };
        match kind {
            Kind::Int => {
                let n: i64 = value.parse().map_err(|_| bad("parse error"))?;
                if name == "nodecount" {
                    o.node_count = if n < 0 { None } else { Some(n as usize) };
                }
            }
            Kind::Float => {
                let f: f64 = value.parse().map_err(|_| bad("parse error"))?;
                match name {
                    "divide_by" => o.divide_by = f,
                    "nodefraction" => o.node_fraction = f,
                    "edgefraction" => o.edge_fraction = f,
                    _ => {}
                }
            }
            _ => {
                if PARAM_COMMANDS.contains(&name) {
                    commands.retain(|c| c.name() != name);
                    if !value.is_empty() {
                        commands.push(match name {
                            "peek" => Command::Peek(value),
                            _ => Command::Other(name.to_string(), Some(value)),
                        });
                    }
                    continue;
                }
                match name {
                    // pprof's command line keeps only the last -base / -diff_base.
                    "base" => base = vec![value],
                    "diff_base" => diff_base = vec![value],
                    "symbolize" => o.symbolize = value,
                    "add_comment" => o.add_comment = value,
                    "output" | "o" => o.output = value,
                    "unit" => o.unit = value,
                    "source_path" => o.source_path = value,
                    "trim_path" => o.trim_path = value,
                    "sample_index" => sample_index = value,
                    "tagroot" => o.tag_root = value,
                    "tagleaf" => o.tag_leaf = value,
                    "focus" => o.focus = value,
                    "ignore" => o.ignore = value,
                    "prune_from" => o.prune_from = value,
                    "hide" => o.hide = value,
                    "show" => o.show = value,
                    "show_from" => o.show_from = value,
                    "tagfocus" => o.tag_focus = value,
                    "tagignore" => o.tag_ignore = value,
                    "tagshow" => o.tag_show = value,
                    "taghide" => o.tag_hide = value,
                    _ => {} // buildid, tools, http: accepted, unused
                }
            }
        }
    }
    let positional = args[i..].to_vec();

    let get = |n: &str| bools.iter().find(|(k, _)| k == n).map(|(_, v)| *v);
    let flag = |n: &str| get(n).unwrap_or(false);
    o.call_tree = flag("call_tree");
    o.relative_percentages = flag("relative_percentages");
    o.compact_labels = flag("compact_labels");
    o.mean = flag("mean");
    o.normalize = flag("normalize");
    o.drop_negative = flag("drop_negative");
    o.trim = get("trim").unwrap_or(true);
    o.no_inlines = flag("noinlines");
    o.show_columns = flag("showcolumns") || flag("show_columns");
    o.all_frames = flag("all_frames");

    // Multiple-choice groups.
    let mut sorts: Vec<String> = ["cum", "flat"].iter().filter(|n| flag(n)).map(|s| s.to_string()).collect();
    sorts.sort();
    match sorts.len() {
        0 => {}
        1 => o.cum_sort = sorts[0] == "cum",
        _ => return Err(FlagError::Conflict(sorts)),
    }
    let grans = ["functions", "filefunctions", "files", "lines", "addresses"];
    let mut set: Vec<String> = grans.iter().filter(|n| flag(n)).map(|s| s.to_string()).collect();
    set.sort();
    match set.len() {
        0 => {}
        1 => o.granularity = Granularity::from_name(&set[0]),
        _ => return Err(FlagError::Conflict(set)),
    }

    if commands.len() > 1 {
        return Err(FlagError::MultipleFormats);
    }
    o.command = commands.pop();

    // Legacy sample-index flags, in pprof's order of precedence.
    let mut si = sample_index;
    for (f, st) in [
        ("total_delay", "delay"),
        ("mean_delay", "delay"),
        ("contentions", "contentions"),
        ("inuse_space", "inuse_space"),
        ("inuse_objects", "inuse_objects"),
        ("alloc_space", "alloc_space"),
        ("alloc_objects", "alloc_objects"),
    ] {
        if flag(f) && si.is_empty() {
            si = st.to_string();
        }
    }
    o.sample_index = if si.is_empty() { None } else { Some(si) };
    if flag("mean_delay") {
        o.mean = true;
    }

    base.retain(|s| !s.is_empty());
    diff_base.retain(|s| !s.is_empty());
    if !base.is_empty() && !diff_base.is_empty() {
        return Err(FlagError::BaseAndDiffBase);
    }
    if !diff_base.is_empty() {
        o.base = diff_base;
        o.diff_base = true;
    } else {
        o.base = base;
    }
    if o.normalize && o.base.is_empty() {
        return Err(FlagError::NormalizeWithoutBase);
    }
    Ok((o, positional))
}

fn bool_command(name: &str) -> Command {
    match name {
        "top" => Command::Top,
        "text" => Command::Text,
        "tree" => Command::Tree,
        "traces" => Command::Traces,
        "tags" => Command::Tags,
        "comments" => Command::Comments,
        "raw" => Command::Raw,
        "proto" => Command::Proto,
        "dot" => Command::Dot,
        other => Command::Other(other.to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn flags_first_moves_profiles_behind_flags() {
        let got = flags_first(&args("-top cpu.pprof -nodecount 5 -focus=x heap.pprof -cum"));
        assert_eq!(got, args("-top -nodecount 5 -focus=x -cum -- cpu.pprof heap.pprof"));
        let (o, pos) = parse_args(&got).unwrap();
        assert_eq!((o.node_count, o.cum_sort, pos), (Some(5), true, args("cpu.pprof heap.pprof")));
        assert_eq!(flags_first(&args("-raw -- -odd-name")), args("-raw -- -odd-name"));
    }

    #[test]
    fn driver_base_flags() {
        let (o, pos) = parse_args(&args(
            "-trim -compact_labels -nodecount=20 -nodefraction=0.05 -edgefraction=0.01 -divide_by=1 -unit=minimum -text -functions -flat cpu.pb.gz",
        ))
        .unwrap();
        assert_eq!(pos, vec!["cpu.pb.gz"]);
        assert_eq!(o.command, Some(Command::Text));
        assert_eq!(o.node_count, Some(20));
        assert_eq!(o.node_fraction, 0.05);
        assert!(o.compact_labels && o.trim && !o.cum_sort);
        assert_eq!(o.granularity, Some(Granularity::Functions));
    }

    #[test]
    fn spaced_values_and_legacy() {
        let (o, pos) = parse_args(&args("--nodecount 5 -alloc_objects -peek line.*01 -cum -trim=false x y")).unwrap();
        assert_eq!(o.node_count, Some(5));
        assert_eq!(o.sample_index.as_deref(), Some("alloc_objects"));
        assert_eq!(o.command, Some(Command::Peek("line.*01".into())));
        assert!(o.cum_sort && !o.trim);
        assert_eq!(pos, vec!["x", "y"]);
        let (o, _) = parse_args(&args("-mean_delay -top p")).unwrap();
        assert!(o.mean);
        assert_eq!(o.sample_index.as_deref(), Some("delay"));
    }

    #[test]
    fn errors() {
        assert_eq!(parse_args(&args("-bogus p")), Err(FlagError::Unknown("bogus".into())));
        assert_eq!(parse_args(&args("-top -tree p")), Err(FlagError::MultipleFormats));
        assert!(matches!(parse_args(&args("-lines -files p")), Err(FlagError::Conflict(_))));
        assert_eq!(parse_args(&args("-focus")), Err(FlagError::MissingValue("focus".into())));
        assert_eq!(parse_args(&args("-base a -diff_base b p")), Err(FlagError::BaseAndDiffBase));
    }
}
