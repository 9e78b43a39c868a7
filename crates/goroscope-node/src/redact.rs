//! Redaction of a profile's file names for `goroscope redact`: `profileFilenamesRaw` lists the
//! source file names (functions) and mapping file names (binaries, libraries) a profile holds;
//! `redactProfileRaw` rewrites them from a map the TypeScript side computed (one path rule, in
//! one place) and re-encodes the profile as gzip profile.proto. A file name missing from the map
//! is cut down to its base name, so a forgotten entry never leaks a path. Rewritten names are
//! interned as new strings: a string the table shares with a function name or a label stays.

use std::collections::{BTreeSet, HashMap};

use napi::bindgen_prelude::*;
use napi_derive::napi;

use goroscope_core::driver::Source;
use goroscope_core::pprof::{encode, Limits, Profile as CoreProfile};

use crate::error::{guard, settle, CoreError, NativeError};

fn load(input: Vec<u8>) -> std::result::Result<CoreProfile, CoreError> {
    let source = Source::Bytes { name: "<buffer>".into(), data: input };
    Ok(std::sync::Arc::unwrap_or_clone(source.load(&Limits::default())?))
}

fn filenames(p: &CoreProfile) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for f in &p.functions {
        out.insert(p.str(f.filename).to_string());
    }
    for m in &p.mappings {
        out.insert(p.str(m.filename).to_string());
    }
    out.remove("");
    out
}

/// `a/b/c.go` → `c.go` (either slash), the fallback for names the map does not cover.
fn base_name(s: &str) -> &str {
    s.rsplit(['/', '\\']).next().unwrap_or(s)
}

/// Rewrite every function and mapping file name of `p` through `map` (base name if missing).
pub fn redact_filenames(p: &mut CoreProfile, map: &HashMap<String, String>) {
    let mut cache: HashMap<u64, u64> = HashMap::new();
    let mut rewrite = |p: &mut CoreProfile, s: u64| -> u64 {
        if s == 0 {
            return 0;
        }
        if let Some(&n) = cache.get(&s) {
            return n;
        }
        let old = p.str(s as _).to_string();
        let new = map.get(&old).cloned().unwrap_or_else(|| base_name(&old).to_string());
        let n = if new == old { s } else { p.intern(&new) as u64 };
        cache.insert(s, n);
        n
    };
    for i in 0..p.functions.len() {
        let s = p.functions[i].filename as u64;
        p.functions[i].filename = rewrite(p, s) as _;
    }
    for i in 0..p.mappings.len() {
        let s = p.mappings[i].filename as u64;
        p.mappings[i].filename = rewrite(p, s) as _;
    }
}

pub enum RedactJob {
    List,
    Rewrite(HashMap<String, String>),
}

pub enum RedactOutput {
    Names(Vec<String>),
    Profile(Vec<u8>),
}

pub struct RedactTask {
    input: Option<Vec<u8>>,
    job: Option<RedactJob>,
}

impl Task for RedactTask {
    type Output = std::result::Result<RedactOutput, NativeError>;
    type JsValue = Either<Vec<String>, Buffer>;

    fn compute(&mut self) -> Result<Self::Output> {
        let input = self.input.take().expect("compute runs once");
        let job = self.job.take().expect("compute runs once");
        Ok(guard(move || {
            let mut p = load(input)?;
            Ok(match job {
                RedactJob::List => RedactOutput::Names(filenames(&p).into_iter().collect()),
                RedactJob::Rewrite(map) => {
                    redact_filenames(&mut p, &map);
                    RedactOutput::Profile(encode::encode(&p))
                }
            })
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(match settle(&env, output)? {
            RedactOutput::Names(n) => Either::A(n),
            RedactOutput::Profile(b) => Either::B(b.into()),
        })
    }
}

/// The distinct source file names (of functions) and mapping file names of a profile (gzip or
/// not, proto or legacy text), sorted.
#[napi(ts_return_type = "Promise<string[]>")]
pub fn profile_filenames_raw(input: Buffer) -> AsyncTask<RedactTask> {
    AsyncTask::new(RedactTask { input: Some(input.to_vec()), job: Some(RedactJob::List) })
}

/// The profile with its function and mapping file names rewritten through `rewrites` (a name
/// not in it becomes its base name), as gzip profile.proto.
#[napi(ts_return_type = "Promise<Buffer>")]
pub fn redact_profile_raw(input: Buffer, rewrites: HashMap<String, String>) -> AsyncTask<RedactTask> {
    AsyncTask::new(RedactTask { input: Some(input.to_vec()), job: Some(RedactJob::Rewrite(rewrites)) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use goroscope_core::pprof;

    #[test]
    fn rewrites_and_falls_back_to_base_names() {
        let mut p = CoreProfile::default();
        let a = p.intern("/home/alice/go/pkg/mod/github.com/x/y@v1/z.go");
        let b = p.intern("/home/alice/secret/main.go");
        let bin = p.intern("/home/alice/bin/ipfs");
        p.functions.push(pprof::Function { id: 1, name: a, filename: a, ..Default::default() });
        p.functions.push(pprof::Function { id: 2, filename: b, ..Default::default() });
        p.mappings.push(pprof::Mapping { id: 1, filename: bin, ..Default::default() });
        let mut map = HashMap::new();
        map.insert("/home/alice/go/pkg/mod/github.com/x/y@v1/z.go".to_string(), "…/github.com/x/y@v1/z.go".to_string());
        redact_filenames(&mut p, &map);
        assert_eq!(p.str(p.functions[0].filename), "…/github.com/x/y@v1/z.go");
        assert_eq!(p.str(p.functions[0].name), "/home/alice/go/pkg/mod/github.com/x/y@v1/z.go", "shared strings stay for other uses");
        assert_eq!(p.str(p.functions[1].filename), "main.go");
        assert_eq!(p.str(p.mappings[0].filename), "ipfs");
    }
}
