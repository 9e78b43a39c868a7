//! Node identities: [`NodeInfo`] (pprof's `graph.NodeInfo`), interned into a [`NodeTable`] built
//! once per profile so graph (re)builds only move integers around.

use crate::pprof::Profile;
use rustc_hash::FxHashMap;
use std::cmp::Ordering;

/// Index into the [`NodeTable`]'s string table (0 = "").
pub type Sym = u32;
/// Index into the [`NodeTable`]'s infos.
pub type InfoId = u32;

/// What identifies a graph node. Two frames with equal infos are the same node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NodeInfo {
    pub name: Sym,
    pub orig_name: Sym,
    pub address: u64,
    pub file: Sym,
    pub start_line: i64,
    pub lineno: i64,
    pub columnno: i64,
    pub objfile: Sym,
}

/// Interned node infos of one profile plus, for every location, the infos of its frames
/// (in line order: innermost inlined callee first, out-of-line caller last).
#[derive(Clone, Debug)]
pub struct NodeTable {
    strings: Vec<String>,
    string_ids: FxHashMap<String, Sym>,
    infos: Vec<NodeInfo>,
    info_ids: FxHashMap<NodeInfo, InfoId>,
    printable: Vec<String>,
    /// Frames of location `l` are `loc_infos[loc_start[l]..loc_start[l + 1]]`: one array for
    /// all locations, so a graph build's walk over every frame reads two adjacent arrays
    /// instead of one heap block per location.
    loc_start: Vec<u32>,
    loc_infos: Vec<InfoId>,
}

impl NodeTable {
    /// Builds the table. `obj_names` keeps the mapping file on every node (raw/list/callgrind);
    /// `orig_fn_names` keys nodes on the system (mangled) name too.
    pub fn new(p: &Profile, obj_names: bool, orig_fn_names: bool) -> NodeTable {
        let mut t = NodeTable {
            strings: vec![String::new()],
            string_ids: FxHashMap::default(),
            infos: Vec::new(),
            info_ids: FxHashMap::default(),
            printable: Vec::new(),
            loc_start: Vec::with_capacity(p.locations.len() + 1),
            loc_infos: Vec::with_capacity(p.locations.len()),
        };
        t.loc_start.push(0);
        t.string_ids.insert(String::new(), 0);
        // Per function: interned name, orig name, cleaned file.
        let mut fn_syms: Vec<Option<(Sym, Sym, Sym)>> = vec![None; p.functions.len()];
        for loc in &p.locations {
            let objfile = match loc.mapping {
                Some(m) => {
                    let f = p.str(p.mappings[m as usize].filename);
                    t.intern(f)
                }
                None => 0,
            };
            let mut frames = std::mem::take(&mut t.loc_infos);
            if loc.lines.is_empty() {
                let ni = NodeInfo { address: loc.address, objfile, ..Default::default() };
                frames.push(t.intern_info(ni));
            }
            for line in &loc.lines {
                let fi = line.function as usize;
                let Some(f) = p.functions.get(fi) else {
                    let ni = NodeInfo { address: loc.address, objfile, ..Default::default() };
                    frames.push(t.intern_info(ni));
                    continue;
                };
                let (name, orig, file) = match fn_syms[fi] {
                    Some(x) => x,
                    None => {
                        let name = t.intern(p.str(f.name));
                        let orig = t.intern(p.str(f.system_name));
                        let fname = p.str(f.filename);
                        let file = if fname.is_empty() { 0 } else { t.intern(&clean_path(fname)) };
                        fn_syms[fi] = Some((name, orig, file));
                        (name, orig, file)
                    }
                };
                let mut ni = NodeInfo {
                    address: loc.address,
                    lineno: line.line,
                    columnno: line.column,
                    name,
                    file,
                    ..Default::default()
                };
                if orig_fn_names {
                    ni.orig_name = orig;
                }
                if obj_names || (ni.name == 0 && ni.orig_name == 0) {
                    ni.objfile = objfile;
                    ni.start_line = f.start_line;
                }
                frames.push(t.intern_info(ni));
            }
            t.loc_infos = frames;
            t.loc_start.push(t.loc_infos.len() as u32);
        }
        t
    }

    /// A table with no infos, for graphs built by hand (tests, other front ends).
    pub fn empty() -> NodeTable {
        let mut t = NodeTable {
            strings: vec![String::new()],
            string_ids: FxHashMap::default(),
            infos: Vec::new(),
            info_ids: FxHashMap::default(),
            printable: Vec::new(),
            loc_start: vec![0],
            loc_infos: Vec::new(),
        };
        t.string_ids.insert(String::new(), 0);
        t
    }

