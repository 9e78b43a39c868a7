//! A hand-written profile.proto decoder that reads uncompressed bytes straight into the model
//! (ids resolved to dense indices, string indices checked), following google/pprof's
//! `profile/proto.go` + `encode.go` rules.
//!
//! Three cheap passes over the top-level fields: (0) frame every field and count each kind so
//! vectors are reserved exactly, (1) decode everything except samples (so the string table and
//! all ids are known), (2) decode samples, resolving location ids on the fly. No intermediate
//! tree is built; a sample costs its own three vectors and nothing else.

use rustc_hash::FxHashMap;

use super::error::ProfileError;
use super::model::*;

type R<T> = Result<T, ProfileError>;

const WT_VARINT: u8 = 0;
const WT_I64: u8 = 1;
const WT_LEN: u8 = 2;
const WT_I32: u8 = 5;

/// One decoded field: its number, wire type, scalar value (for 0/1/5) or payload (for 2).
#[derive(Clone, Copy)]
struct Field<'a> {
    num: u64,
    wt: u8,
    val: u64,
    bytes: &'a [u8],
    /// Absolute byte offset of the field key.
    off: usize,
    /// Absolute byte offset of the payload (for wire type 2).
    poff: usize,
}

#[inline]
fn read_varint(d: &[u8], pos: &mut usize, base: usize) -> R<u64> {
    let start = *pos;
    let mut u = 0u64;
    for i in 0..10 {
        let Some(&b) = d.get(start + i) else {
            return Err(ProfileError::BadVarint { offset: base + start });
        };
        u |= ((b & 0x7f) as u64) << (7 * i);
        if b < 0x80 {
            *pos = start + i + 1;
            return Ok(u);
        }
    }
    Err(ProfileError::BadVarint { offset: base + start })
}

/// Iterates over the fields of one message.
struct Fields<'a> {
    d: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Fields<'a> {
    fn new(d: &'a [u8], base: usize) -> Self {
        Fields { d, pos: 0, base }
    }

    #[inline]
    fn next_field(&mut self) -> R<Option<Field<'a>>> {
        if self.pos >= self.d.len() {
            return Ok(None);
        }
        let off = self.base + self.pos;
        let key = read_varint(self.d, &mut self.pos, self.base)?;
        let num = key >> 3;
        let wt = (key & 7) as u8;
        let mut f = Field { num, wt, val: 0, bytes: &[], off, poff: 0 };
        match wt {
            WT_VARINT => f.val = read_varint(self.d, &mut self.pos, self.base)?,
            WT_I64 => {
                let b = self
                    .d
                    .get(self.pos..self.pos + 8)
                    .ok_or(ProfileError::Truncated { offset: off, what: "fixed64 field" })?;
                f.val = u64::from_le_bytes(b.try_into().unwrap());
                self.pos += 8;
            }
            WT_LEN => {
                let n = read_varint(self.d, &mut self.pos, self.base)?;
                let rest = self.d.len() - self.pos;
                if n > rest as u64 {
                    return Err(ProfileError::Truncated { offset: off, what: "length-delimited field" });
                }
                let n = n as usize;
                f.poff = self.base + self.pos;
                f.bytes = &self.d[self.pos..self.pos + n];
                self.pos += n;
            }
            WT_I32 => {
                let b = self
                    .d
                    .get(self.pos..self.pos + 4)
                    .ok_or(ProfileError::Truncated { offset: off, what: "fixed32 field" })?;
                f.val = u32::from_le_bytes(b.try_into().unwrap()) as u64;
                self.pos += 4;
            }
            _ => return Err(ProfileError::BadWireType { offset: off, field: num, wire_type: wt }),
        }
        Ok(Some(f))
    }
}

#[inline]
fn want(f: &Field, wt: u8, message: &'static str, field: &'static str) -> R<()> {
    if f.wt != wt {
        return Err(ProfileError::TypeMismatch { offset: f.off, message, field, got: f.wt, expected: wt });
    }
    Ok(())
}

#[inline]
fn int(f: &Field, message: &'static str, field: &'static str) -> R<i64> {
    want(f, WT_VARINT, message, field)?;
    Ok(f.val as i64)
}

#[inline]
fn uint(f: &Field, message: &'static str, field: &'static str) -> R<u64> {
    want(f, WT_VARINT, message, field)?;
    Ok(f.val)
}

