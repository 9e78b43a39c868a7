//! A generated 200k-goroutine dump: the analyses complete (they are linear) and count right.
//! No timing is asserted.

use std::fmt::Write;

use goroscope_core::source::Source;
use goroscope_core::stacks::analyze::{analyze, Options, Similarity};
use goroscope_core::stacks::parse::parse;

const N: u64 = 200_000;

fn generate() -> String {
    let mut t = String::with_capacity(N as usize * 200);
    // the holder of the Store mutex
    t.push_str("goroutine 1 [chan receive, 9 minutes]:\nmain.(*Store).flush(0xc000100000, 0xc000900000)\n\t/app/store.go:40 +0x45\nmain.main()\n\t/app/main.go:5 +0x10\n\n");
    for i in 2..N + 2 {
        match i % 4 {
            // a leak: same stack, a different argument each
            0 => write!(t, "goroutine {i} [chan receive, 3 minutes]:\nmain.leak({i:#x})\n\t/app/leak.go:10 +0x20\ncreated by main.spawn in goroutine 1\n\t/app/leak.go:5 +0x30\n\n"),
            1 => write!(t, "goroutine {i} [IO wait]:\ninternal/poll.runtime_pollWait(0x7f00, 0x72)\n\t/go/src/runtime/netpoll.go:351 +0x85\nnet.(*conn).Read(0xc000{i:06x}, {{0xc001000000, 0x1000, 0x1000}})\n\t/go/src/net/net.go:194 +0x45\nmain.serve(0xc000{i:06x})\n\t/app/serve.go:20 +0x10\n\n"),
            // a convoy of 50k on one mutex (Go 1.24 shape)
            2 => write!(t, "goroutine {i} [sync.Mutex.Lock, 8 minutes]:\ninternal/sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)\n\t/go/src/runtime/sema.go:95 +0x25\ninternal/sync.(*Mutex).lockSlow(0xc000100018)\n\t/go/src/internal/sync/mutex.go:149 +0x15d\nsync.(*Mutex).Lock(...)\n\t/go/src/sync/mutex.go:46\nmain.(*Store).Get(0xc000100000, {{0x7929e2, 0x6}})\n\t/app/store.go:49 +0x57\n\n"),
            // two select loops, told apart by line
            _ => write!(t, "goroutine {i} [select]:\nmain.loop()\n\t/app/loop.go:{} +0x10\n\n", if i % 8 == 3 { 30 } else { 31 }),
        }
        .unwrap();
    }
    t
}

#[test]
fn generated_200k_goroutines() {
    let d = parse(Source::from_bytes(generate().into_bytes(), "gen").unwrap(), "gen").unwrap();
    let q = N / 4;
    let r = analyze(
        &d,
        None,
        &Options {
            min_wait: 1,
            ..Default::default()
        },
    );
    assert_eq!(r.goroutines, N + 1);
    let counts: Vec<u64> = r.groups.iter().map(|g| g.count).collect();
    assert_eq!(counts, vec![q, q, q, q / 2, q / 2, 1]);
    assert_eq!(r.groups[0].wait_max, Some(8), "ties on count: longest wait first");
    assert_eq!(r.groups[0].ids.len() as u64, q);
    assert_eq!(
        r.hung.iter().map(|g| g.wait_max.unwrap()).collect::<Vec<_>>(),
        vec![9, 8, 3]
    );
    assert_eq!(r.contention.len(), 1);
    let l = &r.contention[0];
    assert_eq!(l.lock, 0xc000100018);
    assert_eq!(l.waiters.len() as u64, q);
    assert_eq!(l.candidates[0].goroutine, 1);

    let e = analyze(
        &d,
        None,
        &Options {
            min_wait: 1,
            similarity: Similarity::Exact,
            top: Some(10),
            ..Default::default()
        },
    );
    assert_eq!(e.groups.len(), 10);
    // leak and IO groups split per argument; the convoy, the selects and the holder do not
    assert_eq!(e.hung.len() as u64, q + 2);
    assert_eq!(e.groups[0].count, q);

    let m = analyze(
        &d,
        Some(&d),
        &Options {
            matcher: Some(regex::Regex::new("leak").unwrap()),
            ..Default::default()
        },
    );
    assert_eq!(m.matched, q);
    assert!(m.diff.unwrap().is_empty());
}
