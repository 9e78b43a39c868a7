#!/usr/bin/env node
// bench/run.mjs - `npm run bench`: goroscope against its peers, in one run, in three parts:
//   stacks  goroutine-dump analysis vs DataDog/gostackparse and maruel/panicparse (large dumps);
//   pprof   `top`/`tree` reports vs `go tool pprof -top/-tree` (the pprof corpus' large.cpu and a
//           generated ≥100 MB, ≥1 M-sample profile with deep stacks);
//   graph   `goroscope dot`/`svg` (bundled WebAssembly Graphviz) vs `go tool pprof -dot/-svg`
//           (system Graphviz), on the same profiles.
//
// goroscope is measured with the bench's OWN release build of the addon: `cargo build --release
// --locked -p goroscope-node` into a private target dir (~/.cache/goroscope/bench-target), copied to
// bench/out/goroscope.node and loaded through NAPI_RS_NATIVE_LIBRARY_PATH (which the generated
// index.js honours) by the Node API runs and the CLI runs alike, so nobody else's (debug) build of
// the shared root goroscope.linux-x64-gnu.node can end up in the numbers. dist/ is rebuilt with tsc
// when older than src/. Inputs are generated (cached) under bench/out/, the Go peers are built from
// the module proxy (bench/peers), every tool runs in fresh processes with rounds interleaved, and the
// generated section of BENCHMARKS.md is rewritten. Parts not run in this invocation keep their
// previous results (from bench/out/results.json), marked with when they were measured.
//
// Environment:
//   BENCH_PARTS=a,b      parts to run: stacks, pprof, graph, startup (default: all four)
//   BENCH_RUNS=N         runs per tool and input (default: stacks 5 for 100 MiB, 3 for 1 GiB;
//                        profiles 5 for large.cpu, 3 for the generated one)
//   BENCH_SIZES=a,b      goroutine-dump inputs of the stacks part (default 100MiB,short-100MiB,
//                        1GiB,short-1GiB; `short-` = only short real goroutines, see bench/gen.mjs)
//   BENCH_PROFILE_SAMPLES=a,b  samples in the generated profiles (default 400000,1200000)
//   BENCH_QUICK=1 or --quick  the small inputs only (short-100MiB dump, 400k-sample profile,
//                        large.cpu), 3 runs each: a few minutes instead of the better part of an hour
//   BENCH_BUILD=0        do not build: use the existing bench/out/goroscope.node and dist/ as found
//   BENCH_TIMEOUT=S      per-run timeout in seconds (default 1800)
//   BENCH_TOOLS=a,b      only these tool ids: stacks ours, ours-1t, cli, cli-text, core, gostackparse,
//                        panicparse, floor-grep; pprof top-cli, top-api, top-pprof, tree-cli,
//                        tree-pprof, peek-cli, peek-pprof, traces-cli, traces-pprof, floor-zcat;
//                        graph dot-cli, dot-pprof, svg-cli, svg-pprof, render-wasm, render-graphviz
//   BENCH_NO_WRITE=1     do not touch BENCHMARKS.md
import { createHash } from 'node:crypto'
import { spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

import { dumpName, ensureDump, outDir, repoRoot } from './gen.mjs'
import { ensureProfile, profileStats } from './gen-profile.mjs'

const MiB = 2 ** 20
const env = process.env
const log = (...a) => console.error('bench:', ...a)
const rel = (p) => path.relative(repoRoot, p)
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null
const TIMEOUT = Number(env.BENCH_TIMEOUT || 1800) * 1000
const QUICK = env.BENCH_QUICK === '1' || process.argv.includes('--quick')
const SIZES = (env.BENCH_SIZES || (QUICK ? 'short-100MiB' : '100MiB,short-100MiB,1GiB,short-1GiB')).split(',').map((s) => s.trim()).filter(Boolean)
const ONLY = env.BENCH_TOOLS ? new Set(env.BENCH_TOOLS.split(',').map((s) => s.trim())) : null
const ALL_PARTS = ['stacks', 'pprof', 'graph', 'startup']
const PARTS = (env.BENCH_PARTS || ALL_PARTS.join(',')).split(',').map((s) => s.trim()).filter(Boolean)
for (const p of PARTS) if (!ALL_PARTS.includes(p)) throw new Error(`BENCH_PARTS: unknown part ${p} (known: ${ALL_PARTS.join(', ')})`)
const defaultRuns = (bytes) => (env.BENCH_RUNS ? Number(env.BENCH_RUNS) : QUICK || bytes >= 512 * MiB ? 3 : 5)
const PROFILE_SAMPLES = String(env.BENCH_PROFILE_SAMPLES || (QUICK ? '400000' : '400000,1200000')).split(',').map((s) => Number(s.trim())).filter((n) => n > 0)
/** `-peek` regexp of the bench: a root of the stacks (runtime.goexit in the generated profiles,
 *  runtime.main in large.cpu), so the report needs the whole, untrimmed graph. */
const PEEK = '^runtime\\.(goexit|main)$'
const LARGE_CPU = path.resolve(repoRoot, '../shared/corpus/google-pprof/internal/proftest/testdata/large.cpu')
const BENCH_TARGET = path.join(os.homedir(), '.cache/goroscope/bench-target')
const ADDON = path.join(outDir, 'goroscope.node')
/** Environment of every goroscope run (Node API and CLI): our own release build, UTC times. */
const OURS_ENV = { NAPI_RS_NATIVE_LIBRARY_PATH: ADDON, TZ: 'UTC' }
/** The invocation, stamped on every result measured now (kept with results merged from earlier runs). */
let CURRENT = null

fs.mkdirSync(outDir, { recursive: true })

// ---------------------------------------------------------------------------------------------
// Machine
function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts })
  return r.status === 0 ? r.stdout.trim() : null
}
function machine() {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8')
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown'
  const mem = /MemTotal:\s*(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1]
  const commit = sh('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD'])
  const dirty = sh('git', ['-C', repoRoot, 'status', '--porcelain', '--untracked-files=no', '--', 'crates', 'src'])
  return {
    nproc: Number(sh('nproc', []) ?? os.cpus().length),
    cpu: model,
    memGiB: mem ? Number(mem) / 2 ** 20 : os.totalmem() / 2 ** 30,
    kernel: os.release(),
    node: process.version,
    go: sh('go', ['env', 'GOVERSION']),
    rustc: sh('rustc', ['--version']),
    commit: commit ? commit + (dirty ? ' (+ uncommitted changes)' : '') : 'unknown',
    loadStart: os.loadavg(),
  }
}
const memAvailable = () => Number(/MemAvailable:\s*(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) * 1024

// ---------------------------------------------------------------------------------------------
// Builds
function walk(dir, test, acc = []) {
  if (!fs.existsSync(dir)) return acc
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'target' && !e.name.startsWith('.')) walk(p, test, acc)
    } else if (test(p)) acc.push(p)
  }
  return acc
}
const mtime = (p) => (fs.existsSync(p) ? fs.statSync(p).mtimeMs : 0)
const newest = (files) => files.reduce((m, f) => Math.max(m, mtime(f)), 0)
const sha256 = (file) => fileDigest(file).sha256
/** SHA-256 and length of a file, read in chunks (bench outputs can exceed a Buffer). */
function fileDigest(file) {
  const h = createHash('sha256')
  const fd = fs.openSync(file, 'r')
  const b = Buffer.allocUnsafe(8 << 20)
  let bytes = 0
  for (let n; (n = fs.readSync(fd, b, 0, b.length, null)) > 0; bytes += n) h.update(b.subarray(0, n))
  fs.closeSync(fd)
  return { sha256: h.digest('hex'), bytes }
}

function tsStale() {
  const tsSrc = walk(path.join(repoRoot, 'src'), (p) => p.endsWith('.ts'))
  const distFiles = walk(path.join(repoRoot, 'dist/src'), (p) => p.endsWith('.js'))
  const oldestDist = distFiles.length ? Math.min(...distFiles.map(mtime)) : 0
  return !fs.existsSync(path.join(repoRoot, 'dist/src/index.js')) || oldestDist < newest([...tsSrc, path.join(repoRoot, 'index.d.ts')])
}

/** Info about bench/out/goroscope.node, recorded in results.json and BENCHMARKS.md. */
function addonInfo(extra = {}) {
  if (!fs.existsSync(ADDON)) return null
  const st = fs.statSync(ADDON)
  const meta = fs.existsSync(ADDON + '.json') ? JSON.parse(fs.readFileSync(ADDON + '.json', 'utf8')) : {}
  return { path: rel(ADDON), sha256: sha256(ADDON), bytes: st.size, ...meta, ...extra }
}

/**
 * Build goroscope for the bench: the release addon into a private target dir (other engineers'
 * builds of the shared root addon or target/ cannot touch it), copied to bench/out/goroscope.node
 * (atomically), plus dist/ when stale. Returns { ok, binary, error }.
 */
