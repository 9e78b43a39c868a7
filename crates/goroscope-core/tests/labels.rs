//! Labels and runtime-proven leaks: the parser on real Go 1.26.8 and 1.27.3 output
//! (`fixtures/labels`, made by its `capture.sh`) and on hostile label sets.

use std::collections::BTreeMap;
use std::path::Path;

use goroscope_core::source::Source;
use goroscope_core::stacks::parse::{parse, parse_chunked};
use goroscope_core::stacks::{Dump, Form, Goroutine};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/labels");

fn load(name: &str) -> Dump {
    let p = Path::new(FIXTURES).join(name);
    let src = Source::open(&p).unwrap_or_else(|e| panic!("{e}"));
    parse(src, name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn text(s: &str) -> Dump {
    parse(Source::Owned(s.as_bytes().to_vec()), "t").expect("parse")
}

fn labels(d: &Dump, g: &Goroutine) -> BTreeMap<String, String> {
    d.labels_of(g).iter().map(|l| (d.sym(l.key).to_string(), d.sym(l.value).to_string())).collect()
}

/// One group of `facts.json`: (function, state, count, leaked, labels).
type FactGroup = (String, String, u64, bool, BTreeMap<String, String>);

/// The facts of `fixtures/labels/facts.json`: goroutines, groups, leaked goroutines.
fn facts() -> (u64, Vec<FactGroup>, u64) {
    let v: Value = serde_json::from_slice(&std::fs::read(Path::new(FIXTURES).join("facts.json")).unwrap()).unwrap();
    let groups = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let labels = g["labels"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()));
            (
                g["function"].as_str().unwrap().to_string(),
                g["state"].as_str().unwrap().to_string(),
                g["count"].as_u64().unwrap(),
                g["leaked"].as_bool().unwrap(),
                labels.collect(),
            )
        })
        .collect();
    (v["goroutines"].as_u64().unwrap(), groups, v["leaked"].as_u64().unwrap())
}

/// The innermost `main.` frame of `g`.
fn main_frame(d: &Dump, g: &Goroutine) -> String {
    d.frames_of(g).iter().map(|f| d.sym(f.func)).find(|f| f.starts_with("main.")).unwrap_or("").to_string()
}

/// Every fact group is found with its count, state, labels and (in the leak profile) leak flag.
fn check_full(name: &str, leak_profile: bool) {
    let d = load(name);
    assert!(d.warnings.is_empty(), "{name}: {:?}", d.warnings);
    let (total, groups, leaked) = facts();
    assert_eq!(d.total(), total, "{name}");
    for (func, state, count, is_leaked, want) in &groups {
        let gs: Vec<&Goroutine> = d.goroutines.iter().filter(|g| &main_frame(&d, g) == func).collect();
        assert_eq!(gs.len() as u64, *count, "{name}: {func}");
        for g in gs {
            assert_eq!(d.sym(g.state), state, "{name}: {func}");
            assert_eq!(&labels(&d, g), want, "{name}: {func}");
            assert_eq!(g.leaked, leak_profile && *is_leaked, "{name}: {func}");
            assert!(!g.truncated && !d.frames_of(g).is_empty(), "{name}: {func}");
        }
    }
    let n_leaked = d.goroutines.iter().filter(|g| g.leaked).count() as u64;
    assert_eq!(n_leaked, if leak_profile { leaked } else { 0 }, "{name}");
}

#[test]
fn go127_headers() {
    check_full("go127-goroutine-debug2.txt", false);
    check_full("go127-leak-debug2.txt", true);
}

#[test]
fn go126_headers() {
    check_full("go126-goroutine-debug2.txt", false);
    check_full("go126-leak-debug2.txt", true);
}

#[test]
fn debug1_buckets_keep_labels() {
    let (total, groups, leaked) = facts();
    for v in ["go126", "go127"] {
        for (file, leak) in [("goroutine-debug1", false), ("leak-debug1", true)] {
            let name = format!("{v}-{file}.txt");
            let d = load(&name);
            assert!(d.warnings.is_empty(), "{name}: {:?}", d.warnings);
            assert!(d.goroutines.iter().all(|g| g.form == Form::Aggregated && g.leaked == leak), "{name}");
            assert_eq!(d.total(), if leak { leaked } else { total }, "{name}");
            for (func, _, count, is_leaked, want) in &groups {
                if leak && !is_leaked {
                    continue;
                }
                let b = d.goroutines.iter().find(|g| &main_frame(&d, g) == func).unwrap_or_else(|| panic!("{name}: {func}"));
                assert_eq!((b.count as u64, &labels(&d, b)), (*count, want), "{name}: {func}");
            }
        }
    }
}

#[test]
fn chunked_parse_keeps_labels() {
    let whole = load("go127-leak-debug2.txt");
    let src = std::fs::read(Path::new(FIXTURES).join("go127-leak-debug2.txt")).unwrap();
    let parts = parse_chunked(Source::Owned(src), "t", 200).unwrap();
    assert_eq!(parts.goroutines.len(), whole.goroutines.len());
    for (a, b) in whole.goroutines.iter().zip(&parts.goroutines) {
        assert_eq!(labels(&whole, a), labels(&parts, b));
        assert_eq!(a.leaked, b.leaked);
    }
    // Unique keys and values are interned once: 9 goroutines, 5 label texts + 5 values.
    let label_syms: std::collections::BTreeSet<u32> = parts.labels.iter().flat_map(|l| [l.key, l.value]).collect();
    assert_eq!(label_syms.len(), 8, "tenant, a b, worker, holder, quote, x\"y,z}}, waiter, leaker");
}

