// `stacks --json` is written piece by piece (render/json-stream.ts): the pieces are exactly the
// text one JSON.stringify gives, and a report with many groups is never one piece.
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'

import { Items, jsonChunks } from '../src/render/json-stream'
import { jsonText } from '../src/render/terminal'
import { analyzeStacks } from '../src/index'
import { DUMPS, FIXTURE_DUMPS, walk } from './helpers'

const fields = (o: object) => Object.entries(o).map(([k, v]): [string, unknown] => [k, Array.isArray(v) ? new Items(v) : v])

test('pieces join to jsonText of the same report, for every fixture and corpus dump', async (t) => {
  const files = [...walk(FIXTURE_DUMPS), ...walk(DUMPS)].filter((f) => f.endsWith('.txt'))
  t.true(files.length > 40, `${files.length} dumps`)
  let n = 0
  for (const f of files) {
    const r = await analyzeStacks(f).catch(() => null)
    if (!r) continue
    const json = r.toJSON()
    t.is([...jsonChunks(fields(json))].join(''), jsonText(json), f)
    n++
  }
  t.true(n > 40, `${n} reports compared`)
})

test('edge shapes: empty object, empty and nested arrays, undefined, C1 controls', (t) => {
  const cases: object[] = [
    {},
    { a: [] },
    { a: [], b: null, c: { x: [1, { y: 'z' }], w: {} }, d: 'q\u009bq\n', e: undefined, f: [undefined, [[]], 'x\u007f'] },
    { groups: [{ ids: [1, 2, 3], frames: [{ f: 'main.main' }] }, { ids: [] }] },
  ]
  for (const c of cases) t.is([...jsonChunks(fields(c))].join(''), jsonText(c), JSON.stringify(c))
})

test('a big report comes out in many bounded pieces', (t) => {
  const groups = Array.from({ length: 20000 }, (_, i) => ({ id: i, ids: [i, i + 1], state: `chan receive ${i}` }))
  const pieces = [...jsonChunks([['groups', new Items(groups)], ['n', groups.length]])]
  const total = pieces.reduce((s, p) => s + p.length, 0)
  t.true(pieces.length > 20, `${pieces.length} pieces for ${total} chars`)
  t.true(Math.max(...pieces.map((p) => p.length)) < 80 * 1024, 'each piece about 64 KiB')
  t.is(pieces.join(''), jsonText({ groups, n: groups.length }))
})

test('the CLI streams --json to a file and to a pipe, byte for byte the report', async (t) => {
  const { spawnSync } = await import('node:child_process')
  const dump = path.join(FIXTURE_DUMPS, 'go126-debug2-minutes.txt')
  const want = jsonText((await analyzeStacks(dump)).toJSON())
  const bin = path.join(__dirname, '..', 'bin', 'goroscope.js')
  const pipe = spawnSync(process.execPath, [bin, 'stacks', dump, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 })
  t.is(pipe.status, 0, pipe.stderr)
  t.is(pipe.stdout, want)
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'goroscope-json-'))
  const out = path.join(dir, 'r.json')
  const file = spawnSync(process.execPath, [bin, 'stacks', dump, '--json', '-o', out], { encoding: 'utf8' })
  t.is(file.status, 0, file.stderr)
  t.is(fs.readFileSync(out, 'utf8'), want)
  t.deepEqual(fs.readdirSync(dir), ['r.json'], 'no temporary file left')
  fs.rmSync(dir, { recursive: true })
})
