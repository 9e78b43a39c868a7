//! pprof label sets as the runtime prints them: in debug=2 headers and in debug=1 buckets.
//!
//! ```text
//! labels  := `{` [ pair { `,` [` `] pair } ] `}`
//! pair    := text `:` [` `] text
//! text    := quoted | bare
//! quoted  := `"` { printable ASCII but `"` `\` | `\` esc } `"`
//!            esc = `n` `r` `t` `a` `b` `f` `v` `\` `"` | `x`HH | `u`HHHH | `U`HHHHHHHH
//! bare    := { any byte but `:` `,` `}` `"` blank }
//! ```
//!
//! Three writers, one grammar:
//! - Go ≥1.27 headers (`traceback.go` `goroutineheader`, `tracebacklabels=1` is the default for
//!   `go 1.27` modules): ` {tenant: "a b", worker: holder}` after the `]`; keys and values are
//!   bare unless they hold a byte outside `[A-Za-z0-9./_]`, then quoted by `printquoted`.
//! - Go 1.26 headers with `GODEBUG=tracebacklabels=1`: ` labels:{"tenant": "a b"}` inside the
//!   bracket, everything quoted.
//! - debug=1 buckets (`runtime/pprof` `labelMap.String`): `# labels: {"tenant":"a b", "w":"x"}`,
//!   `%q`-quoted, sorted, no blank after the colon.
//!
//! Pairs are kept in printed order. A text without escapes is a span of the input; one with
//! escapes is unescaped once per unique spelling (the interner keys it by its quoted bytes).
//! A set that does not follow the grammar (a stray quote, no closing `}`) keeps the pairs read
//! before the problem and reports the problem's offset; the caller turns it into a warning.

use std::ops::Range;

use memchr::memchr2;

use super::intern::Interner;
use crate::stacks::model::{Label, SymText};

/// Why a label set stopped before its end, and where (offset into the input).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct LabelError {
    pub offset: usize,
    pub why: &'static str,
}

/// Parse the label set starting at `input[r.start]` (a `{`) and ending at `r.end` (after the
/// `}`). Pairs are appended to `out`; the offset after the closing `}` is returned.
pub(super) fn parse_labels<'a>(
    input: &'a [u8],
    r: Range<usize>,
    syms: &mut Interner<'a>,
    out: &mut Vec<Label>,
) -> Result<usize, LabelError> {
    let end = r.end;
    let err = |offset: usize, why| Err(LabelError { offset, why });
    let mut i = r.start;
    if input.get(i) != Some(&b'{') || i >= end {
        return err(i, "label set does not start with `{`");
    }
    i += 1;
    if i < end && input[i] == b'}' {
        return Ok(i + 1);
    }
    loop {
        let key = text(input, i, end)?;
        i = key.end;
        if i >= end || input[i] != b':' {
            return err(i.min(end), "label key without `:`");
        }
        i += 1;
        if i < end && input[i] == b' ' {
            i += 1;
        }
        let value = text(input, i, end)?;
        i = value.end;
        out.push(Label { key: key.intern(input, syms), value: value.intern(input, syms) });
        if i >= end {
            return err(end, "label set without its closing `}`");
        }
        match input[i] {
            b'}' => return Ok(i + 1),
            b',' => {
                i += 1;
                if i < end && input[i] == b' ' {
                    i += 1;
                }
            }
            _ => return err(i, "unexpected character after a label value"),
        }
    }
}

/// A key or value: where it stands and how to read it.
struct Text {
    /// The bytes as printed (with quotes for a quoted text).
    raw: Range<usize>,
    /// Offset after the text.
    end: usize,
    /// A quoted text holding escapes: it must be unescaped.
    escaped: bool,
}

impl Text {
    fn intern<'a>(&self, input: &'a [u8], syms: &mut Interner<'a>) -> u32 {
        let quoted = input.get(self.raw.start) == Some(&b'"');
        if !quoted {
            return syms.intern(input, self.raw.clone());
        }
        let inner = self.raw.start + 1..self.raw.end - 1;
        if !self.escaped {
            return syms.intern(input, inner);
        }
        syms.intern_with(input, self.raw.clone(), || SymText::Owned(unescape(&input[inner]).into()))
    }
}

/// Read a key or value at `i`: quoted (up to its closing quote) or bare (up to `:`, `,`, `}` or
/// a blank).
fn text(input: &[u8], i: usize, end: usize) -> Result<Text, LabelError> {
    if i < end && input[i] == b'"' {
        let mut j = i + 1;
        let mut escaped = false;
        while j < end {
            match memchr2(b'"', b'\\', &input[j..end]) {
                None => break,
                Some(k) if input[j + k] == b'"' => return Ok(Text { raw: i..j + k + 1, end: j + k + 1, escaped }),
                Some(k) => {
                    escaped = true;
                    j += k + 2;
                }
            }
        }
        return Err(LabelError { offset: i, why: "unterminated quoted label text" });
    }
    let mut j = i;
    while j < end && !matches!(input[j], b':' | b',' | b'}' | b' ' | b'\t') {
        if input[j] == b'"' {
            return Err(LabelError { offset: j, why: "stray quote in a label" });
        }
        j += 1;
    }
    Ok(Text { raw: i..j, end: j, escaped: false })
}

