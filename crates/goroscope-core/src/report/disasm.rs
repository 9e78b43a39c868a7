//! `-disasm REGEX` (pprof `PrintAssembly`): the machine code of every binary symbol whose name
//! matches and that has samples, one line per instruction with the flat and cum values of the
//! samples at its address.
//!
//! The instructions come from the profile's own binary — the `--binary` file for the mappings
//! it matches (build id, else base name), else the mapping's file when it exists and its build
//! id agrees — decoded with iced-x86 (x86-64 only; no binutils). Symbol ranges are the ELF
//! symbol table's (as `go tool pprof` takes them: `[start, start+size-1)`), else, for a binary
//! stripped of it, Go's pclntab. Each instruction is annotated with the file and line the
//! pclntab gives its address (the innermost position, inside inlined code too), as Go's
//! disassembler does; a sampled instruction whose binary has no line table takes the sample's.
//!
//! The text differs from `go tool pprof`'s in syntax only: Go prints Plan 9 assembly
//! (`MOVQ 0x10(R14), R12`), we print GNU syntax (`mov 0x10(%r14),%r12`), or Intel with
//! `-intel_syntax` (which `go tool pprof` refuses). Addresses, the instruction count and every
//! per-instruction value are pprof's. Bytes that do not decode (a symbol's last, truncated
//! instruction) are `?`, one per byte, as in Go.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use iced_x86::{
    Decoder, DecoderOptions, Formatter, GasFormatter, Instruction, IntelFormatter, OpKind, SymbolResolver,
    SymbolResult,
};
use object::{Object, ObjectSymbol};
use regex::Regex;

use super::source::dot;
use super::{AsmFunction, AsmInstruction, ObjectFile, Report, ReportData, ReportError};
use crate::graph::{base_name, Graph, NodeId};
use crate::measurement;
use crate::symbolize::elf::Elf;
use crate::symbolize::gopclntab::Pclntab;
use crate::symbolize::{is_special_mapping, mapping_is_binary, Translate};

/// A symbol of an object file: `end` is exclusive and, as in `go tool pprof`, one byte short of
/// the symbol's size.
struct Sym {
    name: String,
    start: u64,
    size: u64,
    end: u64,
}

/// One opened object file and what the listing needs from it.
struct Obj {
    path: String,
    data: Arc<Vec<u8>>,
    /// Symbols sorted by address.
    syms: Vec<Sym>,
    /// Profile address → object address for the mapping it was opened for.
    translate: Translate,
}

/// A decoded instruction with the position the binary's line table gives it.
struct Inst {
    addr: u64,
    text: String,
    file: String,
    line: i64,
    /// The function the line table says this code is (an inlined one inside inlined code).
    source_function: String,
}

