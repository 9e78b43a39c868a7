//! google/pprof conformance: every text-report row of the shared corpus's `conformance.tsv`
//! (inputs and pprof's own golden outputs) run through our pipeline and compared byte for byte.
//!
//! `conformance-gaps.tsv` lists the rows we do not match yet (`id<TAB>reason`). A row whose reason
//! starts with `out-of-scope:` is not run (other report families, other layers). Every other row
//! is run: it must match unless listed, and a listed row that now matches fails the test too, so
//! the list stays honest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use goroscope_core::pprof::{self, Limits};
use goroscope_core::report::{self, Command};

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
    let mut args: Vec<String> = row
        .args
        .split_whitespace()
        .filter(|a| !a.starts_with("(TZ="))
        .map(String::from)
        .collect();
    args.push(row.input.clone());
    let (opts, pos) = report::parse_args(&args).map_err(|e| format!("flags: {e}"))?;
    let mut profiles = Vec::new();
    for src in &pos {
        let data = std::fs::read(corpus(src)).map_err(|e| format!("{src}: {e}"))?;
        profiles.push(pprof::parse(&data, src, &Limits::default()).map_err(|e| format!("parse {src}: {e}"))?);
    }
    let out = report::run(profiles, None, &opts).map_err(|e| format!("report: {e}"))?;
    Ok(out.text)
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
    let Ok((o, _)) = report::parse_args(
        &row.args.split_whitespace().filter(|a| !a.starts_with("(TZ=")).map(String::from).collect::<Vec<_>>(),
    ) else {
        return false;
    };
    !matches!(o.command, None | Some(Command::Other(..)))
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
        let runnable = matches!(row.kind.as_str(), "driver" | "reference-2022") && is_text_report(row);
        if !runnable {
            failures.push(format!("{}: not a text report; list it in the gaps file as out-of-scope", row.id));
            continue;
        }
        let want = std::fs::read(corpus(&row.expected)).unwrap_or_else(|e| panic!("{}: {e}", row.expected));
        let want = String::from_utf8_lossy(&want).into_owned();
        let result = run_row(row);
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