/// Number of varints in a packed payload (upper bound used for reserving).
#[inline]
fn count_varints(b: &[u8]) -> usize {
    b.iter().filter(|&&x| x < 0x80).count()
}

/// Appends a repeated scalar (packed or not) through `push`.
#[inline]
fn repeated(
    f: &Field,
    message: &'static str,
    field: &'static str,
    mut push: impl FnMut(u64) -> R<()>,
) -> R<()> {
    if f.wt == WT_LEN {
        let mut pos = 0;
        while pos < f.bytes.len() {
            let v = read_varint(f.bytes, &mut pos, f.poff)?;
            push(v)?;
        }
        Ok(())
    } else {
        push(uint(f, message, field)?)
    }
}

/// id → dense index. Dense array for ids up to the element count (the common case), a hash map for
/// the rest, as pprof does.
pub(crate) struct IdMap {
    dense: Vec<u32>,
    sparse: FxHashMap<u64, u32>,
}

impl IdMap {
    pub(crate) fn build(ids: impl ExactSizeIterator<Item = u64>, kind: &'static str) -> R<IdMap> {
        let n = ids.len();
        let mut m = IdMap { dense: vec![u32::MAX; n + 1], sparse: FxHashMap::default() };
        for (i, id) in ids.enumerate() {
            if id == 0 {
                return Err(ProfileError::ZeroId { kind });
            }
            let slot = if (id as usize) <= n && id <= u32::MAX as u64 {
                &mut m.dense[id as usize]
            } else {
                m.sparse.entry(id).or_insert(u32::MAX)
            };
            if *slot != u32::MAX {
                return Err(ProfileError::DuplicateId { kind, id });
            }
            *slot = i as u32;
        }
        Ok(m)
    }

    #[inline]
    pub(crate) fn get(&self, id: u64) -> Option<u32> {
        if (id as usize) < self.dense.len() && id <= u32::MAX as u64 {
            let v = self.dense[id as usize];
            (v != u32::MAX).then_some(v)
        } else {
            self.sparse.get(&id).copied()
        }
    }
}

/// String indices read before the table is known; checked in `resolve`.
struct StrCheck {
    len: usize,
}

impl StrCheck {
    #[inline]
    fn get(&self, idx: i64, field: &'static str) -> R<Str> {
        if idx < 0 || idx as u64 >= self.len as u64 {
            return Err(ProfileError::StringIndex { field, index: idx, len: self.len });
        }
        Ok(idx as Str)
    }
}

/// A string table entry, its bytes kept even when they are not UTF-8 (as pprof keeps them).
fn to_string(b: &[u8]) -> String {
    super::bytes::from_bytes(b)
}

fn decode_value_type(f: &Field, field: &'static str) -> R<(i64, i64)> {
    want(f, WT_LEN, "Profile", field)?;
    let (mut t, mut u) = (0, 0);
    let mut it = Fields::new(f.bytes, f.poff);
    while let Some(g) = it.next_field()? {
        match g.num {
            1 => t = int(&g, "ValueType", "type")?,
            2 => u = int(&g, "ValueType", "unit")?,
            _ => {}
        }
    }
    Ok((t, u))
}

/// Raw (unresolved) string indices of the profile-level and per-entity fields.
#[derive(Default)]
struct RawIdx {
    sample_types: Vec<(i64, i64)>,
    mapping_strs: Vec<(i64, i64)>,
    function_strs: Vec<(i64, i64, i64)>,
    loc_mapping: Vec<u64>,
    line_fids: Vec<u64>,
    comments: Vec<i64>,
    drop: i64,
    keep: i64,
    period_type: (i64, i64),
    default_type: i64,
    doc_url: i64,
}

/// Decodes an uncompressed profile.proto message into a `Profile`. Does not run `check_valid`
/// (callers do), but every cross reference in the result is a valid index.
pub fn decode(data: &[u8]) -> Result<Profile, ProfileError> {
    decode_limited(data, &super::Limits::default())
}

/// [`decode`], refusing profiles with more samples or locations than `limits` allow (checked
/// before anything is allocated for them).
pub fn decode_limited(data: &[u8], limits: &super::Limits) -> Result<Profile, ProfileError> {
    if data.is_empty() {
        return Err(ProfileError::Empty);
    }
    let counts = count_fields(data)?;
    counts.check(limits)?;
    let mut p = counts.reserve();
    let raw = decode_headers(data, &mut p, &counts)?;
    let (locations, strings) = resolve(&mut p, raw)?;
    decode_samples(data, &mut p, &locations, &strings)?;
    Ok(p)
}

