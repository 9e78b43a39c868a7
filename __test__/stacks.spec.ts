// The Node API over real dumps: every corpus dump, the Go fixture's committed dumps, Buffers,
// gzip, StackDump reuse, diff, filters, and the bad-input contract.
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'

import { analyzeStacks, GoroscopeError, StackDump } from '../src/index'
import { DUMPS, FIXTURE_DUMPS, tmpdir, walk } from './helpers'

const dumpFiles = walk(DUMPS).filter((f) => f.endsWith('.txt'))
// Inputs that hold neither a goroutine nor a race report: the core must refuse them with a
// clear error. (A file of race reports alone is valid: 0 goroutines, its races.)
const NO_GOROUTINE = new Set(['gostackparse/test-fixtures/empty_input.txt'])

test('the corpus is where the tests expect it', (t) => {
  t.true(dumpFiles.length >= 40, `found ${dumpFiles.length} dumps under ${DUMPS}`)
})

for (const file of dumpFiles) {
  const rel = path.relative(DUMPS, file)
  test(`corpus dump parses: ${rel}`, async (t) => {
    if (NO_GOROUTINE.has(rel)) {
      const e = await t.throwsAsync(analyzeStacks(file), { instanceOf: GoroscopeError })
      t.is(e!.code, 'GOROSCOPE_PARSE')
      t.true(e!.message.includes(file), e!.message)
      return
    }
    const r = await analyzeStacks(file)
    const text = fs.readFileSync(file, 'utf8')
    const headers = (text.match(/^[ \t]*goroutine \d+ (?:gp=\S+ m=\S+(?: mp=\S+)? )?\[/gm) ?? []).length
    const debug1 = /^(goroutine|goroutineleak) profile: total (\d+)/m.exec(text)
    if (debug1) t.is(r.goroutines, Number(debug1[2]), 'debug=1 total')
    else t.true(r.goroutines >= Math.min(1, headers), `${r.goroutines} goroutines for ${headers} headers`)
    // Every goroutine lands in exactly one group.
    t.is(r.groups.reduce((s, g) => s + g.count, 0), r.matched)
    const json = r.toJSON()
    t.is(JSON.parse(JSON.stringify(json)).goroutines, r.goroutines)
  })
}

test('kubo debug-guide example: 458-minute semacquire on the yamux session lock', async (t) => {
  const r = await analyzeStacks(path.join(DUMPS, 'kubo', 'debug-guide-semacquire-458min.txt'))
  t.is(r.goroutines, 1)
  t.deepEqual(r.states, { semacquire: 1 })
  t.is(r.hung.length, 1)
  t.deepEqual(r.hung[0].waitMinutes, { min: 458, max: 458 })
  t.deepEqual(r.hung[0].ids, [2306090])
  const g = r.groups[0]
  t.is(g.frames.length, 5)
  t.is(g.frames[2].function, 'gx/ipfs/QmedFDs1WHcv3bcknfo64dw4mT1112yptW1H65Y2Wc7KTV/yamux.(*Session).Close')
  t.is(g.frames[2].args, '0xc8222fd340, 0x0, 0x0')
  t.is(g.frames[g.interesting!].function, g.frames[2].function, 'the interesting frame is the first outside runtime/sync')
  t.is(g.createdBy?.line, 131)
  t.is(r.contention.length, 1)
  t.is(r.contention[0].lock, '0xc8222fd3e0')
  t.deepEqual(r.contention[0].waiters, [2306090])
})

test('debug=1 input: totals and the biggest bucket (erigon, 20,161 goroutines)', async (t) => {
  const r = await analyzeStacks(path.join(DUMPS, 'erigon', 'goroutine.debug1.txt'))
  t.is(r.goroutines, 20161)
  t.is(r.groups[0].count, 12096)
  t.true(r.groups[0].frames.some((f) => f.function === 'sync.(*Cond).Wait'))
  t.deepEqual(r.groups[0].ids, [])
})

test('Buffer and gzip input give the same report as the path', async (t) => {
  const file = path.join(DUMPS, 'panicparse', 'static_panicweb.txt')
  const fromPath = (await analyzeStacks(file)).toJSON()
  const raw = fs.readFileSync(file)
  t.deepEqual((await analyzeStacks(raw)).toJSON(), fromPath)
  const gz = path.join(tmpdir(), 'panicweb.txt.gz')
  fs.writeFileSync(gz, zlib.gzipSync(raw))
  t.deepEqual((await analyzeStacks(gz)).toJSON(), fromPath)
  t.deepEqual((await analyzeStacks(zlib.gzipSync(raw))).toJSON(), fromPath)
  t.is(fromPath.goroutines, 71)
})

test('StackDump: parse once, query many times with different options', async (t) => {
  const dump = await StackDump.open(path.join(DUMPS, 'panicparse', 'static_panicweb.txt'))
  t.is(dump.goroutines, 71)
  t.is(dump.records, 71)
  t.false(dump.truncated)
  const all = await dump.analyze()
  const io = await dump.analyze({ state: 'io' })
  const select = await dump.analyze({ state: 'select' })
  t.is(all.goroutines, 71)
  t.true(io.matched > 0 && io.matched < 71)
  t.true(io.groups.every((g) => g.class === 'io'))
  t.true(select.groups.every((g) => g.state.includes('select')))
  const top2 = await dump.analyze({ top: 2 })
  t.is(top2.groups.length, 2)
  t.true(top2.groups[0].count >= top2.groups[1].count)
  const matched = await dump.analyze({ match: 'net/http\\.\\(\\*conn\\)\\.serve' })
  t.true(matched.matched > 0)
  t.true(matched.groups.every((g) => g.frames.some((f) => /net\/http\.\(\*conn\)\.serve/.test(f.function))))
  const exact = await dump.analyze({ similarity: 'exact' })
  t.true(exact.groups.length >= all.groups.length, 'exact grouping never merges more than loose')
  const byWait = await dump.analyze({ sort: 'wait' })
  const waits = byWait.groups.map((g) => g.waitMinutes?.max ?? -1)
  t.deepEqual(waits, [...waits].sort((a, b) => b - a))
})

test('diff: a dump with extra leaked goroutines shows the growing group first', async (t) => {
  const file = path.join(DUMPS, 'panicparse', 'static_panicweb.txt')
  const text = fs.readFileSync(file, 'utf8')
  const block = text.split(/\n\n(?=goroutine )/).find((b) => b.includes('[chan receive'))!
  t.truthy(block)
  let extra = ''
  for (let i = 0; i < 50; i++) extra += '\n\n' + block.replace(/^goroutine \d+/, `goroutine ${900000 + i}`)
  const grown = Buffer.from(text.trimEnd() + extra + '\n')
  const r = await analyzeStacks(grown, { diff: file })
  t.truthy(r.diff)
  t.is(r.diff![0].delta, 50)
  t.is(r.diff![0].current - r.diff![0].base, 50)
  const dumpBase = await StackDump.open(file)
  const dumpNow = await StackDump.open(grown)
  const r2 = await dumpNow.analyze({ diff: dumpBase })
  t.deepEqual(r2.diff, r.diff)
})

test('options are checked before any work', async (t) => {
  const file = path.join(DUMPS, 'kubo', 'debug-guide-semacquire-458min.txt')
  const e1 = await t.throwsAsync(analyzeStacks(file, { match: '(' }), { instanceOf: GoroscopeError })
  t.is(e1!.code, 'GOROSCOPE_OPTIONS')
  t.regex(e1!.message, /match/)
  const e2 = await t.throwsAsync(analyzeStacks(file, { minWait: -1 }), { instanceOf: GoroscopeError })
  t.is(e2!.code, 'GOROSCOPE_OPTIONS')
  const e3 = await t.throwsAsync(analyzeStacks(file, { sort: 'size' as 'count' }), { instanceOf: GoroscopeError })
  t.is(e3!.code, 'GOROSCOPE_OPTIONS')
})

test('bad input: clear errors naming the file, and the process lives on', async (t) => {
  const dir = tmpdir()
  const empty = path.join(dir, 'empty.txt')
  fs.writeFileSync(empty, '')
  const garbage = path.join(dir, 'garbage.bin')
  fs.writeFileSync(garbage, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)))
  const truncatedGz = path.join(dir, 'cut.txt.gz')
  const gz = zlib.gzipSync(fs.readFileSync(path.join(DUMPS, 'panicparse', 'static_panicweb.txt')))
  fs.writeFileSync(truncatedGz, gz.subarray(0, gz.length >> 1))
  const missing = path.join(dir, 'nope.txt')
  const cases: Array<[string, string, RegExp]> = [
    [empty, 'GOROSCOPE_PARSE', /empty/],
    [garbage, 'GOROSCOPE_PARSE', /not a goroutine dump/],
    [truncatedGz, 'GOROSCOPE_GZIP', /gzip/],
    [missing, 'GOROSCOPE_IO', /nope\.txt/],
  ]
  for (const [file, code, re] of cases) {
    const e = await t.throwsAsync(analyzeStacks(file), { instanceOf: GoroscopeError })
    t.is(e!.code, code, file)
    t.true(e!.message.includes(path.basename(file)), e!.message)
    t.regex(e!.message, re)
  }
  // And it still works afterwards.
  t.is((await analyzeStacks(path.join(DUMPS, 'kubo', 'debug-guide-semacquire-458min.txt'))).goroutines, 1)
})

