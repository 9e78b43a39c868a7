// A real Go runtime in known situations (fixtures/goprog): a fresh dump taken over HTTP from the
// machine's Go, and the committed dumps that waited long enough for ", N minutes".
import test from 'ava'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as readline from 'node:readline'

import { analyzeStacks, type StacksReport } from '../src/index'
import { FIXTURE_DUMPS, ROOT, tmpdir } from './helpers'

interface Facts {
  mutex_convoy: { holder: number; waiters: number[]; late_waiters?: number[]; mutex_addr: string; store_addr: string }
  rwmutex: { holder: number; writer: number; readers: number[]; rwmutex_addr: string; registry_addr: string }
}

const GOPROG = path.join(ROOT, 'fixtures', 'goprog')

async function startFixture(many: number): Promise<{ proc: ChildProcess; base: string }> {
  const bin = path.join(tmpdir('goroscope-goprog-'), 'goprog')
  execFileSync('go', ['build', '-o', bin, '.'], { cwd: GOPROG, env: { ...process.env, GOFLAGS: '-mod=mod' }, stdio: 'inherit' })
  const proc = spawn(bin, ['-many', String(many), '-ready', '-max-life', '3m', '-gc-every', '1s'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const lines = readline.createInterface({ input: proc.stdout! })
  let base = ''
  for await (const line of lines) {
    const m = /^listening on (http:\/\/\S+)/.exec(line)
    if (m) base = m[1]
    if (line.trim() === 'ready') break
  }
  if (!base) throw new Error('the fixture program did not say where it listens')
  return { proc, base }
}

function checkConvoy(t: import('ava').ExecutionContext, r: StacksReport, facts: Facts) {
  const convoy = facts.mutex_convoy
  const lock = r.contention.find((l) => l.lock === convoy.mutex_addr)
  t.truthy(lock, `a lock at ${convoy.mutex_addr} among ${r.contention.map((l) => l.lock).join(', ')}`)
  t.deepEqual(lock!.waiters, [...convoy.waiters, ...(convoy.late_waiters ?? [])].sort((a, b) => a - b))
  t.is(lock!.kind, 'mutex')
  t.true(lock!.candidates.length > 0, 'a candidate holder is named')
  t.is(lock!.candidates[0].goroutine, convoy.holder, `top candidate: ${JSON.stringify(lock!.candidates[0])}`)
  t.true(lock!.candidates[0].evidence.length > 0)

  // Go 1.26 prints the RWMutex's own address nowhere (`RLock(...)` is inlined and the writer's
  // `(*RWMutex).Lock(0x0?)` is dead), so the waiters are found through the Registry they share.
  const rw = facts.rwmutex
  const rwWaiterIds = new Set([rw.writer, ...rw.readers])
  const rwLocks = r.contention.filter((l) => l.waiters.some((w) => rwWaiterIds.has(w)))
  t.true(rwLocks.length > 0, 'the RWMutex waiters are reported')
  const rwWaiters = rwLocks.flatMap((l) => l.waiters).sort((a, b) => a - b)
  t.deepEqual(rwWaiters, [rw.writer, ...rw.readers].sort((a, b) => a - b))
  t.true(rwLocks.some((l) => l.candidates.some((c) => c.goroutine === rw.holder)), 'the reader holding RLock is a candidate')
}

test('live Go 1.26 program: the mutex convoy holder is the top candidate', async (t) => {
  const { proc, base } = await startFixture(500)
  try {
    const facts = (await (await fetch(`${base}/fixture/facts`)).json()) as Facts
    const dump = Buffer.from(await (await fetch(`${base}/debug/pprof/goroutine?debug=2`)).arrayBuffer())
    const r = await analyzeStacks(dump)
    t.true(r.goroutines >= 500 + 20)
    t.is(r.states['sync.Mutex.Lock'], facts.mutex_convoy.waiters.length + (facts.mutex_convoy.late_waiters ?? []).length)
    const leak = r.groups[0]
    t.is(leak.count, 500, 'the 500 leaked goroutines are the biggest group')
    t.is(leak.class, 'channel')
    checkConvoy(t, r, facts)
    const states = new Set(r.classes.map((c) => c.class))
    for (const c of ['lock', 'channel', 'select', 'io', 'sleep'] as const) t.true(states.has(c), c)
    const debug1 = Buffer.from(await (await fetch(`${base}/debug/pprof/goroutine?debug=1`)).arrayBuffer())
    const r1 = await analyzeStacks(debug1)
    t.is(r1.goroutines, r.goroutines)
    t.is(r1.groups[0].count, 500)
  } finally {
    proc.kill('SIGTERM')
  }
})

test('committed Go 1.26 dump with minutes: hung groups, convoy and RWMutex holders', async (t) => {
  const file = path.join(FIXTURE_DUMPS, 'go126-debug2-minutes.txt')
  const facts = JSON.parse(fs.readFileSync(file.replace(/\.txt$/, '.facts.json'), 'utf8')) as Facts
  const r = await analyzeStacks(file)
  t.true(r.hung.length > 0)
  t.true(r.hung.every((g) => (g.waitMinutes?.max ?? 0) >= 1))
  const maxes = r.hung.map((g) => g.waitMinutes!.max)
  t.deepEqual(maxes, [...maxes].sort((a, b) => b - a), 'longest first')
  const convoy = r.hung.find((g) => g.state === 'sync.Mutex.Lock')
  t.truthy(convoy)
  t.is(convoy!.frames[convoy!.interesting!].function, 'main.(*Store).Get')
  checkConvoy(t, r, facts)
})

for (const name of ['go126-sigquit-system', 'go126-sigquit-crash', 'go126-panic']) {
  test(`committed ${name} dump: runtime-format headers parse and the convoy is found`, async (t) => {
    const file = path.join(FIXTURE_DUMPS, `${name}.txt`)
    const facts = JSON.parse(fs.readFileSync(path.join(FIXTURE_DUMPS, `${name}.facts.json`), 'utf8')) as Facts
    const r = await analyzeStacks(file)
    const text = fs.readFileSync(file, 'utf8')
    const headers = (text.match(/^goroutine \d+ /gm) ?? []).length
    t.is(r.goroutines, headers)
    t.truthy(r.prelude, 'the SIGQUIT / panic prelude is kept')
    checkConvoy(t, r, facts)
  })
}
