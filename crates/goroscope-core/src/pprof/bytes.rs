//! A profile's strings byte for byte, valid UTF-8 or not: pprof keeps Go strings (bytes) and
//! prints them as they are, so a string table with invalid UTF-8 reaches its reports unchanged.
//!
//! Our strings are Rust `String`s, so each byte that is not part of valid UTF-8 is held as one
//! character of the private-use range U+10FF80..=U+10FFFF (byte `b` ↦ U+10FF00 + `b`; such a byte
//! is always ≥ 0x80). A character of that range already in the input is held as its four UTF-8
//! bytes, each escaped the same way, so the mapping is reversible and [`to_bytes`] gives back
//! exactly the input. One character per invalid byte also keeps column widths as Go counts
//! them (one rune per invalid byte). Text reports and the encoder write [`to_bytes`]; what must
//! be valid UTF-8 for others (FlatBuffers strings, JSON) is [`lossy`]: U+FFFD per invalid byte.

use std::borrow::Cow;

const BASE: u32 = 0x10FF00;

#[inline]
fn is_escape(c: char) -> bool {
    (BASE + 0x80..=BASE + 0xFF).contains(&(c as u32))
}

#[inline]
fn escape(b: u8) -> char {
    char::from_u32(BASE + b as u32).expect("U+10FF80..=U+10FFFF are characters")
}

/// Whether `s` holds an escaped byte: the UTF-8 of U+10FF80..=U+10FFFF starts F4 8F BE or F4 8F BF.
pub fn has_escapes(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr_iter(0xF4, b).any(|i| b.get(i + 1) == Some(&0x8F) && matches!(b.get(i + 2), Some(0xBE | 0xBF)))
}

fn push_valid(out: &mut String, s: &str) {
    for c in s.chars() {
        if is_escape(c) {
            let mut buf = [0u8; 4];
            out.extend(c.encode_utf8(&mut buf).bytes().map(escape));
        } else {
            out.push(c);
        }
    }
}

/// The string of the bytes `b`: as they are when valid UTF-8, else with escaped bytes.
pub fn from_bytes(b: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(b) {
        if !has_escapes(s) {
            return s.to_owned();
        }
    }
    let mut out = String::with_capacity(b.len() + 8);
    let mut rest = b;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                push_valid(&mut out, s);
                return out;
            }
            Err(e) => {
                let (ok, tail) = rest.split_at(e.valid_up_to());
                push_valid(&mut out, std::str::from_utf8(ok).unwrap_or_default());
                let bad = e.error_len().unwrap_or(tail.len());
                out.extend(tail[..bad].iter().copied().map(escape));
                rest = &tail[bad..];
            }
        }
    }
}

/// The bytes `s` stands for (the input's bytes for a string made by [`from_bytes`]).
pub fn to_bytes(s: &str) -> Cow<'_, [u8]> {
    if !has_escapes(s) {
        return Cow::Borrowed(s.as_bytes());
    }
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        if is_escape(c) {
            out.push((c as u32 - BASE) as u8);
        } else {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    Cow::Owned(out)
}

/// `s` as valid UTF-8 for readers of text: each escaped byte is U+FFFD.
pub fn lossy(s: &str) -> Cow<'_, str> {
    if !has_escapes(s) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(|c| if is_escape(c) { char::REPLACEMENT_CHARACTER } else { c }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_any_bytes() {
        let cases: &[&[u8]] = &[
            b"main.main",
            b"",
            b"caf\xc3\xa9",
            b"bad\xff\xfe end",
            b"\xe2\x82",                // truncated sequence at the end
            b"\xf4\x8f\xbe\x80 genuine", // U+10FF80 in the input
            b"\xf4\x8f\xbf\xbf\xff",
            b"\xed\xa0\x80", // a surrogate: not UTF-8
        ];
        for &b in cases {
            let s = from_bytes(b);
            assert_eq!(&*to_bytes(&s), b, "{b:?}");
            assert!(!lossy(&s).chars().any(is_escape), "{b:?}");
        }
        assert_eq!(from_bytes(b"bad\xff\xfe end").chars().count(), "bad\u{fffd}\u{fffd} end".chars().count());
        assert_eq!(lossy(&from_bytes(b"a\xffb")), "a\u{fffd}b");
        assert_eq!(lossy(&from_bytes(b"\xf4\x8f\xbe\x80")), "\u{fffd}\u{fffd}\u{fffd}\u{fffd}");
        assert!(matches!(to_bytes("plain"), Cow::Borrowed(_)));
    }
}
