// A real Go runtime in known situations (fixtures/goprog), on both supported runtimes (Go 1.26.8
// and Go 1.27.3, see goprog.ts): a fresh dump taken over HTTP from each, and the committed dumps
// that waited long enough for ", N minutes".
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'

import { analyzeStacks, type StacksReport } from '../src/index'
import { FIXTURE_DUMPS } from './helpers'
import { goBuild, RUNTIMES, startGoprog } from './goprog'

interface Facts {
  go_version: string
  mutex_convoy: { holder: number; waiters: number[]; late_waiters?: number[]; mutex_addr: string; store_addr: string }
  rwmutex: { holder: number; writer: number; readers: number[]; rwmutex_addr: string; registry_addr: string }
  /** absent in the older go126 captures */
  deadlock?: { participants: { id: number }[] }
  leaked?: { available: boolean; ids: number[]; count: number; profile_total: number }
  many: number
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

// Go 1.27 prints labels in the headers (the fixture's convoy is labelled); parsing them is issue
// 10's `labels` work, so the live Go 1.27 run switches them off with GODEBUG=tracebacklabels=0
// until then. The labelled dumps are committed (fixtures/dumps/go127-*).
for (const go of RUNTIMES) {
  test(`live ${go} program: the mutex convoy holder is the top candidate`, async (t) => {
    const bin = goBuild({ pkg: 'goprog', go })
    const { proc, base } = await startGoprog(bin, ['-many', '500', '-max-life', '3m', '-gc-every', '1s'], go === 'go127' ? { GODEBUG: 'tracebacklabels=0' } : {})
    try {
      const facts = (await (await fetch(`${base}/fixture/facts`)).json()) as Facts
      t.true(facts.go_version.startsWith(go === 'go127' ? 'go1.27.3' : 'go1.26.'), facts.go_version)
      const dump = Buffer.from(await (await fetch(`${base}/debug/pprof/goroutine?debug=2`)).arrayBuffer())
      t.false(/^goroutine \d+ \[[^\]]*\] \{/m.test(dump.toString('utf8')), 'no labels in the headers')
      const r = await analyzeStacks(dump)
      t.true(r.goroutines >= 500 + 20)
      // the convoy's waiters plus the two goroutines of the lock-order deadlock
      const convoy = facts.mutex_convoy.waiters.length + (facts.mutex_convoy.late_waiters ?? []).length
      t.is(r.states['sync.Mutex.Lock'], convoy + facts.deadlock!.participants.length)
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
}

// one per runtime (Go 1.27 with tracebacklabels=0: the labelled ones need the labels parsed)
for (const name of ['go126-debug2-minutes', 'go127-nolabels-debug2']) {
  test(`committed ${name} dump: hung groups, convoy and RWMutex holders`, async (t) => {
    const file = path.join(FIXTURE_DUMPS, `${name}.txt`)
    const facts = JSON.parse(fs.readFileSync(file.replace(/\.txt$/, '.facts.json'), 'utf8')) as Facts
    const r = await analyzeStacks(file)
    t.true(r.hung.length > 0)
    t.true(r.hung.every((g) => (g.waitMinutes?.max ?? 0) >= 1))
    const maxes = r.hung.map((g) => g.waitMinutes!.max)
    t.deepEqual(maxes, [...maxes].sort((a, b) => b - a), 'longest first')
    // (the lock-order deadlock, absent from the older go126 capture, is a sync.Mutex.Lock group too)
    const convoy = r.hung.find((g) => g.state === 'sync.Mutex.Lock' && g.frames.some((f) => f.function === 'main.(*Store).Get'))
    t.truthy(convoy)
    t.is(convoy!.frames[convoy!.interesting!].function, 'main.(*Store).Get')
    checkConvoy(t, r, facts)
  })
}

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

// ---- Go 1.27.3 and labelled Go 1.26.8 captures (scripts/make-fixture-dumps.sh). What needs the
// labels parsed (zero warnings on go127 headers, labels in JSON, `(leaked)` as a flag) is asserted
// by the labels work from the same facts files; here what holds for any correct parser.

const facts = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURE_DUMPS, `${name}.facts.json`), 'utf8')) as Facts
const headers = (file: string) => (fs.readFileSync(file, 'utf8').match(/^goroutine \d+ /gm) ?? []).length

for (const name of ['go126-labels-debug1', 'go127-debug1', 'go126-goroutineleak-debug1', 'go127-goroutineleak-debug1']) {
  test(`committed ${name}: debug=1 totals`, async (t) => {
    const file = path.join(FIXTURE_DUMPS, `${name}.txt`)
    const f = facts(name)
    const text = fs.readFileSync(file, 'utf8')
    const total = Number(/^(?:goroutine|goroutineleak) profile: total (\d+)$/m.exec(text)![1])
    const r = await analyzeStacks(file)
    t.is(r.goroutines, total)
    if (name.includes('goroutineleak')) {
      // only the leaked goroutines; Go 1.27 counts its exempted main goroutine (an empty record)
      t.is(total, f.leaked!.profile_total)
      t.is(f.leaked!.profile_total - f.leaked!.count, name.startsWith('go127') ? 1 : 0)
    } else {
      t.is(r.groups[0].count, f.many, 'main.leakWorker is the biggest group')
      t.true(text.includes('# labels: {"component":"store", "role":"holder", "tenant":"acme corp, inc."}'))
    }
  })
}

for (const name of ['go126-labels-debug2', 'go126-goroutineleak-debug2', 'go126-labels-sigquit-system', 'go126-repanic']) {
  test(`committed ${name}: every goroutine counted and the convoy found`, async (t) => {
    const file = path.join(FIXTURE_DUMPS, `${name}.txt`)
    const f = facts(name)
    t.true(f.go_version.startsWith('go1.26.8'))
    const r = await analyzeStacks(file)
    t.is(r.goroutines, headers(file))
    checkConvoy(t, r, f)
    if (name === 'go126-repanic') t.regex(r.prelude ?? '', /^panic: goroscope fixture: deliberate panic after \d+s \[recovered, repanicked\]$/m)
  })
}

test('committed Go 1.27 captures: the facts match what the runtime wrote', (t) => {
  // no parser involved: the raw text against the program's own facts (what the labels work asserts)
  for (const name of ['go127-debug2', 'go127-goroutineleak-debug2', 'go127-sigquit-system', 'go127-panic', 'go127-repanic']) {
    const f = facts(name) as Facts & { header_labels: string; capture: { leaked_marked: boolean } }
    const text = fs.readFileSync(path.join(FIXTURE_DUMPS, `${name}.txt`), 'utf8')
    t.true(f.go_version.startsWith('go1.27.3'), name)
    t.is(f.header_labels, 'after-brackets', name)
    const holder = new RegExp(`^goroutine ${f.mutex_convoy.holder} [^\\n]*\\] \\{component: store, role: holder, tenant: "acme corp, inc\\."\\}:$`, 'm')
    t.regex(text, holder, name)
    const leaked = [...text.matchAll(/^goroutine (\d+) [^[\n]*\[[^\]]* \(leaked\)/gm)].map((m) => Number(m[1])).sort((a, b) => a - b)
    t.deepEqual(leaked, f.capture.leaked_marked ? [...f.leaked!.ids].sort((a, b) => a - b) : [], name)
  }
})

interface SynctestFacts {
  go_version: string
  situations: { name: string; function: string; status: string; id: number; labels?: Record<string, string> }[]
  outside: { id: number; status: string }
}

for (const go of RUNTIMES) {
  test(`committed ${go}-synctest: bubble markers as the facts say`, (t) => {
    const file = path.join(FIXTURE_DUMPS, `${go}-synctest.txt`)
    const f = JSON.parse(fs.readFileSync(file.replace(/\.txt$/, '.facts.json'), 'utf8')) as SynctestFacts
    t.true(f.go_version.startsWith(go === 'go127' ? 'go1.27.3' : 'go1.26.8'))
    const text = fs.readFileSync(file, 'utf8')
    const header = (id: number) => new RegExp(`^goroutine ${id} \\[([^\\]]*)\\]`, 'm').exec(text)?.[1]
    const bubbles = new Set<string>()
    t.true(f.situations.length >= 5)
    for (const s of f.situations) {
      // Go 1.26 prints labels inside the brackets: `[… , synctest bubble 1 labels:{…}]`
      const m = /^(.*), synctest bubble (\d+)(?: labels:\{.*\})?$/.exec(header(s.id) ?? '')
      t.truthy(m, `${s.name}: ${header(s.id)}`)
      t.is(m![1], s.status, s.name)
      bubbles.add(m![2])
    }
    t.is(bubbles.size, 1, 'one bubble')
    t.is(header(f.outside.id), f.outside.status, 'no marker outside the bubble')
  })
}
