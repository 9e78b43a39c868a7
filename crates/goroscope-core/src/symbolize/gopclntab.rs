//! Our own reader of Go's `.gopclntab` (the table the Go runtime itself symbolizes with, kept even
//! by `-ldflags=-s -w`): function names, entry PCs, file and line pc-value tables and the
//! FUNCDATA_InlTree inlining tree, for the go1.2, go1.16, go1.18 and go1.20 layouts.
//!
//! Layout facts (from the Go runtime's published table format):
//! * header: magic u32, two zero bytes, min instruction size, pointer size, then pointer-sized
//!   words — go1.2: nfunc, functab follows; go1.16: nfunc, nfiles, offsets of funcnametab,
//!   cutab, filetab, pctab, pclntable; go1.18+: nfunc, nfiles, textStart, then the same offsets.
//! * functab: nfunc (entry, funcoff) pairs plus a final end entry (go1.18+: u32 entry offsets
//!   from textStart and u32 funcoffs; before: pointer-sized absolute entries and offsets).
//! * `_func`: entry, nameOff, args, deferreturn, pcsp, pcfile, pcln, npcdata, [cuOffset (1.16+)],
//!   [startLine (1.20+)], funcID, flag, pad, nfuncdata; then npcdata u32 pctab offsets, then
//!   nfuncdata funcdata slots (go1.18+: u32 offsets from moduledata.gofunc; before: pointers).
//! * pc-value tables: (zig-zag value delta, pc delta × min instruction size) uvarint pairs,
//!   starting from value −1 at the function entry, ended by a zero value delta.
//! * files: go1.16+ `cutab[cuOffset + file]` is an offset into filetab; go1.2: the file number
//!   indexes a u32 table of offsets found right after the functab.
//! * inlining: PCDATA 2 (InlTreeIndex) indexes the FUNCDATA 3 (InlTree) array — go1.20+
//!   entries are {funcID u8, pad[3], nameOff i32, parentPc i32, startLine i32}; go1.12–1.19
//!   entries are {parent i16, funcID u8, pad u8, file i32, line i32, nameOff i32, parentPc i32}.

use object::{Object, ObjectSection};

use super::elf::Elf;
use super::{Frame, SymbolizeError};

const PCDATA_INL_TREE_INDEX: usize = 2;
const FUNCDATA_INL_TREE: usize = 3;
const FUNCID_GOPANIC: u8 = 10;
const FUNCID_PANICWRAP: u8 = 15;
const FUNCID_SIGPANIC: u8 = 20;
const FUNCID_WRAPPER: u8 = 23;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    Go12,
    Go116,
    Go118,
    Go120,
}

impl Version {
    pub fn name(self) -> &'static str {
        match self {
            Version::Go12 => "go1.2",
            Version::Go116 => "go1.16",
            Version::Go118 => "go1.18",
            Version::Go120 => "go1.20",
        }
    }
}

/// A parsed pclntab.
#[derive(Clone, Copy)]
pub struct Pclntab<'a> {
    pub version: Version,
    le: bool,
    ptr: usize,
    min_lc: u64,
    nfunc: usize,
    text_start: u64,
    funcnametab: &'a [u8],
    cutab: &'a [u8],
    filetab: &'a [u8],
    pctab: &'a [u8],
    /// pclntable: functab then the `_func` records (funcoffs are relative to it).
    funcdata: &'a [u8],
    functab: &'a [u8],
    /// go1.2: the whole table (file offsets and name offsets are relative to it).
    whole: &'a [u8],
    go12_filetab: usize,
    /// moduledata.gofunc (go1.18+), when it could be found.
    gofunc: Option<u64>,
    elf: Option<&'a Elf<'a>>,
}

fn err(m: impl Into<String>) -> SymbolizeError {
    SymbolizeError::Pclntab(m.into())
}

/// A `_func` record.
#[derive(Clone, Copy)]
struct Func {
    entry: u64,
    name_off: u32,
    pcfile: u32,
    pcln: u32,
    npcdata: u32,
    cu_offset: u32,
    start_line: i32,
    func_id: u8,
    nfuncdata: u8,
    /// Offset in `funcdata` of the pcdata array.
    pcdata_at: usize,
}