test('a pprof protobuf given by mistake is named as such', async (t) => {
  // A real profile.proto written by Go's runtime/pprof (gzip), produced by the fixture program.
  const file = path.join(FIXTURE_DUMPS, 'go126-goroutine.pb.gz')
  const e = await t.throwsAsync(analyzeStacks(file), { instanceOf: GoroscopeError })
  t.is(e!.code, 'GOROSCOPE_PARSE')
  t.regex(e!.message, /pprof/)
})

test('a race-detector report alone: no goroutines, the race in full (panicparse static_panic_race)', async (t) => {
  const r = await analyzeStacks(path.join(DUMPS, 'panicparse', 'static_panic_race.txt'))
  const j = JSON.parse(JSON.stringify(r))
  t.is(j.goroutines, 0)
  t.deepEqual(j.groups, [])
  t.deepEqual(j.warnings, [])
  t.is(j.races.length, 1)
  const race = j.races[0]
  t.is(race.line, 4)
  t.false(race.truncated)
  const file = '/go/src/github.com/maruel/panicparse/cmd/panic/main.go'
  t.deepEqual(race.accesses, [
    {
      kind: 'Read',
      address: '0xc000014100',
      goroutine: 8,
      frames: [
        { function: 'main.panicDoRaceRead', file, line: 137, args: '' },
        { function: 'main.panicRace.func2', file, line: 154, args: '' },
      ],
    },
    {
      kind: 'Previous write',
      address: '0xc000014100',
      goroutine: 7,
      frames: [
        { function: 'main.panicDoRaceWrite', file, line: 132, args: '' },
        { function: 'main.panicRace.func1', file, line: 151, args: '' },
      ],
    },
  ])
  t.deepEqual(
    race.created.map((c: { goroutine: number; state: string; frames: { line: number }[] }) => [c.goroutine, c.state, c.frames.map((f) => f.line)]),
    [
      [8, 'running', [153, 54]],
      [7, 'running', [150, 54]],
    ],
  )
  // The same through a StackDump, and `by main goroutine` comes out as null.
  const dump = await StackDump.open(path.join(DUMPS, 'panicparse', 'static_panic_race.txt'))
  t.is(dump.races, 1)
  t.is(dump.goroutines, 0)
  const main = await analyzeStacks(Buffer.from('WARNING: DATA RACE\nWrite at 0x10 by main goroutine:\n  main.main()\n      /a.go:3 +0x1\n'))
  t.is(main.races[0].accesses[0].goroutine, null)
  t.is(main.races[0].accesses[0].address, '0x10')
})

test('a 100 MB line does not break the parse of the goroutines around it', async (t) => {
  const kubo = fs.readFileSync(path.join(DUMPS, 'kubo', 'debug-guide-semacquire-458min.txt'), 'utf8')
  const long = 'x'.repeat(100 * 1024 * 1024)
  const input = Buffer.from(`${kubo}\n${long}\n\n${kubo.replace('goroutine 2306090', 'goroutine 7')}`)
  const r = await analyzeStacks(input)
  t.is(r.goroutines, 2)
  t.deepEqual(r.groups.flatMap((g) => g.ids).sort((a, b) => a - b), [7, 2306090])
})

test('a dump cut in the middle of a goroutine is reported as truncated, the rest kept', async (t) => {
  const text = fs.readFileSync(path.join(DUMPS, 'panicparse', 'static_panicweb.txt'), 'utf8')
  const lastHeader = text.lastIndexOf('\ngoroutine ')
  const cut = text.slice(0, text.indexOf('\n', lastHeader + 1) + 1)
  const r = await analyzeStacks(Buffer.from(cut))
  t.true(r.truncated)
  t.is(r.goroutines, 71)
})
