//! pprof's interactive shell (`internal/driver/interactive.go`): what one line typed at the
//! `(pprof) ` prompt does, as data. A [`Shell`] holds one [`Session`]; [`Shell::interpret`]
//! turns a line into [`Step`]s — texts for standard error (help, options, errors), a report
//! to produce, or the end — and applies option settings (`focus=x`, `cum=1`, `:`) to the
//! session at once. A report step is produced separately ([`Shell::report`]), so a front end
//! can run it off its main thread and drop it on Ctrl-C.
//!
//! The line grammar, pprof's:
//! - a line that is a shortcut expands first: `:` clears focus/ignore/hide/tagfocus/tagignore;
//!   a sample type name `T` is `sample_index=T`, `total_T` and `mean_T` also set `mean`;
//! - `NAME=VALUE` (or a lone boolean `NAME`) with a config field or choice name sets it (a
//!   trailing `//:` comment is dropped; `sample_index` must name one of the profile's types);
//! - `o`/`options`, `q`/`quit`/`exit`, `help [NAME]`;
//! - otherwise `COMMAND[N] [ARG] [N] [REGEX]… [-REGEX]… [-cum] [>FILE]`: a report, with the
//!   numbers as nodecount, the plain regexps as focus (tagfocus for `tags`), the `-` ones as
//!   ignore, for this report only.
//!
//! [`COMMANDS`] lists pprof's commands with their help and how their report is delivered
//! ([`Post`], [`Show`]); which report each prints is [`Command::from_name`]'s, so commands
//! the driver gains appear here by name.

use std::collections::HashMap;

use super::config::{self, FieldKind, FIELDS};
use super::{Command, Config, Error, Session};
use crate::report::{self, ProfileReport};

/// What a command does with its report before showing it (pprof's `postProcess`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Post {
    None,
    /// Render the DOT report with Graphviz into this format (`dot -T<format>`).
    Dot(&'static str),
    /// Render the DOT report as a pan/zoom SVG.
    Svg,
    /// goroscope's `flame`: the `proto` report made a flame graph page.
    Flame,
    /// `weblist`: the report's source blocks made an HTML page.
    WebList,
}

