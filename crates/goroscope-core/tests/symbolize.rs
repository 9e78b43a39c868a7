//! Symbolization against real Go binaries: `fixtures/symbolize` is built here by **both supported
//! toolchains** (Go 1.26.8, the local `go`, and Go 1.27.3 through `GOTOOLCHAIN=go1.27.3`, which
//! the go command fetches from the module proxy once per machine), normally, without DWARF
//! `-ldflags=-w`, without symbols `-ldflags=-s -w`, and as a PIE; each binary writes a CPU profile
//! of itself, the profile's functions and lines are stripped (written with our encoder and read
//! back), and symbolizing it from the binary must give back the original `-raw` and `-lines -top`
//! output. Needs `go` on PATH (the test fails loudly without it).
//!
//! Binaries are cached by content hash (toolchain, flags, sources) under
//! `~/.cache/goroscope/go-bin/`; the profiles are made fresh on every run. The fixture burns a
//! fixed amount of *CPU time* (not wall time), so a loaded machine only makes it slower.
//!
//! Expected differences: the main mapping's flags. Go's runtime marks a symbolized mapping
//! `[FN]` only; pprof (and we) mark a mapping symbolized from a binary `[FN][FL][LN][IN]`.
//! With DWARF forced (`Prefer::Dwarf`) the whole `-raw` has come out identical in our runs, but
//! runtime assembly frames could differ in principle, so that path is asserted on the program's
//! own `main.*` frames (`SHOW_DWARF_DIFF=1` prints any difference).

use std::path::{Path, PathBuf};
use std::process::Command;

use goroscope_core::pprof::{self, encode, raw, Limits, Profile};
use goroscope_core::driver;
use goroscope_core::symbolize::{self, Options, Prefer, SymbolizeError};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The supported runtimes: (name, GOTOOLCHAIN, the version the binary must carry).
const TOOLCHAINS: &[(&str, &str, &str)] = &[("go126", "local", "go1.26."), ("go127", "go1.27.3", "go1.27.3")];

fn go(toolchain: &str) -> Command {
    let ok = Command::new("go").arg("version").output().map(|o| o.status.success()).unwrap_or(false);
    assert!(ok, "these tests need the Go toolchain: `go` is not on PATH (install Go >= 1.26)");
    let mut c = Command::new("go");
    c.env("GOTOOLCHAIN", toolchain).env("GOFLAGS", "-mod=mod").env("CGO_ENABLED", "0");
    c
}

/// FNV-1a, 64 bit: a cache key, not a security boundary.
fn fnv(h: &mut u64, bytes: &[u8]) {
    for b in bytes {
        *h ^= u64::from(*b);
        *h = h.wrapping_mul(0x100000001b3);
    }
    *h ^= 0xff; // separator, so ("ab","c") and ("a","bc") differ
    *h = h.wrapping_mul(0x100000001b3);
}

/// Builds `pkg` with `toolchain` and `flags` into `out`, through the content-hash cache.
fn build(toolchain: &str, pkg: &str, out: &Path, flags: &[&str]) {
    let dir = Path::new(ROOT).join(pkg);
    let mut h = 0xcbf29ce484222325u64;
    fnv(&mut h, toolchain.as_bytes());
    for f in flags {
        fnv(&mut h, f.as_bytes());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "go" || x == "mod"))
        .collect();
    files.sort();
    for f in &files {
        fnv(&mut h, f.file_name().unwrap().as_encoded_bytes());
        fnv(&mut h, &std::fs::read(f).unwrap());
    }
    let cache = std::env::var_os("HOME").map(|d| PathBuf::from(d).join(".cache/goroscope/go-bin"));
    let cached = cache.as_ref().map(|c| c.join(format!("{}-{h:016x}", pkg.replace('/', "-"))));
    if let Some(c) = cached.as_ref().filter(|c| c.is_file()) {
        std::fs::copy(c, out).unwrap();
        return;
    }
    let st = go(toolchain).arg("build").args(flags).arg("-o").arg(out).arg(".").current_dir(&dir).status().expect("go build");
    assert!(st.success(), "GOTOOLCHAIN={toolchain} go build {pkg} {flags:?} failed");
    if let (Some(dir), Some(c)) = (cache.as_ref(), cached.as_ref()) {
        // Atomic: a concurrent test run never sees half a binary.
        let tmp = c.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::create_dir_all(dir).is_ok() && std::fs::copy(out, &tmp).is_ok() && std::fs::rename(&tmp, c).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

struct Kind {
    name: &'static str,
    flags: &'static [&'static str],
}

