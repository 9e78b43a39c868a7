// Progress of long reads: the Node API's `onProgress` (the core's parse driver, chunk by chunk,
// through a napi ThreadsafeFunction) and the CLI's progress line on a terminal stderr only.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

import { analyzeStacks, StackDump, type Progress } from '../src/index'
import { cli, FIXTURE_DUMPS, ROOT, tmpdir } from './helpers'

// A dump above the core's parallel threshold (8 MiB), so it is parsed in several chunks: the
// fixture's real blocks replicated with fresh ids.
const dir = tmpdir('goroscope-progress-')
const BIG = path.join(dir, 'big.txt')
{
  const blocks = fs.readFileSync(path.join(FIXTURE_DUMPS, 'go126-debug2-minutes.txt'), 'utf8').split(/\n\n+/).filter((b) => b.startsWith('goroutine '))
  const out: string[] = []
  let size = 0
  for (let id = 1; size < 20 << 20; id++) {
    const b = blocks[id % blocks.length].replace(/^goroutine \d+/, `goroutine ${id}`) + '\n\n'
    out.push(b)
    size += Buffer.byteLength(b)
  }
  fs.writeFileSync(BIG, out.join(''))
}
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }))

function checkParse(t: import('ava').ExecutionContext, events: Progress[], total: number) {
  const parse = events.filter((e) => e.phase === 'parse')
  t.true(parse.length >= 3, `${parse.length} parse events for ${total} bytes`)
  for (let i = 1; i < parse.length; i++) t.true(parse[i].done > parse[i - 1].done, `done grows: ${parse[i - 1].done} → ${parse[i].done}`)
  t.true(parse.every((e) => e.total === total && e.done > 0 && e.done <= total))
  t.is(parse.at(-1)!.done, total, 'the last parse event is the whole input')
}

test('analyzeStacks onProgress: parse chunk by chunk up to the total, then analyse, all before it resolves', async (t) => {
  const events: Progress[] = []
  const r = await analyzeStacks(BIG, { onProgress: (p) => events.push(p) })
  const total = fs.statSync(BIG).size
  checkParse(t, events, total)
  t.deepEqual(events.at(-1), { phase: 'analyse', done: total, total })
  t.true(r.goroutines > 50000)
})

test('StackDump.open onProgress, and a small Buffer: one event with the whole input', async (t) => {
  const events: Progress[] = []
  await StackDump.open(BIG, { onProgress: (p) => events.push(p) })
  checkParse(t, events, fs.statSync(BIG).size)
  t.false(events.some((e) => e.phase === 'analyse'))
  const small = fs.readFileSync(path.join(FIXTURE_DUMPS, 'go126-debug2-minutes.txt'))
  const few: Progress[] = []
  await analyzeStacks(small, { onProgress: (p) => few.push(p) })
  t.deepEqual(few, [
    { phase: 'parse', done: small.length, total: small.length },
    { phase: 'analyse', done: small.length, total: small.length },
  ])
})

test('onProgress must be a function; a parse error still rejects', async (t) => {
  await t.throwsAsync(analyzeStacks(BIG, { onProgress: 5 as never }), { message: /onProgress must be a function/ })
  const seen: Progress[] = []
  const e = await t.throwsAsync(analyzeStacks(Buffer.from('not a dump\n'), { onProgress: (p) => seen.push(p) }))
  t.regex(e!.message, /not a goroutine dump/)
})

const hasScript = spawnSync('script', ['--version']).status === 0

test('the CLI shows a progress line on a terminal stderr (pty via script(1))', (t) => {
  t.true(hasScript, 'script(1) from util-linux is needed')
  const bin = path.join(ROOT, 'bin', 'goroscope.js')
  const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} stacks ${JSON.stringify(BIG)} --json -o ${JSON.stringify(path.join(dir, 'r.json'))}`
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env: { ...process.env, GOROSCOPE_PROGRESS_DELAY_MS: '0' }, timeout: 120_000 })
  t.is(r.status, 0, r.stdout + r.stderr)
  t.regex(r.stdout, /goroscope: parse \d+\.\d of 20\.\d MiB, \d+ MiB\/s/)
  t.regex(r.stdout, /goroscope: analyse 20\.\d of 20\.\d MiB/)
  t.true(r.stdout.endsWith('\r\x1b[K'), `the line is erased at the end: ${JSON.stringify(r.stdout.slice(-40))}`)
  // a quick read (under a second, the default delay) shows nothing, on a terminal too
  const small = path.join(FIXTURE_DUMPS, 'go126-debug2-minutes.txt')
  const q = spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} stacks ${JSON.stringify(small)} -o /dev/null`, '/dev/null'], { encoding: 'utf8', timeout: 120_000 })
  t.is(q.status, 0, q.stdout)
  t.is(q.stdout, '')
})

test('the CLI writes no progress to a pipe, however long the read', (t) => {
  const r = cli(['stacks', BIG, '--json', '-o', path.join(dir, 'p.json')], { env: { GOROSCOPE_PROGRESS_DELAY_MS: '0' } })
  t.is(r.status, 0, r.stderr)
  t.is(r.stderr, '')
  t.is(r.stdout, '')
})