/// Where a report goes when no `>file` or `output=` names a file (pprof's `visualizer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Show {
    /// Standard output.
    Stdout,
    /// Binary output: a new file `profileNNN.<suffix>` in the current directory (pprof's
    /// `awayFromTTY` in interactive mode).
    File(&'static str),
    /// A temporary file `pprofNNN.<suffix>` opened in the user's browser.
    Browser(&'static str),
    /// A temporary file `pprofNNN.<suffix>` opened with this program (and its arguments).
    Program(&'static str, &'static str),
}

/// The help of a command (pprof's `reportHelp`, `listHelp` or a text of its own).
#[derive(Clone, Copy, Debug)]
enum Usage {
    None,
    Report { cum: bool, redirect: bool },
    List { redirect: bool },
    Text(&'static str),
}

/// One shell command.
#[derive(Debug)]
pub struct CommandInfo {
    pub name: &'static str,
    /// One line, for `help`.
    pub description: &'static str,
    usage: Usage,
    /// Takes a regexp (`peek REGEX`).
    pub has_param: bool,
    /// The driver command whose report this one shows (`svg` shows `dot`'s).
    pub report: &'static str,
    pub post: Post,
    pub show: Show,
    /// One of pprof's (listed by `help`); goroscope's own are not.
    pub pprof: bool,
}

const fn cmd(name: &'static str, description: &'static str, usage: Usage) -> CommandInfo {
    CommandInfo { name, description, usage, has_param: false, report: name, post: Post::None, show: Show::Stdout, pprof: true }
}

const fn graph(name: &'static str, description: &'static str, post: Post, show: Show, redirect: bool) -> CommandInfo {
    CommandInfo { report: "dot", post, show, ..cmd(name, description, Usage::Report { cum: false, redirect }) }
}

const fn with_param(c: CommandInfo) -> CommandInfo {
    CommandInfo { has_param: true, ..c }
}

const REPORT: Usage = Usage::Report { cum: true, redirect: true };

/// pprof's `pprofCommands` (descriptions and usage verbatim: `help` prints them), then
/// goroscope's own.
pub static COMMANDS: &[CommandInfo] = &[
    cmd("comments", "Output all profile comments", Usage::None),
    with_param(cmd("disasm", "Output assembly listings annotated with samples", Usage::List { redirect: true })),
    cmd("dot", "Outputs a graph in DOT format", Usage::Report { cum: false, redirect: true }),
    with_param(cmd("list", "Output annotated source for functions matching regexp", Usage::List { redirect: false })),
    with_param(cmd(
        "peek",
        "Output callers/callees of functions matching regexp",
        Usage::Text("peek func_regex\nDisplay callers and callees of functions matching func_regex."),
    )),
    cmd("raw", "Outputs a text representation of the raw profile", Usage::None),
    cmd(
        "tags",
        "Outputs all tags in the profile",
        Usage::Text("tags [tag_regex]* [-ignore_regex]* [>file]\nList tags with key:value matching tag_regex and exclude ignore_regex."),
    ),
    cmd("text", "Outputs top entries in text form", REPORT),
    cmd("top", "Outputs top entries in text form", REPORT),
    cmd("traces", "Outputs all profile samples in text form", Usage::None),
    cmd("tree", "Outputs a text rendering of call graph", REPORT),
    CommandInfo {
        show: Show::File("callgraph.out"),
        ..cmd("callgrind", "Outputs a graph in callgrind format", Usage::Report { cum: false, redirect: true })
    },
    CommandInfo { show: Show::File("pb.gz"), ..cmd("proto", "Outputs the profile in compressed protobuf format", Usage::None) },
    CommandInfo { show: Show::File("pb.gz"), ..cmd("topproto", "Outputs top entries in compressed protobuf format", Usage::None) },
    graph("gif", "Outputs a graph image in GIF format", Post::Dot("gif"), Show::File("gif"), true),
    graph("pdf", "Outputs a graph in PDF format", Post::Dot("pdf"), Show::File("pdf"), true),
    graph("png", "Outputs a graph image in PNG format", Post::Dot("png"), Show::File("png"), true),
    graph("ps", "Outputs a graph in PS format", Post::Dot("ps"), Show::File("ps"), true),
    graph("svg", "Outputs a graph in SVG format", Post::Svg, Show::File("svg"), true),
    graph("eog", "Visualize graph through eog", Post::Dot("svg"), Show::Program("svg", "eog"), false),
    graph("evince", "Visualize graph through evince", Post::Dot("pdf"), Show::Program("pdf", "evince"), false),
    graph("gv", "Visualize graph through gv", Post::Dot("ps"), Show::Program("ps", "gv --noantialias"), false),
    graph("web", "Visualize graph through web browser", Post::Svg, Show::Browser("svg"), false),
    CommandInfo {
        report: "callgrind",
        show: Show::Program("grind", "kcachegrind"),
        ..cmd("kcachegrind", "Visualize report in KCachegrind", Usage::Report { cum: false, redirect: false })
    },
    with_param(CommandInfo {
        post: Post::WebList,
        show: Show::Browser("html"),
        ..cmd("weblist", "Display annotated source in a web browser", Usage::List { redirect: false })
    }),
    CommandInfo {
        report: "proto",
        post: Post::Flame,
        show: Show::Browser("html"),
        pprof: false,
        ..cmd("flame", "Visualize graph as an interactive flame graph in a web browser", Usage::Report { cum: false, redirect: true })
    },
];

/// The shell command `name`.
pub fn command_info(name: &str) -> Option<&'static CommandInfo> {
    COMMANDS.iter().find(|c| c.name == name)
}

impl CommandInfo {
    /// pprof's `command.help`: the description, then the usage lines indented.
    pub fn help(&self) -> String {
        let usage = match self.usage {
            Usage::None => String::new(),
            Usage::Text(t) => t.to_string(),
            Usage::Report { cum, redirect } => {
                let mut first = format!("{} [n] [focus_regex]* [-ignore_regex]*", self.name);
                let mut rest = vec!["Include up to n samples", "Include samples matching focus_regex, and exclude ignore_regex."];
                if cum {
                    first.push_str(" [-cum]");
                    rest.push("-cum sorts the output by cumulative weight");
                }
                if redirect {
                    first.push_str(" >f");
                    rest.push("Optionally save the report on the file f");
                }
                std::iter::once(first.as_str()).chain(rest).collect::<Vec<_>>().join("\n")
            }
            Usage::List { redirect } => {
                // pprof writes no space after the name here.
                let mut first = format!("{}<func_regex|address> [-focus_regex]* [-ignore_regex]*", self.name);
                let mut rest = vec![
                    "Include functions matching func_regex, or including the address specified.",
                    "Include samples matching focus_regex, and exclude ignore_regex.",
                ];
                if redirect {
                    first.push_str(" >f");
                    rest.push("Optionally save the report on the file f");
                }
                std::iter::once(first.as_str()).chain(rest).collect::<Vec<_>>().join("\n")
            }
        };
        let mut s = format!("{}\n", self.description);
        if !usage.is_empty() {
            s.push_str("  Usage:\n");
            for line in usage.split('\n') {
                s.push_str(&format!("    {line}\n"));
            }
        }
        s.push('\n');
        s
    }
}

/// Why a shell line made no report (pprof's texts).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShellError {
    #[error("unrecognized command: {0:?}")]
    Unrecognized(String),
    #[error("did you mean: {0}={1}")]
    DidYouMean(String, String),
    #[error("command {0} requires an argument")]
    NeedsArgument(String),
    #[error("unexpected end of line after >")]
    EndAfterRedirect,
}