const KINDS: &[Kind] = &[
    Kind { name: "full", flags: &[] },
    Kind { name: "nodwarf", flags: &["-ldflags=-w"] },
    Kind { name: "stripped", flags: &["-ldflags=-s -w"] },
    Kind { name: "pie", flags: &["-buildmode=pie"] },
];

struct Built {
    /// e.g. "go127-pie"
    name: String,
    kind: &'static str,
    binary: Vec<u8>,
    profile: Profile,
    /// The goroutine profile written while `main.hold` is parked in the inlined generic method.
    goroutines: Profile,
}

/// The binaries of one toolchain, and its build of the other fixture program (a wrong binary).
struct Set {
    built: Vec<Built>,
    goprog: Vec<u8>,
}

impl Set {
    fn kind(&self, k: &str) -> &Built {
        self.built.iter().find(|b| b.kind == k).unwrap()
    }
}

fn tmpdir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("goroscope-symbolize-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Builds every kind with every toolchain, runs them in parallel (each profiles itself for 1 s of
/// CPU time), and builds `fixtures/goprog` per toolchain as a wrong binary.
fn fixtures() -> &'static [Set] {
    static F: std::sync::OnceLock<Vec<Set>> = std::sync::OnceLock::new();
    F.get_or_init(|| {
        let dir = tmpdir();
        let mut names = Vec::new();
        for (go, toolchain, version) in TOOLCHAINS {
            for k in KINDS {
                let bin = dir.join(format!("{go}-{}", k.name));
                build(toolchain, "fixtures/symbolize", &bin, k.flags);
                let data = std::fs::read(&bin).unwrap();
                assert!(data.windows(version.len()).any(|w| w == version.as_bytes()), "{go}-{}: built by {version}", k.name);
                names.push((*go, k.name));
            }
            build(toolchain, "fixtures/goprog", &dir.join(format!("{go}-goprog")), &[]);
        }
        let children: Vec<_> = names
            .iter()
            .map(|(go, k)| {
                Command::new(dir.join(format!("{go}-{k}")))
                    .arg("-o")
                    .arg(dir.join(format!("{go}-{k}.pprof")))
                    .arg("-cpu")
                    .arg("1s")
                    .arg("-goroutine")
                    .arg(dir.join(format!("{go}-{k}.goroutine.pprof")))
                    .spawn()
                    .expect("run fixture")
            })
            .collect();
        for mut c in children {
            assert!(c.wait().unwrap().success());
        }
        let sets = TOOLCHAINS
            .iter()
            .map(|(go, _, _)| Set {
                built: KINDS
                    .iter()
                    .map(|k| {
                        let name = format!("{go}-{}", k.name);
                        let data = std::fs::read(dir.join(format!("{name}.pprof"))).unwrap();
                        let g = std::fs::read(dir.join(format!("{name}.goroutine.pprof"))).unwrap();
                        Built {
                            kind: k.name,
                            binary: std::fs::read(dir.join(&name)).unwrap(),
                            profile: pprof::parse(&data, &name, &Limits::default()).unwrap(),
                            goroutines: pprof::parse(&g, &name, &Limits::default()).unwrap(),
                            name,
                        }
                    })
                    .collect(),
                goprog: std::fs::read(dir.join(format!("{go}-goprog"))).unwrap(),
            })
            .collect();
        let _ = std::fs::remove_dir_all(&dir);
        sets
    })
}

