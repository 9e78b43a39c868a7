//! drop_frames / keep_frames (`RemoveUninteresting`, `Prune`) and `PruneFrom`, as in pprof's
//! `profile/prune.go`: function names are simplified (leading `.` stripped, argument list cut)
//! and matched in full (`^(re)$`).

use regex::Regex;
use rustc_hash::FxHashMap;

use super::error::ProfileError;
use super::model::*;

const RESERVED: [&str; 2] = ["(anonymous namespace)", "operator()"];

/// pprof's `simplifyFunc`: strip a leading `.`, cut at the first `(` that does not start a
/// reserved name (`(anonymous namespace)`, `operator()`).
pub fn simplify_func(f: &str) -> &str {
    let name = f.strip_prefix('.').unwrap_or(f);
    // Leftmost match of the alternation "(anonymous namespace)|operator()|(".
    let mut i = 0;
    let b = name.as_bytes();
    while i < b.len() {
        // bytes, not &str: `i` may be inside a multi-byte character
        let rest = &b[i..];
        if rest.starts_with(RESERVED[0].as_bytes()) {
            i += RESERVED[0].len();
            continue;
        }
        if rest.starts_with(RESERVED[1].as_bytes()) {
            i += RESERVED[1].len();
            continue;
        }
        if b[i] == b'(' {
            return &name[..i];
        }
        i += 1;
    }
    name
}

/// Compiles a drop/keep expression as a full match.
pub fn full_match_regex(re: &str, field: &'static str) -> Result<Regex, ProfileError> {
    Regex::new(&format!("^({re})$")).map_err(|e| ProfileError::Regex {
        field,
        pattern: re.to_string(),
        msg: e.to_string(),
    })
}

/// pprof's `RemoveUninteresting`: applies the profile's own drop_frames/keep_frames.
pub fn remove_uninteresting(p: &mut Profile) -> Result<(), ProfileError> {
    let drop = p.str(p.drop_frames).to_string();
    if drop.is_empty() {
        return Ok(());
    }
    let drop = full_match_regex(&drop, "drop_frames")?;
    let keep = p.str(p.keep_frames).to_string();
    let keep = if keep.is_empty() { None } else { Some(full_match_regex(&keep, "keep_frames")?) };
    prune(p, &drop, keep.as_ref());
    Ok(())
}

/// pprof's `Prune`: removes every frame beneath (toward the leaf) a frame matching `drop` and not
/// `keep`, scanning each sample from the root and never cutting before its first "user" frame.
pub fn prune(p: &mut Profile, drop: &Regex, keep: Option<&Regex>) {
    // Per function: does its (simplified) name start a pruned region?
    let mut cache: FxHashMap<Str, bool> = FxHashMap::default();
    let strings = &p.strings;
    let functions = &p.functions;
    let mut prune_fn = |fi: u32| -> Option<bool> {
        let f = functions.get(fi as usize)?;
        let name = strings.get(f.name as usize).map_or("", |s| s.as_str());
        if name.is_empty() {
            return None;
        }
        Some(*cache.entry(f.name).or_insert_with(|| {
            let s = simplify_func(name);
            drop.is_match(s) && keep.is_none_or(|k| !k.is_match(s))
        }))
    };
    // 0 = keep, 1 = prune beneath, 2 = prune the whole location (and beneath).
    let mut mark = vec![0u8; p.locations.len()];
    for (li, loc) in p.locations.iter_mut().enumerate() {
        let n = loc.lines.len();
        let hit = (0..n).rev().find(|&i| prune_fn(loc.lines[i].function) == Some(true));
        if let Some(i) = hit {
            if i == n - 1 {
                mark[li] = 2;
            } else {
                mark[li] = 1;
                loc.lines.drain(..=i);
            }
        }
    }
    for s in &mut p.samples {
        let mut found_user = false;
        for i in (0..s.locations.len()).rev() {
            let m = mark[s.locations[i] as usize];
            if m == 0 {
                found_user = true;
                continue;
            }
            if !found_user {
                continue;
            }
            if m == 2 {
                s.locations.drain(..=i);
            } else {
                s.locations.drain(..i);
            }
            break;
        }
    }
}

/// pprof's `PruneFrom`: in each sample, drops the frames beneath (leafward of) the lowest frame
/// matching `rx` (full match on the simplified name), keeping that frame.
pub fn prune_from(p: &mut Profile, rx: &Regex) {
    let mut beneath = vec![false; p.locations.len()];
    for (li, loc) in p.locations.iter_mut().enumerate() {
        let hit = loc.lines.iter().position(|ln| {
            let f = &p.functions[ln.function as usize];
            let name = p.strings.get(f.name as usize).map_or("", |s| s.as_str());
            !name.is_empty() && rx.is_match(simplify_func(name))
        });
        if let Some(i) = hit {
            beneath[li] = true;
            loc.lines.drain(..i);
        }
    }
    for s in &mut p.samples {
        if let Some(i) = s.locations.iter().position(|&l| beneath[l as usize]) {
            s.locations.drain(..i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::simplify_func;

    #[test]
    fn simplify() {
        assert_eq!(simplify_func(".foo(int)"), "foo");
        assert_eq!(simplify_func("(anonymous namespace)::f(int)"), "(anonymous namespace)::f");
        assert_eq!(simplify_func("A::operator()(int)"), "A::operator()");
        assert_eq!(simplify_func("main.(*T).m"), "main.");
        assert_eq!(simplify_func("f\u{11e}(int)"), "f\u{11e}"); // fuzz: not a char boundary
    }
}