/// What one line asks the front end to do, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A message for standard error.
    Print(String),
    /// An error message for standard error (pprof colours it red on a terminal).
    Error(String),
    /// A report: give these words to [`Shell::report`].
    Report(Vec<String>),
    /// Leave the shell.
    Quit,
}

/// A report command as parsed: what it is, the driver command it runs and the settings of
/// this one report.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub info: &'static CommandInfo,
    pub command: Command,
    pub config: Config,
}

/// A produced report and how to deliver it.
#[derive(Debug)]
pub struct ShellReport {
    pub info: &'static CommandInfo,
    pub report: ProfileReport,
}

/// The shell's state: the session and what the profile's sample types add (shortcuts, help).
pub struct Shell {
    pub session: Session,
    sample_types: Vec<String>,
    shortcuts: HashMap<String, Vec<String>>,
}

/// pprof's `commentStart`: what starts a comment after an option's value.
const COMMENT_START: &str = "//:";

impl Shell {
    /// Starts the shell on a fetched session, with pprof's interactive default of compact
    /// labels.
    pub fn new(mut session: Session) -> Shell {
        session.config.compact_labels = true;
        let p = session.profile().clone();
        let sample_types: Vec<String> = p.sample_types.iter().map(|t| p.str(t.kind).to_string()).collect();
        let mut shortcuts = HashMap::new();
        let clear = ["focus=", "ignore=", "hide=", "tagfocus=", "tagignore="];
        shortcuts.insert(":".to_string(), clear.iter().map(|s| s.to_string()).collect());
        for t in &sample_types {
            let set = format!("sample_index={t}");
            shortcuts.insert(t.clone(), vec![set.clone()]);
            shortcuts.insert(format!("total_{t}"), vec!["mean=0".into(), set.clone()]);
            shortcuts.insert(format!("mean_{t}"), vec!["mean=1".into(), set]);
        }
        Shell { session, sample_types, shortcuts }
    }

    /// The profile's sample type names.
    pub fn sample_types(&self) -> &[String] {
        &self.sample_types
    }