/// The profile with only addresses: no lines, no functions, mappings not symbolized; written
/// with our encoder and read back.
fn strip(p: &Profile) -> Profile {
    let mut q = p.clone();
    for l in &mut q.locations {
        l.lines.clear();
    }
    q.functions.clear();
    for m in &mut q.mappings {
        m.has_functions = false;
        m.has_filenames = false;
        m.has_line_numbers = false;
        m.has_inline_frames = false;
    }
    pprof::parse(&encode::encode(&q), "stripped", &Limits::default()).unwrap()
}

/// The original with the flags pprof sets after symbolizing from a binary.
fn expected(p: &Profile) -> Profile {
    let mut q = p.clone();
    let m = &mut q.mappings[0];
    m.has_functions = true;
    m.has_filenames = true;
    m.has_line_numbers = true;
    m.has_inline_frames = true;
    q
}

fn top(p: &Profile) -> String {
    let mut inv = driver::parse_command_line(&["-top".into(), "-lines".into(), "-nodecount=1000".into()]).unwrap();
    inv.fetch.sources = vec![p.clone().into()];
    driver::run(inv).unwrap().text
}

fn diff(a: &str, b: &str) -> String {
    let mut out = String::new();
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            out.push_str(&format!("line {i}:\n  want {x}\n  got  {y}\n"));
        }
    }
    if a.lines().count() != b.lines().count() {
        out.push_str(&format!("{} lines vs {}\n", a.lines().count(), b.lines().count()));
    }
    out
}

#[test]
fn symbolizes_back_from_every_binary_kind() {
    for set in fixtures() {
        let built = &set.built;
        for b in built {
            let orig = &b.profile;
            assert!(orig.locations.iter().all(|l| !l.lines.is_empty()), "{}: Go symbolizes its own profiles", b.name);
            let names = raw::to_string(orig);
            for f in ["main.hashLoop", "main.sieve", "main.fib", "main.mix"] {
                assert!(names.contains(f), "{}: the profile shows {f}:\n{names}", b.name);
            }
            let mut p = strip(orig);
            assert!(raw::to_string(&p).lines().all(|l| !l.contains("main.")), "{}: stripped", b.name);
            let stats = symbolize::symbolize(&mut p, &b.binary, &Options::default()).unwrap();
            assert_eq!(stats.unresolved, 0, "{}: {stats:?}", b.name);
            assert_eq!(stats.symbolized, orig.locations.len(), "{}: {stats:?}", b.name);
            assert_eq!(stats.by_pclntab, stats.symbolized, "{}: {stats:?}", b.name);
            assert_eq!(stats.pclntab, Some("go1.20"));
            assert_eq!(stats.has_dwarf, b.kind == "full" || b.kind == "pie", "{}", b.name);
            assert_eq!(stats.has_symtab, b.kind != "stripped", "{}", b.name);
            let want = raw::to_string(&expected(orig));
            let got = raw::to_string(&p);
            assert!(want == got, "{}: -raw differs:\n{}", b.name, diff(&want, &got));
            assert_eq!(top(orig), top(&p), "{}: -top -lines", b.name);
            // The inlined helper comes back as an inline frame of its caller.
            assert!(got.contains("main.mix ") && got.contains("\n             main.hashLoop "), "{}:\n{got}", b.name);
        }
    }
}

