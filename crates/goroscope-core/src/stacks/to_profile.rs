//! A goroutine dump as a pprof profile, so that every pprof report (DOT call graph, top,
//! traces, flame graph) also works on dumps: "where are the goroutines parked?".
//!
//! - Sample type `goroutine/count` (period type the same, period 1), as Go's own goroutine
//!   profile.
//! - One sample per group of goroutines with the same stack (functions, files and lines; pc
//!   offsets and arguments ignored), the same raw state and the same wait bucket; its value
//!   is the number of goroutines (debug=1 buckets count N each).
//! - String labels `state` (the raw state as printed, e.g. `chan receive`) and `wait` (a bucket
//!   of the printed minutes, see [`wait_bucket`]), so `-tags`, `-tagfocus=wait=…` and the
//!   graph's tag nodelets show them. debug=1 buckets print neither, so they have no labels.
//! - The goroutine's own pprof labels (Go ≥1.26 headers, debug=1 `# labels:`), as string
//!   labels with their key and value, so `-tagfocus=tenant=…`, `-tagshow`, `-tags` work on
//!   dumps as on Go's own goroutine profile; and `leaked=true` on goroutines the runtime marked
//!   ` (leaked)`. Goroutines that differ only in labels are separate samples, as in Go's.
//! - Functions are interned per (function, file), locations per (function, file, line); one
//!   mapping named after the dump, so the legend says `File: <dump>` (except for a debug=1
//!   goroutine profile, which pprof reads with an unnamed mapping).
//! - `created by` records and ancestors are not part of the stacks (Go's goroutine profile
//!   does not have them either).
//!
//! Alongside the profile, [`StacksProfile::hung`] names where hung goroutines are parked: for
//! every goroutine whose wait reaches `min_wait` minutes (same rule as `analyze`'s hung
//! groups), its first frame outside runtime/sync/internal (the leaf when all are), so that a
//! renderer can highlight those nodes.

use rustc_hash::FxHashMap;

use super::analyze::classify::is_runtime_func;
use super::model::{Dump, Form, Frame, Goroutine, Sym};
use crate::pprof::{Function, Label, LabelValue, Line, Location, Mapping, Profile, Sample, Str, ValueType};

/// Where hung goroutines are parked: one entry per function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HungFunction {
    /// The function name as in the profile (and in pprof's node tooltips).
    pub function: String,
    /// Hung goroutines parked in it.
    pub goroutines: u64,
    /// Their longest wait, in minutes.
    pub max_wait_minutes: u32,
}

/// A dump converted by [`to_profile`].
#[derive(Clone, Debug)]
pub struct StacksProfile {
    pub profile: Profile,
    /// Hung goroutines by parking function, most goroutines first (ties by name).
    pub hung: Vec<HungFunction>,
}

/// The `wait` label of a goroutine: Go prints whole minutes only from 1 minute on (and only
/// after a GC has noticed the wait), so an absent value reads `<1 minute`.
pub fn wait_bucket(minutes: Option<u32>) -> &'static str {
    match minutes {
        None | Some(0) => "<1 minute",
        Some(1..=4) => "1-4 minutes",
        Some(5..=14) => "5-14 minutes",
        Some(15..=59) => "15-59 minutes",
        Some(60..=239) => "1-4 hours",
        Some(240..=1439) => "4-24 hours",
        Some(_) => ">=1 day",
    }
}

/// What makes goroutines one sample: state, wait bucket, (key, value) labels, locations.
type SampleKey = (Str, &'static str, Vec<(Str, Str)>, Vec<u32>);

/// The profile being built, with the maps that intern into it.
struct Builder<'d> {
    dump: &'d Dump,
    p: Profile,
    strings: FxHashMap<String, Str>,
    /// Dump symbol → profile string, once per unique symbol.
    sym_str: Vec<Option<Str>>,
    functions: FxHashMap<(Sym, Sym), u32>,
    locations: FxHashMap<(Sym, Sym, u32), u32>,
    /// (state, wait bucket, labels, location indices) → sample index.
    samples: FxHashMap<SampleKey, usize>,
    state_key: Str,
    wait_key: Str,
    leaked_key: Str,
    true_value: Str,
    /// Parking function → (hung goroutines, longest wait).
    hung: FxHashMap<Sym, (u64, u32)>,
}

