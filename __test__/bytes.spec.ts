// Invalid UTF-8 in a profile's string table: pprof passes the bytes through to its text reports,
// and so does goroscope, to files and pipes; JSON and the Node API's strings stay valid UTF-8
// with U+FFFD for each such byte. The profile: a fixture whose names get invalid bytes (patched
// in place, lengths kept), then re-encoded by our encoder (`goroscope proto`).
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'

import test from 'ava'

import { Profile } from '../src/profile'
import { cli, ROOT, tmpdir } from './helpers'

const LABELS = path.join(ROOT, 'fixtures', 'profiles', 'go126-labels-goroutine.pb.gz')

function goPprof(args: string[]): Buffer {
  return execFileSync('go', ['tool', 'pprof', '-symbolize=none', ...args], { env: { ...process.env, TZ: 'UTC', GOTOOLCHAIN: 'local' }, maxBuffer: 64 << 20 })
}

/** Replace every `from` in `b` by `to` (the same length, so the protobuf stays well-formed). */
function patch(b: Buffer, from: string, to: Buffer): Buffer {
  const f = Buffer.from(from)
  if (f.length !== to.length) throw new Error('same length only')
  let n = 0
  for (let i = b.indexOf(f); i >= 0; i = b.indexOf(f, i + 1)) {
    to.copy(b, i)
    n++
  }
  if (!n) throw new Error(`${from} not in the profile`)
  return b
}

test('CLI: top, traces, tree and dot of a profile with invalid UTF-8 names are go tool pprof\'s bytes; --json is valid UTF-8 with U+FFFD', async (t) => {
  const dir = tmpdir('goroscope-bytes-')
  let raw = zlib.gunzipSync(fs.readFileSync(LABELS))
  raw = patch(raw, 'main.main', Buffer.from('main.m\xff\xfen', 'latin1'))
  raw = patch(raw, 'runtime.gopark', Buffer.from('runtime.g\xe2\x82ark', 'latin1'))
  const patched = path.join(dir, 'patched.pb')
  fs.writeFileSync(patched, raw)
  const file = path.join(dir, 'invalid.pb.gz')
  t.is(cli(['proto', patched, '-o', file]).status, 0)
  // our encoder kept the bytes
  t.true(zlib.gunzipSync(fs.readFileSync(file)).includes(Buffer.from('main.m\xff\xfen', 'latin1')))
  for (const args of [['top'], ['traces'], ['top', '-lines'], ['tree'], ['dot']]) {
    const want = goPprof([`-${args[0]}`, ...args.slice(1), file])
    t.true(want.includes(Buffer.from('\xff\xfe', 'latin1')), args.join(' '))
    const got = execFileSync(process.execPath, [path.join(ROOT, 'bin', 'goroscope.js'), ...args, file, '-symbolize=none'], { maxBuffer: 64 << 20 })
    t.true(got.equals(want), `${args.join(' ')}:\n${got.toString('latin1')}\n---\n${want.toString('latin1')}`)
    // -o FILE gets the same bytes
    const out = path.join(dir, 'out.txt')
    t.is(cli([...args, file, '-symbolize=none', '-o', out]).status, 0)
    t.true(fs.readFileSync(out).equals(want), args.join(' '))
  }
  const json = JSON.parse(cli(['top', file, '--json']).stdout) as { text: string; top: Array<{ name: string }> }
  t.true(json.top.some((r) => r.name === 'main.m\ufffd\ufffdn'))
  t.true(json.text.includes('main.m\ufffd\ufffdn'))
  t.false(/[\u{10FF80}-\u{10FFFF}]/u.test(JSON.stringify(json)))
  const r = await (await Profile.load(file)).report(['-top'])
  t.true(r.text.includes('main.m\ufffd\ufffdn'))
  t.true(r.textBytes.includes(Buffer.from('main.m\xff\xfen', 'latin1')))
  fs.rmSync(dir, { recursive: true, force: true })
})
