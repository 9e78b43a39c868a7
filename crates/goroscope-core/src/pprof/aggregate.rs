//! Granularity aggregation (pprof `Profile.Aggregate` and the driver's granularity switch):
//! clears the location/line/function fields a report does not distinguish, so that graph nodes
//! merge on equal identities. Locations are not merged here.

use super::Profile;

/// Report granularity (`-functions`, `-filefunctions`, `-files`, `-lines`, `-addresses`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Granularity {
    Functions,
    FileFunctions,
    Files,
    Lines,
    Addresses,
}

impl Granularity {
    pub fn name(self) -> &'static str {
        match self {
            Granularity::Functions => "functions",
            Granularity::FileFunctions => "filefunctions",
            Granularity::Files => "files",
            Granularity::Lines => "lines",
            Granularity::Addresses => "addresses",
        }
    }
    pub fn from_name(s: &str) -> Option<Granularity> {
        Some(match s {
            "functions" => Granularity::Functions,
            "filefunctions" => Granularity::FileFunctions,
            "files" => Granularity::Files,
            "lines" => Granularity::Lines,
            "addresses" => Granularity::Addresses,
            _ => return None,
        })
    }
}

/// Which attributes survive [`aggregate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keep {
    pub inline_frames: bool,
    pub function: bool,
    pub filename: bool,
    pub line_number: bool,
    pub column_number: bool,
    pub address: bool,
}

/// Clears every attribute not kept: function names, file names, line/column numbers, addresses,
/// and all but the outermost line of a location when inline frames are not kept.
pub fn aggregate(p: &mut Profile, k: Keep) {
    for m in &mut p.mappings {
        m.has_inline_frames &= k.inline_frames;
        m.has_functions &= k.function;
        m.has_filenames &= k.filename;
        m.has_line_numbers &= k.line_number;
    }
    if !k.function || !k.filename {
        for f in &mut p.functions {
            if !k.function {
                f.name = 0;
                f.system_name = 0;
            }
            if !k.filename {
                f.filename = 0;
            }
        }
    }
    if !k.inline_frames || !k.address || !k.line_number || !k.column_number {
        for l in &mut p.locations {
            if !k.inline_frames && l.lines.len() > 1 {
                let last = *l.lines.last().unwrap();
                l.lines = vec![last];
            }
            if !k.line_number {
                for ln in &mut l.lines {
                    ln.line = 0;
                    ln.column = 0;
                }
            }
            if !k.column_number {
                for ln in &mut l.lines {
                    ln.column = 0;
                }
            }
            if !k.address {
                l.address = 0;
            }
        }
    }
}

/// The driver's aggregation for a granularity (None = the default, functions), `-noinlines` and
/// `-showcolumns`. Addresses with inline frames kept leave the profile untouched.
pub fn apply_granularity(p: &mut Profile, g: Option<Granularity>, no_inlines: bool, show_columns: bool) {
    let inline_frames = !no_inlines;
    let (function, filename, line_number, address) = match g {
        None | Some(Granularity::Functions) => (true, false, false, false),
        Some(Granularity::Addresses) => {
            if inline_frames {
                return;
            }
            (true, true, true, true)
        }
        Some(Granularity::Lines) => (true, true, true, false),
        Some(Granularity::Files) => (false, true, false, false),
        Some(Granularity::FileFunctions) => (true, true, false, false),
    };
    aggregate(
        p,
        Keep { inline_frames, function, filename, line_number, column_number: show_columns, address },
    );
}
