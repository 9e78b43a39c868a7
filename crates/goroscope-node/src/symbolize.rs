//! Symbolization for Node: `symbolizeRaw` (profile + ELF binary → symbolized gzip proto and
//! stats) and the two halves of remote symbolization (`unsymbolizedAddresses` for the request,
//! `applySymbolNamesRaw` for the `/debug/pprof/symbol` answers; the HTTP is in TypeScript). All
//! of it off the main thread; profiles are loaded by the core driver (`driver::Source`), and
//! `Profile.load`/`runPprofRaw`'s `binary` is the driver's fetch step.

use std::path::{Path, PathBuf};

use napi::bindgen_prelude::*;
use napi_derive::napi;

use goroscope_core::pprof::{encode, Limits, Profile as CoreProfile};
use goroscope_core::symbolize::{self, Options, Prefer, Stats};

use crate::error::{guard, settle, CoreError, NativeError};
use crate::profile::source_from_js;

/// Options of `symbolizeRaw` and the remote functions; every field is optional.
#[napi(object)]
#[derive(Default, Clone)]
pub struct SymbolizeOptions {
    /// `"auto"` (default: Go pclntab, then DWARF, then the symbol table), `"pclntab"`,
    /// `"dwarf"` or `"symtab"`.
    pub prefer: Option<String>,
    /// Replace lines that locations already have.
    pub force: Option<bool>,
    /// Cap on gzip output when reading the profile (bytes).
    pub max_decompressed: Option<f64>,
}

/// What symbolization did (see `goroscope_core::symbolize::Stats`).
#[napi(object)]
pub struct SymbolizeStats {
    pub mappings: u32,
    pub locations: u32,
    pub symbolized: u32,
    pub unresolved: u32,
    pub by_pclntab: u32,
    pub by_dwarf: u32,
    pub by_symtab: u32,
    pub by_remote: u32,
    /// The Go pclntab layout found (`go1.20`, …).
    pub pclntab: Option<String>,
    pub has_dwarf: bool,
    pub has_symtab: bool,
}

impl From<&Stats> for SymbolizeStats {
    fn from(s: &Stats) -> Self {
        let n = |v: usize| v as u32;
        SymbolizeStats {
            mappings: n(s.mappings),
            locations: n(s.locations),
            symbolized: n(s.symbolized),
            unresolved: n(s.unresolved),
            by_pclntab: n(s.by_pclntab),
            by_dwarf: n(s.by_dwarf),
            by_symtab: n(s.by_symtab),
            by_remote: n(s.by_remote),
            pclntab: s.pclntab.map(str::to_string),
            has_dwarf: s.has_dwarf,
            has_symtab: s.has_symtab,
        }
    }
}

/// A symbolized profile: gzip profile.proto and what was done.
#[napi(object)]
pub struct SymbolizeResult {
    pub profile: Buffer,
    pub stats: SymbolizeStats,
}

fn core_options(o: &SymbolizeOptions, binary: Option<&Path>) -> std::result::Result<Options, CoreError> {
    let prefer = match o.prefer.as_deref().unwrap_or("auto") {
        "auto" => Prefer::Auto,
        "pclntab" => Prefer::Pclntab,
        "dwarf" => Prefer::Dwarf,
        "symtab" => Prefer::Symtab,
        other => return Err(CoreError::Options(format!("prefer must be auto, pclntab, dwarf or symtab, not {other:?}"))),
    };
    Ok(Options { prefer, force: o.force.unwrap_or(false), binary_name: binary.map(|b| b.display().to_string()) })
}

fn load_input(input: Either<String, Buffer>, o: &SymbolizeOptions) -> std::result::Result<CoreProfile, CoreError> {
    let limits: Limits = crate::profile::limits(o.max_decompressed);
    Ok(std::sync::Arc::unwrap_or_clone(source_from_js(input).load(&limits)?))
}