/// Generic code: the runtime's profiles name a function by its full symbol name
/// (`runtime_FrameSymbolName`, the shape spelled out), not by `Frame.Function`'s
/// `funcNameForPrint` (`[...]`), for real and inlined frames alike. The goroutine profile is
/// written while `main.hold[shape]` is parked in the inlined `main.(*Box[shape]).Wait`, so both
/// are always there (a CPU profile has such frames only when a sample lands in one).
#[test]
fn generic_frames_keep_their_shape_names() {
    const SHAPE: &str = "go.shape.struct { main.key uint64; main.vals [4]uint64 }";
    for set in fixtures() {
        for b in &set.built {
            let orig = &b.goroutines;
            let want = raw::to_string(&expected(orig));
            let wait = format!("main.(*Box[{SHAPE}]).Wait ");
            let hold = format!("\n             main.hold[{SHAPE}] ");
            assert!(want.contains(&wait) && want.contains(&hold), "{}: the runtime's names:\n{want}", b.name);
            let mut p = strip(orig);
            let stats = symbolize::symbolize(&mut p, &b.binary, &Options::default()).unwrap();
            assert_eq!((stats.unresolved, stats.symbolized), (0, orig.locations.len()), "{}: {stats:?}", b.name);
            let got = raw::to_string(&p);
            assert!(want == got, "{}: -raw differs:\n{}", b.name, diff(&want, &got));
            if b.kind == "full" {
                // DWARF names the same functions the same way.
                let mut p = strip(orig);
                let opts = Options { prefer: Prefer::Dwarf, ..Options::default() };
                symbolize::symbolize(&mut p, &b.binary, &opts).unwrap();
                let got = raw::to_string(&p);
                assert!(got.contains(&wait) && got.contains(&hold), "{}: DWARF names:\n{got}", b.name);
            }
            if b.kind == "nodwarf" {
                // So does the ELF symbol table (no inlined frames there: the real function only).
                let mut p = strip(orig);
                let opts = Options { prefer: Prefer::Symtab, ..Options::default() };
                symbolize::symbolize(&mut p, &b.binary, &opts).unwrap();
                let got = raw::to_string(&p);
                assert!(got.contains(&format!(" main.hold[{SHAPE}] :0:0")), "{}: symbol table names:\n{got}", b.name);
            }
        }
    }
}

/// What the Go 1.26+ linker does differently (the reasons the older readers fail): moduledata in
/// its own `.go.module` section, no `.gosymtab`, the pcHeader's textStart left 0 (the runtime
/// fills it from moduledata), and funcdata (`go:func.*`) inside `.gopclntab`. Every binary kind of
/// both toolchains is checked, so a later toolchain that changes the layout again shows up here.
#[test]
fn go126_and_go127_binary_layout() {
    for set in fixtures() {
        for b in &set.built {
            let elf = symbolize::elf::Elf::parse(&b.binary).unwrap();
            assert!(elf.section_range(".go.module").is_some(), "{}: .go.module", b.name);
            assert!(elf.section_range(".gosymtab").is_none(), "{}: no .gosymtab", b.name);
            let pcln = elf.section(".gopclntab").unwrap().expect(".gopclntab");
            assert_eq!(&pcln[..4], &0xfffffff1u32.to_le_bytes(), "{}: go1.20 pcHeader magic", b.name);
            let text_start = u64::from_le_bytes(pcln[24..32].try_into().unwrap());
            assert_eq!(text_start, 0, "{}: pcHeader.textStart", b.name);
            if b.kind != "stripped" {
                let (lo, size) = elf.section_range(".gopclntab").unwrap();
                let hi = lo + size;
                let gofunc = elf.symbol_address("go:func.*").expect("go:func.* symbol");
                assert!(lo <= gofunc && gofunc < hi, "{}: go:func.* {gofunc:#x} in .gopclntab [{lo:#x}, {hi:#x})", b.name);
            }
        }
    }
}

#[test]
fn pie_addresses_are_rebased() {
    for set in fixtures() {
        let pie = set.kind("pie");
        let m = &pie.profile.mappings[0];
        assert!(m.memory_start > 0x10000000, "a PIE is mapped high: {:#x}", m.memory_start);
    }
}

