// A short, fixed-seed run of the TypeScript readers' fuzzer (__test__/fuzz-js.ts, fast-check
// properties); long runs: scripts/fuzz-js.mjs (RELIABILITY.md). Plus the inputs it found, as
// regressions.
import test from 'ava'
import fc from 'fast-check'
import * as fs from 'node:fs'
import * as path from 'node:path'

import * as zlib from 'node:zlib'

import { readSource } from '../src/bundle/source'
import { readTar } from '../src/bundle/tar-read'
import { tarPack } from '../src/bundle/tar-write'
import { readZip } from '../src/bundle/zip-read'
import { analyzeVars } from '../src/report-node/vars'
import { apply, checkEntries, FUZZ_LIMITS, fuzzTarget, isCleanError, makeTar, makeZip, openFds, recipes, TARGETS } from './fuzz-js'
import { tmpdir } from './helpers'

const ITERATIONS = Number(process.env.FUZZ_JS_TEST_ITERATIONS ?? 300)

for (const t of TARGETS) {
  test.serial(`fuzz ${t.name}: ${ITERATIONS} inputs end in a result or a clean error`, async (tt) => {
    const s = await fuzzTarget(t, { iterations: ITERATIONS, seed: 0x5eed, timeoutMs: 10_000 })
    tt.is(s.execs, ITERATIONS)
    tt.deepEqual(s.findings.map((f) => `${f.kind}: ${f.message.split('\n')[0]}`), [])
    tt.log(`${s.execs} execs in ${s.ms} ms: ${s.results} results, ${s.cleanErrors} clean errors, heap ≤ ${s.maxHeapMiB.toFixed(0)} MiB`)
  })
}

test('the mutator is deterministic for a seed and the seeds are well formed', async (t) => {
  const seed = await makeTar()
  const a = fc.sample(recipes('tar', 1), { seed: 7, numRuns: 20 }).map((r) => apply(r, [seed]))
  const b = fc.sample(recipes('tar', 1), { seed: 7, numRuns: 20 }).map((r) => apply(r, [seed]))
  t.deepEqual(a, b)
  t.true(a.some((x) => !x.equals(seed)), 'recipes change their seed')
  const r = await readTar((async function* () { yield seed })(), FUZZ_LIMITS)
  t.deepEqual(r.entries.map((e) => e.name).sort(), ['gnu/' + 'n'.repeat(120), 'pax/long.txt', 'vars.json'])
  t.true(r.skipped.some((s) => /symbolic link/.test(s.reason)))
  t.is(makeZip([{ name: 'a', data: Buffer.from('x') }]).readUInt32LE(0), 0x04034b50)
  t.false(isCleanError(new TypeError('x')))
  t.true(isCleanError(new Error('x')))
})

// ---- regressions of what the fuzzer found (inputs built here; see RELIABILITY.md)

async function withSize(size: string): Promise<Buffer> {
  const b = await tarPack([{ name: 'a.txt', data: Buffer.from('hello world') }, { name: 'b.txt', data: Buffer.from('second') }])
  b.fill(0, 124, 136)
  b.write(size, 124, 'latin1')
  let sum = 0
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i]
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1')
  return b
}

