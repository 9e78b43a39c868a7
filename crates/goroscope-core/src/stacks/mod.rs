//! Go goroutine dumps: the model, the parser and the analyses over them.

pub mod model;
pub mod parse;
pub mod args;
pub mod analyze;
pub mod to_profile;

pub use model::*;
