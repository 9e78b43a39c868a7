//! The legacy profile formats pprof still reads (`profile/legacy_profile.go`,
//! `legacy_java_profile.go`), tried in pprof's order, producing the same model pprof does.
//!
//! pprof ignores the `#\t0x… func+0x… file:line` comment lines of Go's `?debug=1`/`?debug=2` text
//! profiles, so their frames stay unsymbolized (addresses only) — `parse` matches that. Call
//! [`symbolize_from_comments`] afterwards to attach the function names, files and lines those
//! comments carry (a goroscope extension).

mod cpu;
mod java;
mod symbolize;
mod text;

use regex::Regex;
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

use super::error::ProfileError;
use super::model::*;
use super::Interner;

pub use symbolize::symbolize_from_comments;

/// A legacy parser's verdict: not my format (try the next one), or a hard error.
pub(crate) enum LErr {
    Unrecognized,
    Err(ProfileError),
}

impl From<ProfileError> for LErr {
    fn from(e: ProfileError) -> Self {
        LErr::Err(e)
    }
}

pub(crate) type LResult<T> = Result<T, LErr>;

/// `Ok(None)` when no legacy format recognises the input.
pub fn parse_legacy(data: &[u8]) -> Result<Option<Profile>, ProfileError> {
    let text = String::from_utf8_lossy(data);
    let parsers: [&dyn Fn() -> LResult<Profile>; 6] = [
        &|| cpu::parse_cpu(data),
        &|| text::parse_heap(&text),
        &|| text::parse_go_count(&text),
        &|| text::parse_thread(&text),
        &|| text::parse_contention(&text),
        &|| java::parse_java_profile(&text),
    ];
    for parser in parsers {
        match parser() {
            Ok(mut p) => {
                add_legacy_frame_info(&mut p);
                return Ok(Some(p));
            }
            Err(LErr::Unrecognized) => continue,
            Err(LErr::Err(e)) => return Err(e),
        }
    }
    Ok(None)
}

/// Builds a profile the way pprof's legacy parsers do: locations shared by address in order of
/// creation, string table interned.
pub(crate) struct Builder {
    pub p: Profile,
    strs: Interner,
    loc_by_addr: FxHashMap<u64, u32>,
}

impl Builder {
    pub fn new() -> Self {
        let p = Profile::default();
        let strs = Interner::new(&p);
        Builder { p, strs, loc_by_addr: FxHashMap::default() }
    }

    pub fn s(&mut self, s: &str) -> Str {
        self.strs.intern(&mut self.p, s)
    }

    pub fn vt(&mut self, t: &str, u: &str) -> ValueType {
        ValueType { kind: self.s(t), unit: self.s(u) }
    }

    /// The location at `addr`, created if new.
    pub fn loc(&mut self, addr: u64) -> u32 {
        if let Some(&i) = self.loc_by_addr.get(&addr) {
            return i;
        }
        let i = self.p.locations.len() as u32;
        self.p.locations.push(Location { address: addr, ..Location::default() });
        self.loc_by_addr.insert(addr, i);
        i
    }

    pub fn push_sample(&mut self, locations: Vec<u32>, values: Vec<i64>, labels: Vec<Label>) {
        self.p.samples.push(Sample { locations, values, labels });
    }

