//! Getting the profile a session works on (pprof's `fetch.go`, `fetchProfiles`): load every
//! source (a path, bytes, or a profile already in memory; a URL kind can join [`Source`]),
//! symbolize it from a local binary (`-symbolize`), combine the sources (common sample types,
//! common units, merge), apply `-base`/`-diff_base` (with `-normalize`), drop the profile's
//! `drop_frames` (unless `-all_frames`) and add `-add_comment`.
//!
//! A single source that needs none of that is used as it is: its [`Arc`] is shared, not copied.

use std::path::PathBuf;
use std::sync::Arc;

use super::Error;
use crate::pprof::{self, merge, Limits, Profile, ProfileError};
use crate::report::ObjectFile;
use crate::symbolize::demangle::DemangleMode;
use crate::symbolize::{self, Prefer, SymbolizeError};

/// Where a profile comes from.
#[derive(Clone, Debug)]
pub enum Source {
    /// A file (gzip or not, profile.proto or a legacy format).
    Path(PathBuf),
    /// The bytes of one (a Node Buffer); `name` is what messages call it.
    Bytes { name: String, data: Vec<u8> },
    /// A profile already loaded (a session's, one made from a goroutine dump).
    Profile(Arc<Profile>),
}

impl From<Profile> for Source {
    fn from(p: Profile) -> Source {
        Source::Profile(Arc::new(p))
    }
}

impl Source {
    /// What messages call the source.
    pub fn name(&self) -> String {
        match self {
            Source::Path(p) => p.display().to_string(),
            Source::Bytes { name, .. } => name.clone(),
            Source::Profile(_) => "<profile>".to_string(),
        }
    }

    /// Reads and parses the source (pprof `grabProfile`).
    pub fn load(self, limits: &Limits) -> Result<Arc<Profile>, FetchError> {
        let parse = |data: &[u8], name: String| {
            pprof::parse(data, &name, limits).map(Arc::new).map_err(|source| FetchError::Profile { path: name, source })
        };
        match self {
            Source::Profile(p) => Ok(p),
            Source::Bytes { name, data } => parse(&data, name),
            Source::Path(p) => {
                let name = p.display().to_string();
                let data = std::fs::read(&p).map_err(|source| FetchError::Io { path: name.clone(), source })?;
                parse(&data, name)
            }
        }
    }
}

/// Why a source could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: {source}")]
    Profile { path: String, source: ProfileError },
    #[error("{path}: {source}")]
    Symbolize { path: String, source: SymbolizeError },
}

/// What to fetch and how (pprof's `source`): the profiles, the base profiles and the options
/// that apply while fetching.
#[derive(Clone, Debug, Default)]
pub struct Fetch {
    pub sources: Vec<Source>,
    /// `-base` (or, with `diff_base`, `-diff_base`) profiles.
    pub base: Vec<Source>,
    pub diff_base: bool,
    /// `-normalize`: scale the profile to the base's totals.
    pub normalize: bool,
    /// `-symbolize`: `none` skips symbolization; `local`, `fastlocal`, `remote`, `force`,
    /// `demangle=…` as in pprof, joined by `:` (remote symbolization is the caller's: it needs
    /// the network).
    pub symbolize: String,
    /// The ELF binary to symbolize address-only locations from (pprof's `[binary]` argument).
    pub binary: Option<PathBuf>,
    /// `-add_comment`.
    pub comment: String,
    /// `-all_frames`: keep the frames the profile's `drop_frames` would drop.
    pub all_frames: bool,
    pub limits: Limits,
}

impl Fetch {
    /// Fetching `sources` with every option at its default.
    pub fn of(sources: Vec<Source>) -> Fetch {
        Fetch { sources, ..Fetch::default() }
    }
}

/// A fetched profile and what fetching it had to say (pprof prints it on stderr).
pub struct Fetched {
    pub profile: Arc<Profile>,
    pub warnings: Vec<String>,
    /// The binary given (`binary`), read once: symbolization and `-disasm` use it.
    pub binary: Option<ObjectFile>,
}

/// pprof's `fetchProfiles`.
pub fn fetch(f: Fetch) -> Result<Fetched, Error> {
    if f.sources.is_empty() {
        return Err(Error::NoProfile);
    }
    if f.normalize && f.base.is_empty() {
        return Err(Error::NormalizeWithoutBase);
    }
    let mut warnings = Vec::new();
    let with_mapping = |v: Vec<Arc<Profile>>| -> Vec<Arc<Profile>> {
        v.into_iter()
            .map(|mut p| {
                if p.mappings.is_empty() {
                    pprof::add_fake_mapping_if_none(Arc::make_mut(&mut p));
                }
                p
            })
            .collect()
    };
    let binary = match f.binary.as_deref() {
        Some(path) => {
            let (path, data) = read_binary(path)?;
            Some(ObjectFile { path, data: Arc::new(data) })
        }
        None => None,
    };
    let b = binary.as_ref();
    let sources = with_mapping(load_with(f.sources, &f.limits, b, &f.symbolize, &mut warnings)?);
    let bases = with_mapping(load_with(f.base, &f.limits, b, &f.symbolize, &mut Vec::new())?);
    let mut p = if sources.len() == 1 && bases.is_empty() {
        sources.into_iter().next().unwrap()
    } else {
        let owned = |v: Vec<Arc<Profile>>| v.into_iter().map(Arc::unwrap_or_clone).collect();
        Arc::new(combine_with_base(owned(sources), owned(bases), f.diff_base, f.normalize).map_err(Error::Merge)?)
    };
    // pprof simplifies already demangled names as the last step of symbolizing the merged profile.
    let mode = SymbolizeMode::parse(&f.symbolize, &mut Vec::new());
    if mode.enabled && symbolize::demangle::would_change(&p, mode.force, mode.demangle) {
        symbolize::demangle::demangle(Arc::make_mut(&mut p), mode.force, mode.demangle);
    }
    if !f.all_frames && !p.str(p.drop_frames).is_empty() {
        // pprof ignores an invalid drop_frames/keep_frames expression; so do we, with a warning.
        if let Err(e) = crate::pprof::prune::remove_uninteresting(Arc::make_mut(&mut p)) {
            warnings.push(e.to_string());
        }
    }
    if !f.comment.is_empty() {
        let q = Arc::make_mut(&mut p);
        q.strings.push(f.comment.clone());
        let s = (q.strings.len() - 1) as u32;
        q.comments.push(s);
    }
    Ok(Fetched { profile: p, warnings, binary })
}