    /// Interns a string (function or file name) for use in a [`NodeInfo`].
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&id) = self.string_ids.get(s) {
            return id;
        }
        let id = self.strings.len() as Sym;
        self.strings.push(s.to_string());
        self.string_ids.insert(s.to_string(), id);
        id
    }

    /// Interns an info (and computes its printable name).
    pub fn intern_info(&mut self, ni: NodeInfo) -> InfoId {
        if let Some(&id) = self.info_ids.get(&ni) {
            return id;
        }
        let id = self.infos.len() as InfoId;
        self.infos.push(ni);
        self.info_ids.insert(ni, id);
        let name = self.name_components(&ni).join(" ");
        self.printable.push(name);
        id
    }

    /// Looks up the id of an info, if interned.
    pub fn find(&self, ni: &NodeInfo) -> Option<InfoId> {
        self.info_ids.get(ni).copied()
    }

    pub fn len(&self) -> usize {
        self.infos.len()
    }
    pub fn is_empty(&self) -> bool {
        self.infos.is_empty()
    }

    pub fn str(&self, s: Sym) -> &str {
        &self.strings[s as usize]
    }

    pub fn info(&self, id: InfoId) -> &NodeInfo {
        &self.infos[id as usize]
    }

    pub fn printable_name(&self, id: InfoId) -> &str {
        &self.printable[id as usize]
    }

    /// Frames of location `loc` (index into `Profile::locations`), in line order.
    pub fn frames(&self, loc: usize) -> &[InfoId] {
        &self.loc_infos[self.loc_start[loc] as usize..self.loc_start[loc + 1] as usize]
    }

    /// pprof `NameComponents`.
    pub fn name_components(&self, i: &NodeInfo) -> Vec<String> {
        let mut name = Vec::new();
        if i.address != 0 {
            name.push(format!("{:016x}", i.address));
        }
        if i.name != 0 {
            name.push(self.str(i.name).to_string());
        }
        if i.lineno != 0 {
            let mut s = format!("{}:{}", self.str(i.file), i.lineno);
            if i.columnno != 0 {
                s += &format!(":{}", i.columnno);
            }
            name.push(s);
        } else if i.file != 0 {
            name.push(self.str(i.file).to_string());
        } else if i.name != 0 {
        } else if i.objfile != 0 {
            name.push(format!("[{}]", base_name(self.str(i.objfile))));
        } else {
            name.push("<unknown>".to_string());
        }
        name
    }

    /// Orders two infos like comparing their printable names (addresses numerically).
    pub fn compare_printable(&self, a: InfoId, b: InfoId) -> Ordering {
        if a == b {
            return Ordering::Equal;
        }
        let (ia, ib) = (self.info(a), self.info(b));
        if ia.address != 0 && ib.address != 0 && ia.address != ib.address {
            return ia.address.cmp(&ib.address);
        }
        self.printable_name(a).cmp(self.printable_name(b))
    }

    /// The final tie-break of pprof's node orders: the Go `%v` rendering of the info struct.
    pub fn go_struct_string(&self, id: InfoId) -> String {
        let i = self.info(id);
        format!(
            "{{{} {} {} {} {} {} {} {}}}",
            self.str(i.name),
            self.str(i.orig_name),
            i.address,
            self.str(i.file),
            i.start_line,
            i.lineno,
            i.columnno,
            self.str(i.objfile)
        )
    }
}

/// Last element of a slash-separated path (Go `filepath.Base` on Unix).
pub fn base_name(p: &str) -> &str {
    if p.is_empty() {
        return ".";
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/";
    }
    match t.rfind('/') {
        Some(i) => &t[i + 1..],
        None => t,
    }
}

/// Lexical path cleaning (Go `filepath.Clean` on Unix).
pub fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    let mut dotdot = 0; // number of leading ".." kept (non-rooted)
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.len() > dotdot {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                    dotdot += 1;
                }
            }
            x => out.push(x),
        }
    }
    let joined = out.join("/");
    if rooted {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_string()
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn clean() {
        assert_eq!(clean_path("a/b/../c"), "a/c");
        assert_eq!(clean_path("/../a//b/./c/"), "/a/b/c");
        assert_eq!(clean_path("../../a"), "../../a");
        assert_eq!(clean_path("a/.."), ".");
        assert_eq!(clean_path("testdata/file1000.src"), "testdata/file1000.src");
        assert_eq!(base_name("/path/to/testbinary"), "testbinary");
    }
}