pub(crate) fn print_assembly(c: &mut Report) -> Result<(String, Vec<String>, ReportData), ReportError> {
    let t = c.trimmed_graph(false);
    let g = &t.graph;
    let rx = c.options.symbol.clone().expect("disasm has a regexp");
    let address = parse_address(rx.as_str());
    let (objs, problems) = open_objects(c, g, &rx, address)?;

    let mut out = String::new();
    let _ = writeln!(out, "Total: {}", c.format_value(c.total));
    // (object, symbol) → its nodes, as pprof's nodesPerSymbol.
    let mut found = 0usize;
    let mut groups: Vec<(usize, usize, Vec<NodeId>)> = Vec::new();
    for (oi, o) in objs.iter().enumerate() {
        for (si, s) in o.syms.iter().enumerate() {
            if !rx.is_match(&s.name) || address.is_some_and(|a| a != 0 && a.wrapping_sub(s.start) >= s.size) {
                continue;
            }
            found += 1;
            let ns: Vec<NodeId> = g
                .nodes
                .iter()
                .copied()
                .filter(|&n| {
                    let a = o.translate.apply(g.info(n).address);
                    a >= s.start && a < s.end
                })
                .collect();
            if !ns.is_empty() {
                groups.push((oi, si, ns));
            }
        }
    }
    if groups.is_empty() {
        // A mapping whose binary could not be read may hold what was asked for.
        if !problems.is_empty() {
            return Err(ReportError::NoBinary(problems.join("; ")));
        }
        return Err(match address {
            None => ReportError::NoSymbolMatches(rx.as_str().to_string()),
            Some(a) if found == 0 => ReportError::NoAddressMatches(a),
            Some(a) => ReportError::AddressWithoutSamples(a),
        });
    }
    groups.sort_by(|a, b| {
        let (sa, sb) = (&objs[a.0].syms[a.1], &objs[b.0].syms[b.1]);
        sa.name.cmp(&sb.name).then(sa.start.cmp(&sb.start))
    });

    // Each object file is parsed once for all its symbols.
    let intel = c.options.intel_syntax;
    let mut code: Vec<Vec<Inst>> = (0..groups.len()).map(|_| Vec::new()).collect();
    for (oi, o) in objs.iter().enumerate() {
        let mine: Vec<usize> = (0..groups.len()).filter(|&gi| groups[gi].0 == oi).collect();
        if mine.is_empty() {
            continue;
        }
        let ranges: Vec<(u64, u64)> = mine.iter().map(|&gi| (o.syms[groups[gi].1].start, o.syms[groups[gi].1].end)).collect();
        for (gi, insts) in mine.into_iter().zip(disassemble(o, &ranges, intel)?) {
            code[gi] = insts;
        }
    }
    let mut functions = Vec::with_capacity(groups.len());
    for ((oi, si, mut ns), insts) in groups.into_iter().zip(code) {
        let o = &objs[oi];
        let s = &o.syms[si];
        let (flat, cum) = ns.iter().fold((0i64, 0i64), |(f, cu), &n| {
            (f.wrapping_add(g.node(n).flat), cu.wrapping_add(g.node(n).cum))
        });
        ns.sort_by(|&a, &b| {
            g.info(a).address.cmp(&g.info(b).address).then_with(|| g.table.compare_printable(g.node(a).info, g.node(b).info))
        });
        let annotated = annotate(g, o, insts, &ns);

        let (flat_label, cum_label) = (c.format_value(flat), c.format_value(cum));
        let _ = writeln!(out, "ROUTINE ======================== {}", s.name);
        let _ = writeln!(out, "{flat_label:>10} {cum_label:>10} (flat, cum) {} of Total", measurement::percentage(cum, c.total));
        let (mut function, mut file, mut line) = (String::new(), String::new(), 0i64);
        let mut instructions = Vec::with_capacity(annotated.len());
        for a in annotated {
            let mut loc = String::new();
            if a.function != function || a.file != file || a.line != line {
                function.clone_from(&a.function);
                file.clone_from(&a.file);
                line = a.line;
                if !a.function.is_empty() {
                    loc = format!("{} ", a.function);
                }
                if !a.file.is_empty() {
                    loc.push_str(&a.file);
                    if a.line != 0 {
                        let _ = write!(loc, ":{}", a.line);
                    }
                }
            }
            let (fl, cl) = (dot(c, a.flat), dot(c, a.cum));
            if loc.is_empty() {
                let _ = writeln!(out, "{fl:>10} {cl:>10} {:>10x}: {}", a.addr, a.text);
            } else if a.text.len() < 40 {
                let _ = writeln!(out, "{fl:>10} {cl:>10} {:>10x}: {:<40};{loc}", a.addr, a.text);
            } else {
                let _ = writeln!(out, "{:74};{loc}", "");
                let _ = writeln!(out, "{fl:>10} {cl:>10} {:>10x}: {}", a.addr, a.text);
            }
            instructions.push(AsmInstruction {
                address: a.addr,
                text: a.text,
                function: a.function,
                file: a.file,
                line: a.line,
                source_function: a.source_function,
                flat: a.flat,
                flat_label: fl,
                cum: a.cum,
                cum_label: cl,
            });
        }
        functions.push(AsmFunction {
            name: s.name.clone(),
            binary: o.path.clone(),
            start: s.start,
            flat,
            flat_label,
            cum,
            cum_label,
            cum_pct: super::text::pct(cum, c.total),
            instructions,
        });
    }
    Ok((out, Vec::new(), ReportData::Disasm(functions)))
}