    /// pprof's `ParseMemoryMapFromScanner`: parse the mapping lines, massage the mappings,
    /// renumber locations/functions/mappings.
    pub fn parse_memory_map<'a>(&mut self, lines: impl Iterator<Item = &'a str>) -> LResult<()> {
        let maps = parse_proc_maps(lines)?;
        for m in maps {
            let filename = self.s(&m.file);
            let build_id = self.s(&m.build_id);
            self.p.mappings.push(Mapping {
                memory_start: m.start,
                memory_limit: m.limit,
                file_offset: m.offset,
                filename,
                build_id,
                ..Mapping::default()
            });
        }
        self.massage_mappings();
        self.remap_location_ids();
        self.remap_function_ids();
        self.remap_mapping_ids();
        Ok(())
    }

    fn massage_mappings(&mut self) {
        let p = &mut self.p;
        if p.mappings.len() > 1 {
            let mut kept: Vec<Mapping> = Vec::with_capacity(p.mappings.len());
            // old index -> new index
            let mut remap: Vec<u32> = Vec::with_capacity(p.mappings.len());
            let old = std::mem::take(&mut p.mappings);
            for m in old {
                if let Some(lm) = kept.last_mut() {
                    if adjacent(&p.strings, lm, &m) {
                        lm.memory_limit = m.memory_limit;
                        if m.filename != 0 && !p.strings[m.filename as usize].is_empty() {
                            lm.filename = m.filename;
                        }
                        if m.build_id != 0 && !p.strings[m.build_id as usize].is_empty() {
                            lm.build_id = m.build_id;
                        }
                        remap.push((kept.len() - 1) as u32);
                        continue;
                    }
                }
                remap.push(kept.len() as u32);
                kept.push(m);
            }
            p.mappings = kept;
            for l in &mut p.locations {
                if let Some(m) = l.mapping {
                    l.mapping = Some(remap[m as usize]);
                }
            }
        }
        // Move what looks like the main binary to position 0.
        let lib = lib_rx();
        let mut main = None;
        for (i, m) in p.mappings.iter().enumerate() {
            let f = p.strings[m.filename as usize].replace("(deleted)", "");
            let file = f.trim();
            if file.is_empty() || lib.is_match(file) || file.starts_with('[') {
                continue;
            }
            main = Some(i);
            break;
        }
        if let Some(i) = main {
            if i != 0 {
                p.mappings.swap(0, i);
                for l in &mut p.locations {
                    match l.mapping {
                        Some(0) => l.mapping = Some(i as u32),
                        Some(x) if x as usize == i => l.mapping = Some(0),
                        _ => {}
                    }
                }
            }
        }
        for (i, m) in p.mappings.iter_mut().enumerate() {
            m.id = i as u64 + 1;
        }
    }

    /// Keeps only locations referenced by samples, in order of first reference, ids 1..n.
    pub fn remap_location_ids(&mut self) {
        let p = &mut self.p;
        let mut new_of = vec![u32::MAX; p.locations.len()];
        let mut order: Vec<u32> = Vec::new();
        for s in &mut p.samples {
            for l in &mut s.locations {
                let old = *l as usize;
                if new_of[old] == u32::MAX {
                    new_of[old] = order.len() as u32;
                    order.push(old as u32);
                }
                *l = new_of[old];
            }
        }
        let mut old_locs: Vec<Option<Location>> = std::mem::take(&mut p.locations).into_iter().map(Some).collect();
        p.locations = order
            .iter()
            .enumerate()
            .map(|(i, &o)| {
                let mut l = old_locs[o as usize].take().unwrap();
                l.id = i as u64 + 1;
                l
            })
            .collect();
        self.loc_by_addr.clear();
        for (i, l) in self.p.locations.iter().enumerate() {
            self.loc_by_addr.entry(l.address).or_insert(i as u32);
        }
    }

    /// Keeps only functions referenced by locations, in order of first reference, ids 1..n.
    pub fn remap_function_ids(&mut self) {
        let p = &mut self.p;
        let mut new_of = vec![u32::MAX; p.functions.len()];
        let mut order: Vec<u32> = Vec::new();
        for l in &mut p.locations {
            for ln in &mut l.lines {
                let old = ln.function as usize;
                if new_of[old] == u32::MAX {
                    new_of[old] = order.len() as u32;
                    order.push(old as u32);
                }
                ln.function = new_of[old];
            }
        }
        let mut old: Vec<Option<Function>> = std::mem::take(&mut p.functions).into_iter().map(Some).collect();
        p.functions = order
            .iter()
            .enumerate()
            .map(|(i, &o)| {
                let mut f = old[o as usize].take().unwrap();
                f.id = i as u64 + 1;
                f
            })
            .collect();
    }

    /// pprof's `remapMappingIDs`: main-binary heuristics, attach each location to the mapping
    /// containing its address (or a fake one), renumber.
    pub fn remap_mapping_ids(&mut self) {
        let p = &mut self.p;
        if p.mappings.len() > 1
            && p.strings[p.mappings[0].filename as usize].starts_with("/anon_hugepage")
            && p.mappings[0].memory_limit == p.mappings[1].memory_start
        {
            p.mappings.remove(0);
            for l in &mut p.locations {
                l.mapping = match l.mapping {
                    Some(0) => None,
                    Some(x) => Some(x - 1),
                    None => None,
                };
            }
        }
        if let Some(m) = p.mappings.first_mut() {
            const EXPECTED_START: u64 = 0x400000;
            if m.memory_start.wrapping_sub(m.file_offset) == EXPECTED_START {
                m.memory_start = EXPECTED_START;
                m.file_offset = 0;
            }
        }
        let mut fake: Option<u32> = None;
        'next: for li in 0..p.locations.len() {
            let a = p.locations[li].address;
            if p.locations[li].mapping.is_some() || a == 0 {
                continue;
            }
            for (mi, m) in p.mappings.iter().enumerate() {
                if m.memory_start <= a && a < m.memory_limit {
                    p.locations[li].mapping = Some(mi as u32);
                    continue 'next;
                }
            }
            for (mi, m) in p.mappings.iter_mut().enumerate() {
                if m.file_offset != 0 && m.memory_start.wrapping_sub(m.file_offset) <= a && a < m.memory_start {
                    m.memory_start -= m.file_offset;
                    m.file_offset = 0;
                    p.locations[li].mapping = Some(mi as u32);
                    continue 'next;
                }
            }
            let f = *fake.get_or_insert_with(|| {
                p.mappings.push(Mapping { id: 1, memory_limit: u64::MAX, ..Mapping::default() });
                (p.mappings.len() - 1) as u32
            });
            p.locations[li].mapping = Some(f);
        }
        for (i, m) in p.mappings.iter_mut().enumerate() {
            m.id = i as u64 + 1;
        }
    }
}

