//! N-API binding of goroscope-core. It converts and nothing else: JS options → core options,
//! core findings → one FlatBuffers buffer, core errors → JS errors carrying a stable `code`,
//! the input's `path` and the `line`/`offset` of the problem (`error.rs`).
//! All parsing and analysis runs on the libuv pool (`AsyncTask`), never on the JS thread, and
//! every call into the core is wrapped in `catch_unwind` so a bug is an error, not a crash.

#![deny(clippy::all)]

mod convert;
mod error;
mod profile;
mod progress;
mod reclaim;
mod redact;
mod render;
mod session;
mod sniff;
mod symbolize;
#[allow(clippy::all, unused_imports, dead_code, non_snake_case, mismatched_lifetime_syntaxes)]
#[path = "generated/profile_generated.rs"]
mod profile_generated;
#[allow(clippy::all, unused_imports, dead_code, non_snake_case, mismatched_lifetime_syntaxes)]
#[path = "generated/stacks_generated.rs"]
mod stacks_generated;

use std::path::PathBuf;
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use goroscope_core::source::{MaxDecompressed, Source};
use goroscope_core::stacks::{analyze, parse, Dump};

use crate::error::{guard, settle, CoreError, NativeError};
use crate::progress::{OnProgress, ProgressEvent};
use napi::threadsafe_function::ThreadsafeFunction;

/// Where a dump comes from: a file path, the bytes themselves (gzip or plain), or a dump
/// already parsed by `StackDump.open`.
pub enum DumpRef {
    Path(PathBuf),
    Bytes(Vec<u8>),
    Parsed(Arc<Dump>),
}

impl DumpRef {
    pub(crate) fn from_js(input: Either<String, Buffer>) -> DumpRef {
        match input {
            Either::A(p) => DumpRef::Path(PathBuf::from(p)),
            Either::B(b) => DumpRef::Bytes(b.to_vec()),
        }
    }

    pub(crate) fn load(self) -> std::result::Result<Arc<Dump>, CoreError> {
        self.load_limited(&DumpLimits::default())
    }

    pub(crate) fn load_limited(self, limits: &DumpLimits) -> std::result::Result<Arc<Dump>, CoreError> {
        self.load_progress(limits, None)
    }

    /// [`DumpRef::load_limited`], reporting the parse to `on_progress`.
    pub(crate) fn load_progress(
        self,
        limits: &DumpLimits,
        on_progress: Option<&OnProgress>,
    ) -> std::result::Result<Arc<Dump>, CoreError> {
        let (source, name) = match self {
            DumpRef::Parsed(d) => return Ok(d),
            DumpRef::Path(p) => (Source::open_limited(&p, limits.max_decompressed)?, p.display().to_string()),
            DumpRef::Bytes(b) => (Source::from_bytes_limited(b, "<buffer>", limits.max_decompressed)?, "<buffer>".to_string()),
        };
        let events = progress::parse_events(on_progress);
        Ok(Arc::new(parse::parse_progress(source, &name, &limits.parse, &events)?))
    }
}

/// The resource limits of reading a dump (README "Limits").
#[derive(Clone, Copy)]
pub struct DumpLimits {
    max_decompressed: MaxDecompressed,
    parse: parse::Limits,
}

impl Default for DumpLimits {
    fn default() -> Self {
        DumpLimits { max_decompressed: MaxDecompressed::DEFAULT, parse: parse::Limits::default() }
    }
}

impl DumpLimits {
    fn from_options(o: Option<&StacksOptions>) -> DumpLimits {
        let mut l = DumpLimits::default();
        let pos = |v: Option<f64>| v.filter(|v| v.is_finite() && *v >= 1.0);
        if let Some(o) = o {
            if let Some(v) = pos(o.max_decompressed) {
                l.max_decompressed = MaxDecompressed(v as u64);
            }
            if let Some(v) = pos(o.max_goroutines) {
                l.parse.max_goroutines = v as usize;
            }
            if let Some(v) = pos(o.max_frames_per_goroutine) {
                l.parse.max_frames_per_goroutine = v as usize;
            }
        }
        l
    }
}

/// Options of `analyzeStacks` and `StackDump.analyze`; every field is optional.
#[napi(object)]
#[derive(Default)]
pub struct StacksOptions {
    /// `"loose"` (default: arguments and pc offsets ignored) or `"exact"`.
    pub similarity: Option<String>,
    /// Minutes from which a group counts as hung (default 1).
    pub min_wait: Option<u32>,
    /// Keep goroutines whose state contains this text or whose class is this name.
    pub state: Option<String>,
    /// Keep goroutines with a frame whose function or file matches this regular expression.
    #[napi(js_name = "match")]
    pub match_: Option<String>,
    /// Keep the first N groups.
    pub top: Option<u32>,
    /// `"count"` (default) or `"wait"`.
    pub sort: Option<String>,
    /// Keep goroutines carrying every one of these pprof labels, each `"KEY=VALUE"` (split at
    /// the first `=`).
    pub label: Option<Vec<String>>,
    /// Split groups by the value of this pprof label.
    pub group_by_label: Option<String>,
    /// Largest size a gzipped dump may inflate to, in bytes (default 4 GiB).
    pub max_decompressed: Option<f64>,
    /// Most goroutine records a dump may hold (default 10 000 000).
    pub max_goroutines: Option<f64>,
    /// Most frames in one goroutine's stack (default 100 000).
    pub max_frames_per_goroutine: Option<f64>,
}

