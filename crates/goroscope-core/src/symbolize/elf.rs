//! The binary side of symbolization: an ELF file's identity (GNU and Go build ids), its loadable
//! segments (to turn profile addresses into virtual addresses and to read bytes at an address),
//! its sections (decompressed when needed) and its symbol table.

use std::borrow::Cow;
use std::io::Read;

use object::{Object, ObjectKind, ObjectSection, ObjectSegment, ObjectSymbol, SymbolKind};

use super::SymbolizeError;

/// One `PT_LOAD` segment.
#[derive(Clone, Copy, Debug)]
pub struct Segment {
    pub vaddr: u64,
    pub memsz: u64,
    pub offset: u64,
    pub filesz: u64,
    pub exec: bool,
}

/// A parsed ELF file and what symbolization needs from it.
pub struct Elf<'a> {
    pub data: &'a [u8],
    pub file: object::File<'a>,
    /// `ET_DYN` (PIE or shared object) rather than `ET_EXEC`.
    pub dynamic: bool,
    pub segments: Vec<Segment>,
    /// The GNU build id (`.note.gnu.build-id`), lower-case hex.
    pub gnu_build_id: Option<String>,
    /// Go's build id (`.note.go.buildid`), as the text the Go tool prints.
    pub go_build_id: Option<String>,
}

/// What a non-ELF file looks like, for the error message.
fn describe_non_elf(data: &[u8]) -> &'static str {
    match data {
        [] => "an empty file",
        [0xfe, 0xed, 0xfa, 0xce | 0xcf, ..] | [0xce | 0xcf, 0xfa, 0xed, 0xfe, ..] => "a Mach-O file (only ELF binaries are supported)",
        [b'M', b'Z', ..] => "a PE/Windows file (only ELF binaries are supported)",
        [0x1f, 0x8b, ..] => "a gzip file (a profile, not the binary?)",
        d if d.iter().take(512).all(|&b| b == b'\n' || b == b'\r' || b == b'\t' || (0x20..0x7f).contains(&b)) => "a text file",
        _ => "not an ELF file",
    }
}

impl<'a> Elf<'a> {
    pub fn parse(data: &'a [u8]) -> Result<Elf<'a>, SymbolizeError> {
        if !data.starts_with(b"\x7fELF") {
            return Err(SymbolizeError::NotElf { what: describe_non_elf(data) });
        }
        let file = object::File::parse(data).map_err(|e| SymbolizeError::BadElf(e.to_string()))?;
        let dynamic = matches!(file.kind(), ObjectKind::Dynamic);
        let mut segments = Vec::new();
        for s in file.segments() {
            let (offset, filesz) = s.file_range();
            let exec = match s.flags() {
                object::SegmentFlags::Elf { p_flags, .. } => p_flags.0 & object::elf::PF_X.0 != 0,
                _ => false,
            };
            segments.push(Segment { vaddr: s.address(), memsz: s.size(), offset, filesz, exec });
        }
        let gnu_build_id = file.build_id().ok().flatten().filter(|b| !b.is_empty()).map(hex);
        let go_build_id = file
            .section_by_name(".note.go.buildid")
            .and_then(|s| s.data().ok())
            .and_then(|d| note_desc(d, b"Go", 4, file.is_little_endian()))
            .and_then(|d| std::str::from_utf8(d).ok().map(|s| s.trim_end_matches('\0').to_string()))
            .filter(|s| !s.is_empty());
        Ok(Elf { data, file, dynamic, segments, gnu_build_id, go_build_id })
    }

    pub fn file_is_le(&self) -> bool {
        self.file.is_little_endian()
    }

    /// The build ids to print in messages.
    pub fn build_ids(&self) -> String {
        match (&self.gnu_build_id, &self.go_build_id) {
            (Some(g), Some(go)) => format!("GNU build id {g}, Go build id {go}"),
            (Some(g), None) => format!("GNU build id {g}"),
            (None, Some(go)) => format!("Go build id {go}"),
            (None, None) => "no build id".to_string(),
        }
    }

    /// True when `id` (a profile mapping's build_id) names this binary.
    pub fn has_build_id(&self, id: &str) -> bool {
        let id = id.trim();
        self.gnu_build_id.as_deref().is_some_and(|g| g.eq_ignore_ascii_case(id))
            || self.go_build_id.as_deref().is_some_and(|g| g == id)
    }

    /// The segment holding file offset `off`, executable ones first.
    pub fn segment_for_offset(&self, off: u64) -> Option<&Segment> {
        let holds = |s: &&Segment| s.filesz > 0 && off >= s.offset && off < s.offset + s.filesz;
        self.segments.iter().filter(|s| s.exec).find(holds).or_else(|| self.segments.iter().find(holds))
    }

    /// True when `vaddr` lies in an executable segment.
    pub fn is_text(&self, vaddr: u64) -> bool {
        self.segments.iter().any(|s| s.exec && vaddr >= s.vaddr && vaddr < s.vaddr + s.memsz)
    }

    /// The file bytes backing `[vaddr, vaddr+len)`, if they are all in the file.
    pub fn read_at(&self, vaddr: u64, len: usize) -> Option<&'a [u8]> {
        let s = self.segments.iter().find(|s| vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz)?;
        let off = (vaddr - s.vaddr + s.offset) as usize;
        let end = off.checked_add(len)?;
        if (vaddr - s.vaddr) + len as u64 > s.filesz {
            return None;
        }
        self.data.get(off..end)
    }