function buildOurs(notes, mach) {
  let tsNote = 'dist/ up to date'
  if (env.BENCH_BUILD === '0') {
    if (!fs.existsSync(ADDON)) return { ok: false, error: `BENCH_BUILD=0 but ${rel(ADDON)} does not exist (run once without BENCH_BUILD=0)` }
    notes.push(`BENCH_BUILD=0: measured the existing \`${rel(ADDON)}\` and \`dist/\` as found${tsStale() ? ' (dist/ looked older than src/)' : ''}.`)
    return { ok: true, binary: addonInfo({ reused: true }) }
  }
  const r = run('cargo', ['build', '--release', '--locked', '-p', 'goroscope-node', '--message-format=json-render-diagnostics'], {
    env: { ...env, CARGO_TARGET_DIR: BENCH_TARGET },
  })
  let so = null
  for (const line of r.out.split('\n')) {
    try {
      const m = JSON.parse(line)
      if (m.reason === 'compiler-artifact') so = m.filenames?.find((f) => /libgoroscope_node\.so$/.test(f)) ?? so
    } catch {}
  }
  if (!r.ok || !so) {
    const why = `cargo build --release -p goroscope-node failed:\n${lastLines(r.err || r.out)}`
    if (fs.existsSync(ADDON)) {
      notes.push(`**The release build failed** (${lastLines(r.err, 1).replace(/\|/g, '\\|')}); measured the previous bench build \`${rel(ADDON)}\` instead.`)
      log(why)
    } else return { ok: false, error: why }
  } else {
    const tmp = `${ADDON}.${process.pid}.tmp`
    fs.copyFileSync(so, tmp)
    fs.renameSync(tmp, ADDON) // a process still running the previous copy keeps its inode
    fs.writeFileSync(
      ADDON + '.json',
      JSON.stringify({ builtFrom: so, profile: 'release', targetDir: BENCH_TARGET.replace(os.homedir(), '~'), builtAt: new Date(fs.statSync(so).mtimeMs).toISOString(), commit: mach.commit }, null, 2) + '\n',
    )
  }
  if (tsStale()) {
    const t = run('npx', ['tsc', '-p', 'tsconfig.json'])
    if (!t.ok) return { ok: false, error: `npx tsc -p tsconfig.json failed:\n${lastLines(t.out || t.err)}` }
    tsNote = 'dist/ rebuilt with `npx tsc -p tsconfig.json`'
  }
  return { ok: true, binary: addonInfo({ dist: tsNote }) }
}

/** Check that the Node API and the CLI load bench/out/goroscope.node and nothing else. */
function probeOurs() {
  const probe = ['fixtures/dumps/go126-debug2-minutes.txt', '/work/shared/corpus/goroutine-dumps/panicparse/static_panicweb.txt']
    .map((p) => path.resolve(repoRoot, p))
    .find((p) => fs.existsSync(p))
  const want = JSON.stringify([ADDON])
  const childEnv = { ...env, ...OURS_ENV }
  if (probe) {
    const r = run(process.execPath, [path.join(repoRoot, 'bench/ours.mjs'), probe], { env: childEnv })
    if (!r.ok) return { ok: false, error: errSummary(r.err) }
    let addons = null
    try {
      addons = JSON.parse(r.out.trim().split('\n').pop()).addons
    } catch {}
    if (JSON.stringify(addons) !== want) return { ok: false, error: `the Node API loaded ${JSON.stringify(addons)}, not ${rel(ADDON)}` }
  }
  const cliProbe = fs.existsSync(LARGE_CPU) ? ['top', LARGE_CPU] : probe ? ['stacks', probe] : null
  if (cliProbe) {
    const r = run(process.execPath, ['-r', path.join(repoRoot, 'bench/addon-probe.cjs'), path.join(repoRoot, 'bin/goroscope.js'), ...cliProbe], { env: childEnv })
    const m = /bench-addons: (.*)/.exec(r.err)
    if (!r.ok) return { ok: false, error: errSummary(r.err) }
    if (!m || m[1].trim() !== want) return { ok: false, error: `the CLI loaded ${m?.[1] ?? '?'}, not ${rel(ADDON)}` }
  }
  return { ok: true }
}

function run(cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * MiB, ...opts })
  return { ok: r.status === 0, out: r.stdout ?? '', err: (r.stderr ?? '') + (r.error ? String(r.error) : '') }
}
const lastLines = (s, n = 6) => s.trim().split('\n').slice(-n).join('\n')
/** The informative lines of a failed process's stderr (panic message, thrown error), else its tail. */
function errSummary(stderr, n = 3) {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean)
  const i = lines.findIndex((l) => /panicked at|^\w*Error\b|^error\b|^goroscope:|^Uncaught|\[GOROSCOPE_/.test(l))
  if (i >= 0) return lines.slice(i, i + 2).join(' ')
  return lines.filter((l) => !/^at |^Node\.js v/.test(l)).slice(-n).join(' ')
}

function buildPeers() {
  const dir = path.join(repoRoot, 'bench/peers')
  const bin = path.join(outDir, 'peers')
  const gomod = fs.existsSync(path.join(dir, 'go.mod')) ? fs.readFileSync(path.join(dir, 'go.mod'), 'utf8') : ''
  const versions = {}
  for (const m of gomod.matchAll(/^\s*(github\.com\/\S+)\s+(v\S+)/gm)) versions[m[1]] = m[2]
  const r = run('go', ['build', '-trimpath', '-o', bin, '.'], {
    cwd: dir,
    env: { ...env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly' },
  })
  if (!r.ok) return { ok: false, error: `go build failed:\n${lastLines(r.err)}`, versions }
  return { ok: true, bin, versions }
}

function buildCoreExample() {
  const src = path.join(repoRoot, 'crates/goroscope-core/examples/parse_speed.rs')
  if (!fs.existsSync(src)) return null
  const r = run('cargo', ['build', '--release', '--locked', '-p', 'goroscope-core', '--example', 'parse_speed', '--message-format=json-render-diagnostics'], {
    env: { ...env, CARGO_TARGET_DIR: BENCH_TARGET },
  })
  if (!r.ok) return { ok: false, error: `cargo build --example parse_speed failed:\n${lastLines(r.err)}` }
  let exe = null
  for (const line of r.out.split('\n')) {
    try {
      const m = JSON.parse(line)
      if (m.reason === 'compiler-artifact' && m.target?.name === 'parse_speed' && m.executable) exe = m.executable
    } catch {}
  }
  return exe ? { ok: true, exe } : { ok: false, error: 'cargo did not report the parse_speed executable' }
}

/** `go tool pprof` resolved to its binary (`go tool -n pprof`), so the go command's own start-up
 *  and tool lookup stay out of the timings. */
function resolvePprof() {
  const r = run('go', ['tool', '-n', 'pprof'], { env: { ...env, GOTOOLCHAIN: 'local' } })
  const bin = r.out.trim().split('\n').pop()
  if (!r.ok || !bin || !fs.existsSync(bin)) return { ok: false, error: `go tool -n pprof failed: ${lastLines(r.err, 2)}` }
  return { ok: true, bin }
}

function graphvizVersion() {
  const r = spawnSync('dot', ['-V'], { encoding: 'utf8' })
  return r.status === 0 ? (r.stderr || r.stdout).trim() : null
}

// ---------------------------------------------------------------------------------------------
// Measuring one run: fresh process, wall clock from here, peak RSS from GNU time (%M) or VmHWM.
// Peak anonymous memory (heap, stacks, V8's heap: what is not the mapped input or code) has no
// kernel high-water mark, so it is sampled: RssAnon of the measured process (GNU time's child)
// from /proc/PID/status every ANON_POLL_MS, the largest seen. A short spike between two samples
// can be missed, so it is a lower bound; `anonSamples` says how many samples it is based on.
const ANON_POLL_MS = 5
const statusKiB = (txt, field) => Number(new RegExp(`${field}:\\s*(\\d+)`).exec(txt)?.[1] ?? 0)

/** The process GNU time runs (its only child), once it exists. */
function timedChild(pid) {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]) || null
  } catch {
    return null
  }
}

function measure(cmd, args, { extraEnv = {}, stdoutFile = null } = {}) {
  return new Promise((resolve) => {
    const timeOut = path.join(outDir, `.time.${process.pid}`)
    const full = TIME ? [TIME, ['-f', '%M', '-o', timeOut, cmd, ...args]] : [cmd, args]
    const outFd = stdoutFile ? fs.openSync(stdoutFile, 'w') : 'pipe'
    const t0 = process.hrtime.bigint()
    const child = spawn(full[0], full[1], { cwd: repoRoot, env: { ...env, ...extraEnv }, stdio: ['ignore', outFd, 'pipe'] })
    if (typeof outFd === 'number') fs.closeSync(outFd)
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-8192)))
    let hwm = 0
    let anon = 0
    let anonSamples = 0
    let target = TIME ? null : child.pid
    const poll = setInterval(() => {
      target ??= timedChild(child.pid)
      if (!target) return
      try {
        const st = fs.readFileSync(`/proc/${target}/status`, 'utf8')
        hwm = Math.max(hwm, statusKiB(st, 'VmHWM'))
        if (/RssAnon:/.test(st)) {
          anon = Math.max(anon, statusKiB(st, 'RssAnon'))
          anonSamples++
        }
      } catch {}
    }, ANON_POLL_MS)
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT)
    child.on('close', (code, signal) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9
      clearTimeout(timer)
      clearInterval(poll)
      let rssKiB = hwm
      if (TIME) {
        try {
          const txt = fs.readFileSync(timeOut, 'utf8')
          rssKiB = Number(/(\d+)\s*$/.exec(txt.trim())?.[1] ?? 0)
          if (/Command (exited with non-zero status|terminated by signal)/.test(txt) && code === 0) code = 1
          fs.rmSync(timeOut, { force: true })
        } catch {}
      }
      let json = null
      try {
        json = JSON.parse(stdout.trim().split('\n').pop())
      } catch {}
      resolve({ ok: code === 0 && !signal, code, signal, wall, rss: rssKiB * 1024, anon: anonSamples ? anon * 1024 : null, anonSamples, json, stdout, stderr })
    })
  })
}

// ---------------------------------------------------------------------------------------------
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const n = s.length
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}

/** The first 256 bytes of a (possibly huge) report file, '' when it cannot be read. */
function headOf(file) {
  try {
    const fd = fs.openSync(file, 'r')
    const b = Buffer.alloc(256)
    const n = fs.readSync(fd, b, 0, 256, 0)
    fs.closeSync(fd)
    return b.subarray(0, n).toString()
  } catch {
    return ''
  }
}

