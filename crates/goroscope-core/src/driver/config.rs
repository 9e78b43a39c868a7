//! The report settings a session carries (pprof's `config`): one field per pprof option, with
//! pprof's names and defaults, set by name with pprof's validation and error texts
//! ([`Config::set`], what a shell's `focus=x` does), listed with their help ([`FIELDS`], what
//! `o` and `help focus` show). The command line sets the same fields ([`super::flags`]).

/// The value a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Bool,
    /// A count; -1 means "the format's default" (only `nodecount`).
    Int,
    Float,
    Str,
    /// One of [`Field::choices`] (`sort`, `granularity`); each choice is also a boolean name.
    Choice,
}

/// One configurable field: its name, kind, the choices of a choice field (each with its help),
/// and its help (first line: a summary; the rest: details; empty for a choice field).
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub kind: FieldKind,
    pub choices: &'static [(&'static str, &'static str)],
    pub help: &'static str,
}

const fn field(name: &'static str, kind: FieldKind, help: &'static str) -> Field {
    Field { name, kind, choices: &[], help }
}

use FieldKind::*;

/// Every field, in pprof's order, with pprof's help texts verbatim (the shell's `help NAME`
/// prints them as they are: a multi-line help ends in a newline, a one-line one does not).
/// `sort` and `granularity` have none (pprof documents their choices instead).
pub static FIELDS: &[Field] = &[
    field("output", Str, "Output filename for file-based outputs\n"),
    field("call_tree", Bool, "Create a context-sensitive call tree\nTreat locations reached through different paths as separate.\n"),
    field("relative_percentages", Bool, "Show percentages relative to focused subgraph\nIf unset, percentages are relative to full graph before focusing\nto facilitate comparison with original graph.\n"),
    field("unit", Str, "Measurement units to display\nScale the sample values to this unit.\nFor time-based profiles, use seconds, milliseconds, nanoseconds, etc.\nFor memory profiles, use megabytes, kilobytes, bytes, etc.\nUsing auto will scale each value independently to the most natural unit.\n"),
    field("compact_labels", Bool, "Show minimal headers"),
    field("source_path", Str, "Search path for source files"),
    field("trim_path", Str, "Path to trim from source paths before search"),
    field("intel_syntax", Bool, "Show assembly in Intel syntax\nOnly applicable to commands `disasm` and `weblist`\n"),
    field("mean", Bool, "Average sample value over first value (count)\nFor memory profiles, report average memory per allocation.\nFor time-based profiles, report average time per event.\n"),
    field("sample_index", Str, "Sample value to report (0-based index or name)\nProfiles contain multiple values per sample.\nUse sample_index=i to select the ith value (starting at 0).\n"),
    field("divide_by", Float, "Ratio to divide all samples before visualization\nDivide all samples values by a constant, eg the number of processors or jobs.\n"),
    field("normalize", Bool, "Scales profile based on the base profile.\n"),
    Field {
        name: "sort",
        kind: Choice,
        choices: &[("cum", "Sort entries based on cumulative weight\n"), ("flat", "Sort entries based on own weight\n")],
        help: "",
    },
    field("tagroot", Str, "Adds pseudo stack frames for labels key/value pairs at the callstack root.\nA comma-separated list of label keys.\nThe first key creates frames at the new root.\n"),
    field("tagleaf", Str, "Adds pseudo stack frames for labels key/value pairs at the callstack leaf.\nA comma-separated list of label keys.\nThe last key creates frames at the new leaf.\n"),
    field("drop_negative", Bool, "Ignore negative differences\nDo not show any locations with values <0.\n"),
    field("nodecount", Int, "Max number of nodes to show\nUses heuristics to limit the number of locations to be displayed.\nOn graphs, dotted edges represent paths through nodes that have been removed.\n"),
    field("nodefraction", Float, "Hide nodes below <f>*total"),
    field("edgefraction", Float, "Hide edges below <f>*total"),
    field("trim", Bool, "Honor nodefraction/edgefraction/nodecount defaults\nSet to false to get the full profile, without any trimming.\n"),
    field("focus", Str, "Restricts to samples going through a node matching regexp\nDiscard samples that do not include a node matching this regexp.\nMatching includes the function name, filename or object name.\n"),
    field("ignore", Str, "Skips paths going through any nodes matching regexp\nIf set, discard samples that include a node matching this regexp.\nMatching includes the function name, filename or object name.\n"),
    field("prune_from", Str, "Drops any functions below the matched frame.\nIf set, any frames matching the specified regexp and any frames\nbelow it will be dropped from each sample.\n"),
    field("hide", Str, "Skips nodes matching regexp\nDiscard nodes that match this location.\nOther nodes from samples that include this location will be shown.\nMatching includes the function name, filename or object name.\n"),
    field("show", Str, "Only show nodes matching regexp\nIf set, only show nodes that match this location.\nMatching includes the function name, filename or object name.\n"),
    field("show_from", Str, "Drops functions above the highest matched frame.\nIf set, all frames above the highest match are dropped from every sample.\nMatching includes the function name, filename or object name.\n"),
    field("tagfocus", Str, "Restricts to samples with tags in range or matched by regexp\nUse name=value syntax to limit the matching to a specific tag.\nNumeric tag filter examples: 1kb, 1kb:10kb, memory=32mb:\nString tag filter examples: foo, foo.*bar, mytag=foo.*bar\n"),
    field("tagignore", Str, "Discard samples with tags in range or matched by regexp\nUse name=value syntax to limit the matching to a specific tag.\nNumeric tag filter examples: 1kb, 1kb:10kb, memory=32mb:\nString tag filter examples: foo, foo.*bar, mytag=foo.*bar\n"),
    field("tagshow", Str, "Only consider tags matching this regexp\nDiscard tags that do not match this regexp\n"),
    field("taghide", Str, "Skip tags matching this regexp\nDiscard tags that match this regexp\n"),
    field("noinlines", Bool, "Ignore inlines.\nAttributes inlined functions to their first out-of-line caller.\n"),
    field("showcolumns", Bool, "Show column numbers at the source code line level.\n"),
    Field {
        name: "granularity",
        kind: Choice,
        choices: &[
            ("functions", "Aggregate at the function level.\nIgnores the filename where the function was defined.\n"),
            ("filefunctions", "Aggregate at the function level.\nTakes into account the filename where the function was defined.\n"),
            ("files", "Aggregate at the file level."),
            ("lines", "Aggregate at the source code line level."),
            ("addresses", "Aggregate at the address level.\nIncludes functions' addresses in the output.\n"),
        ],
        help: "",
    },
];