fn adjacent(strings: &[String], m1: &Mapping, m2: &Mapping) -> bool {
    let (f1, f2) = (&strings[m1.filename as usize], &strings[m2.filename as usize]);
    if !f1.is_empty() && !f2.is_empty() && f1 != f2 {
        return false;
    }
    let (b1, b2) = (&strings[m1.build_id as usize], &strings[m2.build_id as usize]);
    if !b1.is_empty() && !b2.is_empty() && b1 != b2 {
        return false;
    }
    if m1.memory_limit != m2.memory_start {
        return false;
    }
    if m1.file_offset != 0 && m2.file_offset != 0 {
        let off = m1.file_offset.wrapping_add(m1.memory_limit.wrapping_sub(m1.memory_start));
        if off != m2.file_offset {
            return false;
        }
    }
    true
}

fn lib_rx() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"([.]so$|[.]so[._][0-9]+)").unwrap())
}

struct MapEntry {
    start: u64,
    limit: u64,
    offset: u64,
    file: String,
    build_id: String,
}

fn proc_maps_rx() -> &'static (Regex, Regex, Regex) {
    static R: OnceLock<(Regex, Regex, Regex)> = OnceLock::new();
    R.get_or_init(|| {
        // The /proc/PID/maps layout and the brief "start-end file (@offset) buildid" layout.
        let c_hex = r"(?:0x)?([[:xdigit:]]+)";
        let c_hex_range = format!(r"\s*{c_hex}[\s-]?\s*{c_hex}:?");
        let c_perm = r"(?:\s+([-rwxp]+))?";
        let c_space_hex = r"(?:\s+([[:xdigit:]]+))?";
        let hex_pair = r"\s+[[:xdigit:]]+:[[:xdigit:]]+";
        let space_digits = r"\s+[[:digit:]]+";
        let c_space_string = r"(?:\s+(\S+))?";
        let c_space_at_offset = r"(?:\s+\(@([[:xdigit:]]+)\))?";
        let proc = format!("^{c_hex_range}{c_perm}{c_space_hex}{hex_pair}{space_digits}{c_space_string}");
        let brief = format!("^{c_hex_range}{c_perm}{c_space_string}{c_space_at_offset}{c_space_hex}");
        (
            Regex::new(&proc).unwrap(),
            Regex::new(&brief).unwrap(),
            Regex::new(r"^[^\[\]]+:[0-9]+\]\s").unwrap(),
        )
    })
}

fn parse_proc_maps<'a>(lines: impl Iterator<Item = &'a str>) -> LResult<Vec<MapEntry>> {
    let (proc_rx, brief_rx, log_rx) = proc_maps_rx();
    let mut out = Vec::new();
    let mut attrs: Vec<(String, String)> = Vec::new();
    for raw in lines {
        let raw = match log_rx.find(raw) {
            Some(m) => &raw[m.end()..],
            None => raw,
        };
        let line = if attrs.is_empty() { raw.to_string() } else { replace_all(raw, &attrs) };
        match parse_mapping_entry(proc_rx, brief_rx, &line) {
            MapParse::Entry(e) => out.push(e),
            MapParse::Skip => {}
            MapParse::Unrecognized => {
                if let Some((k, v)) = line.split_once('=') {
                    attrs.push((format!("${}", k.trim()), v.trim().to_string()));
                }
            }
        }
    }
    Ok(out)
}

enum MapParse {
    Entry(MapEntry),
    Skip,
    Unrecognized,
}

