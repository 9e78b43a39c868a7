//! Symbolization: a profile whose locations carry only addresses gets functions, files, lines
//! and inlined frames from the ELF binary that produced it — Go's own `.gopclntab` first (what
//! the Go runtime symbolizes with, present even in `-ldflags=-s -w` binaries), then DWARF, then
//! the ELF symbol table — or, through [`remote`], names from a live program's
//! `/debug/pprof/symbol`.
//!
//! Only locations in mappings that name the binary are touched: a mapping matches when its
//! build id equals the binary's GNU build id or Go build id, or, when it has no build id, when
//! its file name has the binary's base name (or it is the profile's only, nameless mapping).
//! Addresses are turned into ELF virtual addresses with the mapping's start and file offset and
//! the ELF segment that holds that offset (non-PIE Go binaries come out unchanged; PIE bases are
//! subtracted). A binary that matches no mapping is an error and the profile is left as it was.

pub mod demangle;
pub mod dwarf;
pub mod elf;
pub mod gopclntab;
pub mod remote;

use std::cell::OnceCell;

use rustc_hash::FxHashMap;

use crate::pprof::{Function, Interner, Line, Mapping, Profile, Str};

pub use remote::{apply_names, parse_symbolz, unsymbolized_addresses, NameMap};

/// One frame of a symbolized address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    pub function: String,
    pub file: String,
    pub line: i64,
    pub column: i64,
    pub start_line: i64,
}

/// Where a location's frames came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Pclntab,
    Dwarf,
    Symtab,
    Remote,
}

/// Which tables of the binary to use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Prefer {
    /// pclntab for the addresses it covers, then DWARF, then the symbol table.
    #[default]
    Auto,
    /// Only Go's pclntab.
    Pclntab,
    /// Only DWARF.
    Dwarf,
    /// Only the ELF symbol table (function names, no files or lines).
    Symtab,
}

/// Options of [`symbolize`].
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub prefer: Prefer,
    /// Replace the lines of locations that already have some (pprof's `-symbolize=force`).
    pub force: bool,
    /// The binary's path or name, matched against mapping file names that carry no build id.
    pub binary_name: Option<String>,
}

/// What [`symbolize`] or [`apply_names`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Mappings that matched the binary (or were marked symbolized by remote names).
    pub mappings: usize,
    /// Locations that needed symbols in those mappings.
    pub locations: usize,
    /// Locations that got at least one frame.
    pub symbolized: usize,
    /// Locations for which the binary had nothing.
    pub unresolved: usize,
    pub by_pclntab: usize,
    pub by_dwarf: usize,
    pub by_symtab: usize,
    pub by_remote: usize,
    /// The pclntab layout found (`go1.20`…), if any.
    pub pclntab: Option<&'static str>,
    pub has_dwarf: bool,
    pub has_symtab: bool,
}