#[test]
fn dwarf_agrees_with_pclntab_on_the_program_frames() {
    for set in fixtures() {
        let full = set.kind("full");
        let mut p = strip(&full.profile);
        let opts = Options { prefer: Prefer::Dwarf, ..Options::default() };
        let stats = symbolize::symbolize(&mut p, &full.binary, &opts).unwrap();
        assert_eq!(stats.by_dwarf, stats.symbolized, "{stats:?}");
        assert!(stats.symbolized * 10 >= stats.locations * 9, "{stats:?}");
        let want = raw::to_string(&expected(&full.profile));
        let got = raw::to_string(&p);
        let main = |s: &str| -> Vec<String> {
            s.lines().filter(|l| l.contains("main.") && l.contains("fixtures/symbolize")).map(|l| l.to_string()).collect()
        };
        if std::env::var_os("SHOW_DWARF_DIFF").is_some() {
            eprintln!("{}", diff(&want, &got));
        }
        let (w, g) = (main(&want), main(&got));
        assert!(!w.is_empty());
        assert_eq!(w, g, "DWARF frames of main.*:\n{}", diff(&w.join("\n"), &g.join("\n")));
    }
}

#[test]
fn no_dwarf_binary_refuses_dwarf_only() {
    for set in fixtures() {
        let b = set.kind("nodwarf");
        let mut p = strip(&b.profile);
        let before = p.clone();
        let opts = Options { prefer: Prefer::Dwarf, ..Options::default() };
        let e = symbolize::symbolize(&mut p, &b.binary, &opts).unwrap_err();
        assert!(matches!(e, SymbolizeError::Missing(_)), "{e}");
        assert!(p == before);
    }
}

#[test]
fn symbol_table_gives_names_only() {
    for set in fixtures() {
        let b = set.kind("nodwarf");
        let mut p = strip(&b.profile);
        let opts = Options { prefer: Prefer::Symtab, ..Options::default() };
        let stats = symbolize::symbolize(&mut p, &b.binary, &opts).unwrap();
        assert_eq!(stats.by_symtab, stats.symbolized);
        let m = &p.mappings[0];
        assert!(m.has_functions && !m.has_filenames && !m.has_line_numbers && m.has_inline_frames);
        let got = raw::to_string(&p);
        // Inlined main.mix is not visible in the symbol table: its samples land on main.hashLoop.
        assert!(got.contains("main.hashLoop :0:0 s=0") && !got.contains("main.mix"), "{got}");
        // -s removed the symbol table.
        let s = set.kind("stripped");
        let mut p = strip(&s.profile);
        assert!(matches!(symbolize::symbolize(&mut p, &s.binary, &opts), Err(SymbolizeError::Missing(_))));
    }
}

#[test]
fn wrong_binary_is_an_error_and_leaves_the_profile() {
    for set in fixtures() {
        let goprog = &set.goprog;
        let full = set.kind("full");
        let mut p = strip(&full.profile);
        let before = p.clone();
        let e = symbolize::symbolize(&mut p, goprog, &Options::default()).unwrap_err();
        assert!(matches!(e, SymbolizeError::Mismatch { .. }), "{e}");
        let msg = e.to_string();
        assert!(msg.contains("does not match") && msg.contains(&full.profile.strings[full.profile.mappings[0].build_id as usize]), "{msg}");
        assert!(p == before);
        // Another build of the same program is another binary too.
        let nodwarf = set.kind("nodwarf");
        assert!(matches!(symbolize::symbolize(&mut p, &nodwarf.binary, &Options::default()), Err(SymbolizeError::Mismatch { .. })));
        assert!(p == before);
    }
}

#[test]
fn non_elf_is_an_error() {
    for set in fixtures() {
        let built = &set.built;
        let mut p = strip(&built[0].profile);
        let before = p.clone();
        let e = symbolize::symbolize(&mut p, b"just some text\n", &Options::default()).unwrap_err();
        assert_eq!(e.to_string(), "the binary is a text file");
        assert!(p == before);
        let e = symbolize::symbolize(&mut p, b"\x7fELF\x02\x01garbage", &Options::default()).unwrap_err();
        assert!(matches!(e, SymbolizeError::BadElf(_)), "{e}");
        assert!(p == before);
    }
}

