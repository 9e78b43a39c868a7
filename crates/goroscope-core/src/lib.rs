//! goroscope's core: parse Go goroutine dumps and pprof profiles, analyse them, and hand the
//! findings to a renderer. Nothing here knows about N-API or JavaScript; only [`driver`] knows
//! pprof's command line.
//!
//! Layers (data flows one way):
//! - every input: [`source`] (bytes in, the one gunzip) and [`sniff`] (what the bytes are);
//! - goroutine dumps: `stacks::parse` (bytes → model) → `stacks::analyze` (model → findings);
//! - profiles, as google/pprof's packages: [`measurement`] (units, scaling) at the bottom →
//!   [`pprof`] (the profile model, decoding, merging) → [`graph`] (call graph, trimming) →
//!   [`report`] (a report from a prepared profile) → [`driver`] on top (flags, `Config`,
//!   fetching, filters, the `Session` that shells and web UIs hold). [`symbolize`] fills in
//!   address-only profiles from a binary; [`flame`] is the flame graph's data.

pub mod driver;
pub mod flame;
pub mod graph;
pub mod measurement;
pub mod pprof;
pub mod report;
pub mod sniff;
pub mod source;
pub mod stacks;
pub mod symbolize;
