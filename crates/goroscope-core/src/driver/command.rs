//! pprof's report commands (`pprofCommands`): their names, which take a regexp, and the report
//! [`Format`] each prints. The image formats and the listings this crate does not produce stay
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
    /// `dot`: the call graph in Graphviz DOT. The image formats (`svg`, `png`, `web`, …) stay
    /// [`Command::Other`]; [`Command::is_dot_image`] tells which of them draw this DOT.
    Dot,
    /// A pprof command this crate does not produce (`svg`, `list`, `callgrind`, …), with its
    /// argument for the regexp-taking ones.
    Other(String, Option<String>),
}

impl Command {
    /// The command `name` (with `arg` for the regexp-taking ones); None for no command of pprof's.
    pub fn from_name(name: &str, arg: Option<String>) -> Option<Command> {
        if WITH_REGEXP.contains(&name) {
            let arg = arg.unwrap_or_default();
            return Some(if name == "peek" { Command::Peek(arg) } else { Command::Other(name.to_string(), Some(arg)) });
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
            Command::Other(n, _) => n,
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