#[test]
fn remote_names_apply_to_address_only_locations() {
    for set in fixtures() {
        let full = set.kind("full");
        let mut p = strip(&full.profile);
        let addrs = symbolize::unsymbolized_addresses(&p, false);
        assert_eq!(addrs.len(), p.locations.len());
        // What /debug/pprof/symbol answers: runtime.FuncForPC(pc).Name(), the innermost function.
        let mut text = String::from("num_symbols: 1\n");
        for l in &full.profile.locations {
            let f = &full.profile.functions[l.lines[0].function as usize];
            text.push_str(&format!("{:#x} {}\n", l.address, full.profile.str(f.name)));
        }
        let names = symbolize::parse_symbolz(&text).unwrap();
        let stats = symbolize::apply_names(&mut p, &names, false);
        assert_eq!(stats.symbolized, p.locations.len(), "{stats:?}");
        assert!(p.mappings[0].has_functions && !p.mappings[0].has_filenames);
        for (a, b) in p.locations.iter().zip(&full.profile.locations) {
            assert_eq!(a.lines.len(), 1);
            assert_eq!(p.str(p.functions[a.lines[0].function as usize].name), full.profile.str(full.profile.functions[b.lines[0].function as usize].name));
        }
    }
}

#[test]
fn go_build_id_names_the_binary_too() {
    for set in fixtures() {
        let full = set.kind("full");
        let elf = symbolize::elf::Elf::parse(&full.binary).unwrap();
        let go_id = elf.go_build_id.clone().expect("a Go build id note");
        assert_eq!(go_id.split('/').count(), 4, "{go_id}");
        // A profile whose mapping carries the Go build id instead of the GNU one still matches.
        let mut p = strip(&full.profile);
        let i = p.intern(&go_id);
        p.mappings[0].build_id = i;
        let stats = symbolize::symbolize(&mut p, &full.binary, &Options::default()).unwrap();
        assert_eq!(stats.symbolized, stats.locations);
        // No build id: the file's base name decides.
        let mut p = strip(&full.profile);
        p.mappings[0].build_id = 0;
        let e = symbolize::symbolize(&mut p, &full.binary, &Options { binary_name: Some("/elsewhere/other".into()), ..Options::default() });
        assert!(matches!(e, Err(SymbolizeError::Mismatch { .. })));
        let base = full.profile.str(full.profile.mappings[0].filename).rsplit('/').next().unwrap().to_string();
        let opts = Options { binary_name: Some(format!("/elsewhere/{base}")), ..Options::default() };
        assert!(symbolize::symbolize(&mut p, &full.binary, &opts).unwrap().symbolized > 0);
    }
}

/// `-top -lines` of the command line `args` with `profile` as its source and `binary` as
/// pprof's `[binary]` argument: symbolization is the driver's fetch step.
fn driver_top(args: &[&str], profile: &Profile, binary: &Path) -> String {
    let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    args.extend(["-top".into(), "-lines".into(), "-nodecount=1000".into()]);
    let mut inv = driver::parse_command_line(&args).unwrap();
    inv.fetch.sources = vec![profile.clone().into()];
    inv.fetch.binary = Some(binary.to_path_buf());
    driver::run(inv).unwrap().text
}