/// How many top-level fields of each number a message holds (numbers ≥ 16 are not counted).
struct Counts([usize; 16]);

/// Pass 0: frame every top-level field and count each kind, so vectors are reserved exactly;
/// a second non-zero `time_nanos` means two profiles back to back, as pprof says.
fn count_fields(data: &[u8]) -> R<Counts> {
    let mut counts = [0usize; 16];
    let mut it = Fields::new(data, 0);
    let mut seen_time = false;
    while let Some(f) = it.next_field()? {
        if (f.num as usize) < counts.len() {
            counts[f.num as usize] += 1;
        }
        if f.num == 9 && f.wt == WT_VARINT {
            if seen_time {
                return Err(ProfileError::Concatenated { offset: f.off });
            }
            seen_time = f.val != 0;
        }
    }
    Ok(Counts(counts))
}

impl Counts {
    fn check(&self, limits: &super::Limits) -> R<()> {
        let c = &self.0;
        for (what, count, limit) in [
            ("samples", c[2], limits.max_samples),
            ("locations", c[4], limits.max_locations),
            ("functions", c[5], limits.max_locations),
        ] {
            if count > limit {
                return Err(ProfileError::TooMany { what, count, limit });
            }
        }
        Ok(())
    }

    /// An empty profile with every table reserved to its final size.
    fn reserve(&self) -> Profile {
        let c = &self.0;
        Profile {
            strings: Vec::with_capacity(c[6]),
            sample_types: Vec::with_capacity(c[1]),
            samples: Vec::with_capacity(c[2]),
            mappings: Vec::with_capacity(c[3]),
            locations: Vec::with_capacity(c[4]),
            functions: Vec::with_capacity(c[5]),
            ..Profile::default()
        }
    }
}

/// Pass 1: everything but samples, with string indices and ids left raw (the string table may
/// come last).
fn decode_headers(data: &[u8], p: &mut Profile, counts: &Counts) -> R<RawIdx> {
    let c = &counts.0;
    p.strings.clear();
    let mut raw = RawIdx::default();
    raw.mapping_strs.reserve(c[3]);
    raw.function_strs.reserve(c[5]);
    raw.loc_mapping.reserve(c[4]);
    raw.line_fids.reserve(c[4]);
    let mut it = Fields::new(data, 0);
    while let Some(f) = it.next_field()? {
        match f.num {
            1 => raw.sample_types.push(decode_value_type(&f, "sample_type")?),
            2 => want(&f, WT_LEN, "Profile", "sample")?,
            3 => decode_mapping(&f, p, &mut raw)?,
            4 => decode_location(&f, p, &mut raw)?,
            5 => decode_function(&f, p, &mut raw)?,
            6 => {
                want(&f, WT_LEN, "Profile", "string_table")?;
                if p.strings.is_empty() && !f.bytes.is_empty() {
                    return Err(ProfileError::StringTableHead { offset: f.off });
                }
                p.strings.push(to_string(f.bytes));
            }
            7 => raw.drop = int(&f, "Profile", "drop_frames")?,
            8 => raw.keep = int(&f, "Profile", "keep_frames")?,
            9 => p.time_nanos = int(&f, "Profile", "time_nanos")?,
            10 => p.duration_nanos = int(&f, "Profile", "duration_nanos")?,
            11 => raw.period_type = decode_value_type(&f, "period_type")?,
            12 => p.period = int(&f, "Profile", "period")?,
            13 => repeated(&f, "Profile", "comment", |v| {
                raw.comments.push(v as i64);
                Ok(())
            })?,
            14 => raw.default_type = int(&f, "Profile", "default_sample_type")?,
            15 => raw.doc_url = int(&f, "Profile", "doc_url")?,
            _ => {}
        }
    }
    Ok(raw)
}

