//! Combining profiles (pprof's `profile` package): `CompatibilizeSampleTypes`, `Merge` (samples
//! keyed by locations + labels; locations, functions and mappings deduplicated), `Compact`,
//! `Scale`/`ScaleN`, `Normalize`, `SetLabel` and `SampleIndexByName`. The driver
//! ([`crate::driver::fetch`]) strings them together for `-base`/`-diff_base`.

use rustc_hash::FxHashMap;

use super::error::ProfileError;
use super::model::*;
use super::Interner;

type R<T> = Result<T, ProfileError>;

fn merr(msg: impl Into<String>) -> ProfileError {
    ProfileError::Merge(msg.into())
}

// ---------------------------------------------------------------- scaling

/// pprof's `Scale`: multiply every value by `ratio` (rounded), dropping samples that become zero.
pub fn scale(p: &mut Profile, ratio: f64) {
    if ratio == 1.0 {
        return;
    }
    let r = vec![ratio; p.sample_types.len()];
    let _ = scale_n(p, &r);
}

/// pprof's `ScaleN`: a ratio per sample type; samples whose scaled values are all zero go.
pub fn scale_n(p: &mut Profile, ratios: &[f64]) -> R<()> {
    if ratios.len() != p.sample_types.len() {
        return Err(merr(format!("mismatched scale ratios, got {}, want {}", ratios.len(), p.sample_types.len())));
    }
    if ratios.iter().all(|&r| r == 1.0) {
        return Ok(());
    }
    p.samples.retain_mut(|s| {
        let mut keep = false;
        for (v, &r) in s.values.iter_mut().zip(ratios) {
            if r != 1.0 {
                *v = (*v as f64 * r).round() as i64;
                keep |= *v != 0;
            }
        }
        keep
    });
    Ok(())
}

fn compatible(p: &Profile, q: &Profile) -> R<()> {
    let vt = |x: &Profile, v: ValueType| (x.str(v.kind).to_string(), x.str(v.unit).to_string());
    if vt(p, p.period_type) != vt(q, q.period_type) {
        return Err(merr(format!(
            "incompatible period types {:?} and {:?}",
            vt(p, p.period_type),
            vt(q, q.period_type)
        )));
    }
    let a: Vec<_> = p.sample_types.iter().map(|&v| vt(p, v)).collect();
    let b: Vec<_> = q.sample_types.iter().map(|&v| vt(q, v)).collect();
    if a != b {
        return Err(merr(format!("incompatible sample types {a:?} and {b:?}")));
    }
    Ok(())
}

/// pprof's `Normalize`: scale `p` so that each column's total equals `base`'s.
pub fn normalize(p: &mut Profile, base: &Profile) -> R<()> {
    compatible(p, base)?;
    let n = p.sample_types.len();
    let (mut b, mut s) = (vec![0i64; n], vec![0i64; n]);
    for x in &base.samples {
        for (i, v) in x.values.iter().enumerate().take(n) {
            b[i] = b[i].wrapping_add(*v);
        }
    }
    for x in &p.samples {
        for (i, v) in x.values.iter().enumerate().take(n) {
            s[i] = s[i].wrapping_add(*v);
        }
    }
    let ratios: Vec<f64> = (0..n).map(|i| if s[i] == 0 { 0.0 } else { b[i] as f64 / s[i] as f64 }).collect();
    scale_n(p, &ratios)
}

/// pprof's `SampleIndexByName`: "" = default (default_sample_type, else last); a number; a type
/// name, `inuse_` prefix optional (so `inuse_space` selects `space`).
pub fn sample_index_by_name(p: &Profile, name: &str) -> R<usize> {
    if name.is_empty() {
        return Ok(p.default_sample_index());
    }
    if let Ok(i) = name.parse::<i64>() {
        if i < 0 || i as usize >= p.sample_types.len() {
            return Err(ProfileError::SampleIndex(format!(
                "sample_index {name} is outside the range [0..{}]",
                p.sample_types.len() as i64 - 1
            )));
        }
        return Ok(i as usize);
    }
    let no_inuse = name.strip_prefix("inuse_").unwrap_or(name);
    if let Some(i) = p.sample_types.iter().position(|st| {
        let t = p.str(st.kind);
        t == name || t == no_inuse
    }) {
        return Ok(i);
    }
    let types: Vec<&str> = p.sample_types.iter().map(|st| p.str(st.kind)).collect();
    Err(ProfileError::SampleIndex(format!("sample_index {name:?} must be one of: [{}]", types.join(" "))))
}

// ---------------------------------------------------------------- compatibilize