const FRAME: &str = "main.f()\n\t/x.go:1 +0x1\n";

#[test]
fn malformed_label_sets_warn_and_keep_the_goroutine() {
    let cases = [
        ("goroutine 1 [chan receive] {tenant: \"a b", "unterminated quoted label text at column 37 (no closing `:`)"),
        ("goroutine 1 [chan receive] {tenant: a\"b}:", "stray quote in a label at column 38"),
        ("goroutine 1 [chan receive] {tenant: ab", "label set without its closing `}` at column 39 (no closing `:`)"),
        ("goroutine 1 [chan receive labels:{\"tenant\": \"ab]:", "unterminated quoted label text"),
        ("goroutine 1 [chan receive] {tenant: ab} x:", "unexpected text after the label set at column 40"),
    ];
    for (header, why) in cases {
        let d = text(&format!("{header}\n{FRAME}\ngoroutine 2 [select]:\n{FRAME}"));
        assert_eq!(d.goroutines.len(), 2, "{header}");
        let g = &d.goroutines[0];
        assert_eq!((g.id, d.sym(g.state), d.frames_of(g).len()), (1, "chan receive", 1), "{header}");
        assert_eq!(d.warnings.len(), 1, "{header}: {:?}", d.warnings);
        let w = &d.warnings[0];
        assert_eq!((w.line, w.offset), (1, 0), "{header}");
        assert!(w.message.starts_with("goroutine 1: malformed labels: "), "{}", w.message);
        assert!(w.message.contains(why), "{header}: {}", w.message);
    }
    // The pairs before the problem are kept.
    let d = text(&format!("goroutine 1 [chan receive] {{a: b, c: \"d\n{FRAME}"));
    assert_eq!(labels(&d, &d.goroutines[0]), BTreeMap::from([("a".into(), "b".into())]));
    // A debug=1 bucket with a broken set.
    let d = text("goroutine profile: total 2\n2 @ 0x1\n# labels: {\"a\":\"b}\n#\t0x1\tmain.f+0x1\t/x.go:1\n");
    assert_eq!((d.goroutines.len(), d.goroutines[0].count, d.frames.len()), (1, 2, 1));
    assert_eq!(d.warnings.len(), 1);
    assert!(d.warnings[0].message.starts_with("bucket: malformed labels: unterminated"), "{}", d.warnings[0].message);
    assert_eq!(d.warnings[0].line, 3);
}

#[test]
fn ten_thousand_labels_and_a_megabyte_value() {
    let n = 10_000;
    let pairs: Vec<String> = (0..n).map(|i| format!("k{i}: \"v {i}\"")).collect();
    let header = format!("goroutine 1 [select] {{{}}}:", pairs.join(", "));
    let d = text(&format!("{header}\n{FRAME}\n{header}\n{FRAME}"));
    assert!(d.warnings.is_empty());
    assert_eq!(d.goroutines.len(), 2);
    assert_eq!(d.labels.len(), 2 * n);
    assert_eq!(d.label_value(&d.goroutines[1], "k9999"), Some("v 9999"));
    // Interned: the second goroutine's 10 000 pairs add no symbol.
    assert_eq!(d.symbols.len(), 1 + 2 * n + 3);

    let big = "x\\\"".repeat(1 << 18) + &"y".repeat(1 << 20);
    let d = text(&format!("goroutine 1 [select] {{big: \"{big}\"}}:\n{FRAME}\ngoroutine 2 [select] {{big: \"{big}\n{FRAME}"));
    assert_eq!(d.goroutines.len(), 2);
    let v = d.label_value(&d.goroutines[0], "big").unwrap();
    assert_eq!(v.len(), 2 * (1 << 18) + (1 << 20));
    assert!(v.starts_with("x\"x\""));
    assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings.iter().map(|w| &w.message[..80]).collect::<Vec<_>>());
    assert!(d.warnings[0].message.len() < 200, "the warning quotes no megabyte");
    assert_eq!(d.frames_of(&d.goroutines[1]).len(), 1);
}

#[test]
fn flags_are_not_part_of_the_state() {
    let d = text(&format!(
        "panic: boom [recovered, repanicked]\n\ngoroutine 1 [chan send (leaked), 3 minutes]:\n{FRAME}\n\
         goroutine 2 [chan receive (durable), synctest bubble 7]:\n{FRAME}\ngoroutine 3 [sleep (durable)]:\n{FRAME}"
    ));
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    let g: Vec<_> = d.goroutines.iter().map(|g| (d.sym(g.state), g.leaked, g.durable, g.bubble, g.wait_minutes)).collect();
    assert_eq!(
        g,
        vec![
            ("chan send", true, false, None, Some(3)),
            ("chan receive", false, true, Some(7), None),
            ("sleep", false, true, None, None)
        ]
    );
    assert!(d.panic.recovered && d.panic.repanicked);
}