    /// pprof's `greetings`: the profile's labels (file, type, time, duration), a hint when
    /// the default sample type has no samples, and the welcome line.
    pub fn greeting(&self) -> Vec<Step> {
        let mut steps = Vec::new();
        let p = self.session.profile();
        let mut warnings = Vec::new();
        let units = super::num_label_units(p, &mut warnings);
        steps.extend(warnings.into_iter().map(Step::Error));
        let cfg = &self.session.config;
        if let Ok(options) = super::report_options(p, &Command::Top, report::Format::Text, cfg, units) {
            let rpt = report::Report::new((**p).clone(), options);
            steps.push(Step::Print(format!("{}\n", report::profile_labels(&rpt).join("\n"))));
            if rpt.total == 0 && p.sample_types.len() > 1 {
                steps.push(Step::Print("No samples were found with the default sample value type.\n".into()));
                steps.push(Step::Print("Try \"sample_index\" command to analyze different sample values.\n".into()));
            }
        }
        steps.push(Step::Print("Entering interactive mode (type \"help\" for commands, \"o\" for options)\n".into()));
        steps
    }

    /// What `line` does (pprof's loop body): settings are applied now; the rest is returned.
    pub fn interpret(&mut self, line: &str) -> Vec<Step> {
        let line = line.trim();
        let inputs = self.shortcuts.get(line).cloned().unwrap_or_else(|| vec![line.to_string()]);
        let mut steps = Vec::new();
        for input in inputs {
            if let Some(step) = self.assign(&input) {
                steps.extend(step);
                continue;
            }
            let tokens: Vec<String> = input.split_whitespace().map(String::from).collect();
            let Some(first) = tokens.first() else { continue };
            match first.as_str() {
                "o" | "options" => steps.push(Step::Print(self.options())),
                "exit" | "quit" | "q" => {
                    steps.push(Step::Quit);
                    return steps;
                }
                "help" => steps.push(self.help(&tokens[1..].join(" "))),
                _ => steps.push(Step::Report(tokens)),
            }
        }
        steps
    }

    /// `NAME=VALUE`: None when NAME is no option (the line is a command); else what setting
    /// it said (nothing, or an error).
    fn assign(&mut self, input: &str) -> Option<Option<Step>> {
        let (name, value) = match input.split_once('=') {
            Some((n, v)) => {
                let v = v.rfind(COMMENT_START).map_or(v, |i| &v[..i]);
                (n.trim(), Some(v.trim()))
            }
            None => (input.trim(), None),
        };
        let field = config::field_of(name)?;
        let is_bool = field.name != name || field.kind == FieldKind::Bool;
        let Some(mut value) = value.map(str::to_string).or_else(|| is_bool.then(String::new)) else {
            return Some(Some(Step::Error(format!("please specify a value, e.g. {name}=<val>"))));
        };
        if name == "sample_index" {
            let p = self.session.profile();
            match crate::pprof::merge::sample_index_by_name(p, &value) {
                Ok(i) if i < p.sample_types.len() => value = p.str(p.sample_types[i].kind).to_string(),
                Ok(_) => return Some(Some(Step::Error(format!("invalid sample_index {value:?}")))),
                Err(e) => return Some(Some(Step::Error(sample_index_message(e)))),
            }
        }
        Some(self.session.set(name, &value).err().map(|e| Step::Error(e.to_string())))
    }

    /// pprof's `printCurrentOptions`: every option but `source_path`, sorted, with its value
    /// and the choices where there are some.
    pub fn options(&self) -> String {
        let mut lines = Vec::new();
        for (f, mut v) in self.session.config.list() {
            let mut comment = String::new();
            if !f.choices.is_empty() {
                let mut values: Vec<&str> = f.choices.iter().map(|(c, _)| *c).collect();
                values.sort_unstable();
                comment = format!("[{}]", values.join(" | "));
            } else if f.name == "sample_index" {
                if v.is_empty() {
                    v = self.sample_types.last().cloned().unwrap_or_default();
                }
                comment = format!("[{}]", self.sample_types.join(" | "));
            } else if f.name == "source_path" {
                continue;
            } else if f.name == "nodecount" && v == "-1" {
                comment = "default".into();
            } else if v.is_empty() {
                v = "\"\"".into();
            }
            if f.name == "granularity" && v.is_empty() {
                v = "(default)".into();
            }
            if !comment.is_empty() {
                comment = format!("{COMMENT_START} {comment}");
            }
            lines.push(format!("  {:<25} = {:<20} {}", f.name, v, comment));
        }
        lines.sort();
        format!("{}\n", lines.join("\n"))
    }

