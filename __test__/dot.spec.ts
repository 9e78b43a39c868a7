// pprof's DOT (`-dot`) through the Node API and the CLI: `go tool pprof -dot` (Go 1.26) as the
// oracle on real profiles, and the DOT rows of the corpus conformance table (pprof's goldens)
// through the whole N-API path.
import test from 'ava'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

import { Profile, runPprof } from '../src/index'
import { cli, CORPUS, ROOT } from './helpers'

const PPROF = path.join(CORPUS, 'google-pprof')
const PROFILES = path.join(ROOT, 'fixtures', 'profiles')
const HEAP = path.join(PROFILES, 'go126-heap.pb.gz')
const CPU = path.join(PROFILES, 'go126-cpu.pb.gz')
const MUTEX_TEXT = path.join(PROFILES, 'go126-mutex-contended-debug1.txt')
const SAMPLE_CPU = path.join(PPROF, 'internal', 'report', 'testdata', 'sample.cpu')

/** `go tool pprof` is the oracle; UTC so its Time: legend line matches ours. */
function goPprof(args: string[]): string {
  return execFileSync('go', ['tool', 'pprof', '-symbolize=none', ...args], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  })
}

test('CLI: goroscope dot prints what go tool pprof -dot prints', (t) => {
  for (const [file, flags] of [
    [HEAP, []],
    [HEAP, ['-sample_index=alloc_space', '-nodecount=10']],
    [CPU, []],
    [CPU, ['-lines', '-focus=main\\.']],
    [MUTEX_TEXT, []],
    [SAMPLE_CPU, ['-nodecount=5', '-compact_labels']],
  ] as const) {
    const r = cli(['dot', file, ...flags])
    t.is(r.status, 0, r.stderr)
    t.is(r.stdout, goPprof(['-dot', ...flags, file]), `dot ${flags.join(' ')} ${path.basename(file)}`)
  }
})

test('CLI: goroscope pprof -dot is the same DOT', (t) => {
  const r = cli(['pprof', '-dot', '-nodecount=10', HEAP])
  t.is(r.status, 0, r.stderr)
  t.is(r.stdout, goPprof(['-dot', '-nodecount=10', HEAP]))
  t.true(r.stdout.startsWith('digraph "'))
  t.true(r.stdout.includes('See https://git.io/JfYMW for how to read the graph'))
})

test('Profile.dot(): kind dot, the DOT in text, graph counts', async (t) => {
  const p = await Profile.load(SAMPLE_CPU)
  const r = await p.dot({ nodecount: 5 })
  t.is(r.kind, 'dot')
  t.is(r.text, goPprof(['-dot', '-nodecount=5', SAMPLE_CPU]))
  const json = r.toJSON()
  t.is(json.kind, 'dot')
  t.true(json.shownTotal > 0 && json.shownTotal <= json.total)
  t.true(json.nodeCountBeforeLimit >= 5)
  t.true(json.legend.some((l) => l.startsWith('Showing top 5 nodes out of')))
  // -call_tree is honoured for dot (context-sensitive nodes).
  const tree = await p.dot({ callTree: true, nodecount: 10 })
  t.is(tree.text, goPprof(['-dot', '-call_tree', '-nodecount=10', SAMPLE_CPU]))
})

test('conformance table: every DOT row through runPprof matches pprof\'s golden', async (t) => {
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
    if (gaps.has(id) || (kind !== 'driver' && kind !== 'reference-2022')) continue
    // pprof's driver tests symbolize with a mock that neither symbolizes nor demangles.
    const flags = ['-symbolize=none', ...args.replace('(TZ=UTC)', '').trim().split(/\s+/)]
    if (!flags.includes('-dot')) continue
    const r = await runPprof([...flags, path.join(PPROF, input)])
    t.is(r.kind, 'dot', id)
    t.is(r.text, fs.readFileSync(path.join(PPROF, expected), 'utf8'), `${id} ${args}`)
    ran++
  }
  // D23–D28, D38–D42, D49, X24, X28
  t.is(ran, 14)
})