/// Go's `strconv.ParseUint(s, 0, 64)`: decimal, `0x` hex, `0o`/`0` octal, `0b` binary.
fn parse_address(s: &str) -> Option<u64> {
    let t = s.replace('_', "");
    let (digits, radix) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (h, 16)
    } else if let Some(b) = t.strip_prefix("0b").or_else(|| t.strip_prefix("0B")) {
        (b, 2)
    } else if let Some(o) = t.strip_prefix("0o").or_else(|| t.strip_prefix("0O")) {
        (o, 8)
    } else if t.len() > 1 && t.starts_with('0') {
        (&t[1..], 8)
    } else {
        (t.as_str(), 10)
    };
    if digits.is_empty() || !digits.chars().all(|ch| ch.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// pprof `symbolsFromBinaries`: the object file of every mapping that has samples matching `rx`
/// (or covers `address`). The `--binary` file serves the mappings it matches; another mapping
/// is read from its own file when that exists. Also returns why other such mappings have none.
fn open_objects(c: &Report, g: &Graph, rx: &Regex, address: Option<u64>) -> Result<(Vec<Obj>, Vec<String>), ReportError> {
    let p = &c.prof;
    let mut wanted: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for &n in &g.nodes {
        let obj = g.table.str(g.info(n).objfile);
        if !obj.is_empty() && rx.is_match(g.table.printable_name(g.node(n).info)) {
            wanted.insert(obj);
        }
    }
    let given = match &c.options.binary {
        Some(b) => Some((b, parse_elf(b)?)),
        None => None,
    };
    let only_nameless = p.mappings.len() == 1 && p.str(p.mappings[0].filename).is_empty();
    let mut files: HashMap<String, Arc<Vec<u8>>> = HashMap::new();
    let mut objs = Vec::new();
    let mut given_used = false;
    let mut problems: Vec<String> = Vec::new();
    for (i, m) in p.mappings.iter().enumerate() {
        let name = p.str(m.filename);
        let covers = address.is_some_and(|a| m.memory_start <= a && a <= m.memory_limit);
        if !wanted.contains(name) && !covers {
            continue;
        }
        if let Some((b, elf)) = &given {
            if mapping_is_binary(elf, p, i, only_nameless, Some(&b.path)) {
                given_used = true;
                objs.push(object(&b.path, b.data.clone(), elf, m));
                continue;
            }
        }
        if name.is_empty() || is_special_mapping(name) {
            continue;
        }
        let data = match files.get(name) {
            Some(d) => d.clone(),
            None => match std::fs::read(name) {
                Ok(d) => {
                    let d = Arc::new(d);
                    files.insert(name.to_string(), d.clone());
                    d
                }
                Err(e) => {
                    problems.push(format!("{name}: {e}"));
                    continue;
                }
            },
        };
        let f = ObjectFile { path: name.to_string(), data };
        let elf = parse_elf(&f)?;
        let bid = p.str(m.build_id);
        if !bid.is_empty() && !elf.has_build_id(bid) {
            problems.push(format!("{name}: the file has {}, the profile's mapping build id {bid}", elf.build_ids()));
            continue;
        }
        objs.push(object(&f.path, f.data.clone(), &elf, m));
    }
    if let Some((b, elf)) = &given {
        if !given_used && !wanted.is_empty() {
            let mut names: Vec<&str> = wanted.iter().copied().collect();
            names.sort_unstable();
            return Err(ReportError::Binary {
                path: b.path.clone(),
                reason: format!(
                    "it has {}, which no mapping with matching samples has ({})",
                    elf.build_ids(),
                    names.join(", ")
                ),
            });
        }
    }
    Ok((objs, problems))
}

/// The ELF file `f`, refused unless it is x86-64 code.
fn parse_elf(f: &ObjectFile) -> Result<Elf<'_>, ReportError> {
    let elf = Elf::parse(&f.data).map_err(|e| ReportError::Binary { path: f.path.clone(), reason: e.to_string() })?;
    let arch = elf.file.architecture();
    if arch != object::Architecture::X86_64 {
        return Err(ReportError::Binary {
            path: f.path.clone(),
            reason: format!("it is {arch:?} code; disasm decodes x86-64 only"),
        });
    }
    Ok(elf)
}