/// The current value of every field. `Default` = pprof's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub output: String,
    pub call_tree: bool,
    pub relative_percentages: bool,
    pub unit: String,
    pub compact_labels: bool,
    pub source_path: String,
    pub trim_path: String,
    pub intel_syntax: bool,
    pub mean: bool,
    pub sample_index: String,
    pub divide_by: f64,
    pub normalize: bool,
    /// `cum` or `flat`.
    pub sort: String,
    pub tagroot: String,
    pub tagleaf: String,
    pub drop_negative: bool,
    /// None = the format's default (pprof's -1).
    pub nodecount: Option<usize>,
    pub nodefraction: f64,
    pub edgefraction: f64,
    pub trim: bool,
    pub focus: String,
    pub ignore: String,
    pub prune_from: String,
    pub hide: String,
    pub show: String,
    pub show_from: String,
    pub tagfocus: String,
    pub tagignore: String,
    pub tagshow: String,
    pub taghide: String,
    pub noinlines: bool,
    pub showcolumns: bool,
    /// Empty = the format's default; else one of the `granularity` choices.
    pub granularity: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            output: String::new(),
            call_tree: false,
            relative_percentages: false,
            unit: "minimum".into(),
            compact_labels: false,
            source_path: String::new(),
            trim_path: String::new(),
            intel_syntax: false,
            mean: false,
            sample_index: String::new(),
            divide_by: 1.0,
            normalize: false,
            sort: "flat".into(),
            tagroot: String::new(),
            tagleaf: String::new(),
            drop_negative: false,
            nodecount: None,
            nodefraction: 0.005,
            edgefraction: 0.001,
            trim: true,
            focus: String::new(),
            ignore: String::new(),
            prune_from: String::new(),
            hide: String::new(),
            show: String::new(),
            show_from: String::new(),
            tagfocus: String::new(),
            tagignore: String::new(),
            tagshow: String::new(),
            taghide: String::new(),
            noinlines: false,
            showcolumns: false,
            granularity: String::new(),
        }
    }
}