function toolList({ peers, oursOk, oursError, peersError, all = false }) {
  const node = process.execPath
  const tools = [
    {
      id: 'ours',
      name: 'goroscope, Node API `analyzeStacks(path, {})`',
      what: 'read + parse + full analysis (groups, states, contention, hung)',
      ours: true,
      error: oursOk ? null : oursError,
      cmd: (f) => [node, [path.join(repoRoot, 'bench/ours.mjs'), f]],
      counts: (r) => ({ goroutines: r.json?.goroutines, groups: r.json?.groups }),
    },
    {
      id: 'ours-1t',
      name: 'goroscope, Node API, `RAYON_NUM_THREADS=1`',
      what: 'same, one worker thread',
      ours: true,
      error: oursOk ? null : oursError,
      env: { RAYON_NUM_THREADS: '1' },
      cmd: (f) => [node, [path.join(repoRoot, 'bench/ours.mjs'), f]],
      counts: (r) => ({ goroutines: r.json?.goroutines, groups: r.json?.groups }),
    },
    {
      id: 'cli',
      name: 'goroscope CLI `stacks FILE --json`',
      what: 'same + full JSON report (every id) to a file',
      ours: true,
      error: oursOk ? null : oursError,
      // Not `-o /dev/null`: the CLI writes atomically (temp file + rename), which would replace
      // /dev/null itself when run as root. The report goes to a scratch file under bench/out.
      cmd: (f) => [node, [path.join(repoRoot, 'bin/goroscope.js'), 'stacks', f, '--json', '-o', path.join(outDir, 'cli-report.json')]],
      counts: () => ({ goroutines: Number(/"goroutines":\s*(\d+)/.exec(headOf(path.join(outDir, 'cli-report.json')))?.[1]) }),
    },
    {
      id: 'cli-text',
      name: 'goroscope CLI `stacks FILE > out`',
      what: 'same + the text report (states, hung, locks, leaks, top groups) to a file',
      ours: true,
      error: oursOk ? null : oursError,
      stdout: path.join(outDir, 'cli-report.txt'),
      cmd: (f) => [node, [path.join(repoRoot, 'bin/goroscope.js'), 'stacks', f]],
      // the report's first line: `NAME: 322,469 goroutines`
      counts: () => ({ goroutines: Number(/: ([\d,]+) goroutines/.exec(headOf(path.join(outDir, 'cli-report.txt')))?.[1].replace(/,/g, '')) }),
    },
  ]
  tools.push(
    {
      // The floor: reading the file once and finding every header line, nothing more.
      id: 'floor-grep',
      name: "`grep -c '^goroutine '` (floor)",
      what: 'read the file and count goroutine header lines',
      floor: true,
      cmd: (f) => ['grep', ['-c', '^goroutine ', f]],
      counts: (r) => ({ goroutines: Number(r.stdout.trim()) }),
    },
    {
      id: 'gostackparse',
      name: `DataDog/gostackparse ${peers.versions?.['github.com/DataDog/gostackparse'] ?? ''} \`Parse\``.trim(),
      what: 'parse only (no grouping)',
      error: peers.ok ? null : peersError,
      cmd: (f) => [peers.bin, ['gostackparse', f]],
      counts: (r) => ({ goroutines: r.json?.goroutines, errors: r.json?.errors, firstError: r.json?.firstError }),
    },
    {
      id: 'panicparse',
      name: `maruel/panicparse/v2 ${peers.versions?.['github.com/maruel/panicparse/v2'] ?? ''} \`ScanSnapshot\` + \`Aggregate(AnyPointer)\``.trim(),
      what: 'parse + group into buckets (no GuessPaths/AnalyzeSources/NameArguments)',
      error: peers.ok ? null : peersError,
      cmd: (f) => [peers.bin, ['panicparse', f]],
      counts: (r) => ({
        goroutines: r.json?.goroutines,
        groups: r.json?.buckets,
        errors: r.json?.errors,
        firstError: r.json?.firstError,
        parseSeconds: r.json?.parseSeconds,
        aggregateSeconds: r.json?.aggregateSeconds,
      }),
    },
  )
  return ONLY && !all ? tools.filter((t) => ONLY.has(t.id)) : tools
}

/** The core's parse_speed example times its own parses (best of 5 sequential and parallel, input
 *  already in memory); run it once per input and report what it prints. */
async function runCore(core, file, meta) {
  if (!core.ok) return { error: core.error }
  const r = await measure(core.exe, [String(Math.round(meta.bytes / MiB)), file])
  if (!r.ok) return { error: `exit ${r.signal ?? r.code}: ${errSummary(r.stderr)}` }
  const out = { raw: r.stdout.trim() }
  for (const mode of ['sequential', 'parallel']) {
    const m = new RegExp(`${mode}:.*?([\\d.]+) s .*?goroutines (\\d+)`).exec(r.stdout)
    if (m) {
      out[mode] = { seconds: Number(m[1]), mibps: meta.bytes / MiB / Number(m[1]), gps: Number(m[2]) / Number(m[1]) }
      out.goroutines = Number(m[2])
    }
  }
  if (!out.parallel) return { error: `unexpected parse_speed output: ${out.raw.slice(0, 200)}` }
  log(`core parse_speed: ${out.raw.replace(/\n/g, ' | ')}`)
  return out
}

function preRead(file) {
  // Put the input in the page cache so the first timed tool is not penalised by disk reads.
  const fd = fs.openSync(file, 'r')
  const b = Buffer.allocUnsafe(16 * MiB)
  while (fs.readSync(fd, b, 0, b.length, null) > 0);
  fs.closeSync(fd)
}

async function benchInput(sizeName, tools, prev, core) {
  const { size, shape } = dumpName(sizeName)
  const file = path.join(outDir, `dump-${sizeName}.txt`)
  const meta = ensureDump({ size, shape, out: file, log })
  const runs = defaultRuns(size)
  log(`${sizeName}: ${rel(file)}, ${(meta.bytes / MiB).toFixed(1)} MiB, ${meta.goroutines} goroutines${meta.cached ? ' (cached)' : ''}; ${runs} runs per tool`)
  preRead(file)
  const results = Object.fromEntries(tools.map((t) => [t.id, { runs: [], error: t.error, skipped: null, counts: null }]))
  for (let round = 0; round < runs; round++) {
    for (const t of tools) {
      const res = results[t.id]
      if (res.error || res.skipped) continue
      // Memory guard: project this tool's peak RSS from the previous (smaller) input.
      const p = prev?.[t.id]
      if (p?.rss && p.bytes) {
        const projected = (p.rss * meta.bytes) / p.bytes
        const avail = memAvailable()
        if (projected > 0.85 * avail) {
          res.skipped = `skipped: projected peak RSS ${(projected / 2 ** 30).toFixed(1)} GiB > 85% of available memory (${(avail / 2 ** 30).toFixed(1)} GiB)`
          log(`${t.id}: ${res.skipped}`)
          continue
        }
      }
      const [cmd, args] = t.cmd(file)
      const r = await measure(cmd, args, { extraEnv: { ...(t.ours ? OURS_ENV : {}), ...t.env }, stdoutFile: t.stdout })
      if (!r.ok) {
        res.error = `exit ${r.signal ?? r.code}${r.signal === 'SIGKILL' ? ' (timeout?)' : ''}: ${errSummary(r.stderr)}`
        log(`${t.id} run ${round + 1}: FAILED ${res.error}`)
        continue
      }
      if (r.json?.addons && JSON.stringify(r.json.addons) !== JSON.stringify([ADDON])) {
        res.error = `loaded ${JSON.stringify(r.json.addons)} instead of ${rel(ADDON)}`
        log(`${t.id} run ${round + 1}: ${res.error}`)
        continue
      }
      res.counts = t.counts(r)
      res.runs.push({ wall: r.wall, rss: r.rss, anon: r.anon, anonSamples: r.anonSamples, counts: res.counts })
      log(`${sizeName} ${t.id.padEnd(12)} run ${round + 1}/${runs}: ${r.wall.toFixed(2)} s, ${(r.rss / MiB).toFixed(0)} MiB RSS, ${r.anon === null ? '?' : (r.anon / MiB).toFixed(0)} MiB anon, ${res.counts.goroutines ?? '?'} goroutines`)
    }
  }
  const coreRes = core && (!ONLY || ONLY.has('core')) ? await runCore(core, file, meta) : null
  for (const t of tools) {
    const res = results[t.id]
    if (!res.runs.length) continue
    res.wall = median(res.runs.map((x) => x.wall))
    res.rss = median(res.runs.map((x) => x.rss))
    res.rssMax = Math.max(...res.runs.map((x) => x.rss))
    const anons = res.runs.map((x) => x.anon).filter((x) => typeof x === 'number')
    res.anon = anons.length ? median(anons) : null
    res.anonMax = anons.length ? Math.max(...anons) : null
    res.anonSamples = Math.min(...res.runs.map((x) => x.anonSamples ?? 0))
    res.minWall = Math.min(...res.runs.map((x) => x.wall))
    res.maxWall = Math.max(...res.runs.map((x) => x.wall))
    res.mibps = meta.bytes / MiB / res.wall
    res.gps = (res.counts?.goroutines ?? meta.goroutines) / res.wall
    res.bytes = meta.bytes
    if (t.id === 'panicparse') {
      res.parseSeconds = median(res.runs.map((x) => x.counts.parseSeconds ?? NaN))
      res.aggregateSeconds = median(res.runs.map((x) => x.counts.aggregateSeconds ?? NaN))
    }
  }
  // Count checks against the generator's ground truth.
  const mismatches = []
  for (const t of tools) {
    const c = results[t.id].counts
    if (!c || c.goroutines === undefined) continue
    if (c.goroutines !== meta.goroutines) {
      mismatches.push(`${t.id}: ${c.goroutines} goroutines, expected ${meta.goroutines}${c.errors ? ` (${c.errors} errors; first: ${c.firstError})` : ''}`)
    }
  }
  if (coreRes?.goroutines !== undefined && coreRes.goroutines !== meta.goroutines) mismatches.push(`core parse_speed: ${coreRes.goroutines} goroutines, expected ${meta.goroutines}`)
  for (const m of mismatches) log(`COUNT MISMATCH ${sizeName}: ${m}`)
  return { size: sizeName, file: rel(file), meta, runs, results, core: coreRes, mismatches, measured: CURRENT }
}

