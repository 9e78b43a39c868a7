//! pprof's command line (pprof `parseFlags`, Go `flag` syntax): `-flag`, `--flag`, `-flag=value`,
//! `-flag value` (non-boolean flags), `-bool=false`; parsing stops at the first non-flag
//! argument or `--`.
//!
//! The flags are pprof's: one per [`Config`] field (a boolean per choice of `sort` and
//! `granularity`), one per [`Command`], the source flags of [`Fetch`] and the legacy
//! sample-index flags. [`parse_command_line`] reads them in three steps: `lex` (syntax),
//! `Flags::apply` (values), `Flags::finish` (groups, legacy flags, bases).

use std::path::PathBuf;

use super::command::{self, Command};
use super::config::{self, go_parse_bool, Config, FieldKind};
use super::fetch::{Fetch, Source};

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

/// A parsed command line: the report asked for (None: none given), the settings, and what to
/// fetch (the positional arguments are [`Source::Path`]s).
#[derive(Clone, Debug)]
pub struct Invocation {
    pub command: Option<Command>,
    pub config: Config,
    pub fetch: Fetch,
}

/// The value a flag takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bool,
    Str,
    Int,
    Float,
}

/// pprof's legacy sample-index flags in pprof's order of precedence: the `-sample_index` each
/// stands for, and whether it also asks for mean values.
pub const LEGACY_SAMPLE_INDEX: &[(&str, &str, bool)] = &[
    ("total_delay", "delay", false),
    ("mean_delay", "delay", true),
    ("contentions", "contentions", false),
    ("inuse_space", "inuse_space", false),
    ("inuse_objects", "inuse_objects", false),
    ("alloc_space", "alloc_space", false),
    ("alloc_objects", "alloc_objects", false),
];

/// A legacy sample-index flag (`-inuse_space`, `-contentions`, `-mean_delay`, …) → the
/// `-sample_index` value it stands for and whether it asks for mean values.
pub fn legacy_sample_index_flag(flag: &str) -> Option<(&'static str, bool)> {
    LEGACY_SAMPLE_INDEX.iter().find(|(f, _, _)| *f == flag).map(|&(_, si, mean)| (si, mean))
}

/// Flags of the fetch stage and pprof's accepted-but-unused ones, with what they take.
const SOURCE_FLAGS: &[(&str, Kind)] = &[
    ("base", Kind::Str),
    ("diff_base", Kind::Str),
    ("symbolize", Kind::Str),
    ("add_comment", Kind::Str),
    ("all_frames", Kind::Bool),
    // Accepted as pprof does; they do nothing here (no build-id override, object tools, web
    // UI or profile fetching over HTTP).
    ("buildid", Kind::Str),
    ("tools", Kind::Str),
    ("http", Kind::Str),
    ("no_browser", Kind::Bool),
    ("timeout", Kind::Int),
    ("seconds", Kind::Int),
];

/// Other names of config fields: `-o` (for `-output`) and `-show_columns` (for `-showcolumns`).
fn alias(name: &str) -> &str {
    match name {
        "o" => "output",
        "show_columns" => "showcolumns",
        n => n,
    }
}

fn kind_of(name: &str) -> Option<Kind> {
    if command::PLAIN.contains(&name) {
        return Some(Kind::Bool);
    }
    if command::WITH_REGEXP.contains(&name) {
        return Some(Kind::Str);
    }
    if legacy_sample_index_flag(name).is_some() {
        return Some(Kind::Bool);
    }
    if let Some(&(_, k)) = SOURCE_FLAGS.iter().find(|(n, _)| *n == name) {
        return Some(k);
    }
    let name = alias(name);
    let f = config::field_of(name)?;
    Some(match f.kind {
        // A choice field is set through one boolean flag per choice.
        FieldKind::Choice if f.name == name => return None,
        FieldKind::Bool | FieldKind::Choice => Kind::Bool,
        FieldKind::Int => Kind::Int,
        FieldKind::Float => Kind::Float,
        FieldKind::Str => Kind::Str,
    })
}

fn parse_bool(flag: &str, v: &str) -> Result<bool, FlagError> {
    go_parse_bool(v).ok_or_else(|| FlagError::BadValue { flag: flag.into(), value: v.into(), reason: "parse error".into() })
}

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

/// One flag as written: its name, kind and value (a boolean flag without `=` is `true`).
struct Flag {
    name: String,
    kind: Kind,
    value: String,
}