/// Why [`Config::set`] refused a value (pprof's texts).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown config field {0:?}")]
    Unknown(String),
    #[error("invalid {field:?} value {value:?}")]
    Choice { field: &'static str, value: String },
    #[error("strconv.Atoi: parsing {0:?}: invalid syntax")]
    Int(String),
    #[error("strconv.ParseFloat: parsing {0:?}: invalid syntax")]
    Float(String),
    #[error("illegal value {0:?} for bool variable")]
    Bool(String),
}

/// A field's storage.
enum Slot<'a> {
    Bool(&'a mut bool),
    Int(&'a mut Option<usize>),
    Float(&'a mut f64),
    Str(&'a mut String),
}

/// The field `name` stands for: a field's own name, or one of a choice field's choices.
pub fn field_of(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name || f.choices.iter().any(|(c, _)| *c == name))
}

/// Go's `strconv.ParseBool` (what the flag package accepts).
pub fn go_parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// pprof's `stringToBool`: also accepts yes/no and the empty string (true).
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.to_lowercase().as_str() {
        "true" | "t" | "yes" | "y" | "1" | "" => Some(true),
        "false" | "f" | "no" | "n" | "0" => Some(false),
        _ => None,
    }
}

impl Config {
    fn slot(&mut self, name: &str) -> Option<Slot<'_>> {
        use Slot::*;
        Some(match name {
            "output" => Str(&mut self.output),
            "call_tree" => Bool(&mut self.call_tree),
            "relative_percentages" => Bool(&mut self.relative_percentages),
            "unit" => Str(&mut self.unit),
            "compact_labels" => Bool(&mut self.compact_labels),
            "source_path" => Str(&mut self.source_path),
            "trim_path" => Str(&mut self.trim_path),
            "intel_syntax" => Bool(&mut self.intel_syntax),
            "mean" => Bool(&mut self.mean),
            "sample_index" => Str(&mut self.sample_index),
            "divide_by" => Float(&mut self.divide_by),
            "normalize" => Bool(&mut self.normalize),
            "sort" => Str(&mut self.sort),
            "tagroot" => Str(&mut self.tagroot),
            "tagleaf" => Str(&mut self.tagleaf),
            "drop_negative" => Bool(&mut self.drop_negative),
            "nodecount" => Int(&mut self.nodecount),
            "nodefraction" => Float(&mut self.nodefraction),
            "edgefraction" => Float(&mut self.edgefraction),
            "trim" => Bool(&mut self.trim),
            "focus" => Str(&mut self.focus),
            "ignore" => Str(&mut self.ignore),
            "prune_from" => Str(&mut self.prune_from),
            "hide" => Str(&mut self.hide),
            "show" => Str(&mut self.show),
            "show_from" => Str(&mut self.show_from),
            "tagfocus" => Str(&mut self.tagfocus),
            "tagignore" => Str(&mut self.tagignore),
            "tagshow" => Str(&mut self.tagshow),
            "taghide" => Str(&mut self.taghide),
            "noinlines" => Bool(&mut self.noinlines),
            "showcolumns" => Bool(&mut self.showcolumns),
            "granularity" => Str(&mut self.granularity),
            _ => return None,
        })
    }

    /// pprof's `configure(name, value)`: sets a field, or with a choice name and a true value,
    /// selects that choice (`cum=true`, `lines=1`).
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ConfigError> {
        let unknown = || ConfigError::Unknown(name.to_string());
        let f = field_of(name).ok_or_else(unknown)?;
        if f.name != name {
            return match go_parse_bool(value) {
                Some(true) => self.set(f.name, name),
                _ => Err(unknown()),
            };
        }
        if f.kind == Choice && !f.choices.iter().any(|(c, _)| *c == value) {
            return Err(ConfigError::Choice { field: f.name, value: value.to_string() });
        }
        match self.slot(name).expect("every field has a slot") {
            Slot::Bool(b) => *b = parse_bool(value).ok_or_else(|| ConfigError::Bool(value.to_string()))?,
            Slot::Int(n) => {
                let v: i64 = value.parse().map_err(|_| ConfigError::Int(value.to_string()))?;
                *n = usize::try_from(v).ok();
            }
            Slot::Float(x) => *x = value.parse().map_err(|_| ConfigError::Float(value.to_string()))?,
            Slot::Str(s) => *s = value.to_string(),
        }
        Ok(())
    }

    /// The value of field `name` as pprof prints it (`-1` for an unset nodecount).
    pub fn get(&self, name: &str) -> Option<String> {
        let mut c = self.clone();
        Some(match c.slot(name)? {
            Slot::Bool(b) => b.to_string(),
            Slot::Int(n) => n.map_or("-1".to_string(), |n| n.to_string()),
            Slot::Float(x) => crate::measurement::go_format_v(*x),
            Slot::Str(s) => s.clone(),
        })
    }

    /// Every field with its current value, in [`FIELDS`] order.
    pub fn list(&self) -> Vec<(&'static Field, String)> {
        FIELDS.iter().map(|f| (f, self.get(f.name).expect("every field has a value"))).collect()
    }
}