// ---------------------------------------------------------------------------------------------
// pprof and graph parts: goroscope vs `go tool pprof` on profiles
const cmpDir = path.join(outDir, 'cmp')

/** The profile inputs: the pprof corpus' large.cpu (read in place) and the generated profile. */
function profileInputs(notes) {
  const inputs = []
  if (fs.existsSync(LARGE_CPU)) inputs.push({ id: 'large.cpu', file: LARGE_CPU, shown: '../shared/corpus/google-pprof/internal/proftest/testdata/large.cpu', stats: profileStats(LARGE_CPU), source: 'google/pprof test data (a real CPU profile)' })
  else notes.push(`\`${rel(LARGE_CPU)}\` not found: large.cpu not measured.`)
  for (const samples of PROFILE_SAMPLES) {
    const g = ensureProfile({ samples, log })
    const id = `gen-${samples >= 1e6 ? `${samples / 1e6}M` : `${samples / 1e3}k`}`
    inputs.push({ id, file: g.file, shown: rel(g.file), stats: profileStats(g.file), source: `\`bench/gen-profile.mjs --samples ${samples}\` (synthetic, written by hand-rolled protobuf)`, samples, generated: true })
  }
  return inputs
}

/** Tools of the pprof and graph parts. `out(input)` is the file the tool's output goes to. */
function profileTools({ oursOk, oursError, pprof, all = false }) {
  const node = process.execPath
  const cli = path.join(repoRoot, 'bin/goroscope.js')
  const o = (input, tag, ext = 'txt') => path.join(cmpDir, `${input.id}.${tag}.${ext}`)
  const oursErr = oursOk ? null : oursError
  const pprofErr = pprof.ok ? null : pprof.error
  const PPROF_ENV = { TZ: 'UTC' }
  const tools = [
    // pprof part
    { id: 'top-cli', part: 'pprof', kind: 'top', ours: true, peer: 'top-pprof', error: oursErr, name: 'goroscope CLI', shown: 'node bin/goroscope.js top FILE > out', cmd: (f) => [node, [cli, 'top', f]], stdout: (i) => o(i, 'top-cli') },
    { id: 'top-api', part: 'pprof', kind: 'top', ours: true, peer: 'top-pprof', error: oursErr, name: 'goroscope Node API', shown: 'node bench/ours-pprof.mjs FILE top  (`Profile.load(FILE)` + `.top()`)', cmd: (f) => [node, [path.join(repoRoot, 'bench/ours-pprof.mjs'), f, 'top']] },
    { id: 'top-pprof', part: 'pprof', kind: 'top', peerRef: true, error: pprofErr, name: 'go tool pprof', shown: 'go tool pprof -symbolize=none -top FILE > out', env: PPROF_ENV, cmd: (f) => [pprof.bin, ['-symbolize=none', '-top', f]], stdout: (i) => o(i, 'top-pprof') },
    { id: 'tree-cli', part: 'pprof', kind: 'tree', ours: true, peer: 'tree-pprof', error: oursErr, name: 'goroscope CLI', shown: 'node bin/goroscope.js tree FILE > out', cmd: (f) => [node, [cli, 'tree', f]], stdout: (i) => o(i, 'tree-cli') },
    { id: 'tree-pprof', part: 'pprof', kind: 'tree', peerRef: true, error: pprofErr, name: 'go tool pprof', shown: 'go tool pprof -symbolize=none -tree FILE > out', env: PPROF_ENV, cmd: (f) => [pprof.bin, ['-symbolize=none', '-tree', f]], stdout: (i) => o(i, 'tree-pprof') },
    // -peek on the root every Go stack has: the whole graph, no trimming
    { id: 'peek-cli', part: 'pprof', kind: 'peek', ours: true, peer: 'peek-pprof', error: oursErr, name: 'goroscope CLI', shown: `node bin/goroscope.js peek '${PEEK}' FILE > out`, cmd: (f) => [node, [cli, 'peek', PEEK, f]], stdout: (i) => o(i, 'peek-cli') },
    { id: 'peek-pprof', part: 'pprof', kind: 'peek', peerRef: true, error: pprofErr, name: 'go tool pprof', shown: `go tool pprof -symbolize=none -peek '${PEEK}' FILE > out`, env: PPROF_ENV, cmd: (f) => [pprof.bin, ['-symbolize=none', '-peek', PEEK, f]], stdout: (i) => o(i, 'peek-pprof') },
    { id: 'traces-cli', part: 'pprof', kind: 'traces', ours: true, peer: 'traces-pprof', error: oursErr, name: 'goroscope CLI', shown: 'node bin/goroscope.js traces FILE > out', cmd: (f) => [node, [cli, 'traces', f]], stdout: (i) => o(i, 'traces-cli') },
    { id: 'traces-pprof', part: 'pprof', kind: 'traces', peerRef: true, error: pprofErr, name: 'go tool pprof', shown: 'go tool pprof -symbolize=none -traces FILE > out', env: PPROF_ENV, cmd: (f) => [pprof.bin, ['-symbolize=none', '-traces', f]], stdout: (i) => o(i, 'traces-pprof') },
    // the floor: decompressing the profile once
    { id: 'floor-zcat', part: 'pprof', kind: 'floor', floor: true, name: '`zcat | wc -c` (floor)', shown: 'zcat FILE | wc -c', cmd: (f) => ['sh', ['-c', 'zcat "$1" | wc -c', 'sh', f]] },
    // graph part
    { id: 'dot-cli', part: 'graph', kind: 'dot', ours: true, peer: 'dot-pprof', error: oursErr, name: 'goroscope CLI', shown: 'node bin/goroscope.js dot FILE > out.dot', cmd: (f) => [node, [cli, 'dot', f]], stdout: (i) => o(i, 'dot-cli', 'dot') },
    { id: 'dot-pprof', part: 'graph', kind: 'dot', peerRef: true, error: pprofErr, name: 'go tool pprof', shown: 'go tool pprof -symbolize=none -dot FILE > out.dot', env: PPROF_ENV, cmd: (f) => [pprof.bin, ['-symbolize=none', '-dot', f]], stdout: (i) => o(i, 'dot-pprof', 'dot') },
    { id: 'svg-cli', part: 'graph', kind: 'svg', ours: true, peer: 'svg-pprof', error: oursErr, name: 'goroscope CLI (WebAssembly Graphviz)', shown: 'node bin/goroscope.js svg FILE -o out.svg', cmd: (f, i) => [node, [cli, 'svg', f, '-o', o(i, 'svg-cli', 'svg')]] },
    { id: 'svg-pprof', part: 'graph', kind: 'svg', peerRef: true, error: pprofErr, name: 'go tool pprof (system Graphviz `dot`)', shown: 'go tool pprof -symbolize=none -svg -output out.svg FILE', env: PPROF_ENV, cmd: (f, i) => [pprof.bin, ['-symbolize=none', '-svg', '-output', o(i, 'svg-pprof', 'svg'), f]] },
    // layout + rendering alone, on the DOT each side produced in this round
    { id: 'render-wasm', part: 'graph', kind: 'render', ours: true, peer: 'render-graphviz', error: oursErr, needs: 'dot-cli', name: 'goroscope WebAssembly Graphviz alone', shown: "node bench/ours-render.mjs out.dot out.svg  (goroscope's `dotToSvg`, on `goroscope dot`'s output)", cmd: (f, i) => [node, [path.join(repoRoot, 'bench/ours-render.mjs'), o(i, 'dot-cli', 'dot'), o(i, 'render-wasm', 'svg')]] },
    { id: 'render-graphviz', part: 'graph', kind: 'render', peerRef: true, needs: 'dot-pprof', error: graphvizVersion() ? null : 'Graphviz `dot` not on PATH (apt-get install -y graphviz)', name: 'system Graphviz alone', shown: "dot -Tsvg -o out.svg out.dot  (on pprof's `-dot` output)", cmd: (f, i) => ['dot', ['-Tsvg', '-o', o(i, 'render-graphviz', 'svg'), o(i, 'dot-pprof', 'dot')]] },
  ]
  return all ? tools : tools.filter((t) => PARTS.includes(t.part) && (!ONLY || ONLY.has(t.id)))
}

/** pprof's peak RSS on the generated profile, projected from one run on a 1/10-size profile of the
 *  same generator (linear in samples). */
const calibration = new Map()
async function pprofProjection(input, pprof) {
  if (!input.generated || !pprof.ok) return null
  if (calibration.has(input.id)) return calibration.get(input.id)
  const small = Math.max(1000, Math.round(input.samples / 10))
  const c = ensureProfile({ samples: small, log })
  const r = await measure(pprof.bin, ['-symbolize=none', '-top', c.file], { extraEnv: { TZ: 'UTC' } })
  const res = r.ok ? { smallSamples: small, smallRss: r.rss, projected: (r.rss * input.samples) / small } : { error: `calibration run failed: ${errSummary(r.stderr)}` }
  if (res.projected) log(`pprof on ${small} samples: ${(r.rss / MiB).toFixed(0)} MiB → projected ${(res.projected / 2 ** 30).toFixed(2)} GiB for ${input.samples}`)
  calibration.set(input.id, res)
  return res
}