/// Checks and resolves the raw string indices and ids of everything but samples; returns the
/// location id map and the string check the samples need.
fn resolve(p: &mut Profile, raw: RawIdx) -> R<(IdMap, StrCheck)> {
    let sc = StrCheck { len: p.strings.len() };
    if p.strings.is_empty() {
        return Err(ProfileError::StringIndex { field: "string_table (missing)", index: 0, len: 0 });
    }
    for (t, u) in &raw.sample_types {
        p.sample_types.push(ValueType { kind: sc.get(*t, "sample_type.type")?, unit: sc.get(*u, "sample_type.unit")? });
    }
    for (m, (f, b)) in p.mappings.iter_mut().zip(&raw.mapping_strs) {
        m.filename = sc.get(*f, "mapping.filename")?;
        m.build_id = sc.get(*b, "mapping.build_id")?;
    }
    for (func, (n, s, f)) in p.functions.iter_mut().zip(&raw.function_strs) {
        func.name = sc.get(*n, "function.name")?;
        func.system_name = sc.get(*s, "function.system_name")?;
        func.filename = sc.get(*f, "function.filename")?;
    }
    let mapping_ids = IdMap::build(p.mappings.iter().map(|m| m.id), "mapping")?;
    let function_ids = IdMap::build(p.functions.iter().map(|f| f.id), "function")?;
    let mut fids = raw.line_fids.iter();
    for (loc, &mid) in p.locations.iter_mut().zip(&raw.loc_mapping) {
        // An unknown mapping id resolves to no mapping, as in pprof.
        loc.mapping = if mid == 0 { None } else { mapping_ids.get(mid) };
        for line in loc.lines.iter_mut() {
            let fid = *fids.next().unwrap();
            line.function = match (fid != 0).then(|| function_ids.get(fid)).flatten() {
                Some(i) => i,
                None => return Err(ProfileError::NilFunction { location: loc.id, function: fid }),
            };
        }
    }
    let location_ids = IdMap::build(p.locations.iter().map(|l| l.id), "location")?;
    p.drop_frames = sc.get(raw.drop, "drop_frames")?;
    p.keep_frames = sc.get(raw.keep, "keep_frames")?;
    p.period_type = ValueType {
        kind: sc.get(raw.period_type.0, "period_type.type")?,
        unit: sc.get(raw.period_type.1, "period_type.unit")?,
    };
    p.comments = raw.comments.iter().map(|&c| sc.get(c, "comment")).collect::<R<_>>()?;
    p.default_sample_type = sc.get(raw.default_type, "default_sample_type")?;
    p.doc_url = sc.get(raw.doc_url, "doc_url")?;
    Ok((location_ids, sc))
}

/// Pass 2: samples, resolving location ids on the fly; a sample costs its own three vectors.
fn decode_samples(data: &[u8], p: &mut Profile, location_ids: &IdMap, sc: &StrCheck) -> R<()> {
    let mut it = Fields::new(data, 0);
    let mut loc_buf: Vec<u32> = Vec::new();
    let mut val_buf: Vec<i64> = Vec::new();
    while let Some(f) = it.next_field()? {
        if f.num != 2 {
            continue;
        }
        let si = p.samples.len();
        let mut labels: Vec<Label> = Vec::new();
        loc_buf.clear();
        val_buf.clear();
        let mut g = Fields::new(f.bytes, f.poff);
        while let Some(h) = g.next_field()? {
            match h.num {
                1 => {
                    if h.wt == WT_LEN {
                        loc_buf.reserve(count_varints(h.bytes));
                    }
                    repeated(&h, "Sample", "location_id", |id| {
                        match location_ids.get(id) {
                            Some(i) => loc_buf.push(i),
                            None => return Err(ProfileError::UnknownLocation { sample: si, id }),
                        }
                        Ok(())
                    })?
                }
                2 => {
                    if h.wt == WT_LEN {
                        val_buf.reserve(count_varints(h.bytes));
                    }
                    repeated(&h, "Sample", "value", |v| {
                        val_buf.push(v as i64);
                        Ok(())
                    })?
                }
                3 => {
                    if let Some(l) = decode_label(&h, sc)? {
                        labels.push(l);
                    }
                }
                _ => {}
            }
        }
        p.samples.push(Sample { locations: loc_buf.as_slice().into(), values: val_buf.as_slice().into(), labels });
    }
    Ok(())
}

