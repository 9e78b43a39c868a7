//! Hand-built dumps for unit tests (independent of the parser).

use rustc_hash::FxHashMap;

use crate::source::Source;
use crate::stacks::model::*;

#[derive(Default)]
pub(crate) struct Builder {
    src: Vec<u8>,
    syms: Symbols,
    map: FxHashMap<String, Sym>,
    gs: Vec<Goroutine>,
    frames: Vec<Frame>,
    labels: Vec<Label>,
}

impl Builder {
    fn sym(&mut self, s: &str) -> Sym {
        if s.is_empty() {
            return Symbols::EMPTY;
        }
        if let Some(&x) = self.map.get(s) {
            return x;
        }
        let x = self.syms.texts.len() as Sym;
        self.syms.texts.push(SymText::Owned(s.into()));
        self.map.insert(s.to_string(), x);
        x
    }

    /// A debug=2 goroutine; frames are `(function, args, line)`, files are `<function>.go`.
    pub fn g(&mut self, id: u64, state: &str, minutes: Option<u32>, frames: &[(&str, &str, u32)]) -> &mut Self {
        let st = self.sym(state);
        self.push(id, 1, Form::Full, st, minutes, frames)
    }

    /// A debug=1 bucket of `count` goroutines.
    pub fn agg(&mut self, count: u32, frames: &[(&str, u32)]) -> &mut Self {
        let fr: Vec<(&str, &str, u32)> = frames.iter().map(|&(f, l)| (f, "", l)).collect();
        self.push(0, count, Form::Aggregated, Symbols::EMPTY, None, &fr)
    }

    fn push(
        &mut self,
        id: u64,
        count: u32,
        form: Form,
        state: Sym,
        minutes: Option<u32>,
        frames: &[(&str, &str, u32)],
    ) -> &mut Self {
        let start = self.frames.len() as u32;
        for &(f, a, line) in frames {
            let func = self.sym(f);
            let file = self.sym(&format!("{}.go", f.split('.').next().unwrap_or(f)));
            let args = Span {
                start: self.src.len() as u64,
                len: a.len() as u32,
            };
            self.src.extend_from_slice(a.as_bytes());
            self.frames.push(Frame {
                func,
                file,
                line,
                pc_offset: Some(0x10),
                args,
                inlined: a == "...",
            });
        }
        let end = self.frames.len() as u32;
        self.gs.push(Goroutine {
            id,
            count,
            form,
            state,
            leaked: false,
            durable: false,
            bubble: None,
            labels: self.labels.len() as u32..self.labels.len() as u32,
            wait_minutes: minutes,
            locked_to_thread: false,
            scan: false,
            gp: None,
            m: None,
            mp: None,
            frames: start..end,
            elided: Elision::None,
            created_by: None,
            ancestors: 0..0,
            stack_unavailable: false,
            truncated: false,
            line: 0,
        });
        self
    }

    /// Give the last goroutine these labels.
    pub fn labels(&mut self, pairs: &[(&str, &str)]) -> &mut Self {
        for &(k, v) in pairs {
            let (key, value) = (self.sym(k), self.sym(v));
            self.labels.push(Label { key, value });
        }
        let end = self.labels.len() as u32;
        if let Some(g) = self.gs.last_mut() {
            g.labels.end = end;
        }
        self
    }

    /// Mark the last goroutine ` (leaked)`.
    pub fn leaked(&mut self) -> &mut Self {
        if let Some(g) = self.gs.last_mut() {
            g.leaked = true;
        }
        self
    }

    pub fn build(&mut self) -> Dump {
        let b = std::mem::take(self);
        Dump {
            source: Source::Owned(b.src),
            symbols: b.syms,
            goroutines: b.gs,
            frames: b.frames,
            ancestors: Vec::new(),
            labels: b.labels,
            races: Vec::new(),
            warnings: Vec::new(),
            truncated: false,
            prelude: None,
            panic: PanicFlags::default(),
            lines: 0,
        }
    }
}
