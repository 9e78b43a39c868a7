//! `-list REGEX` (pprof `printSource`): the source of every function whose name matches,
//! annotated per line with flat and cum values, read from local files.
//!
//! Per function (sorted by name) and per source file of its nodes (sorted by file name): a
//! `ROUTINE ======================== NAME in FILE` header, the totals, then the lines from the
//! function's start line (or 5 before its first sampled line) to 5 past the last sampled one.
//! Files are found with pprof's rules ([`SourceReader`]): `-trim_path` prefixes (and the
//! `/proc/self/cwd/` ones) removed, an absolute path opened as it is, a relative one searched
//! in every `-source_path` directory (default: the current directory) and their parents.

use std::collections::HashMap;
use std::fmt::Write;

use super::generate::trim_path;
use super::{AsmFunction, Report, ReportData, ReportError, SourceFunction, SourceLine};
use crate::graph::{base_name, clean_path, Graph, NodeId};
use crate::measurement;

/// Lines shown before the first and after the last sampled line.
const MARGIN: i64 = 5;

pub(crate) fn print_source(c: &mut Report) -> Result<(String, Vec<String>, ReportData), ReportError> {
    let t = c.trimmed_graph(false);
    let g = &t.graph;
    let re = c.options.symbol.clone().expect("list has a regexp");
    // Matching nodes grouped per function name, names in order.
    let mut by_name: HashMap<&str, Vec<NodeId>> = HashMap::new();
    for &n in &g.nodes {
        let name = g.table.str(g.info(n).name);
        if re.is_match(name) {
            by_name.entry(name).or_default().push(n);
        }
    }
    if by_name.is_empty() {
        return Err(ReportError::NoMatches(re.as_str().to_string()));
    }
    let mut names: Vec<&str> = by_name.keys().copied().collect();
    names.sort_unstable();

    let search = if c.options.source_path.is_empty() {
        std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_default()
    } else {
        c.options.source_path.clone()
    };
    let mut reader = SourceReader::new(search, c.options.trim_path.clone());
    let mut out = String::new();
    let mut blocks = Vec::new();
    let _ = writeln!(out, "Total: {}", c.format_value(c.total));
    for name in names {
        let mut by_file: HashMap<&str, Vec<NodeId>> = HashMap::new();
        for &n in &by_name[name] {
            let file = g.table.str(g.info(n).file);
            if !file.is_empty() {
                by_file.entry(file).or_default().push(n);
            }
        }
        if by_file.is_empty() {
            let msg = format!("No source information for {name}");
            let _ = writeln!(out, "{msg}");
            blocks.push(SourceFunction {
                name: name.to_string(),
                file: String::new(),
                flat: 0,
                flat_label: c.format_value(0),
                cum: 0,
                cum_label: c.format_value(0),
                cum_pct: 0.0,
                error: msg,
                lines: Vec::new(),
            });
            continue;
        }
        let mut files: Vec<&str> = by_file.keys().copied().collect();
        files.sort_unstable();
        for file in files {
            let fns = &by_file[file];
            let (flat, cum) = fns.iter().fold((0i64, 0i64), |(f, c), &n| {
                (f.wrapping_add(g.node(n).flat), c.wrapping_add(g.node(n).cum))
            });
            let (flat_label, cum_label) = (c.format_value(flat), c.format_value(cum));
            let pct = measurement::percentage(cum, c.total);
            let _ = writeln!(out, "ROUTINE ======================== {name} in {file}");
            let _ = writeln!(out, "{flat_label:>10} {cum_label:>10} (flat, cum) {pct} of Total");
            let mut block = SourceFunction {
                name: name.to_string(),
                file: file.to_string(),
                flat,
                flat_label,
                cum,
                cum_label,
                cum_pct: super::text::pct(cum, c.total),
                error: String::new(),
                lines: Vec::new(),
            };
            match annotated_lines(g, file, &mut reader, fns) {
                Err(e) => {
                    let _ = writeln!(out, " Error: {e}");
                    block.error = e;
                }
                Ok(lines) => {
                    for l in lines {
                        let (fl, cl) = (dot(c, l.flat), dot(c, l.cum));
                        let _ = writeln!(out, "{fl:>10} {cl:>10} {:6}:{}", l.line, l.text);
                        block.lines.push(SourceLine {
                            line: l.line,
                            text: l.text,
                            flat: l.flat,
                            flat_label: fl,
                            cum: l.cum,
                            cum_label: cl,
                            instructions: Vec::new(),
                        });
                    }
                }
            }
            blocks.push(block);
        }
    }
    Ok((out, Vec::new(), ReportData::List(blocks)))
}

