//! A [`Session`]: a fetched profile (merged, base applied, symbolized, `drop_frames` dropped)
//! and the current [`Config`], asked for any number of reports without fetching again — what
//! pprof's interactive shell and web UI hold.
//!
//! The profile is shared, immutable; every report works on its own copy, because pprof's
//! filters and aggregation rewrite a profile in place.

use std::sync::Arc;

use super::fetch::{self, Fetch};
use super::{generate_report, Command, Config, ConfigError, Error};
use crate::pprof::Profile;
use crate::report::{ObjectFile, ProfileReport};

#[derive(Clone)]
pub struct Session {
    profile: Arc<Profile>,
    /// What fetching said (an invalid `drop_frames`, an unknown `-symbolize` option); repeated
    /// at the head of every report's warnings, as a one-shot run prints them.
    warnings: Vec<String>,
    /// The binary given with the profile (`-disasm` reads its instructions).
    binary: Option<ObjectFile>,
    /// The settings reports use ([`Session::set`]).
    pub config: Config,
}

impl Session {
    /// Fetches `fetch`'s profiles (pprof `fetchProfiles`) and starts with `config`.
    pub fn new(fetch: Fetch, config: Config) -> Result<Session, Error> {
        let f = fetch::fetch(fetch)?;
        Ok(Session { profile: f.profile, warnings: f.warnings, binary: f.binary, config })
    }

    /// The fetched profile.
    pub fn profile(&self) -> &Arc<Profile> {
        &self.profile
    }

    /// What fetching had to say.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Sets one setting by name, as pprof's shell does for `name=value` (or `cum`, `lines`, …
    /// with `true`).
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ConfigError> {
        self.config.set(name, value)
    }

    /// The report `cmd` with the session's settings.
    pub fn report(&self, cmd: &Command) -> Result<ProfileReport, Error> {
        self.report_with(cmd, &self.config)
    }

    /// The report `cmd` with other settings (a shell's `top10 -cum` overrides for one report).
    pub fn report_with(&self, cmd: &Command, config: &Config) -> Result<ProfileReport, Error> {
        generate_report((*self.profile).clone(), cmd, config, self.warnings.clone(), self.binary.clone())
    }

    /// The report `cmd`, the session's last: its profile is edited in place when nobody else
    /// holds it (no copy).
    pub fn into_report(self, cmd: &Command) -> Result<ProfileReport, Error> {
        generate_report(Arc::unwrap_or_clone(self.profile), cmd, &self.config, self.warnings, self.binary)
    }
}
