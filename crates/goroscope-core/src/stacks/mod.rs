//! Go goroutine dumps: the model, the parser and the analyses over them.
//!
//! Data flows one way: `parse` (bytes → [`Dump`], the model in `model.rs`) → `analyze` (model →
//! `analyze::Findings`); `to_profile` turns a dump into a pprof profile for the graph and report
//! layers; `args` reads the numbers out of a frame's argument text.

pub mod model;
pub mod parse;
pub mod args;
pub mod analyze;
pub mod to_profile;

pub use model::*;