impl<'a> Pclntab<'a> {
    /// Finds and parses the pclntab of `elf` (`.gopclntab`, else a search for the header in
    /// `.data.rel.ro`/`.rodata`). `Ok(None)` when the binary has none (not a Go binary).
    pub fn find(elf: &'a Elf<'a>) -> Result<Option<Pclntab<'a>>, SymbolizeError> {
        let (data, vaddr) = if let Some(s) = elf.file.section_by_name(".gopclntab") {
            (s.data().map_err(|e| err(e.to_string()))?, s.address())
        } else {
            match search_header(elf) {
                Some(x) => x,
                None => return Ok(None),
            }
        };
        let mut t = Pclntab::parse(data)?;
        t.elf = Some(elf);
        if t.text_start == 0 && matches!(t.version, Version::Go118 | Version::Go120) {
            // PIE binaries leave textStart to a dynamic relocation.
            t.text_start = elf.section_range(".text").map_or(0, |r| r.0);
        }
        t.gofunc = find_gofunc(elf, &t, vaddr, data.len() as u64);
        Ok(Some(t))
    }

    /// Parses a pclntab from its bytes (no binary: inlining needs moduledata.gofunc).
    pub fn parse(data: &'a [u8]) -> Result<Pclntab<'a>, SymbolizeError> {
        if data.len() < 16 {
            return Err(err("table too short"));
        }
        let le_magic = u32::from_le_bytes(data[0..4].try_into().unwrap());
        let be_magic = u32::from_be_bytes(data[0..4].try_into().unwrap());
        let version_of = |m: u32| match m {
            0xfffffffb => Some(Version::Go12),
            0xfffffffa => Some(Version::Go116),
            0xfffffff0 => Some(Version::Go118),
            0xfffffff1 => Some(Version::Go120),
            _ => None,
        };
        let (version, le) = match (version_of(le_magic), version_of(be_magic)) {
            (Some(v), _) => (v, true),
            (None, Some(v)) => (v, false),
            _ => return Err(err(format!("unknown magic {le_magic:#x}"))),
        };
        if data[4] != 0 || data[5] != 0 {
            return Err(err("bad header padding"));
        }
        let min_lc = data[6] as u64;
        let ptr = data[7] as usize;
        if !matches!(min_lc, 1 | 2 | 4) || !matches!(ptr, 4 | 8) {
            return Err(err(format!("bad header: min instruction size {min_lc}, pointer size {ptr}")));
        }
        let mut t = Pclntab {
            version,
            le,
            ptr,
            min_lc,
            nfunc: 0,
            text_start: 0,
            funcnametab: &[],
            cutab: &[],
            filetab: &[],
            pctab: &[],
            funcdata: &[],
            functab: &[],
            whole: data,
            go12_filetab: 0,
            gofunc: None,
            elf: None,
        };
        let hdr = Pclntab { whole: data, ..t.clone_header() };
        let word = |i: usize| hdr.uint(data, 8 + i * ptr, ptr);
        let nfunc = word(0).ok_or_else(|| err("truncated header"))? as usize;
        t.nfunc = nfunc;
        let sub = |off: u64| -> Result<&'a [u8], SymbolizeError> {
            data.get(off as usize..).ok_or_else(|| err(format!("offset {off:#x} outside the table")))
        };
        match version {
            Version::Go12 => {
                let ft = 8 + ptr;
                let size = (nfunc * 2 + 1) * ptr;
                t.funcdata = data;
                t.functab = data.get(ft..ft + size).ok_or_else(|| err("truncated functab"))?;
                t.funcnametab = data;
                t.pctab = data;
                t.go12_filetab = t.uint(data, ft + size, 4).ok_or_else(|| err("truncated filetab offset"))? as usize;
            }
            Version::Go116 | Version::Go118 | Version::Go120 => {
                let base = if version == Version::Go116 { 2 } else { 3 };
                if version != Version::Go116 {
                    t.text_start = word(2).ok_or_else(|| err("truncated header"))?;
                }
                let w = |i: usize| word(base + i).ok_or_else(|| err("truncated header"));
                t.funcnametab = sub(w(0)?)?;
                t.cutab = sub(w(1)?)?;
                t.filetab = sub(w(2)?)?;
                t.pctab = sub(w(3)?)?;
                t.funcdata = sub(w(4)?)?;
                let fsize = if version == Version::Go116 { ptr } else { 4 };
                let size = (nfunc * 2 + 1) * fsize;
                t.functab = t.funcdata.get(..size).ok_or_else(|| err("truncated functab"))?;
            }
        }
        Ok(t)
    }

    fn clone_header(&self) -> Pclntab<'a> {
        Pclntab { funcnametab: &[], cutab: &[], filetab: &[], pctab: &[], funcdata: &[], functab: &[], ..*self }
    }

    fn uint(&self, d: &[u8], off: usize, size: usize) -> Option<u64> {
        let b = d.get(off..off.checked_add(size)?)?;
        Some(match (size, self.le) {
            (4, true) => u32::from_le_bytes(b.try_into().ok()?) as u64,
            (4, false) => u32::from_be_bytes(b.try_into().ok()?) as u64,
            (8, true) => u64::from_le_bytes(b.try_into().ok()?),
            (8, false) => u64::from_be_bytes(b.try_into().ok()?),
            (2, true) => u16::from_le_bytes(b.try_into().ok()?) as u64,
            (2, false) => u16::from_be_bytes(b.try_into().ok()?) as u64,
            (1, _) => b[0] as u64,
            _ => return None,
        })
    }

    /// Number of functions.
    pub fn len(&self) -> usize {
        self.nfunc
    }

    pub fn is_empty(&self) -> bool {
        self.nfunc == 0
    }

    /// `(entry, funcoff)` of functab slot `i` (`i == nfunc`: the end PC, funcoff 0).
    fn slot(&self, i: usize) -> Option<(u64, usize)> {
        match self.version {
            Version::Go118 | Version::Go120 => {
                let e = self.uint(self.functab, i * 8, 4)?;
                let f = if i < self.nfunc { self.uint(self.functab, i * 8 + 4, 4)? } else { 0 };
                Some((self.text_start + e, f as usize))
            }
            _ => {
                let p = self.ptr;
                let e = self.uint(self.functab, i * 2 * p, p)?;
                let f = if i < self.nfunc { self.uint(self.functab, i * 2 * p + p, p)? } else { 0 };
                Some((e, f as usize))
            }
        }
    }

    /// The range of PCs covered: first entry to end.
    pub fn pc_range(&self) -> Option<(u64, u64)> {
        Some((self.slot(0)?.0, self.slot(self.nfunc)?.0))
    }

    fn func_at(&self, off: usize) -> Option<Func> {
        let d = self.funcdata;
        let u32_at = |o: usize| self.uint(d, off + o, 4).map(|v| v as u32);
        let (entry, p) = match self.version {
            Version::Go118 | Version::Go120 => (self.text_start + u32_at(0)? as u64, 4),
            _ => (self.uint(d, off, self.ptr)?, self.ptr),
        };
        let name_off = u32_at(p)?;
        let pcfile = u32_at(p + 16)?;
        let pcln = u32_at(p + 20)?;
        let npcdata = u32_at(p + 24)?;
        let (cu_offset, start_line, func_id, nfuncdata, fixed) = match self.version {
            Version::Go12 => (0, 0, *d.get(off + p + 28)?, *d.get(off + p + 31)?, p + 32),
            Version::Go116 | Version::Go118 => (u32_at(p + 28)?, 0, *d.get(off + p + 32)?, *d.get(off + p + 35)?, p + 36),
            Version::Go120 => (u32_at(p + 28)?, u32_at(p + 32)? as i32, *d.get(off + p + 36)?, *d.get(off + p + 39)?, p + 40),
        };
        Some(Func {
            entry,
            name_off,
            pcfile,
            pcln,
            npcdata,
            cu_offset,
            start_line,
            func_id,
            nfuncdata,
            pcdata_at: off + fixed,
        })
    }

    /// The function containing `pc`.
    fn find_func(&self, pc: u64) -> Option<Func> {
        if self.nfunc == 0 {
            return None;
        }
        let (lo, hi) = self.pc_range()?;
        if pc < lo || pc >= hi {
            return None;
        }
        // Last slot with entry <= pc.
        let (mut a, mut b) = (0usize, self.nfunc);
        while b - a > 1 {
            let m = (a + b) / 2;
            if self.slot(m)?.0 <= pc {
                a = m;
            } else {
                b = m;
            }
        }
        let (_, funcoff) = self.slot(a)?;
        self.func_at(funcoff)
    }

    fn cstr(tab: &[u8], off: usize) -> Option<&str> {
        let s = tab.get(off..)?;
        let end = memchr::memchr(0, s)?;
        std::str::from_utf8(&s[..end]).ok()
    }

    fn func_name(&self, name_off: u32) -> &str {
        Self::cstr(self.funcnametab, name_off as usize).unwrap_or("")
    }

    /// The name of the function containing `pc` (outermost, as in the symbol table).
    pub fn func_name_for_pc(&self, pc: u64) -> Option<&str> {
        self.find_func(pc).map(|f| self.func_name(f.name_off))
    }

    fn file_name(&self, f: &Func, fileno: i32) -> &str {
        if fileno < 0 {
            return "";
        }
        match self.version {
            Version::Go12 => {
                let i = fileno as usize;
                self.uint(self.whole, self.go12_filetab + 4 * i, 4)
                    .and_then(|off| Self::cstr(self.whole, off as usize))
                    .unwrap_or("")
            }
            _ => {
                let i = f.cu_offset as usize + fileno as usize;
                match self.uint(self.cutab, 4 * i, 4) {
                    Some(off) if off != u32::MAX as u64 => Self::cstr(self.filetab, off as usize).unwrap_or(""),
                    _ => "",
                }
            }
        }
    }

    /// Evaluates the pc-value table at `off` (in pctab) for `target`.
    fn pcvalue(&self, off: u32, entry: u64, target: u64) -> Option<i32> {
        if off == 0 {
            return None;
        }
        let mut p = self.pctab.get(off as usize..)?;
        let mut val: i32 = -1;
        let mut pc = entry;
        let mut first = true;
        loop {
            let uv = uvarint(&mut p)? as u32;
            if uv == 0 && !first {
                return None;
            }
            first = false;
            let delta = if uv & 1 != 0 { !(uv >> 1) } else { uv >> 1 };
            val = val.wrapping_add(delta as i32);
            let pcd = uvarint(&mut p)?;
            pc = pc.wrapping_add(pcd.wrapping_mul(self.min_lc));
            if target < pc {
                return Some(val);
            }
        }
    }

    fn pcdata(&self, f: &Func, table: usize, pc: u64) -> Option<i32> {
        if table >= f.npcdata as usize {
            return None;
        }
        let off = self.uint(self.funcdata, f.pcdata_at + 4 * table, 4)? as u32;
        self.pcvalue(off, f.entry, pc)
    }

    /// The bytes of the function's FUNCDATA_InlTree, from its address on (bounded by the segment).
    fn inl_tree(&self, f: &Func) -> Option<&'a [u8]> {
        if (f.nfuncdata as usize) <= FUNCDATA_INL_TREE {
            return None;
        }
        let elf = self.elf?;
        let after_pcdata = f.pcdata_at + 4 * f.npcdata as usize;
        let addr = match self.version {
            Version::Go118 | Version::Go120 => {
                let off = self.uint(self.funcdata, after_pcdata + 4 * FUNCDATA_INL_TREE, 4)?;
                if off == u32::MAX as u64 {
                    return None;
                }
                self.gofunc? + off
            }
            Version::Go116 => {
                let mut at = after_pcdata;
                if self.ptr == 8 && !at.is_multiple_of(8) {
                    at += 4;
                }
                let a = self.uint(self.funcdata, at + self.ptr * FUNCDATA_INL_TREE, self.ptr)?;
                if a == 0 {
                    return None;
                }
                a
            }
            // Go 1.9–1.11 used another entry layout under the same magic: no inlining here.
            Version::Go12 => return None,
        };
        elf.read_from(addr)
    }

    /// The frames at `pc`, innermost first, as the Go runtime reports them for a profile
    /// location (`runtime.CallersFrames` on the PCs `tracebackPCs` records): inlined wrapper
    /// frames are elided unless they called a panic function.
    ///
    /// Names are the full symbol names, shapes included (`main.F[go.shape.int]`), for real and
    /// inlined frames alike: runtime/pprof names its functions with `runtime_FrameSymbolName`
    /// (the inline unwinder's `srcFunc(...).name()`), not with `Frame.Function`, which is
    /// `funcNameForPrint` (`main.F[...]`, what tracebacks and `FuncForPC` show).
    pub fn frames(&self, pc: u64) -> Option<Vec<Frame>> {
        let f = self.find_func(pc)?;
        let tree = self.inl_tree(&f);
        let mut out = Vec::new();
        let mut pc = pc;
        let mut callee_id: Option<u8> = None;
        for _ in 0..1000 {
            let file = self.pcvalue(f.pcfile, f.entry, pc).map_or("", |n| self.file_name(&f, n));
            let line = self.pcvalue(f.pcln, f.entry, pc).unwrap_or(0);
            let idx = match tree {
                Some(_) => self.pcdata(&f, PCDATA_INL_TREE_INDEX, pc).unwrap_or(-1),
                None => -1,
            };
            let (name, start_line, func_id, parent_pc) = if idx >= 0 {
                match self.inlined_call(tree.unwrap(), idx as usize) {
                    Some((id, name_off, parent_pc, start_line)) => {
                        (self.func_name(name_off), start_line, id, Some(f.entry + parent_pc as u64))
                    }
                    None => (self.func_name(f.name_off), f.start_line, f.func_id, None),
                }
            } else {
                (self.func_name(f.name_off), f.start_line, f.func_id, None)
            };
            let elide = func_id == FUNCID_WRAPPER
                && callee_id.is_some_and(|c| !matches!(c, FUNCID_GOPANIC | FUNCID_SIGPANIC | FUNCID_PANICWRAP));
            if !elide {
                out.push(Frame {
                    function: name.to_string(),
                    file: file.to_string(),
                    line: line as i64,
                    column: 0,
                    start_line: start_line as i64,
                });
            }
            callee_id = Some(func_id);
            match parent_pc {
                Some(p) => pc = p,
                None => break,
            }
        }
        Some(out)
    }

    /// The function whose code the instruction at `pc` is — the inlined function inside inlined
    /// code, the innermost of [`Pclntab::frames`] without eliding wrappers.
    pub fn innermost_function(&self, pc: u64) -> Option<&str> {
        let f = self.find_func(pc)?;
        if let Some(tree) = self.inl_tree(&f) {
            let idx = self.pcdata(&f, PCDATA_INL_TREE_INDEX, pc).unwrap_or(-1);
            if let Some((_, name_off, _, _)) = usize::try_from(idx).ok().and_then(|i| self.inlined_call(tree, i)) {
                return Some(self.func_name(name_off));
            }
        }
        Some(self.func_name(f.name_off))
    }

    /// The file and line of the instruction at `pc` itself — the innermost position, inside
    /// inlined code too — as Go's disassembler annotates each instruction (`gosym.PCToLine`).
    pub fn line(&self, pc: u64) -> Option<(&str, i64)> {
        let f = self.find_func(pc)?;
        let file = self.pcvalue(f.pcfile, f.entry, pc).map_or("", |n| self.file_name(&f, n));
        let line = self.pcvalue(f.pcln, f.entry, pc).unwrap_or(0);
        Some((file, line as i64))
    }

    /// Every function as `(name, entry, end)`, in address order; a function ends where the next
    /// one starts (the last at the table's end PC).
    pub fn functions(&self) -> Vec<(&str, u64, u64)> {
        let mut out = Vec::with_capacity(self.nfunc);
        for i in 0..self.nfunc {
            let (Some((entry, off)), Some((next, _))) = (self.slot(i), self.slot(i + 1)) else { break };
            if let Some(f) = self.func_at(off) {
                out.push((self.func_name(f.name_off), entry, next.max(entry)));
            }
        }
        out
    }

    /// `(funcID, nameOff, parentPc, startLine)` of inline tree entry `i`.
    fn inlined_call(&self, tree: &[u8], i: usize) -> Option<(u8, u32, i32, i32)> {
        match self.version {
            Version::Go120 => {
                let b = i.checked_mul(16)?;
                let id = *tree.get(b)?;
                let name = self.uint(tree, b + 4, 4)? as u32;
                let parent = self.uint(tree, b + 8, 4)? as u32 as i32;
                let start = self.uint(tree, b + 12, 4)? as u32 as i32;
                Some((id, name, parent, start))
            }
            _ => {
                let b = i.checked_mul(20)?;
                let id = *tree.get(b + 2)?;
                let name = self.uint(tree, b + 12, 4)? as u32;
                let parent = self.uint(tree, b + 16, 4)? as u32 as i32;
                Some((id, name, parent, 0))
            }
        }
    }

    /// Whether inlined frames can be expanded (the inline trees were located).
    pub fn has_inline_trees(&self) -> bool {
        match self.version {
            Version::Go118 | Version::Go120 => self.gofunc.is_some() && self.elf.is_some(),
            Version::Go116 => self.elf.is_some(),
            Version::Go12 => false,
        }
    }
}