/// `-weblist` (pprof `PrintWebList`): each source line gets the instructions whose line info is
/// that line of the block's file and that are code of the block's function (by the line
/// table: an inlined function's code inside its caller's symbol is the inlined function's).
/// `fns` is `-disasm`'s listing for the same regexp (its values are pprof -disasm's); its
/// instructions name their file by base name, so that is what is compared. Without a line
/// table an instruction is its sample's function's, else its symbol's.
pub(crate) fn attach_instructions(blocks: &mut [SourceFunction], fns: Vec<AsmFunction>) {
    let insts: Vec<(String, super::AsmInstruction)> =
        fns.into_iter().flat_map(|f| f.instructions.into_iter().map(move |i| (f.name.clone(), i))).collect();
    for b in blocks.iter_mut() {
        let at: HashMap<i64, usize> = b.lines.iter().enumerate().map(|(i, l)| (l.line, i)).collect();
        let file = base_name(&b.file);
        for (symbol, inst) in &insts {
            let owner = [&inst.source_function, &inst.function, symbol].into_iter().find(|s| !s.is_empty()).unwrap_or(symbol);
            if owner != &b.name || inst.file != file {
                continue;
            }
            if let Some(&i) = at.get(&inst.line) {
                b.lines[i].instructions.push(inst.clone());
            }
        }
        for l in &mut b.lines {
            l.instructions.sort_by_key(|i| i.address);
        }
    }
}

/// pprof `valueOrDot`.
pub(crate) fn dot(c: &Report, v: i64) -> String {
    if v == 0 {
        ".".into()
    } else {
        c.format_value(v)
    }
}

/// One listed source line and the values of the nodes on it.
pub(crate) struct Annotated {
    pub line: i64,
    pub text: String,
    pub flat: i64,
    pub cum: i64,
}

/// pprof `getSourceFromFile`: the lines of `file` around the nodes `fns` (all of one function),
/// with their values. The range starts at the first node's start line (or 5 lines before it)
/// and grows to cover every node with a margin of 5.
pub(crate) fn annotated_lines(
    g: &Graph,
    file: &str,
    reader: &mut SourceReader,
    fns: &[NodeId],
) -> Result<Vec<Annotated>, String> {
    let first = g.info(fns[0]);
    let mut start = if first.start_line != 0 { first.start_line } else { first.lineno - MARGIN };
    let mut end = first.lineno + MARGIN;
    let mut per_line: HashMap<i64, (i64, i64)> = HashMap::new();
    for &n in fns {
        let i = g.info(n);
        let node_start = if i.start_line != 0 { i.start_line } else { i.lineno - MARGIN };
        let node_end = i.lineno + MARGIN;
        // pprof widens one side per node.
        if node_start < start {
            start = node_start;
        } else if node_end > end {
            end = node_end;
        }
        let v = per_line.entry(i.lineno).or_default();
        v.0 = v.0.wrapping_add(g.node(n).flat);
        v.1 = v.1.wrapping_add(g.node(n).cum);
    }
    start = start.max(1);
    let mut out = Vec::new();
    for line in start..=end {
        let Some(text) = reader.line(file, line) else { break };
        let (flat, cum) = per_line.get(&line).copied().unwrap_or_default();
        out.push(Annotated { line, text: text.to_string(), flat, cum });
    }
    match reader.error(file) {
        Some(e) => Err(e.to_string()),
        None => Ok(out),
    }
}

/// Source files by the name the profile gives them, read once (pprof `sourceReader`).
pub(crate) struct SourceReader {
    search_path: String,
    trim_path: String,
    /// Lines of each file read; `[0]` is unused.
    files: HashMap<String, Vec<String>>,
    errors: HashMap<String, String>,
}

impl SourceReader {
    pub fn new(search_path: String, trim_path: String) -> Self {
        SourceReader { search_path, trim_path, files: HashMap::new(), errors: HashMap::new() }
    }