/// The text of a quoted string's inside (`printquoted` / `strconv.Quote` escapes); an escape
/// that is not one of them is kept as printed. Invalid code points and `\xHH` bytes that do
/// not form UTF-8 become U+FFFD.
pub(super) fn unescape(s: &[u8]) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c != b'\\' || i + 1 == s.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let e = s[i + 1];
        let simple = match e {
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'a' => Some(7),
            b'b' => Some(8),
            b'f' => Some(12),
            b'v' => Some(11),
            b'\\' => Some(b'\\'),
            b'"' => Some(b'"'),
            b'\'' => Some(b'\''),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            i += 2;
            continue;
        }
        let digits = match e {
            b'x' => 2,
            b'u' => 4,
            b'U' => 8,
            _ => 0,
        };
        let hex = s.get(i + 2..i + 2 + digits).and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u32::from_str_radix(h, 16).ok()) {
            Some(v) if digits == 2 => out.push(v as u8),
            Some(v) => {
                let ch = char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER);
                out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
            }
            None => {
                out.extend_from_slice(&s[i..i + 2]);
                i += 2;
                continue;
            }
        }
        i += 2 + digits;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;
    use crate::stacks::model::Symbols;

    /// The pairs of `s` as strings, and the result of the parse.
    fn pairs(s: &str) -> (Vec<(String, String)>, Result<usize, LabelError>) {
        let input = s.as_bytes();
        let mut syms = Interner::new();
        let mut out = Vec::new();
        let r = parse_labels(input, 0..input.len(), &mut syms, &mut out);
        let table = Symbols { texts: syms.texts };
        let src = Source::Owned(input.to_vec());
        let got = out
            .iter()
            .map(|l| (table.get(&src, l.key).to_string(), table.get(&src, l.value).to_string()))
            .collect();
        (got, r)
    }

    fn p(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn go127_header_form() {
        let (got, r) = pairs(r#"{tenant: "a b", worker: holder}"#);
        assert_eq!(got, vec![p("tenant", "a b"), p("worker", "holder")]);
        assert_eq!(r, Ok(31));
        let (got, _) = pairs(r#"{quote: "x\"y,z}", "k e y": "\u00e9\t\\", path: a/b.c_d}"#);
        assert_eq!(got, vec![p("quote", "x\"y,z}"), p("k e y", "é\t\\"), p("path", "a/b.c_d")]);
    }

    #[test]
    fn go126_and_debug1_forms() {
        let (got, _) = pairs(r#"{"tenant": "a b", "worker": "holder"}"#);
        assert_eq!(got, vec![p("tenant", "a b"), p("worker", "holder")]);
        let (got, _) = pairs(r#"{"quote":"x\"y,z}", "worker":"waiter"}"#);
        assert_eq!(got, vec![p("quote", "x\"y,z}"), p("worker", "waiter")]);
        assert_eq!(pairs("{}"), (vec![], Ok(2)));
        let (got, _) = pairs(r#"{"": ""}"#);
        assert_eq!(got, vec![p("", "")]);
    }

    #[test]
    fn escapes() {
        assert_eq!(unescape(br#"a\nb\x41\U0001F600\q\"#), "a\nbA😀\\q\\");
        assert_eq!(unescape(br#"\xff"#), "\u{fffd}");
    }

    #[test]
    fn bad_sets_keep_what_was_read() {
        let (got, r) = pairs(r#"{tenant: "a b", worker: "hol"#);
        assert_eq!(got, vec![p("tenant", "a b")]);
        assert_eq!(r, Err(LabelError { offset: 24, why: "unterminated quoted label text" }));
        let (got, r) = pairs(r#"{tenant: a"b}"#);
        assert!(got.is_empty());
        assert_eq!(r.unwrap_err().why, "stray quote in a label");
        let (got, r) = pairs("{a: b, c: d");
        assert_eq!(got, vec![p("a", "b"), p("c", "d")]);
        assert_eq!(r.unwrap_err().why, "label set without its closing `}`");
        let (_, r) = pairs("{a b}");
        assert_eq!(r.unwrap_err().why, "label key without `:`");
        let (_, r) = pairs("{a: b c}");
        assert_eq!(r.unwrap_err().why, "unexpected character after a label value");
    }
}
