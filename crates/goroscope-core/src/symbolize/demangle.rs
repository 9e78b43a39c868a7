//! pprof's demangling step (`symbolizer.Demangle`), run on the merged profile unless
//! `-symbolize=none`: function names that look already demangled (C++-style, or Go generic
//! instantiations) are simplified as pprof simplifies them.
//!
//! The rule, per function whose `name` is empty or equal to its `system_name`: if the system
//! name contains `::`, `<`, `>`, `[` or `]` (but neither `.<`, Java's `Class.<init>`, nor `]).`,
//! a Go method on a generic type), every balanced `(…)` is removed (parameter lists, and the
//! `()` inside a Go shape like `go.shape.interface { Size() int }`), then, in the default mode,
//! every balanced `<…>` (template arguments). The name becomes the result.
//!
//! Mangled names (`_Z…`, `_R…`) are not demangled here: pprof demangles them with
//! ianlancetaylor/demangle; Go, the producer this tool is for, writes demangled names.

use std::collections::HashMap;

use crate::pprof::{Function, Profile};

/// `-symbolize=…:demangle=MODE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DemangleMode {
    /// No parameters, no template arguments (pprof's default).
    #[default]
    Default,
    /// `templates`: no parameters, template arguments kept.
    Templates,
    /// `full`: names as they are.
    Full,
    /// `none`: no demangling (with `force`, names reset to system names).
    None,
}

impl DemangleMode {
    pub fn from_name(s: &str) -> Option<DemangleMode> {
        Some(match s {
            "default" => DemangleMode::Default,
            "templates" => DemangleMode::Templates,
            "full" => DemangleMode::Full,
            "none" => DemangleMode::None,
            _ => return None,
        })
    }
}

/// pprof `Demangle(prof, force, mode)`. Returns whether a name changed.
pub fn demangle(p: &mut Profile, force: bool, mode: DemangleMode) -> bool {
    let mut changed = false;
    let mut interned: HashMap<String, u32> = HashMap::new();
    for i in 0..p.functions.len() {
        let Some(name) = renamed(p, &p.functions[i], force, mode) else { continue };
        let id = match name {
            Name::Id(id) => id,
            Name::New(n) => *interned.entry(n).or_insert_with_key(|n| {
                p.strings.push(n.clone());
                (p.strings.len() - 1) as u32
            }),
        };
        p.functions[i].name = id;
        changed = true;
    }
    changed
}

/// Whether [`demangle`] would change a name of `p` (so a shared profile need not be copied).
pub fn would_change(p: &Profile, force: bool, mode: DemangleMode) -> bool {
    p.functions.iter().any(|f| renamed(p, f, force, mode).is_some())
}

/// The name a function gets: one of the profile's strings, or a new one.
enum Name {
    Id(u32),
    New(String),
}

/// pprof's `demangleSingleFunction` (after `force` reset the name to the system name): the new
/// name of `f`, None when it keeps its name.
fn renamed(p: &Profile, f: &Function, force: bool, mode: DemangleMode) -> Option<Name> {
    // With force, the names given are forgotten and the system names simplified again.
    let name = if force && f.name != 0 && f.system_name != 0 { f.system_name } else { f.name };
    let (no_params, no_templates) = match mode {
        DemangleMode::Default => (true, true),
        DemangleMode::Templates => (true, false),
        // pprof's `full` keeps already demangled names as they are; `none` does nothing more.
        DemangleMode::Full => (false, false),
        DemangleMode::None => return (p.str(name) != p.str(f.name)).then_some(Name::Id(name)),
    };
    let system = p.str(f.system_name);
    if name != 0 && p.str(name) != system {
        // demangled by its producer
        return (p.str(name) != p.str(f.name)).then_some(Name::Id(name));
    }
    let mut simple = system.to_string();
    if looks_like_demangled_cplusplus(system) {
        if no_params {
            simple = remove_matching(&simple, b'(', b')');
        }
        if no_templates {
            simple = remove_matching(&simple, b'<', b'>');
        }
    }
    if simple == p.str(f.name) && (f.name != 0 || f.system_name == 0) {
        return None;
    }
    Some(if simple == system { Name::Id(f.system_name) } else { Name::New(simple) })
}

/// pprof `looksLikeDemangledCPlusPlus`.
fn looks_like_demangled_cplusplus(s: &str) -> bool {
    if s.contains(".<") || s.contains("]).") {
        return false;
    }
    s.contains(['<', '>', '[', ']']) || s.contains("::")
}

/// pprof `removeMatching`: removes every outermost balanced `open…close`; at an unbalanced close
/// it stops, the rest left as it is.
fn remove_matching(name: &str, open: u8, close: u8) -> String {
    let b = name.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut depth = 0usize;
    let mut start = 0; // index in `out` where the open group began
    for (i, &c) in b.iter().enumerate() {
        if c == open {
            depth += 1;
            if depth == 1 {
                start = out.len();
            }
        } else if c == close {
            if depth == 0 {
                // pprof gives up here, keeping the groups it removed so far.
                out.extend_from_slice(&b[i..]);
                return String::from_utf8(out).unwrap_or_else(|_| name.to_string());
            }
            depth -= 1;
            if depth == 0 {
                out.truncate(start);
                continue;
            }
        }
        out.push(c);
    }
    // An unclosed group stays; the cuts are at ASCII bytes, so the bytes are still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_balanced_groups_like_pprof() {
        assert_eq!(remove_matching("foo(int, bar(x))::baz()", b'(', b')'), "foo::baz");
        assert_eq!(remove_matching("a<b<c>>::d<e>", b'<', b'>'), "a::d");
        assert_eq!(remove_matching("f(a)x)y(z)", b'(', b')'), "fx)y(z)");
        assert_eq!(remove_matching("f(a", b'(', b')'), "f(a");
    }

    #[test]
    fn which_names_look_demangled() {
        assert!(looks_like_demangled_cplusplus("std::vector<int>::push_back(int const&)"));
        assert!(looks_like_demangled_cplusplus("main.New[go.shape.interface { Size() int }]"));
        assert!(!looks_like_demangled_cplusplus("java.util.HashMap.<init>"));
        assert!(!looks_like_demangled_cplusplus("main.(*List[go.shape.int]).Push"));
        assert!(!looks_like_demangled_cplusplus("main.main"));
    }
}