enum Job {
    Binary(PathBuf),
    Names(Vec<String>),
    Addresses,
}

pub struct SymbolizeTask {
    input: Option<Either<String, Buffer>>,
    job: Option<Job>,
    options: SymbolizeOptions,
}

pub enum SymbolizeOutput {
    Profile(Vec<u8>, Stats),
    Addresses(Vec<String>),
}

impl Task for SymbolizeTask {
    type Output = std::result::Result<SymbolizeOutput, NativeError>;
    type JsValue = Either<SymbolizeResult, Vec<String>>;

    fn compute(&mut self) -> Result<Self::Output> {
        let input = self.input.take().expect("compute runs once");
        let job = self.job.take().expect("compute runs once");
        let o = self.options.clone();
        Ok(guard(move || {
            let mut p = load_input(input, &o)?;
            let stats = match job {
                Job::Addresses => {
                    let a = symbolize::unsymbolized_addresses(&p, o.force.unwrap_or(false));
                    return Ok(SymbolizeOutput::Addresses(a.into_iter().map(|a| format!("{a:#x}")).collect()));
                }
                Job::Binary(path) => {
                    let name = path.display().to_string();
                    let data = std::fs::read(&path).map_err(|e| CoreError::Io { path: name.clone(), source: e })?;
                    let opts = core_options(&o, Some(&path))?;
                    symbolize::symbolize(&mut p, &data, &opts).map_err(|source| CoreError::Symbolize { path: name, source })?
                }
                Job::Names(answers) => {
                    let mut names = symbolize::NameMap::default();
                    for a in &answers {
                        names.extend(symbolize::parse_symbolz(a).unwrap_or_default());
                    }
                    symbolize::apply_names(&mut p, &names, o.force.unwrap_or(false))
                }
            };
            Ok(SymbolizeOutput::Profile(encode::encode(&p), stats))
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(match settle(&env, output)? {
            SymbolizeOutput::Profile(bytes, stats) => Either::A(SymbolizeResult { profile: bytes.into(), stats: (&stats).into() }),
            SymbolizeOutput::Addresses(a) => Either::B(a),
        })
    }
}

/// Symbolize a profile (path or Buffer) from an ELF binary (path); resolves to the gzip
/// profile.proto and stats. A binary that matches none of the profile's mappings, or that is
/// not ELF, is a `GOROSCOPE_SYMBOLIZE` error.
#[napi(ts_return_type = "Promise<SymbolizeResult>")]
pub fn symbolize_raw(input: Either<String, Buffer>, binary: String, options: Option<SymbolizeOptions>) -> AsyncTask<SymbolizeTask> {
    AsyncTask::new(SymbolizeTask { input: Some(input), job: Some(Job::Binary(PathBuf::from(binary))), options: options.unwrap_or_default() })
}

/// The addresses (`0x…`) of a profile's locations that have no lines, in mappings not yet
/// symbolized: what to ask a live program's `/debug/pprof/symbol` about.
#[napi(ts_return_type = "Promise<string[]>")]
pub fn unsymbolized_addresses(input: Either<String, Buffer>, options: Option<SymbolizeOptions>) -> AsyncTask<SymbolizeTask> {
    AsyncTask::new(SymbolizeTask { input: Some(input), job: Some(Job::Addresses), options: options.unwrap_or_default() })
}

/// Apply `/debug/pprof/symbol` answers (`num_symbols: 1` then `0xADDR name` lines; several
/// answers may be given) to a profile; resolves to the gzip profile.proto and stats.
#[napi(ts_return_type = "Promise<SymbolizeResult>")]
pub fn apply_symbol_names_raw(input: Either<String, Buffer>, answers: Vec<String>, options: Option<SymbolizeOptions>) -> AsyncTask<SymbolizeTask> {
    AsyncTask::new(SymbolizeTask { input: Some(input), job: Some(Job::Names(answers)), options: options.unwrap_or_default() })
}
