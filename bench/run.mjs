#!/usr/bin/env node
// bench/run.mjs - `npm run bench`: goroscope vs gostackparse and panicparse on large goroutine dumps.
//
// One run does everything: generate (cached) inputs under bench/out/, build the Go peers from the
// module proxy (bench/peers), make sure the native addon is fresh, time every tool in fresh
// processes (rounds interleaved, so machine noise spreads over all tools), and rewrite the generated
// section of BENCHMARKS.md. Raw numbers go to bench/out/results.json.
//
// Environment:
//   BENCH_RUNS=N         runs per tool and input (default: 5 for 100 MiB, 3 for 1 GiB)
//   BENCH_SIZES=a,b      inputs (default 100MiB,1GiB)
//   BENCH_BUILD=0        never rebuild goroscope, even when the addon looks stale
//   BENCH_TIMEOUT=S      per-run timeout in seconds (default 1800)
//   BENCH_TOOLS=a,b      only these tool ids (ours, ours-1t, cli, core, gostackparse, panicparse)
//   BENCH_NO_WRITE=1     do not touch BENCHMARKS.md
import { spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

import { ensureDump, outDir, parseSize, repoRoot } from './gen.mjs'

const MiB = 2 ** 20
const env = process.env
const log = (...a) => console.error('bench:', ...a)
const rel = (p) => path.relative(repoRoot, p)
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null
const TIMEOUT = Number(env.BENCH_TIMEOUT || 1800) * 1000
const SIZES = (env.BENCH_SIZES || '100MiB,1GiB').split(',').map((s) => s.trim()).filter(Boolean)
const ONLY = env.BENCH_TOOLS ? new Set(env.BENCH_TOOLS.split(',').map((s) => s.trim())) : null
const defaultRuns = (bytes) => (env.BENCH_RUNS ? Number(env.BENCH_RUNS) : bytes >= 512 * MiB ? 3 : 5)

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

function otherBuildsRunning() {
  const r = spawnSync('pgrep', ['-x', '-d,', 'cargo|rustc'], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : ''
}

function oursStatus() {
  const addon = path.join(repoRoot, 'goroscope.linux-x64-gnu.node')
  const rustSrc = [
    ...walk(path.join(repoRoot, 'crates'), (p) => /\.(rs|toml)$/.test(p) && !p.includes(`${path.sep}examples${path.sep}`) && !p.includes(`${path.sep}tests${path.sep}`)),
    path.join(repoRoot, 'Cargo.toml'),
    path.join(repoRoot, 'Cargo.lock'),
  ]
  const tsSrc = walk(path.join(repoRoot, 'src'), (p) => p.endsWith('.ts'))
  const distIndex = path.join(repoRoot, 'dist/src/index.js')
  const distFiles = walk(path.join(repoRoot, 'dist/src'), (p) => p.endsWith('.js'))
  const oldestDist = distFiles.length ? Math.min(...distFiles.map(mtime)) : 0
  return {
    nativeStale: !fs.existsSync(addon) || mtime(addon) < newest(rustSrc),
    tsStale: !fs.existsSync(distIndex) || oldestDist < newest(tsSrc),
  }
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

function buildOurs(notes) {
  const st = oursStatus()
  if (!st.nativeStale && !st.tsStale) return { ok: true, built: false }
  if (env.BENCH_BUILD === '0') {
    notes.push(`goroscope looked stale (native: ${st.nativeStale}, TypeScript: ${st.tsStale}) but BENCH_BUILD=0: measured as found.`)
    return { ok: true, built: false }
  }
  const others = otherBuildsRunning()
  if (others) log(`other cargo/rustc processes are running (${others}); building anyway (cargo waits for its lock)`)
  const script = st.nativeStale ? 'build' : 'build:ts'
  const r = run('npm', ['run', script])
  if (!r.ok) return { ok: false, error: `npm run ${script} failed:\n${lastLines(r.err || r.out)}` }
  return { ok: true, built: true }
}

function probeOurs() {
  const probe = ['fixtures/dumps/go126-debug2-minutes.txt', '/work/shared/corpus/goroutine-dumps/panicparse/static_panicweb.txt']
    .map((p) => path.resolve(repoRoot, p))
    .find((p) => fs.existsSync(p))
  if (!probe) return { ok: true }
  const r = run(process.execPath, [path.join(repoRoot, 'bench/ours.mjs'), probe])
  if (!r.ok) return { ok: false, error: errSummary(r.err) }
  return { ok: true }
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
  const r = run('cargo', ['build', '--release', '--locked', '-p', 'goroscope-core', '--example', 'parse_speed', '--message-format=json-render-diagnostics'])
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

// ---------------------------------------------------------------------------------------------
// Measuring one run: fresh process, wall clock from here, peak RSS from GNU time (%M) or VmHWM.
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
    const poll = TIME
      ? null
      : setInterval(() => {
          try {
            const m = /VmHWM:\s*(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))
            if (m) hwm = Math.max(hwm, Number(m[1]))
          } catch {}
        }, 10)
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT)
    child.on('close', (code, signal) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9
      clearTimeout(timer)
      if (poll) clearInterval(poll)
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
      resolve({ ok: code === 0 && !signal, code, signal, wall, rss: rssKiB * 1024, json, stdout, stderr })
    })
  })
}

