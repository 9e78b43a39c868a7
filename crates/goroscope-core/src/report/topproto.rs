//! `-topproto` (pprof `printTopProto`): the nodes of the trimmed graph as a new profile, one
//! sample per node holding its `cum` and `flat` values (in the output unit), one location and
//! function per node; written as gzipped profile.proto.

use std::collections::HashMap;

use super::{Report, ReportData};
use crate::measurement;
use crate::pprof::{Function, Line, Location, Profile, Sample, Str, ValueType};

pub(crate) fn print_top_proto(c: &mut Report) -> (String, Vec<String>, ReportData) {
    let t = c.trimmed_graph(false);
    let g = &t.graph;
    c.select_output_unit(g, false);
    let (o, p) = (&c.options, &c.prof);
    let mut out = Profile {
        time_nanos: p.time_nanos,
        duration_nanos: p.duration_nanos,
        period: p.period,
        ..Profile::default()
    };
    let mut strings = Strings::default();
    let unit = strings.id(&mut out, &o.output_unit);
    let (cum, flat) = (strings.id(&mut out, "cum"), strings.id(&mut out, "flat"));
    out.sample_types = vec![ValueType { kind: cum, unit }, ValueType { kind: flat, unit }];
    out.period_type = ValueType {
        kind: strings.id(&mut out, p.str(p.period_type.kind)),
        unit: strings.id(&mut out, p.str(p.period_type.unit)),
    };
    // One function per (name, system name, file, start line), as pprof's `functionMap`.
    let mut functions: HashMap<(u32, u32, u32, i64), u32> = HashMap::new();
    for (i, &n) in g.nodes.iter().enumerate() {
        let info = *g.info(n);
        let key = (info.name, info.orig_name, info.file, info.start_line);
        let function = match functions.get(&key) {
            Some(&f) => f,
            None => {
                let f = Function {
                    id: out.functions.len() as u64 + 1,
                    name: strings.id(&mut out, g.table.str(info.name)),
                    system_name: strings.id(&mut out, g.table.str(info.orig_name)),
                    filename: strings.id(&mut out, g.table.str(info.file)),
                    start_line: info.start_line,
                };
                out.functions.push(f);
                let f = (out.functions.len() - 1) as u32;
                functions.insert(key, f);
                f
            }
        };
        out.locations.push(Location {
            id: i as u64 + 1,
            mapping: None,
            address: info.address,
            lines: vec![Line { function, line: info.lineno, column: info.columnno }],
            is_folded: false,
        });
        let node = g.node(n);
        let scale = |v: i64| measurement::scale(v, &o.sample_unit, &o.output_unit).0 as i64;
        out.samples.push(Sample {
            locations: vec![i as u32],
            values: vec![scale(node.cum_value()), scale(node.flat_value())],
            labels: Vec::new(),
        });
    }
    (String::new(), Vec::new(), ReportData::TopProto(crate::pprof::encode::encode(&out)))
}

/// The new profile's string table.
#[derive(Default)]
struct Strings(HashMap<String, Str>);

impl Strings {
    fn id(&mut self, p: &mut Profile, s: &str) -> Str {
        if s.is_empty() {
            return 0;
        }
        *self.0.entry(s.to_string()).or_insert_with(|| {
            p.strings.push(s.to_string());
            (p.strings.len() - 1) as Str
        })
    }
}