    /// pprof's `commandHelp`: everything, or one command's or option's help.
    pub fn help(&self, args: &str) -> Step {
        if args.is_empty() {
            return Step::Print(format!(
                "{}\n  :   Clear focus/ignore/hide/tagfocus/tagignore\n\n  type \"help <cmd|option>\" for more information\n",
                usage()
            ));
        }
        if let Some(c) = command_info(args) {
            return Step::Print(c.help());
        }
        match config::help(args) {
            Some(h) if args == "sample_index" => {
                Step::Print(format!("{h}Or use sample_index=name, with name in [{}].\n\n", self.sample_types.join(" ")))
            }
            Some(h) => Step::Print(format!("{h}\n")),
            None => Step::Error(format!("Unknown command: {args}")),
        }
    }

    /// pprof's `parseCommandLine`: the command of `tokens` and this report's settings.
    pub fn parse(&self, tokens: &[String]) -> Result<Parsed, ShellError> {
        let (first, rest) = tokens.split_first().ok_or_else(|| ShellError::Unrecognized(String::new()))?;
        let mut name = first.as_str();
        let mut args: Vec<&str> = rest.iter().map(String::as_str).collect();
        let mut info = command_info(name);
        if info.is_none() {
            // top10: the digits are the node count.
            let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
            if digits > 0 && digits < name.len() {
                let (n, d) = name.split_at(name.len() - digits);
                name = n;
                args.insert(0, d);
                info = command_info(name);
            }
        }
        let Some(info) = info else {
            if config::help(name).is_some() {
                return Err(ShellError::DidYouMean(name.to_string(), args.first().copied().unwrap_or("<val>").to_string()));
            }
            return Err(ShellError::Unrecognized(name.to_string()));
        };
        let mut arg = None;
        if info.has_param {
            if args.is_empty() {
                return Err(ShellError::NeedsArgument(name.to_string()));
            }
            arg = Some(args.remove(0).to_string());
        }
        let mut cfg = self.session.config.clone();
        let (mut focus, mut ignore) = (String::new(), String::new());
        let mut i = 0;
        while i < args.len() {
            let t = args[i];
            if let Ok(n) = t.parse::<i32>() {
                cfg.nodecount = usize::try_from(n).ok();
            } else if let Some(file) = t.strip_prefix('>') {
                let file = if file.is_empty() {
                    i += 1;
                    *args.get(i).ok_or(ShellError::EndAfterRedirect)?
                } else {
                    file
                };
                cfg.output = file.to_string();
            } else if t == "-cum" || t == "--cum" {
                cfg.sort = "cum".into();
            } else if let Some(re) = t.strip_prefix('-') {
                cat_regex(&mut ignore, re);
            } else {
                cat_regex(&mut focus, t);
            }
            i += 1;
        }
        let (f, ig) = if name == "tags" { (&mut cfg.tagfocus, &mut cfg.tagignore) } else { (&mut cfg.focus, &mut cfg.ignore) };
        if !focus.is_empty() {
            *f = focus;
        }
        if !ignore.is_empty() {
            *ig = ignore;
        }
        if cfg.nodecount.is_none() && (name == "text" || name == "top") {
            cfg.nodecount = Some(10);
        }
        let command = Command::from_name(info.report, arg).ok_or_else(|| ShellError::Unrecognized(name.to_string()))?;
        Ok(Parsed { info, command, config: cfg })
    }

    /// The report `tokens` ask for, from the session's profile (a copy: it is never fetched
    /// again).
    pub fn report(&self, tokens: &[String]) -> Result<ShellReport, Error> {
        let parsed = self.parse(tokens)?;
        let report = self.session.report_with(&parsed.command, &parsed.config)?;
        Ok(ShellReport { info: parsed.info, report })
    }