/// pprof's `CompatibilizeSampleTypes`: keep only the sample types every profile has, in the first
/// profile's order.
pub fn compatibilize_sample_types(ps: &mut [Profile]) -> R<()> {
    let Some(first) = ps.first() else { return Ok(()) };
    let mut common: Vec<String> = Vec::new();
    for st in &first.sample_types {
        let t = first.str(st.kind);
        if ps.iter().all(|p| p.sample_types.iter().any(|x| p.str(x.kind) == t)) && !common.iter().any(|c| c == t) {
            common.push(t.to_string());
        }
    }
    // pprof counts occurrences; a type repeated in one profile is an edge we treat like pprof
    // would for well-formed profiles (unique type names).
    if common.is_empty() {
        return Err(merr("profiles have empty common sample type list"));
    }
    for p in ps.iter_mut() {
        let mut default = common[0].clone();
        let mut remap = Vec::with_capacity(common.len());
        let mut modify = false;
        for (i, t) in common.iter().enumerate() {
            if t == p.str(p.default_sample_type) {
                default = t.clone();
            }
            let Some(idx) = p.sample_types.iter().position(|x| p.str(x.kind) == t) else {
                return Err(merr(format!("{t:?} sample type is not found in profile")));
            };
            remap.push(idx);
            modify |= idx != i;
        }
        if !modify && common.len() == p.sample_types.len() {
            continue;
        }
        let mut it = Interner::new(p);
        p.default_sample_type = it.intern(p, &default);
        p.sample_types = remap.iter().map(|&i| p.sample_types[i]).collect();
        for s in &mut p.samples {
            let v: Vec<i64> = remap.iter().map(|&i| s.values[i]).collect();
            s.values = v;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- merge

#[derive(Hash, PartialEq, Eq)]
struct MappingKey {
    size: u64,
    offset: u64,
    build_id_or_file: String,
}

#[derive(Hash, PartialEq, Eq)]
struct LocationKey {
    addr: u64,
    mapping_id: u64,
    lines: Vec<(u32, i64, i64)>,
    is_folded: bool,
}

#[derive(Hash, PartialEq, Eq)]
struct FunctionKey {
    start_line: i64,
    name: Str,
    system_name: Str,
    filename: Str,
}

struct Merger {
    p: Profile,
    strs: Interner,
    samples: FxHashMap<Vec<u8>, u32>,
    locations: FxHashMap<LocationKey, u32>,
    functions: FxHashMap<FunctionKey, u32>,
    mappings: FxHashMap<MappingKey, u32>,
}

/// Per-source memo tables (source index → merged index).
struct SrcMaps {
    strs: Vec<Str>,
    locs: Vec<u32>,
    funcs: Vec<u32>,
    maps: Vec<Option<(u32, i64)>>,
}

const NONE: u32 = u32::MAX;

impl Merger {
    fn s(&mut self, m: &mut SrcMaps, src: &Profile, i: Str) -> Str {
        let slot = &mut m.strs[i as usize];
        if *slot == NONE {
            *slot = self.strs.intern(&mut self.p, src.str(i));
        }
        *slot
    }

    fn map_mapping(&mut self, m: &mut SrcMaps, src: &Profile, mi: u32) -> (u32, i64) {
        if let Some(x) = m.maps[mi as usize] {
            return x;
        }
        let sm = &src.mappings[mi as usize];
        let size = sm.memory_limit.wrapping_sub(sm.memory_start);
        let size = size.wrapping_add(0xfff);
        let size = size - size % 0x1000;
        let bid = src.str(sm.build_id);
        let file = src.str(sm.filename);
        let key = MappingKey {
            size,
            offset: sm.file_offset,
            build_id_or_file: if !bid.is_empty() { bid.to_string() } else { file.to_string() },
        };
        if let Some(&existing) = self.mappings.get(&key) {
            let off = (self.p.mappings[existing as usize].memory_start as i64).wrapping_sub(sm.memory_start as i64);
            m.maps[mi as usize] = Some((existing, off));
            return (existing, off);
        }
        let filename = self.s(m, src, sm.filename);
        let build_id = self.s(m, src, sm.build_id);
        let idx = self.p.mappings.len() as u32;
        self.p.mappings.push(Mapping { id: idx as u64 + 1, filename, build_id, ..sm.clone() });
        self.mappings.insert(key, idx);
        m.maps[mi as usize] = Some((idx, 0));
        (idx, 0)
    }

    fn map_function(&mut self, m: &mut SrcMaps, src: &Profile, fi: u32) -> u32 {
        if m.funcs[fi as usize] != NONE {
            return m.funcs[fi as usize];
        }
        let sf = &src.functions[fi as usize];
        let name = self.s(m, src, sf.name);
        let system_name = self.s(m, src, sf.system_name);
        let filename = self.s(m, src, sf.filename);
        let key = FunctionKey { start_line: sf.start_line, name, system_name, filename };
        let idx = match self.functions.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.p.functions.len() as u32;
                self.p.functions.push(Function { id: i as u64 + 1, name, system_name, filename, start_line: sf.start_line });
                self.functions.insert(key, i);
                i
            }
        };
        m.funcs[fi as usize] = idx;
        idx
    }

    fn map_location(&mut self, m: &mut SrcMaps, src: &Profile, li: u32) -> u32 {
        if m.locs[li as usize] != NONE {
            return m.locs[li as usize];
        }
        let sl = &src.locations[li as usize];
        let (mapping, off) = match sl.mapping {
            Some(mi) => {
                let (x, off) = self.map_mapping(m, src, mi);
                (Some(x), off)
            }
            None => (None, 0),
        };
        let address = (sl.address as i64).wrapping_add(off) as u64;
        let lines: Vec<Line> = sl
            .lines
            .iter()
            .map(|ln| Line { function: self.map_function(m, src, ln.function), line: ln.line, column: ln.column })
            .collect();
        let (kaddr, kmap) = match mapping {
            Some(x) => {
                let mm = &self.p.mappings[x as usize];
                (address.wrapping_sub(mm.memory_start), mm.id)
            }
            None => (address, 0),
        };
        let key = LocationKey {
            addr: kaddr,
            mapping_id: kmap,
            lines: lines.iter().map(|l| (l.function, l.line, l.column)).collect(),
            is_folded: sl.is_folded,
        };
        let idx = match self.locations.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.p.locations.len() as u32;
                self.p.locations.push(Location { id: i as u64 + 1, mapping, address, lines, is_folded: sl.is_folded });
                self.locations.insert(key, i);
                i
            }
        };
        m.locs[li as usize] = idx;
        idx
    }

    fn map_sample(&mut self, m: &mut SrcMaps, src: &Profile, s: &Sample) {
        let locs: Vec<u32> = s.locations.iter().map(|&l| self.map_location(m, src, l)).collect();
        let labels: Vec<Label> = s
            .labels
            .iter()
            .map(|l| Label {
                key: self.s(m, src, l.key),
                value: match l.value {
                    LabelValue::Str(v) => LabelValue::Str(self.s(m, src, v)),
                    LabelValue::Num { value, unit } => LabelValue::Num { value, unit: self.s(m, src, unit) },
                },
            })
            .collect();
        let key = sample_key(&self.p, &locs, &labels);
        if let Some(&si) = self.samples.get(&key) {
            let dst = &mut self.p.samples[si as usize];
            for (d, v) in dst.values.iter_mut().zip(&s.values) {
                *d = d.wrapping_add(*v);
            }
            return;
        }
        let si = self.p.samples.len() as u32;
        self.p.samples.push(Sample { locations: locs, values: s.values.clone(), labels });
        self.samples.insert(key, si);
    }
}