/// The syntax step: the flags in order, and the positional arguments after them.
fn lex(args: &[String]) -> Result<(Vec<Flag>, Vec<String>), FlagError> {
    let mut flags = Vec::new();
    let mut i = 0;
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
        let (name, inline) = match name.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (name, None),
        };
        let kind = kind_of(name).ok_or_else(|| FlagError::Unknown(name.to_string()))?;
        let value = match (inline, kind) {
            (Some(v), _) => v,
            (None, Kind::Bool) => "true".to_string(),
            (None, _) => {
                let v = args.get(i).ok_or_else(|| FlagError::MissingValue(name.to_string()))?;
                i += 1;
                v.clone()
            }
        };
        flags.push(Flag { name: name.to_string(), kind, value });
    }
    Ok((flags, args[i..].to_vec()))
}

/// What the flags said, before the checks that need all of them.
#[derive(Default)]
struct Flags {
    config: Config,
    commands: Vec<Command>,
    /// Boolean flags other than commands, last value wins.
    bools: Vec<(String, bool)>,
    base: Vec<String>,
    diff_base: Vec<String>,
    symbolize: String,
    comment: String,
}

impl Flags {
    /// The value step: each flag's value checked and stored.
    fn apply(&mut self, f: Flag) -> Result<(), FlagError> {
        let bad = |reason: &str| FlagError::BadValue { flag: f.name.clone(), value: f.value.clone(), reason: reason.into() };
        let name = f.name.as_str();
        match f.kind {
            Kind::Bool => {
                let v = parse_bool(name, &f.value)?;
                if command::PLAIN.contains(&name) {
                    self.commands.retain(|c| c.name() != name);
                    if v {
                        self.commands.extend(Command::from_name(name, None));
                    }
                } else {
                    let name = alias(name).to_string();
                    self.bools.retain(|(n, _)| *n != name);
                    self.bools.push((name, v));
                }
            }
            Kind::Int => {
                let n: i64 = f.value.parse().map_err(|_| bad("parse error"))?;
                if name == "nodecount" {
                    self.config.nodecount = usize::try_from(n).ok();
                }
            }
            Kind::Float => {
                let x: f64 = f.value.parse().map_err(|_| bad("parse error"))?;
                match name {
                    "divide_by" => self.config.divide_by = x,
                    "nodefraction" => self.config.nodefraction = x,
                    "edgefraction" => self.config.edgefraction = x,
                    _ => {}
                }
            }
            Kind::Str if command::WITH_REGEXP.contains(&name) => {
                self.commands.retain(|c| c.name() != name);
                if !f.value.is_empty() {
                    self.commands.extend(Command::from_name(name, Some(f.value)));
                }
            }
            Kind::Str => match name {
                // pprof's command line keeps only the last -base / -diff_base.
                "base" => self.base = vec![f.value],
                "diff_base" => self.diff_base = vec![f.value],
                "symbolize" => self.symbolize = f.value,
                "add_comment" => self.comment = f.value,
                "buildid" | "tools" | "http" => {}
                n => self.config.set(alias(n), &f.value).expect("a string config field takes any value"),
            },
        }
        Ok(())
    }

    fn flag(&self, name: &str) -> bool {
        self.bools.iter().any(|(n, v)| n == name && *v)
    }

    /// The checks that need every flag: at most one command and one choice per group, the
    /// legacy sample-index flags, `-base` against `-diff_base`, `-normalize` without a base.
    fn finish(mut self, positional: Vec<String>) -> Result<Invocation, FlagError> {
        let mut c = std::mem::take(&mut self.config);
        for (name, v) in &self.bools {
            if config::field_of(name).is_some_and(|f| f.name == name && f.kind == FieldKind::Bool) {
                c.set(name, &v.to_string()).expect("a boolean config field takes true or false");
            }
        }
        for group in ["sort", "granularity"] {
            let f = config::field_of(group).expect("a choice field");
            let mut set: Vec<String> = f.choices.iter().map(|(n, _)| n.to_string()).filter(|n| self.flag(n)).collect();
            set.sort();
            match set.len() {
                0 => {}
                1 => c.set(group, &set[0]).expect("a choice of the group"),
                _ => return Err(FlagError::Conflict(set)),
            }
        }
        if self.commands.len() > 1 {
            return Err(FlagError::MultipleFormats);
        }
        for &(flag, sample_index, mean) in LEGACY_SAMPLE_INDEX {
            if self.flag(flag) {
                if c.sample_index.is_empty() {
                    c.sample_index = sample_index.to_string();
                }
                c.mean |= mean;
            }
        }
        let all_frames = self.flag("all_frames");
        self.base.retain(|s| !s.is_empty());
        self.diff_base.retain(|s| !s.is_empty());
        if !self.base.is_empty() && !self.diff_base.is_empty() {
            return Err(FlagError::BaseAndDiffBase);
        }
        let diff_base = !self.diff_base.is_empty();
        let base = if diff_base { self.diff_base } else { self.base };
        if c.normalize && base.is_empty() {
            return Err(FlagError::NormalizeWithoutBase);
        }
        let path = |p: String| Source::Path(PathBuf::from(p));
        let fetch = Fetch {
            sources: positional.into_iter().map(path).collect(),
            base: base.into_iter().map(path).collect(),
            diff_base,
            normalize: c.normalize,
            symbolize: self.symbolize,
            comment: self.comment,
            all_frames,
            ..Fetch::default()
        };
        Ok(Invocation { command: self.commands.pop(), config: c, fetch })
    }
}

