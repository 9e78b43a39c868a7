//! Core errors → JS errors, mapped once here. Each message starts with a stable code in
//! brackets (`[GOROSCOPE_IO]`, `[GOROSCOPE_GZIP]`, `[GOROSCOPE_PARSE]`, `[GOROSCOPE_PROFILE]`,
//! `[GOROSCOPE_OPTIONS]`, `[GOROSCOPE_REPORT]`, `[GOROSCOPE_SYMBOLIZE]`, `[GOROSCOPE_LIMIT]` (a resource
//! limit was exceeded), `[GOROSCOPE_PANIC]`), which the TypeScript layer
//! moves into `error.code` (async napi tasks only carry a Status).

use std::panic::{catch_unwind, AssertUnwindSafe};

use goroscope_core::pprof::ProfileError;
use goroscope_core::report::flags::FlagError;
use goroscope_core::report::ReportError;
use goroscope_core::source::{GzipError, SourceError};
use goroscope_core::stacks::parse::ParseError;
use napi::{Error, Result, Status};

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: {source}")]
    Profile { path: String, source: ProfileError },
    #[error(transparent)]
    Flags(#[from] FlagError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("{path}: {source}")]
    Symbolize { path: String, source: goroscope_core::symbolize::SymbolizeError },
    #[error("{0}")]
    Options(String),
}

impl CoreError {
    fn code(&self) -> &'static str {
        match self {
            CoreError::Source(SourceError::Gzip { source: GzipError::TooLarge { .. }, .. })
            | CoreError::Parse(ParseError::Limit { .. })
            | CoreError::Profile {
                source: ProfileError::Gzip(GzipError::TooLarge { .. }) | ProfileError::TooMany { .. }, ..
            } => "GOROSCOPE_LIMIT",
            CoreError::Source(SourceError::Io { .. }) => "GOROSCOPE_IO",
            CoreError::Source(SourceError::Gzip { .. }) => "GOROSCOPE_GZIP",
            CoreError::Parse(_) => "GOROSCOPE_PARSE",
            CoreError::Io { .. } => "GOROSCOPE_IO",
            CoreError::Profile { .. } => "GOROSCOPE_PROFILE",
            CoreError::Flags(_) => "GOROSCOPE_OPTIONS",
            CoreError::Report(_) => "GOROSCOPE_REPORT",
            CoreError::Symbolize { .. } => "GOROSCOPE_SYMBOLIZE",
            CoreError::Options(_) => "GOROSCOPE_OPTIONS",
        }
    }

    /// What the front ends add to a core message: the option that raises a limit, the command
    /// that reads what was given (the core names neither).
    fn hint(&self) -> &'static str {
        match self {
            CoreError::Source(SourceError::Gzip { source: GzipError::TooLarge { .. }, .. })
            | CoreError::Profile { source: ProfileError::Gzip(GzipError::TooLarge { .. }), .. } => {
                " (limit: maxDecompressed / --max-decompressed)"
            }
            CoreError::Profile { source: ProfileError::GoroutineDump, .. } => "; use `goroscope stacks`",
            _ => "",
        }
    }
}

/// Run core work, turning its errors and any panic into a JS error.
pub fn guard<T>(f: impl FnOnce() -> std::result::Result<T, CoreError>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Error::new(Status::GenericFailure, format!("[{}] {e}{}", e.code(), e.hint()))),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(Error::new(
                Status::GenericFailure,
                format!("[GOROSCOPE_PANIC] internal error (a bug in goroscope, please report it): {what}"),
            ))
        }
    }
}
