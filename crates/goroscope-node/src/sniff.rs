//! `sniff` for Node: what an input (path or Buffer) holds, from the core's one sniffer
//! (`goroscope_core::sniff`), so that the TypeScript layer routes inputs instead of guessing.

use std::path::PathBuf;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use goroscope_core::sniff::{self, InputKind as CoreKind};

use crate::error::{guard, settle, CoreError, NativeError};

/// What an input holds (`goroscope_core::sniff::InputKind`).
#[napi(string_enum = "kebab-case")]
pub enum InputKind {
    Empty,
    Gzip,
    Zip,
    Tar,
    Executable,
    ProfileProto,
    GoroutineProfile,
    LegacyProfile,
    GoroutineDump,
    Json,
    Text,
    Binary,
}

impl From<CoreKind> for InputKind {
    fn from(k: CoreKind) -> Self {
        match k {
            CoreKind::Empty => InputKind::Empty,
            CoreKind::Gzip => InputKind::Gzip,
            CoreKind::Zip => InputKind::Zip,
            CoreKind::Tar => InputKind::Tar,
            CoreKind::Executable => InputKind::Executable,
            CoreKind::ProfileProto => InputKind::ProfileProto,
            CoreKind::GoroutineProfile => InputKind::GoroutineProfile,
            CoreKind::LegacyProfile => InputKind::LegacyProfile,
            CoreKind::GoroutineDump => InputKind::GoroutineDump,
            CoreKind::Json => InputKind::Json,
            CoreKind::Text => InputKind::Text,
            CoreKind::Binary => InputKind::Binary,
        }
    }
}

/// What an input holds, looked at through gzip (`goroscope_core::sniff::Sniffed`).
#[napi(object)]
pub struct Sniffed {
    pub kind: InputKind,
    /// The input is gzip; `kind` is what it inflates to.
    pub gzip: bool,
}

pub enum SniffInput {
    Path(PathBuf),
    /// The first bytes of a Buffer, and whether they are all of it.
    Head(Vec<u8>, bool),
}

pub struct SniffTask {
    input: Option<SniffInput>,
}

impl Task for SniffTask {
    type Output = std::result::Result<sniff::Sniffed, NativeError>;
    type JsValue = Sniffed;

    fn compute(&mut self) -> Result<Self::Output> {
        let input = self.input.take().expect("compute runs once");
        Ok(guard(move || match input {
            SniffInput::Path(p) => sniff::sniff_file(&p).map_err(CoreError::from),
            SniffInput::Head(head, complete) => Ok(sniff::sniff_prefix(&head, complete)),
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        settle(&env, output).map(|s| Sniffed { kind: s.kind.into(), gzip: s.gzip })
    }
}

/// What a file (path) or Buffer holds: a goroutine dump (`goroutine-dump`, or
/// `goroutine-profile` for `?debug=1`), a profile (`profile-proto`, `legacy-profile`), an
/// archive, JSON, … (the grammar is in crates/goroscope-core/src/sniff.rs). A file is read only
/// as far as its first 64 KiB (inflated, for gzip).
#[napi(ts_return_type = "Promise<Sniffed>")]
pub fn sniff(input: Either<String, Buffer>) -> AsyncTask<SniffTask> {
    let input = match input {
        Either::A(p) => SniffInput::Path(PathBuf::from(p)),
        Either::B(b) => {
            let head = &b[..b.len().min(sniff::HEAD + 1024)];
            SniffInput::Head(head.to_vec(), head.len() == b.len())
        }
    };
    AsyncTask::new(SniffTask { input: Some(input) })
}
