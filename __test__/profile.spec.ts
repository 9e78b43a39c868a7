// pprof profiles through the Node API and the CLI, with `go tool pprof` (Go 1.26) as the oracle
// and the corpus conformance table through the whole N-API path.
import test from 'ava'
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'

import { GoroscopeError, Profile, pprofArgs, runPprof } from '../src/index'
import { cli, CORPUS, DUMPS, ROOT, tmpdir } from './helpers'

const PPROF = path.join(CORPUS, 'google-pprof')
const PROFILES = path.join(ROOT, 'fixtures', 'profiles')
const SAMPLE_CPU = path.join(PPROF, 'internal', 'report', 'testdata', 'sample.cpu')
const HEAP = path.join(PROFILES, 'go126-heap.pb.gz')
const MUTEX_TEXT = path.join(PROFILES, 'go126-mutex-contended-debug2.txt')

/** `go tool pprof` is the oracle; UTC so its Time: legend line matches ours. */
function goPprof(args: string[]): string {
  return execFileSync('go', ['tool', 'pprof', '-symbolize=none', ...args], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  })
}

test('Profile.load: sample types, counts and times of a real Go CPU profile', async (t) => {
  const p = await Profile.load(SAMPLE_CPU)
  const info = p.info
  t.deepEqual(info.sampleTypes, [
    { type: 'samples', unit: 'count' },
    { type: 'cpu', unit: 'nanoseconds' },
  ])
  t.true(info.samples > 0)
  t.true(info.locations > 0 && info.functions > 0)
  t.is(info.periodType.type, 'cpu')
  t.true(info.durationNanos > 0)
})

for (const [name, file] of [
  ['heap (proto)', HEAP],
  ['mutex (legacy debug=2 text, as kubo ships it)', MUTEX_TEXT],
  ['cpu (corpus)', SAMPLE_CPU],
] as const) {
  test(`top/traces/tree equal go tool pprof on ${name}`, async (t) => {
    const p = await Profile.load(file)
    t.is((await p.top()).text, goPprof(['-top', file]))
    t.is((await p.top({ nodecount: 3, cum: true })).text, goPprof(['-top', '-nodecount=3', '-cum', file]))
    t.is((await p.traces()).text, goPprof(['-traces', file]))
    t.is((await p.tree({ nodecount: 5 })).text, goPprof(['-tree', '-nodecount=5', file]))
  })
}

test('every sample index of the heap profile matches go tool pprof', async (t) => {
  const p = await Profile.load(HEAP)
  for (const st of p.info.sampleTypes) {
    const ours = await p.top({ sampleIndex: st.type })
    t.is(ours.text, goPprof(['-top', `-sample_index=${st.type}`, HEAP]), st.type)
    t.is(ours.toJSON().sampleType, st.type)
  }
})

test('structured rows agree with the text', async (t) => {
  const p = await Profile.load(SAMPLE_CPU)
  const r = await p.top({ nodecount: 4 })
  t.is(r.kind, 'top')
  const rows = r.top
  t.is(rows.length, 4)
  for (const row of rows) t.true(r.text.includes(`${row.flatLabel}`) && r.text.includes(row.name))
  const flats = rows.map((x) => Math.abs(x.flat))
  t.deepEqual(flats, [...flats].sort((a, b) => b - a))
  const tree = (await p.tree({ nodecount: 3 })).tree
  t.is(tree.length, 3)
  t.true(tree.some((n) => n.callers.length > 0 || n.callees.length > 0))
  const traces = (await p.traces()).traces
  t.true(traces.length > 0 && traces[0].frames.length > 0)
  const json = JSON.parse(JSON.stringify(r))
  t.is(json.kind, 'top')
  t.is(json.top.length, 4)
})

test('merging: a profile loaded twice has twice the values', async (t) => {
  const one = await (await Profile.load(SAMPLE_CPU)).top()
  const two = await (await Profile.load([SAMPLE_CPU, fs.readFileSync(SAMPLE_CPU)])).top()
  t.is(two.total, 2 * one.total)
  t.is(two.top[0].flat, 2 * one.top[0].flat)
})

test('filters and -base through typed options match go tool pprof', async (t) => {
  const p = await Profile.load(SAMPLE_CPU)
  t.is((await p.top({ focus: 'busyLoop', ignore: 'mapiter' })).text, goPprof(['-top', '-focus=busyLoop', '-ignore=mapiter', SAMPLE_CPU]))
  t.is((await p.top({ granularity: 'lines', nodecount: 5 })).text, goPprof(['-top', '-lines', '-nodecount=5', SAMPLE_CPU]))
  t.is((await p.top({ base: [SAMPLE_CPU] })).text, goPprof(['-top', `-base=${SAMPLE_CPU}`, SAMPLE_CPU]))
  t.deepEqual(pprofArgs({ nodecount: 2, noinlines: true, diffBase: ['b.pprof'] }), ['-nodecount=2', '-noinlines=true', '-diff_base=b.pprof'])
})

