//! Parser throughput on a generated dump.
//!
//! `cargo run --release -p goroscope-core --example parse_speed -- [MiB] [file]`
//! Generates ~MiB (default 200) of debug=2 text built from corpus-like blocks with fresh ids,
//! varied line numbers and args, then times the sequential and the parallel parse.
//! With `file`, parses that file instead.

use std::time::Instant;

use goroscope_core::source::Source;
use goroscope_core::stacks::parse::{parse, parse_sequential};

const BLOCKS: &[&str] = &[
    "goroutine {ID} [semacquire, {M} minutes]:\nsync.runtime_Semacquire(0xc8222fd3e4)\n\t/home/u/go/src/runtime/sema.go:47 +0x26\nsync.(*Mutex).Lock(0xc8222fd3e0)\n\t/home/u/go/src/sync/mutex.go:83 +0x1c4\ngx/ipfs/QmedFDs1WHcv3bcknfo64dw4mT1112yptW1H65Y2Wc7KTV/yamux.(*Session).Close(0xc8222fd340, 0x0, 0x0)\n\t/home/u/gopkg/src/gx/ipfs/QmedFDs1WHcv3bcknfo64dw4mT1112yptW1H65Y2Wc7KTV/yamux/session.go:{L} +0x55\ngx/ipfs/QmZK81vcgMhpb2t7GNbozk7qzt6Rj4zFqitpvsWT9mduW8/go-peerstream.(*Conn).Close(0xc8257a2000, 0x0, 0x0)\n\t/home/u/gopkg/src/gx/ipfs/QmZK81vcgMhpb2t7GNbozk7qzt6Rj4zFqitpvsWT9mduW8/go-peerstream/conn.go:156 +0x1f2\ncreated by gx/ipfs/QmZK81vcgMhpb2t7GNbozk7qzt6Rj4zFqitpvsWT9mduW8/go-peerstream.(*Conn).GoClose\n\t/home/u/gopkg/src/gx/ipfs/QmZK81vcgMhpb2t7GNbozk7qzt6Rj4zFqitpvsWT9mduW8/go-peerstream/conn.go:131 +0xab\n\n",
    "goroutine {ID} [select, {M} minutes]:\ngithub.com/libp2p/go-libp2p/p2p/net/swarm.(*Swarm).dialWorkerLoop(0xc001{ID}, {0xc00a, 0x22})\n\t/root/go/pkg/mod/github.com/libp2p/go-libp2p@v0.31.0/p2p/net/swarm/dial_worker.go:{L} +0x2a5\ncreated by github.com/libp2p/go-libp2p/p2p/net/swarm.(*Swarm).dialPeer in goroutine 1\n\t/root/go/pkg/mod/github.com/libp2p/go-libp2p@v0.31.0/p2p/net/swarm/swarm_dial.go:335 +0x3c5\n\n",
    "goroutine {ID} [IO wait]:\ninternal/poll.runtime_pollWait(0x7f2b, 0x72)\n\t/usr/local/go/src/runtime/netpoll.go:343 +0x85\ninternal/poll.(*pollDesc).wait(0xc0{ID}?, 0xc01?, 0x0)\n\t/usr/local/go/src/internal/poll/fd_poll_runtime.go:84 +0x27\ninternal/poll.(*pollDesc).waitRead(...)\n\t/usr/local/go/src/internal/poll/fd_poll_runtime.go:89\ninternal/poll.(*FD).Read(0xc0004, {0xc00b, 0x1000, 0x1000})\n\t/usr/local/go/src/internal/poll/fd_unix.go:164 +0x27a\nnet.(*netFD).Read(0xc0004, {0xc00b?, 0x1060?, 0x4?})\n\t/usr/local/go/src/net/fd_posix.go:55 +0x25\nnet.(*conn).Read(0xc0000, {0xc00b?, 0xc0?, 0x0?})\n\t/usr/local/go/src/net/net.go:179 +0x45\nbufio.(*Reader).Read(0xc0032, {0xc0042, 0xc, 0x0?})\n\t/usr/local/go/src/bufio/bufio.go:244 +0x197\ncreated by github.com/libp2p/go-yamux/v4.newSession in goroutine {P}\n\t/root/go/pkg/mod/github.com/libp2p/go-yamux/v4@v4.0.1/session.go:{L} +0x6e5\n\n",
    "goroutine {ID} [chan receive, {M} minutes]:\ngithub.com/ipfs/boxo/bitswap/network.(*netNotifiee).Connected(...)\n\t/root/go/pkg/mod/github.com/ipfs/boxo@v0.13.1/bitswap/network/ipfs_impl.go:{L}\nmain.worker({0x1, 0x2, {0x3, 0x4}}, 0xc000{ID}?)\n\t/app/worker.go:{L} +0x1b\nmain.main.gowrap1()\n\t/app/main.go:40 +0x25\ncreated by main.main in goroutine 1\n\t/app/main.go:40 +0x99\n\n",
];

fn generate(size: usize) -> Vec<u8> {
    let mut s = String::with_capacity(size + 8192);
    let mut i = 0u64;
    while s.len() < size {
        let b = BLOCKS[(i % BLOCKS.len() as u64) as usize];
        let id = (1000 + i * 3).to_string();
        let b = b
            .replace("{ID}", &id)
            .replace("{M}", &(1 + i % 600).to_string())
            .replace("{L}", &(10 + i % 500).to_string())
            .replace("{P}", &(i / 7).to_string());
        s.push_str(&b);
        i += 1;
    }
    s.into_bytes()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mib: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(200);
    let bytes = match args.get(2) {
        Some(f) => std::fs::read(f).expect("read file"),
        None => generate(mib << 20),
    };
    let len = bytes.len() as f64;
    println!("input: {:.1} MiB", len / (1 << 20) as f64);
    for (name, par) in [("sequential", false), ("parallel", true)] {
        let mut best = f64::MAX;
        let mut summary = String::new();
        for _ in 0..5 {
            let src = Source::Owned(bytes.clone());
            let t = Instant::now();
            let d = if par { parse(src, "bench") } else { parse_sequential(src, "bench") }.expect("parse");
            let dt = t.elapsed().as_secs_f64();
            best = best.min(dt);
            summary = format!(
                "goroutines {}  frames {}  symbols {}  warnings {}",
                d.goroutines.len(),
                d.frames.len(),
                d.symbols.len(),
                d.warnings.len()
            );
        }
        println!("{name:>10}: best of 5 {:.3} s  {:.0} MiB/s  {summary}", best, len / best / (1 << 20) as f64);
    }
}
