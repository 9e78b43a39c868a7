//! pprof's report commands (`pprofCommands`): their names, which take a regexp, and the report
//! [`Format`] each prints. The image formats (drawn from `dot`) and the visualizers stay
//! [`Command::Other`].

use crate::report::Format;

/// Commands without an argument (`-top`, `top`).
pub const PLAIN: &[&str] = &[
    "comments", "dot", "raw", "tags", "text", "top", "traces", "tree", "callgrind", "proto", "topproto", "gif",
    "pdf", "png", "ps", "svg", "eog", "evince", "gv", "web", "kcachegrind",
];

/// Commands taking a regexp (`-peek=REGEX`, `peek REGEX`).
pub const WITH_REGEXP: &[&str] = &["disasm", "list", "peek", "weblist"];

/// The report to produce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `top` (same as `text`).
    Top,
    Text,
    Tree,
    /// `peek REGEX`: tree entries whose name matches.
    Peek(String),
    Traces,
    Tags,
    Comments,
    Raw,
    /// `proto`: the profile after filtering, as gzipped profile.proto.
    Proto,
    /// `callgrind`: the untrimmed graph in callgrind format (`kcachegrind` draws it).
    Callgrind,
    /// `topproto`: the top entries as a gzipped profile.proto (one sample per node).
    TopProto,
    /// `list REGEX`: annotated source of the matching functions.
    List(String),
    /// `weblist REGEX`: annotated source and assembly as a standalone HTML page.
    WebList(String),
    /// `disasm REGEX`: annotated assembly of the matching functions, from the binary.
    Disasm(String),
    /// `dot`: the call graph in Graphviz DOT. The image formats (`svg`, `png`, `web`, …) stay
    /// [`Command::Other`]; [`Command::is_dot_image`] tells which of them draw this DOT.
    Dot,
    /// A pprof command this crate does not produce itself (`svg`, `web`, `kcachegrind`, …).
    Other(String, Option<String>),
}

impl Command {
    /// The command `name` (with `arg` for the regexp-taking ones); None for no command of pprof's.
    pub fn from_name(name: &str, arg: Option<String>) -> Option<Command> {
        if WITH_REGEXP.contains(&name) {
            let arg = arg.unwrap_or_default();
            return Some(match name {
                "peek" => Command::Peek(arg),
                "list" => Command::List(arg),
                "weblist" => Command::WebList(arg),
                _ => Command::Disasm(arg),
            });
        }
        if !PLAIN.contains(&name) {
            return None;
        }
        Some(match name {
            "top" => Command::Top,
            "text" => Command::Text,
            "tree" => Command::Tree,
            "traces" => Command::Traces,
            "tags" => Command::Tags,
            "comments" => Command::Comments,
            "raw" => Command::Raw,
            "proto" => Command::Proto,
            "dot" => Command::Dot,
            "callgrind" => Command::Callgrind,
            "topproto" => Command::TopProto,
            other => Command::Other(other.to_string(), None),
        })
    }

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
            Command::Callgrind => "callgrind",
            Command::TopProto => "topproto",
            Command::List(_) => "list",
            Command::WebList(_) => "weblist",
            Command::Disasm(_) => "disasm",
            Command::Other(n, _) => n,
        }
    }

    /// The regexp argument of `peek`, `list`, `weblist` and `disasm`.
    pub fn symbol(&self) -> Option<&str> {
        match self {
            Command::Peek(r) | Command::List(r) | Command::WebList(r) | Command::Disasm(r) => Some(r),
            _ => None,
        }
    }

    /// The report format, None for the commands not produced here.
    pub fn format(&self) -> Option<Format> {
        Some(match self {
            Command::Top | Command::Text => Format::Text,
            Command::Tree | Command::Peek(_) => Format::Tree,
            Command::Traces => Format::Traces,
            Command::Tags => Format::Tags,
            Command::Comments => Format::Comments,
            Command::Raw => Format::Raw,
            Command::Proto => Format::Proto,
            Command::Dot => Format::Dot,
            Command::Callgrind => Format::Callgrind,
            Command::TopProto => Format::TopProto,
            Command::List(_) => Format::List,
            Command::WebList(_) => Format::WebList,
            Command::Disasm(_) => Format::Disasm,
            Command::Other(..) => return None,
        })
    }

    /// True for the formats pprof renders by piping [`Command::Dot`]'s output through Graphviz
    /// (`dot -T<format>`): svg, web, png, pdf, gif, ps, eog, evince, gv.
    pub fn is_dot_image(&self) -> bool {
        matches!(self, Command::Other(n, None)
            if matches!(n.as_str(), "svg" | "web" | "png" | "pdf" | "gif" | "ps" | "eog" | "evince" | "gv"))
    }
}