// ---------------------------------------------------------------------------------------------
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const n = s.length
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}

function toolList({ peers, oursOk, oursError, peersError }) {
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
      counts: () => {
        try {
          const fd = fs.openSync(path.join(outDir, 'cli-report.json'), 'r')
          const b = Buffer.alloc(256)
          fs.readSync(fd, b, 0, 256, 0)
          fs.closeSync(fd)
          return { goroutines: Number(/"goroutines":\s*(\d+)/.exec(b.toString())?.[1]) }
        } catch {
          return {}
        }
      },
    },
  ]
  tools.push(
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
  return ONLY ? tools.filter((t) => ONLY.has(t.id)) : tools
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
  const size = parseSize(sizeName)
  const file = path.join(outDir, `dump-${sizeName}.txt`)
  const meta = ensureDump({ size, out: file, log })
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
      const r = await measure(cmd, args, { extraEnv: t.env })
      if (!r.ok) {
        res.error = `exit ${r.signal ?? r.code}${r.signal === 'SIGKILL' ? ' (timeout?)' : ''}: ${errSummary(r.stderr)}`
        log(`${t.id} run ${round + 1}: FAILED ${res.error}`)
        continue
      }
      res.counts = t.counts(r)
      res.runs.push({ wall: r.wall, rss: r.rss, counts: res.counts })
      log(`${sizeName} ${t.id.padEnd(12)} run ${round + 1}/${runs}: ${r.wall.toFixed(2)} s, ${(r.rss / MiB).toFixed(0)} MiB RSS, ${res.counts.goroutines ?? '?'} goroutines`)
    }
  }
  const coreRes = core && (!ONLY || ONLY.has('core')) ? await runCore(core, file, meta) : null
  for (const t of tools) {
    const res = results[t.id]
    if (!res.runs.length) continue
    res.wall = median(res.runs.map((x) => x.wall))
    res.rss = median(res.runs.map((x) => x.rss))
    res.rssMax = Math.max(...res.runs.map((x) => x.rss))
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
  return { size: sizeName, file: rel(file), meta, runs, results, core: coreRes, mismatches }
}

// ---------------------------------------------------------------------------------------------
// Report
const fmtS = (s) => (s >= 100 ? s.toFixed(0) : s >= 10 ? s.toFixed(1) : s.toFixed(2)) + ' s'
const fmtMiB = (b) => (b >= 10 * 2 ** 30 ? (b / 2 ** 30).toFixed(1) + ' GiB' : (b / MiB).toFixed(0) + ' MiB')
const fmtN = (n) => (n >= 1e6 ? (n / 1e6).toFixed(2) + ' M' : n >= 1e3 ? (n / 1e3).toFixed(0) + ' k' : n.toFixed(0))
const fmtX = (x) => (x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2)) + '×'