pub struct AnalyzeTask {
    dump: Option<DumpRef>,
    base: Option<DumpRef>,
    options: std::result::Result<analyze::Options, String>,
    limits: DumpLimits,
    on_progress: Option<OnProgress>,
}

impl Task for AnalyzeTask {
    type Output = std::result::Result<Vec<u8>, NativeError>;
    type JsValue = Buffer;

    fn compute(&mut self) -> Result<Self::Output> {
        let options = match self.options.clone() {
            Ok(o) => o,
            Err(m) => return Ok(Err(NativeError::options(m))),
        };
        let dump = self.dump.take().expect("compute runs once");
        let base = self.base.take();
        let limits = self.limits;
        let on_progress = self.on_progress.as_ref();
        Ok(guard(move || {
            let dump = dump.load_progress(&limits, on_progress)?;
            let base = base.map(|b| b.load_limited(&limits)).transpose()?;
            let total = dump.source.bytes().len() as u64;
            progress::report(on_progress, "analyse", total, total);
            let findings = analyze::analyze(&dump, base.as_deref(), &options);
            let out = convert::findings_to_flatbuffer(&findings);
            progress::report(on_progress, "done", total, total);
            Ok(out)
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        settle(&env, output).map(Buffer::from)
    }
}

/// Parse a dump (path or Buffer, gzip or plain) and analyse it off the main thread.
/// Resolves to a FlatBuffers `goroscope.stacks.Findings` (schema/stacks.fbs). `onProgress`
/// hears of the parse chunk by chunk, of the analysis starting, and `"done"` last.
#[napi(ts_return_type = "Promise<Buffer>")]
pub fn analyze_stacks_raw(
    input: Either<String, Buffer>,
    options: Option<StacksOptions>,
    base: Option<Either<String, Buffer>>,
    // spelled out, not `OnProgress`: napi derives the TypeScript type from these words
    on_progress: Option<ThreadsafeFunction<ProgressEvent, (), ProgressEvent, Status, false>>,
) -> AsyncTask<AnalyzeTask> {
    let limits = DumpLimits::from_options(options.as_ref());
    AsyncTask::new(AnalyzeTask {
        dump: Some(DumpRef::from_js(input)),
        base: base.map(DumpRef::from_js),
        options: convert::options(options.unwrap_or_default()),
        limits,
        on_progress,
    })
}

/// A parsed dump kept in native memory for repeated queries.
#[napi]
pub struct StackDump {
    dump: Arc<Dump>,
}

impl Drop for StackDump {
    fn drop(&mut self) {
        reclaim::later(Arc::clone(&self.dump));
    }
}

pub struct OpenTask {
    input: Option<DumpRef>,
    limits: DumpLimits,
    on_progress: Option<OnProgress>,
}

impl Task for OpenTask {
    type Output = std::result::Result<Arc<Dump>, NativeError>;
    type JsValue = StackDump;

    fn compute(&mut self) -> Result<Self::Output> {
        let input = self.input.take().expect("compute runs once");
        let limits = self.limits;
        let on_progress = self.on_progress.as_ref();
        Ok(guard(move || {
            let dump = input.load_progress(&limits, on_progress)?;
            let total = dump.source.bytes().len() as u64;
            progress::report(on_progress, "done", total, total);
            Ok(dump)
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        settle(&env, output).map(|dump| StackDump { dump })
    }
}

#[napi]
impl StackDump {
    /// Parse a dump off the main thread; only the `max*` limits of `options` are used.
    /// `onProgress` hears of the parse chunk by chunk, and `"done"` last.
    #[napi(ts_return_type = "Promise<StackDump>")]
    pub fn open(
        input: Either<String, Buffer>,
        options: Option<StacksOptions>,
        on_progress: Option<ThreadsafeFunction<ProgressEvent, (), ProgressEvent, Status, false>>,
    ) -> AsyncTask<OpenTask> {
        let limits = DumpLimits::from_options(options.as_ref());
        AsyncTask::new(OpenTask { input: Some(DumpRef::from_js(input)), limits, on_progress })
    }

    /// Goroutines in the dump (debug=1 buckets count N each).
    #[napi(getter)]
    pub fn goroutines(&self) -> f64 {
        self.dump.total() as f64
    }

    /// Records parsed (goroutines, or debug=1 buckets).
    #[napi(getter)]
    pub fn records(&self) -> u32 {
        self.dump.goroutines.len() as u32
    }

    /// Race-detector reports (`WARNING: DATA RACE`) in the input.
    #[napi(getter)]
    pub fn races(&self) -> u32 {
        self.dump.races.len() as u32
    }

    /// The input ended inside a goroutine.
    #[napi(getter)]
    pub fn truncated(&self) -> bool {
        self.dump.truncated
    }

    /// Analyse with `options`, optionally against a base dump; resolves to a FlatBuffers Findings.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn analyze_raw(
        &self,
        options: Option<StacksOptions>,
        base: Option<&StackDump>,
    ) -> AsyncTask<AnalyzeTask> {
        AsyncTask::new(AnalyzeTask {
            dump: Some(DumpRef::Parsed(self.dump.clone())),
            base: base.map(|b| DumpRef::Parsed(b.dump.clone())),
            options: convert::options(options.unwrap_or_default()),
            limits: DumpLimits::default(),
            on_progress: None,
        })
    }
}
