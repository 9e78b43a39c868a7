// The driver seen from Node: a Profile answers reports from one fetch (its session), errors
// arrive as data (code, path, line, offset), the core's sniffer routes inputs, and pprof's
// -output and -symbolize mean what they mean in pprof.
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'

import { analyzeStacks, GoroscopeError, Profile, runPprof } from '../src/index'
import { sniff } from '../src/sniff'
import { cli, CORPUS, FIXTURE_DUMPS, ROOT, tmpdir } from './helpers'

const SAMPLE_CPU = path.join(CORPUS, 'google-pprof', 'internal', 'report', 'testdata', 'sample.cpu')
const PROFILES = path.join(ROOT, 'fixtures', 'profiles')
const HEAP = path.join(PROFILES, 'go126-heap.pb.gz')
const ALLOCS = path.join(PROFILES, 'go126-allocs.pb.gz')

async function error(p: Promise<unknown>): Promise<GoroscopeError> {
  try {
    await p
  } catch (e) {
    if (e instanceof GoroscopeError) return e
    throw e
  }
  throw new Error('expected a GoroscopeError')
}

test('a Profile answers reports from one fetch: top, peek with a focus, focus cleared', async (t) => {
  const dir = tmpdir()
  const files = [0, 1].map((i) => path.join(dir, `cpu${i}.pb`))
  for (const f of files) fs.copyFileSync(SAMPLE_CPU, f)
  const p = await Profile.load(files)
  for (const f of files) fs.rmSync(f) // nothing may read them again
  t.is(p.fetches, 0)
  const both = [SAMPLE_CPU, SAMPLE_CPU]
  const top = await p.top()
  t.is(top.text, (await runPprof(['-top', ...both])).text)
  const peek = await p.peek('runtime\\.map', { focus: 'main.busyLoop' })
  t.is(peek.text, (await runPprof(['-peek=runtime\\.map', '-focus=main.busyLoop', ...both])).text)
  t.regex(peek.text, /Active filters:\n {3}focus=main\.busyLoop\n/)
  t.is((await p.top()).text, top.text)
  t.is(p.fetches, 1, 'the two sources were merged once')
  // Another base is another fetch; going back to none reuses nothing stale.
  const based = await p.top({ base: [SAMPLE_CPU] })
  t.is(based.text, (await runPprof(['-top', `-base=${SAMPLE_CPU}`, ...both])).text)
  t.is(p.fetches, 2)
  t.is((await p.top()).text, top.text)
  t.is(p.fetches, 3)
})

test('errors are data: code, message, path, line and offset', async (t) => {
  const notDump = await error(analyzeStacks(Buffer.from('\nhello world\n')))
  t.is(notDump.code, 'GOROSCOPE_PARSE')
  t.deepEqual([notDump.path, notDump.line, notDump.offset], ['<buffer>', 2, 1])
  t.false(notDump.message.startsWith('['), notDump.message)

  const missing = path.join(tmpdir(), 'nope.pb.gz')
  const io = await error(Profile.load(missing))
  t.is(io.code, 'GOROSCOPE_IO')
  t.is(io.path, missing)
  t.is(io.line, undefined)

  // A profile.proto whose second field has a varint cut short.
  const cut = Buffer.from([0x60, 0x01, 0x60, 0xff])
  const bad = await error(Profile.load(cut))
  t.is(bad.code, 'GOROSCOPE_PROFILE')
  t.is(bad.path, '<buffer>')
  t.true(bad.message.startsWith('<buffer>: '), bad.message)

  // The core names no front end; the binding adds the option that raises the limit, and the
  // CLI's stderr shows it as before.
  const bombFile = path.join(tmpdir(), 'bomb.gz')
  fs.writeFileSync(bombFile, zlib.gzipSync(Buffer.alloc(4 << 20)))
  const limit = await error(Profile.load(bombFile, { maxDecompressed: 1 << 20 }))
  t.is(limit.code, 'GOROSCOPE_LIMIT')
  t.is(limit.path, bombFile)
  t.regex(limit.message, /exceeds 1048576 bytes \(limit: maxDecompressed \/ --max-decompressed\)$/)
  const r = cli(['top', bombFile, '--max-decompressed', String(1 << 20)])
  t.is(r.status, 2)
  t.regex(r.stderr, /--max-decompressed/)

  const usage = await error(runPprof(['-top', '-nodecount=x', SAMPLE_CPU]))
  t.is(usage.code, 'GOROSCOPE_OPTIONS')
  t.is(usage.message, 'invalid value "x" for flag -nodecount: parse error')
})

test('sniff: what a path or Buffer holds, through gzip, from the core', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    [path.join(FIXTURE_DUMPS, 'go126-debug2-minutes.txt'), 'goroutine-dump', false],
    [path.join(FIXTURE_DUMPS, 'go126-debug1.txt'), 'goroutine-profile', false],
    [path.join(FIXTURE_DUMPS, 'go126-goroutine.pb.gz'), 'profile-proto', true],
    [path.join(PROFILES, 'go126-mutex-debug2.txt'), 'legacy-profile', false],
    [SAMPLE_CPU, 'profile-proto', true],
    [path.join(ROOT, 'package.json'), 'json', false],
  ]
  for (const [file, kind, gzip] of cases) {
    t.deepEqual(await sniff(file), { kind, gzip }, file)
    t.deepEqual(await sniff(fs.readFileSync(file)), { kind, gzip }, `${file} (Buffer)`)
  }
  const dumpGz = zlib.gzipSync(fs.readFileSync(path.join(FIXTURE_DUMPS, 'go126-panic.txt')))
  t.deepEqual(await sniff(dumpGz), { kind: 'goroutine-dump', gzip: true })
  t.deepEqual(await sniff(Buffer.alloc(0)), { kind: 'empty', gzip: false })
  const e = await error(sniff(path.join(tmpdir(), 'missing')))
  t.is(e.code, 'GOROSCOPE_IO')
})

test('-output writes the report (text or proto) and says so, as pprof does', async (t) => {
  const dir = tmpdir()
  const out = path.join(dir, 'top.txt')
  const r = await runPprof(['-top', `-output=${out}`, HEAP])
  t.is(r.output, out)
  t.is(fs.readFileSync(out, 'utf8'), r.text)
  t.deepEqual(r.warnings, [`Generating report in ${out}`])
  t.is(r.toJSON().output, out)
  t.is((await runPprof(['-top', HEAP])).toJSON().output, undefined, 'no output, no field')
  const proto = path.join(dir, 'f.pb.gz')
  const p = await Profile.load(ALLOCS)
  const rp = await p.report(['-proto', `-output=${proto}`, '-focus=main'])
  t.deepEqual(fs.readFileSync(proto), rp.proto)
})

test('-symbolize: an unrecognized option is a warning, as in pprof', async (t) => {
  // -symbolize=none with a binary is asserted in crates/goroscope-core/tests/symbolize.rs, which
  // builds the Go fixture that needs it.
  const args = ['-top', '-nodecount=3', HEAP]
  const plain = await runPprof(args)
  const odd = await runPprof(['-symbolize=sideways', ...args])
  t.is(odd.text, plain.text)
  t.deepEqual(odd.warnings.slice(0, 2), [
    'ignoring unrecognized symbolization option: sideways',
    'expecting -symbolize=[local|fastlocal|remote|none][:force][:demangle=[none|full|templates|default]',
  ])
  t.deepEqual((await runPprof(['-symbolize=none', ...args])).text, plain.text)
})