/// Go's `objfile` symbols of `elf` (every named ELF symbol but address-0 size-0 ones), else its
/// pclntab functions, with the translation of mapping `m`.
fn object(path: &str, data: Arc<Vec<u8>>, elf: &Elf, m: &crate::pprof::Mapping) -> Obj {
    let mut syms: Vec<Sym> = elf
        .file
        .symbols()
        .filter(|s| !(s.address() == 0 && s.size() == 0))
        .filter_map(|s| {
            let name = s.name().ok().filter(|n| !n.is_empty())?;
            Some(Sym { name: name.to_string(), start: s.address(), size: s.size(), end: s.address().wrapping_add(s.size()).wrapping_sub(1) })
        })
        .collect();
    if syms.is_empty() {
        if let Ok(Some(t)) = Pclntab::find(elf) {
            syms = t
                .functions()
                .into_iter()
                .map(|(n, s, e)| Sym { name: n.to_string(), start: s, size: e - s, end: e.wrapping_sub(1) })
                .collect();
        }
    }
    syms.sort_by_key(|s| s.start);
    Obj { path: path.to_string(), data: Arc::clone(&data), syms, translate: Translate::new(elf, m) }
}

/// Names call and jump targets that are a symbol's start (other targets stay addresses).
struct Targets(Arc<Vec<(u64, String)>>);

impl SymbolResolver for Targets {
    fn symbol(
        &mut self,
        instruction: &Instruction,
        _operand: u32,
        _instruction_operand: Option<u32>,
        address: u64,
        _address_size: u32,
    ) -> Option<SymbolResult<'_>> {
        if !matches!(instruction.op0_kind(), OpKind::NearBranch16 | OpKind::NearBranch32 | OpKind::NearBranch64)
            || instruction.near_branch_target() != address
        {
            return None;
        }
        let i = self.0.partition_point(|s| s.0 < address);
        let (start, name) = self.0.get(i).filter(|s| s.0 == address)?;
        Some(SymbolResult::with_str(*start, name.as_str()))
    }
}

/// Go's `Disasm.Decode(start, end)` for each range of `o`: the instructions starting in
/// `[start, end)`, decoded from the bytes before `end` only; an undecodable byte is a one-byte `?`.
fn disassemble(o: &Obj, ranges: &[(u64, u64)], intel: bool) -> Result<Vec<Vec<Inst>>, ReportError> {
    let elf = Elf::parse(&o.data).map_err(|e| ReportError::Binary { path: o.path.clone(), reason: e.to_string() })?;
    let pclntab = Pclntab::find(&elf).ok().flatten();
    let targets: Vec<(u64, String)> = o.syms.iter().map(|s| (s.start, s.name.clone())).collect();
    let resolver: Box<dyn SymbolResolver> = Box::new(Targets(Arc::new(targets)));
    let mut fmt: Box<dyn Formatter> = if intel {
        Box::new(IntelFormatter::with_options(Some(resolver), None))
    } else {
        Box::new(GasFormatter::with_options(Some(resolver), None))
    };
    let opts = fmt.options_mut();
    opts.set_hex_prefix("0x");
    opts.set_hex_suffix("");
    opts.set_uppercase_hex(false);
    opts.set_space_after_operand_separator(true);
    opts.set_first_operand_char_index(0);
    opts.set_small_hex_numbers_in_decimal(false);
    opts.set_branch_leading_zeros(false);

    let mut all = Vec::with_capacity(ranges.len());
    for &(start, end) in ranges {
        let mut out = Vec::new();
        if end <= start {
            all.push(out);
            continue;
        }
        let Some(code) = elf.read_at(start, (end - start) as usize) else {
            return Err(ReportError::Binary {
                path: o.path.clone(),
                reason: format!("no bytes in the file for {start:#x}-{end:#x}"),
            });
        };
        let mut pos = 0usize;
        let mut instr = Instruction::default();
        while pos < code.len() {
            let pc = start + pos as u64;
            let mut dec = Decoder::with_ip(64, &code[pos..], pc, DecoderOptions::NONE);
            dec.decode_out(&mut instr);
            let (text, size) = if instr.is_invalid() || instr.len() == 0 {
                ("?".to_string(), 1)
            } else {
                let mut s = String::new();
                fmt.format(&instr, &mut s);
                (s, instr.len())
            };
            let (file, line) =
                pclntab.as_ref().and_then(|t| t.line(pc)).map_or((String::new(), 0), |(f, l)| (f.to_string(), l));
            let source_function = pclntab.as_ref().and_then(|t| t.innermost_function(pc)).unwrap_or_default().to_string();
            out.push(Inst { addr: pc, text, file, line, source_function });
            pos += size;
        }
        all.push(out);
    }
    Ok(all)
}