#[test]
fn driver_symbolizes_unless_symbolize_is_none() {
    for set in fixtures() {
        let full = set.kind("full");
        let dir = tmpdir();
        let bin = dir.join("full-for-driver");
        std::fs::write(&bin, &full.binary).unwrap();
        let p = strip(&full.profile);
        let symbolized = driver_top(&[], &p, &bin);
        assert_eq!(symbolized, top(&full.profile), "the driver symbolizes from [binary]");
        for mode in ["-symbolize=none", "-symbolize=remote"] {
            // Remote symbolization is the caller's (it needs the network): locally nothing happens.
            assert_eq!(driver_top(&[mode], &p, &bin), top(&p), "{mode} leaves the addresses");
        }
        assert_eq!(driver_top(&["-symbolize=local:force"], &p, &bin), symbolized);
        let _ = std::fs::remove_file(&bin);
    }
}

/// `go tool pprof -disasm=RE BINARY PROFILE` (Go 1.26's pprof): instruction address → its
/// flat and cum strings.
fn go_disasm_values(re: &str, binary: &Path, profile: &Path) -> std::collections::HashMap<u64, (String, String)> {
    let out = go("local").args(["tool", "pprof", &format!("-disasm={re}")]).arg(binary).arg(profile).output().expect("go tool pprof");
    assert!(out.status.success(), "go tool pprof -disasm: {}", String::from_utf8_lossy(&out.stderr));
    let rx = regex::Regex::new(r"^\s*(\S+)\s+(\S+)\s+([0-9a-f]+): ").unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| rx.captures(l))
        .map(|c| (u64::from_str_radix(&c[3], 16).unwrap(), (c[1].to_string(), c[2].to_string())))
        .collect()
}

#[test]
fn weblist_lines_carry_their_instructions_with_pprof_disasm_values() {
    use goroscope_core::report::ReportData;
    for set in fixtures() {
        let full = set.kind("full");
        let dir = tmpdir();
        let (bin, prof) = (dir.join(format!("{}-weblist", full.name)), dir.join(format!("{}-weblist.pprof", full.name)));
        std::fs::write(&bin, &full.binary).unwrap();
        std::fs::write(&prof, encode::encode(&full.profile)).unwrap();
        let run = |binary: Option<&Path>| {
            let mut inv = driver::parse_command_line(&["-weblist=main\\.".to_string()]).unwrap();
            inv.fetch.sources = vec![full.profile.clone().into()];
            inv.fetch.binary = binary.map(Path::to_path_buf);
            match driver::run(inv).unwrap().data {
                ReportData::WebList(b) => b,
                d => panic!("{}: {d:?}", full.name),
            }
        };
        let blocks = run(Some(&bin));
        let pprof = go_disasm_values("main\\.", &bin, &prof);
        let mut hot = 0;
        for b in &blocks {
            for l in &b.lines {
                // Every sample of the line is at one of its instructions.
                let flat: i64 = l.instructions.iter().map(|i| i.flat).sum();
                assert_eq!(flat, l.flat, "{}: {} line {}: {:?}", full.name, b.name, l.line, l.instructions);
                for i in &l.instructions {
                    assert_eq!(i.line, l.line, "{}: {}", full.name, b.name);
                    let want = pprof.get(&i.address).unwrap_or_else(|| panic!("{}: {:x} not in pprof -disasm", full.name, i.address));
                    assert_eq!((&i.flat_label, &i.cum_label), (&want.0, &want.1), "{}: {} at {:x}", full.name, b.name, i.address);
                }
                if l.flat != 0 {
                    hot += 1;
                }
            }
        }
        assert!(hot > 0, "{}: no sampled line has instructions", full.name);
        // Without the binary (the profile's mapping names a deleted file): source only.
        let _ = std::fs::remove_file(&bin);
        let plain = run(None);
        assert!(plain.iter().all(|b| b.lines.iter().all(|l| l.instructions.is_empty())), "{}", full.name);
        let strip_insts = |mut v: Vec<goroscope_core::report::SourceFunction>| {
            v.iter_mut().for_each(|b| b.lines.iter_mut().for_each(|l| l.instructions.clear()));
            v
        };
        assert_eq!(strip_insts(blocks), plain, "{}: the instructions change nothing else", full.name);
        let _ = std::fs::remove_file(&prof);
    }
}
