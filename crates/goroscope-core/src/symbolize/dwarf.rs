//! DWARF symbolization (`.debug_info`/`.debug_line`, and the inlined-subroutine tree) through
//! the `addr2line` crate, plus the functions' declaration lines (`DW_AT_decl_line`) that
//! `addr2line` does not report, for the profile's `start_line`.

use std::borrow::Cow;
use std::rc::Rc;

use gimli::Reader;
use rustc_hash::FxHashMap;

use super::elf::Elf;
use super::{Frame, SymbolizeError};

type R = gimli::EndianRcSlice<gimli::RunTimeEndian>;

/// A DWARF line and inline-tree index over one binary.
pub struct Dwarf {
    ctx: addr2line::Context<R>,
    decl_lines: FxHashMap<String, i64>,
}

impl Dwarf {
    /// `Ok(None)` when the binary has no `.debug_info` (stripped, or `-ldflags=-w`).
    pub fn load(elf: &Elf) -> Result<Option<Dwarf>, SymbolizeError> {
        if elf.section(".debug_info")?.is_none_or(|d| d.is_empty()) {
            return Ok(None);
        }
        let endian = if elf.file_is_le() { gimli::RunTimeEndian::Little } else { gimli::RunTimeEndian::Big };
        let load = |id: gimli::SectionId| -> Result<R, SymbolizeError> {
            let data: Cow<[u8]> = elf.section(id.name())?.unwrap_or(Cow::Borrowed(&[]));
            Ok(gimli::EndianRcSlice::new(Rc::from(&*data), endian))
        };
        let dwarf = gimli::Dwarf::load(load)?;
        let decl_lines = decl_lines(&dwarf).unwrap_or_default();
        let ctx = addr2line::Context::from_dwarf(dwarf).map_err(|e| SymbolizeError::Dwarf(e.to_string()))?;
        Ok(Some(Dwarf { ctx, decl_lines }))
    }

    /// Frames at `addr`, innermost first; `None` when no unit covers it.
    pub fn frames(&self, addr: u64) -> Option<Vec<Frame>> {
        let mut it = self.ctx.find_frames(addr).skip_all_loads().ok()?;
        let mut out = Vec::new();
        while let Ok(Some(f)) = it.next() {
            let function = f
                .function
                .as_ref()
                .and_then(|n| n.raw_name().ok().map(|s| s.into_owned()))
                .unwrap_or_default();
            let (file, line, column) = match &f.location {
                Some(l) => (l.file.unwrap_or("").to_string(), l.line.unwrap_or(0) as i64, l.column.unwrap_or(0) as i64),
                None => (String::new(), 0, 0),
            };
            let start_line = self.decl_lines.get(&function).copied().unwrap_or(0);
            out.push(Frame { function, file, line, column, start_line });
        }
        if out.is_empty() || out.iter().all(|f| f.function.is_empty() && f.file.is_empty()) {
            return None;
        }
        Some(out)
    }
}

/// `DW_AT_decl_line` of every named subprogram (first one wins).
fn decl_lines(dwarf: &gimli::Dwarf<R>) -> Result<FxHashMap<String, i64>, gimli::Error> {
    let mut out = FxHashMap::default();
    let mut units = dwarf.units();
    while let Some(header) = units.next()? {
        let unit = dwarf.unit(header)?;
        let mut entries = unit.entries();
        while let Some(e) = entries.next_dfs()? {
            if e.tag() != gimli::DW_TAG_subprogram {
                continue;
            }
            let Some(line) = e.attr_value(gimli::DW_AT_decl_line).and_then(|v| v.udata_value()) else { continue };
            let Some(name) = e.attr_value(gimli::DW_AT_name) else { continue };
            let Ok(name) = dwarf.attr_string(&unit, name) else { continue };
            let Ok(name) = name.to_string_lossy() else { continue };
            out.entry(name.into_owned()).or_insert(line as i64);
        }
    }
    Ok(out)
}

impl From<gimli::Error> for SymbolizeError {
    fn from(e: gimli::Error) -> Self {
        SymbolizeError::Dwarf(e.to_string())
    }
}