/// Loads `sources` and, unless `symbolize` says otherwise, symbolizes them from `binary` (read
/// once); an unrecognized `symbolize` option is a warning, as in pprof.
pub fn load(
    sources: Vec<Source>,
    limits: &Limits,
    binary: Option<&std::path::Path>,
    symbolize: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<Arc<Profile>>, Error> {
    let binary = match binary {
        Some(path) if !sources.is_empty() => {
            let (path, data) = read_binary(path)?;
            Some(ObjectFile { path, data: Arc::new(data) })
        }
        _ => None,
    };
    load_with(sources, limits, binary.as_ref(), symbolize, warnings)
}

/// [`load`] with the binary already read.
fn load_with(
    sources: Vec<Source>,
    limits: &Limits,
    binary: Option<&ObjectFile>,
    symbolize: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<Arc<Profile>>, Error> {
    let mode = SymbolizeMode::parse(symbolize, warnings);
    let mut out = Vec::with_capacity(sources.len());
    for s in sources {
        let mut p = s.load(limits)?;
        if let Some(b) = binary.filter(|_| mode.local) {
            let opts = symbolize::Options { prefer: Prefer::Auto, force: mode.force, binary_name: Some(b.path.clone()) };
            symbolize::symbolize(Arc::make_mut(&mut p), &b.data, &opts)
                .map_err(|source| FetchError::Symbolize { path: b.path.clone(), source })?;
        }
        out.push(p);
    }
    Ok(out)
}

/// The binary's path as messages name it, and its bytes.
fn read_binary(path: &std::path::Path) -> Result<(String, Vec<u8>), FetchError> {
    let name = path.display().to_string();
    let data = std::fs::read(path).map_err(|source| FetchError::Io { path: name.clone(), source })?;
    Ok((name, data))
}

/// What `-symbolize` asks of the local symbolizer (pprof `Symbolizer.Symbolize`).
struct SymbolizeMode {
    /// False for `none`: no symbolization, no demangling.
    enabled: bool,
    local: bool,
    force: bool,
    demangle: DemangleMode,
}

impl SymbolizeMode {
    fn parse(mode: &str, warnings: &mut Vec<String>) -> SymbolizeMode {
        let mut m = SymbolizeMode { enabled: true, local: true, force: false, demangle: DemangleMode::Default };
        for o in mode.to_lowercase().split(':') {
            match o {
                "" => {}
                "none" | "no" => {
                    return SymbolizeMode { enabled: false, local: false, force: false, demangle: DemangleMode::Default }
                }
                "local" | "fastlocal" => m.local = true,
                "remote" => m.local = false,
                "force" => m.force = true,
                o => match o.strip_prefix("demangle=").unwrap_or(o) {
                    d @ ("full" | "none" | "templates") => {
                        m.force = true;
                        m.demangle = DemangleMode::from_name(d).unwrap_or_default();
                    }
                    "default" => {}
                    _ => {
                        warnings.push(format!("ignoring unrecognized symbolization option: {mode}"));
                        warnings.push(
                            "expecting -symbolize=[local|fastlocal|remote|none][:force][:demangle=[none|full|templates|default]"
                                .to_string(),
                        );
                    }
                },
            }
        }
        m
    }
}

/// pprof's `combineProfiles`: compatibilize sample types, scale to common units, merge (skipped
/// for a single profile).
pub fn combine(mut ps: Vec<Profile>) -> Result<Profile, ProfileError> {
    if ps.is_empty() {
        return Err(ProfileError::Merge("no profiles to merge".into()));
    }
    merge::compatibilize_sample_types(&mut ps)?;
    crate::measurement::scale_profiles(&mut ps)?;
    if ps.len() == 1 {
        return Ok(ps.pop().unwrap());
    }
    merge::merge(&ps)
}

/// The `-base` / `-diff_base` step of pprof's `fetchProfiles`: sources and bases are each
/// combined; with `diff_base` the base samples are labelled `pprof::base=true`; with `normalize`
/// the source is scaled so its totals match the base's; the base is negated and merged in.
pub fn combine_with_base(
    sources: Vec<Profile>,
    bases: Vec<Profile>,
    diff_base: bool,
    normalize: bool,
) -> Result<Profile, ProfileError> {
    let mut p = combine(sources)?;
    if bases.is_empty() {
        if normalize {
            return Err(ProfileError::Merge("must have base profile to normalize by".into()));
        }
        return Ok(p);
    }
    let mut base = combine(bases)?;
    if diff_base {
        merge::set_label(&mut base, "pprof::base", "true");
    }
    if normalize {
        merge::normalize(&mut p, &base)?;
    }
    merge::scale(&mut base, -1.0);
    combine(vec![p, base])
}