async function benchProfile(input, tools, pprof) {
  fs.mkdirSync(cmpDir, { recursive: true })
  const runs = env.BENCH_RUNS ? Number(env.BENCH_RUNS) : input.generated ? 3 : 5
  log(`${input.id}: ${input.shown}, ${(input.stats.bytes / MiB).toFixed(1)} MiB (${(input.stats.rawBytes / MiB).toFixed(1)} MiB uncompressed), ${input.stats.samples} samples; ${runs} runs per tool`)
  preRead(input.file)
  const proj = tools.some((t) => t.peerRef && !t.id.startsWith('render')) ? await pprofProjection(input, pprof) : null
  const results = Object.fromEntries(tools.map((t) => [t.id, { runs: [], error: t.error, skipped: null }]))
  if (proj?.projected) {
    const avail = memAvailable()
    if (proj.projected > 0.85 * avail) {
      for (const t of tools)
        if (t.peerRef && t.id !== 'render-graphviz')
          results[t.id].skipped = `skipped: projected peak RSS ${(proj.projected / 2 ** 30).toFixed(1)} GiB > 85% of available memory (${(avail / 2 ** 30).toFixed(1)} GiB)`
    }
  }
  for (let round = 0; round < runs; round++) {
    for (const t of tools) {
      const res = results[t.id]
      if (res.error || res.skipped) continue
      if (t.needs && !results[t.needs]?.runs.length) {
        res.skipped = `not run: needs ${t.needs}'s output`
        continue
      }
      const [cmd, args] = t.cmd(input.file, input)
      const r = await measure(cmd, args, { extraEnv: { ...(t.ours ? OURS_ENV : {}), ...t.env }, stdoutFile: t.stdout ? t.stdout(input) : null })
      if (!r.ok) {
        const what = t.peerRef && !t.id.startsWith('render') ? 'pprof could not load it: ' : ''
        res.error = `${what}exit ${r.signal ?? r.code}${r.signal === 'SIGKILL' ? ' (killed: timeout or out of memory)' : ''}: ${errSummary(r.stderr)}`
        log(`${input.id} ${t.id} run ${round + 1}: FAILED ${res.error}`)
        continue
      }
      if (r.json?.addons && JSON.stringify(r.json.addons) !== JSON.stringify([ADDON])) {
        res.error = `loaded ${JSON.stringify(r.json.addons)} instead of ${rel(ADDON)}`
        continue
      }
      res.runs.push({ wall: r.wall, rss: r.rss, json: r.json ?? undefined })
      log(`${input.id} ${t.id.padEnd(15)} run ${round + 1}/${runs}: ${r.wall.toFixed(2)} s, ${(r.rss / MiB).toFixed(0)} MiB RSS`)
    }
  }
  for (const t of tools) {
    const res = results[t.id]
    if (!res.runs.length) continue
    res.wall = median(res.runs.map((x) => x.wall))
    res.rss = median(res.runs.map((x) => x.rss))
    res.minWall = Math.min(...res.runs.map((x) => x.wall))
    res.maxWall = Math.max(...res.runs.map((x) => x.wall))
    if (t.id === 'top-api') {
      res.loadSeconds = median(res.runs.map((x) => x.json?.loadSeconds ?? NaN))
      res.reportSeconds = median(res.runs.map((x) => x.json?.reportSeconds ?? NaN))
    }
    if (t.id === 'render-wasm') res.renderSeconds = median(res.runs.map((x) => x.json?.renderSeconds ?? NaN))
  }
  // Output checks: our text must be byte-identical to pprof's.
  const checks = []
  // Digests, not contents: `-traces` of the 1.2M-sample profile is several GB.
  const read = (id) => {
    const t = tools.find((x) => x.id === id)
    return t?.stdout && results[id]?.runs.length ? fileDigest(t.stdout(input)) : null
  }
  for (const [ours, peer, what] of [
    ['top-cli', 'top-pprof', '`-top` text (CLI)'],
    ['tree-cli', 'tree-pprof', '`-tree` text (CLI)'],
    ['peek-cli', 'peek-pprof', '`-peek` text (CLI)'],
    ['traces-cli', 'traces-pprof', '`-traces` text (CLI)'],
    ['dot-cli', 'dot-pprof', 'DOT (CLI)'],
  ]) {
    const a = read(ours)
    const b = read(peer)
    if (a && b) checks.push({ what, same: a.sha256 === b.sha256, ours: a.bytes, peer: b.bytes })
  }
  const api = results['top-api']?.runs.at(-1)?.json
  const ppTop = read('top-pprof')
  if (api && ppTop) checks.push({ what: '`-top` text (Node API)', same: api.sha256 === ppTop.sha256, ours: api.bytes, peer: ppTop.bytes })
  for (const c of checks) if (!c.same) log(`OUTPUT MISMATCH ${input.id}: ${c.what} differs from pprof's (${c.ours} vs ${c.peer} bytes)`)
  const svgSizes = {}
  for (const tag of ['svg-cli', 'svg-pprof']) {
    const f = path.join(cmpDir, `${input.id}.${tag}.svg`)
    if (results[tag]?.runs.length && fs.existsSync(f)) svgSizes[tag] = fs.statSync(f).size
  }
  return { id: input.id, file: input.shown, source: input.source, stats: input.stats, runs, results, checks, projection: proj, svgSizes, measured: CURRENT }
}

// ---------------------------------------------------------------------------------------------
// Report
const fmtS = (s) => (s >= 100 ? s.toFixed(0) : s >= 10 ? s.toFixed(1) : s.toFixed(2)) + ' s'
const fmtMiB = (b) => (b >= 10 * 2 ** 30 ? (b / 2 ** 30).toFixed(1) + ' GiB' : (b / MiB).toFixed(0) + ' MiB')
const fmtN = (n) => (n >= 1e6 ? (n / 1e6).toFixed(2) + ' M' : n >= 1e3 ? (n / 1e3).toFixed(0) + ' k' : n.toFixed(0))
const fmtX = (x) => (x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2)) + '×'

// Issue 13's dump aims that the table's columns measure: anonymous memory ≤ half the dump's size,
// and a 1 GiB dump's full text report (CLI `stacks FILE > out`) in under 2 s.
const ANON_AIM = 0.5
const TEXT_AIM = { bytes: 2 ** 30, seconds: 2 }
const anonCell = (r) => (typeof r.anon === 'number' ? fmtMiB(r.anon) : '—')
const metCell = (ok) => (ok ? 'met' : '**not met**')

/** The aims' bullets under one dump's table. */
function dumpAims(b, tools) {
  const out = []
  const limit = b.meta.bytes * ANON_AIM
  const ours = tools.filter((t) => t.ours && typeof b.results[t.id]?.anon === 'number')
  if (ours.length) {
    const parts = ours.map((t) => {
      const r = b.results[t.id]
      return `${t.id === 'ours' ? 'Node API' : t.id === 'ours-1t' ? 'Node API, 1 thread' : t.id === 'cli' ? 'CLI `--json`' : t.id === 'cli-text' ? 'CLI text' : t.id} ${fmtMiB(r.anon)} = ${(r.anon / b.meta.bytes).toFixed(2)}× (${metCell(r.anon <= limit)})`
    })
    const samples = Math.min(...ours.map((t) => b.results[t.id].anonSamples))
    out.push(
      `Anonymous memory (aim: ≤ half the dump, ${fmtMiB(limit)} here), median peak RssAnon over the dump's size: ${parts.join(', ')}. ` +
        `Sampled from \`/proc/PID/status\` every ${ANON_POLL_MS} ms (at least ${samples} samples a run), so a lower bound; the rest of peak RSS is file-backed (the mapped dump, Node and the addon's code).`,
    )
  }
  const text = b.results['cli-text']
  if (text?.wall) {
    const rate = b.meta.bytes / MiB / text.wall
    out.push(
      b.meta.bytes >= TEXT_AIM.bytes * 0.99
        ? `Full text report (aim: a 1 GiB dump in < ${TEXT_AIM.seconds} s): CLI \`stacks FILE > out\` ${fmtS(text.wall)}, ${rate.toFixed(0)} MiB/s (${metCell(text.wall * (TEXT_AIM.bytes / b.meta.bytes) < TEXT_AIM.seconds)}).`
        : `Full text report: CLI \`stacks FILE > out\` ${fmtS(text.wall)} (${rate.toFixed(0)} MiB/s); the aim (a 1 GiB dump in < ${TEXT_AIM.seconds} s, ${(TEXT_AIM.bytes / MiB / TEXT_AIM.seconds).toFixed(0)} MiB/s) is judged on the 1 GiB inputs only, where Node's start-up weighs less.`,
    )
  }
  return out
}

function table(b, tools) {
  const ref = b.results.ours?.wall ? b.results.ours : null
  const rows = [
    '| tool | work | median wall (min–max) | MiB/s | goroutines/s | peak RSS | peak anon (sampled) | ours faster by | ours RSS / theirs |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|',
  ]
  for (const t of tools) {
    const r = b.results[t.id]
    if (!r) continue
    if (!r.wall) {
      const why = r.skipped ?? (r.error ? `**failed**: ${r.error.split('\n')[0].replace(/\|/g, '\\|').slice(0, 200)}` : 'not run')
      rows.push(`| ${t.name} | ${t.what} | ${why} | | | | | | |`)
      continue
    }
    const n = r.runs.length
    const speed = t.floor ? 'floor' : ref && !t.ours ? fmtX(r.wall / ref.wall) : ref && t.id === 'ours' ? 'ref' : ''
    const rssRatio = t.floor ? '' : ref && !t.ours ? (ref.rss / r.rss).toFixed(2) : ref && t.id === 'ours' ? 'ref' : ''
    rows.push(
      `| ${t.name} | ${t.what} | ${fmtS(r.wall)} (${fmtS(r.minWall).replace(' s', '')}–${fmtS(r.maxWall)}, n=${n}) | ${r.mibps.toFixed(0)} | ${fmtN(r.gps)} | ${fmtMiB(r.rss)} | ${anonCell(r)} | ${speed} | ${rssRatio} |`,
    )
  }
  if (b.core) {
    const name = 'goroscope core, `parse_speed` example (Rust, no Node)'
    if (b.core.error) rows.push(`| ${name} | parse only | **failed**: ${b.core.error.replace(/\|/g, '\\|').slice(0, 200)} | | | | | | |`)
    for (const mode of ['parallel', 'sequential']) {
      const c = b.core[mode]
      if (!c) continue
      rows.push(`| ${name}, ${mode} | parse only, file already in memory | ${fmtS(c.seconds)} (best of 5 in-process) | ${c.mibps.toFixed(0)} | ${fmtN(c.gps)} | n/a | n/a | | |`)
    }
  }
  return rows.join('\n')
}

