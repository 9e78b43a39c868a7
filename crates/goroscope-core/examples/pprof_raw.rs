//! Prints `pprof -raw` of a profile, or with `--bench` times parsing and reports peak RSS.
//! Usage: cargo run --release --example pprof_raw -- [--bench] FILE

use goroscope_core::pprof::{self, Limits};

/// A synthetic CPU-like profile: `samples` samples of 30 frames over 200k locations.
fn generate(samples: usize) -> pprof::Profile {
    use pprof::*;
    let mut p = Profile::default();
    let mut it = Interner::new(&p);
    p.sample_types = vec![
        ValueType { kind: it.intern(&mut p, "samples"), unit: it.intern(&mut p, "count") },
        ValueType { kind: it.intern(&mut p, "cpu"), unit: it.intern(&mut p, "nanoseconds") },
    ];
    p.period_type = p.sample_types[1];
    p.period = 10_000_000;
    p.mappings.push(Mapping { id: 1, memory_start: 0x400000, memory_limit: 0x2000000, has_functions: true, ..Default::default() });
    let file = it.intern(&mut p, "/src/big/file.go");
    for i in 0..50_000u64 {
        let name = it.intern(&mut p, &format!("pkg{}.(*Type{}).Method{}", i % 97, i % 1013, i));
        p.functions.push(Function { id: i + 1, name, system_name: name, filename: file, start_line: 10 });
    }
    for i in 0..200_000u64 {
        let lines = (0..1 + (i % 3)).map(|k| Line { function: ((i * 7 + k * 13) % 50_000) as u32, line: (i % 500) as i64, column: 0 }).collect();
        p.locations.push(Location { id: i + 1, mapping: Some(0), address: 0x400000 + i * 16, lines, is_folded: false });
    }
    let key = it.intern(&mut p, "goroutine_kind");
    let vals: Vec<Str> = (0..8).map(|i| it.intern(&mut p, &format!("worker-{i}"))).collect();
    let mut x: u64 = 0x9e3779b97f4a7c15;
    for _ in 0..samples {
        let mut locs = Vec::with_capacity(30);
        for _ in 0..30 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            locs.push((x % 200_000) as u32);
        }
        let n = (x % 5 + 1) as i64;
        p.samples.push(Sample { locations: locs, values: vec![n, n * 10_000_000], labels: vec![Label { key, value: LabelValue::Str(vals[(x % 8) as usize]) }] });
    }
    p
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--gen") {
        let n: usize = args[1].parse().expect("--gen SAMPLES OUT");
        let p = generate(n);
        let bytes = pprof::encode::encode(&p);
        std::fs::write(&args[2], &bytes).expect("write");
        eprintln!("wrote {} ({} bytes gz, {} bytes raw)", args[2], bytes.len(), pprof::encode::encode_uncompressed(&p).len());
        return;
    }
    let bench = args.iter().any(|a| a == "--bench");
    let file = args.iter().find(|a| !a.starts_with("--")).expect("usage: pprof_raw [--bench] FILE");
    let data = std::fs::read(file).expect("read");
    let t = std::time::Instant::now();
    let p = match pprof::parse(&data, file, &Limits::default()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{file}: {e}");
            std::process::exit(1);
        }
    };
    let dt = t.elapsed();
    if bench {
        let rss = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM")).map(|l| l.to_string()))
            .unwrap_or_default();
        eprintln!(
            "{file}: {} bytes in, {} samples, {} locations, {} functions, {} strings; parse {:.1} ms; {rss}",
            data.len(),
            p.samples.len(),
            p.locations.len(),
            p.functions.len(),
            p.strings.len(),
            dt.as_secs_f64() * 1e3
        );
    } else {
        print!("{}", pprof::raw::to_string(&p));
    }
}
