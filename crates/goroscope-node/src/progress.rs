//! `onProgress` of the Node API: the core's parse progress ([`parse::Progress`]), converted and
//! queued to a JS callback through a napi ThreadsafeFunction (never blocking the parse).

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

use goroscope_core::stacks::parse;

/// One progress report: `phase` is `"parse"` (at chunk granularity, `done` growing to `total`),
/// then `"analyse"` once the analysis starts, then `"done"` (the last call, before the result).
#[napi(object)]
pub struct ProgressEvent {
    pub phase: String,
    /// Input bytes parsed so far (decompressed).
    pub done: f64,
    /// Input bytes in all (decompressed).
    pub total: f64,
}

/// The JS callback, as the binding receives it.
pub type OnProgress = ThreadsafeFunction<ProgressEvent, (), ProgressEvent, Status, false>;

/// Report `phase` at `done`/`total` to `f`, if there is one.
pub fn report(f: Option<&OnProgress>, phase: &str, done: u64, total: u64) {
    if let Some(f) = f {
        let ev = ProgressEvent { phase: phase.to_string(), done: done as f64, total: total as f64 };
        f.call(ev, ThreadsafeFunctionCallMode::NonBlocking);
    }
}

/// The core's parse progress as `"parse"` events.
pub fn parse_events(f: Option<&OnProgress>) -> impl Fn(parse::Progress) + Sync + '_ {
    move |p| report(f, "parse", p.done, p.total)
}