function stacksSection({ benches, tools, peers, nproc }) {
  const L = []
  L.push('### Inputs (goroutine dumps)')
  L.push('')
  L.push('| input | size | goroutines | distinct groups (goroscope / panicparse buckets) | source blocks |')
  L.push('|---|---:|---:|---|---|')
  for (const b of benches) {
    const g = b.results.ours?.counts?.groups ?? '—'
    const pb = b.results.panicparse?.counts?.groups ?? '—'
    const src = b.meta.sources.map((s) => `${s.blocks} from \`${path.basename(s.file)}\``).join(', ')
    L.push(`| \`${b.file}\` | ${(b.meta.bytes / MiB).toFixed(1)} MiB | ${b.meta.goroutines.toLocaleString('en-US')} | ${g} / ${pb} | ${src} |`)
  }
  L.push('')
  L.push(
    'Real goroutine blocks (Go 1.26 `debug=2` capture of fixtures/goprog + panicparse\'s Go 1.14 `panicweb` capture) replicated with fresh unique ids ' +
      `by \`bench/gen.mjs\`; about half of the copies get one frame's line number shifted by 1–${benches[0]?.meta.variants - 1 || 63} so there are thousands of distinct stacks. ` +
      'Blocks every peer can read: plain `debug=2` headers (no Go ≥ 1.22 `gp=… m=…` fields) and none with `...N frames elided...` ' +
      `(dropped: ${benches[0]?.meta.dropped.elided ?? 0}).`,
  )
  for (const b of benches) {
    L.push('')
    L.push(`### ${b.size} input (${(b.meta.bytes / MiB).toFixed(0)} MiB, ${b.meta.goroutines.toLocaleString('en-US')} goroutines, ${b.runs} runs per tool)`)
    L.push('')
    const prov = provenance(b.measured)
    if (prov) L.push(prov, '')
    L.push(table(b, tools))
    const extra = []
    const o = b.results.ours
    const o1 = b.results['ours-1t']
    if (o?.wall && o1?.wall) extra.push(`Parallel scaling: 1 thread ${fmtS(o1.wall)} vs default (${nproc} threads) ${fmtS(o.wall)} = ${(o1.wall / o.wall).toFixed(2)}× on ${nproc} shared cores.`)
    const pp = b.results.panicparse
    if (pp?.wall && Number.isFinite(pp.parseSeconds))
      extra.push(`panicparse in-process split (median): ScanSnapshot ${fmtS(pp.parseSeconds)}, Aggregate ${fmtS(pp.aggregateSeconds)}.`)
    const gsp = b.results.gostackparse
    if (gsp?.wall && o?.wall) extra.push(`gostackparse only parses (no grouping, no analysis), so "ours faster by" against it compares our full analysis with their parse.`)
    extra.push(...dumpAims(b, tools))
    for (const m of b.mismatches) extra.push(`**Count mismatch:** ${m}`)
    if (!b.mismatches.length) extra.push(`Goroutine counts: every tool that ran reported ${b.meta.goroutines.toLocaleString('en-US')}, the generator's count.`)
    if (extra.length) L.push('', ...extra.map((x) => `- ${x}`))
  }
  L.push('')
  L.push('#### Notes on goroutine dumps')
  L.push('')
  L.push(`- Wall time is measured around a fresh process (process start, reading the file, parsing, analysing, exiting); peak RSS is the process's maximum resident set (\`/usr/bin/time -f %M\`); peak anon is the largest \`RssAnon\` (private memory: heaps, stacks, V8; not the mapped file or code) sampled from \`/proc/PID/status\` every ${ANON_POLL_MS} ms. Inputs are pre-read into the page cache.`)
  L.push(`- "ours faster by" = their median wall / goroscope Node API median wall; "ours RSS / theirs" < 1 means goroscope used less memory.`)
  L.push(`- Peers come from the Go module proxy (\`bench/peers/go.mod\`: ${Object.entries(peers.versions ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') || 'n/a'}); no peer code is in this repository.`)
  L.push('- gostackparse rejects Go ≥ 1.22 headers with `gp=`/`m=` fields (GOTRACEBACK=system/crash dumps) and Go ≥ 1.21 `...N frames elided...` lines, dropping those goroutines with an error each; that is why the inputs avoid them.')
  return L.join('\n')
}

const iso = (d) => new Date(d).toISOString().replace(/\.\d+Z$/, 'Z')
const esc = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ')
const loadStr = (l) => (l ? l.map((x) => x.toFixed(1)).join(' / ') : '?')

function binaryStr(bin) {
  if (!bin) return 'the shared root `goroscope.linux-x64-gnu.node` (not pinned by the bench)'
  const how = bin.reused ? 'reused as found (BENCH_BUILD=0)' : `${bin.profile ?? 'release'} build of goroscope-node (\`cargo build --release --locked\`, \`CARGO_TARGET_DIR=${bin.targetDir ?? '~/.cache/goroscope/bench-target'}\`)`
  return `\`${bin.path}\` (${how}, built ${bin.builtAt ? iso(bin.builtAt) : '?'} from commit ${bin.commit ?? '?'}, ${(bin.bytes / MiB).toFixed(1)} MiB, sha256 \`${bin.sha256.slice(0, 16)}…\`)`
}

/** A line saying when a result was measured, when that was not in this invocation. */
function provenance(m) {
  if (!m || (CURRENT && m.started === CURRENT.started)) return null
  let s = `> **Not run in this invocation:** measured on ${iso(m.started)} by \`${m.command}\` with goroscope ${binaryStr(m.binary)}; load average ${loadStr(m.loadStart)} at the start of that run.`
  if (m.legacy) s += ` ${m.legacy}`
  return s
}

const ratio = (a, b) => (a && b ? (a / b >= 10 ? (a / b).toFixed(0) : (a / b).toFixed(2)) : '')
function wallCell(r) {
  return `${fmtS(r.wall)} (${fmtS(r.minWall).replace(' s', '')}–${fmtS(r.maxWall)}, n=${r.runs.length})`
}

function profileInputsTable(inputs) {
  const L = ['| input | file size | uncompressed | samples | avg stack depth | locations | functions | source |', '|---|---:|---:|---:|---:|---:|---:|---|']
  for (const i of inputs) {
    const s = i.stats
    L.push(
      `| \`${i.file}\` | ${(s.bytes / MiB).toFixed(1)} MiB | ${(s.rawBytes / MiB).toFixed(1)} MiB (${(s.rawBytes / 1e6).toFixed(0)} MB) | ${s.samples.toLocaleString('en-US')} | ${s.avgDepth.toFixed(1)} | ${s.locations.toLocaleString('en-US')} | ${s.functions.toLocaleString('en-US')} | ${i.source} |`,
    )
  }
  return L.join('\n')
}

function profileTable(inputs, ids, allTools) {
  const L = ['| input | tool | command | median wall (min–max) | peak RSS | wall ours / peer | RSS ours / peer |', '|---|---|---|---|---:|---:|---:|']
  for (const inp of inputs) {
    for (const id of ids) {
      const t = allTools.find((x) => x.id === id)
      const r = inp.results[id]
      if (!t || !r) continue
      const cmd = `\`${t.shown.replace(/ {2}\(.*$/, '')}\``
      if (!r.wall) {
        const why = r.skipped ?? (r.error ? `**failed**: ${esc(r.error).slice(0, 220)}` : 'not run')
        L.push(`| ${inp.id} | ${t.name} | ${cmd} | ${why} | | | |`)
        continue
      }
      const peer = t.peer ? inp.results[t.peer] : null
      const wr = t.floor ? 'floor' : t.peerRef ? 'ref' : peer?.wall ? ratio(r.wall, peer.wall) : 'no peer result'
      const rr = t.floor ? '' : t.peerRef ? 'ref' : peer?.rss ? ratio(r.rss, peer.rss) : ''
      L.push(`| ${inp.id} | ${t.name} | ${cmd} | ${wallCell(r)} | ${fmtMiB(r.rss)} | ${wr} | ${rr} |`)
    }
  }
  return L.join('\n')
}

function checkLines(inp, relevant) {
  const out = []
  for (const c of inp.checks.filter((c) => relevant.some((w) => c.what.includes(w)))) {
    if (c.same) out.push(`${inp.id}: ${c.what} byte-identical to pprof's (${c.ours.toLocaleString('en-US')} bytes).`)
    else out.push(`**⚠ Output mismatch on ${inp.id}:** goroscope's ${c.what} differs from pprof's (${c.ours} vs ${c.peer} bytes; see \`bench/out/cmp/${inp.id}.*\`).`)
  }
  return out
}

function pprofSection(part, allTools) {
  const L = ['## pprof reports: goroscope vs `go tool pprof` (`-top`, `-tree`, `-peek`, `-traces`)', '']
  const prov = provenance(part.measured)
  if (prov) L.push(prov, '')
  L.push(profileInputsTable(part.inputs), '')
  L.push(profileTable(part.inputs, ['floor-zcat', 'top-cli', 'top-api', 'top-pprof', 'tree-cli', 'tree-pprof', 'peek-cli', 'peek-pprof', 'traces-cli', 'traces-pprof'], allTools))
  const extra = []
  for (const inp of part.inputs) {
    const api = inp.results['top-api']
    if (api?.wall && Number.isFinite(api.loadSeconds)) extra.push(`${inp.id}: Node API in-process split (median): \`Profile.load\` ${fmtS(api.loadSeconds)}, \`.top()\` ${fmtS(api.reportSeconds)}; the rest of its wall time is Node start-up and exit.`)
    if (inp.projection?.projected) extra.push(`${inp.id}: pprof's peak RSS was projected at ${fmtMiB(inp.projection.projected)} from one \`-top\` run on a ${inp.projection.smallSamples.toLocaleString('en-US')}-sample profile of the same generator (${fmtMiB(inp.projection.smallRss)}); pprof runs only when that is under 85 % of available memory.`)
    if (inp.projection?.error) extra.push(`${inp.id}: pprof memory projection failed (${esc(inp.projection.error)}); pprof was run unguarded.`)
    extra.push(...checkLines(inp, ['-top', '-tree', '-peek', '-traces']))
  }
  if (extra.length) L.push('', ...extra.map((x) => `- ${x}`))
  return L.join('\n')
}

