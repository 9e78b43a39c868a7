//! Encodes a `Profile` as profile.proto bytes (optionally gzipped), keeping the profile's own
//! string table and ids so that `decode(encode(p)) == p`.

use std::io::Write;

use super::model::*;

struct Buf {
    b: Vec<u8>,
}

impl Buf {
    #[inline]
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.b.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.b.push(v as u8);
    }
    #[inline]
    fn key(&mut self, field: u32, wt: u8) {
        self.varint(((field as u64) << 3) | wt as u64);
    }
    #[inline]
    fn u64_opt(&mut self, field: u32, v: u64) {
        if v != 0 {
            self.key(field, 0);
            self.varint(v);
        }
    }
    #[inline]
    fn i64_opt(&mut self, field: u32, v: i64) {
        self.u64_opt(field, v as u64)
    }
    #[inline]
    fn bool_opt(&mut self, field: u32, v: bool) {
        self.u64_opt(field, v as u64)
    }
    fn packed(&mut self, field: u32, vs: impl Iterator<Item = u64> + Clone) {
        let mut n = 0usize;
        for v in vs.clone() {
            n += varint_len(v);
        }
        if n == 0 {
            return;
        }
        self.key(field, 2);
        self.varint(n as u64);
        for v in vs {
            self.varint(v);
        }
    }
    /// Writes `field` as a length-delimited message built by `f` into a scratch buffer.
    fn message(&mut self, field: u32, scratch: &mut Vec<u8>, f: impl FnOnce(&mut Buf)) {
        let mut inner = Buf { b: std::mem::take(scratch) };
        inner.b.clear();
        f(&mut inner);
        self.key(field, 2);
        self.varint(inner.b.len() as u64);
        self.b.extend_from_slice(&inner.b);
        *scratch = inner.b;
    }
}

#[inline]
fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

/// Uncompressed profile.proto bytes.
pub fn encode_uncompressed(p: &Profile) -> Vec<u8> {
    let mut b = Buf { b: Vec::with_capacity(64 * (p.samples.len() + p.locations.len() + p.strings.len() + 16)) };
    let mut scratch = Vec::new();
    let mut scratch2 = Vec::new();
    for st in &p.sample_types {
        b.message(1, &mut scratch, |m| {
            m.i64_opt(1, st.kind as i64);
            m.i64_opt(2, st.unit as i64);
        });
    }
    for s in &p.samples {
        b.message(2, &mut scratch, |m| {
            m.packed(1, s.locations.iter().map(|&l| p.locations[l as usize].id));
            m.packed(2, s.values.iter().map(|&v| v as u64));
            for l in &s.labels {
                m.message(3, &mut scratch2, |lm| {
                    lm.i64_opt(1, l.key as i64);
                    match l.value {
                        LabelValue::Str(v) => lm.i64_opt(2, v as i64),
                        LabelValue::Num { value, unit } => {
                            lm.i64_opt(3, value);
                            lm.i64_opt(4, unit as i64);
                        }
                    }
                });
            }
        });
    }
    for mp in &p.mappings {
        b.message(3, &mut scratch, |m| {
            m.u64_opt(1, mp.id);
            m.u64_opt(2, mp.memory_start);
            m.u64_opt(3, mp.memory_limit);
            m.u64_opt(4, mp.file_offset);
            m.i64_opt(5, mp.filename as i64);
            m.i64_opt(6, mp.build_id as i64);
            m.bool_opt(7, mp.has_functions);
            m.bool_opt(8, mp.has_filenames);
            m.bool_opt(9, mp.has_line_numbers);
            m.bool_opt(10, mp.has_inline_frames);
        });
    }
    for l in &p.locations {
        b.message(4, &mut scratch, |m| {
            m.u64_opt(1, l.id);
            m.u64_opt(2, l.mapping.map_or(0, |i| p.mappings[i as usize].id));
            m.u64_opt(3, l.address);
            for ln in &l.lines {
                m.message(4, &mut scratch2, |lm| {
                    lm.u64_opt(1, p.functions[ln.function as usize].id);
                    lm.i64_opt(2, ln.line);
                    lm.i64_opt(3, ln.column);
                });
            }
            m.bool_opt(5, l.is_folded);
        });
    }
    for f in &p.functions {
        b.message(5, &mut scratch, |m| {
            m.u64_opt(1, f.id);
            m.i64_opt(2, f.name as i64);
            m.i64_opt(3, f.system_name as i64);
            m.i64_opt(4, f.filename as i64);
            m.i64_opt(5, f.start_line);
        });
    }
    if p.strings.is_empty() {
        b.key(6, 2);
        b.varint(0);
    }
    for s in &p.strings {
        // the string's own bytes, valid UTF-8 or not (super::bytes)
        let s = super::bytes::to_bytes(s);
        b.key(6, 2);
        b.varint(s.len() as u64);
        b.b.extend_from_slice(&s);
    }
    b.i64_opt(7, p.drop_frames as i64);
    b.i64_opt(8, p.keep_frames as i64);
    b.i64_opt(9, p.time_nanos);
    b.i64_opt(10, p.duration_nanos);
    if p.period_type.kind != 0 || p.period_type.unit != 0 {
        b.message(11, &mut scratch, |m| {
            m.i64_opt(1, p.period_type.kind as i64);
            m.i64_opt(2, p.period_type.unit as i64);
        });
    }
    b.i64_opt(12, p.period);
    b.packed(13, p.comments.iter().map(|&c| c as u64));
    b.i64_opt(14, p.default_sample_type as i64);
    b.i64_opt(15, p.doc_url as i64);
    b.b
}

/// Gzipped profile.proto bytes (what `go tool pprof -proto` writes).
pub fn encode(p: &Profile) -> Vec<u8> {
    let raw = encode_uncompressed(p);
    let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(raw.len() / 4 + 64), flate2::Compression::fast());
    gz.write_all(&raw).expect("writing to a Vec cannot fail");
    gz.finish().expect("writing to a Vec cannot fail")
}