fn put_varint(b: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        b.push(v as u8 | 0x80);
        v >>= 7;
    }
    b.push(v as u8);
}

fn put_str(b: &mut Vec<u8>, s: &str) {
    put_varint(b, s.len() as u64);
    b.extend_from_slice(s.as_bytes());
}

/// Locations, then string labels grouped by key (keys sorted, values in order), then numeric
/// labels (values and, if any value has a unit, the units), as pprof's `sampleKey`.
fn sample_key(p: &Profile, locs: &[u32], labels: &[Label]) -> Vec<u8> {
    let mut b = Vec::with_capacity(8 + locs.len() * 3);
    for &l in locs {
        put_varint(&mut b, l as u64 + 1);
    }
    put_varint(&mut b, 0);
    if labels.is_empty() {
        return b;
    }
    let mut skeys: Vec<&str> = Vec::new();
    let mut nkeys: Vec<&str> = Vec::new();
    for l in labels {
        let k = p.str(l.key);
        let v = if matches!(l.value, LabelValue::Str(_)) { &mut skeys } else { &mut nkeys };
        if !v.contains(&k) {
            v.push(k);
        }
    }
    skeys.sort_unstable();
    nkeys.sort_unstable();
    for k in skeys {
        put_str(&mut b, k);
        let vals: Vec<&str> = labels
            .iter()
            .filter_map(|l| match l.value {
                LabelValue::Str(v) if p.str(l.key) == k => Some(p.str(v)),
                _ => None,
            })
            .collect();
        put_varint(&mut b, vals.len() as u64);
        for v in vals {
            put_str(&mut b, v);
        }
    }
    for k in nkeys {
        put_str(&mut b, k);
        let vals: Vec<(i64, Str)> = labels
            .iter()
            .filter_map(|l| match l.value {
                LabelValue::Num { value, unit } if p.str(l.key) == k => Some((value, unit)),
                _ => None,
            })
            .collect();
        put_varint(&mut b, vals.len() as u64);
        for (v, _) in &vals {
            put_varint(&mut b, *v as u64);
        }
        if vals.iter().any(|&(_, u)| u != 0) {
            put_varint(&mut b, vals.len() as u64);
            for (_, u) in &vals {
                put_str(&mut b, p.str(*u));
            }
        } else {
            put_varint(&mut b, 0);
        }
    }
    b
}