impl Stats {
    fn bump(&mut self, s: Source) {
        match s {
            Source::Pclntab => self.by_pclntab += 1,
            Source::Dwarf => self.by_dwarf += 1,
            Source::Symtab => self.by_symtab += 1,
            Source::Remote => self.by_remote += 1,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SymbolizeError {
    #[error("the binary is {what}")]
    NotElf { what: &'static str },
    #[error("cannot read the binary as ELF: {0}")]
    BadElf(String),
    #[error("bad Go pclntab: {0}")]
    Pclntab(String),
    #[error("bad DWARF: {0}")]
    Dwarf(String),
    #[error("the binary has no symbols: no Go pclntab, no DWARF, no symbol table")]
    NoSymbols,
    #[error("the binary has no {0}")]
    Missing(&'static str),
    #[error("the binary does not match the profile: the binary has {binary}, but the profile's mappings are {profile}")]
    Mismatch { binary: String, profile: String },
}

/// pprof's `Mapping.Unsymbolizable`: kernel and vdso pseudo-files.
pub fn is_special_mapping(name: &str) -> bool {
    name.starts_with('[') || name.starts_with("linux-vdso") || name.starts_with("/dev/dri/")
}

fn basename(p: &str) -> &str {
    p.rsplit(['/', '\\']).next().unwrap_or(p)
}

/// Whether mapping `i` of `profile` is the binary `elf` (named `binary_name`): equal build ids,
/// else (no build id) the same base name, or the first or only mapping when it has no name.
pub(crate) fn mapping_is_binary(
    elf: &elf::Elf,
    profile: &Profile,
    i: usize,
    only_nameless: bool,
    binary_name: Option<&str>,
) -> bool {
    let m = &profile.mappings[i];
    let name = profile.str(m.filename);
    let bid = profile.str(m.build_id);
    if !bid.is_empty() {
        elf.has_build_id(bid)
    } else if name.is_empty() {
        only_nameless || i == 0
    } else {
        binary_name.is_some_and(|b| basename(b) == basename(name))
    }
}

/// Symbolizes `profile` from `binary` (the ELF file's bytes). On error the profile is unchanged.
pub fn symbolize(profile: &mut Profile, binary: &[u8], opts: &Options) -> Result<Stats, SymbolizeError> {
    let elf = elf::Elf::parse(binary)?;
    let pclntab = match opts.prefer {
        Prefer::Auto => gopclntab::Pclntab::find(&elf).ok().flatten(),
        Prefer::Pclntab => Some(gopclntab::Pclntab::find(&elf)?.ok_or(SymbolizeError::Missing("Go pclntab"))?),
        _ => None,
    };
    let symtab = match opts.prefer {
        Prefer::Auto | Prefer::Symtab => elf::SymbolTable::new(&elf),
        _ => elf::SymbolTable::new_empty(),
    };
    let has_debug_info = elf.section_range(".debug_info").is_some_and(|r| r.1 > 0);
    let dwarf_cell: OnceCell<Option<dwarf::Dwarf>> = OnceCell::new();
    if opts.prefer == Prefer::Dwarf {
        let d = dwarf::Dwarf::load(&elf)?.ok_or(SymbolizeError::Missing("DWARF (.debug_info)"))?;
        let _ = dwarf_cell.set(Some(d));
    }
    if opts.prefer == Prefer::Symtab && symtab.is_empty() {
        return Err(SymbolizeError::Missing("symbol table (.symtab/.dynsym)"));
    }
    if pclntab.is_none() && !has_debug_info && symtab.is_empty() {
        return Err(SymbolizeError::NoSymbols);
    }

    // Which mappings are this binary, and how their addresses become ELF virtual addresses.
    let used: Vec<bool> = {
        let mut u = vec![false; profile.mappings.len()];
        for l in &profile.locations {
            if let Some(m) = l.mapping {
                u[m as usize] = true;
            }
        }
        u
    };
    let only_nameless = profile.mappings.len() == 1 && profile.str(profile.mappings[0].filename).is_empty();
    let mut translate: Vec<Option<Translate>> = vec![None; profile.mappings.len()];
    let mut candidates = 0;
    for (i, m) in profile.mappings.iter().enumerate() {
        let name = profile.str(m.filename);
        if !used[i] || is_special_mapping(name) {
            continue;
        }
        candidates += 1;
        if mapping_is_binary(&elf, profile, i, only_nameless, opts.binary_name.as_deref()) {
            translate[i] = Some(Translate::new(&elf, m));
        }
    }
    let matched = translate.iter().filter(|t| t.is_some()).count();
    if candidates > 0 && matched == 0 {
        let profile_desc: Vec<String> = profile
            .mappings
            .iter()
            .enumerate()
            .filter(|(i, m)| used[*i] && !is_special_mapping(profile.str(m.filename)))
            .take(3)
            .map(|(_, m)| {
                let f = profile.str(m.filename);
                let b = profile.str(m.build_id);
                format!(
                    "{} ({})",
                    if f.is_empty() { "<no file name>" } else { f },
                    if b.is_empty() { "no build id".to_string() } else { format!("build id {b}") }
                )
            })
            .collect();
        return Err(SymbolizeError::Mismatch { binary: elf.build_ids(), profile: profile_desc.join(", ") });
    }

    let mut stats = Stats {
        mappings: matched,
        pclntab: pclntab.as_ref().map(|t| t.version.name()),
        has_dwarf: has_debug_info,
        has_symtab: !symtab.is_empty(),
        ..Stats::default()
    };
    let lookup = |vaddr: u64| -> Result<Option<(Vec<Frame>, Source)>, SymbolizeError> {
        if let Some(t) = &pclntab {
            if let Some(f) = t.frames(vaddr).filter(|f| !f.is_empty()) {
                return Ok(Some((f, Source::Pclntab)));
            }
        }
        if matches!(opts.prefer, Prefer::Auto | Prefer::Dwarf) && has_debug_info {
            if dwarf_cell.get().is_none() {
                let d = dwarf::Dwarf::load(&elf)?;
                let _ = dwarf_cell.set(d);
            }
            if let Some(Some(d)) = dwarf_cell.get() {
                if let Some(f) = d.frames(vaddr) {
                    return Ok(Some((f, Source::Dwarf)));
                }
            }
        }
        if let Some(name) = symtab.lookup(vaddr) {
            return Ok(Some((vec![Frame { function: name.to_string(), ..Frame::default() }], Source::Symtab)));
        }
        Ok(None)
    };

    // Compute everything first so that an error leaves the profile as it was.
    let mut results: Vec<(usize, Vec<Frame>)> = Vec::new();
    let mut cache: FxHashMap<u64, Option<(Vec<Frame>, Source)>> = FxHashMap::default();
    let no_mapping = Translate::identity();
    for (li, l) in profile.locations.iter().enumerate() {
        if !opts.force && !l.lines.is_empty() {
            continue;
        }
        let tr = match l.mapping {
            Some(m) => match &translate[m as usize] {
                Some(t) => t,
                None => continue,
            },
            None if profile.mappings.is_empty() => &no_mapping,
            None => continue,
        };
        stats.locations += 1;
        let vaddr = tr.apply(l.address);
        let r = match cache.get(&vaddr) {
            Some(r) => r.clone(),
            None => {
                let r = lookup(vaddr)?;
                cache.insert(vaddr, r.clone());
                r
            }
        };
        match r {
            Some((frames, src)) => {
                stats.symbolized += 1;
                stats.bump(src);
                results.push((li, frames));
            }
            None => stats.unresolved += 1,
        }
    }

    let mut sym = Symbolizer::new(profile);
    for (li, frames) in &results {
        sym.set_lines(profile, *li, frames);
        if let Some(m) = profile.locations[*li].mapping {
            let m = &mut profile.mappings[m as usize];
            // pprof's localSymbolize.
            for f in frames {
                m.has_functions |= !f.function.is_empty();
                m.has_filenames |= !f.file.is_empty();
                m.has_line_numbers |= f.line != 0;
            }
            m.has_inline_frames |= !frames.is_empty();
        }
    }
    Ok(stats)
}

/// Profile address → ELF virtual address for one mapping.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Translate {
    /// vaddr = addr - bias (wrapping).
    bias: u64,
}

impl Translate {
    fn identity() -> Translate {
        Translate { bias: 0 }
    }

    pub(crate) fn new(elf: &elf::Elf, m: &Mapping) -> Translate {
        if m.memory_start == 0 && m.memory_limit == 0 && m.file_offset == 0 {
            return Translate::identity();
        }
        match elf.segment_for_offset(m.file_offset) {
            // file offset of addr = addr - start + file_offset; vaddr = that - p_offset + p_vaddr
            Some(s) => Translate {
                bias: m.memory_start.wrapping_sub(m.file_offset).wrapping_add(s.offset).wrapping_sub(s.vaddr),
            },
            None if !elf.dynamic => Translate::identity(),
            None => Translate { bias: m.memory_start.wrapping_sub(m.file_offset) },
        }
    }

    pub(crate) fn apply(&self, addr: u64) -> u64 {
        addr.wrapping_sub(self.bias)
    }
}

/// Adds functions and lines to a profile, reusing equal functions (pprof keys them by name,
/// system name, file and start line).
pub(crate) struct Symbolizer {
    funcs: FxHashMap<(Str, Str, Str, i64), u32>,
    interner: Interner,
    next_id: u64,
}

impl Symbolizer {
    pub(crate) fn new(p: &Profile) -> Symbolizer {
        let mut funcs = FxHashMap::default();
        for (i, f) in p.functions.iter().enumerate() {
            funcs.entry((f.name, f.system_name, f.filename, f.start_line)).or_insert(i as u32);
        }
        let next_id = p.functions.iter().map(|f| f.id).max().unwrap_or(0) + 1;
        Symbolizer { funcs, interner: Interner::new(p), next_id }
    }

    /// Replaces location `li`'s lines with `frames` (innermost first).
    pub(crate) fn set_lines(&mut self, p: &mut Profile, li: usize, frames: &[Frame]) {
        let mut lines = Vec::with_capacity(frames.len());
        for f in frames {
            let name = self.interner.intern(p, &f.function);
            let file = self.interner.intern(p, &f.file);
            let key = (name, name, file, f.start_line);
            let idx = match self.funcs.get(&key) {
                Some(&i) => i,
                None => {
                    let i = p.functions.len() as u32;
                    p.functions.push(Function { id: self.next_id, name, system_name: name, filename: file, start_line: f.start_line });
                    self.next_id += 1;
                    self.funcs.insert(key, i);
                    i
                }
            };
            lines.push(Line { function: idx, line: f.line, column: f.column });
        }
        let l = &mut p.locations[li];
        l.lines = lines;
        l.is_folded = false;
    }
}
