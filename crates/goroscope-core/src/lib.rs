//! goroscope's core: parse Go goroutine dumps and pprof profiles, analyse them, and hand the
//! findings to a renderer. Nothing here knows about N-API, JavaScript or command lines.
//!
//! Layers (data flows one way): `source` (bytes in) → `stacks::parse` (bytes → model) →
//! `stacks::analyze` (model → findings).

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
