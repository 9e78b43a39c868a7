//! Symbolizes a legacy Go text profile from its own comment lines (a goroscope extension: pprof
//! ignores them and leaves such profiles as bare addresses unless it finds the binary).
//!
//! Go's `?debug=1` (and `?debug=2` for mutex/block, which is identical) writes, after each
//! `N @ pc…` / `cycles count @ pc…` line, one `#\t0xPC\tfunc+0xOFF\tfile:line` line per frame,
//! inlined frames first and sharing their PC. The printed PC is the frame's call PC, i.e. the
//! return address − 1 — exactly the address pprof gives the location (it subtracts 1 too).

use rustc_hash::FxHashMap;

use crate::pprof::model::*;
use crate::pprof::Interner;

struct Frame<'a> {
    func: &'a str,
    file: &'a str,
    line: i64,
}

/// Parses `#\t0x4e0d46\tsync.(*Mutex).Unlock+0x66\t/usr/local/go/src/sync/mutex.go:65`.
fn parse_comment(line: &str) -> Option<(u64, Frame<'_>)> {
    let rest = line.strip_prefix('#')?.trim_start();
    let mut it = rest.split('\t').filter(|s| !s.is_empty());
    let pc = it.next()?.strip_prefix("0x")?;
    let pc = u64::from_str_radix(pc, 16).ok()?;
    let func_off = it.next()?.trim();
    let file_line = it.next()?.trim();
    let func = match func_off.rfind("+0x") {
        Some(i) => &func_off[..i],
        None => func_off,
    };
    let (file, line) = match file_line.rfind(':') {
        Some(i) => (&file_line[..i], file_line[i + 1..].parse().unwrap_or(0)),
        None => (file_line, 0),
    };
    Some((pc, Frame { func, file, line }))
}

/// Attaches the `#\t0x… func+0x… file:line` comment frames of Go's text profiles to the
/// locations of `p` (parsed from the same `text`) that have no lines yet, and marks their
/// mapping as having functions, files and line numbers. Returns the number of locations
/// symbolized.
pub fn symbolize_from_comments(text: &[u8], p: &mut Profile) -> usize {
    let text = String::from_utf8_lossy(text);
    // pc -> frames (innermost first), first occurrence wins.
    let mut frames: FxHashMap<u64, Vec<Frame>> = FxHashMap::default();
    let mut cur_pc: Option<u64> = None;
    for line in text.lines() {
        let Some((pc, f)) = parse_comment(line) else {
            cur_pc = None;
            continue;
        };
        // Consecutive lines with the same PC are one location's inline chain.
        if cur_pc == Some(pc) {
            if let Some(v) = frames.get_mut(&pc) {
                v.push(f);
            }
        } else if let std::collections::hash_map::Entry::Vacant(e) = frames.entry(pc) {
            e.insert(vec![f]);
            cur_pc = Some(pc);
        } else {
            cur_pc = None; // already known from an earlier stack
        }
    }
    if frames.is_empty() {
        return 0;
    }
    let mut strs = Interner::new(p);
    let mut funcs: FxHashMap<(Str, Str), u32> = FxHashMap::default();
    for (i, f) in p.functions.iter().enumerate() {
        funcs.entry((f.name, f.filename)).or_insert(i as u32);
    }
    let mut next_id = p.functions.iter().map(|f| f.id).max().unwrap_or(0) + 1;
    let mut n = 0;
    let mut touched_mappings = Vec::new();
    for li in 0..p.locations.len() {
        if !p.locations[li].lines.is_empty() {
            continue;
        }
        let Some(fr) = frames.get(&p.locations[li].address) else { continue };
        let mut lines = Vec::with_capacity(fr.len());
        for f in fr {
            let name = strs.intern(p, f.func);
            let filename = strs.intern(p, f.file);
            let fi = *funcs.entry((name, filename)).or_insert_with(|| {
                p.functions.push(Function { id: next_id, name, system_name: name, filename, start_line: 0 });
                next_id += 1;
                (p.functions.len() - 1) as u32
            });
            lines.push(Line { function: fi, line: f.line, column: 0 });
        }
        p.locations[li].lines = lines;
        if let Some(m) = p.locations[li].mapping {
            touched_mappings.push(m);
        }
        n += 1;
    }
    for m in touched_mappings {
        let m = &mut p.mappings[m as usize];
        m.has_functions = true;
        m.has_filenames = true;
        m.has_line_numbers = true;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::parse_comment;

    #[test]
    fn comment_line() {
        let (pc, f) =
            parse_comment("#\t0x4e0d46\tsync.(*Mutex).Unlock+0x66\t/usr/local/go/src/sync/mutex.go:65").unwrap();
        assert_eq!(pc, 0x4e0d46);
        assert_eq!(f.func, "sync.(*Mutex).Unlock");
        assert_eq!(f.file, "/usr/local/go/src/sync/mutex.go");
        assert_eq!(f.line, 65);
        let (_, f) = parse_comment("#\t0x4e0d45\tmain.(*store).put+0x65\t\t/x/main.go:31").unwrap();
        assert_eq!(f.func, "main.(*store).put");
        assert_eq!(f.file, "/x/main.go");
        assert!(parse_comment("# runtime.MemStats").is_none());
        assert!(parse_comment("# labels: {\"a\":\"b\"}").is_none());
    }
}
