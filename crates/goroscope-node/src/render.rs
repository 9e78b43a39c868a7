//! What the renderers need from the core: a goroutine dump as a pprof `Profile` (so the DOT
//! call graph, flame graph and every pprof report work on dumps), and a profile's folded call
//! tree as flame graph JSON. Both run on the libuv pool.

use std::path::Path;
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use goroscope_core::flame;
use goroscope_core::pprof::{self, Limits, Profile as CoreProfile};
use goroscope_core::stacks::to_profile::{self, StacksProfile};

use crate::error::{guard, settle, CoreError, NativeError};
use crate::profile::Profile;
use crate::DumpRef;

/// Where hung goroutines are parked (a profile made from a dump).
#[napi(object)]
pub struct HungFunction {
    /// Function name, as in the profile and in the graph's node tooltips.
    pub function: String,
    /// Goroutines waiting at least `minWait` minutes parked in it.
    pub goroutines: f64,
    /// Their longest wait in minutes.
    pub max_wait_minutes: u32,
}

impl From<&to_profile::HungFunction> for HungFunction {
    fn from(h: &to_profile::HungFunction) -> Self {
        HungFunction { function: h.function.clone(), goroutines: h.goroutines as f64, max_wait_minutes: h.max_wait_minutes }
    }
}

pub struct FromStacksTask {
    input: Option<DumpRef>,
    name: String,
    min_wait: u32,
}

impl Task for FromStacksTask {
    type Output = std::result::Result<(StacksProfile, usize), NativeError>;
    type JsValue = Profile;

    fn compute(&mut self) -> Result<Self::Output> {
        let input = self.input.take().expect("compute runs once");
        let name = std::mem::take(&mut self.name);
        let min_wait = self.min_wait;
        Ok(guard(move || {
            let dump = input.load()?;
            let o = to_profile::to_profile(&dump, &name, min_wait);
            let bytes = o.profile.heap_bytes();
            Ok((o, bytes))
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        let (o, bytes) = settle(&env, output)?;
        Profile::new(&env, vec![Arc::new(o.profile)], bytes, Limits::default(), o.hung)
    }
}

/// Parse a goroutine dump (path or Buffer, gzip or plain) off the main thread and convert it
/// to a pprof profile: sample type goroutine/count, one sample per group of identical stacks,
/// string labels `state` and `wait`. `minWait` (default 1) chooses which goroutines count as
/// hung for `Profile.hungFunctions`.
#[napi(ts_return_type = "Promise<Profile>")]
pub fn profile_from_stacks(input: Either<String, Buffer>, min_wait: Option<u32>) -> AsyncTask<FromStacksTask> {
    let name = match &input {
        Either::A(p) => Path::new(p).file_name().map_or_else(|| p.clone(), |n| n.to_string_lossy().into_owned()),
        Either::B(_) => "<buffer>".to_string(),
    };
    AsyncTask::new(FromStacksTask { input: Some(DumpRef::from_js(input)), name, min_wait: min_wait.unwrap_or(1) })
}

pub struct FlameTask {
    sources: Vec<Arc<CoreProfile>>,
    title: String,
}

impl Task for FlameTask {
    type Output = std::result::Result<String, NativeError>;
    type JsValue = String;

    fn compute(&mut self) -> Result<Self::Output> {
        let sources = std::mem::take(&mut self.sources);
        let title = std::mem::take(&mut self.title);
        Ok(guard(move || {
            let tree = if sources.len() == 1 {
                flame::flame_tree(&sources[0], &title)
            } else {
                let owned: Vec<CoreProfile> = sources.iter().map(|p| (**p).clone()).collect();
                let merged = pprof::merge::merge(&owned)
                    .map_err(|source| CoreError::Profile { path: title.clone(), source })?;
                flame::flame_tree(&merged, &title)
            };
            Ok(tree.to_json())
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        settle(&env, output)
    }
}

/// The profile's samples folded into one call tree (root first, inlined frames expanded), as
/// the JSON documented in `goroscope_core::flame` (safe to embed in an HTML script element).
/// Apply pprof's filters first with a `-proto` report.
#[napi(ts_return_type = "Promise<string>")]
pub fn flame_json(profile: &Profile, title: String) -> AsyncTask<FlameTask> {
    AsyncTask::new(FlameTask { sources: profile.sources.clone(), title })
}
