//! Resource limits (README "Limits"): each is an error naming the limit, never an abort.

use std::io::Write;

use goroscope_core::pprof::{self, Limits, ProfileError};
use goroscope_core::source::{GzipError, MaxDecompressed, Source, SourceError};
use goroscope_core::stacks::parse::{self, parse_chunked_limited, parse_limited, ParseError};

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

#[test]
fn gzip_dump_bomb_is_refused() {
    let bomb = gzip(&vec![b'\n'; 4 << 20]);
    match Source::from_bytes_limited(bomb.clone(), "bomb", MaxDecompressed(1 << 20)) {
        Err(SourceError::Gzip { source: GzipError::TooLarge { limit }, .. }) => assert_eq!(limit, 1 << 20),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("inflated past the cap"),
    }
    // exactly at the cap is fine
    assert_eq!(Source::from_bytes_limited(bomb, "bomb", MaxDecompressed(4 << 20)).unwrap().bytes().len(), 4 << 20);
    let dir = std::env::temp_dir().join(format!("goroscope-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bomb.gz");
    std::fs::write(&f, gzip(&vec![b' '; 3 << 20])).unwrap();
    assert!(matches!(
        Source::open_limited(&f, MaxDecompressed(1 << 20)),
        Err(SourceError::Gzip { source: GzipError::TooLarge { .. }, .. })
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

fn many_goroutines(n: usize, frames: usize) -> Vec<u8> {
    let mut s = String::new();
    for i in 0..n {
        s += &format!("goroutine {} [running]:\n", i + 1);
        for _ in 0..frames {
            s += "main.f()\n\t/x.go:1 +0x1\n";
        }
        s += "\n";
    }
    s.into_bytes()
}

#[test]
fn goroutine_limit() {
    let l = parse::Limits { max_goroutines: 10, ..parse::Limits::default() };
    assert_eq!(parse_limited(Source::Owned(many_goroutines(10, 1)), "ok", &l).unwrap().goroutines.len(), 10);
    for chunk in [usize::MAX, 1, 100] {
        let e = parse_chunked_limited(Source::Owned(many_goroutines(11, 1)), "big", chunk, &l).err().expect("limit");
        assert!(matches!(e, ParseError::Limit { limit: 10, .. }), "{e}");
        assert!(e.to_string().contains("goroutines"), "{e}");
    }
}

#[test]
fn frame_limit() {
    let l = parse::Limits { max_frames_per_goroutine: 50, ..parse::Limits::default() };
    assert!(parse_limited(Source::Owned(many_goroutines(3, 50)), "ok", &l).is_ok());
    for chunk in [usize::MAX, 1] {
        let e = parse_chunked_limited(Source::Owned(many_goroutines(3, 51)), "deep", chunk, &l).err().expect("limit");
        assert!(matches!(e, ParseError::Limit { limit: 50, .. }), "{e}");
        assert!(e.to_string().contains("goroutine 1 "), "{e}");
    }
}

#[test]
fn profile_record_limits() {
    // 1000 samples of one value, 4 bytes each
    let mut b = vec![0x0a, 0x00]; // sample_type {}
    for _ in 0..1000 {
        b.extend([0x12, 0x02, 0x10, 0x01]); // sample { value: 1 }
    }
    b.extend([0x32, 0x00]); // string_table ""
    let l = Limits { max_samples: 999, ..Limits::default() };
    let e = pprof::parse(&b, "many", &l).unwrap_err();
    assert_eq!(e, ProfileError::TooMany { what: "samples", count: 1000, limit: 999 });
    let p = pprof::parse(&b, "many", &Limits { max_samples: 1000, ..Limits::default() }).unwrap();
    assert_eq!(p.samples.len(), 1000);
}
