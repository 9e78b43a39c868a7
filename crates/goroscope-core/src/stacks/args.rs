//! Scalar values of a frame's argument list, as printed by the Go runtime.
//!
//! The raw text (`Frame::args`) is kept verbatim; this module reads the numbers out of it on
//! demand (lock-address analysis). Forms by Go version (see the grammar in `parse/frame.rs`):
//!
//! ```text
//! Go ≤1.16   0xc8222fd340, 0x0, 0x0, ...          raw words, at most 10, then `...`
//! Go 1.17    0x0, {0x1, 0x2, {0x4, 0x5}}, {}, {...}, _   one value per scalar, `{}` aggregates
//! Go ≥1.18   0xffffffff?, {0x7ff7?, 0xc?}          `?` = register arg whose spill slot is dead
//! inlined    ...                                   (no values)
//! ```
//!
//! `...` (elided components), `_` (offset too large) and `{...}` (nesting limit) carry no value
//! and are skipped. Go prints hex only; plain decimal is accepted for tolerance. Values that do
//! not fit in a u64, or tokens that are not numbers, are skipped.

/// One scalar argument value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Arg {
    pub value: u64,
    /// Printed with a trailing `?`: possibly stale (Go ≥1.18 register ABI).
    pub inaccurate: bool,
    /// `{…}` nesting depth at which the value stands (0 = top level).
    pub depth: u8,
}

/// All scalar values of `args` (the text between a frame's parentheses), in order.
pub fn scalars(args: &[u8]) -> Vec<Arg> {
    Scalars::new(args).collect()
}

/// Iterator over the scalar values of an argument list; see [`scalars`].
pub struct Scalars<'a> {
    b: &'a [u8],
    i: usize,
    depth: u8,
}

impl<'a> Scalars<'a> {
    pub fn new(args: &'a [u8]) -> Self {
        Scalars { b: args, i: 0, depth: 0 }
    }
}

/// Byte classes of an argument list, one table lookup per byte: separators between tokens,
/// the bytes that end a token, and the rest.
const SEP: u8 = 1;
const END: u8 = 2;
static CLASS: [u8; 256] = {
    let mut c = [0u8; 256];
    c[b' ' as usize] = SEP | END;
    c[b',' as usize] = SEP | END;
    c[b'\t' as usize] = SEP | END;
    c[b'{' as usize] = END;
    c[b'}' as usize] = END;
    c
};

impl Iterator for Scalars<'_> {
    type Item = Arg;

    fn next(&mut self) -> Option<Arg> {
        let b = self.b;
        let mut i = self.i;
        loop {
            while i < b.len() && CLASS[b[i] as usize] & SEP != 0 {
                i += 1;
            }
            if i >= b.len() {
                self.i = i;
                return None;
            }
            match b[i] {
                b'{' => {
                    self.depth = self.depth.saturating_add(1);
                    i += 1;
                }
                b'}' => {
                    self.depth = self.depth.saturating_sub(1);
                    i += 1;
                }
                _ => {
                    let s = i;
                    while i < b.len() && CLASS[b[i] as usize] & END == 0 {
                        i += 1;
                    }
                    if let Some((value, inaccurate)) = number(&b[s..i]) {
                        self.i = i;
                        return Some(Arg { value, inaccurate, depth: self.depth });
                    }
                }
            }
        }
    }
}

/// `0x1f`, `0x1f?`, `31`, `31?` → (value, inaccurate). Anything else → None.
fn number(tok: &[u8]) -> Option<(u64, bool)> {
    let (tok, inaccurate) = match tok.split_last() {
        Some((b'?', rest)) => (rest, true),
        _ => (tok, false),
    };
    if tok.is_empty() {
        return None;
    }
    let v = if let Some(h) = tok.strip_prefix(b"0x").or_else(|| tok.strip_prefix(b"0X")) {
        parse_hex(h)?
    } else {
        parse_dec(tok)?
    };
    Some((v, inaccurate))
}

/// The value of every hex digit; 0xff for every other byte.
static HEX: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

pub(crate) fn parse_hex(h: &[u8]) -> Option<u64> {
    if h.is_empty() || h.len() > 16 {
        return None;
    }
    let mut v: u64 = 0;
    let mut bad = 0u8;
    for &c in h {
        let d = HEX[c as usize];
        bad |= d;
        v = (v << 4) | (d & 0xf) as u64;
    }
    // a digit is at most 0x0f: any 0xff entry shows in the high bits of `bad`
    (bad & 0xf0 == 0).then_some(v)
}

pub(crate) fn parse_dec(d: &[u8]) -> Option<u64> {
    if d.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &c in d {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(value: u64, inaccurate: bool, depth: u8) -> Arg {
        Arg { value, inaccurate, depth }
    }

    #[test]
    fn stack_abi_words() {
        assert_eq!(
            scalars(b"0xc8222fd340, 0x0, 0x0"),
            vec![a(0xc8222fd340, false, 0), a(0, false, 0), a(0, false, 0)]
        );
        // ten words then `...`
        let s = scalars(b"0x4, 0x71c7118, 0xffffffff00000080, 0x0, 0xffffffff0028c1be, 0x0, 0x0, 0x0, 0x0, 0x0, ...");
        assert_eq!(s.len(), 10);
        assert_eq!(s[2].value, 0xffffffff00000080);
    }

    #[test]
    fn register_abi_aggregates() {
        assert_eq!(
            scalars(b"0x0, {0x1, 0x2, 0x3, {0x4, 0x5}}, {}, {0x6, 0x7, 0x8}"),
            vec![
                a(0, false, 0),
                a(1, false, 1),
                a(2, false, 1),
                a(3, false, 1),
                a(4, false, 2),
                a(5, false, 2),
                a(6, false, 1),
                a(7, false, 1),
                a(8, false, 1),
            ]
        );
        assert_eq!(scalars(b"0x0, {{{{{...}}}}}"), vec![a(0, false, 0)]);
        assert_eq!(scalars(b"{0x1, 0x2, 0xa, ...}, ..."), vec![a(1, false, 1), a(2, false, 1), a(10, false, 1)]);
        assert_eq!(scalars(b"{}"), vec![]);
        assert_eq!(scalars(b"_, 0x1"), vec![a(1, false, 0)]);
    }

    #[test]
    fn inaccurate_values() {
        assert_eq!(
            scalars(b"0xffffffff?, 0xffffffff?"),
            vec![a(0xffffffff, true, 0), a(0xffffffff, true, 0)]
        );
        assert_eq!(
            scalars(b"{0x7ff789eb10e0?, 0xc0001d6000?}, 0x17?"),
            vec![a(0x7ff789eb10e0, true, 1), a(0xc0001d6000, true, 1), a(0x17, true, 0)]
        );
        assert_eq!(scalars(b"0x0?, 0x0?, 0x0?").len(), 3);
    }

    #[test]
    fn tolerant() {
        assert_eq!(scalars(b""), vec![]);
        assert_eq!(scalars(b"..."), vec![]);
        assert_eq!(scalars(b"12, 0X1F"), vec![a(12, false, 0), a(31, false, 0)]);
        // overflow and junk are skipped, never panic
        assert_eq!(scalars(b"123456789012345678901, zz, 0x1"), vec![a(1, false, 0)]);
        assert_eq!(scalars(b"0x11112222333344445"), vec![]);
        // unmatched braces
        assert_eq!(scalars(b"{{{{...}}}}}, 0x2"), vec![a(2, false, 0)]);
        assert_eq!(scalars(b"{{{{{...}}}}, 0x2"), vec![a(2, false, 1)]);
    }
}