/// The help of a field or of one choice of a choice field (pprof's `configHelp`: none for the
/// choice fields themselves).
pub fn help(name: &str) -> Option<&'static str> {
    let f = field_of(name)?;
    if f.name == name {
        return Some(f.help).filter(|h| !h.is_empty());
    }
    f.choices.iter().find(|(c, _)| *c == name).map(|(_, h)| *h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_like_pprof() {
        let mut c = Config::default();
        c.set("focus", "bitswap").unwrap();
        c.set("nodecount", "10").unwrap();
        c.set("trim", "no").unwrap();
        c.set("cum", "true").unwrap();
        c.set("granularity", "lines").unwrap();
        c.set("divide_by", "2.5").unwrap();
        assert_eq!((c.focus.as_str(), c.nodecount, c.trim, c.sort.as_str()), ("bitswap", Some(10), false, "cum"));
        assert_eq!((c.granularity.as_str(), c.divide_by), ("lines", 2.5));
        c.set("nodecount", "-1").unwrap();
        assert_eq!(c.nodecount, None);
        assert_eq!(c.get("nodecount").as_deref(), Some("-1"));
        assert_eq!(c.get("divide_by").as_deref(), Some("2.5"));
        assert_eq!(c.set("bogus", "1").unwrap_err().to_string(), r#"unknown config field "bogus""#);
        assert_eq!(c.set("sort", "up").unwrap_err().to_string(), r#"invalid "sort" value "up""#);
        assert_eq!(c.set("nodecount", "x").unwrap_err().to_string(), r#"strconv.Atoi: parsing "x": invalid syntax"#);
        assert_eq!(c.set("trim", "maybe").unwrap_err().to_string(), r#"illegal value "maybe" for bool variable"#);
        assert_eq!(c.set("lines", "false").unwrap_err(), ConfigError::Unknown("lines".into()));
    }

    #[test]
    fn every_field_listed_with_help() {
        let c = Config::default();
        let l = c.list();
        assert_eq!(l.len(), FIELDS.len());
        for (f, v) in &l {
            assert_eq!(f.help.is_empty(), f.kind == Choice, "{}", f.name);
            assert_eq!(Config::default().get(f.name).as_ref(), Some(v));
        }
        assert_eq!(help("cum"), Some("Sort entries based on cumulative weight\n"));
        assert_eq!(help("sort"), None);
        assert!(help("focus").unwrap().starts_with("Restricts to samples"));
        let names: Vec<&str> = l.iter().map(|(f, _)| f.name).collect();
        assert!(names.contains(&"nodecount") && names.contains(&"granularity") && !names.contains(&"base"));
    }
}