test('tar: a size field that is not a count (NaN, negative) is a corrupt header, not a silent or empty entry', async (t) => {
  for (const size of ['9999\0', '-1\0', '-600\0']) {
    const tar = await withSize(size)
    const r = checkEntries(await readTar((async function* () { yield tar })(), FUZZ_LIMITS))
    t.deepEqual(r.entries, [], size)
    t.regex(r.skipped[0].reason, /corrupt tar header at byte 0 \(size field/)
  }
})

test('tar and zip: entries whose path is empty once cleaned (`.`, `./`, ``) are skipped and said so', async (t) => {
  const tar = await tarPack([{ name: './', data: Buffer.from('x') }, { name: 'ok.txt', data: Buffer.from('y') }])
  const read = readTar((async function* () { yield tar })(), FUZZ_LIMITS)
  const r = checkEntries(await Promise.race([read, new Promise<never>((_, no) => setTimeout(() => no(new Error('readTar stalled')), 10_000).unref())]))
  t.deepEqual(r.entries.map((e) => e.name), ['ok.txt'])
  t.deepEqual(r.skipped, [{ name: './', reason: 'empty path' }])
  const file = path.join(tmpdir(), 'dot.zip')
  fs.writeFileSync(file, makeZip([{ name: '.', data: Buffer.from('x') }, { name: 'ok.txt', data: Buffer.from('y') }]))
  const z = checkEntries(await readZip(file, FUZZ_LIMITS))
  t.deepEqual(z.entries.map((e) => e.name), ['ok.txt'])
  t.deepEqual(z.skipped, [{ name: '.', reason: 'empty path' }])
})

test('vars: GC times no Date can hold (LastGC, PauseEnd 1e308) are null, not a RangeError', (t) => {
  const m = analyzeVars({ memstats: { NumGC: 1, LastGC: 1e308, PauseNs: [5], PauseEnd: [1e308] } })
  t.is(m.lastGC, null)
  t.deepEqual(m.recentPauses, [{ end: null, ns: 5 }])
})

test.serial('readSource closes its files: tar.gz, truncated tar.gz, gzip of junk (no descriptor leak)', async (t) => {
  const dir = tmpdir()
  const good = zlib.gzipSync(await makeTar())
  const inputs = [good, good.subarray(0, good.length - 40), Buffer.concat([good.subarray(0, 30), Buffer.alloc(200, 0x41)])]
  const before = openFds()
  for (let i = 0; i < 300; i++) {
    const f = path.join(dir, `in${i % 3}.tgz`)
    fs.writeFileSync(f, inputs[i % 3])
    await readSource(f, FUZZ_LIMITS)
  }
  await new Promise((r) => setTimeout(r, 50))
  if (before < 0) return t.pass('no /proc/self/fd here')
  t.true(openFds() - before < 8, `${openFds() - before} descriptors left open`)
})

test('the harness reports a crash and a hang with a shrunk recipe that replays them', async (t) => {
  const base = TARGETS.find((x) => x.name === 'gzip')!
  const crashing = { ...base, name: 'crashing', run: async (b: Buffer) => (b.length % 7 === 3 ? (null as unknown as { x: number }).x : b) }
  const c = await fuzzTarget(crashing, { iterations: 200, seed: 1 })
  t.is(c.findings.length, 1)
  t.is(c.findings[0].kind, 'crash')
  t.regex(c.findings[0].message, /^TypeError/)
  t.is(c.findings[0].input.length % 7, 3, 'the finding carries the failing input')
  t.truthy(c.findings[0].recipe)
  t.truthy(c.findings[0].replay)
  const hanging = { ...base, name: 'hanging', run: (b: Buffer) => (b.length % 5 === 1 ? new Promise(() => {}) : Promise.resolve(b)) }
  const h = await fuzzTarget(hanging, { iterations: 200, seed: 1, timeoutMs: 50 })
  t.is(h.findings[0]?.kind, 'timeout')
  t.is(h.findings[0].input.length % 5, 1)
})

test('tar: a directory entry whose size field is not 0 does not stall the reader', async (t) => {
  // tar-stream reads no data for a directory and never ends its stream when the size is not 0
  const tar = await tarPack([{ name: 'd', data: Buffer.alloc(0) }, { name: 'ok.txt', data: Buffer.from('y') }])
  tar[156] = 0x35
  tar.write('00000000025\0', 124, 'latin1')
  let sum = 0
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : tar[i]
  tar.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1')
  const read = readTar((async function* () { yield tar })(), FUZZ_LIMITS)
  const r = checkEntries(await Promise.race([read, new Promise<never>((_, no) => setTimeout(() => no(new Error('readTar stalled')), 10_000).unref())]))
  t.deepEqual(r.entries.map((e) => e.name), ['ok.txt'])
})

test('tar: a corrupt header after a pax header and entries is named by its exact offset', async (t) => {
  const seed = await makeTar() // pax, x, L, y, dir, link, vars.json
  const at = seed.length - 1024 - 512 - 512 // the header of vars.json (its 115 bytes take one block)
  t.is(seed.toString('latin1', at, at + 9), 'vars.json')
  const bad = Buffer.from(seed)
  bad[at + 10] ^= 0x41 // checksum no longer holds
  const r = checkEntries(await readTar((async function* () { yield bad })(), FUZZ_LIMITS))
  t.deepEqual(r.entries.map((e) => e.name).sort(), ['gnu/' + 'n'.repeat(120), 'pax/long.txt'])
  t.deepEqual(r.skipped.at(-1), { name: '(archive)', reason: `corrupt tar header at byte ${at}; the rest is not read` })
})
