//! Hex scalars of an argument list (`0x…`, `0x…?`), read through `stacks::args` without
//! allocating: each scalar's value, whether Go marked it `?` and its `{…}` depth.

pub(crate) use crate::stacks::args::Arg as Scalar;
use crate::stacks::args::Scalars;

/// Call `f` for every scalar of `args`, in order.
pub(crate) fn for_each(args: &[u8], f: impl FnMut(Scalar)) {
    Scalars::new(args).for_each(f);
}

/// The first top-level scalar (a method's receiver, or a function's first word); None when the
/// list is empty, inlined (`...`) or starts with an aggregate.
pub(crate) fn first(args: &[u8]) -> Option<Scalar> {
    Scalars::new(args).next().filter(|s| s.depth == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_scalar() {
        assert_eq!(first(b"0xc000134930").unwrap().value, 0xc000134930);
        assert!(first(b"0x0?, 0x0?").unwrap().inaccurate);
        assert_eq!(first(b"{0x1}, 0x2"), None);
        assert_eq!(first(b"..."), None);
        assert_eq!(first(b""), None);
    }
}