function graphSection(part, allTools) {
  const L = ['## Graphs: `goroscope dot`/`svg` vs `go tool pprof -dot`/`-svg`', '']
  const prov = provenance(part.measured)
  if (prov) L.push(prov, '')
  L.push('Same inputs as the pprof reports above.', '')
  L.push(profileTable(part.inputs, ['dot-cli', 'dot-pprof', 'svg-cli', 'svg-pprof', 'render-wasm', 'render-graphviz'], allTools))
  const extra = []
  for (const inp of part.inputs) {
    const r = inp.results
    const share = (svg, dot, alone, who) => {
      if (!r[svg]?.wall) return
      const parts = []
      if (r[dot]?.wall) parts.push(`(svg − dot) / svg = ${Math.max(0, ((r[svg].wall - r[dot].wall) / r[svg].wall) * 100).toFixed(0)} %`)
      if (r[alone]?.wall) parts.push(`layout+render alone / svg = ${((r[alone].wall / r[svg].wall) * 100).toFixed(0)} % (${fmtS(r[alone].wall)} of ${fmtS(r[svg].wall)}${r[alone].renderSeconds ? `; ${fmtS(r[alone].renderSeconds)} in-process` : ''})`)
      if (parts.length) extra.push(`${inp.id}: share of ${who}'s SVG time spent in Graphviz layout/rendering: ${parts.join('; ')}.`)
    }
    share('svg-cli', 'dot-cli', 'render-wasm', 'goroscope')
    share('svg-pprof', 'dot-pprof', 'render-graphviz', 'pprof')
    if (inp.svgSizes?.['svg-cli'] && inp.svgSizes?.['svg-pprof']) extra.push(`${inp.id}: SVG sizes: goroscope ${(inp.svgSizes['svg-cli'] / 1024).toFixed(0)} KiB, pprof ${(inp.svgSizes['svg-pprof'] / 1024).toFixed(0)} KiB (different Graphviz builds and post-processing, so not compared byte for byte).`)
    extra.push(...checkLines(inp, ['DOT']))
  }
  if (extra.length) L.push('', ...extra.map((x) => `- ${x}`))
  return L.join('\n')
}

// ---------------------------------------------------------------------------------------------
// Start-up (issue 13): the CLI's fixed cost against a bare Node, in fresh processes, rounds
// interleaved. The aim: `--version` and `top` on a small profile within 1.3× of `node -e 0`.
const STARTUP_AIM = 1.3
const STARTUP_PROFILE = 'fixtures/profiles/go126-cpu.pb.gz'

async function benchStartup() {
  const node = process.execPath
  const bin = path.join(repoRoot, 'bin/goroscope.js')
  const tools = [
    { id: 'node', cmd: 'node -e 0', args: ['-e', '0'] },
    { id: 'version', cmd: 'goroscope --version', args: [bin, '--version'] },
    { id: 'top', cmd: `goroscope top ${STARTUP_PROFILE} > /dev/null`, args: [bin, 'top', STARTUP_PROFILE] },
    { id: 'stacks-help', cmd: 'goroscope stacks --help > /dev/null (loads yargs)', args: [bin, 'stacks', '--help'] },
  ]
  const runs = env.BENCH_RUNS ? Number(env.BENCH_RUNS) : 15
  const walls = Object.fromEntries(tools.map((t) => [t.id, []]))
  const rss = Object.fromEntries(tools.map((t) => [t.id, []]))
  const anon = Object.fromEntries(tools.map((t) => [t.id, []]))
  const errors = {}
  for (let i = 0; i < runs; i++) {
    for (const t of tools) {
      const r = await measure(node, t.args, { extraEnv: OURS_ENV, stdoutFile: '/dev/null' })
      if (!r.ok) errors[t.id] = errSummary(r.stderr)
      else {
        walls[t.id].push(r.wall)
        rss[t.id].push(r.rss)
        if (r.anon !== null) anon[t.id].push(r.anon)
      }
    }
  }
  log(`startup: ${tools.map((t) => `${t.id} ${fmtS(median(walls[t.id]))}`).join(', ')}`)
  return {
    measured: CURRENT,
    runs,
    rows: tools.map((t) => ({
      id: t.id,
      cmd: t.cmd,
      error: errors[t.id] ?? null,
      wall: median(walls[t.id]),
      minWall: Math.min(...walls[t.id]),
      maxWall: Math.max(...walls[t.id]),
      n: walls[t.id].length,
      rss: median(rss[t.id]),
      anon: anon[t.id].length ? median(anon[t.id]) : null,
    })),
  }
}

function startupSection(part) {
  const L = ['## Start-up: the CLI against a bare `node -e 0`', '']
  const p = provenance(part.measured)
  if (p) L.push(p, '')
  const base = part.rows.find((r) => r.id === 'node')
  L.push('| command | median wall (min–max) | peak RSS | peak anon (sampled) | wall / `node -e 0` | aim (≤ 1.3×) |', '|---|---|---:|---:|---:|---|')
  for (const r of part.rows) {
    if (r.error) {
      L.push(`| \`${r.cmd}\` | **failed**: ${r.error} | | | | |`)
      continue
    }
    const x = r.wall / base.wall
    const aim = r.id === 'version' || r.id === 'top' ? (x <= STARTUP_AIM ? 'met' : '**not met**') : ''
    L.push(`| \`${r.cmd}\` | ${fmtS(r.wall)} (${fmtS(r.minWall).replace(' s', '')}–${fmtS(r.maxWall)}, n=${r.n}) | ${fmtMiB(r.rss)} | ${anonCell(r)} | ${r.id === 'node' ? 'ref' : fmtX(x)} | ${aim} |`)
  }
  L.push('', `Every command runs in a fresh process (\`node bin/goroscope.js …\`, the pinned addon), ${part.runs} interleaved rounds; the \`top\` profile is \`${STARTUP_PROFILE}\` (a real Go 1.26 CPU profile). ` +
    '`--help` of a command is the slow path on purpose: only it, completion and mistakes load yargs.')
  return L.join('\n')
}

function markdown({ mach, results, notes, allStacksTools, allProfileTools, finished }) {
  const L = []
  const c = CURRENT
  const ran = PARTS.map((p) => (p === 'stacks' ? `stacks (${SIZES.join(', ')})` : p)).join(', ')
  const notRun = ALL_PARTS.filter((p) => !PARTS.includes(p))
  L.push(`Generated by \`${c.command}\` on ${iso(c.started)} (took ${((finished - new Date(c.started)) / 60000).toFixed(1)} min); parts run in this invocation: ${ran}${notRun.length ? `; **not run in this invocation:** ${notRun.join(', ')} (results below are from earlier runs, dated where shown)` : ''}. Raw runs: \`bench/out/results.json\` (not committed).`)
  L.push('')
  L.push(
    `**Machine:** ${mach.nproc} CPUs (${mach.cpu}), ${mach.memGiB.toFixed(0)} GiB RAM, Linux ${mach.kernel}; Node ${mach.node}, ${mach.go}, ${mach.rustc}${mach.graphviz ? `, ${mach.graphviz}` : ''}. ` +
      `goroscope at commit ${mach.commit}. Load average at start ${loadStr(mach.loadStart)}, at end ${loadStr(os.loadavg())}.`,
  )
  L.push('')
  L.push(
    `**goroscope binary used (this invocation):** ${binaryStr(c.binary)}, loaded by every goroscope run, Node API and CLI alike, through \`NAPI_RS_NATIVE_LIBRARY_PATH\` ` +
      `(checked in \`/proc/self/maps\`: on every Node API run and on a CLI probe run), so other engineers' builds of the shared root \`goroscope.linux-x64-gnu.node\` cannot leak in. ${c.binary?.dist ? c.binary.dist + '.' : ''}`,
  )
  L.push('')
  L.push(
    `> **Noise:** ${Math.max(mach.loadStart[0], os.loadavg()[0]) < mach.nproc ? `this is a shared ${mach.nproc}-core machine, quiet during this run (load average below the core count at its start and end)` : `this is a shared ${mach.nproc}-core machine and it was loaded (other engineers were building and fuzzing during the run)`}; every number is the **median** of fresh-process runs, ` +
      `with rounds interleaved across tools so that background load hits all of them alike. Treat ratios as ±20 % (more for sub-second runs).`,
  )
  const st = results.parts.stacks
  L.push('', '## Goroutine dumps: goroscope vs gostackparse and panicparse', '')
  if (st?.benches?.length) L.push(stacksSection({ benches: st.benches, tools: allStacksTools, peers: st.peers ?? {}, nproc: mach.nproc }))
  else L.push('_Not run yet: `BENCH_PARTS=stacks npm run bench`._')
  const missing = ['100MiB', 'short-100MiB', '1GiB', 'short-1GiB'].filter((s) => !st?.benches?.some((b) => b.size === s))
  if (missing.length) L.push('', `> **Not measured:** the ${missing.join(', ')} dump${missing.length > 1 ? 's were' : ' was'} not run in this invocation and no earlier result with the pinned build is kept; run \`BENCH_PARTS=stacks BENCH_SIZES=${missing.join(',')} npm run bench\`.`)
  for (const [name, fn] of [
    ['pprof', pprofSection],
    ['graph', graphSection],
  ]) {
    L.push('')
    const part = results.parts[name]
    if (part?.inputs?.length) L.push(fn(part, allProfileTools))
    else L.push(`## ${name}`, '', `_Not run yet: \`BENCH_PARTS=${name} npm run bench\`._`)
  }
  L.push('')
  if (results.parts.startup?.rows?.length) L.push(startupSection(results.parts.startup))
  else L.push('## Start-up', '', '_Not run yet: `BENCH_PARTS=startup npm run bench`._')
  L.push('', '### Notes', '')
  L.push("- Wall time is measured around a fresh process (process start, reading, decompressing and parsing, the report, writing it, exiting); peak RSS is the process's maximum resident set (`/usr/bin/time -f %M`; for `pprof -svg`, the larger of pprof and the `dot` it runs, not their sum). Inputs are pre-read into the page cache.")
  L.push('- Profile tables: "wall ours / peer" and "RSS ours / peer" < 1 mean goroscope was faster / used less memory; the peer of each goroscope row is the pprof (or Graphviz) row of the same report marked "ref". ' +
    '`go tool pprof` is run as the binary `go tool -n pprof` resolves to (same program, without the go command\'s own start-up), with `TZ=UTC` and `-symbolize=none`; goroscope runs get `TZ=UTC` too.')
  L.push('- The DOT graphs (pprof\'s defaults: -nodecount=80, -nodefraction=0.005, -edgefraction=0.001) are drawn by goroscope with its bundled WebAssembly Graphviz (`@viz-js/viz`), by pprof with the system Graphviz `dot`. The "alone" rows lay out and render each side\'s DOT without building the graph.')
  for (const n of notes) L.push(`- ${n}`)
  return L.join('\n')
}

