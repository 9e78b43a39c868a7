//! google/pprof conformance: every text and DOT report row of the shared corpus's `conformance.tsv`
//! (inputs and pprof's own golden outputs) run through our pipeline and compared byte for byte.
//!
//! `conformance-gaps.tsv` lists the rows we do not match yet (`id<TAB>reason`). A row whose reason
//! starts with `out-of-scope:` is not run (other report families, other layers). Every other row
//! is run: it must match unless listed, and a listed row that now matches fails the test too, so
//! the list stays honest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use goroscope_core::graph::{
    self, DotAttributes, DotConfig, DotNodeAttributes, Edge, Graph, Node, NodeInfo, NodeTable, Tag,
};
use goroscope_core::pprof::Limits;
use goroscope_core::driver::{self, Command, Source};
use goroscope_core::report::{self, Format};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/google-pprof");
const GAPS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance-gaps.tsv");

struct Row {
    id: String,
    kind: String,
    input: String,
    args: String,
    expected: String,
}

fn rows() -> Vec<Row> {
    let tsv = std::fs::read_to_string(Path::new(CORPUS).join("conformance.tsv"))
        .unwrap_or_else(|e| panic!("conformance.tsv not found under {CORPUS}: {e}"));
    tsv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            Row {
                id: c[0].into(),
                kind: c[1].into(),
                input: c[3].into(),
                args: c[4].into(),
                expected: c[5].into(),
            }
        })
        .collect()
}

fn gaps() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(GAPS).expect("conformance-gaps.tsv");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (id, reason) = l.split_once('\t').unwrap_or_else(|| panic!("bad gaps line {l:?}"));
            (id.to_string(), reason.to_string())
        })
        .collect()
}

fn corpus(rel: &str) -> PathBuf {
    Path::new(CORPUS).join(rel)
}

/// Runs one row: parse the input, parse the flags, produce the report.
fn run_row(row: &Row) -> Result<String, String> {
    // pprof's driver tests symbolize with a mock that neither symbolizes nor demangles.
    let mut args: Vec<String> = std::iter::once("-symbolize=none".to_string()).chain(row
        .args
        .split_whitespace()
        .filter(|a| !a.starts_with("(TZ="))
        .map(String::from))
        .collect();
    args.push(row.input.clone());
    let mut inv = driver::parse_command_line(&args).map_err(|e| format!("flags: {e}"))?;
    // The rows name their inputs relative to the corpus.
    inv.fetch.sources = inv.fetch.sources.iter().map(|s| Source::Path(corpus(&s.name()))).collect();
    let out = driver::run(inv).map_err(|e| format!("report: {e}"))?;
    Ok(out.text)
}

/// A binary profile.proto as `-raw` text: the stage-1 rows (`-topproto`) compare profiles, not
/// gzip bytes.
fn decoded(bytes: &[u8]) -> String {
    match goroscope_core::pprof::parse(bytes, "", &Limits::default()) {
        Ok(p) => goroscope_core::pprof::raw::to_string(&p),
        Err(e) => format!("undecodable: {e}"),
    }
}

/// `driver-stage1` rows: a binary report (`-topproto`), decoded.
fn stage1_row(row: &Row) -> Result<String, String> {
    let mut args: Vec<String> = row.args.split_whitespace().map(String::from).collect();
    args.push(row.input.clone());
    let mut inv = driver::parse_command_line(&args).map_err(|e| format!("flags: {e}"))?;
    inv.fetch.sources = inv.fetch.sources.iter().map(|s| Source::Path(corpus(&s.name()))).collect();
    match driver::run(inv).map_err(|e| format!("report: {e}"))?.data {
        report::ReportData::TopProto(b) => Ok(decoded(&b)),
        other => Err(format!("not a topproto report: {other:?}")),
    }
}

/// `dot-compose` rows: pprof's `dotgraph_test.go` graphs, built in memory and drawn with
/// `ComposeDot` (base graph `src` (flat 10, cum 25) -> 10 -> `dest` (flat 15, cum 25), title
/// `testtitle`, three legend labels, total 100, values as plain integers).
fn compose_row(id: &str) -> Result<String, String> {
    let (mut src_name, mut dest_name) = ("src", "dest");
    if id == "G7" {
        (src_name, dest_name) = ("var\"src\"", "var\"#dest#\"");
    }
    let mut table = NodeTable::empty();
    let mut info = |name: &str| {
        let n = table.intern(name);
        table.intern_info(NodeInfo { name: n, ..Default::default() })
    };
    let (si, di) = (info(src_name), info(dest_name));
    let mut g = Graph {
        table: std::sync::Arc::new(table),
        arena: vec![
            Node { info: si, flat: 10, cum: 25, out_edges: vec![0], ..Default::default() },
            Node { info: di, flat: 15, cum: 25, in_edges: vec![0], ..Default::default() },
        ],
        edges: vec![Edge { src: 0, dest: 1, weight: 10, ..Default::default() }],
        nodes: vec![0, 1],
    };
    let tag = |name: &str, unit: &str, v: i64| Tag { name: name.into(), unit: unit.into(), flat: v, cum: v, ..Default::default() };
    let mut attrs = DotAttributes::default();
    let mut labels: Vec<String> = vec!["label1".into(), "label2".into(), "label3: \"foo\"".into()];
    let mut legend_url = String::new();
    match id {
        "G1" | "G7" => {}
        "G2" => {
            attrs.nodes.insert(
                0,
                DotNodeAttributes {
                    shape: "folder".into(),
                    bold: true,
                    peripheries: 2,
                    url: "www.google.com".into(),
                    formatter: Some(Box::new(|t: &NodeTable, i: &NodeInfo| t.str(i.name).to_uppercase())),
                },
            );
            g.arena[1].flat = 0;
        }
        "G3" => {
            g.arena[0].label_tags.insert("tag1".into(), tag("tag1", "", 10));
            g.arena[0].numeric_tags.insert(String::new(), [("tag2".to_string(), tag("tag2", "ms", 20))].into());
            g.edges[0].residual = true;
        }
        "G4" => g.nodes.clear(),
        "G5" => {
            g.arena[0].label_tags.insert("tag1".into(), tag("tag1", "", 10));
            g.arena[0].numeric_tags.insert("tag1".into(), [("tag2".to_string(), tag("tag2", "ms", 20))].into());
        }
        "G6" => legend_url = "http://example.com".into(),
        "G9" => {
            labels = vec![
                "comment line 1\ncomment line 2 \"unterminated double quote".into(),
                "second comment \"double quote\"".into(),
            ]
        }
        _ => return Err(format!("{id}: unknown dot-compose row")),
    }
    let fv = |v: i64| v.to_string();
    let c = DotConfig { title: "testtitle".into(), legend_url, labels, format_value: &fv, total: 100 };
    Ok(graph::compose_dot(&g, &attrs, &c))
}

