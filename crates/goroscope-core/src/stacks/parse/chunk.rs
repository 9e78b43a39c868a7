//! Parallel parsing: the input is cut at goroutine headers, every chunk runs through its own
//! state machine (rayon), and the chunk results are stitched into exactly the sequential result.
//!
//! A cut is made only before a line that [`parse_header`] accepts in column 0, where the
//! sequential machine would also start a new block, so a chunk boundary behaves like a header
//! (`Parser::boundary`). Stitching remaps symbol ids to first-appearance ids of the whole input
//! and shifts frame/ancestor ranges and line numbers by what the earlier chunks hold.

use std::ops::Range;
use std::sync::Mutex;

use memchr::{memchr, memmem};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::header::parse_header;
use super::lines::trim_end;
use super::machine::parse_chunk;
use super::{LimitHit, Limits, Progress};
use crate::stacks::model::*;

/// Cut `input` into ranges of about `target` bytes, each (but the first) starting at a header
/// line in column 0.
fn split_chunks(input: &[u8], target: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0usize;
    if target < input.len() {
        let finder = memmem::Finder::new(b"\ngoroutine ");
        while input.len() - start > target {
            let mut from = start + target;
            let mut cut = None;
            while let Some(i) = finder.find(&input[from..]) {
                let c = from + i + 1;
                let le = memchr(b'\n', &input[c..]).map_or(input.len(), |j| c + j);
                if parse_header(trim_end(&input[c..le])).is_some() {
                    cut = Some(c);
                    break;
                }
                from = c;
            }
            match cut {
                Some(c) => {
                    out.push(start..c);
                    start = c;
                }
                None => break,
            }
        }
    }
    out.push(start..input.len());
    out
}

/// Parse `input` in chunks of about `target` bytes, in parallel when there is more than one;
/// `progress` hears of every chunk done.
pub(super) fn parse_chunks(
    input: &[u8],
    target: usize,
    limits: &Limits,
    progress: &(dyn Fn(Progress) + Sync),
) -> Vec<ChunkOut> {
    let total = input.len() as u64;
    let ranges = split_chunks(input, target);
    let n = ranges.len();
    if n == 1 {
        let out = parse_chunk(input, 0..input.len(), true, true, limits, 0);
        progress(Progress { done: total, total });
        return vec![out];
    }
    // Counted and reported under one lock, so `done` grows from call to call and ends at `total`.
    let done = Mutex::new(0u64);
    // Line numbers are chunk-local (shifted in `merge`), except inside warning texts, which
    // need each chunk's first line number up front. Every chunk but the last ends with `\n`.
    let mut bases: Vec<u64> =
        ranges.par_iter().map(|r| memchr::memchr_iter(b'\n', &input[r.clone()]).count() as u64).collect();
    let mut acc = 0;
    for b in bases.iter_mut() {
        (*b, acc) = (acc, acc + *b);
    }
    ranges
        .into_par_iter()
        .zip(bases)
        .enumerate()
        .map(|(i, (r, base))| {
            let len = (r.end - r.start) as u64;
            let out = parse_chunk(input, r, i == 0, i == n - 1, limits, base);
            let mut d = done.lock().unwrap_or_else(|e| e.into_inner());
            *d += len;
            progress(Progress { done: *d, total });
            out
        })
        .collect()
}

/// What the machine built from one chunk; ids, ranges and line numbers are chunk-local.
pub(super) struct ChunkOut {
    pub parts: Parts,
    /// The input span of every symbol, the key for remapping ids across chunks.
    pub raw: Vec<Span>,
    pub limit: Option<LimitHit>,
}

/// The parts of a [`Dump`] the parser builds (of one chunk, or stitched).
pub(super) struct Parts {
    pub texts: Vec<SymText>,
    pub goroutines: Vec<Goroutine>,
    pub frames: Vec<Frame>,
    pub ancestors: Vec<Ancestor>,
    pub labels: Vec<Label>,
    pub races: Vec<Race>,
    pub warnings: Vec<Warning>,
    pub truncated: bool,
    pub prelude: Option<Range<usize>>,
    pub lines: u64,
    pub saw_profile: bool,
}