function table(b, tools) {
  const ref = b.results.ours?.wall ? b.results.ours : null
  const rows = [
    '| tool | work | median wall (min–max) | MiB/s | goroutines/s | peak RSS | ours faster by | ours RSS / theirs |',
    '|---|---|---|---:|---:|---:|---:|---:|',
  ]
  for (const t of tools) {
    const r = b.results[t.id]
    if (!r.wall) {
      const why = r.skipped ?? (r.error ? `**failed**: ${r.error.split('\n')[0].replace(/\|/g, '\\|').slice(0, 200)}` : 'not run')
      rows.push(`| ${t.name} | ${t.what} | ${why} | | | | | |`)
      continue
    }
    const n = r.runs.length
    const speed = ref && !t.ours ? fmtX(r.wall / ref.wall) : ref && t.id === 'ours' ? 'ref' : ''
    const rssRatio = ref && !t.ours ? (ref.rss / r.rss).toFixed(2) : ref && t.id === 'ours' ? 'ref' : ''
    rows.push(
      `| ${t.name} | ${t.what} | ${fmtS(r.wall)} (${fmtS(r.minWall).replace(' s', '')}–${fmtS(r.maxWall)}, n=${n}) | ${r.mibps.toFixed(0)} | ${fmtN(r.gps)} | ${fmtMiB(r.rss)} | ${speed} | ${rssRatio} |`,
    )
  }
  if (b.core) {
    const name = 'goroscope core, `parse_speed` example (Rust, no Node)'
    if (b.core.error) rows.push(`| ${name} | parse only | **failed**: ${b.core.error.replace(/\|/g, '\\|').slice(0, 200)} | | | | | |`)
    for (const mode of ['parallel', 'sequential']) {
      const c = b.core[mode]
      if (!c) continue
      rows.push(`| ${name}, ${mode} | parse only, file already in memory | ${fmtS(c.seconds)} (best of 5 in-process) | ${c.mibps.toFixed(0)} | ${fmtN(c.gps)} | n/a | | |`)
    }
  }
  return rows.join('\n')
}

function markdown({ mach, benches, tools, notes, peers, command, started, finished }) {
  const L = []
  L.push(`Generated by \`${command}\` on ${started.toISOString().replace(/\.\d+Z$/, 'Z')} (took ${((finished - started) / 60000).toFixed(1)} min). Raw runs: \`bench/out/results.json\` (not committed).`)
  L.push('')
  L.push(
    `**Machine:** ${mach.nproc} CPUs (${mach.cpu}), ${mach.memGiB.toFixed(0)} GiB RAM, Linux ${mach.kernel}; Node ${mach.node}, ${mach.go}, ${mach.rustc}. ` +
      `goroscope at commit ${mach.commit}. Load average at start ${mach.loadStart.map((x) => x.toFixed(1)).join(' / ')}, at end ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' / ')}.`,
  )
  L.push('')
  L.push(
    `> **Noise:** this is a shared 2-core machine on which other builds were running; every number is the **median** of fresh-process runs, ` +
      `with rounds interleaved across tools so that background load hits all of them alike. Treat ratios as ±20 %.`,
  )
  L.push('')
  L.push('### Inputs')
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
    L.push(table(b, tools))
    const extra = []
    const o = b.results.ours
    const o1 = b.results['ours-1t']
    if (o?.wall && o1?.wall) extra.push(`Parallel scaling: 1 thread ${fmtS(o1.wall)} vs default (${mach.nproc} threads) ${fmtS(o.wall)} = ${(o1.wall / o.wall).toFixed(2)}× on ${mach.nproc} shared cores.`)
    const pp = b.results.panicparse
    if (pp?.wall && Number.isFinite(pp.parseSeconds))
      extra.push(`panicparse in-process split (median): ScanSnapshot ${fmtS(pp.parseSeconds)}, Aggregate ${fmtS(pp.aggregateSeconds)}.`)
    const gsp = b.results.gostackparse
    if (gsp?.wall && o?.wall) extra.push(`gostackparse only parses (no grouping, no analysis), so "ours faster by" against it compares our full analysis with their parse.`)
    for (const m of b.mismatches) extra.push(`**Count mismatch:** ${m}`)
    if (!b.mismatches.length) extra.push(`Goroutine counts: every tool that ran reported ${b.meta.goroutines.toLocaleString('en-US')}, the generator's count.`)
    if (extra.length) L.push('', ...extra.map((x) => `- ${x}`))
  }
  L.push('')
  L.push('### Notes')
  L.push('')
  L.push('- Wall time is measured around a fresh process (process start, reading the file, parsing, analysing, exiting); peak RSS is the process\'s maximum resident set (`/usr/bin/time -f %M`). Inputs are pre-read into the page cache.')
  L.push(`- "ours faster by" = their median wall / goroscope Node API median wall; "ours RSS / theirs" < 1 means goroscope used less memory.`)
  L.push(`- Peers come from the Go module proxy (\`bench/peers/go.mod\`: ${Object.entries(peers.versions ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') || 'n/a'}); no peer code is in this repository.`)
  L.push('- gostackparse rejects Go ≥ 1.22 headers with `gp=`/`m=` fields (GOTRACEBACK=system/crash dumps) and Go ≥ 1.21 `...N frames elided...` lines, dropping those goroutines with an error each; that is why the inputs avoid them.')
  for (const n of notes) L.push(`- ${n}`)
  return L.join('\n')
}