/// `report-library` rows we reproduce through [`report::generate`] (pprof's report library).
fn library_row(row: &Row) -> Result<String, String> {
    let p = Source::Path(corpus(&row.input)).load(&Limits::default()).map_err(|e| format!("load: {e}"))?;
    let p = std::sync::Arc::unwrap_or_clone(p);
    let mut o = match row.id.as_str() {
        // TestSource: OutputFormat=Dot CallTree=true SampleValue=v[1] SampleUnit=cycles
        // TrimPath=/some/path, no trimming, no aggregation.
        "R02" => {
            let mut o = report::Options::new(Format::Dot);
            o.call_tree = true;
            o.sample_unit = "cycles".into();
            o
        }
        // TestSource's listing: OutputFormat=List Symbol=. SampleValue=v[1], the unit of
        // sample type 1, TrimPath=/some/path, run in internal/report (which holds
        // testdata/source1 and source2: here the search path instead of the cwd).
        "R01" => {
            let mut o = report::Options::new(Format::List);
            o.symbol = Some(regex::Regex::new(".").unwrap());
            o.sample_unit = p.str(p.sample_types[1].unit).to_string();
            o.source_path = corpus("internal/report").display().to_string();
            o
        }
        id => return Err(format!("{id}: library row not reproduced")),
    };
    o.sample_index = 1;
    o.trim_path = "/some/path".into();
    report::generate(report::Report::new(p, o)).map(|r| r.text).map_err(|e| format!("report: {e}"))
}

/// The first differing line, for failure messages.
fn first_diff(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.split('\n').collect(), got.split('\n').collect());
    for i in 0..w.len().max(g.len()) {
        let (a, b) = (w.get(i), g.get(i));
        if a != b {
            return format!("line {}:\n  want {:?}\n  got  {:?}", i + 1, a, b);
        }
    }
    "identical lines (trailing bytes differ)".into()
}

/// Text-family commands this crate produces.
fn is_text_report(row: &Row) -> bool {
    let Ok(inv) = driver::parse_command_line(
        &row.args.split_whitespace().filter(|a| !a.starts_with("(TZ=")).map(String::from).collect::<Vec<_>>(),
    ) else {
        return false;
    };
    !matches!(inv.command, None | Some(Command::Other(..)))
}

#[test]
fn conformance_text_reports() {
    let rows = rows();
    let gaps = gaps();
    assert!(rows.len() >= 80, "expected the full conformance table, got {} rows", rows.len());
    for id in gaps.keys() {
        assert!(rows.iter().any(|r| &r.id == id), "gaps file lists unknown row {id}");
    }
    let (mut passed, mut gapped, mut skipped) = (Vec::new(), Vec::new(), Vec::new());
    let mut failures = Vec::new();
    for row in &rows {
        let gap = gaps.get(&row.id);
        if gap.is_some_and(|r| r.starts_with("out-of-scope:")) {
            skipped.push(row.id.clone());
            continue;
        }
        let result = match row.kind.as_str() {
            "driver" | "reference-2022" if is_text_report(row) => run_row(row),
            "dot-compose" => compose_row(&row.id),
            "report-library" | "report-list" => library_row(row),
            "driver-stage1" => stage1_row(row),
            _ => {
                failures.push(format!("{}: not a text report; list it in the gaps file as out-of-scope", row.id));
                continue;
            }
        };
        let want = std::fs::read(corpus(&row.expected)).unwrap_or_else(|e| panic!("{}: {e}", row.expected));
        let want = if row.kind == "driver-stage1" { decoded(&want) } else { String::from_utf8_lossy(&want).into_owned() };
        let ok = matches!(&result, Ok(got) if *got == want);
        match (ok, gap) {
            (true, None) => passed.push(row.id.clone()),
            (true, Some(_)) => failures.push(format!("{}: listed as a gap but now matches; remove it", row.id)),
            (false, Some(_)) => gapped.push(row.id.clone()),
            (false, None) => failures.push(match result {
                Ok(got) => format!("{} ({}): output differs, {}", row.id, row.expected, first_diff(&want, &got)),
                Err(e) => format!("{} ({}): {e}", row.id, row.expected),
            }),
        }
    }
    eprintln!(
        "conformance: {} passed, {} known gaps {:?}, {} out of scope",
        passed.len(),
        gapped.len(),
        gapped,
        skipped.len()
    );
    assert!(failures.is_empty(), "{} conformance failures:\n{}", failures.len(), failures.join("\n"));
}