impl<'d> Builder<'d> {
    /// A profile with no samples yet: sample and period types, one mapping named `name`, the
    /// comment, the label keys.
    fn new(dump: &'d Dump, name: &str) -> Builder<'d> {
        let mut b = Builder {
            dump,
            p: Profile::default(),
            strings: FxHashMap::default(),
            sym_str: vec![None; dump.symbols.len()],
            functions: FxHashMap::default(),
            locations: FxHashMap::default(),
            samples: FxHashMap::default(),
            state_key: 0,
            wait_key: 0,
            leaked_key: 0,
            true_value: 0,
            hung: FxHashMap::default(),
        };
        let goroutine = b.intern("goroutine");
        let count = b.intern("count");
        b.p.sample_types = vec![ValueType { kind: goroutine, unit: count }];
        b.p.period_type = ValueType { kind: goroutine, unit: count };
        b.p.period = 1;
        let file = b.intern(name);
        b.p.mappings.push(Mapping {
            id: 1,
            filename: file,
            has_functions: true,
            has_filenames: true,
            has_line_numbers: true,
            ..Default::default()
        });
        let comment = b.intern("goroutine dump read by goroscope");
        b.p.comments.push(comment);
        b.state_key = b.intern("state");
        b.wait_key = b.intern("wait");
        b
    }

    /// The string labels of `g` beyond state and wait: its own labels, then `leaked=true`.
    fn own_labels(&mut self, g: &Goroutine) -> Vec<(Str, Str)> {
        let mut out = Vec::with_capacity(g.labels.len() + g.leaked as usize);
        for l in self.dump.labels_of(g) {
            let (k, v) = (self.str_of(l.key), self.str_of(l.value));
            out.push((k, v));
        }
        if g.leaked {
            if self.leaked_key == 0 {
                self.leaked_key = self.intern("leaked");
                self.true_value = self.intern("true");
            }
            out.push((self.leaked_key, self.true_value));
        }
        out
    }

    fn intern(&mut self, s: &str) -> Str {
        if s.is_empty() {
            return 0;
        }
        if let Some(&i) = self.strings.get(s) {
            return i;
        }
        let i = self.p.strings.len() as Str;
        self.p.strings.push(s.to_string());
        self.strings.insert(s.to_string(), i);
        i
    }

    fn str_of(&mut self, s: Sym) -> Str {
        if let Some(v) = self.sym_str[s as usize] {
            return v;
        }
        let v = self.intern(self.dump.sym(s));
        self.sym_str[s as usize] = Some(v);
        v
    }

    /// The location of a frame (function, file, line), added on first use.
    fn location(&mut self, f: &Frame) -> u32 {
        if let Some(&li) = self.locations.get(&(f.func, f.file, f.line)) {
            return li;
        }
        let fi = self.function(f);
        let li = self.p.locations.len() as u32;
        self.p.locations.push(Location {
            id: li as u64 + 1,
            mapping: Some(0),
            address: 0,
            lines: vec![Line { function: fi, line: f.line as i64, column: 0 }],
            is_folded: false,
        });
        self.locations.insert((f.func, f.file, f.line), li);
        li
    }

    /// The function of a frame (function, file), added on first use.
    fn function(&mut self, f: &Frame) -> u32 {
        if let Some(&fi) = self.functions.get(&(f.func, f.file)) {
            return fi;
        }
        let name = self.str_of(f.func);
        let filename = self.str_of(f.file);
        let fi = self.p.functions.len() as u32;
        self.p.functions.push(Function { id: fi as u64 + 1, name, system_name: name, filename, start_line: 0 });
        self.functions.insert((f.func, f.file), fi);
        fi
    }

    /// Count goroutine `g` (stack `locs`) in the sample of its stack, state and wait bucket.
    fn add(&mut self, g: &Goroutine, locs: Vec<u32>) {
        let state = self.str_of(g.state);
        let wait = wait_bucket(g.wait_minutes);
        let own = self.own_labels(g);
        let key = (state, wait, own, locs);
        match self.samples.get(&key) {
            Some(&si) => self.p.samples[si].values[0] += g.count as i64,
            None => {
                let (_, _, own, locs) = &key;
                let mut labels = Vec::with_capacity(2 + own.len());
                if state != 0 {
                    labels.push(Label { key: self.state_key, value: LabelValue::Str(state) });
                }
                if g.form == Form::Full {
                    let w = self.intern(wait);
                    labels.push(Label { key: self.wait_key, value: LabelValue::Str(w) });
                }
                labels.extend(own.iter().map(|&(key, v)| Label { key, value: LabelValue::Str(v) }));
                let sample = Sample { locations: locs.clone(), values: vec![g.count as i64], labels };
                self.samples.insert(key, self.p.samples.len());
                self.p.samples.push(sample);
            }
        }
    }

    /// Count `g` where it is parked when its wait reaches `min_wait` minutes.
    fn note_hung(&mut self, g: &Goroutine, frames: &[Frame], min_wait: u32) {
        if let Some(w) = g.wait_minutes.filter(|&w| w >= min_wait) {
            let parked = frames.iter().find(|f| !is_runtime_func(self.dump.sym(f.func))).or(frames.first());
            if let Some(f) = parked {
                let e = self.hung.entry(f.func).or_insert((0, 0));
                e.0 += g.count as u64;
                e.1 = e.1.max(w);
            }
        }
    }

    fn finish(self) -> StacksProfile {
        let dump = self.dump;
        let mut hung: Vec<HungFunction> = self
            .hung
            .into_iter()
            .map(|(f, (n, w))| HungFunction { function: dump.sym(f).to_string(), goroutines: n, max_wait_minutes: w })
            .collect();
        hung.sort_by(|a, b| b.goroutines.cmp(&a.goroutines).then_with(|| a.function.cmp(&b.function)));
        StacksProfile { profile: self.p, hung }
    }
}

/// Convert `dump` (named `name` in the legend) to a pprof profile; `min_wait` chooses which
/// goroutines count as hung (0: every goroutine that printed minutes).
pub fn to_profile(dump: &Dump, name: &str, min_wait: u32) -> StacksProfile {
    // A debug=1 goroutine profile is one pprof reads itself, with a mapping of no name (its DOT
    // graph is "unnamed", its legend has no File: line): the same here.
    let debug1 = crate::sniff::sniff_prefix(&dump.source.bytes()[..dump.source.bytes().len().min(4096)], false).kind
        == crate::sniff::InputKind::GoroutineProfile;
    let mut b = Builder::new(dump, if debug1 { "" } else { name });
    for g in &dump.goroutines {
        let frames = dump.frames_of(g);
        let locs: Vec<u32> = frames.iter().map(|f| b.location(f)).collect();
        b.add(g, locs);
        b.note_hung(g, frames, min_wait);
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;
    use crate::stacks::parse;

    fn dump(text: &str) -> Dump {
        parse::parse(Source::from_bytes(text.as_bytes().to_vec(), "t").unwrap(), "t").unwrap()
    }

    const TEXT: &str = "goroutine 1 [chan receive, 12 minutes]:
main.wait(...)
\t/src/main.go:10
main.main()
\t/src/main.go:20 +0x1

goroutine 7 [chan receive, 3 minutes]:
main.wait(...)
\t/src/main.go:10
main.main()
\t/src/main.go:20 +0x2

goroutine 8 [chan receive, 14 minutes]:
main.wait(...)
\t/src/main.go:10
main.main()
\t/src/main.go:20 +0x2

goroutine 9 [sync.Mutex.Lock, 30 minutes]:
sync.runtime_SemacquireMutex(0x1?)
\t/go/src/runtime/sema.go:95 +0x25
sync.(*Mutex).Lock(...)
\t/go/src/sync/mutex.go:90
main.(*S).get(0x1)
\t/src/main.go:33 +0x10
created by main.start in goroutine 1
\t/src/main.go:40 +0x20

goroutine 10 [running]:
main.spin()
\t/src/main.go:50 +0x1
";

    #[test]
    fn groups_labels_and_hung() {
        let d = dump(TEXT);
        let sp = to_profile(&d, "dump.txt", 10);
        let p = &sp.profile;
        crate::pprof::check_valid(p).unwrap();
        assert_eq!(p.str(p.sample_types[0].kind), "goroutine");
        assert_eq!(p.str(p.sample_types[0].unit), "count");
        assert_eq!(p.str(p.mappings[0].filename), "dump.txt");
        // goroutines 1 and 8 share stack, state and bucket (5-14 minutes); 7 is 1-4 minutes
        assert_eq!(p.samples.len(), 4);
        let total: i64 = p.samples.iter().map(|s| s.values[0]).sum();
        assert_eq!(total, 5);
        let labels = |s: &Sample| -> Vec<(String, String)> {
            s.labels
                .iter()
                .map(|l| match l.value {
                    LabelValue::Str(v) => (p.str(l.key).to_string(), p.str(v).to_string()),
                    _ => unreachable!(),
                })
                .collect()
        };
        assert_eq!(p.samples[0].values, vec![2]);
        assert_eq!(
            labels(&p.samples[0]),
            vec![("state".into(), "chan receive".into()), ("wait".into(), "5-14 minutes".into())]
        );
        assert_eq!(labels(&p.samples[3])[1].1, "<1 minute");
        // leaf first, interned per function/file/line
        let names: Vec<&str> = p.samples[0]
            .locations
            .iter()
            .map(|&l| p.str(p.functions[p.locations[l as usize].lines[0].function as usize].name))
            .collect();
        assert_eq!(names, vec!["main.wait", "main.main"]);
        assert_eq!(p.samples[0].locations, p.samples[1].locations);
        assert_eq!(p.functions.len(), 6);
        // hung (>= 10 minutes): 1 and 8 parked in main.wait, 9 in main.(*S).get (past sync.*)
        assert_eq!(
            sp.hung,
            vec![
                HungFunction { function: "main.wait".into(), goroutines: 2, max_wait_minutes: 14 },
                HungFunction { function: "main.(*S).get".into(), goroutines: 1, max_wait_minutes: 30 },
            ]
        );
        assert_eq!(to_profile(&d, "d", 0).hung.iter().map(|h| h.goroutines).sum::<u64>(), 4);
        assert!(to_profile(&d, "d", 31).hung.is_empty());
    }

    #[test]
    fn encodes_and_decodes() {
        let d = dump(TEXT);
        let p = to_profile(&d, "dump.txt", 1).profile;
        let bytes = crate::pprof::encode::encode(&p);
        let back = crate::pprof::parse(&bytes, "x", &Default::default()).unwrap();
        assert_eq!(back.samples.len(), p.samples.len());
        assert_eq!(back.functions.len(), p.functions.len());
    }

    #[test]
    fn buckets() {
        assert_eq!(wait_bucket(None), "<1 minute");
        assert_eq!(wait_bucket(Some(4)), "1-4 minutes");
        assert_eq!(wait_bucket(Some(5)), "5-14 minutes");
        assert_eq!(wait_bucket(Some(59)), "15-59 minutes");
        assert_eq!(wait_bucket(Some(60)), "1-4 hours");
        assert_eq!(wait_bucket(Some(1440)), ">=1 day");
    }

    #[test]
    fn fixture_dump() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/dumps/go126-debug2-minutes.txt");
        let d = parse::parse(Source::open(std::path::Path::new(path)).unwrap(), "f").unwrap();
        let sp = to_profile(&d, "go126-debug2-minutes.txt", 1);
        crate::pprof::check_valid(&sp.profile).unwrap();
        let total: i64 = sp.profile.samples.iter().map(|s| s.values[0]).sum();
        assert_eq!(total as u64, d.total());
        assert!(!sp.hung.is_empty());
    }

    #[test]
    fn goroutine_labels_are_tag_labels() {
        let d = dump(
            "goroutine 1 [chan send (leaked)] {tenant: \"a b\"}:\nmain.f()\n\t/x.go:1 +0x1\n\n\
             goroutine 2 [chan send (leaked)] {tenant: \"a b\"}:\nmain.f()\n\t/x.go:1 +0x1\n\n\
             goroutine 3 [chan send] {tenant: c}:\nmain.f()\n\t/x.go:1 +0x1\n",
        );
        let p = to_profile(&d, "d", 1).profile;
        crate::pprof::check_valid(&p).unwrap();
        let tags = |s: &Sample| -> Vec<String> {
            s.labels
                .iter()
                .map(|l| match l.value {
                    LabelValue::Str(v) => format!("{}={}", p.str(l.key), p.str(v)),
                    _ => unreachable!(),
                })
                .collect()
        };
        let got: Vec<(i64, Vec<String>)> = p.samples.iter().map(|s| (s.values[0], tags(s))).collect();
        assert_eq!(
            got,
            vec![
                (2, vec!["state=chan send".into(), "wait=<1 minute".into(), "tenant=a b".into(), "leaked=true".into()]),
                (1, vec!["state=chan send".into(), "wait=<1 minute".into(), "tenant=c".into()]),
            ]
        );
    }
}