/// Parses pprof's command line (its flags first: see [`flags_first`]).
pub fn parse_command_line(args: &[String]) -> Result<Invocation, FlagError> {
    let (flags, positional) = lex(args)?;
    let mut f = Flags::default();
    for flag in flags {
        f.apply(flag)?;
    }
    f.finish(positional)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn paths(f: &Fetch) -> Vec<String> {
        f.sources.iter().map(Source::name).collect()
    }

    #[test]
    fn flags_first_moves_profiles_behind_flags() {
        let got = flags_first(&args("-top cpu.pprof -nodecount 5 -focus=x heap.pprof -cum"));
        assert_eq!(got, args("-top -nodecount 5 -focus=x -cum -- cpu.pprof heap.pprof"));
        let inv = parse_command_line(&got).unwrap();
        assert_eq!((inv.config.nodecount, inv.config.sort.as_str(), paths(&inv.fetch)), (Some(5), "cum", args("cpu.pprof heap.pprof")));
        assert_eq!(flags_first(&args("-raw -- -odd-name")), args("-raw -- -odd-name"));
    }

    #[test]
    fn driver_base_flags() {
        let inv = parse_command_line(&args(
            "-trim -compact_labels -nodecount=20 -nodefraction=0.05 -edgefraction=0.01 -divide_by=1 -unit=minimum -text -functions -flat cpu.pb.gz",
        ))
        .unwrap();
        let c = &inv.config;
        assert_eq!(paths(&inv.fetch), vec!["cpu.pb.gz"]);
        assert_eq!(inv.command, Some(Command::Text));
        assert_eq!(c.nodecount, Some(20));
        assert_eq!(c.nodefraction, 0.05);
        assert!(c.compact_labels && c.trim && c.sort == "flat");
        assert_eq!(c.granularity, "functions");
    }

    #[test]
    fn spaced_values_and_legacy() {
        let inv = parse_command_line(&args("--nodecount 5 -alloc_objects -peek line.*01 -cum -trim=false x y")).unwrap();
        let c = &inv.config;
        assert_eq!(c.nodecount, Some(5));
        assert_eq!(c.sample_index, "alloc_objects");
        assert_eq!(inv.command, Some(Command::Peek("line.*01".into())));
        assert!(c.sort == "cum" && !c.trim);
        assert_eq!(paths(&inv.fetch), vec!["x", "y"]);
        let inv = parse_command_line(&args("-mean_delay -top p")).unwrap();
        assert!(inv.config.mean);
        assert_eq!(inv.config.sample_index, "delay");
        let inv = parse_command_line(&args("-show_columns -o out.txt -symbolize=none -add_comment=hi -diff_base=b -top p")).unwrap();
        assert!(inv.config.showcolumns && inv.fetch.diff_base);
        assert_eq!((inv.config.output.as_str(), inv.fetch.symbolize.as_str(), inv.fetch.comment.as_str()), ("out.txt", "none", "hi"));
        assert_eq!(legacy_sample_index_flag("total_delay"), Some(("delay", false)));
    }

    #[test]
    fn errors() {
        let err = |s: &str| parse_command_line(&args(s)).unwrap_err();
        assert_eq!(err("-bogus p"), FlagError::Unknown("bogus".into()));
        assert_eq!(err("-sort=cum p"), FlagError::Unknown("sort".into()));
        assert_eq!(err("-top -tree p"), FlagError::MultipleFormats);
        assert!(matches!(err("-lines -files p"), FlagError::Conflict(_)));
        assert_eq!(err("-focus"), FlagError::MissingValue("focus".into()));
        assert_eq!(err("-base a -diff_base b p"), FlagError::BaseAndDiffBase);
        assert_eq!(err("-normalize -top p"), FlagError::NormalizeWithoutBase);
        assert!(matches!(err("-trim=maybe p"), FlagError::BadValue { .. }));
    }
}
