// pprof labels and runtime-proven leaks on real Go 1.27.3 and 1.26.8 output (fixtures/labels,
// made by its capture.sh; the expected groups in facts.json come from the program, not from a
// parser): the Node API, the JSON, the CLI's text report and filters, the bundle HTML report in
// Chromium, and `top -tagfocus` over the count profile of a dump.
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'

import { analyzeStacks } from '../src/index'
import { cli, ROOT, tmpdir } from './helpers'

const DIR = path.join(ROOT, 'fixtures', 'labels')
const facts = JSON.parse(fs.readFileSync(path.join(DIR, 'facts.json'), 'utf8')) as {
  goroutines: number
  leaked: number
  groups: { function: string; state: string; count: number; leaked: boolean; labels: Record<string, string> }[]
}
const CHROMIUM = process.env.GOROSCOPE_CHROMIUM ?? '/usr/bin/chromium'

function run(args: string[]): string {
  const r = cli(args)
  if (r.status !== 0) throw new Error(`goroscope ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return r.stdout
}

for (const v of ['go127', 'go126']) {
  for (const kind of ['goroutine', 'leak']) {
    const file = path.join(DIR, `${v}-${kind}-debug2.txt`)
    const leaks = kind === 'leak'
    test(`${v} ${kind} debug=2: every goroutine, no warning, labels as the program set them`, async (t) => {
      const r = await analyzeStacks(file)
      const json = r.toJSON()
      t.is(r.goroutines, facts.goroutines)
      t.deepEqual(json.warnings, [])
      for (const f of facts.groups) {
        const g = json.groups.find((x) => x.frames.some((fr) => fr.function === f.function))
        t.truthy(g, f.function)
        t.is(g!.count, f.count, f.function)
        t.is(g!.state, f.state, f.function)
        t.is(g!.leaked, leaks && f.leaked ? f.count : 0, f.function)
        t.deepEqual(g!.labels, Object.keys(f.labels).length ? [{ labels: f.labels, count: f.count }] : [], f.function)
      }
      t.is(json.leaked, leaks ? facts.leaked : 0)
      if (leaks) {
        // 4 on the channel nobody can reach, then the holder parked in select {} forever.
        t.deepEqual(json.leaks.map((l) => [l.count, l.state, l.frame?.function, l.labels]), [
          [4, 'chan send', 'main.leak.func1', [{ labels: { worker: 'leaker' }, count: 4 }]],
          [1, 'select (no cases)', 'main.holder', [{ labels: { tenant: 'a b', worker: 'holder' }, count: 1 }]],
        ])
        t.is(json.leaks[0].createdBy?.function, 'main.leak')
        t.deepEqual(r.leakedByState, { 'chan send': 4, 'select (no cases)': 1 })
      }
    })
  }
}

test('debug=1 goroutine and goroutineleak profiles keep their labels', async (t) => {
  for (const v of ['go127', 'go126']) {
    const all = (await analyzeStacks(path.join(DIR, `${v}-goroutine-debug1.txt`))).toJSON()
    t.is(all.goroutines, facts.goroutines)
    t.is(all.leaked, 0)
    const waiters = all.groups.find((g) => g.frames.some((f) => f.function === 'main.waiter'))
    t.deepEqual(waiters?.labels, [{ labels: { quote: 'x"y,z}', worker: 'waiter' }, count: 3 }])
    const leak = (await analyzeStacks(path.join(DIR, `${v}-leak-debug1.txt`))).toJSON()
    t.deepEqual([leak.goroutines, leak.leaked, leak.leaks.length], [facts.leaked, facts.leaked, 2])
    t.deepEqual(leak.warnings, [])
  }
})

test('labels filter (AND) and split groups only when asked', async (t) => {
  const file = path.join(DIR, 'go127-goroutine-debug2.txt')
  const waiter = await analyzeStacks(file, { labels: { worker: 'waiter' } })
  t.is(waiter.matched, 3)
  t.is((await analyzeStacks(file, { labels: { worker: 'waiter', quote: 'x"y,z}' } })).matched, 3)
  t.is((await analyzeStacks(file, { labels: { worker: 'waiter', quote: 'other' } })).matched, 0)
  const by = (await analyzeStacks(file, { groupByLabel: 'worker' })).toJSON()
  t.deepEqual(by.groups.map((g) => [g.count, g.labelValue]), [
    [4, 'leaker'],
    [3, 'waiter'],
    [1, null],
    [1, 'holder'],
  ])
  const e = await t.throwsAsync(analyzeStacks(file, { labels: { 'a=b': 'c' } }))
  t.regex(e!.message, /hold no '='/)
})

test('CLI: the text report leads with the leaked goroutines, --label and --group-by-label', (t) => {
  const file = path.join(DIR, 'go127-leak-debug2.txt')
  const out = run(['stacks', file])
  const lines = out.split('\n')
  t.is(lines[2], 'Leaked: 5 goroutines proven leaked by the runtime', out)
  t.true(out.indexOf('Leaked: 5') < out.indexOf('States'))
  t.regex(out, /4 × \[chan send\] parked in main\.leak\.func1 .*main\.go:24, created by main\.leak/)
  t.regex(out, /labels \{tenant: "a b", worker: holder\} × 1/)
  t.regex(out, /labels \{quote: "x\\"y,z}", worker: waiter\} × 3/)
  t.regex(out, /leaked: chan send 4 · select \(no cases\) 1/)
  const filtered = run(['stacks', file, '--label', 'worker=leaker', '--label', 'tenant=nobody'])
  t.regex(filtered, /: 9 goroutines \(0 match the filters\)/)
  t.false(filtered.includes('Leaked:'))
  const json = JSON.parse(run(['stacks', file, '--json', '--group-by-label', 'worker']))
  t.deepEqual(json.groups.map((g: { labelValue: string | null }) => g.labelValue), ['leaker', 'waiter', null, 'holder'])
  const bad = cli(['stacks', file, '--label', 'novalue'])
  t.is(bad.status, 2, bad.stderr)
  t.regex(bad.stderr, /--label must be KEY=VALUE/)
})

test('top -tagfocus on a labelled dump (the count profile carries the labels)', (t) => {
  const file = path.join(DIR, 'go127-leak-debug2.txt')
  const top = run(['top', '-tagfocus=worker=waiter', file])
  t.regex(top, /main\.waiter/)
  t.notRegex(top, /main\.leak\.func1/)
  const tags = run(['tags', file])
  t.regex(tags, /worker: Total 8/)
  t.regex(tags, /leaked: Total 5/)
})

test('bundle HTML report: the leaked section comes first, in Chromium', async (t) => {
  const dir = tmpdir('goroscope-leak-bundle-')
  fs.copyFileSync(path.join(DIR, 'go127-leak-debug2.txt'), path.join(dir, 'goroutineleak.txt'))
  fs.copyFileSync(path.join(DIR, 'go127-goroutine-debug1.txt'), path.join(dir, 'goroutine.txt'))
  fs.copyFileSync(path.join(DIR, 'go127-leak.pb.gz'), path.join(dir, 'goroutineleak.pb.gz'))
  const html = path.join(tmpdir('goroscope-leak-html-'), 'report.html')
  run(['report', dir, '--html', html])
  const files = JSON.parse(run(['report', dir, '--json'])).files as { name: string; detail: string }[]
  t.deepEqual(Object.fromEntries(files.map((f) => [f.name, f.detail])), {
    'goroutine.txt': 'goroutine dump (debug=1)',
    'goroutineleak.pb.gz': 'goroutine leak profile (runtime-proven leaks) (protobuf), gzip',
    'goroutineleak.txt': 'goroutine leak dump (debug=2)',
  })
  const ctx = await chromium.launchPersistentContext(tmpdir('goroscope-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  })
  try {
    const page = await ctx.newPage()
    await page.goto(pathToFileURL(html).href)
    const h2 = await page.locator('h2').allTextContents()
    t.is(h2[0], 'Leaked: 5 goroutines proven leaked by the runtime')
    const rows = await page.locator('#leaks tbody tr').allTextContents()
    t.is(rows.length, 2)
    t.regex(rows[0], /^4chan sendmain\.leak\.func1 .*main\.go:24main\.leak .*\{worker: leaker\} × 4$/)
  } finally {
    await ctx.close()
  }
})

// The go127 fixtures (fixtures/dumps, scripts/make-fixture-dumps.sh): the program's own facts
// name every labelled goroutine, the leaked ids and the convoy's holder.
interface DumpFacts {
  capture?: { kind: string; leaked_marked: boolean | null; header_labels: string | null }
  mutex_convoy: { holder: number; waiters: number[] }
  leaked: { count: number; ids: number[] }
  situations: { name: string; ids: number[]; labels?: Record<string, string> }[]
}
const FIXTURE_DUMPS = path.join(ROOT, 'fixtures', 'dumps')
const sorted = (o: Record<string, string>) => JSON.stringify(Object.entries(o).sort())
for (const f of fs.readdirSync(FIXTURE_DUMPS).filter((x) => /^go12[67]-.*\.facts\.json$/.test(x))) {
  const facts = JSON.parse(fs.readFileSync(path.join(FIXTURE_DUMPS, f), 'utf8')) as DumpFacts
  const c = facts.capture
  if (!c || !c.header_labels) continue
  const file = path.join(FIXTURE_DUMPS, f.replace('.facts.json', '.txt'))
  test(`${path.basename(file)}: labels, leaks and the convoy's holder as the program knows them`, async (t) => {
    const text = fs.readFileSync(file, 'utf8')
    const json = (await analyzeStacks(file)).toJSON()
    t.deepEqual(json.warnings, [])
    t.is(json.goroutines, (text.match(/^goroutine \d+ /gm) ?? []).length)
    const groupOf = (id: number) => json.groups.find((g) => g.ids.includes(id))
    let labelled = 0
    if (c.header_labels === 'none') {
      // Labels set by the program but not printed (GODEBUG=tracebacklabels=0): none invented.
      t.true(json.groups.every((g) => g.labels.length === 0))
      labelled = 10
    }
    for (const s of facts.situations) {
      if (!s.labels || c.header_labels === 'none') continue
      for (const id of s.ids) {
        const sets = groupOf(id)?.labels.map((x) => sorted(x.labels)) ?? []
        t.true(sets.includes(sorted(s.labels)), `${s.name} goroutine ${id}: ${sets.join(' ')}`)
        labelled++
      }
    }
    t.true(labelled >= 10, `${labelled} labelled goroutines checked`)
    const leakedIds = json.leaks.flatMap((l) => l.ids).sort((a, b) => a - b)
    if (c.leaked_marked) {
      t.deepEqual(leakedIds, [...facts.leaked.ids].sort((a, b) => a - b))
      t.is(json.leaked, facts.leaked.count)
      const out = run(['stacks', file])
      t.is(out.split('\n').find((l) => l.startsWith('Leaked')), `Leaked: ${facts.leaked.count} goroutines proven leaked by the runtime`)
      t.true(out.indexOf('Leaked:') < out.indexOf('\nStates'))
    } else t.is(json.leaked, 0)
    const lock = json.contention.find((l) => l.waiters.includes(facts.mutex_convoy.waiters[0]))
    t.is(lock?.candidates[0]?.goroutine, facts.mutex_convoy.holder)
    t.is(json.panicRepanicked, c.kind === 'repanic')
  })
}