const BEGIN = '<!-- bench:begin (generated by `npm run bench`; edit outside these markers) -->'
const END = '<!-- bench:end -->'
const INTRO = `# Benchmarks

How fast goroscope reads big goroutine dumps, compared with the two Go libraries people use for the
same job: [DataDog/gostackparse](https://github.com/DataDog/gostackparse) (a fast parser, no grouping)
and [maruel/panicparse](https://github.com/maruel/panicparse) (parser + aggregation into buckets).

Reproduce with \`npm run bench\` (needs Go and network access to the Go module proxy for the peers).
It generates a 100 MiB and a 1 GiB dump under \`bench/out/\` (cached; \`bench/gen.mjs\`), builds the peers
(\`bench/peers/\`), rebuilds goroscope if its addon is older than its sources, times every tool in fresh
processes and rewrites the section below. \`BENCH_RUNS\`, \`BENCH_SIZES\` and \`BENCH_TOOLS\` narrow a run
(see \`bench/run.mjs\`).

`

function writeMarkdown(section) {
  const file = path.join(repoRoot, 'BENCHMARKS.md')
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : INTRO + BEGIN + '\n' + END + '\n'
  if (text.indexOf('<!-- bench:begin') < 0 || text.indexOf(END) < 0) text = text.trimEnd() + '\n\n' + BEGIN + '\n' + END + '\n'
  const a = text.indexOf('<!-- bench:begin')
  const b = text.indexOf(END)
  text = text.slice(0, a) + BEGIN + '\n' + section.trim() + '\n' + text.slice(b)
  fs.writeFileSync(file, text)
  log(`wrote ${rel(file)}`)
}

// ---------------------------------------------------------------------------------------------
async function main() {
  const started = new Date()
  const command = 'npm run bench' + (Object.keys(env).filter((k) => k.startsWith('BENCH_')).length ? ` (with ${Object.keys(env).filter((k) => k.startsWith('BENCH_')).map((k) => `${k}=${env[k]}`).join(' ')})` : '')
  const notes = []
  const mach = machine()
  log(`${mach.nproc} CPUs ${mach.cpu}, load ${mach.loadStart.map((x) => x.toFixed(1)).join(' ')}`)
  if (!TIME) notes.push('`/usr/bin/time` not found: peak RSS from polling `/proc/PID/status` VmHWM every 10 ms (may miss short spikes).')

  const peers = buildPeers()
  if (!peers.ok) log(`peers: ${peers.error}`)

  const ob = buildOurs(notes)
  let oursOk = ob.ok
  let oursError = ob.error
  if (oursOk) {
    const p = probeOurs()
    oursOk = p.ok
    if (!p.ok) oursError = `goroscope does not run yet: ${p.error}`
  }
  if (!oursOk) log(`ours: ${oursError}`)
  const core = oursOk ? buildCoreExample() : null
  if (core && !core.ok) log(`core example: ${core.error}`)

  const tools = toolList({ peers, oursOk, oursError, peersError: peers.error })
  const addon = path.join(repoRoot, 'goroscope.linux-x64-gnu.node')
  const addonStamp = () => (fs.existsSync(addon) ? `${fs.statSync(addon).mtimeMs}:${fs.statSync(addon).size}` : '')
  const stampAtStart = addonStamp()
  const benches = []
  let prev = null
  for (const s of SIZES) {
    const b = await benchInput(s, tools, prev, core)
    benches.push(b)
    prev = b.results
  }
  const finished = new Date()
  if (addonStamp() !== stampAtStart) {
    notes.push('**Warning:** `goroscope.linux-x64-gnu.node` was rebuilt by someone else while this run was in progress, so goroscope rows may mix two builds. Re-run `npm run bench` on a quiet tree.')
    log('the native addon changed during the run; results may mix builds')
  }
  const results = { started, finished, command, machine: mach, peers: { ok: peers.ok, error: peers.error, versions: peers.versions }, benches }
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n')

  const md = markdown({ mach, benches, tools, notes, peers, command, started, finished })
  console.log(md)
  if (env.BENCH_NO_WRITE !== '1') writeMarkdown(md)
  const anyMismatch = benches.some((b) => b.mismatches.length)
  if (anyMismatch) log('goroutine count mismatches (see above / BENCHMARKS.md)')
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