/// An instruction with its samples.
struct Annotated {
    addr: u64,
    text: String,
    function: String,
    file: String,
    line: i64,
    source_function: String,
    flat: i64,
    cum: i64,
}

/// pprof `annotateAssembly`: each instruction gets the nodes (sorted by address) from its
/// address up to the next instruction's; a node fills the instruction's function, file and line
/// only where the binary gave none.
fn annotate(g: &Graph, o: &Obj, insts: Vec<Inst>, ns: &[NodeId]) -> Vec<Annotated> {
    let mut out = Vec::with_capacity(insts.len());
    let nexts: Vec<u64> = insts.iter().skip(1).map(|i| i.addr).chain(std::iter::once(u64::MAX)).collect();
    let mut s = 0usize;
    for (inst, next) in insts.into_iter().zip(nexts) {
        let mut a = Annotated {
            addr: inst.addr,
            text: inst.text,
            function: String::new(),
            file: if inst.file.is_empty() { String::new() } else { base_name(&inst.file).to_string() },
            line: inst.line,
            source_function: inst.source_function,
            flat: 0,
            cum: 0,
        };
        let (mut flat_div, mut cum_div) = (0i64, 0i64);
        while s < ns.len() {
            let n = g.node(ns[s]);
            let info = g.info(ns[s]);
            if o.translate.apply(info.address) >= next {
                break;
            }
            flat_div = flat_div.wrapping_add(n.flat_div);
            a.flat = a.flat.wrapping_add(n.flat);
            cum_div = cum_div.wrapping_add(n.cum_div);
            a.cum = a.cum.wrapping_add(n.cum);
            let file = g.table.str(info.file);
            if !file.is_empty() && a.file.is_empty() {
                a.file = base_name(file).to_string();
            }
            if info.lineno != 0 && a.line == 0 {
                a.line = info.lineno;
            }
            let name = g.table.str(info.name);
            if !name.is_empty() && a.function.is_empty() {
                a.function = name.to_string();
            }
            s += 1;
        }
        if flat_div != 0 {
            a.flat /= flat_div;
        }
        if cum_div != 0 {
            a.cum /= cum_div;
        }
        out.push(a);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parse_address;

    #[test]
    fn addresses_parse_as_go_parse_uint_base_0() {
        assert_eq!(parse_address("0x4e24a0"), Some(0x4e24a0));
        assert_eq!(parse_address("123"), Some(123));
        assert_eq!(parse_address("017"), Some(15));
        assert_eq!(parse_address("0b101"), Some(5));
        assert_eq!(parse_address("0"), Some(0));
        assert_eq!(parse_address("main.fib"), None);
        assert_eq!(parse_address("0x"), None);
        assert_eq!(parse_address("08"), None);
    }
}