/// One `Sample.label`; None for a label with neither a string nor a number (pprof drops it).
fn decode_label(h: &Field, sc: &StrCheck) -> R<Option<Label>> {
    want(h, WT_LEN, "Sample", "label")?;
    let (mut k, mut s, mut n, mut u) = (0i64, 0i64, 0i64, 0i64);
    let mut l = Fields::new(h.bytes, h.poff);
    while let Some(x) = l.next_field()? {
        match x.num {
            1 => k = int(&x, "Label", "key")?,
            2 => s = int(&x, "Label", "str")?,
            3 => n = int(&x, "Label", "num")?,
            4 => u = int(&x, "Label", "num_unit")?,
            _ => {}
        }
    }
    let key = sc.get(k, "label.key")?;
    if s != 0 {
        return Ok(Some(Label { key, value: LabelValue::Str(sc.get(s, "label.str")?) }));
    }
    if n != 0 || u != 0 {
        let unit = sc.get(u, "label.num_unit")?;
        return Ok(Some(Label { key, value: LabelValue::Num { value: n, unit } }));
    }
    Ok(None)
}

fn decode_mapping(f: &Field, p: &mut Profile, raw: &mut RawIdx) -> R<()> {
    want(f, WT_LEN, "Profile", "mapping")?;
    let mut m = Mapping::default();
    let (mut file, mut build) = (0, 0);
    let mut it = Fields::new(f.bytes, f.poff);
    const M: &str = "Mapping";
    while let Some(g) = it.next_field()? {
        match g.num {
            1 => m.id = uint(&g, M, "id")?,
            2 => m.memory_start = uint(&g, M, "memory_start")?,
            3 => m.memory_limit = uint(&g, M, "memory_limit")?,
            4 => m.file_offset = uint(&g, M, "file_offset")?,
            5 => file = int(&g, M, "filename")?,
            6 => build = int(&g, M, "build_id")?,
            7 => m.has_functions = uint(&g, M, "has_functions")? != 0,
            8 => m.has_filenames = uint(&g, M, "has_filenames")? != 0,
            9 => m.has_line_numbers = uint(&g, M, "has_line_numbers")? != 0,
            10 => m.has_inline_frames = uint(&g, M, "has_inline_frames")? != 0,
            _ => {}
        }
    }
    p.mappings.push(m);
    raw.mapping_strs.push((file, build));
    Ok(())
}

fn decode_location(f: &Field, p: &mut Profile, raw: &mut RawIdx) -> R<()> {
    want(f, WT_LEN, "Profile", "location")?;
    let mut l = Location::default();
    let mut mid = 0;
    let mut it = Fields::new(f.bytes, f.poff);
    const L: &str = "Location";
    while let Some(g) = it.next_field()? {
        match g.num {
            1 => l.id = uint(&g, L, "id")?,
            2 => mid = uint(&g, L, "mapping_id")?,
            3 => l.address = uint(&g, L, "address")?,
            4 => {
                want(&g, WT_LEN, L, "line")?;
                let mut line = Line::default();
                let mut fid = 0;
                let mut lt = Fields::new(g.bytes, g.poff);
                while let Some(h) = lt.next_field()? {
                    match h.num {
                        1 => fid = uint(&h, "Line", "function_id")?,
                        2 => line.line = int(&h, "Line", "line")?,
                        3 => line.column = int(&h, "Line", "column")?,
                        _ => {}
                    }
                }
                l.lines.push(line);
                raw.line_fids.push(fid);
            }
            5 => l.is_folded = uint(&g, L, "is_folded")? != 0,
            _ => {}
        }
    }
    l.lines.shrink_to_fit();
    p.locations.push(l);
    raw.loc_mapping.push(mid);
    Ok(())
}

fn decode_function(f: &Field, p: &mut Profile, raw: &mut RawIdx) -> R<()> {
    want(f, WT_LEN, "Profile", "function")?;
    let mut func = Function::default();
    let (mut n, mut s, mut file) = (0, 0, 0);
    let mut it = Fields::new(f.bytes, f.poff);
    const F: &str = "Function";
    while let Some(g) = it.next_field()? {
        match g.num {
            1 => func.id = uint(&g, F, "id")?,
            2 => n = int(&g, F, "name")?,
            3 => s = int(&g, F, "system_name")?,
            4 => file = int(&g, F, "filename")?,
            5 => func.start_line = int(&g, F, "start_line")?,
            _ => {}
        }
    }
    p.functions.push(func);
    raw.function_strs.push((n, s, file));
    Ok(())
}