fn parse_mapping_entry(proc_rx: &Regex, brief_rx: &Regex, line: &str) -> MapParse {
    let g = |c: &regex::Captures, i: usize| c.get(i).map_or("", |m| m.as_str()).to_string();
    let (start, end, perm, offset, file, build_id) = if let Some(c) = proc_rx.captures(line) {
        (g(&c, 1), g(&c, 2), g(&c, 3), g(&c, 4), g(&c, 5), String::new())
    } else if let Some(c) = brief_rx.captures(line) {
        (g(&c, 1), g(&c, 2), g(&c, 3), g(&c, 5), g(&c, 4), g(&c, 6))
    } else {
        return MapParse::Unrecognized;
    };
    if !perm.is_empty() && !perm.contains('x') {
        return MapParse::Skip;
    }
    let hex = |s: &str| u64::from_str_radix(s, 16).ok();
    let (Some(start), Some(limit)) = (hex(&start), hex(&end)) else {
        return MapParse::Unrecognized;
    };
    let offset = if offset.is_empty() {
        0
    } else {
        match hex(&offset) {
            Some(o) => o,
            None => return MapParse::Unrecognized,
        }
    };
    MapParse::Entry(MapEntry { start, limit, offset, file, build_id })
}

/// Go's `strings.NewReplacer(pairs...).Replace`: at each position the first pair (in order)
/// whose old string matches is replaced.
fn replace_all(s: &str, pairs: &[(String, String)]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    'outer: while i < s.len() {
        for (from, to) in pairs {
            if !from.is_empty() && s[i..].starts_with(from.as_str()) {
                out.push_str(to);
                i += from.len();
                continue 'outer;
            }
        }
        let c = s[i..].chars().next().unwrap();
        out.push(c);
        i += c.len_utf8();
    }
    out
}

pub(crate) fn is_memory_map_sentinel(line: &str) -> bool {
    line.contains("--- Memory map: ---") || line.contains("MAPPED_LIBRARIES:")
}

pub(crate) fn is_space_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// Go's `strconv.ParseInt(s, 0, 64)` (base prefix 0x/0o/0b/0, underscores only with a prefix).
pub(crate) fn parse_int_base0(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let u = parse_uint_base0(body)?;
    if neg {
        if u > i64::MAX as u64 + 1 {
            return None;
        }
        Some((u as i64).wrapping_neg())
    } else {
        i64::try_from(u).ok()
    }
}

pub(crate) fn parse_uint_base0(s: &str) -> Option<u64> {
    let lower = s.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(r) = lower.strip_prefix("0x") {
        (16, r.to_string(), true)
    } else if let Some(r) = lower.strip_prefix("0b") {
        (2, r.to_string(), true)
    } else if let Some(r) = lower.strip_prefix("0o") {
        (8, r.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower.clone(), false)
    };
    let digits = if prefixed { digits.replace('_', "") } else { digits };
    if digits.is_empty() || digits.starts_with('+') || digits.starts_with('-') {
        return None;
    }
    u64::from_str_radix(&digits, radix).ok()
}

fn hex_number_rx() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"0x[0-9a-f]+").unwrap())
}

/// pprof's `parseHexAddresses`: every `0x…` in `s`; an over-long number is an error.
pub(crate) fn parse_hex_addresses(s: &str) -> Result<Vec<u64>, String> {
    let mut v = Vec::new();
    for m in hex_number_rx().find_iter(s) {
        match u64::from_str_radix(&m.as_str()[2..], 16) {
            Ok(a) => v.push(a),
            Err(_) => return Err(format!("failed to parse as hex 64-bit number: {}", m.as_str())),
        }
    }
    Ok(v)
}

/// bufio.Scanner-like line reader: `\n`-separated, a trailing `\r` dropped; `text()` is "" once
/// the input is exhausted.
pub(crate) struct Scanner<'a> {
    rest: &'a str,
    cur: &'a str,
    done: bool,
}

impl<'a> Scanner<'a> {
    pub fn new(s: &'a str) -> Self {
        Scanner { rest: s, cur: "", done: false }
    }
    pub fn scan(&mut self) -> bool {
        if self.done || self.rest.is_empty() {
            self.done = true;
            self.cur = "";
            return false;
        }
        let (line, rest) = match self.rest.find('\n') {
            Some(i) => (&self.rest[..i], &self.rest[i + 1..]),
            None => (self.rest, ""),
        };
        self.rest = rest;
        self.cur = line.strip_suffix('\r').unwrap_or(line);
        true
    }
    pub fn text(&self) -> &'a str {
        self.cur
    }
    /// The remaining lines (for the memory map).
    pub fn remaining(&mut self) -> impl Iterator<Item = &'a str> + '_ {
        std::iter::from_fn(move || if self.scan() { Some(self.text()) } else { None })
    }
}