    /// The profile's function names, each once, sorted (what pprof completes command
    /// arguments from).
    pub fn function_names(&self) -> Vec<String> {
        let p = self.session.profile();
        let mut names: Vec<String> = p.functions.iter().map(|f| p.str(f.name).to_string()).collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// What tab completion offers for the first word: commands, options and the choices of
    /// choice options, shortcuts (sample type names).
    pub fn words(&self) -> Vec<String> {
        let mut w: Vec<String> = COMMANDS.iter().map(|c| c.name.to_string()).collect();
        w.extend(["o", "options", "quit", "exit", "help"].map(String::from));
        for f in FIELDS {
            w.push(f.name.to_string());
            w.extend(f.choices.iter().map(|(c, _)| c.to_string()));
        }
        w.extend(self.shortcuts.keys().filter(|k| *k != ":").cloned());
        w.sort();
        w.dedup();
        w
    }
}

/// pprof's `catRegex`: `a|b`.
fn cat_regex(a: &mut String, b: &str) {
    if !a.is_empty() && !b.is_empty() {
        a.push('|');
    }
    a.push_str(b);
}

fn sample_index_message(e: crate::pprof::ProfileError) -> String {
    match e {
        crate::pprof::ProfileError::SampleIndex(m) => m,
        e => e.to_string(),
    }
}

/// pprof's `usage(false)`: the commands, the options and the option groups, one line each.
fn usage() -> String {
    let line = |c: &str, d: &str| format!("    {:<16} {}", c, d.split('\n').next().unwrap_or(""));
    let mut commands: Vec<String> = COMMANDS.iter().filter(|c| c.pprof).map(|c| line(c.name, c.description)).collect();
    commands.sort();
    commands.push(line("o/options", "List options and their current values"));
    commands.push(line("q/quit/exit/^D", "Exit pprof"));
    let mut variables = Vec::new();
    let mut groups = Vec::new();
    for f in FIELDS {
        if f.choices.is_empty() {
            variables.push(line(f.name, f.help));
            continue;
        }
        let mut g = vec![line(f.name, "")];
        g.extend(f.choices.iter().map(|(c, h)| format!("  {}", line(c, h))));
        groups.push(g.join("\n"));
    }
    variables.sort();
    groups.sort();
    format!(
        "  Commands:\n{}\n\n  Options:\n{}\n\n  Option groups (only set one per group):\n{}",
        commands.join("\n"),
        variables.join("\n"),
        groups.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::fetch::{Fetch, Source};

    fn shell() -> Shell {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/profiles/go126-heap.pb.gz");
        let fetch = Fetch { sources: vec![Source::Path(path.into())], ..Fetch::default() };
        Shell::new(Session::new(fetch, Config::default()).unwrap())
    }

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn settings_and_shortcuts() {
        let mut sh = shell();
        assert_eq!(sh.interpret("focus=main //: a comment"), vec![]);
        assert_eq!(sh.session.config.focus, "main");
        assert_eq!(sh.interpret("cum"), vec![Step::Error(r#"unknown config field "cum""#.into())]);
        assert_eq!(sh.interpret("cum=1"), vec![]);
        assert_eq!(sh.session.config.sort, "cum");
        assert_eq!(sh.interpret("nodecount"), vec![Step::Error("please specify a value, e.g. nodecount=<val>".into())]);
        assert_eq!(sh.interpret("trim"), vec![]);
        assert_eq!(sh.interpret("mean_alloc_space"), vec![]);
        assert!(sh.session.config.mean);
        assert_eq!(sh.session.config.sample_index, "alloc_space");
        assert_eq!(sh.interpret("sample_index=1"), vec![]);
        assert_eq!(sh.session.config.sample_index, "alloc_space");
        let bad = sh.interpret("sample_index=foo");
        assert_eq!(
            bad,
            vec![Step::Error(r#"sample_index "foo" must be one of: [alloc_objects alloc_space inuse_objects inuse_space]"#.into())]
        );
        assert_eq!(sh.interpret(":"), vec![]);
        assert_eq!(sh.session.config.focus, "");
        assert_eq!(sh.interpret("  q  "), vec![Step::Quit]);
        assert_eq!(sh.interpret("top10 -cum"), vec![Step::Report(words("top10 -cum"))]);
        assert_eq!(sh.interpret("   "), vec![]);
    }

    #[test]
    fn command_lines() {
        let sh = shell();
        let p = sh.parse(&words("top5 main -runtime -cum >out.txt")).unwrap();
        assert_eq!(p.command, Command::Top);
        let c = &p.config;
        assert_eq!((c.nodecount, c.focus.as_str(), c.ignore.as_str(), c.sort.as_str(), c.output.as_str()), (Some(5), "main", "runtime", "cum", "out.txt"));
        assert_eq!(sh.parse(&words("top")).unwrap().config.nodecount, Some(10));
        assert_eq!(sh.parse(&words("tree")).unwrap().config.nodecount, None);
        let t = sh.parse(&words("tags a b -c > f")).unwrap();
        assert_eq!((t.config.tagfocus.as_str(), t.config.tagignore.as_str(), t.config.output.as_str()), ("a|b", "c", "f"));
        assert!(matches!(sh.parse(&words("svg")).unwrap().command, Command::Dot));
        assert_eq!(sh.parse(&words("peek")).unwrap_err().to_string(), "command peek requires an argument");
        assert_eq!(sh.parse(&words("bogus")).unwrap_err().to_string(), r#"unrecognized command: "bogus""#);
        assert_eq!(sh.parse(&words("sort cum")).unwrap_err().to_string(), r#"unrecognized command: "sort""#);
        assert_eq!(sh.parse(&words("focus x")).unwrap_err().to_string(), "did you mean: focus=x");
        assert_eq!(sh.parse(&words("top >")).unwrap_err(), ShellError::EndAfterRedirect);
        // The session's settings are not changed by a report's own.
        assert_eq!(sh.session.config.nodecount, None);
    }

    #[test]
    fn reports_from_one_fetch() {
        let mut sh = shell();
        let a = sh.report(&words("top")).unwrap();
        sh.interpret("focus=newproc");
        let b = sh.report(&words("top")).unwrap();
        assert!(b.report.text.starts_with("Active filters:\n   focus=newproc\n"), "{}", b.report.text);
        sh.interpret("focus=");
        assert_eq!(sh.report(&words("top")).unwrap().report.text, a.report.text);
        assert_eq!(sh.report(&words("web")).unwrap().info.show, Show::Browser("svg"));
        let names = sh.function_names();
        assert!(names.contains(&"runtime.malg".to_string()) && names.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn help_and_options() {
        let sh = shell();
        let Step::Print(all) = sh.help("") else { panic!() };
        assert!(all.starts_with("  Commands:\n    callgrind        Outputs a graph in callgrind format\n"), "{all}");
        assert!(all.contains("\n    q/quit/exit/^D   Exit pprof\n\n  Options:\n    call_tree        Create"));
        assert!(all.contains("\n    granularity      \n      functions        Aggregate at the function level.\n"));
        assert!(!all.contains("flame"));
        let Step::Print(top) = sh.help("top") else { panic!() };
        assert_eq!(top, "Outputs top entries in text form\n  Usage:\n    top [n] [focus_regex]* [-ignore_regex]* [-cum] >f\n    Include up to n samples\n    Include samples matching focus_regex, and exclude ignore_regex.\n    -cum sorts the output by cumulative weight\n    Optionally save the report on the file f\n\n");
        assert_eq!(sh.help("compact_labels"), Step::Print("Show minimal headers\n".into()));
        assert_eq!(sh.help("sort"), Step::Error("Unknown command: sort".into()));
        let o = sh.options();
        assert!(o.starts_with("  call_tree                 = false                \n  compact_labels            = true                 \n"), "{o}");
        assert!(o.contains("\n  granularity               = (default)            //: [addresses | filefunctions | files | functions | lines]\n"));
        assert!(o.contains("\n  sample_index              = inuse_space          //: [alloc_objects | alloc_space | inuse_objects | inuse_space]\n"));
        assert!(!o.contains("source_path"));
    }
}