/// pprof's `Merge`: one profile from several with identical sample and period types. Headers:
/// time = earliest (pprof's rule), duration = sum, period = max, comments deduplicated,
/// drop/keep frames and period type from the first. All-zero samples are dropped.
pub fn merge(srcs: &[Profile]) -> R<Profile> {
    let Some(first) = srcs.first() else { return Err(merr("no profiles to merge")) };
    for s in &srcs[1..] {
        compatible(first, s)?;
    }
    let mut p = Profile::default();
    let strs = Interner::new(&p);
    let mut mg = Merger {
        p: std::mem::take(&mut p),
        strs,
        samples: FxHashMap::default(),
        locations: FxHashMap::default(),
        functions: FxHashMap::default(),
        mappings: FxHashMap::default(),
    };
    // Headers.
    let (mut time, mut duration, mut period) = (0i64, 0i64, 0i64);
    let mut comments: Vec<String> = Vec::new();
    let mut default_type = String::new();
    let mut doc = String::new();
    for s in srcs {
        if time == 0 || s.time_nanos < time {
            time = s.time_nanos;
        }
        duration = duration.wrapping_add(s.duration_nanos);
        if period == 0 || period < s.period {
            period = s.period;
        }
        for &c in &s.comments {
            let c = s.str(c);
            if !comments.iter().any(|x| x == c) {
                comments.push(c.to_string());
            }
        }
        if default_type.is_empty() {
            default_type = s.str(s.default_sample_type).to_string();
        }
        if doc.is_empty() {
            doc = s.str(s.doc_url).to_string();
        }
    }
    {
        let q = &mut mg.p;
        let it = &mut mg.strs;
        q.sample_types = first
            .sample_types
            .iter()
            .map(|st| ValueType { kind: it.intern(q, first.str(st.kind)), unit: it.intern(q, first.str(st.unit)) })
            .collect();
        q.drop_frames = it.intern(q, first.str(first.drop_frames));
        q.keep_frames = it.intern(q, first.str(first.keep_frames));
        q.time_nanos = time;
        q.duration_nanos = duration;
        q.period_type = ValueType {
            kind: it.intern(q, first.str(first.period_type.kind)),
            unit: it.intern(q, first.str(first.period_type.unit)),
        };
        q.period = period;
        q.comments = comments.iter().map(|c| it.intern(q, c)).collect();
        q.default_sample_type = it.intern(q, &default_type);
        q.doc_url = it.intern(q, &doc);
    }
    for src in srcs {
        let mut m = SrcMaps {
            strs: vec![NONE; src.strings.len()],
            locs: vec![NONE; src.locations.len()],
            funcs: vec![NONE; src.functions.len()],
            maps: vec![None; src.mappings.len()],
        };
        if mg.p.mappings.is_empty() && !src.mappings.is_empty() {
            // The first mapping is the main binary: map it first.
            mg.map_mapping(&mut m, src, 0);
        }
        for s in &src.samples {
            if s.values.iter().any(|&v| v != 0) {
                mg.map_sample(&mut m, src, s);
            }
        }
    }
    let out = mg.p;
    if out.samples.iter().any(|s| s.values.iter().all(|&v| v == 0)) {
        // Garbage-collect the zero samples (and what only they used).
        return merge(std::slice::from_ref(&out));
    }
    Ok(out)
}

/// pprof's `Compact`: a merge of one profile (dedups samples/locations/functions/mappings, drops
/// unused ones and zero samples, renumbers ids).
pub fn compact(p: &Profile) -> R<Profile> {
    merge(std::slice::from_ref(p))
}

/// Sets the string label `key=value` on every sample (replacing that key's values), as pprof's
/// `SetLabel(key, []string{value})`.
pub fn set_label(p: &mut Profile, key: &str, value: &str) {
    let mut it = Interner::new(p);
    let k = it.intern(p, key);
    let v = it.intern(p, value);
    for s in &mut p.samples {
        let strings = &p.strings;
        s.labels.retain(|l| !(matches!(l.value, LabelValue::Str(_)) && strings[l.key as usize] == key));
        s.labels.push(Label { key: k, value: LabelValue::Str(v) });
    }
}