    /// Line `lineno` of `path`, None past the end (or when the file cannot be read).
    pub fn line(&mut self, path: &str, lineno: i64) -> Option<&str> {
        if !self.files.contains_key(path) {
            let mut lines = vec![String::new()];
            match self.open(path) {
                Err(e) => {
                    self.errors.insert(path.to_string(), e);
                }
                // A directory opens but reads nothing; pprof reports no error for it.
                Ok(bytes) => lines.extend(split_lines(&bytes)),
            }
            self.files.insert(path.to_string(), lines);
        }
        let lines = &self.files[path];
        if lineno <= 0 || lineno as usize >= lines.len() {
            return None;
        }
        Some(&lines[lineno as usize])
    }

    pub fn error(&self, path: &str) -> Option<&str> {
        self.errors.get(path).map(|s| s.as_str())
    }

    /// pprof `openSourceFile`: the file's bytes, or Go's error text.
    fn open(&self, path: &str) -> Result<Vec<u8>, String> {
        let path = trim_path(path, &self.trim_path, &self.search_path);
        if path.starts_with('/') {
            return read(path).map_err(|e| format!("open {path}: {e}"));
        }
        for dir in self.search_path.split(':') {
            let mut dir = dir.to_string();
            loop {
                if let Ok(b) = read(&clean_path(&format!("{dir}/{path}"))) {
                    return Ok(b);
                }
                let parent = go_dir(&dir);
                if parent == dir {
                    break;
                }
                dir = parent;
            }
        }
        Err(format!("could not find file {path} on path {}", self.search_path))
    }
}

/// Reads a file; a directory reads as empty, as Go's `os.Open` then a failing scan do.
fn read(path: &str) -> Result<Vec<u8>, String> {
    match std::fs::read(path) {
        Ok(b) => Ok(b),
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => Ok(Vec::new()),
        Err(e) => Err(go_errno_text(&e)),
    }
}

/// Go's text for an OS error (`no such file or directory`), from Rust's
/// (`No such file or directory (os error 2)`).
fn go_errno_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    let s = match s.find(" (os error") {
        Some(i) => &s[..i],
        None => &s,
    };
    s.to_lowercase()
}

/// Go's `bufio.ScanLines`: lines split at `\n`, a trailing `\r` dropped, no empty last line.
/// Invalid UTF-8 is replaced (the report is text).
fn split_lines(b: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = b;
    while !rest.is_empty() {
        let (line, next) = match rest.iter().position(|&c| c == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        out.push(String::from_utf8_lossy(line).into_owned());
        rest = next;
    }
    out
}

/// Go `filepath.Dir` on Unix.
fn go_dir(p: &str) -> String {
    match p.rfind('/') {
        Some(i) => clean_path(&p[..=i]),
        None => ".".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_like_bufio_scanner() {
        assert_eq!(split_lines(b"a\r\nb\n\nc"), vec!["a", "b", "", "c"]);
        assert_eq!(split_lines(b"a\n"), vec!["a"]);
        assert!(split_lines(b"").is_empty());
    }

    #[test]
    fn dir_is_go_filepath_dir() {
        assert_eq!(go_dir("/a/b"), "/a");
        assert_eq!(go_dir("/a"), "/");
        assert_eq!(go_dir("/"), "/");
        assert_eq!(go_dir("a"), ".");
        assert_eq!(go_dir("."), ".");
        assert_eq!(go_dir("a/b/"), "a/b");
    }

    #[test]
    fn missing_file_errors_name_the_search_path() {
        let mut r = SourceReader::new("/nonexistent-dir".into(), String::new());
        assert!(r.line("x/y.go", 1).is_none());
        assert_eq!(r.error("x/y.go"), Some("could not find file x/y.go on path /nonexistent-dir"));
        assert!(r.line("/elsewhere/z.go", 1).is_none());
        assert_eq!(r.error("/elsewhere/z.go"), Some("open /elsewhere/z.go: no such file or directory"));
        // Without -trim_path, the search path's base name in a profile path cuts it (pprof's guess).
        assert!(r.line("/build/nonexistent-dir/a/z.go", 1).is_none());
        assert_eq!(r.error("/build/nonexistent-dir/a/z.go"), Some("could not find file a/z.go on path /nonexistent-dir"));
    }
}
