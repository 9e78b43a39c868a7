//! Core errors → JS errors, mapped once here. A failed call rejects with an `Error` whose own
//! properties are the error as data: `code` (one of `GOROSCOPE_IO`, `GOROSCOPE_GZIP`,
//! `GOROSCOPE_PARSE`, `GOROSCOPE_PROFILE`, `GOROSCOPE_OPTIONS`, `GOROSCOPE_REPORT`,
//! `GOROSCOPE_SYMBOLIZE`, `GOROSCOPE_LIMIT` (a resource limit was exceeded), `GOROSCOPE_PANIC`),
//! `message`, and where known `path`, `line` and `offset` (bytes) in the input.
//!
//! Work on the libuv pool returns a [`NativeError`] as a value (`Task::Output` is a `Result`);
//! the task's `resolve`, back on the JS thread, makes the JS error ([`settle`]). The core names
//! no front end, so this is also where a message gains the option that raises a limit.

use std::panic::{catch_unwind, AssertUnwindSafe};

use goroscope_core::driver::{self, FetchError};
use goroscope_core::pprof::ProfileError;
use goroscope_core::source::{GzipError, SourceError};
use goroscope_core::stacks::parse::ParseError;
use napi::bindgen_prelude::*;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Driver(#[from] driver::Error),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: {source}")]
    Profile { path: String, source: ProfileError },
    #[error("{path}: {source}")]
    Symbolize { path: String, source: goroscope_core::symbolize::SymbolizeError },
    #[error("{0}")]
    Options(String),
}

impl From<FetchError> for CoreError {
    fn from(e: FetchError) -> Self {
        CoreError::Driver(e.into())
    }
}

fn profile_code(e: &ProfileError) -> &'static str {
    match e {
        ProfileError::Gzip(GzipError::TooLarge { .. }) | ProfileError::TooMany { .. } => "GOROSCOPE_LIMIT",
        _ => "GOROSCOPE_PROFILE",
    }
}

impl CoreError {
    fn code(&self) -> &'static str {
        use driver::Error as D;
        match self {
            CoreError::Source(SourceError::Gzip { source: GzipError::TooLarge { .. }, .. })
            | CoreError::Parse(ParseError::Limit { .. }) => "GOROSCOPE_LIMIT",
            CoreError::Source(SourceError::Io { .. }) => "GOROSCOPE_IO",
            CoreError::Source(SourceError::Gzip { .. }) => "GOROSCOPE_GZIP",
            CoreError::Parse(_) => "GOROSCOPE_PARSE",
            CoreError::Io { .. } | CoreError::Driver(D::Fetch(FetchError::Io { .. })) => "GOROSCOPE_IO",
            CoreError::Profile { source, .. } | CoreError::Driver(D::Fetch(FetchError::Profile { source, .. })) => {
                profile_code(source)
            }
            CoreError::Symbolize { .. } | CoreError::Driver(D::Fetch(FetchError::Symbolize { .. })) => {
                "GOROSCOPE_SYMBOLIZE"
            }
            CoreError::Options(_) | CoreError::Driver(D::Flags(_) | D::Config(_) | D::Shell(_)) => "GOROSCOPE_OPTIONS",
            CoreError::Driver(_) => "GOROSCOPE_REPORT",
        }
    }

    fn profile_error(&self) -> Option<&ProfileError> {
        match self {
            CoreError::Profile { source, .. } | CoreError::Driver(driver::Error::Fetch(FetchError::Profile { source, .. })) => {
                Some(source)
            }
            _ => None,
        }
    }

    /// The input the error is about.
    fn path(&self) -> Option<&str> {
        use driver::Error as D;
        match self {
            CoreError::Source(SourceError::Io { path, .. } | SourceError::Gzip { path, .. })
            | CoreError::Io { path, .. }
            | CoreError::Profile { path, .. }
            | CoreError::Symbolize { path, .. }
            | CoreError::Driver(D::Fetch(
                FetchError::Io { path, .. } | FetchError::Profile { path, .. } | FetchError::Symbolize { path, .. },
            )) => Some(path),
            CoreError::Parse(
                ParseError::Empty { name } | ParseError::NotADump { name, .. } | ParseError::Limit { name, .. },
            ) => Some(name),
            _ => None,
        }
    }

    fn line(&self) -> Option<u64> {
        match self {
            CoreError::Parse(ParseError::NotADump { line, .. }) => Some(*line),
            _ => self.profile_error().and_then(ProfileError::line),
        }
    }

    fn offset(&self) -> Option<u64> {
        match self {
            CoreError::Parse(ParseError::NotADump { offset, .. }) => Some(*offset),
            _ => self.profile_error().and_then(ProfileError::offset),
        }
    }

    /// What the front ends add to a core message: the option that raises a limit, the command
    /// that reads what was given (the core names neither).
    fn hint(&self) -> &'static str {
        match (self, self.profile_error()) {
            (CoreError::Source(SourceError::Gzip { source: GzipError::TooLarge { .. }, .. }), _)
            | (_, Some(ProfileError::Gzip(GzipError::TooLarge { .. }))) => " (limit: maxDecompressed / --max-decompressed)",
            (_, Some(ProfileError::GoroutineDump)) => "; use `goroscope stacks`",
            _ => "",
        }
    }
}

/// A core error as it crosses into JavaScript (see the module doc).
#[derive(Debug)]
pub struct NativeError {
    pub code: &'static str,
    pub message: String,
    pub path: Option<String>,
    pub line: Option<u64>,
    pub offset: Option<u64>,
}

impl NativeError {
    /// An invalid option of a call (checked before any work).
    pub fn options(message: impl Into<String>) -> NativeError {
        NativeError { code: "GOROSCOPE_OPTIONS", message: message.into(), path: None, line: None, offset: None }
    }

    /// The JS error: an `Error` with the fields as own properties.
    pub fn into_js(self, env: &Env) -> Error {
        let build = || -> Result<Error> {
            let mut e = env.create_error(Error::new(Status::GenericFailure, self.message.clone()))?;
            e.set_named_property("code", self.code)?;
            if let Some(p) = &self.path {
                e.set_named_property("path", p.as_str())?;
            }
            if let Some(l) = self.line {
                e.set_named_property("line", l as f64)?;
            }
            if let Some(o) = self.offset {
                e.set_named_property("offset", o as f64)?;
            }
            Ok(Error::from(e.to_unknown()))
        };
        build().unwrap_or_else(|e| e)
    }
}

impl From<CoreError> for NativeError {
    fn from(e: CoreError) -> Self {
        NativeError {
            code: e.code(),
            message: format!("{e}{}", e.hint()),
            path: e.path().map(str::to_string),
            line: e.line(),
            offset: e.offset(),
        }
    }
}

/// Run core work, turning its errors and any panic into a [`NativeError`].
pub fn guard<T>(f: impl FnOnce() -> std::result::Result<T, CoreError>) -> std::result::Result<T, NativeError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.into()),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(NativeError {
                code: "GOROSCOPE_PANIC",
                message: format!("internal error (a bug in goroscope, please report it): {what}"),
                path: None,
                line: None,
                offset: None,
            })
        }
    }
}

/// On the JS thread: a task's outcome, its error made a JS error.
pub fn settle<T>(env: &Env, outcome: std::result::Result<T, NativeError>) -> Result<T> {
    outcome.map_err(|e| e.into_js(env))
}
