//! `PprofSession`: pprof's interactive shell for Node. It holds one fetched driver session in
//! native memory (`goroscope_core::driver::shell::Shell`): lines are interpreted on the JS
//! thread (settings, help, options: no profile work), reports run on the libuv pool and cross as
//! one FlatBuffers `ProfileReport` with how the command delivers it. This module converts.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::*;
use napi_derive::napi;

use goroscope_core::driver::shell::{Parsed, Post, Shell, ShellError, Show, Step};
use goroscope_core::driver::{self, Session, Source};
use goroscope_core::stacks::to_profile;
use goroscope_core::pprof::Limits;

use crate::error::{guard, settle, CoreError, NativeError};
use crate::profile::{limits, report_to_flatbuffer};
use crate::DumpRef;

/// What one shell line asks the front end to do (`Step` in the core).
#[napi(object)]
pub struct ShellStep {
    #[napi(ts_type = "'print' | 'error' | 'report' | 'quit'")]
    pub kind: String,
    /// The message of `print` and `error` (for standard error).
    pub text: String,
    /// The words of a `report`, for `PprofSession.report`.
    pub tokens: Vec<String>,
}

impl From<Step> for ShellStep {
    fn from(s: Step) -> Self {
        let (kind, text, tokens) = match s {
            Step::Print(t) => ("print", t, Vec::new()),
            Step::Error(t) => ("error", t, Vec::new()),
            Step::Report(w) => ("report", String::new(), w),
            Step::Quit => ("quit", String::new(), Vec::new()),
        };
        ShellStep { kind: kind.into(), text, tokens }
    }
}

/// A shell report and how its command delivers it (`Post` and `Show` in the core).
#[napi(object)]
pub struct ShellReport {
    /// The shell command (`svg`), not the report it printed (`dot`).
    pub command: String,
    /// A FlatBuffers `goroscope.profile.ProfileReport`.
    pub report: Buffer,
    /// What to do with the report first: render the DOT with Graphviz (`dot`, into `format`),
    /// as SVG (`svg`), make the `proto` a flame graph page (`flame`), the source blocks an HTML
    /// page (`weblist`).
    #[napi(ts_type = "'none' | 'dot' | 'svg' | 'flame' | 'weblist'")]
    pub post: String,
    /// Graphviz's output format for `post: 'dot'`.
    pub format: String,
    /// Where it goes without an output file: standard output, a new `profileNNN.<suffix>` in the
    /// current directory, or a temporary `pprofNNN.<suffix>` opened in the browser or `program`.
    #[napi(ts_type = "'stdout' | 'file' | 'browser' | 'program'")]
    pub show: String,
    pub suffix: String,
    /// The viewer (with its arguments) for `show: 'program'`.
    pub program: String,
}

pub struct OpenSessionTask {
    args: Vec<String>,
    limits: Limits,
    binary: Option<PathBuf>,
    /// A goroutine dump read as its goroutine/count profile, before the command line's sources.
    dump: Option<PathBuf>,
}

impl Task for OpenSessionTask {
    type Output = std::result::Result<Shell, NativeError>;
    type JsValue = PprofSession;

