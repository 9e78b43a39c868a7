// The source and callgrind views through the CLI and the Node API, against the installed
// `go tool pprof` (the oracle) on the fixture program's profiles, whose sources are in the repo:
// `goroscope list`, `goroscope callgrind`, `goroscope topproto` and `goroscope pprof -list=…`.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

import { cli, ROOT, tmpdir } from './helpers'
import { Profile } from '../src/profile'

const PROFILES = path.join(ROOT, 'fixtures', 'profiles')
const GOROUTINE = path.join(PROFILES, 'go126-goroutine.pb.gz')
const HEAP = path.join(PROFILES, 'go126-heap.pb.gz')

/** `go tool pprof` on the same arguments: stdout, stderr and exit status. */
function goPprof(args: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync('go', ['tool', 'pprof', '-symbolize=none', ...args], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC', GOTOOLCHAIN: 'local' },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  })
  return { stdout: r.stdout, stderr: r.stderr, status: r.status }
}

test('CLI: goroscope list REGEX prints what go tool pprof -list prints', (t) => {
  for (const [re, file, flags] of [
    ['main\\.', GOROUTINE, []],
    ['main\\.', HEAP, ['-sample_index=alloc_space', '-cum']],
    ['runtime\\.gopark', GOROUTINE, ['-trim_path=/usr/local/go', '-source_path=/nonexistent']],
  ] as const) {
    const want = goPprof([`-list=${re}`, ...flags, file])
    t.is(want.status, 0, want.stderr)
    t.regex(want.stdout, /ROUTINE ======================== /)
    const got = cli(['list', re, file, ...flags])
    t.is(got.status, 0, got.stderr)
    t.is(got.stdout, want.stdout, `list ${re} ${flags.join(' ')}`)
    const viaPprof = cli(['pprof', `-list=${re}`, ...flags, file])
    t.is(viaPprof.stdout, want.stdout)
  }
})

test('CLI: a list regex that matches nothing says so (bad input: exit 2); a missing regex is a usage error', (t) => {
  const go = goPprof(['-list=no_such_function_xyz', GOROUTINE])
  t.not(go.status, 0)
  const r = cli(['list', 'no_such_function_xyz', GOROUTINE])
  t.is(r.status, 2)
  t.is(r.stdout, '')
  t.regex(r.stderr, /no matches found for regexp: no_such_function_xyz/)
  t.true(go.stderr.includes('no matches found for regexp: no_such_function_xyz'))
  const u = cli(['list'])
  t.is(u.status, 2)
  t.regex(u.stderr, /list needs a regular expression/)
})

test('CLI: goroscope callgrind prints what go tool pprof -callgrind prints', (t) => {
  for (const [file, flags] of [
    [path.join(PROFILES, 'go126-cpu.pb.gz'), ['-call_tree']],
    [HEAP, ['-sample_index=alloc_objects']],
  ] as const) {
    const want = goPprof(['-callgrind', ...flags, file])
    t.is(want.status, 0, want.stderr)
    t.true(want.stdout.startsWith('positions: instr line\nevents: '))
    const got = cli(['callgrind', file, ...flags])
    t.is(got.status, 0, got.stderr)
    t.is(got.stdout, want.stdout)
  }
})

test('CLI: goroscope topproto -o FILE writes the profile go tool pprof -topproto writes (decoded)', async (t) => {
  const dir = tmpdir()
  const ours = path.join(dir, 'ours.pb.gz')
  const theirs = path.join(dir, 'go.pb.gz')
  const r = cli(['topproto', HEAP, '-nodecount=7', '-o', ours])
  t.is(r.status, 0, r.stderr)
  t.is(goPprof(['-topproto', '-nodecount=7', `-output=${theirs}`, HEAP]).status, 0)
  // Both decoded by pprof itself: the same top report of the written profiles.
  const want = goPprof(['-raw', theirs])
  const got = goPprof(['-raw', ours])
  t.is(got.status, 0, got.stderr)
  t.regex(want.stdout, /cum\/[a-zA-Z]+ flat\/[a-zA-Z]+/)
  t.is(got.stdout, want.stdout)
  // Through the Node API: kind topproto, the bytes load back as a profile of one sample per
  // node shown, as many as pprof's.
  const p = await Profile.load([HEAP])
  const rep = await p.report(['-topproto', '-nodecount=7'])
  t.is(rep.kind, 'topproto')
  const back = await Profile.load([rep.proto!])
  const go = await Profile.load([theirs])
  t.true(go.info.samples > 1 && go.info.samples <= 7)
  t.is(back.info.samples, go.info.samples)
  t.deepEqual(back.info.sampleTypes.map((s) => s.type), ['cum', 'flat'])
  const u = cli(['topproto', HEAP])
  t.is(u.status, 2)
  t.regex(u.stderr, /topproto writes a binary profile: give -o FILE/)
  fs.rmSync(dir, { recursive: true, force: true })
})

test('CLI: the DOT graph of a debug=1 goroutine profile is "unnamed" with no File: line, as pprof draws it', (t) => {
  const file = path.join(PROFILES, 'go126-goroutine-debug1.txt')
  const want = goPprof(['-dot', file])
  t.is(want.status, 0, want.stderr)
  const got = cli(['dot', file])
  t.is(got.status, 0, got.stderr)
  const head = (dot: string) => dot.split('\n')[0]
  const legend = (dot: string) => /subgraph cluster_L \{ .* label="([^"]*)"/.exec(dot)?.[1] ?? ''
  t.is(head(got.stdout), head(want.stdout))
  t.is(head(got.stdout), 'digraph "unnamed" {')
  t.regex(legend(want.stdout), /Type: goroutine/)
  t.regex(legend(got.stdout), /Type: goroutine/)
  t.false(legend(want.stdout).includes('File: '))
  t.false(legend(got.stdout).includes('File: '), legend(got.stdout))
  // The names stay the dump's (goroscope reads debug=1 as a dump), so only the naming is compared.
  t.regex(got.stdout, /tooltip="main\./)
})

test('Node API: a -list report has its blocks as data, the same as its text', async (t) => {
  const p = await Profile.load([GOROUTINE])
  const r = await p.report(['-list=main\\.', '-source_path=/nonexistent'])
  t.is(r.kind, 'list')
  t.is(r.text, goPprof(['-list=main\\.', '-source_path=/nonexistent', GOROUTINE]).stdout)
  const blocks = r.list
  t.true(blocks.length > 1)
  for (const b of blocks) {
    t.true(r.text.includes(`ROUTINE ======================== ${b.name} in ${b.file}\n`), b.name)
    t.true(r.text.includes(`${b.flatLabel.padStart(10)} ${b.cumLabel.padStart(10)} (flat, cum)`), b.name)
    // The fixture's sources are at absolute paths: found, whatever the search path.
    t.is(b.error, '', b.name)
    t.true(b.lines.length > 0, b.name)
    for (const l of b.lines) t.true(r.text.includes(`${l.flatLabel.padStart(10)} ${l.cumLabel.padStart(10)} ${String(l.line).padStart(6)}:${l.text}\n`))
  }
  t.true(blocks.some((b) => b.lines.some((l) => l.cum > 0 && l.cumLabel !== '.')))
  t.deepEqual(r.toJSON().list, blocks)
  // A relative path not found: the block carries pprof's error text.
  const missing = await p.report(['-list=main\\.main', '-trim_path=/work/main', '-source_path=/nonexistent'])
  t.regex(missing.list[0].error, /^could not find file fixtures\/goprog\/main\.go on path \/nonexistent$/)
  t.deepEqual(missing.list[0].lines, [])
})