test('conformance table: every text row through the Node API matches pprof\'s golden', async (t) => {
  const gaps = new Set(
    fs
      .readFileSync(path.join(ROOT, 'crates', 'goroscope-core', 'tests', 'conformance-gaps.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split('\t')[0]),
  )
  const rows = fs.readFileSync(path.join(PPROF, 'conformance.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'))
  let ran = 0
  for (const [id, kind, , input, args, expected] of rows) {
    // driver-stage1 rows are binary (-topproto): tests/conformance.rs compares them decoded.
    if (gaps.has(id) || kind.startsWith('graph') || kind.startsWith('profile') || kind.startsWith('report') || kind === 'dot-compose' || kind === 'driver-stage1') continue
    // pprof's driver tests symbolize with a mock that neither symbolizes nor demangles.
    const flags = ['-symbolize=none', ...args.replace('(TZ=UTC)', '').trim().split(/\s+/)]
    const r = await runPprof([...flags, path.join(PPROF, input)])
    t.is(r.text, fs.readFileSync(path.join(PPROF, expected), 'utf8'), `${id} ${args}`)
    ran++
  }
  t.true(ran >= 37, `${ran} rows`)
})

test('CLI: goroscope top/pprof/peek/traces print what go tool pprof prints', (t) => {
  const top = cli(['top', HEAP, '-nodecount=5', '-sample_index=alloc_space'])
  t.is(top.status, 0, top.stderr)
  t.is(top.stdout, goPprof(['-top', '-nodecount=5', '-sample_index=alloc_space', HEAP]))
  const pp = cli(['pprof', '-traces', SAMPLE_CPU])
  t.is(pp.status, 0, pp.stderr)
  t.is(pp.stdout, goPprof(['-traces', SAMPLE_CPU]))
  const peek = cli(['peek', 'busyLoop', SAMPLE_CPU])
  t.is(peek.status, 0, peek.stderr)
  t.is(peek.stdout, goPprof(['-peek=busyLoop', SAMPLE_CPU]))
  const raw = cli(['raw', MUTEX_TEXT])
  t.is(raw.stdout, goPprof(['-raw', MUTEX_TEXT]))
})

test('CLI: --json for pprof reports', (t) => {
  const r = cli(['tree', SAMPLE_CPU, '--json', '-nodecount=3'])
  t.is(r.status, 0, r.stderr)
  const j = JSON.parse(r.stdout)
  t.is(j.kind, 'tree')
  t.is(j.tree.length, 3)
  t.true(typeof j.text === 'string' && j.text.includes('flat  flat%'))
})

test('CLI: proto writes a filtered profile that go tool pprof reads back', (t) => {
  const out = path.join(tmpdir(), 'focused.pb.gz')
  const r = cli(['proto', SAMPLE_CPU, '-focus=busyLoop', '-o', out])
  t.is(r.status, 0, r.stderr)
  t.is(zlib.gunzipSync(fs.readFileSync(out)).length > 0, true)
  t.is(goPprof(['-top', out]), goPprof(['-top', '-focus=busyLoop', SAMPLE_CPU]).replace(/^Active filters:\n   focus=busyLoop\n/m, ''))
})

test('CLI: a report larger than a JS string (traces of 400k samples) reaches a file and stdout whole', (t) => {
  const dir = tmpdir()
  const prof = path.join(dir, 'p400k.pb.gz')
  execFileSync(process.execPath, [path.join(ROOT, 'bench', 'gen-profile.mjs'), '--samples', '400000', '--out', prof], { stdio: 'ignore' })
  const head = cli(['top', prof, '-nodecount=1']).stdout.split('\n').slice(0, 3).join('\n')
  const LIMIT = 0x1fffffe8 // V8's longest string: the text was once made one and failed here
  const viaStdout = path.join(dir, 'stdout.txt')
  const fd = fs.openSync(viaStdout, 'w')
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'goroscope.js'), 'traces', prof], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: 300_000 })
  fs.closeSync(fd)
  t.is(r.status, 0, r.stderr)
  const size = fs.statSync(viaStdout).size
  t.true(size > LIMIT, `${size} bytes`)
  const fh = fs.openSync(viaStdout, 'r')
  const first = Buffer.alloc(4096)
  fs.readSync(fh, first, 0, first.length, 0)
  const last = Buffer.alloc(1)
  fs.readSync(fh, last, 0, 1, size - 1)
  fs.closeSync(fh)
  t.true(first.toString().startsWith(head), 'the header is the report\'s')
  t.is(last.toString(), '\n')
  fs.rmSync(dir, { recursive: true, force: true })
})

test('bad profiles: clear errors, exit 2, nothing written', async (t) => {
  const dir = tmpdir()
  const cut = path.join(dir, 'cut.pb.gz')
  const gz = fs.readFileSync(HEAP)
  fs.writeFileSync(cut, gz.subarray(0, gz.length >> 1))
  const dump = path.join(DUMPS, 'kubo', 'debug-guide-semacquire-458min.txt')
  for (const [file, re] of [
    [cut, /cut\.pb\.gz.*(gzip|truncat|unexpected end)/i],
    [dump, /goroutine dump.*goroscope stacks/],
  ] as const) {
    const e = await t.throwsAsync(Profile.load(file), { instanceOf: GoroscopeError })
    t.is(e!.code, 'GOROSCOPE_PROFILE', e!.message)
    t.regex(e!.message, re)
    const r = cli(['top', file])
    if (file === dump) {
      // the CLI's report commands read one goroutine dump as its goroutine/count profile
      t.is(r.status, 0, r.stderr)
      t.regex(r.stdout, /^Type: goroutine$/m)
      continue
    }
    t.is(r.status, 2, r.stderr)
    t.regex(r.stderr, re)
  }
  const bomb = path.join(dir, 'bomb.gz')
  fs.writeFileSync(bomb, zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024)))
  const e = await t.throwsAsync(Profile.load(bomb, { maxDecompressed: 1024 * 1024 }), { instanceOf: GoroscopeError })
  t.regex(e!.message, /exceeds/)
  const unknown = cli(['top', SAMPLE_CPU, '-no_such_flag'])
  t.is(unknown.status, 2)
  t.regex(unknown.stderr, /no_such_flag/)
  const out = path.join(dir, 'keep.txt')
  fs.writeFileSync(out, 'good')
  t.is(cli(['top', cut, '-o', out]).status, 2)
  t.is(fs.readFileSync(out, 'utf8'), 'good')
})