    fn compute(&mut self) -> Result<Self::Output> {
        let args = std::mem::take(&mut self.args);
        let (limits, binary, dump) = (self.limits, self.binary.take(), self.dump.take());
        Ok(guard(move || {
            let mut inv = driver::parse_command_line(&driver::flags_first(&args)).map_err(driver::Error::from)?;
            if let Some(path) = dump {
                let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
                let parsed = DumpRef::Path(path).load()?;
                let converted = to_profile::to_profile(&parsed, &name, 1);
                inv.fetch.sources.insert(0, Source::Profile(Arc::new(converted.profile)));
            }
            if inv.fetch.sources.is_empty() {
                return Err(driver::Error::NoProfile.into());
            }
            inv.fetch.limits = limits;
            inv.fetch.binary = binary;
            Ok(Shell::new(Session::new(inv.fetch, inv.config)?))
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        settle(&env, output).map(|shell| PprofSession { shell: Mutex::new(shell) })
    }
}

/// `PprofSession.report`: one report of the session's profile.
pub struct ShellReportTask {
    parsed: Option<std::result::Result<Parsed, ShellError>>,
    session: Session,
}

impl Task for ShellReportTask {
    type Output = std::result::Result<(Parsed, Vec<u8>), NativeError>;
    type JsValue = ShellReport;

    fn compute(&mut self) -> Result<Self::Output> {
        let parsed = self.parsed.take().expect("compute runs once");
        let session = &self.session;
        Ok(guard(move || {
            let parsed = parsed.map_err(driver::Error::from)?;
            let report = session.report_with(&parsed.command, &parsed.config).map_err(CoreError::from)?;
            Ok((parsed, report_to_flatbuffer(&report)))
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        let (parsed, buf) = settle(&env, output)?;
        let info = parsed.info;
        let (post, format) = match info.post {
            Post::None => ("none", ""),
            Post::Dot(f) => ("dot", f),
            Post::Svg => ("svg", ""),
            Post::Flame => ("flame", ""),
            Post::WebList => ("weblist", ""),
        };
        let (show, suffix, program) = match info.show {
            Show::Stdout => ("stdout", "", ""),
            Show::File(s) => ("file", s, ""),
            Show::Browser(s) => ("browser", s, ""),
            Show::Program(s, p) => ("program", s, p),
        };
        Ok(ShellReport {
            command: info.name.into(),
            report: buf.into(),
            post: post.into(),
            format: format.into(),
            show: show.into(),
            suffix: suffix.into(),
            program: program.into(),
        })
    }
}

/// pprof's interactive shell on one fetched profile (merged, base applied, symbolized): set
/// options line by line and ask for reports; the profile is never fetched again.
#[napi]
pub struct PprofSession {
    /// Behind a lock, so `interpret` takes `&self`: napi-rs refuses a `&mut self` call while a
    /// report's promise (an `&self` call) is pending, as it is after Ctrl-C abandoned it.
    shell: Mutex<Shell>,
}

impl Drop for PprofSession {
    fn drop(&mut self) {
        crate::reclaim::later(self.shell().session.profile().clone());
    }
}

impl PprofSession {
    fn shell(&self) -> std::sync::MutexGuard<'_, Shell> {
        self.shell.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[napi]
impl PprofSession {
    /// Fetch the sources of a pprof command line (`["-sample_index=alloc_space", "heap.pprof"]`:
    /// its flags are the session's first settings) off the main thread; `dump` (a goroutine
    /// dump's path) is read as its goroutine/count profile, as `profileFromStacks` reads it.
    #[napi(ts_return_type = "Promise<PprofSession>")]
    pub fn open(
        args: Vec<String>,
        max_decompressed: Option<f64>,
        binary: Option<String>,
        dump: Option<String>,
    ) -> AsyncTask<OpenSessionTask> {
        AsyncTask::new(OpenSessionTask {
            args,
            limits: limits(max_decompressed),
            binary: binary.map(PathBuf::from),
            dump: dump.map(PathBuf::from),
        })
    }

    /// What pprof prints on entering the shell (profile labels, the welcome line).
    #[napi]
    pub fn greeting(&self) -> Vec<ShellStep> {
        self.shell().greeting().into_iter().map(ShellStep::from).collect()
    }

    /// What one line does: settings are applied now, the rest is returned in order.
    #[napi]
    pub fn interpret(&self, line: String) -> Vec<ShellStep> {
        self.shell().interpret(&line).into_iter().map(ShellStep::from).collect()
    }

    /// The report of a `report` step's words, with the current settings, off the main thread.
    #[napi(ts_return_type = "Promise<ShellReport>")]
    pub fn report(&self, tokens: Vec<String>) -> AsyncTask<ShellReportTask> {
        let shell = self.shell();
        AsyncTask::new(ShellReportTask { parsed: Some(shell.parse(&tokens)), session: shell.session.clone() })
    }

    /// Words a line may start with (commands, options, choices, sample types), sorted.
    #[napi(getter)]
    pub fn words(&self) -> Vec<String> {
        self.shell().words()
    }

    /// The profile's function names, each once, sorted (completion of command arguments).
    #[napi(getter)]
    pub fn function_names(&self) -> Vec<String> {
        self.shell().function_names()
    }

    /// The profile's sample type names.
    #[napi(getter)]
    pub fn sample_types(&self) -> Vec<String> {
        self.shell().sample_types().to_vec()
    }

    /// The current value of an option (`focus`, `nodecount`), as `o` shows it; null for no
    /// option of that name.
    #[napi]
    pub fn option(&self, name: String) -> Option<String> {
        self.shell().session.config.get(&name)
    }
}

/// True when a pprof command line parses and names no report: pprof then enters its shell.
#[napi]
pub fn pprof_enters_shell(args: Vec<String>) -> bool {
    driver::parse_command_line(&driver::flags_first(&args)).is_ok_and(|inv| inv.command.is_none())
}