/// pprof's `parseAdditionalSections`: skip to the memory-map sentinel, parse what follows.
pub(crate) fn parse_additional_sections(s: &mut Scanner, b: &mut Builder) -> LResult<()> {
    while !is_memory_map_sentinel(s.text()) && s.scan() {}
    let lines: Vec<&str> = s.remaining().collect();
    b.parse_memory_map(lines.into_iter())
}

/// pprof's `cleanupDuplicateLocations`: drop a second frame whose address is the leaf's − 1.
pub(crate) fn cleanup_duplicate_locations(p: &mut Profile) {
    let locs = &p.locations;
    for s in &mut p.samples {
        if s.locations.len() > 1
            && locs[s.locations[0] as usize].address == locs[s.locations[1] as usize].address.wrapping_add(1)
        {
            s.locations.remove(1);
        }
    }
}

const ALLOC_RX: &[&str] = &[
    "calloc",
    "cfree",
    "malloc",
    "free",
    "memalign",
    "do_memalign",
    "(__)?posix_memalign",
    "pvalloc",
    "valloc",
    "realloc",
    "tcmalloc::.*",
    "tc_calloc",
    "tc_cfree",
    "tc_malloc",
    "tc_free",
    "tc_memalign",
    "tc_posix_memalign",
    "tc_pvalloc",
    "tc_valloc",
    "tc_realloc",
    "tc_new",
    "tc_delete",
    "tc_newarray",
    "tc_deletearray",
    "tc_new_nothrow",
    "tc_newarray_nothrow",
    "malloc_zone_malloc",
    "malloc_zone_calloc",
    "malloc_zone_valloc",
    "malloc_zone_realloc",
    "malloc_zone_memalign",
    "malloc_zone_free",
    r"runtime\..*",
    "BaseArena::.*",
    "(::)?do_malloc_no_errno",
    "(::)?do_malloc_pages",
    "(::)?do_malloc",
    "DoSampledAllocation",
    "MallocedMemBlock::MallocedMemBlock",
    "_M_allocate",
    "__builtin_(vec_)?delete",
    "__builtin_(vec_)?new",
    "__gnu_cxx::new_allocator::allocate",
    "__libc_malloc",
    "__malloc_alloc_template::allocate",
    "allocate",
    "cpp_alloc",
    r"operator new(\[\])?",
    "simple_alloc::allocate",
];
const ALLOC_SKIP_RX: &[&str] = &[r"runtime\.panic", r"runtime\.reflectcall", r"runtime\.call[0-9]*"];
const CPU_PROFILER_RX: &[&str] =
    &["ProfileData::Add", "ProfileData::prof_handler", "CpuProfiler::prof_handler", "__pthread_sighandler", "__restore"];
const LOCK_RX: &[&str] = &[
    "RecordLockProfileData",
    "(base::)?RecordLockProfileData.*",
    "(base::)?SubmitMutexProfileData.*",
    "(base::)?SubmitSpinLockProfileData.*",
    "(base::Mutex::)?AwaitCommon.*",
    "(base::Mutex::)?Unlock.*",
    "(base::Mutex::)?UnlockSlow.*",
    "(base::Mutex::)?ReaderUnlock.*",
    "(base::MutexLock::)?~MutexLock.*",
    "(Mutex::)?AwaitCommon.*",
    "(Mutex::)?Unlock.*",
    "(Mutex::)?UnlockSlow.*",
    "(Mutex::)?ReaderUnlock.*",
    "(MutexLock::)?~MutexLock.*",
    "(SpinLock::)?Unlock.*",
    "(SpinLock::)?SlowUnlock.*",
    "(SpinLockHolder::)?~SpinLockHolder.*",
];

/// pprof's `addLegacyFrameInfo`: drop_frames/keep_frames by profile kind.
fn add_legacy_frame_info(p: &mut Profile) {
    let types: Vec<&str> = p.sample_types.iter().map(|st| p.str(st.kind)).collect();
    let heap: &[&[&str]] = &[
        &["allocations", "size"],
        &["objects", "space"],
        &["inuse_objects", "inuse_space"],
        &["alloc_objects", "alloc_space"],
        &["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"],
    ];
    let (drop, keep) = if heap.contains(&types.as_slice()) {
        (ALLOC_RX.join("|"), ALLOC_SKIP_RX.join("|"))
    } else if types == ["contentions", "delay"] {
        (LOCK_RX.join("|"), String::new())
    } else {
        (CPU_PROFILER_RX.join("|"), String::new())
    };
    let mut i = Interner::new(p);
    p.drop_frames = i.intern(p, &drop);
    p.keep_frames = if keep.is_empty() { 0 } else { i.intern(p, &keep) };
}