    /// The file bytes from `vaddr` to the end of its segment's file data.
    pub fn read_from(&self, vaddr: u64) -> Option<&'a [u8]> {
        let s = self.segments.iter().find(|s| vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz)?;
        let off = (vaddr - s.vaddr + s.offset) as usize;
        let end = (s.offset + s.filesz) as usize;
        self.data.get(off..end)
    }

    /// A section's bytes, decompressed if the linker compressed it (`SHF_COMPRESSED` or the
    /// older `.zdebug_*` naming; zlib only).
    pub fn section(&self, name: &str) -> Result<Option<Cow<'a, [u8]>>, SymbolizeError> {
        let Some(s) = self.file.section_by_name(name) else { return Ok(None) };
        let c = s.compressed_data().map_err(|e| SymbolizeError::BadElf(format!("{name}: {e}")))?;
        match c.format {
            object::CompressionFormat::None => Ok(Some(Cow::Borrowed(c.data))),
            object::CompressionFormat::Zlib => {
                let mut out = Vec::with_capacity(c.uncompressed_size.min(1 << 30) as usize);
                flate2::read::ZlibDecoder::new(c.data)
                    .read_to_end(&mut out)
                    .map_err(|e| SymbolizeError::BadElf(format!("{name}: zlib: {e}")))?;
                Ok(Some(Cow::Owned(out)))
            }
            f => Err(SymbolizeError::BadElf(format!("{name}: unsupported compression {f:?}"))),
        }
    }

    /// `(address, size)` of a section.
    pub fn section_range(&self, name: &str) -> Option<(u64, u64)> {
        self.file.section_by_name(name).map(|s| (s.address(), s.size()))
    }

    /// The address of a symbol by exact name (`.symtab` only).
    pub fn symbol_address(&self, name: &str) -> Option<u64> {
        self.file.symbols().find(|s| s.name() == Ok(name)).map(|s| s.address())
    }
}

/// Lower-case hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The descriptor of the first ELF note named `name` (NUL padding ignored) and of type `kind`.
fn note_desc<'d>(mut d: &'d [u8], name: &[u8], kind: u32, le: bool) -> Option<&'d [u8]> {
    let u32_at = |b: &[u8], i: usize| -> Option<u32> {
        let a: [u8; 4] = b.get(i..i + 4)?.try_into().ok()?;
        Some(if le { u32::from_le_bytes(a) } else { u32::from_be_bytes(a) })
    };
    let align = |n: usize| (n + 3) & !3;
    while d.len() >= 12 {
        let namesz = u32_at(d, 0)? as usize;
        let descsz = u32_at(d, 4)? as usize;
        let ty = u32_at(d, 8)?;
        let n = d.get(12..12 + namesz)?;
        let desc_at = 12 + align(namesz);
        let desc = d.get(desc_at..desc_at + descsz)?;
        let end = n.iter().position(|&c| c == 0).unwrap_or(n.len());
        if &n[..end] == name && ty == kind {
            return Some(desc);
        }
        d = d.get(desc_at + align(descsz)..)?;
    }
    None
}

/// Function symbols sorted by address: `.symtab`, else `.dynsym`.
pub struct SymbolTable {
    syms: Vec<(u64, u64, String)>,
}

impl SymbolTable {
    pub fn new(elf: &Elf) -> SymbolTable {
        let collect = |it: object::SymbolIterator| -> Vec<(u64, u64, String)> {
            it.filter(|s| s.kind() == SymbolKind::Text && s.address() != 0 && s.is_definition())
                .filter_map(|s| Some((s.address(), s.size(), s.name().ok()?.to_string())))
                .filter(|(_, _, n)| !n.is_empty())
                .collect()
        };
        let mut syms = collect(elf.file.symbols());
        if syms.is_empty() {
            syms = collect(elf.file.dynamic_symbols());
        }
        // Sized symbols win over unsized aliases at the same address.
        syms.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        syms.dedup_by_key(|s| s.0);
        SymbolTable { syms }
    }

    pub fn new_empty() -> SymbolTable {
        SymbolTable { syms: Vec::new() }
    }

    pub fn is_empty(&self) -> bool {
        self.syms.is_empty()
    }

    /// The function symbol containing `addr` (an unsized symbol extends to the next one).
    pub fn lookup(&self, addr: u64) -> Option<&str> {
        let i = self.syms.partition_point(|s| s.0 <= addr).checked_sub(1)?;
        let (start, size, name) = &self.syms[i];
        // addr >= start here; `start + size` can overflow in a crafted symbol table (fuzz)
        if *size != 0 && addr - start >= *size {
            return None;
        }
        Some(name)
    }
}

#[cfg(test)]
mod fuzz_regressions {
    use super::SymbolTable;

    #[test]
    fn symbol_ending_past_the_address_space() {
        let t = SymbolTable { syms: vec![(u64::MAX - 8, 64, "huge".into())] };
        assert_eq!(t.lookup(u64::MAX), Some("huge"));
        assert_eq!(t.lookup(u64::MAX - 9), None);
    }
}