/// Stitch the chunks, in input order, into one result.
pub(super) fn merge(input: &[u8], mut outs: Vec<ChunkOut>) -> Parts {
    if outs.len() == 1 {
        return outs.pop().unwrap().parts;
    }
    // Chunk 0 is kept in place (its symbol ids are already first-appearance ids); the others
    // are remapped and appended.
    let total_g: usize = outs.iter().map(|c| c.parts.goroutines.len()).sum();
    let total_f: usize = outs.iter().map(|c| c.parts.frames.len()).sum();
    let mut rest = outs.into_iter();
    let c0 = rest.next().unwrap();
    let mut map: FxHashMap<&[u8], Sym> = FxHashMap::default();
    for (i, r) in c0.raw.iter().enumerate().skip(1) {
        map.insert(&input[r.range()], i as Sym);
    }
    let mut m = c0.parts;
    m.goroutines.reserve(total_g - m.goroutines.len());
    m.frames.reserve(total_f - m.frames.len());
    for c in rest {
        append(&mut m, input, &mut map, c);
    }
    m
}

/// Append chunk `c` to `m`: its new symbols get the next ids (`map` holds the symbols so far,
/// keyed by their bytes), its ranges and line numbers are shifted past what `m` holds.
fn append<'a>(m: &mut Parts, input: &'a [u8], map: &mut FxHashMap<&'a [u8], Sym>, chunk: ChunkOut) {
    let ChunkOut { parts: c, raw, .. } = chunk;
    let mut remap: Vec<Sym> = Vec::with_capacity(c.texts.len());
    remap.push(Symbols::EMPTY);
    for (i, t) in c.texts.into_iter().enumerate().skip(1) {
        let key = &input[raw[i].range()];
        let texts = &mut m.texts;
        let id = *map.entry(key).or_insert_with(|| {
            texts.push(t);
            (texts.len() - 1) as Sym
        });
        remap.push(id);
    }
    let rs = |s: Sym| remap[s as usize];
    let rcb = |cb: Option<CreatedBy>| cb.map(|cb| CreatedBy { func: rs(cb.func), file: rs(cb.file), ..cb });
    let fb = m.frames.len() as u32;
    let ab = m.ancestors.len() as u32;
    let lab = m.labels.len() as u32;
    let lb = m.lines;
    m.labels.extend(c.labels.into_iter().map(|l| Label { key: rs(l.key), value: rs(l.value) }));
    m.frames.extend(c.frames.into_iter().map(|f| Frame { func: rs(f.func), file: rs(f.file), ..f }));
    m.ancestors.extend(c.ancestors.into_iter().map(|a| Ancestor {
        id: a.id,
        frames: a.frames.start + fb..a.frames.end + fb,
        created_by: rcb(a.created_by),
    }));
    m.goroutines.extend(c.goroutines.into_iter().map(|g| Goroutine {
        state: rs(g.state),
        frames: g.frames.start + fb..g.frames.end + fb,
        ancestors: g.ancestors.start + ab..g.ancestors.end + ab,
        labels: g.labels.start + lab..g.labels.end + lab,
        created_by: rcb(g.created_by),
        line: g.line + lb,
        ..g
    }));
    let rr = |r: Range<u32>| r.start + fb..r.end + fb;
    m.races.extend(c.races.into_iter().map(|r| Race {
        line: r.line + lb,
        accesses: r.accesses.into_iter().map(|a| RaceAccess { kind: rs(a.kind), frames: rr(a.frames), ..a }).collect(),
        created: r.created.into_iter().map(|c| RaceCreation { state: rs(c.state), frames: rr(c.frames), ..c }).collect(),
        truncated: r.truncated,
    }));
    m.warnings.extend(c.warnings.into_iter().map(|w| Warning { line: w.line + lb, ..w }));
    m.truncated |= c.truncated;
    m.lines += c.lines;
    m.saw_profile |= c.saw_profile;
}