fn uvarint(p: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let (&b, rest) = p.split_first()?;
        *p = rest;
        if shift >= 64 {
            return None;
        }
        v |= ((b & 0x7f) as u64) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
    }
}

/// Looks for a pclntab header in read-only data when there is no `.gopclntab` section.
fn search_header<'a>(elf: &'a Elf<'a>) -> Option<(&'a [u8], u64)> {
    for name in [".data.rel.ro", ".rodata", ".noptrdata"] {
        let Some(s) = elf.file.section_by_name(name) else { continue };
        let Ok(d) = s.data() else { continue };
        let mut at = 0;
        while let Some(i) = memchr::memmem::find(&d[at..], &[0xf1, 0xff, 0xff, 0xff, 0, 0]).map(|i| i + at) {
            if let Ok(t) = Pclntab::parse(&d[i..]) {
                if t.nfunc > 0 && t.slot(0).is_some() && t.slot(t.nfunc).is_some() {
                    return Some((&d[i..], s.address() + i as u64));
                }
            }
            at = i + 1;
        }
    }
    None
}

/// moduledata.gofunc (the base of go1.18+ funcdata offsets): the `go:func.*` symbol when there
/// is a symbol table, else read from the runtime's `firstmoduledata` (in `.go.module` since Go
/// 1.26, in `.noptrdata` before), found as the pointer to the pclntab, checked by the next field
/// (funcnametab) and read as the word before `epclntab` (the pclntab's end), after `rodata`.
fn find_gofunc(elf: &Elf, t: &Pclntab, pcln_vaddr: u64, pcln_size: u64) -> Option<u64> {
    if !matches!(t.version, Version::Go118 | Version::Go120) {
        return None;
    }
    for name in ["go:func.*", "go.func.*"] {
        if let Some(a) = elf.symbol_address(name) {
            return Some(a);
        }
    }
    let ptr = t.ptr;
    let needle: Vec<u8> = match (ptr, t.le) {
        (8, true) => pcln_vaddr.to_le_bytes().to_vec(),
        (8, false) => pcln_vaddr.to_be_bytes().to_vec(),
        (_, true) => (pcln_vaddr as u32).to_le_bytes().to_vec(),
        (_, false) => (pcln_vaddr as u32).to_be_bytes().to_vec(),
    };
    let epclntab = pcln_vaddr + pcln_size;
    let rodata = elf.section_range(".rodata");
    for name in [".go.module", ".noptrdata", ".data", ".data.rel.ro"] {
        let Some(s) = elf.file.section_by_name(name) else { continue };
        let Ok(d) = s.data() else { continue };
        let mut at = 0;
        while let Some(i) = memchr::memmem::find(&d[at..], &needle).map(|i| i + at) {
            at = i + 1;
            if i % ptr != 0 {
                continue;
            }
            let w = |k: usize| t.uint(d, i + k * ptr, ptr);
            // funcnametab.ptr follows pcHeader.
            let first = t.funcnametab.as_ptr() as usize - t.whole.as_ptr() as usize;
            if w(1) != Some(pcln_vaddr + first as u64) {
                continue;
            }
            // ... gofunc is the word before epclntab, rodata the one before it.
            for k in 20..80 {
                if w(k + 1) == Some(epclntab) {
                    let gofunc = w(k)?;
                    // rodata precedes gofunc; gofunc itself is read-only data (Go 1.26 puts it
                    // inside the pclntab's range).
                    let ok = rodata.is_none_or(|(a, _)| w(k - 1) == Some(a)) && elf.read_at(gofunc, 1).is_some();
                    if ok {
                        return Some(gofunc);
                    }
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_unknown_magic() {
        let mut d = vec![0u8; 64];
        d[0..4].copy_from_slice(&0x12345678u32.to_le_bytes());
        assert!(Pclntab::parse(&d).is_err());
    }

    #[test]
    fn pcvalue_table() {
        // values: -1 + 2 = 1 for pcs [entry, entry+4), +1 = 2 for [entry+4, entry+10)
        let mut d = vec![0u8; 128];
        d[0..4].copy_from_slice(&0xfffffff1u32.to_le_bytes());
        d[6] = 1;
        d[7] = 8;
        let mut t = Pclntab::parse(&d).unwrap();
        let table = [0u8, 4, 4, 2, 6, 0];
        t.pctab = &table;
        assert_eq!(t.pcvalue(1, 100, 100), Some(1));
        assert_eq!(t.pcvalue(1, 100, 103), Some(1));
        assert_eq!(t.pcvalue(1, 100, 104), Some(2));
        assert_eq!(t.pcvalue(1, 100, 109), Some(2));
        assert_eq!(t.pcvalue(1, 100, 110), None);
    }
}