const BEGIN = '<!-- bench:begin (generated by `npm run bench`; edit outside these markers) -->'
const END = '<!-- bench:end -->'
const INTRO = `# Benchmarks

How fast goroscope is on big inputs, compared with the tools people use for the same job:

* goroutine dumps: [DataDog/gostackparse](https://github.com/DataDog/gostackparse) (a fast parser, no
  grouping) and [maruel/panicparse](https://github.com/maruel/panicparse) (parser + aggregation);
* pprof profiles: \`go tool pprof -top\` / \`-tree\` / \`-peek\` / \`-traces\` (goroscope's reports are
  byte-identical to them);
* call graphs: \`go tool pprof -dot\` / \`-svg\` (system Graphviz) against \`goroscope dot\` / \`svg\`
  (bundled WebAssembly Graphviz).

Reproduce with \`npm run bench\` (needs Go, Graphviz and network access to the Go module proxy for the
peers). It builds its own release addon into a private target dir (\`bench/out/goroscope.node\`),
generates 100 MiB and 1 GiB dumps in two shapes (\`bench/gen.mjs\`: \`mixed\` real blocks of ~470 B and
\`short-\` ones of ~320 B, the fixture program's idle workers, IO waiters and selects) and 400 k- and
1.2 M-sample profiles (\`bench/gen-profile.mjs\`) under \`bench/out/\` (cached, not committed), builds the
peers (\`bench/peers/\`), times every tool in fresh processes and rewrites the section below. Floor
rows (\`grep -c '^goroutine '\`, \`zcat | wc -c\`) show what merely reading the input costs.
\`npm run bench -- --quick\` (or \`BENCH_QUICK=1\`) runs the small inputs only. \`BENCH_PARTS\` (stacks,
pprof, graph), \`BENCH_RUNS\`, \`BENCH_SIZES\`, \`BENCH_PROFILE_SAMPLES\` and \`BENCH_TOOLS\` narrow a run
(see \`bench/run.mjs\`); parts not run keep their previous results, dated.

`

function writeMarkdown(section) {
  const file = path.join(repoRoot, 'BENCHMARKS.md')
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : INTRO + BEGIN + '\n' + END + '\n'
  if (text.indexOf('<!-- bench:begin') < 0 || text.indexOf(END) < 0) text = text.trimEnd() + '\n\n' + BEGIN + '\n' + END + '\n'
  const a = text.indexOf('<!-- bench:begin')
  const b = text.indexOf(END)
  let intro = text.slice(0, a)
  // The intro the bench wrote before it had the pprof and graph parts is replaced by the current one.
  if (intro.startsWith('# Benchmarks\n\nHow fast goroscope reads big goroutine dumps')) intro = INTRO
  text = intro + BEGIN + '\n' + section.trim() + '\n' + text.slice(b)
  fs.writeFileSync(file, text)
  log(`wrote ${rel(file)}`)
}

// ---------------------------------------------------------------------------------------------
/** Previous results, in the current layout (older results.json files held only the stacks part). */
function previousResults() {
  const file = path.join(outDir, 'results.json')
  let prev = null
  try {
    prev = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch {
    return { version: 2, parts: {} }
  }
  if (prev?.version === 2) return prev
  if (Array.isArray(prev?.benches)) {
    const measured = {
      started: prev.started,
      command: prev.command,
      binary: null,
      loadStart: prev.machine?.loadStart,
      legacy:
        'That run predates the pinned bench build: its goroscope rows used whatever the shared root addon was, and other engineers\' **debug** builds replaced it during the run (the 1 GiB goroscope rows, ≈39 s, were measured with a debug build; a release build takes ≈1.7 s). Re-run `BENCH_PARTS=stacks npm run bench`.',
    }
    return { version: 2, parts: { stacks: { benches: prev.benches.map((b) => ({ ...b, measured })), peers: prev.peers, machine: prev.machine } } }
  }
  return { version: 2, parts: {} }
}

async function main() {
  const started = new Date()
  const benchVars = Object.keys(env).filter((k) => k.startsWith('BENCH_'))
  const command = 'npm run bench' + (benchVars.length ? ` (with ${benchVars.map((k) => `${k}=${env[k]}`).join(' ')})` : '')
  const notes = []
  const mach = machine()
  mach.graphviz = graphvizVersion()
  log(`${mach.nproc} CPUs ${mach.cpu}, load ${mach.loadStart.map((x) => x.toFixed(1)).join(' ')}; parts ${PARTS.join(', ')}`)
  if (!TIME) notes.push('`/usr/bin/time` not found: peak RSS from polling `/proc/PID/status` VmHWM every 10 ms (may miss short spikes).')

  const ob = buildOurs(notes, mach)
  let oursOk = ob.ok
  let oursError = ob.error
  if (oursOk) {
    const p = probeOurs()
    oursOk = p.ok
    if (!p.ok) oursError = `goroscope does not run with ${rel(ADDON)}: ${p.error}`
  }
  if (!oursOk) log(`ours: ${oursError}`)
  CURRENT = { started: started.toISOString(), command, binary: ob.binary ?? null, loadStart: mach.loadStart }
  const prev = previousResults()
  const results = { version: 2, started, command, machine: mach, parts: { ...prev.parts } }

  const gomod = path.join(repoRoot, 'bench/peers/go.mod')
  const versions = {}
  if (fs.existsSync(gomod)) for (const m of fs.readFileSync(gomod, 'utf8').matchAll(/^\s*(github\.com\/\S+)\s+(v\S+)/gm)) versions[m[1]] = m[2]
  const allStacksTools = toolList({ peers: { ok: true, versions }, oursOk: true, all: true })

  // Part 1: goroutine dumps
  if (PARTS.includes('stacks')) {
    const peers = buildPeers()
    if (!peers.ok) log(`peers: ${peers.error}`)
    const core = oursOk && (!ONLY || ONLY.has('core')) ? buildCoreExample() : null
    if (core && !core.ok) log(`core example: ${core.error}`)
    const tools = toolList({ peers, oursOk, oursError, peersError: peers.error })
    const benches = []
    let prevRes = null
    for (const s of SIZES) {
      const b = await benchInput(s, tools, prevRes, core)
      benches.push(b)
      prevRes = b.results
    }
    // Keep earlier results for sizes not run now (dated in the report).
    const kept = (prev.parts.stacks?.benches ?? []).filter((b) => !SIZES.includes(b.size))
    const all = [...benches, ...kept].sort((a, b) => a.meta.bytes - b.meta.bytes)
    results.parts.stacks = { measured: CURRENT, peers: { ok: peers.ok, error: peers.error, versions: peers.versions }, benches: all }
  }

  // Parts 2 and 3: profiles (one set of interleaved rounds per input for both parts)
  const pprof = PARTS.includes('pprof') || PARTS.includes('graph') ? resolvePprof() : { ok: false }
  const allProfileTools = profileTools({ oursOk: true, pprof: { ok: true, bin: 'pprof' }, all: true })
  if (PARTS.includes('pprof') || PARTS.includes('graph')) {
    if (!pprof.ok) log(`pprof: ${pprof.error}`)
    if (PARTS.includes('graph') && !mach.graphviz) notes.push('Graphviz `dot` is not installed (`apt-get install -y graphviz`): `pprof -svg` cannot render.')
    const tools = profileTools({ oursOk, oursError, pprof })
    const inputs = profileInputs(notes)
    const measured = []
    for (const input of inputs) measured.push(await benchProfile(input, tools, pprof))
    for (const part of ['pprof', 'graph']) {
      if (!PARTS.includes(part)) continue
      const ids = new Set(allProfileTools.filter((t) => t.part === part).map((t) => t.id))
      results.parts[part] = {
        measured: CURRENT,
        inputs: measured.map((m) => ({ ...m, results: Object.fromEntries(Object.entries(m.results).filter(([id]) => ids.has(id))) })),
      }
    }
  }

  // Part 4: start-up
  if (PARTS.includes('startup')) {
    if (oursOk) results.parts.startup = await benchStartup()
    else log(`startup: not run: ${oursError}`)
  }

  const finished = new Date()
  results.finished = finished
  if (fs.existsSync(ADDON) && ob.binary && sha256(ADDON) !== ob.binary.sha256) {
    notes.push(`**Warning:** \`${rel(ADDON)}\` changed during this run (another bench run?); goroscope rows may mix two builds.`)
    log('bench/out/goroscope.node changed during the run')
  }
  results.notes = notes
  results.current = CURRENT
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n')

  const md = markdown({ mach, results, notes, allStacksTools, allProfileTools, finished })
  console.log(md)
  if (env.BENCH_NO_WRITE !== '1') writeMarkdown(md)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
