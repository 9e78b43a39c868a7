//! Interning of functions, files and states: one entry per unique string, stored as a span of
//! the input (or, when the bytes are not UTF-8, as owned lossy text).
//!
//! Each chunk interns on its own (ids by first appearance in the chunk); `chunk::merge` remaps
//! the ids of later chunks through the `raw` spans, so the merged ids are first-appearance ids
//! of the whole input, exactly as a sequential parse gives them.

use std::ops::Range;

use rustc_hash::FxHashMap;

use crate::stacks::model::{Span, Sym, SymText, Symbols};

pub(super) struct Interner<'a> {
    map: FxHashMap<&'a [u8], Sym>,
    /// The file last seen after each function (by function id): a location line usually names
    /// the same file as the previous one of its function, checked by comparing bytes, not hashing.
    file_of: Vec<Sym>,
    pub texts: Vec<SymText>,
    /// The input span of every symbol (its key), for remapping at merge time.
    pub raw: Vec<Span>,
}

impl<'a> Interner<'a> {
    pub fn new() -> Self {
        Interner { map: FxHashMap::default(), file_of: Vec::new(), texts: vec![SymText::Owned("".into())], raw: vec![Span::EMPTY] }
    }

    #[inline]
    pub fn intern(&mut self, input: &'a [u8], r: Range<usize>) -> Sym {
        if r.start >= r.end {
            return Symbols::EMPTY;
        }
        let b = &input[r.clone()];
        if let Some(&s) = self.map.get(b) {
            return s;
        }
        let id = self.texts.len() as Sym;
        let sp = span(r);
        self.texts.push(match std::str::from_utf8(b) {
            Ok(_) => SymText::Input(sp),
            Err(_) => SymText::Owned(String::from_utf8_lossy(b).into()),
        });
        self.raw.push(sp);
        self.map.insert(b, id);
        id
    }

    /// Intern the file `r` of a location line after a call of `func`: the file that followed
    /// `func` last time when the bytes are the same, else [`Interner::intern`].
    #[inline]
    pub fn intern_file(&mut self, input: &'a [u8], r: Range<usize>, func: Sym) -> Sym {
        let f = func as usize;
        if let Some(&prev) = self.file_of.get(f) {
            if prev != Symbols::EMPTY && input[self.raw[prev as usize].range()] == input[r.clone()] {
                return prev;
            }
        }
        let id = self.intern(input, r);
        if f >= self.file_of.len() {
            self.file_of.resize(f + 1, Symbols::EMPTY);
        }
        self.file_of[f] = id;
        id
    }

    /// Intern text that is not verbatim in the input (an unescaped label), keyed by the input
    /// bytes `r` it was read from: `make` runs once per unique spelling.
    /// Through `entry`, not `get`: a second caller of `get` makes LLVM outline it from the hot
    /// [`Interner::intern`] (+7% instructions per parse, measured with callgrind).
    #[inline(never)]
    pub fn intern_with(&mut self, input: &'a [u8], r: Range<usize>, make: impl FnOnce() -> SymText) -> Sym {
        let next = self.texts.len() as Sym;
        let id = *self.map.entry(&input[r.clone()]).or_insert(next);
        if id == next {
            self.texts.push(make());
            self.raw.push(span(r));
        }
        id
    }
}

/// The span of the input range `r` (a length beyond `u32` saturates).
#[inline]
pub(super) fn span(r: Range<usize>) -> Span {
    Span { start: r.start as u64, len: u32::try_from(r.end - r.start).unwrap_or(u32::MAX) }
}
